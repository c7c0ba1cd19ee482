/**
 * @file Checks known to fail on a board because of a bug outside the driver under test, each
 * skipped with its reason (shown in the test title) until the bug is fixed. Remove an entry in
 * the change that fixes it. Keep this list short: a failing check is the kit doing its job.
 */

/** A known failure: on `board`, check `check` (of every iodev, or of `iodev`) is skipped for `reason`. */
export interface KnownIssue {
  readonly board: string;
  readonly iodev?: string;
  readonly check: string;
  readonly reason: string;
}

/** The known failures. */
export const KNOWN_ISSUES: readonly KnownIssue[] = [];

/** The `skip` option of the kit for iodev `iodev` on `board`: check id → reason. */
export function knownIssues(board: string, iodev: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KNOWN_ISSUES) {
    if (k.board === board && (k.iodev === undefined || k.iodev === iodev)) out[k.check] = k.reason;
  }
  return out;
}
