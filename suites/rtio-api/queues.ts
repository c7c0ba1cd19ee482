import { expect } from 'chai';
import {
  EBUSY, ENOMEM, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, RTIO_SQE_NO_RESPONSE, Sqe, sqePrepNop, sqePrepRead,
} from '../../harness/rtio';
import { onContext } from '../../harness/testing/rtio-fixture';
import { queueScripted } from './chains';
import type { SuiteEnv } from './env';
import { results, take } from './env';

/** Queue limits, NO_RESPONSE and copy in/out. */
export function queueTests(env: SuiteEnv): void {
  describe('queues', function () {
    it('a full SQ makes sqeAcquire return null; completed SQEs return to the pool', async function () {
      await onContext(env.target, async (r) => {
        for (let i = 0; i < r.sqSize; i++) queueScripted(r, env, `n${i}`, {}, false);
        expect(r.sqeAcquire(), 'SQ full').to.equal(null);
        expect(r.sqeAcquirable()).to.equal(0);
        await r.submit(r.sqSize);
        expect(r.sqeAcquirable()).to.equal(r.sqSize);
        expect((await take(r, r.sqSize)).map((c) => c.userdata)).to.deep.equal(
          Array.from({ length: r.sqSize }, (_, i) => `n${i}`),
        );
      });
    });

    it('a full CQ keeps completions in a counted overflow list, in order, and loses none', async function () {
      await onContext(env.target, async (r) => {
        const before = r.cqOverflowCount;
        for (let i = 0; i < 10; i++) queueScripted(r, env, i, {}, false);
        await r.submit(10);
        expect(r.cqReady).to.equal(4);
        expect(r.cqOverflowPending).to.equal(6);
        expect(r.cqOverflowCount - before).to.equal(6);
        queueScripted(r, env, 'late', {}, false);
        expect(await r.submit(0), 'submit pushes back while completions overflow').to.equal(-EBUSY);
        r.sqeDropAll();
        const got = await take(r, 10);
        expect(got.map((c) => c.userdata)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(r.cqOverflowPending).to.equal(0);
      }, { cqSize: 4 });
    });

    it('NO_RESPONSE produces no CQE and does not count towards submit\'s wait', async function () {
      await onContext(env.target, async (r) => {
        const silent = queueScripted(r, env, 'silent', { delayMs: 1 }, true);
        silent.flags |= RTIO_SQE_NO_RESPONSE;
        queueScripted(r, env, 'loud', { delayMs: 1 }, false);
        await r.submit(1);
        expect(results(await take(r, 1))).to.deep.equal([['loud', 0]]);
        expect(r.cqeConsume()).to.equal(null);
      });
    });

    it('sqeDropAll returns acquired SQEs to the pool without running them', async function () {
      await onContext(env.target, async (r) => {
        for (let i = 0; i < 3; i++) queueScripted(r, env, `dropped${i}`, {}, false);
        r.sqeDropAll();
        expect(r.sqeAcquirable()).to.equal(r.sqSize);
        await r.submit(0);
        expect(await r.cqeConsumeBlock(5)).to.equal(null);
      });
    });

    it('sqeCopyIn copies prepared SQEs all or nothing (-ENOMEM)', async function () {
      const eeprom = env.target.iodev('eeprom0');
      await onContext(env.target, async (r) => {
        const mine = [new Sqe(), new Sqe(), new Sqe()];
        const buf = new Uint8Array(4);
        sqePrepNop(mine[0]!, null, 'a');
        mine[0]!.flags |= RTIO_SQE_CHAINED;
        sqePrepRead(mine[1]!, eeprom, RTIO_PRIO_NORM, buf, 4, 'b');
        mine[1]!.flags |= RTIO_SQE_CHAINED;
        sqePrepNop(mine[2]!, null, 'c');
        const filler = r.sqeAcquireArray(r.sqSize - 2)!;
        expect(filler).to.have.length(r.sqSize - 2);
        expect(r.sqeCopyIn(mine)).to.equal(-ENOMEM);
        expect(r.sqeAcquirable(), 'nothing was acquired').to.equal(2);
        r.sqeDropAll();
        expect(r.sqeCopyIn(mine)).to.equal(0);
        await r.submit(3);
        expect(results(await take(r, 3))).to.deep.equal([['a', 0], ['b', 4], ['c', 0]]);
      });
    });

    it('cqeCopyOut copies completions as data and releases their CQEs', async function () {
      await onContext(env.target, async (r) => {
        for (let i = 0; i < 3; i++) queueScripted(r, env, i, { delayMs: 1 }, false);
        await r.submit(0);
        const out = await r.cqeCopyOut(3);
        expect(out.map((c) => [c.userdata, c.result, c.flags])).to.deep.equal([[0, 0, 0], [1, 0, 0], [2, 0, 0]]);
        expect(r.cqeAvailable()).to.equal(r.cqSize);
      });
    });

    it('flushCompletionQueue releases everything and returns the first error', async function () {
      await onContext(env.target, async (r) => {
        queueScripted(r, env, 'ok', {}, false);
        queueScripted(r, env, 'bad', { result: -5 }, false);
        queueScripted(r, env, 'worse', { result: -22 }, false);
        await r.submit(3);
        expect(r.flushCompletionQueue()).to.equal(-5);
        expect(r.cqReady).to.equal(0);
      });
    });
  });
}
