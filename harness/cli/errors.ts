/**
 * How the command reports errors: a message that names the culprit, a hint saying what to do,
 * and an exit status (2 for a bad command line or an unknown board, 1 for anything else).
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { isBoardFileError } from '../boards/board-file';

/** A bad command line: an unknown option or command, a missing value. Exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The usage text of the command concerned. */
  readonly usage: string;

  constructor(message: string, usage: string) {
    super(message);
    this.usage = usage;
  }
}

/** Exit statuses of the command. */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 });

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
  missing: 'nothing listens there, or the host is unknown: is ser2net (or QEMU) running, and are /tcp/host and /tcp/port right?',
  permission: 'the connection was refused by policy (a firewall?)',
  other: 'the connection did not come up in time (/timeouts/connectMs)',
};

/** The report for `err` (see the module comment). */
export function reportError(err: unknown): ErrorReport {
  const e = err instanceof Error ? err : new Error(String(err));
  const first = `rtio-hil: ${e.message}`;
  switch (e.name) {
    case 'UsageError':
      return { lines: [first, '', (e as UsageError).usage], code: EXIT.usage };
    case 'UnknownBoardError':
      return { lines: [first], code: EXIT.usage };
    case 'PortOpenError': {
      const { reason = 'other', port = '' } = e as { reason?: string; port?: string };
      const hint = port.startsWith('tcp:') ? TCP_HINTS[reason] ?? TCP_HINTS.other : PORT_HINTS[reason] ?? PORT_HINTS.other;
      return { lines: [first, `  ${hint}`], code: EXIT.failed };
    }
    case 'HandshakeTimeoutError':
      return {
        lines: [first, '  the port opened but no agent answered: is the rtio-hil agent running on the board, and is the baud rate (/serial/baudRate) right?'],
        code: EXIT.failed,
      };
    case 'BoardNotConnectedError':
      return { lines: [first, '  plug it in, or check /match in its board file ("rtio-hil list" shows what each port reports)'], code: EXIT.failed };
    default:
      if (isBoardFileError(e)) {
        return { lines: [`rtio-hil: invalid board file ${e.file}`, ...e.problems.map((p) => `  ${p.pointer === '' ? '(file)' : p.pointer}: expected ${p.expected}${p.actual === undefined ? '' : `, got ${p.actual}`}`)], code: EXIT.failed };
      }
      return { lines: [first], code: EXIT.failed };
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
