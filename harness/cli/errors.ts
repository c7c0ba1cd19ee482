/**
 * How the command reports errors: a message that names the culprit, a hint saying what to do,
 * and an exit status ({@link EXIT}). Loads nothing heavy: `--help` and `--version` go through here.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { BoardFileError } from '../boards/board-errors';

/** A bad command line or setup: an unknown option, command or board, a missing value, a report that cannot be written. Exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The usage text of the command concerned. */
  readonly usage: string;

  constructor(message: string, usage: string) {
    super(message);
    this.usage = usage;
  }
}

/**
 * Exit statuses of the command, the same for every subcommand:
 * - `ok` 0: everything asked for ran and passed (`test`: at least one test passed on every board,
 *   none failed; skips, each with its reason, are allowed);
 * - `failed` 1: the device under test failed: a test's assertion (`test`), a NOP that completed
 *   with an error (`ping`);
 * - `usage` 2: the command line or the setup is wrong: an unknown command, option or board, an
 *   invalid board file, a suite path that does not exist, a report that cannot be written;
 * - `infrastructure` 3: the board could not be used or the run could not finish: a toolchain or
 *   emulator not installed, a build that failed, a port that would not open, an agent that did not
 *   answer or reset, a lost link, or no test that ran at all. CI may retry these and count them
 *   against the board, not the driver.
 *
 * A run with both DUT and infrastructure failures exits 1: a failed assertion is a failure.
 */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2, infrastructure: 3 });

/** {@link EXIT}'s rule, for the usage texts. */
export const EXIT_STATUS_TEXT = `exit status: 0 passed; 1 the device under test failed (an assertion, a NOP's
result); 2 bad command line or setup (unknown board, invalid board file, unwritable
report); 3 infrastructure (toolchain, build, port, agent or link failed, or nothing ran)`;

/** What to print for an error, and the exit status. */
export interface ErrorReport {
  /** Lines for stderr, the first starting with `rtio-hil: `. */
  readonly lines: readonly string[];
  /** Exit status. */
  readonly code: number;
}

const PORT_HINTS: Readonly<Record<string, string>> = {
  permission: 'you may not open it: add yourself to its group (on Debian: sudo usermod -aG dialout $USER, then log in again)',
  busy: 'another process has it open (a serial monitor, another rtio-hil run?); close it and try again',
  missing: 'it is gone: unplugged, or re-enumerated under another name; "rtio-hil list" shows the ports there are',
  other: 'it may not be a serial port',
};

const TCP_HINTS: Readonly<Record<string, string>> = {
  missing: 'nothing listens there, or the host is unknown: is ser2net (or QEMU) running, and are the board file\'s host and port (/tcp, /rfc2217) right?',
  permission: 'the connection was refused by policy (a firewall?)',
  other: 'the connection did not come up in time (/timeouts/connectMs)',
};

/** Errors of the link and of opening a target: infrastructure, whatever the command. */
const INFRASTRUCTURE_NAMES: ReadonlySet<string> = new Set([
  'AgentResetError', 'DisconnectedError', 'LinkTimeoutError', 'ProtocolVersionError', 'UnsupportedTargetError',
  'ComPortUnavailableError', 'LabgridError', 'LavaError', 'LeaseWaitError', 'LeaseLostError',
]);

/** The report for `err` (see the module comment). */
export function reportError(err: unknown): ErrorReport {
  const e = err instanceof Error ? err : new Error(String(err));
  const first = `rtio-hil: ${e.message}`;
  switch (e.name) {
    case 'UsageError':
      return { lines: [first, '', (e as UsageError).usage], code: EXIT.usage };
    case 'UnknownBoardError':
      return { lines: [first], code: EXIT.usage };
    case 'BoardFileError': {
      const { file, problems } = e as BoardFileError;
      return { lines: [`rtio-hil: invalid board file ${file}`, ...problems.map((p) => `  ${p.pointer === '' ? '(file)' : p.pointer}: expected ${p.expected}${p.actual === undefined ? '' : `, got ${p.actual}`}`)], code: EXIT.usage };
    }
    case 'PortOpenError': {
      const { reason = 'other', port = '' } = e as { reason?: string; port?: string };
      const hint = /^(tcp|rfc2217):/.test(port) ? TCP_HINTS[reason] ?? TCP_HINTS.other : PORT_HINTS[reason] ?? PORT_HINTS.other;
      return { lines: [first, `  ${hint}`], code: EXIT.infrastructure };
    }
    case 'HandshakeTimeoutError':
      return {
        lines: [first, '  the port opened but no agent answered: is the rtio-hil agent running on the board, and is the baud rate (/serial/baudRate) right?'],
        code: EXIT.infrastructure,
      };
    case 'AmbiguousPortError':
      return { lines: [first], code: EXIT.infrastructure };
    case 'BoardNotConnectedError':
      return { lines: [first, '  plug it in, or check /match in its board file ("rtio-hil list" shows what each port reports)'], code: EXIT.infrastructure };
    case 'PrerequisiteMissingError':
      return { lines: [first, '  install it (bash .ci/run lists every package the targets need)'], code: EXIT.infrastructure };
    default:
      return { lines: [first], code: INFRASTRUCTURE_NAMES.has(e.name) ? EXIT.infrastructure : EXIT.failed };
  }
}

/** `node:util` parseArgs with its errors as {@link UsageError}s carrying `usage`. */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: T, usage: string): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''), usage);
  }
}

/** Parses a positive integer option, or throws a UsageError naming it. */
export function intOption(name: string, value: string | undefined, fallback: number, usage: string, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`"--${name}" must be an integer >= ${min}; got "${value}"`, usage);
  return n;
}
