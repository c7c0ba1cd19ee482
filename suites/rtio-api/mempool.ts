import { expect } from 'chai';
import {
  EIO, ENOMEM, RTIO_CQE_FLAG_GET, RTIO_CQE_FLAG_MEMPOOL_BUFFER, RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT,
  RTIO_CQE_FLAG_MEMPOOL_GET_BLK_IDX, RTIO_PRIO_NORM, RTIO_SQE_NO_RESPONSE, sqePrepReadMultishot,
  sqePrepReadWithPool,
} from '../../harness/rtio';
import type { Cqe, Sqe } from '../../harness/rtio';
import { testIodevScript } from '../../harness/emulator/iodevs/test-iodev';
import { onContext } from '../../harness/testing/rtio-fixture';
import type { SuiteEnv } from './env';
import { cancelStream, consumeStream, hasMore } from './env';


/** Mempool reads and multishot. */
export function mempoolTests(env: SuiteEnv): void {
  describe('mempool and multishot', function () {
    it('a mempool read takes blocks from the pool and its CQE flags say which', async function () {
      const test0 = env.target.iodev('test0');
      await onContext(env.target, async (r) => {
        sqePrepReadWithPool(r.sqeAcquire()!, test0, RTIO_PRIO_NORM, 'pool-read');
        await r.submit(1);
        const c = r.cqeConsume()!;
        expect(c.result).to.equal(16);
        expect(RTIO_CQE_FLAG_GET(c.flags)).to.equal(RTIO_CQE_FLAG_MEMPOOL_BUFFER);
        expect(RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT(c.flags), 'blocks of 16 bytes').to.equal(1);
        const buf = r.cqeGetMempoolBuffer(c);
        expect(buf.length).to.equal(16);
        expect(buf.byteOffset - r.mempool!.storage.byteOffset).to.equal(16 * RTIO_CQE_FLAG_MEMPOOL_GET_BLK_IDX(c.flags));
        expect(r.mempool!.free).to.equal(r.mempool!.blockCount - 1);
        r.releaseBuffer(buf);
        expect(r.mempool!.free).to.equal(r.mempool!.blockCount);
        r.cqeRelease(c);
      });
    });

    it('releasing a buffer twice is a RangeError and changes nothing', async function () {
      const test0 = env.target.iodev('test0');
      await onContext(env.target, async (r) => {
        sqePrepReadWithPool(r.sqeAcquire()!, test0, RTIO_PRIO_NORM, 'pool-read');
        await r.submit(1);
        const c = r.cqeConsume()!;
        const buf = r.cqeGetMempoolBuffer(c);
        r.releaseBuffer(buf);
        expect(() => r.releaseBuffer(buf)).to.throw(RangeError, /already free/);
        expect(r.mempool!.free).to.equal(r.mempool!.blockCount);
        r.cqeRelease(c);
      });
    });

    it('an exhausted mempool fails the read with -ENOMEM and no buffer', async function () {
      const test0 = env.target.iodev('test0');
      await onContext(env.target, async (r) => {
        for (const ud of ['a', 'b', 'c']) sqePrepReadWithPool(r.sqeAcquire()!, test0, RTIO_PRIO_NORM, ud);
        await r.submit(3);
        const got: Cqe[] = [r.cqeConsume()!, r.cqeConsume()!, r.cqeConsume()!];
        expect(got.map((c) => [c.userdata, c.result])).to.deep.equal([['a', 16], ['b', 16], ['c', -ENOMEM]]);
        expect(got[2]!.flags, 'the failed read carries no buffer').to.equal(0);
        expect(r.mempool!.free).to.equal(0);
        for (const c of got.slice(0, 2)) r.releaseBuffer(r.cqeGetMempoolBuffer(c));
        for (const c of got) r.cqeRelease(c);
      }, { mempool: { blockSize: 16, blockCount: 2 } });
    });

    it('a multishot read re-arms until cancelled; every CQE but the last carries RTIO_CQE_FLAG_MORE', async function () {
      const test0 = env.target.iodev('test0');
      await onContext(env.target, async (r) => {
        const arm = async (): Promise<Sqe> => {
          const sqe = r.sqeAcquire()!;
          sqePrepReadMultishot(sqe, test0, RTIO_PRIO_NORM, 'shot');
          sqe.iodevFlags = testIodevScript({ delayMs: 1 });
          await r.submit(0);
          return sqe;
        };
        const sqe = await consumeStream(env, r, arm, 5, (c) => {
          expect([c.userdata, c.result, hasMore(c)]).to.deep.equal(['shot', 16, true]);
        });
        // In real time the pool may have run dry since the last shot consumed: the stream's end is then queued.
        if (env.target.has('virtual-time')) expect(r.inflight, 'still armed').to.equal(1);
        await cancelStream(env, r, sqe, 'shot');
        expect(await r.cqeConsumeBlock(5), 'nothing after the final CQE').to.equal(null);
      });
    });

    it('a failing multishot stops with one final CQE that carries the error', async function () {
      const test0 = env.target.iodev('test0');
      await onContext(env.target, async (r) => {
        const sqe = r.sqeAcquire()!;
        sqePrepReadMultishot(sqe, test0, RTIO_PRIO_NORM, 'shot');
        sqe.iodevFlags = testIodevScript({ delayMs: 1, result: -EIO });
        await r.submit(1);
        const c = r.cqeConsume()!;
        expect([c.result, c.flags]).to.deep.equal([-EIO, 0]);
        r.cqeRelease(c);
        expect(r.inflight).to.equal(0);
      });
    });

    it('a multishot whose consumer holds every buffer stops with -ENOMEM', async function () {
      const test0 = env.target.iodev('test0');
      await onContext(env.target, async (r) => {
        const sqe = r.sqeAcquire()!;
        sqePrepReadMultishot(sqe, test0, RTIO_PRIO_NORM, 'shot');
        sqe.iodevFlags = testIodevScript({ delayMs: 1 });
        await r.submit(3);
        const got = [r.cqeConsume()!, r.cqeConsume()!, r.cqeConsume()!];
        expect(got.map((c) => [c.result, hasMore(c)])).to.deep.equal([[16, true], [16, true], [-ENOMEM, false]]);
        expect(r.inflight).to.equal(0);
        for (const c of got.slice(0, 2)) r.releaseBuffer(r.cqeGetMempoolBuffer(c));
        for (const c of got) r.cqeRelease(c);
      }, { mempool: { blockSize: 16, blockCount: 2 } });
    });

    it('a mempool read of 0 bytes carries PREP_MEMPOOL(0, 0) and an empty buffer', async function () {
      env.need(this, 'fault-injection');
      env.need(this, 'mempool', 'eeprom0');
      const eeprom = env.target.iodev('eeprom0');
      await onContext(env.target, async (r) => {
        env.target.injectFault('eeprom0', { kind: 'short-read', bytes: 0 });
        sqePrepReadWithPool(r.sqeAcquire()!, eeprom, RTIO_PRIO_NORM, 'empty-read');
        await r.submit(1);
        const c = r.cqeConsume()!;
        expect([c.result, RTIO_CQE_FLAG_GET(c.flags), RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT(c.flags)]).to.deep.equal([0, RTIO_CQE_FLAG_MEMPOOL_BUFFER, 0]);
        expect(r.cqeGetMempoolBuffer(c).length).to.equal(0);
        r.cqeRelease(c);
      });
    });

    it('a mempool read with RTIO_SQE_NO_RESPONSE gives its block back', async function () {
      const test0 = env.target.iodev('test0');
      await onContext(env.target, async (r) => {
        const sqe = r.sqeAcquire()!;
        sqePrepReadWithPool(sqe, test0, RTIO_PRIO_NORM, 'silent-read');
        sqe.flags |= RTIO_SQE_NO_RESPONSE;
        await r.submit(0);
        expect(await r.waitIdle(), 'the read completed').to.equal(true);
        expect(r.cqReady, 'no CQE').to.equal(0);
        expect(r.mempool!.free, 'every block is back').to.equal(r.mempool!.blockCount);
      });
    });
  });
}
