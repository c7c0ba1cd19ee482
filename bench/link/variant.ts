/**
 * One process of bench/link (index.ts starts it): runs one measurement and prints its figures as
 * one JSON line.
 *
 *   node -r ts-node/register/transpile-only bench/link/variant.ts rtio|echo|echo-loop|floor --board <board> [--read-len N] [--turns]
 *
 * - rtio: rtio-hil on the board's agent (measure.ts, measureRtio);
 * - echo: serialport's own stream (a threadpool round trip per read and write) on the board's
 *   echo peer, frames of the sizes `--read-len` gives (measureEcho);
 * - echo-loop: the same on the event-loop path rtio-hil's serial transport takes;
 * - floor: C round trips (build/firmware-stubs/rtio-pty-ping) on the echo peer: the physical floor.
 *
 * With --turns (rtio, echo, echo-loop) it measures only in its turns (../turns.ts): it prints
 * `turn` on stdout when ready for the next one and waits for a line on stdin; rtio first prints
 * `shapes <json>` with the frame sizes its agent allows. The last line is the figures, as without.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { PACKAGE_ROOT } from '../../harness/package-root';
import { buildNativeAgent } from '../../harness/remote';
import { NO_TURNS, stdinTurns } from '../turns';
import { RTT_SAMPLES, measureEcho, measureRtio } from './measure';
import { startEcho } from './targets';
import { wireShapes } from './wire-shapes';

/** The C round-trip program `make -C firmware-stubs posix` builds next to the native agent. */
const PTY_PING = join(PACKAGE_ROOT, 'build', 'firmware-stubs', 'rtio-pty-ping');

/** What the floor variant prints: C round trips of a frame the size of a NOP's Submit, µs. */
export interface FloorFigures {
  readonly rttP50Us: number;
  readonly rttMinUs: number;
}

async function measureFloor(board: string, frameBytes: number): Promise<FloorFigures> {
  await buildNativeAgent(); // builds rtio-pty-ping too
  const echo = await startEcho(board);
  try {
    const { stdout } = await promisify(execFile)(PTY_PING, [echo.path, String(frameBytes), String(RTT_SAMPLES)]);
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as { medianUs: number; minUs: number };
    return { rttP50Us: out.medianUs, rttMinUs: out.minUs };
  } finally {
    await echo.stop();
  }
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { board: { type: 'string', default: 'native' }, 'read-len': { type: 'string', default: '512' }, turns: { type: 'boolean', default: false } },
  });
  const variant = positionals[0];
  const shapes = wireShapes(Number(values['read-len']));
  const turn = values.turns ? stdinTurns() : NO_TURNS;
  let figures: object;
  if (variant === 'rtio') figures = await measureRtio(values.board, turn, (s) => process.stdout.write(`shapes ${JSON.stringify(s)}\n`));
  else if (variant === 'echo') figures = await measureEcho(values.board, shapes, 'threadpool', turn);
  else if (variant === 'echo-loop') figures = await measureEcho(values.board, shapes, 'event-loop', turn);
  else if (variant === 'floor') figures = await measureFloor(values.board, shapes.nopSubmitBytes);
  else throw new RangeError(`variant must be rtio, echo, echo-loop or floor; got ${String(variant)}`);
  console.log(JSON.stringify(figures));
  if (values.turns) process.stdin.destroy(); // the turns' reader would keep the process alive
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
