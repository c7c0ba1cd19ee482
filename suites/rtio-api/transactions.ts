import { expect } from 'chai';
import { skipBecause } from '../../harness/testing';
import {
  ECANCELED, EIO, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION, sqePrepRead, sqePrepTinyWrite,
  sqePrepWrite,
} from '../../harness/rtio';
import { probeFor } from '../../harness/testing/conformance/probes';
import { onContext } from '../../harness/testing/rtio-fixture';
import type { SuiteEnv } from './env';
import { FLASH, flashCmd, flashRead, flashWaitIdle, results, take } from './env';

/** Transactions: one unit at the head's iodev, one CQE per member. */
export function transactionTests(env: SuiteEnv): void {
  describe('transactions', function () {
    it('an I2C write-then-read transaction reads the register it points at, one CQE per member', async function () {
      const temp = env.target.iodev('temp0');
      // The part's power-on configuration register (a TMP102's 0x60A0, a TMP105's 0x00).
      const identity = probeFor(env.target.iodevs.find((d) => d.name === 'temp0')!).identity;
      if (identity === undefined) skipBecause(this, 'the conformance kit knows no configuration register of temp0\'s part');
      await onContext(env.target, async (r) => {
        const config = new Uint8Array(identity!.expect.length);
        const pointer = r.sqeAcquire()!;
        sqePrepTinyWrite(pointer, temp, RTIO_PRIO_NORM, identity!.tx, identity!.tx.length, 'pointer');
        pointer.flags |= RTIO_SQE_TRANSACTION;
        sqePrepRead(r.sqeAcquire()!, temp, RTIO_PRIO_NORM, config, config.length, 'config');
        await r.submit(2);
        expect(results(await take(r, 2))).to.deep.equal([['pointer', identity!.tx.length], ['config', config.length]]);
        expect([...config], 'power-on configuration').to.deep.equal([...identity!.expect]);
      });
    });

    it('an SPI transaction holds chip select: a command and its data in two members program the flash', async function () {
      const flash = env.target.iodev('flash0');
      await onContext(env.target, async (r, run) => {
        const addr = env.flashPage();
        const data = Uint8Array.of(0xc0, 0xde, run, 0x42);
        const wren = r.sqeAcquire()!;
        sqePrepTinyWrite(wren, flash, RTIO_PRIO_NORM, Uint8Array.of(FLASH.WREN), 1, 'wren');
        wren.flags |= RTIO_SQE_CHAINED;
        const cmd = r.sqeAcquire()!;
        sqePrepWrite(cmd, flash, RTIO_PRIO_NORM, flashCmd(FLASH.PP, addr), 4, 'cmd');
        cmd.flags |= RTIO_SQE_TRANSACTION;
        sqePrepWrite(r.sqeAcquire()!, flash, RTIO_PRIO_NORM, data, 4, 'data');
        await r.submit(3);
        expect(results(await take(r, 3))).to.deep.equal([['wren', 1], ['cmd', 4], ['data', 4]]);
        await flashWaitIdle(r, flash, env.target.has('txrx', 'flash0'));
        expect(await flashRead(r, flash, addr, 4)).to.deep.equal(data);
      });
    });

    it('between chain members chip select is released: a command and its data as two chained SQEs program nothing', async function () {
      const flash = env.target.iodev('flash0');
      await onContext(env.target, async (r) => {
        const addr = env.flashPage();
        const wren = r.sqeAcquire()!;
        sqePrepTinyWrite(wren, flash, RTIO_PRIO_NORM, Uint8Array.of(FLASH.WREN), 1, 'wren');
        wren.flags |= RTIO_SQE_CHAINED;
        const cmd = r.sqeAcquire()!;
        sqePrepWrite(cmd, flash, RTIO_PRIO_NORM, flashCmd(FLASH.PP, addr), 4, 'cmd');
        cmd.flags |= RTIO_SQE_CHAINED;
        sqePrepWrite(r.sqeAcquire()!, flash, RTIO_PRIO_NORM, Uint8Array.of(0, 0, 0, 0), 4, 'data');
        await r.submit(3);
        expect(results(await take(r, 3))).to.deep.equal([['wren', 1], ['cmd', 4], ['data', 4]]);
        await flashWaitIdle(r, flash, env.target.has('txrx', 'flash0'));
        expect([...(await flashRead(r, flash, addr, 4))], 'flash still erased').to.deep.equal([0xff, 0xff, 0xff, 0xff]);
      });
    });

    it('a NACK inside a transaction fails that member; earlier members succeed, later ones are cancelled', async function () {
      env.need(this, 'fault-injection');
      const eeprom = env.target.iodev('eeprom0');
      await onContext(env.target, async (r) => {
        // Bytes on the wire: 0 address+W, 1-2 word address, 3 address+R after the repeated start.
        env.target.injectFault('eeprom0', { kind: 'nack', atByte: 3 });
        const addr = r.sqeAcquire()!;
        sqePrepWrite(addr, eeprom, RTIO_PRIO_NORM, Uint8Array.of(0, 0), 2, 'address');
        addr.flags |= RTIO_SQE_TRANSACTION;
        const first = r.sqeAcquire()!;
        sqePrepRead(first, eeprom, RTIO_PRIO_NORM, new Uint8Array(4), 4, 'read');
        first.flags |= RTIO_SQE_TRANSACTION;
        sqePrepRead(r.sqeAcquire()!, eeprom, RTIO_PRIO_NORM, new Uint8Array(4), 4, 'more');
        await r.submit(3);
        expect(results(await take(r, 3))).to.deep.equal([['address', 2], ['read', -EIO], ['more', -ECANCELED]]);
      });
    });

    it('a NACK of the address byte fails the operation with -EIO', async function () {
      env.need(this, 'fault-injection');
      const temp = env.target.iodev('temp0');
      await onContext(env.target, async (r) => {
        env.target.injectFault('temp0', { kind: 'nack', atByte: 0 });
        sqePrepRead(r.sqeAcquire()!, temp, RTIO_PRIO_NORM, new Uint8Array(2), 2, 'read');
        await r.submit(1);
        expect(results(await take(r, 1))).to.deep.equal([['read', -EIO]]);
      });
    });
  });
}
