/**
 * `rtio-hil replay`: runs the programs of a golden trace on another target and reports the first
 * operation whose completion differs (docs/recording.md).
 */
import { readFileSync } from 'node:fs';
import { boardDirs, loadBoard } from '../boards/load-boards';
import { openTarget } from '../boards/open-target';
import { RecordingFormatError, parseRecording } from '../record/format';
import type { RecordingLine } from '../record/format';
import { REPLAY_WAIT_MS, replay } from '../record/replay';
import { EXIT, UsageError, intOption, parseCommandLine } from './errors';

/** Usage of `rtio-hil replay`. */
export const REPLAY_USAGE = `usage: rtio-hil replay FILE [--board ID] [options]

Submits the programs recorded in FILE ("rtio-hil record") on board ID (default: emulator), each
recorded session on a freshly opened target with the recorded seed, every host action at its
recorded time on the target's clock and after the completions the recording saw before it.
Compares every completion (result, flags, bytes read) with the recording and stops at the
first difference, naming the iodev, the op, both values and the test it came from.

options:
  --board ID          the target to replay on; default emulator
  --time-driven LIST  iodevs (comma-separated) whose data and byte counts depend on when they
                      are read (time-stamped FIFOs, periodic conversions, event timestamps):
                      only their outcomes are compared, and their streams' shots are not counted
  --wait-ms N         how long to wait for one recorded completion, in ms of the target's
                      clock; default ${REPLAY_WAIT_MS}
  --json              print the report as one JSON object
  --help              this text

exit status: 0 every completion matched; 1 a completion differed; 2 a usage error or an
unreadable recording; 3 the target could not be opened.`;

/** Runs `rtio-hil replay`; resolves the exit status. */
export async function runReplay(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    board: { type: 'string' }, 'time-driven': { type: 'string', multiple: true }, 'wait-ms': { type: 'string' },
    json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  }, REPLAY_USAGE);
  if (values.help === true) {
    console.log(REPLAY_USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('name one recording: rtio-hil replay FILE', REPLAY_USAGE);
  const file = positionals[0]!;
  const board = values.board ?? 'emulator';
  loadBoard(board, boardDirs());
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the recording ${file}: ${(e as Error).message}`, REPLAY_USAGE);
  }
  let lines: RecordingLine[];
  try {
    lines = parseRecording(text, file);
  } catch (e) {
    if (e instanceof RecordingFormatError) throw new UsageError(e.message, REPLAY_USAGE);
    throw e;
  }

  const timeDriven = (values['time-driven'] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  const waitMs = intOption('wait-ms', values['wait-ms'], REPLAY_WAIT_MS, REPLAY_USAGE);
  const report = await replay(lines, { open: (s) => openTarget(board, { seed: s.seed }), timeDriven, waitMs });
  const code = report.mismatch === null ? EXIT.ok : EXIT.failed;
  if (values.json === true) {
    console.log(JSON.stringify({ exitStatus: code, file, board, ...report }, null, 2));
  } else if (report.mismatch === null) {
    console.log(`rtio-hil replay: ${file} on ${board}: all ${report.matched} completions of ${report.submits} submits in ${report.sessions} session${report.sessions === 1 ? '' : 's'} match`);
  } else {
    console.log(`rtio-hil replay: ${file} on ${board}: MISMATCH after ${report.matched} matching completions`);
    console.log(`  ${report.mismatch.message}`);
  }
  return code;
}
