/**
 * @file The differential test, bounded for CI: the programs of a fixed range of seeds on every
 * suite board, each compared with the reference emulator SQE by SQE. A mismatch fails with the
 * smallest failing program, printed as a test to paste. `npm run differential` runs more.
 */
import { expect } from 'chai';
import { loadBoard } from '../../harness/boards/load-boards';
import { openTarget } from '../../harness/boards/open-target';
import type { Target } from '../../harness/target/target';
import { PrerequisiteMissingError } from '../../harness/remote/make';
import { describeFailure, parseSeeds } from '../../harness/testing/differential/cli';
import { DifferentialSession } from '../../harness/testing/differential/session';
import { suiteBoards } from '../../harness/testing/suite-boards';
import { skipBecause } from '../../harness/testing';

/**
 * Seeds run per board: `RTIO_DIFF_SEEDS` (e.g. `1-500`), else 200; 60 under QEMU (a slower UART);
 * 50 on the emulator itself, where the comparison with a fresh emulator only shows that it is
 * deterministic (and costs most of `rtio-hil test`'s default run).
 */
function seedsFor(board: string): number[] {
  const env = process.env.RTIO_DIFF_SEEDS;
  if (env !== undefined && env !== '') return parseSeeds(env);
  const target = loadBoard(board).target;
  return parseSeeds(target === 'qemu' ? '1-60' : target === 'emulator' ? '1-50' : '1-200');
}

for (const board of suiteBoards()) {
  describe(`differential test on ${board}`, function () {
    let target: Target | null = null;
    before(async function () {
      try {
        target = await openTarget(board);
      } catch (e) {
        if (e instanceof PrerequisiteMissingError) skipBecause(this, `target "${board}" is unavailable: ${e.message}`);
        throw e;
      }
    });
    after(async function () {
      await target?.close();
    });

    const seeds = seedsFor(board);
    it(`agrees with the emulator on the programs of seeds ${seeds[0]}-${seeds[seeds.length - 1]}`, async function () {
      this.timeout(600_000);
      const session = new DifferentialSession(target!, board);
      for (const seed of seeds) {
        const outcome = await session.runSeed(seed);
        if (outcome.mismatches.length === 0) continue;
        const failure = await session.shrink(seed, outcome.program);
        expect.fail(describeFailure(board, failure));
      }
    });
  });
}
