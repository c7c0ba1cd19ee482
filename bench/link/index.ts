/**
 * Link benchmark: rtio-hil over a real serial path against serialport on a raw echo of frames of
 * the same sizes on the same kind of pty, and C round trips on that pty as the physical floor.
 *
 *   npm run bench:link -- [--board native|qemu-lm3s6965evb|qemu-mps2-an385] [--rounds 5]
 *
 * Each variant runs in a process of its own (variant.ts). In each round rtio-hil and the two
 * serialport echoes are set up and warmed up side by side, then measure in turns (turns.ts): their
 * round trips, then their bulk runs, in alternating blocks (rtio's pipelined run in a turn of its
 * own between them), one process measuring while the others wait idle, so a burst of load weighs
 * on each alike; the C floor runs after them. The order of the turns alternates from round to round; a ratio is taken within its
 * round. Prints each figure's min/median/max over the rounds and the ratios per round; the last
 * line is one JSON object.
 *
 * The baseline is serialport's own stream (each read and write a round trip through libuv's
 * threadpool), as a user would echo by hand; the same echo on the event-loop path that
 * rtio-hil's serial transport takes is printed beside it, like for like.
 *
 * Like for like: the NOP round trip is compared with the echo of a frame as long as a NOP's Submit;
 * bulk (reads of 512 B, 8 in flight, each refilled as it completes) with requests as long as a
 * read's Submit answered by frames as long as its Complete (firmware-stubs/core/echo.h), so both
 * move the same bytes on the wire in each direction: data out of the agent, or out of the guest
 * under QEMU (the echo image of the same port).
 */
import { plotLinkBench } from '../../harness/plot/benches';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { EchoFigures, RtioFigures } from './measure';
import { BULK_READ_BYTES, IN_FLIGHT, NOP_DEPTH } from './measure';
import type { FloorFigures } from './variant';
import { TurnTaker, takeTurns } from '../turns';
import type { WireShapes } from './wire-shapes';

/** Targets of issue 16 on the native agent. */
const TARGETS = { rttRatio: 1.1, pipelinedNopsPerSec: 300_000, bulkRatio: 0.85 };
/** Rounds run unless --rounds says otherwise. */
const DEFAULT_ROUNDS = 5;

type Variant = 'rtio' | 'echo' | 'echo-loop' | 'floor';
/** The variants that measure in turns. */
type TurnVariant = Exclude<Variant, 'floor'>;
type Figures = { rtio: RtioFigures; echo: EchoFigures; 'echo-loop': EchoFigures; floor: FloorFigures };

/** Progress lines on stderr, so the last stdout line stays the JSON. */
function progress(what: string): void {
  process.stderr.write(`bench:link: ${what}\n`);
}

/** node's arguments that run `variant` (variant.ts) for `board`, shaping bulk by `readLen`. */
function variantArgs(variant: Variant, board: string, readLen: number, turns: boolean): string[] {
  const args = ['-r', 'ts-node/register/transpile-only', join(__dirname, 'variant.ts'), variant, '--board', board, '--read-len', String(readLen)];
  return turns ? [...args, '--turns'] : args;
}

/** Runs one variant in a process of its own and returns the JSON it printed last. */
async function runVariant<V extends Variant>(variant: V, board: string, readLen: number): Promise<Figures[V]> {
  const { stdout } = await promisify(execFile)(process.execPath, variantArgs(variant, board, readLen, false), { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Figures[V];
}

/**
 * rtio, echo and echo-loop of one round, measuring in turns in `order`: rtio is started first, and
 * the echoes once it has said which read length its agent allows.
 */
async function runInTurns(board: string, order: readonly TurnVariant[]): Promise<Pick<Figures, TurnVariant>> {
  const rtio = new TurnTaker('rtio', variantArgs('rtio', board, BULK_READ_BYTES, true));
  await rtio.asked();
  const readLen = (rtio.shapes as WireShapes | undefined)?.readLen ?? BULK_READ_BYTES;
  const takers = new Map<TurnVariant, TurnTaker>([['rtio', rtio]]);
  for (const v of ['echo', 'echo-loop'] as const) takers.set(v, new TurnTaker(v, variantArgs(v, board, readLen, true)));
  await takeTurns(order.map((v) => takers.get(v)!));
  return { rtio: rtio.result(), echo: takers.get('echo')!.result(), 'echo-loop': takers.get('echo-loop')!.result() };
}

/** min, median and max of `xs`. */
function spread(xs: readonly number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor((s.length - 1) / 2)]!, max: s[s.length - 1]! };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function line(name: string, xs: readonly number[], unit: string, digits = 0): string {
  const { min, median, max } = spread(xs);
  const f = (x: number): string => x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return `${name}: min ${f(min)}${unit}, median ${f(median)}${unit}, max ${f(max)}${unit}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { board: { type: 'string', default: 'native' }, rounds: { type: 'string', default: String(DEFAULT_ROUNDS) } } });
  const board = values.board;
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`--rounds must be a positive integer; got ${values.rounds}`);
  const results: Figures[] = [];
  for (let round = 0; round < rounds; round++) {
    const order: TurnVariant[] = round % 2 === 0 ? ['rtio', 'echo', 'echo-loop'] : ['echo-loop', 'echo', 'rtio'];
    progress(`round ${round + 1}/${rounds}: ${order.join(', ')} in turns`);
    const inTurns = await runInTurns(board, order);
    progress(`round ${round + 1}/${rounds}: floor`);
    const floor = await runVariant('floor', board, inTurns.rtio.shapes.readLen);
    results.push({ ...inTurns, floor });
  }
  const rtio = results.map((r) => r.rtio);
  const echo = results.map((r) => r.echo);
  const loop = results.map((r) => r['echo-loop']);
  const floor = results.map((r) => r.floor);
  const rttRatios = results.map((r) => round2(r.rtio.rttP50Us / r.echo.rttP50Us));
  const loopRttRatios = results.map((r) => round2(r.rtio.rttP50Us / r['echo-loop'].rttP50Us));
  const floorRatios = results.map((r) => round2(r.rtio.rttP50Us / r.floor.rttP50Us));
  const bulkRatios = results.map((r) => round2(r.rtio.bulkReadsPerSec / r.echo.bulkRepliesPerSec));
  const loopBulkRatios = results.map((r) => round2(r.rtio.bulkReadsPerSec / r['echo-loop'].bulkRepliesPerSec));
  const shapes = rtio[0]!.shapes;
  console.log(`board ${board}: ${rtio[0]!.buildId}; ${rounds} rounds, each variant in a process of its own`);
  console.log(`frames: NOP Submit ${shapes.nopSubmitBytes} B, its Complete ${shapes.nopCompleteBytes} B; read Submit ${shapes.readSubmitBytes} B, its Complete ${shapes.readCompleteBytes} B (${shapes.readLen} B of data)`);
  console.log(line(`C round trip of a ${shapes.nopSubmitBytes}-byte frame on the pty (physical floor)`, floor.map((f) => f.rttP50Us), ' µs', 1));
  console.log(line(`serialport echo of a ${shapes.nopSubmitBytes}-byte frame (its own stream)`, echo.map((e) => e.rttP50Us), ' µs', 1));
  console.log(line(`serialport echo of a ${shapes.nopSubmitBytes}-byte frame (event-loop path, rtio-hil's transport)`, loop.map((e) => e.rttP50Us), ' µs', 1));
  console.log(line('NOP SQE -> CQE round trip, p50', rtio.map((r) => r.rttP50Us), ' µs', 1));
  console.log(line('NOP SQE -> CQE round trip, p99', rtio.map((r) => r.rttP99Us), ' µs', 1));
  console.log(`  ratio to serialport's echo per round: ${rttRatios.join(', ')} (target <= ${TARGETS.rttRatio}); to the event-loop echo: ${loopRttRatios.join(', ')}; to the C floor: ${floorRatios.join(', ')}`);
  console.log(line(`pipelined NOPs, ${NOP_DEPTH} in flight`, rtio.map((r) => r.pipelinedNopsPerSec), ' /s') + ` (target >= ${TARGETS.pipelinedNopsPerSec.toLocaleString('en')})`);
  console.log(line(`bulk ${shapes.readLen}-byte reads, ${IN_FLIGHT} in flight, continuous refill`, rtio.map((r) => r.bulkReadsPerSec), ' /s'));
  console.log(line(`serialport echo of ${shapes.readSubmitBytes}-byte requests with ${shapes.readCompleteBytes}-byte replies, ${IN_FLIGHT} in flight (its own stream)`, echo.map((e) => e.bulkRepliesPerSec), ' /s'));
  console.log(line('  the same on the event-loop path', loop.map((e) => e.bulkRepliesPerSec), ' /s'));
  console.log(`  bulk ratio per round: ${bulkRatios.join(', ')} (target >= ${TARGETS.bulkRatio}); to the event-loop echo: ${loopBulkRatios.join(', ')}`);
  console.log(line('host CPU per NOP round trip', rtio.map((r) => r.hostCpuUsPerRtt), ' µs', 1));
  console.log(line('host CPU per pipelined NOP', rtio.map((r) => r.hostCpuUsPerNop), ' µs', 1) + '; ' + line('per bulk read', rtio.map((r) => r.hostCpuUsPerRead), ' µs', 1));
  const byP50 = [...rtio].sort((a, b) => a.rttP50Us - b.rttP50Us);
  const median = (xs: readonly number[]): number => spread(xs).median;
  for (const file of plotLinkBench({
    board,
    nopRttsUs: byP50[Math.floor(byP50.length / 2)]!.rttsUs,
    echoRttUs: median(echo.map((e) => e.rttP50Us)),
    pipelinedNopPerSec: median(rtio.map((r) => r.pipelinedNopsPerSec)),
    pipelinedTarget: TARGETS.pipelinedNopsPerSec,
    bulkReadsPerSec: median(rtio.map((r) => r.bulkReadsPerSec)),
    echoRepliesPerSec: median(echo.map((e) => e.bulkRepliesPerSec)),
    bulkTargetRatio: TARGETS.bulkRatio,
  })) console.log(`plot: ${file}`);
  const s = (xs: readonly number[], digits = 2): { min: number; median: number; max: number } => {
    const { min, median, max } = spread(xs);
    const r = (x: number): number => Number(x.toFixed(digits));
    return { min: r(min), median: r(median), max: r(max) };
  };
  console.log(JSON.stringify({
    board, rounds, shapes,
    floorRttUs: s(floor.map((f) => f.rttP50Us), 1), echoRttUs: s(echo.map((e) => e.rttP50Us), 1), loopEchoRttUs: s(loop.map((e) => e.rttP50Us), 1),
    nopRttP50Us: s(rtio.map((r) => r.rttP50Us), 1), nopRttP99Us: s(rtio.map((r) => r.rttP99Us), 1),
    rttRatio: s(rttRatios), rttToLoopEcho: s(loopRttRatios), rttToFloor: s(floorRatios),
    pipelinedNopsPerSec: s(rtio.map((r) => r.pipelinedNopsPerSec), 0),
    bulkReadsPerSec: s(rtio.map((r) => r.bulkReadsPerSec), 0), echoBulkRepliesPerSec: s(echo.map((e) => e.bulkRepliesPerSec), 0),
    loopEchoBulkRepliesPerSec: s(loop.map((e) => e.bulkRepliesPerSec), 0),
    bulkWireBytesPerSec: s(rtio.map((r) => r.bulkWireBytesPerSec), 0), echoBulkWireBytesPerSec: s(echo.map((e) => e.bulkWireBytesPerSec), 0),
    bulkRatio: s(bulkRatios), bulkToLoopEcho: s(loopBulkRatios),
    hostCpuUsPerRtt: s(rtio.map((r) => r.hostCpuUsPerRtt), 1), hostCpuUsPerNop: s(rtio.map((r) => r.hostCpuUsPerNop), 1), hostCpuUsPerRead: s(rtio.map((r) => r.hostCpuUsPerRead), 1),
    perRound: { rttRatio: rttRatios, rttToLoopEcho: loopRttRatios, rttToFloor: floorRatios, bulkRatio: bulkRatios, bulkToLoopEcho: loopBulkRatios },
    targets: TARGETS,
  }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
