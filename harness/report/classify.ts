/**
 * Telling a broken board or link from a broken driver. A failure is *infrastructure* when its
 * error (or a cause of it) is one of the link's typed errors (an agent reset, a lost port, a
 * link or handshake timeout, a port that would not open) or a missing toolchain, when it is the
 * error that stopped a target from opening (a failed build, QEMU that would not start), or when
 * it is an assertion that saw a
 * CQE result of `-ECONNRESET` or `-ENOTCONN` while the target's `lastError` holds one of those
 * errors: the result of an SQE the reset or the lost port cut off. Anything else is an
 * *assertion* failure: the device, the driver or the test is wrong.
 */
import { ECONNRESET, ENOTCONN } from '../rtio';

/** The two classes of failure. */
export type FailureClass = 'assertion' | 'infrastructure';

/** What went wrong underneath an infrastructure failure. */
export type InfrastructureCause = 'agent-reset' | 'port-lost' | 'link-timeout' | 'handshake-timeout' | 'port-open' | 'prerequisite-missing' | 'target-open';

/** The error names that mean infrastructure, and the cause each stands for. */
export const INFRASTRUCTURE_ERRORS: Readonly<Record<string, InfrastructureCause>> = Object.freeze({
  AgentResetError: 'agent-reset',
  DisconnectedError: 'port-lost',
  LinkTimeoutError: 'link-timeout',
  HandshakeTimeoutError: 'handshake-timeout',
  PortOpenError: 'port-open',
  PrerequisiteMissingError: 'prerequisite-missing',
});

/** CQE results a link failure gives the SQEs it cuts off. */
export const LINK_FAILURE_RESULTS: readonly number[] = [-ECONNRESET, -ENOTCONN];

/** How a failure was classed, and why. */
export interface Classification {
  /** The class. */
  readonly kind: FailureClass;
  /** For infrastructure: what went wrong underneath. */
  readonly cause?: InfrastructureCause;
  /** One line for people: the link error's message, or why the assertion counts as infrastructure. */
  readonly reason: string;
}

/** A target as it stood when the test failed. */
export interface TargetAtFailure {
  /** The board id. */
  readonly boardId: string;
  /** The target's `lastError` now. */
  readonly lastError: Error | null;
  /** Its `lastError` when the test began (the same error: the link failed before the test). */
  readonly lastErrorAtStart: Error | null;
  /** Why the target could not be opened, if it could not. */
  readonly openError?: Error | null;
}

/** The infrastructure cause of `err` or of an error in its `cause` chain (or mocha's `multiple`), if any. */
export function linkErrorIn(err: unknown): { cause: InfrastructureCause; error: Error } | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < 32) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || seen.has(e)) continue;
    seen.add(e);
    const { name, cause, multiple, errors } = e as { name?: unknown; cause?: unknown; multiple?: unknown; errors?: unknown };
    const infra = typeof name === 'string' ? INFRASTRUCTURE_ERRORS[name] : undefined;
    if (infra !== undefined) return { cause: infra, error: e as Error };
    queue.push(cause);
    if (Array.isArray(multiple)) queue.push(...(multiple as unknown[]));
    if (Array.isArray(errors)) queue.push(...(errors as unknown[]));
  }
  return null;
}

/**
 * The link-failure result (`-ECONNRESET` or `-ENOTCONN`) an assertion error shows in its `actual`
 * value (searched through arrays and objects) or its message, or null.
 */
export function linkFailureResultIn(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  const { actual, message } = err as { actual?: unknown; message?: unknown };
  const found = findNumber(actual, LINK_FAILURE_RESULTS, 0, { left: 2000 });
  if (found !== null) return found;
  if (typeof message === 'string') {
    for (const r of LINK_FAILURE_RESULTS) if (new RegExp(`(^|[^\\d-])${r}(?!\\d)`).test(message)) return r;
    if (/-ECONNRESET\b/.test(message)) return -ECONNRESET;
    if (/-ENOTCONN\b/.test(message)) return -ENOTCONN;
  }
  return null;
}

function findNumber(v: unknown, wanted: readonly number[], depth: number, budget: { left: number }): number | null {
  if (--budget.left < 0 || depth > 6) return null;
  if (typeof v === 'number') return wanted.includes(v) ? v : null;
  if (typeof v === 'string') {
    const n = Number(v.trim());
    return v.trim() !== '' && wanted.includes(n) ? n : null;
  }
  if (typeof v !== 'object' || v === null) return null;
  for (const x of Array.isArray(v) ? v : Object.values(v as object)) {
    const hit = findNumber(x, wanted, depth + 1, budget);
    if (hit !== null) return hit;
  }
  return null;
}

/** Classes the failure `err` of a test that ran on `targets` (see the module comment). */
export function classifyFailure(err: unknown, targets: readonly TargetAtFailure[]): Classification {
  const direct = linkErrorIn(err);
  if (direct !== null) return { kind: 'infrastructure', cause: direct.cause, reason: direct.error.message };
  const failedOpen = targets.find((t) => t.openError !== undefined && t.openError !== null && t.openError === err);
  if (failedOpen !== undefined) return { kind: 'infrastructure', cause: 'target-open', reason: `board "${failedOpen.boardId}" could not be opened: ${failedOpen.openError!.message}` };
  const result = linkFailureResultIn(err);
  if (result !== null) {
    for (const t of targets) {
      const cause = t.lastError === null ? undefined : INFRASTRUCTURE_ERRORS[t.lastError.name];
      if (cause === undefined || t.lastError === null) continue;
      const name = result === -ECONNRESET ? '-ECONNRESET' : '-ENOTCONN';
      const when = t.lastErrorAtStart === t.lastError ? ' (the link had failed before this test began)' : '';
      return { kind: 'infrastructure', cause, reason: `CQE result ${name} on board "${t.boardId}" after ${t.lastError.message}${when}` };
    }
  }
  const message = typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string'
    ? (err as { message: string }).message : String(err);
  return { kind: 'assertion', reason: message.split('\n')[0] ?? '' };
}
