import { expect } from 'chai';
import {
  ECANCELED, ETIMEDOUT, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, sqePrepAwaitExecutor, sqePrepCallback,
  sqePrepRead, sqeSignal,
} from '../../harness/rtio';
import { onContext } from '../../harness/testing/rtio-fixture';
import { queueScripted } from './chains';
import type { SuiteEnv } from './env';
import { results, take } from './env';

/**
 * Per-SQE timeouts (an rtio-hil addition) and timeouts of the waits.
 *
 * On a target without virtual time a device delay and a timeout both run on the device's real
 * clock; a device stalled (a loaded host starving QEMU or the agent process) past both deadlines may
 * handle them in either order. The two deadlines of a test are therefore far apart (5 against
 * 200 ms), so the outcome does not depend on how busy the machine is.
 */
export function timeoutTests(env: SuiteEnv): void {
  describe('timeouts', function () {
    it('an SQE past its timeoutMs completes with -ETIMEDOUT and the rest of its chain with -ECANCELED', async function () {
      await onContext(env.target, async (r) => {
        const t0 = env.target.clock.now();
        const hung = queueScripted(r, env, 'hung', { hang: true }, true);
        hung.timeoutMs = 5;
        queueScripted(r, env, 'after', {}, false);
        await r.submit(2);
        expect(results(await take(r, 2))).to.deep.equal([['hung', -ETIMEDOUT], ['after', -ECANCELED]]);
        if (env.target.has('virtual-time')) expect(env.target.clock.now() - t0).to.be.closeTo(5, 1e-9);
      });
    });

    it('a timed-out operation its device was still running frees its slot once the device lets go', async function () {
      await onContext(env.target, async (r) => {
        const slow = queueScripted(r, env, 'slow', { delayMs: 200 }, false);
        slow.timeoutMs = 5;
        await r.submit(1);
        expect(results(await take(r, 1))).to.deep.equal([['slow', -ETIMEDOUT]]);
        expect(r.inflight, 'the SQE is complete for its user').to.equal(0);
      });
    });

    it('an operation that finishes within its timeout is unaffected and no late timeout follows', async function () {
      await onContext(env.target, async (r) => {
        const quick = queueScripted(r, env, 'quick', { delayMs: 1 }, false);
        quick.timeoutMs = 200;
        await r.submit(1);
        expect(results(await take(r, 1))).to.deep.equal([['quick', 0]]);
        expect(await r.cqeConsumeBlock(250), 'nothing once its timeout has passed').to.equal(null);
      });
    });

    it('an executor AWAIT that is never signalled times out', async function () {
      await onContext(env.target, async (r) => {
        const wait = r.sqeAcquire()!;
        sqePrepAwaitExecutor(wait, RTIO_PRIO_NORM, 'await');
        wait.timeoutMs = 3;
        await r.submit(1);
        expect(results(await take(r, 1))).to.deep.equal([['await', -ETIMEDOUT]]);
      });
    });

    it('a bus timeout fails the operation with -ETIMEDOUT', async function () {
      env.need(this, 'fault-injection');
      const temp = env.target.iodev('temp0');
      await onContext(env.target, async (r) => {
        env.target.injectFault('temp0', { kind: 'bus-timeout' });
        const read = r.sqeAcquire()!;
        sqePrepRead(read, temp, RTIO_PRIO_NORM, new Uint8Array(2), 2, 'read');
        read.flags |= RTIO_SQE_CHAINED;
        queueScripted(r, env, 'after', {}, false);
        await r.submit(2);
        expect(results(await take(r, 2))).to.deep.equal([['read', -ETIMEDOUT], ['after', -ECANCELED]]);
      });
    });

    it('cqeConsumeBlock(timeoutMs) resolves null when nothing completes in time', async function () {
      await onContext(env.target, async (r) => {
        queueScripted(r, env, 'later', { delayMs: 20 }, false);
        await r.submit(0);
        expect(await r.cqeConsumeBlock(5)).to.equal(null);
        expect(results(await take(r, 1))).to.deep.equal([['later', 0]]);
      });
    });

    it('submit(waitCount, timeoutMs) resolves -ETIMEDOUT when too few complete; those that did are there', async function () {
      await onContext(env.target, async (r) => {
        queueScripted(r, env, 'quick', { delayMs: 1 }, false);
        const hung = queueScripted(r, env, 'hung', { hang: true }, false);
        hung.timeoutMs = 200;
        expect(await r.submit(2, 10)).to.equal(-ETIMEDOUT);
        expect(results(await take(r, 1))).to.deep.equal([['quick', 0]]);
        expect(results(await take(r, 1))).to.deep.equal([['hung', -ETIMEDOUT]]);
      });
    });

    it('cqeCopyOut(n, timeoutMs) returns what completed by its deadline', async function () {
      await onContext(env.target, async (r) => {
        queueScripted(r, env, 'a', { delayMs: 1 }, false);
        queueScripted(r, env, 'b', { delayMs: 1 }, false);
        // Held until signalled: it cannot complete before the deadline, however busy the host is.
        const held = r.sqeAcquire()!;
        sqePrepAwaitExecutor(held, RTIO_PRIO_NORM, 'held');
        await r.submit(2);
        const t0 = env.target.clock.now();
        const out = await r.cqeCopyOut(3, 10);
        expect(out.map((c) => c.userdata)).to.deep.equal(['a', 'b']);
        expect(env.target.clock.now() - t0, 'ms waited on the target clock').to.be.at.least(10 - 1e-6);
        sqeSignal(held);
        expect(results(await take(r, 1))).to.deep.equal([['held', 0]]);
      });
    });

    it("a chain with a CALLBACK keeps the device's deadline: a 2 ms timeout on a 1 ms operation never fires", async function () {
      await onContext(env.target, async (r) => {
        for (let i = 0; i < 5; i++) {
          const cb = r.sqeAcquire()!;
          sqePrepCallback(cb, () => undefined, null, `cb${i}`);
          cb.flags |= RTIO_SQE_CHAINED;
          queueScripted(r, env, `op${i}`, { delayMs: 1 }, false).timeoutMs = 2;
          await r.submit(2);
          expect(results(await take(r, 2))).to.deep.equal([[`cb${i}`, 0], [`op${i}`, 0]]);
        }
      });
    });
  });
}
