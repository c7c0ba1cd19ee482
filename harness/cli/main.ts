/** The rtio-hil command: `list`, `ping`, `test`, `suggest`. bin/rtio-hil runs {@link main}. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root';
import { EXIT, EXIT_STATUS_TEXT, UsageError, reportError } from './errors';

/** Top-level usage. */
export const USAGE = `usage: rtio-hil <command> [options]

commands:
  list                           the serial ports found and the board file each matches,
                                 then every board and where it is
  ping [--board ID]              open a board: handshake, agent build, boot nonce, iodev
                                 table, NOP round-trip time
  test [--board ID] [suite...]   run mocha suites on boards (default board: emulator,
                                 default suites: every suite under suites/); --trace FILE
                                 writes a timeline for Perfetto
  record --board ID --out FILE [suite...]
                                 run suites and write a golden trace of their programs
                                 and completions
  replay FILE [--board ID]       run a golden trace on another target; name the first
                                 operation that differs
  suggest [--port PATH]          a board-file skeleton for a connected port
  help, --help, -h               this text
  --version, -V                  the version of rtio-hil

Run "rtio-hil <command> --help" for a command's options.

environment: RTIO_BOARD (default board), RTIO_BOARDS_DIR (more board folders, relative to
the current folder), RTIO_SEED, RTIO_PORT, RTIO_HIL_JUNIT, NO_COLOR

${EXIT_STATUS_TEXT}`;

/** The version in rtio-hil's package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Each command, loaded when it runs (a command's imports cost startup time the others need not pay). */
const COMMANDS: Readonly<Record<string, (args: readonly string[]) => Promise<number>>> = {
  list: async (args) => (await import('./list')).runList(args),
  ping: async (args) => (await import('./ping')).runPing(args),
  test: async (args) => (await import('./test-command')).runTest(args),
  suggest: async (args) => (await import('./suggest')).runSuggest(args),
  record: async (args) => (await import('./record-command')).runRecord(args),
  replay: async (args) => (await import('./replay-command')).runReplay(args),
};

/** Parses `argv` and runs the command; resolves the exit status. Errors are printed, not thrown. */
export async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined) {
      console.error(USAGE);
      return EXIT.usage;
    }
    if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
      console.log(USAGE);
      return EXIT.ok;
    }
    if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
      console.log(packageVersion());
      return EXIT.ok;
    }
    const run = COMMANDS[cmd];
    if (run === undefined) throw new UsageError(`unknown command "${cmd}"`, USAGE);
    return await run(rest);
  } catch (e) {
    const report = reportError(e);
    for (const line of report.lines) console.error(line);
    return report.code;
  }
}
