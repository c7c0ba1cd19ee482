import { expect } from 'chai';
import {
  RTIO_PRIO_NORM, RTIO_SQE_CHAINED, sqePrepAwaitExecutor, sqePrepAwaitIodev, sqePrepDelay, sqePrepI2cConfigure,
  sqePrepI2cRecover, sqePrepNop, sqePrepRead, sqePrepTinyWrite, sqePrepTransceive, sqePrepWrite, sqeSignal,
} from '../../harness/rtio';
import { onContext } from '../../harness/testing/rtio-fixture';
import { queueScripted } from './chains';
import type { SuiteEnv } from './env';
import { results, take } from './env';

/** Executor ops (NOP, AWAIT, DELAY) and the remaining transfer ops. */
export function opTests(env: SuiteEnv): void {
  describe('operations', function () {
    it('a NOP without an iodev completes at once with 0', async function () {
      await onContext(env.target, async (r) => {
        sqePrepNop(r.sqeAcquire()!, null, 'nop');
        await r.submit(0);
        expect(results(await take(r, 1))).to.deep.equal([['nop', 0]]);
      });
    });

    it('an executor AWAIT completes when signalled after it is reached', async function () {
      await onContext(env.target, async (r) => {
        const wait = r.sqeAcquire()!;
        sqePrepAwaitExecutor(wait, RTIO_PRIO_NORM, 'await');
        wait.flags |= RTIO_SQE_CHAINED;
        sqePrepNop(r.sqeAcquire()!, null, 'after');
        await r.submit(0);
        expect(await r.cqeConsumeBlock(5), 'nothing completes before the signal').to.equal(null);
        sqeSignal(wait);
        expect(results(await take(r, 2))).to.deep.equal([['await', 0], ['after', 0]]);
      });
    });

    it('an AWAIT signalled before it is reached completes as soon as it is reached', async function () {
      await onContext(env.target, async (r) => {
        queueScripted(r, env, 'first', { delayMs: 2 }, true);
        const wait = r.sqeAcquire()!;
        sqePrepAwaitExecutor(wait, RTIO_PRIO_NORM, 'await');
        sqeSignal(wait);
        await r.submit(2);
        expect(results(await take(r, 2))).to.deep.equal([['first', 0], ['await', 0]]);
      });
    });

    it('an iodev AWAIT holds its iodev until signalled', async function () {
      env.need(this, 'await', 'test0');
      const test0 = env.target.iodev('test0');
      await onContext(env.target, async (r) => {
        const wait = r.sqeAcquire()!;
        sqePrepAwaitIodev(wait, test0, RTIO_PRIO_NORM, 'await');
        queueScripted(r, env, 'behind', {}, false);
        await r.submit(0);
        expect(await r.cqeConsumeBlock(5), 'the NOP waits behind the AWAIT').to.equal(null);
        sqeSignal(wait);
        expect(results(await take(r, 2))).to.deep.equal([['await', 0], ['behind', 0]]);
      });
    });

    it('DELAY completes with 0 after its time on the target clock', async function () {
      await onContext(env.target, async (r) => {
        const clock = env.target.clock;
        const t0 = clock.now();
        sqePrepDelay(r.sqeAcquire()!, 10, 'delay');
        await r.submit(1);
        expect(results(await take(r, 1))).to.deep.equal([['delay', 0]]);
        expect(clock.now() - t0, "ms on the target clock").to.be.at.least(10 - 1e-6);
        if (env.target.has('virtual-time')) expect(clock.now() - t0, 'exactly its time on a virtual clock').to.be.closeTo(10, 1e-9);
      });
    });

    it('TXRX moves both directions at once (the test iodev loops tx back to rx)', async function () {
      const test0 = env.target.iodev('test0');
      await onContext(env.target, async (r, run) => {
        const tx = Uint8Array.of(1, 2, 3, run);
        const rx = new Uint8Array(4);
        sqePrepTransceive(r.sqeAcquire()!, test0, RTIO_PRIO_NORM, tx, rx, 4, 'txrx');
        await r.submit(1);
        expect(results(await take(r, 1))).to.deep.equal([['txrx', 4]]);
        expect(rx).to.deep.equal(tx);
      });
    });

    it('TINY_TX copies its bytes: the caller may reuse the buffer right after prep', async function () {
      const eeprom = env.target.iodev('eeprom0');
      await onContext(env.target, async (r, run) => {
        const at = 0x0200 + 8 * run;
        const data = Uint8Array.of(at >> 8, at & 0xff, 0x11, 0x22, 0x33);
        const write = r.sqeAcquire()!;
        sqePrepTinyWrite(write, eeprom, RTIO_PRIO_NORM, data, 5, 'tiny');
        data.fill(0);
        write.flags |= RTIO_SQE_CHAINED;
        const cycle = r.sqeAcquire()!;
        sqePrepDelay(cycle, 6, 'cycle');
        cycle.flags |= RTIO_SQE_CHAINED;
        const addr = r.sqeAcquire()!;
        sqePrepWrite(addr, eeprom, RTIO_PRIO_NORM, Uint8Array.of(at >> 8, at & 0xff), 2, 'addr');
        addr.flags |= RTIO_SQE_CHAINED;
        const back = new Uint8Array(3);
        sqePrepRead(r.sqeAcquire()!, eeprom, RTIO_PRIO_NORM, back, 3, 'read');
        await r.submit(4);
        expect(results(await take(r, 4))).to.deep.equal([['tiny', 5], ['cycle', 0], ['addr', 2], ['read', 3]]);
        expect([...back]).to.deep.equal([0x11, 0x22, 0x33]);
      });
    });

    it('I2C configure and recover complete with 0 on an I2C iodev', async function () {
      const temp = env.target.iodev('temp0');
      await onContext(env.target, async (r) => {
        const I2C_SPEED_FAST_CONTROLLER = (2 << 1) | (1 << 4);
        sqePrepI2cConfigure(r.sqeAcquire()!, temp, RTIO_PRIO_NORM, I2C_SPEED_FAST_CONTROLLER, 'configure');
        sqePrepI2cRecover(r.sqeAcquire()!, temp, RTIO_PRIO_NORM, 'recover');
        await r.submit(2);
        expect(results(await take(r, 2))).to.deep.equal([['configure', 0], ['recover', 0]]);
      });
    });
  });
}
