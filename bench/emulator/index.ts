/**
 * Emulator benchmark: RTIO throughput through the public API against a naive
 * promise-per-transfer baseline on the same device models. Every workload (workloads.ts) runs in
 * a process of its own; the processes are interleaved, their order rotating each round, and the
 * rounds repeated; each figure prints as min/median/max over the rounds, and the RTIO/naive ratio
 * is taken within each round before it is summarised. The pairs and naive processes of a round
 * measure in turns (../turns.ts), in alternating blocks, so that a slow spell of the machine falls
 * on both. Rates are per CPU-second, so two busy cores elsewhere on the machine still leave
 * meaningful ratios.
 * Run: npm run bench:emulator [-- --rounds N --ms MS]. Prints figures, then one JSON line.
 */
import { plotEmulatorBench } from '../../harness/plot/benches';
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fmtStats, stats } from '../rounds';
import { TurnTaker, stdinTurns, takeTurns } from '../turns';
import type { Stats } from '../rounds';
import { INFLIGHT, NOP_BATCH, PAIR_BATCH, TURN_BLOCKS, WORKLOADS } from './workloads';
import type { Figures } from './workloads';

/** Rounds by default: each runs every workload once. */
const DEFAULT_ROUNDS = 5;
/** Wall ms each rate is measured for, by default (after the warm-up). */
const DEFAULT_MS = 1000;
/** Targets of issue 16: chained pairs vs naive, NOPs per CPU-second, heap bytes per in-flight SQE. */
const TARGET_PAIRS_VS_NAIVE = 1.3;
const TARGET_NOP_PER_CPU_SEC = 15_000_000;
const TARGET_BYTES_PER_SQE = 432;

/** The arguments that run workload `name` in a new process (with this one's Node flags, so ts-node or built JS alike). */
function childArgs(name: string, ms: number): string[] {
  return [...process.execArgv, __filename, '--child', name, '--ms', String(ms)];
}

/** The workloads whose ratio is the target: measured in turns, in processes alive side by side. */
const IN_TURNS = ['pairs', 'naive'] as const;

/** Runs the {@link IN_TURNS} workloads in turns, `first` taking the first turn; their figures by name. */
async function inTurns(ms: number, first: number): Promise<Record<string, Figures>> {
  const takers = IN_TURNS.map((name) => new TurnTaker(name, [...childArgs(name, ms), '--turns']));
  await takeTurns(first === 0 ? takers : [...takers].reverse());
  return Object.fromEntries(takers.map((t) => [t.name, t.result<Figures>()]));
}

/** Runs workload `name` in a new process; its figures. */
function inChild(name: string, ms: number): Promise<Figures> {
  const args = childArgs(name, ms);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err !== null) {
        reject(new Error(`workload ${name} failed: ${err.message}\n${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Figures);
    });
  });
}

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`"--${name}" must be an integer >= 1, got ${v}`);
  return n;
}

const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string' }, ms: { type: 'string' }, child: { type: 'string' }, turns: { type: 'boolean', default: false } },
  });
  const ms = positiveInt('ms', values.ms, DEFAULT_MS);
  if (values.child !== undefined) {
    const workload = WORKLOADS[values.child];
    if (workload === undefined) throw new RangeError(`unknown workload "${values.child}"`);
    console.log(JSON.stringify(await workload(ms, values.turns ? stdinTurns() : null)));
    if (values.turns) process.stdin.destroy(); // the turns' reader would keep the process alive
    return;
  }
  const rounds = positiveInt('rounds', values.rounds, DEFAULT_ROUNDS);
  const names = Object.keys(WORKLOADS);
  const runs: Record<string, Figures[]> = Object.fromEntries(names.map((n) => [n, []]));
  // One unit of a round is the pair measured in turns, each other one a workload on its own.
  const units = [null, ...names.filter((n) => !(IN_TURNS as readonly string[]).includes(n))];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < units.length; i++) {
      const unit = units[(round + i) % units.length]!;
      if (unit !== null) {
        runs[unit]!.push(await inChild(unit, ms));
        continue;
      }
      const figures = await inTurns(ms, round % 2);
      for (const name of IN_TURNS) runs[name]!.push(figures[name]!);
    }
    process.stderr.write(`round ${round + 1}/${rounds}\n`);
  }
  const figure = (name: string, key: string): number[] => runs[name]!.map((f) => f[key]!);
  const naive = figure('naive', 'naivePairsPerCpuSec');
  const pairs = figure('pairs', 'pairsPerCpuSec');
  const ratio = stats(pairs.map((p, i) => p / naive[i]!));
  const nop = stats(figure('nop', 'nopPerCpuSec'));
  const bytes = stats(figure('heap', 'bytesPerInflightSqe'));
  const delayWall = stats(figure('delay', 'delayWallMs'));
  const s = (xs: number[]): Stats => stats(xs);
  console.log(`${rounds} rounds, each workload in its own process, interleaved, pairs and naive in turns of ${TURN_BLOCKS} blocks; rates per CPU-second over ${ms} ms after a warm-up`);
  console.log(`RTIO chained I2C pointer write + 2-byte read on temp0, ${PAIR_BATCH} chains per submit: ${fmtStats(s(pairs), ' pairs/s')}`);
  console.log(`naive, one awaited promise per transfer on the same models:          ${fmtStats(s(naive), ' pairs/s')}`);
  console.log(`RTIO / naive, per round: ${fmtStats(ratio, 'x', 2)} (target >= ${TARGET_PAIRS_VS_NAIVE}x: ${met(ratio.median >= TARGET_PAIRS_VS_NAIVE)})`);
  console.log(`NOP SQE->CQE through the public API, batch ${NOP_BATCH}: ${fmtStats(nop, ' /s')} (target >= ${TARGET_NOP_PER_CPU_SEC.toLocaleString('en')}: ${met(nop.median >= TARGET_NOP_PER_CPU_SEC)})`);
  console.log(`heap per in-flight SQE (SQE and CQE pools included, ${INFLIGHT.toLocaleString('en')} in flight): ${fmtStats(bytes, ' B')} (target <= ${TARGET_BYTES_PER_SQE}: ${met(bytes.median <= TARGET_BYTES_PER_SQE)})`);
  console.log(`a 10 ms device delay: ${figure('delay', 'delayVirtualMs')[0]} ms virtual, ${fmtStats(delayWall, ' ms', 3)} wall`);
  for (const file of plotEmulatorBench({
    nopPerCpuSec: nop.median, nopTarget: TARGET_NOP_PER_CPU_SEC,
    pairsPerCpuSec: s(pairs).median, naivePairsPerCpuSec: s(naive).median, pairsTargetVsNaive: TARGET_PAIRS_VS_NAIVE,
  })) console.log(`plot: ${file}`);
  console.log(JSON.stringify({
    bench: 'emulator', rounds, ms,
    pairsPerCpuSec: s(pairs), naivePairsPerCpuSec: s(naive), pairsVsNaive: ratio,
    nopPerCpuSec: nop, bytesPerInflightSqe: bytes, delayWallMs: delayWall,
    targetsMet: {
      pairsVsNaive: ratio.median >= TARGET_PAIRS_VS_NAIVE,
      nopPerCpuSec: nop.median >= TARGET_NOP_PER_CPU_SEC,
      bytesPerInflightSqe: bytes.median <= TARGET_BYTES_PER_SQE,
    },
  }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
