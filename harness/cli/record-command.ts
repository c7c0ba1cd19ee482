/**
 * `rtio-hil record`: runs suites on one board (as `rtio-hil test` does) and writes a golden trace
 * of everything they submitted and got back (docs/recording.md).
 */
import { resolve } from 'node:path';
import { RECORD_ENV } from '../record/env';
import { EXIT_STATUS_TEXT, UsageError } from './errors';
import { ensureWritable, runTest } from './test-command';

/** Usage of `rtio-hil record`. */
export const RECORD_USAGE = `usage: rtio-hil record --board ID --out FILE [test options] [suite...] [-- mocha options]

Runs the suites on board ID, as "rtio-hil test" does (same options and suites), and writes to
FILE a golden trace: the board's identity and iodev table, every program the suites submitted
(SQEs with their data) and every completion (results, flags, bytes read), each under the test it
came from, as JSON lines (docs/recording.md). "rtio-hil replay FILE --board OTHER" runs the same
programs on another target and names the first operation that differs.

options:
  --board ID    the one board to record on (required)
  --out FILE    the recording to write (required; replaced if it exists)
  --help        this text
  (every other option is "rtio-hil test"'s: --grep, --seed, --port, --junit, --json, --bail)

${EXIT_STATUS_TEXT}`;

/** Takes `--name VALUE` or `--name=VALUE` out of `args`; returns the values and the rest. */
function takeOption(args: readonly string[], name: string): { values: string[]; rest: string[] } {
  const values: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (a === `--${name}`) {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`, RECORD_USAGE);
      values.push(v);
    } else if (a.startsWith(`--${name}=`)) {
      values.push(a.slice(name.length + 3));
    } else {
      rest.push(a);
    }
  }
  return { values, rest };
}

/** Runs `rtio-hil record`; resolves the exit status of the suites' run. */
export async function runRecord(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(RECORD_USAGE);
    return 0;
  }
  const out = takeOption(args, 'out');
  if (out.values.length !== 1) throw new UsageError('give the recording file once: --out FILE', RECORD_USAGE);
  const boards = takeOption(out.rest, 'board').values.flatMap((b) => b.split(',')).filter((b) => b.trim() !== '');
  if (boards.length !== 1) throw new UsageError('record on exactly one board: --board ID', RECORD_USAGE);
  const file = resolve(out.values[0]!);
  ensureWritable(file, 'recording');
  return runTest(out.rest, {
    requires: [require.resolve('../record/mocha-hooks')],
    env: () => ({ [RECORD_ENV]: file }),
  });
}
