import { expect } from 'chai';
import { Rtio, sqePrepNop } from '../rtio';
import type { RtioOptions } from '../rtio';
import type { Target } from '../target/target';

/** Default geometry of the contexts suites create: small enough that tests reach the limits. */
export const SUITE_CONTEXT: Omit<RtioOptions, 'clock'> = {
  sqSize: 16,
  cqSize: 16,
  mempool: { blockSize: 16, blockCount: 16 },
};

/** Times each test body runs on one context, as Zephyr's TEST_REPEATS, to catch state leaking between runs. */
export const TEST_REPEATS = 3;

/** A context on `target`'s clock with the suite geometry, overridden by `opts`. */
export function newContext(target: Target, opts: Partial<Omit<RtioOptions, 'clock'>> = {}): Rtio {
  return new Rtio({ ...SUITE_CONTEXT, ...opts, clock: target.clock });
}

/**
 * Proves `r` leaked nothing: no SQE in flight or overflowed, no stray completion, every SQE can be
 * acquired again, every CQE can be filled again, and the mempool is whole.
 */
export async function expectNoLeak(r: Rtio, target: Target): Promise<void> {
  await target.settle();
  expect(r.inflight, 'SQEs still in flight').to.equal(0);
  expect(r.cqOverflowPending, 'completions left in the overflow list').to.equal(0);
  expect(r.cqReady, 'completions left unconsumed').to.equal(0);
  expect(r.strayCompletions, 'completions of SQEs that were not running').to.equal(0);
  expect(r.sqeAcquirable(), 'SQEs back in the pool').to.equal(r.sqSize);
  const sqes = r.sqeAcquireArray(r.sqSize);
  expect(sqes, 'the SQ fills to capacity').to.not.equal(null);
  expect(r.sqeAcquire(), 'the SQ holds no more than its size').to.equal(null);
  r.sqeDropAll();
  const n = Math.min(r.sqSize, r.cqSize);
  for (let i = 0; i < n; i++) sqePrepNop(r.sqeAcquire()!, null, i);
  await r.submit(n);
  expect(r.cqReady, 'the CQ fills again').to.equal(n);
  for (let i = 0; i < n; i++) r.cqeRelease(r.cqeConsume()!);
  if (r.mempool !== null) expect(r.mempool.free, 'mempool blocks free').to.equal(r.mempool.blockCount);
}

/**
 * Runs `body` {@link TEST_REPEATS} times on one fresh context, proving after each run that
 * nothing leaked. `run` is the 0-based repeat index.
 */
export async function onContext(
  target: Target,
  body: (r: Rtio, run: number) => Promise<void>,
  opts: Partial<Omit<RtioOptions, 'clock'>> = {},
): Promise<void> {
  const r = newContext(target, opts);
  for (let run = 0; run < TEST_REPEATS; run++) {
    await body(r, run);
    await expectNoLeak(r, target);
  }
}
