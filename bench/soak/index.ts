/**
 * Soak bench: the link under a bad cable. A fault-injecting relay (bench/soak/relay.ts) sits
 * between the host and the agent; a mixed workload (bench/soak/workload.ts) keeps 48 SQEs in
 * flight under each condition in turn, all in this process: clean, 1 % of frames dropped, 1e-3
 * of bytes with a flipped bit, both, 5 % + 1e-3; then a stall and a reset. It prints ops/s per
 * condition as a ratio to the clean run, and the lost, duplicated, wrong and late completions;
 * the last line is one JSON object.
 *
 *   npm run bench:soak -- [--board native|qemu-lm3s6965evb] [--seconds 20] [--seed 1]
 *     [--condition NAME]... [--clean-seconds N]   (a long soak of one condition: --condition '1% drop + 1e-3 flip' --seconds 1800 --clean-seconds 60)
 */
import { plotSoakBench } from '../../harness/plot/benches';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadBoard } from '../../harness/boards/load-boards';
import { boardRemoteOptions } from '../../harness/boards/open-target';
import { QEMU_FIRMWARE, startQemu } from '../../harness/qemu';
import {
  NATIVE_AGENT_BINARY, REMOTE_DEADLINE_ALLOWANCE_MS, buildNativeAgent, openSerialRemote, startAgentProcess,
} from '../../harness/remote';
import type { Target } from '../../harness/target/target';
import { FaultRelay } from './relay';
import type { RelayFaults } from './relay';
import { runWorkload } from './workload';
import type { SoakCounts } from './workload';

/** One condition of the soak. */
export interface SoakCondition {
  readonly name: string;
  readonly faults: RelayFaults;
  /** Act on the relay while the workload runs (a stall, a reset); `markReset` times a reset's effect. */
  readonly during?: (relay: FaultRelay, elapsedMs: number, markReset: () => void) => void;
}

/** What one condition gave. */
export interface SoakResult extends SoakCounts {
  readonly condition: string;
  readonly opsPerSecond: number;
  /** The longest the host's event loop was kept from running during the condition, ms: a late completion next to a long lag is the machine's, not the link's. */
  readonly loopLagMaxMs: number;
  readonly relay: FaultRelay['stats'];
}

/** Every `periodMs`, from the first period on, calls `act` once. */
function every(periodMs: number, act: (relay: FaultRelay, markReset: () => void) => void): NonNullable<SoakCondition['during']> {
  let next = periodMs;
  return (relay, ms, markReset) => {
    if (ms < next) return;
    next += periodMs;
    act(relay, markReset);
  };
}

/** Issue 10's floors: throughput as a fraction of the clean run. */
const SOAK_TARGETS: Readonly<Record<string, number>> = { '1% drop + 1e-3 flip': 0.5, '5% drop + 1e-3 flip': 0.25 };

/** The conditions of the issue's table, then a stall and a reset. */
export const SOAK_CONDITIONS: readonly SoakCondition[] = [
  { name: 'clean', faults: { dropRate: 0, flipRate: 0 } },
  { name: '1% drop', faults: { dropRate: 0.01, flipRate: 0 } },
  { name: '1e-3 flip', faults: { dropRate: 0, flipRate: 1e-3 } },
  { name: '1% drop + 1e-3 flip', faults: { dropRate: 0.01, flipRate: 1e-3 } },
  { name: '5% drop + 1e-3 flip', faults: { dropRate: 0.05, flipRate: 1e-3 } },
  { name: 'stall 500 ms every 3 s', faults: { dropRate: 0, flipRate: 0 }, during: every(3000, (relay) => relay.stall(500)) },
  {
    name: 'reset every 3 s', faults: { dropRate: 0, flipRate: 0 },
    during: every(3000, (relay, markReset) => {
      markReset();
      relay.resetAgent();
    }),
  },
];

/** Starts the board's agent (native process or QEMU) and returns its pty and how to stop it. */
async function startAgent(board: string): Promise<{ path: string; stop(): Promise<void> }> {
  if (board === 'native') {
    await buildNativeAgent();
    return startAgentProcess(NATIVE_AGENT_BINARY, ['--seed', '1']);
  }
  const q = QEMU_FIRMWARE[board.slice('qemu-'.length)];
  if (q === undefined) throw new RangeError(`--board must be native or a QEMU board with firmware here; got "${board}"`);
  return startQemu({ machine: q.machine, image: q.agentImage, build: q.makeTarget });
}

/** Runs one condition on a fresh agent behind a fresh relay. */
export async function soakCondition(board: string, cond: SoakCondition, seconds: number, seed: number): Promise<SoakResult> {
  const settings = boardRemoteOptions(loadBoard(board));
  const allowance = settings.deadlineAllowanceMs ?? REMOTE_DEADLINE_ALLOWANCE_MS;
  const agent = await startAgent(board);
  const relay = await FaultRelay.start(agent.path, { dropRate: 0, flipRate: 0 }, seed);
  const open = async (): Promise<Target> => {
    const { target } = await openSerialRemote(board, relay.hostPath, { link: settings.link ?? {}, deadlineAllowanceMs: allowance });
    relay.faults = cond.faults;
    return target;
  };
  const stats = { ...relay.stats };
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  try {
    const counts = await runWorkload({
      seconds, seed, allowanceMs: allowance,
      open: async () => {
        relay.faults = { dropRate: 0, flipRate: 0 };
        return open();
      },
      during: (ms, markReset) => cond.during?.(relay, ms, markReset),
    });
    Object.assign(stats, relay.stats);
    lag.disable();
    return { ...counts, condition: cond.name, opsPerSecond: counts.ops / counts.seconds, relay: stats, loopLagMaxMs: lag.max / 1e6 };
  } finally {
    await relay.close();
    await agent.stop();
  }
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      board: { type: 'string', default: 'native' },
      seconds: { type: 'string', default: '20' },
      seed: { type: 'string', default: '1' },
      // Run only the conditions named (repeatable; the clean run always comes first, as the ratios' baseline).
      condition: { type: 'string', multiple: true },
      // How long the clean baseline runs (default: --seconds).
      'clean-seconds': { type: 'string' },
    },
  });
  const only = values.condition ?? [];
  const unknown = only.filter((name) => !SOAK_CONDITIONS.some((c) => c.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown --condition ${unknown.map((n) => JSON.stringify(n)).join(', ')}; the conditions are ${SOAK_CONDITIONS.map((c) => JSON.stringify(c.name)).join(', ')}`);
  }
  const conditions = only.length === 0 ? SOAK_CONDITIONS : SOAK_CONDITIONS.filter((c) => c.name === 'clean' || only.includes(c.name));
  const seconds = Number(values.seconds);
  const seed = Number(values.seed);
  const results: SoakResult[] = [];
  for (const cond of conditions) {
    const s = cond.name === 'clean' && values['clean-seconds'] !== undefined ? Number(values['clean-seconds']) : seconds;
    console.error(`soak: ${values.board}, ${cond.name}, ${s} s ...`);
    results.push(await soakCondition(values.board, cond, s, seed));
  }
  const clean = results[0]!.opsPerSecond;
  console.log(`soak on ${values.board}, ${seconds} s per condition${values['clean-seconds'] !== undefined ? ` (clean: ${values['clean-seconds']} s)` : ''}, 48 SQEs in flight, seed ${seed}`);
  console.log('condition                 ops/s   vs clean   lost dup wrong late (max ms)  loop lag max  sessions lost  reset -> SQEs ended');
  for (const r of results) {
    const ended = r.resetToEndMs.length === 0 ? '' : `max ${Math.max(...r.resetToEndMs).toFixed(0)} ms of ${r.resetToEndMs.length}`;
    console.log(`${r.condition.padEnd(24)} ${r.opsPerSecond.toFixed(0).padStart(6)}   ${pct(r.opsPerSecond / clean).padStart(8)}   ` +
      `${String(r.lost).padStart(4)} ${String(r.duplicated).padStart(3)} ${String(r.wrong).padStart(5)} ${String(r.late).padStart(4)} ${`(${r.maxLateMs.toFixed(0)})`.padStart(8)}  ${`${r.loopLagMaxMs.toFixed(0)} ms`.padStart(12)}  ` +
      `${String(r.sessionsLost).padStart(13)}  ${ended}`);
  }
  for (const file of plotSoakBench(values.board, results.map((r) => ({
    condition: r.condition, ratioToClean: r.opsPerSecond / clean, ...(SOAK_TARGETS[r.condition] === undefined ? {} : { target: SOAK_TARGETS[r.condition] }),
  })))) console.log(`plot: ${file}`);
  console.log(JSON.stringify({
    soak: {
      board: values.board, seconds, seed,
      conditions: results.map((r) => ({
        condition: r.condition, opsPerSecond: Math.round(r.opsPerSecond), ratioToClean: Number((r.opsPerSecond / clean).toFixed(3)),
        lost: r.lost, duplicated: r.duplicated, wrong: r.wrong, late: r.late, maxLateMs: Math.round(r.maxLateMs), loopLagMaxMs: Math.round(r.loopLagMaxMs), sessionsLost: r.sessionsLost,
        framesDropped: r.relay.framesDropped, bytesFlipped: r.relay.bytesFlipped, stalls: r.relay.stalls, resets: r.relay.resets,
        resetToEndMaxMs: r.resetToEndMs.length === 0 ? null : Math.round(Math.max(...r.resetToEndMs)),
      })),
    },
  }));
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : String(e));
    process.exitCode = 1;
  });
}
