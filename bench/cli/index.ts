/**
 * CLI start-up benchmark: the wall time of `rtio-hil --help` and of the default run
 * (`rtio-hil test`: rtio-hil's compiled suites on the emulator), each in a process of its own,
 * against `node -e 0` (a bare Node.js start) and against the tests' own run time (what the
 * reporter measured from its first to its last event), all in the same run. The variants are
 * interleaved, the order rotating each round, and repeated.
 * Run: npm run build && npm run bench:cli [-- --rounds N]. Prints figures, then one JSON line.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RTIO_HIL_BIN, REPO_ROOT } from '../../harness/cli/run-cli';
import { fmtStats, stats } from '../rounds';
import type { Stats } from '../rounds';

/** Rounds by default: each runs every variant once. */
const DEFAULT_ROUNDS = 10;

/** One timed process: its wall time and, for a test run, the tests' own time. */
interface Sample {
  readonly wallMs: number;
  readonly testsMs: number | null;
}

interface Variant {
  readonly name: string;
  readonly args: readonly string[];
  readonly testsMs?: (stdout: string) => number;
}

const VARIANTS: readonly Variant[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'rtio-hil --help', args: [RTIO_HIL_BIN, '--help'] },
  {
    name: 'rtio-hil test',
    args: [RTIO_HIL_BIN, 'test', '--json'],
    testsMs: (stdout) => (JSON.parse(stdout) as { boards: { durationMs: number }[] }).boards[0]!.durationMs,
  },
];

function once(v: Variant): Promise<Sample> {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0' };
  for (const k of ['RTIO_BOARD', 'RTIO_BOARDS_DIR', 'RTIO_HIL_JUNIT']) delete env[k];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...v.args], { cwd: join(REPO_ROOT, '..'), env, maxBuffer: 64 << 20 }, (err, stdout) => {
      const wallMs = performance.now() - t0;
      if (err !== null) {
        reject(new Error(`${v.name} failed: ${err.message}`));
        return;
      }
      resolve({ wallMs, testsMs: v.testsMs === undefined ? null : v.testsMs(stdout) });
    });
  });
}

const fmt = (s: Stats, unit = ' ms', digits = 0): string => fmtStats(s, unit, digits);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string' } } });
  const rounds = values.rounds === undefined ? DEFAULT_ROUNDS : Number(values.rounds);
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new RangeError(`"--rounds" must be an integer >= 1, got ${values.rounds}`);
  const samples = new Map<string, Sample[]>(VARIANTS.map((v) => [v.name, []]));
  await once(VARIANTS[2]!); // warm the file cache; not counted
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < VARIANTS.length; i++) {
      const v = VARIANTS[(round + i) % VARIANTS.length]!;
      samples.get(v.name)!.push(await once(v));
    }
    process.stderr.write(`round ${round + 1}/${rounds}\n`);
  }
  const wall = (name: string): number[] => samples.get(name)!.map((s) => s.wallMs);
  const node = stats(wall('node -e 0'));
  const help = stats(wall('rtio-hil --help'));
  const run = stats(wall('rtio-hil test'));
  const runs = samples.get('rtio-hil test')!;
  const tests = stats(runs.map((s) => s.testsMs!));
  // Ratios paired within a round (same machine state), then summarised.
  const helpVsNode = stats(wall('rtio-hil --help').map((w, i) => w / wall('node -e 0')[i]!));
  const runVsNode = stats(wall('rtio-hil test').map((w, i) => w / wall('node -e 0')[i]!));
  const runVsTests = stats(runs.map((s) => s.wallMs / s.testsMs!));
  const overhead = stats(runs.map((s) => s.wallMs - s.testsMs!));
  console.log(`${rounds} rounds, each variant in its own process, interleaved`);
  console.log(`node -e 0                   ${fmt(node)}`);
  console.log(`rtio-hil --help             ${fmt(help)}   (x node -e 0: ${fmt(helpVsNode, '', 2)})`);
  console.log(`rtio-hil test (emulator)    ${fmt(run)}   (x node -e 0: ${fmt(runVsNode, '', 2)})`);
  console.log(`  its tests' own run time   ${fmt(tests)}`);
  console.log(`  wall / tests' time        ${fmt(runVsTests, '', 2)}; start-up and report around the tests: ${fmt(overhead)}`);
  console.log(JSON.stringify({
    bench: 'cli', rounds,
    nodeMs: node, helpMs: help, testRunMs: run, testsOwnMs: tests,
    helpVsNode, testRunVsNode: runVsNode, testRunVsTests: runVsTests, testRunOverheadMs: overhead,
  }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
