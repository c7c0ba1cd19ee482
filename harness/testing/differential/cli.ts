/**
 * @file `npm run differential -- --seeds 1-5000 --board native [--board …] [--no-shrink]`: runs
 * the programs of those seeds on each board and on the reference, prints progress, the first
 * mismatch of each board shrunk to a test one can paste, and as its last line one JSON object.
 * Exits 1 when any board disagreed, 2 on bad arguments or a board that cannot open.
 */
import { parseArgs } from 'node:util';
import { openTarget } from '../../boards/open-target';
import { DifferentialSession } from './session';
import type { ShrunkFailure } from './session';

interface BoardSummary {
  board: string;
  seeds: number;
  passed: number;
  failedSeed: number | null;
  seconds: number;
}

/** Parses `"1-5000"` or `"42"` into the seeds it names. Throws `RangeError` naming the text. */
export function parseSeeds(text: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (m === null) throw new RangeError(`--seeds must be N or A-B, got "${text}"`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (b < a) throw new RangeError(`--seeds ${text}: the range is empty`);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** Prints a shrunk failure for people. */
export function describeFailure(board: string, f: ShrunkFailure): string {
  const lines = [
    `${board}: seed ${f.seed} disagrees with the emulator (shrunk from ${f.sizes[0]} to ${f.sizes[1]} SQEs):`,
    ...f.mismatches.slice(0, 8).map((m) => `  - ${m.sqeId === null ? '' : `sqe ${m.sqeId}: `}${m.what}`),
    '',
    'The smallest failing program, as a test:',
    '',
    f.code,
    '',
  ];
  return lines.join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seeds: { type: 'string', default: '1-200' },
      board: { type: 'string', multiple: true },
      'no-shrink': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npm run differential -- [--seeds A-B] [--board ID]... [--no-shrink]');
    return 0;
  }
  const seeds = parseSeeds(values.seeds);
  const boards = values.board ?? ['emulator-wire', 'native'];
  const summaries: BoardSummary[] = [];
  let failed = false;
  for (const board of boards) {
    const target = await openTarget(board);
    const session = new DifferentialSession(target, board);
    const started = performance.now();
    const summary: BoardSummary = { board, seeds: 0, passed: 0, failedSeed: null, seconds: 0 };
    try {
      for (const seed of seeds) {
        const outcome = await session.runSeed(seed);
        summary.seeds++;
        if (outcome.mismatches.length === 0) {
          summary.passed++;
        } else {
          failed = true;
          summary.failedSeed = seed;
          console.log(`${board}: seed ${seed}: ${outcome.mismatches.length} mismatches:`);
          for (const m of outcome.mismatches.slice(0, 8)) console.log(`  - ${m.sqeId === null ? '' : `sqe ${m.sqeId}: `}${m.what}`);
          const f = values['no-shrink'] ?
            { seed, program: outcome.program, mismatches: outcome.mismatches, code: '(not shrunk)', sizes: [0, 0] as const } :
            await session.shrink(seed, outcome.program);
          console.log(describeFailure(board, f));
          break;
        }
        if (summary.seeds % 100 === 0) {
          console.log(`${board}: ${summary.seeds}/${seeds.length} seeds agree (${((performance.now() - started) / 1000).toFixed(1)} s)`);
        }
      }
    } finally {
      summary.seconds = Number(((performance.now() - started) / 1000).toFixed(1));
      await target.close();
    }
    console.log(`${board}: ${summary.passed} of ${summary.seeds} seeds agree with the emulator in ${summary.seconds} s`);
    summaries.push(summary);
  }
  console.log(JSON.stringify({ differential: summaries }));
  return failed ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (e: unknown) => {
    console.error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    process.exitCode = 2;
  });
}
