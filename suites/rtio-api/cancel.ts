import { expect } from 'chai';
import {
  EALREADY, ECANCELED, ENOENT, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, sqePrepAwaitIodev, sqePrepNop, sqeSignal,
} from '../../harness/rtio';
import type { Rtio, Sqe } from '../../harness/rtio';
import { onContext } from '../../harness/testing/rtio-fixture';
import { queueScripted } from './chains';
import type { SuiteEnv } from './env';
import { results, take } from './env';

/**
 * What `sqeCancel` returns for a submitted SQE that has not started: 0 where the host sees the
 * executor's state ('sync-cancel'); -EALREADY where the chain runs on an agent and only its CQE
 * can tell (docs/semantics.md §8).
 */
function cancelOfUnstarted(env: SuiteEnv): number {
  return env.target.has('sync-cancel') ? 0 : -EALREADY;
}

/**
 * Queues an AWAIT on test0 that holds the iodev until `sqeSignal`: the operations behind it
 * are certainly not started while the test cancels, whatever the link's latency.
 */
function holdTest0(r: Rtio, env: SuiteEnv, ud: string, chained: boolean): Sqe {
  const sqe = r.sqeAcquire()!;
  sqePrepAwaitIodev(sqe, env.target.iodev('test0'), RTIO_PRIO_NORM, ud);
  if (chained) sqe.flags |= RTIO_SQE_CHAINED;
  return sqe;
}

/** sqeCancel before, during and after an SQE runs. */
export function cancelTests(env: SuiteEnv): void {
  describe('cancel', function () {
    it('before submit: returns 0 and the SQE and the rest of its chain complete with -ECANCELED', async function () {
      await onContext(env.target, async (r) => {
        const head = queueScripted(r, env, 'head', { delayMs: 1 }, true);
        queueScripted(r, env, 'tail', {}, false);
        queueScripted(r, env, 'other', {}, false);
        expect(r.sqeCancel(head)).to.equal(0);
        await r.submit(3);
        const got = results(await take(r, 3));
        expect(got).to.have.deep.members([['head', -ECANCELED], ['tail', -ECANCELED], ['other', 0]]);
        expect(got.findIndex(([u]) => u === 'head')).to.be.lessThan(got.findIndex(([u]) => u === 'tail'));
      });
    });

    it('queued behind another operation on its iodev: returns 0 and completes with -ECANCELED', async function () {
      env.need(this, 'await', 'test0');
      await onContext(env.target, async (r) => {
        const holder = holdTest0(r, env, 'holder', false);
        const queued = queueScripted(r, env, 'queued', {}, false);
        await r.submit(0);
        expect(r.sqeCancel(queued)).to.equal(cancelOfUnstarted(env));
        sqeSignal(holder);
        expect(results(await take(r, 2))).to.deep.equal([['queued', -ECANCELED], ['holder', 0]]);
      });
    });

    it('while running: returns -EALREADY and the operation completes as the device decides', async function () {
      await onContext(env.target, async (r) => {
        const running = queueScripted(r, env, 'running', { delayMs: 5 }, false);
        await r.submit(0);
        expect(r.sqeCancel(running)).to.equal(-EALREADY);
        expect(results(await take(r, 1))).to.deep.equal([['running', 0]]);
      });
    });

    it('a chain member waiting for its predecessor: returns 0; it and the rest complete with -ECANCELED once reached', async function () {
      env.need(this, 'await', 'test0');
      await onContext(env.target, async (r) => {
        const a = holdTest0(r, env, 'a', true);
        const b = queueScripted(r, env, 'b', {}, true);
        queueScripted(r, env, 'c', {}, false);
        await r.submit(0);
        expect(r.sqeCancel(b)).to.equal(cancelOfUnstarted(env));
        sqeSignal(a);
        expect(results(await take(r, 3))).to.deep.equal([['a', 0], ['b', -ECANCELED], ['c', -ECANCELED]]);
      });
    });

    it('after completion: returns -ENOENT', async function () {
      await onContext(env.target, async (r) => {
        const sqe = r.sqeAcquire()!;
        sqePrepNop(sqe, null, 'done');
        sqe.flags |= RTIO_SQE_CHAINED;
        sqePrepNop(r.sqeAcquire()!, null, 'done2');
        await r.submit(2);
        r.flushCompletionQueue();
        expect(r.sqeCancel(sqe)).to.equal(-ENOENT);
      });
    });
  });
}
