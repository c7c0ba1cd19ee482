import { expect } from 'chai';
import {
  ECANCELED, EIO, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION, sqePrepCallback, sqePrepDelay, sqePrepNop,
  sqePrepRead,
} from '../../harness/rtio';
import type { Rtio, Sqe } from '../../harness/rtio';
import { testIodevScript } from '../../harness/emulator/iodevs/test-iodev';
import { onContext } from '../../harness/testing/rtio-fixture';
import type { SuiteEnv } from './env';
import { results, take } from './env';

/** Queues a NOP on `test0` that completes after `delayMs` with `result`, chained to the next SQE when `chained`. */
export function queueScripted(r: Rtio, env: SuiteEnv, ud: unknown, script: Parameters<typeof testIodevScript>[0], chained: boolean): Sqe {
  const sqe = r.sqeAcquire()!;
  sqePrepNop(sqe, env.target.iodev('test0'), ud);
  sqe.iodevFlags = testIodevScript(script);
  if (chained) sqe.flags |= RTIO_SQE_CHAINED;
  return sqe;
}

/** Chain ordering and failure cascades. */
export function chainTests(env: SuiteEnv): void {
  describe('chains', function () {
    it('completes members in chain order even when later members are faster', async function () {
      await onContext(env.target, async (r) => {
        const t0 = env.target.clock.now();
        queueScripted(r, env, 'a', { delayMs: 3 }, true);
        queueScripted(r, env, 'b', { delayMs: 2 }, true);
        queueScripted(r, env, 'c', { delayMs: 0.5 }, false);
        await r.submit(3);
        expect(results(await take(r, 3))).to.deep.equal([['a', 0], ['b', 0], ['c', 0]]);
        if (env.target.has('virtual-time')) {
          expect(env.target.clock.now() - t0, 'each member started after the one before completed').to.be.closeTo(5.5, 1e-9);
        }
      });
    });

    it('a failed member completes the rest of its chain with -ECANCELED, in order', async function () {
      await onContext(env.target, async (r) => {
        queueScripted(r, env, 'ok', { delayMs: 1 }, true);
        queueScripted(r, env, 'fails', { delayMs: 1, result: -EIO }, true);
        queueScripted(r, env, 'next', { delayMs: 1 }, true);
        queueScripted(r, env, 'last', { delayMs: 1 }, false);
        await r.submit(0);
        expect(results(await take(r, 4))).to.deep.equal([
          ['ok', 0], ['fails', -EIO], ['next', -ECANCELED], ['last', -ECANCELED],
        ]);
      });
    });

    it('members after a failure never start', async function () {
      await onContext(env.target, async (r) => {
        let called = false;
        queueScripted(r, env, 'fails', { result: -EIO }, true);
        const cb = r.sqeAcquire()!;
        sqePrepCallback(cb, () => { called = true; }, null, 'callback');
        await r.submit(2);
        expect(results(await take(r, 2))).to.deep.equal([['fails', -EIO], ['callback', -ECANCELED]]);
        expect(called, 'the callback after the failure ran').to.equal(false);
      });
    });

    it('a short read ends its chain: the read reports its true count and the rest is cancelled', async function () {
      env.need(this, 'fault-injection');
      const eeprom = env.target.iodev('eeprom0');
      await onContext(env.target, async (r) => {
        env.target.injectFault('eeprom0', { kind: 'short-read', bytes: 3 });
        const buf = new Uint8Array(8);
        const read = r.sqeAcquire()!;
        sqePrepRead(read, eeprom, RTIO_PRIO_NORM, buf, 8, 'read');
        read.flags |= RTIO_SQE_CHAINED;
        queueScripted(r, env, 'after', {}, false);
        await r.submit(2);
        expect(results(await take(r, 2))).to.deep.equal([['read', 3], ['after', -ECANCELED]]);
      });
    });

    it('independent chains interleave while each stays in order', async function () {
      await onContext(env.target, async (r) => {
        const chain = (name: string, delays: number[]): void => {
          delays.forEach((ms, i) => {
            const sqe = r.sqeAcquire()!;
            sqePrepDelay(sqe, ms, `${name}${i + 1}`);
            if (i < delays.length - 1) sqe.flags |= RTIO_SQE_CHAINED;
          });
        };
        chain('a', [1, 2, 3]);
        chain('b', [2, 2, 2]);
        await r.submit(0);
        const order = (await take(r, 6)).map((c) => c.userdata as string);
        expect(order.filter((u) => u.startsWith('a'))).to.deep.equal(['a1', 'a2', 'a3']);
        expect(order.filter((u) => u.startsWith('b'))).to.deep.equal(['b1', 'b2', 'b3']);
        expect(order.indexOf('b1'), 'b started without waiting for chain a').to.be.lessThan(order.indexOf('a3'));
        if (env.target.has('virtual-time')) expect(order).to.deep.equal(['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
      });
    });

    it('a CALLBACK receives the result of the member before it (0 at a chain head)', async function () {
      const eeprom = env.target.iodev('eeprom0');
      await onContext(env.target, async (r) => {
        const seen: number[] = [];
        const head = r.sqeAcquire()!;
        sqePrepCallback(head, (_r, _sqe, result) => { seen.push(result); }, null, 'head-cb');
        head.flags |= RTIO_SQE_CHAINED;
        const read = r.sqeAcquire()!;
        sqePrepRead(read, eeprom, RTIO_PRIO_NORM, new Uint8Array(8), 8, 'read');
        read.flags |= RTIO_SQE_CHAINED;
        const cb = r.sqeAcquire()!;
        sqePrepCallback(cb, (rr, sqe, result, arg0) => {
          expect(rr).to.equal(r);
          expect(sqe.userdata).to.equal('after-read');
          expect(arg0).to.equal('arg');
          seen.push(result);
        }, 'arg', 'after-read');
        await r.submit(3);
        expect(results(await take(r, 3))).to.deep.equal([['head-cb', 0], ['read', 8], ['after-read', 0]]);
        expect(seen).to.deep.equal([0, 8]);
      });
    });

    it('a throwing CALLBACK completes with -EIO, keeps the exception and cancels the rest', async function () {
      await onContext(env.target, async (r, run) => {
        const cb = r.sqeAcquire()!;
        sqePrepCallback(cb, () => { throw new Error(`boom ${run}`); }, null, 'throws');
        cb.flags |= RTIO_SQE_CHAINED;
        queueScripted(r, env, 'after', {}, false);
        await r.submit(2);
        expect(results(await take(r, 2))).to.deep.equal([['throws', -EIO], ['after', -ECANCELED]]);
        expect(String(r.callbackErrors[r.callbackErrors.length - 1])).to.contain(`boom ${run}`);
      });
    });

    it('a transaction member failing with -ECANCELED cascades through a chain with a CALLBACK', async function () {
      env.need(this, 'transaction', 'test0');
      await onContext(env.target, async (r) => {
        let after = false;
        const head = r.sqeAcquire()!;
        sqePrepCallback(head, () => undefined, null, 'head-cb');
        head.flags |= RTIO_SQE_CHAINED;
        queueScripted(r, env, 'm1', {}, false).flags |= RTIO_SQE_TRANSACTION;
        queueScripted(r, env, 'm2', { result: -ECANCELED }, false).flags |= RTIO_SQE_TRANSACTION;
        queueScripted(r, env, 'm3', {}, true);
        const cb = r.sqeAcquire()!;
        sqePrepCallback(cb, () => { after = true; }, null, 'after-cb');
        await r.submit(5);
        expect(results(await take(r, 5))).to.deep.equal([
          ['head-cb', 0], ['m1', 0], ['m2', -ECANCELED], ['m3', -ECANCELED], ['after-cb', -ECANCELED],
        ]);
        expect(after, 'the CALLBACK after the failed unit ran').to.equal(false);
      });
    });

    for (const n of [33, 65]) {
      it(`a chain of ${n} NOPs completes every member, whatever the target holds at once`, async function () {
        await onContext(env.target, async (r) => {
          for (let i = 0; i < n; i++) {
            const s = r.sqeAcquire()!;
            sqePrepNop(s, env.target.iodev('test0'), i);
            if (i < n - 1) s.flags |= RTIO_SQE_CHAINED;
          }
          expect(await r.submit(n, 60_000)).to.equal(0);
          const got = await take(r, n);
          expect(got.map((c) => c.userdata)).to.deep.equal(Array.from({ length: n }, (_, i) => i));
          expect(got.every((c) => c.result === 0), 'every member succeeded').to.equal(true);
          expect(r.inflight).to.equal(0);
        }, { sqSize: n, cqSize: n });
      });
    }
  });
}
