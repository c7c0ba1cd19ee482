import { expect } from 'chai';
import {
  RTIO_PRIO_NORM, RTIO_SQE_TRANSACTION, sqePrepRead, sqePrepReadMultishot, sqePrepTinyWrite,
} from '../../harness/rtio';
import { newContext } from '../../harness/testing/rtio-fixture';
import { openTarget } from '../../harness/boards/open-target';
import type { SuiteEnv } from './env';

interface Event { readonly ud: unknown; readonly result: number; readonly at: number; readonly bytes: number[] }

async function scenario(boardId: string, seed: number): Promise<Event[]> {
  const target = await openTarget(boardId, { seed });
  try {
    const r = newContext(target, { mempool: { blockSize: 256, blockCount: 4 } });
    const temp = target.iodev('temp0');
    const reading = new Uint8Array(2);
    const ptr = r.sqeAcquire()!;
    sqePrepTinyWrite(ptr, temp, RTIO_PRIO_NORM, Uint8Array.of(0), 1, 'ptr');
    ptr.flags |= RTIO_SQE_TRANSACTION;
    sqePrepRead(r.sqeAcquire()!, temp, RTIO_PRIO_NORM, reading, 2, 'temp');
    const stream = r.sqeAcquire()!;
    sqePrepReadMultishot(stream, target.iodev('imu0'), RTIO_PRIO_NORM, 'imu');
    await r.submit(0);
    const events: Event[] = [];
    while (events.length < 8) {
      const c = (await r.cqeConsumeBlock())!;
      const bytes = c.userdata === 'imu' ? [...r.cqeGetMempoolBuffer(c).subarray(0, c.result)] : [...reading];
      events.push({ ud: c.userdata, result: c.result, at: target.clock.now(), bytes });
      if (c.userdata === 'imu') r.releaseBuffer(r.cqeGetMempoolBuffer(c));
      r.cqeRelease(c);
    }
    return events;
  } finally {
    await target.close();
  }
}

/** Virtual time: the same seed gives the same completions at the same times. */
export function determinismTests(env: SuiteEnv): void {
  describe('virtual time', function () {
    it('the same seed gives the same completions, data and virtual times; another seed other data', async function () {
      env.need(this, 'virtual-time');
      const a = await scenario(env.boardId, 7);
      const b = await scenario(env.boardId, 7);
      const c = await scenario(env.boardId, 8);
      expect(a).to.deep.equal(b);
      expect(a.map((e) => e.ud)).to.deep.equal(c.map((e) => e.ud));
      expect(a.map((e) => e.bytes)).to.not.deep.equal(c.map((e) => e.bytes));
    });
  });
}
