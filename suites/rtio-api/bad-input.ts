import { expect } from 'chai';
import {
  Rtio, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, RTIO_SQE_MULTISHOT, RTIO_SQE_TRANSACTION, sqePrepNop, sqePrepRead,
  sqePrepWrite, sqeSignal,
} from '../../harness/rtio';
import type { Iodev } from '../../harness/rtio';
import { onContext } from '../../harness/testing/rtio-fixture';
import type { SuiteEnv } from './env';
import { results, take } from './env';

/** Bad input is a TypeError or RangeError naming the culprit, at prep or submit, and nothing is lost. */
export function badInputTests(env: SuiteEnv): void {
  describe('bad input', function () {
    it('an unknown op is a RangeError at submit naming the SQE; nothing starts and the SQ is intact', async function () {
      await onContext(env.target, async (r) => {
        sqePrepNop(r.sqeAcquire()!, null, 'fine');
        const bad = r.sqeAcquire()!;
        sqePrepNop(bad, null, 'bad');
        bad.op = 99;
        expect(() => r.submit(0)).to.throw(RangeError, /sqe 1 of 2: unknown "op" 99/);
        expect(r.inflight).to.equal(0);
        expect(r.sqeAcquirable()).to.equal(r.sqSize - 2);
        bad.op = 0;
        await r.submit(2);
        expect(results(await take(r, 2))).to.deep.equal([['fine', 0], ['bad', 0]]);
      });
    });

    it('a read without an iodev is a TypeError at prep naming "iodev"', function () {
      const r = new Rtio({ sqSize: 1, cqSize: 1 });
      expect(() => sqePrepRead(r.sqeAcquire()!, null as unknown as Iodev, RTIO_PRIO_NORM, new Uint8Array(1), 1)).to.throw(TypeError, /"iodev"/);
    });

    it('a buffer shorter than its length is a RangeError at prep naming "buf"', function () {
      const eeprom = env.target.iodev('eeprom0');
      const r = new Rtio({ sqSize: 1, cqSize: 1 });
      expect(() => sqePrepWrite(r.sqeAcquire()!, eeprom, RTIO_PRIO_NORM, new Uint8Array(3), 4)).to.throw(RangeError, /"buf" is 3 bytes, shorter than "len" 4/);
    });

    it('a mempool block size that is not a power of two is a RangeError naming it', function () {
      expect(() => new Rtio({ sqSize: 4, cqSize: 4, mempool: { blockSize: 24, blockCount: 4 } }))
        .to.throw(RangeError, /"mempool.blockSize" must be a power of two, got 24/);
    });

    it('TRANSACTION with CHAINED on one SQE is a RangeError at submit; nothing starts', async function () {
      await onContext(env.target, async (r) => {
        const sqe = r.sqeAcquire()!;
        sqePrepNop(sqe, null, 'a');
        sqe.flags |= RTIO_SQE_CHAINED | RTIO_SQE_TRANSACTION;
        sqePrepNop(r.sqeAcquire()!, null, 'b');
        expect(() => r.submit(0)).to.throw(RangeError, /both RTIO_SQE_CHAINED and RTIO_SQE_TRANSACTION/);
        expect(r.inflight).to.equal(0);
        r.sqeDropAll();
      });
    });

    it('a CHAINED flag on the last queued SQE is a RangeError at submit', async function () {
      await onContext(env.target, async (r) => {
        const sqe = r.sqeAcquire()!;
        sqePrepNop(sqe, null, 'dangling');
        sqe.flags |= RTIO_SQE_CHAINED;
        expect(() => r.submit(0)).to.throw(RangeError, /none is queued after it/);
        r.sqeDropAll();
      });
    });

    it('MULTISHOT on anything but a mempool read is a RangeError at submit', async function () {
      await onContext(env.target, async (r) => {
        const sqe = r.sqeAcquire()!;
        sqePrepNop(sqe, env.target.iodev('test0'), 'nop');
        sqe.flags |= RTIO_SQE_MULTISHOT;
        expect(() => r.submit(0)).to.throw(RangeError, /RTIO_SQE_MULTISHOT needs an RX with RTIO_SQE_MEMPOOL_BUFFER/);
        r.sqeDropAll();
      });
    });

    it('a CQE released twice is a RangeError', async function () {
      await onContext(env.target, async (r) => {
        sqePrepNop(r.sqeAcquire()!, null, 'x');
        await r.submit(1);
        const c = r.cqeConsume()!;
        r.cqeRelease(c);
        expect(() => r.cqeRelease(c)).to.throw(RangeError, /already released/);
      });
    });

    it('signalling an SQE that is not an AWAIT is a TypeError', async function () {
      await onContext(env.target, async (r) => {
        const sqe = r.sqeAcquire()!;
        sqePrepNop(sqe, null, 'x');
        expect(() => sqeSignal(sqe)).to.throw(TypeError, /RTIO_OP_AWAIT/);
        r.sqeDropAll();
      });
    });

    it('an unknown iodev name is a RangeError listing the iodevs that exist', function () {
      expect(() => env.target.iodev('nosuch0')).to.throw(RangeError, /no iodev "nosuch0"; it has: .*eeprom0/);
    });
  });
}
