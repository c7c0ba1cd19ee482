/**
 * @file Tests of a board's peripherals, written as a user writes them for their own board: the
 * world around a device is set through the target's backplane (a temperature, a GPIO input, what
 * a memory holds), the device is used through RTIO, and what it reports is checked with its
 * datasheet's conversion. Each test skips, saying why, where the board lacks the iodev, the
 * backplane verb or the datasheet behaviour it needs; the same tests run on the emulator, the
 * C agent (native, QEMU) and the real drivers of qemu-ast1030-evb.
 */
import { expect } from 'chai';
import { skipBecause } from '../../harness/testing';
import { RTIO_IODEV_GPIO_WAIT_EDGE } from '../../harness/emulator/iodevs/gpio-iodev';
import {
  EIO, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION, sqePrepDelay, sqePrepRead, sqePrepTinyWrite, sqePrepWrite,
} from '../../harness/rtio';
import type { Iodev, Rtio } from '../../harness/rtio';
import type { BackplaneCapability } from '../../harness/target/backplane';
import { onContext } from '../../harness/testing/rtio-fixture';
import {
  FLASH, flashCmd, flashRead, flashStatus, queueFlashProgram, results, SuiteEnv, take,
} from '../rtio-api/env';

/** Longest temperature conversion of the parts here: TMP102 at 4 Hz 250 ms, TMP105 12-bit 320 ms (datasheet maximum). */
const TEMP_CONVERSION_MS = 350;
/** 24C32 write cycle (tWR) is 5 ms; a little more. */
const EEPROM_WRITE_CYCLE_MS = 6;
/** TMP105 configuration with R1:R0 = 11: 12-bit resolution (0.0625 °C). */
const TMP105_CONFIG_12BIT = 0x60;
/** LSM303DLHC gain at CRB = 0x20 (GN = 001, ±1.3 gauss): LSB per gauss for X/Y and for Z. */
const MAG_GAIN_XY = 1100;
const MAG_GAIN_Z = 980;
/** W25Q80: 64 KiB block erase, and the status register's write-enable latch. */
const FLASH_BLOCK_ERASE = 0xd8;
const FLASH_WEL = 0x02;
/** µT per gauss. */
const MICROTESLA_PER_GAUSS = 100;

/** Skips the test unless the target's backplane offers `capability` for `iodev` (and the iodev exists). */
function needBackplane(env: SuiteEnv, ctx: Mocha.Context, capability: BackplaneCapability, iodev: string): void {
  if (!env.target.iodevs.some((d) => d.name === iodev)) skipBecause(ctx, `"${env.boardId}" has no iodev "${iodev}"`);
  const bp = env.target.backplane;
  if (bp === undefined) skipBecause(ctx, `"${env.boardId}" has no backplane to ${capability} with`);
  if (!bp.has(capability, iodev)) skipBecause(ctx, `the backplane of "${env.boardId}" offers no "${capability}" for "${iodev}"`);
}

/** The part of iodev `name`. */
function partOf(env: SuiteEnv, name: string): string | undefined {
  return env.target.iodevs.find((d) => d.name === name)?.part;
}

/** Runs `tx` then a read of `len` bytes as one transaction (a register pointer, then the register), returns the bytes. */
async function readRegister(r: Rtio, dev: Iodev, tx: Uint8Array, len: number): Promise<Uint8Array> {
  const w = r.sqeAcquire()!;
  sqePrepTinyWrite(w, dev, RTIO_PRIO_NORM, tx, tx.length, 'pointer');
  w.flags |= RTIO_SQE_TRANSACTION;
  const buf = new Uint8Array(len);
  sqePrepRead(r.sqeAcquire()!, dev, RTIO_PRIO_NORM, buf, len, 'register');
  await r.submit(2);
  expect(results(await take(r, 2))).to.deep.equal([['pointer', tx.length], ['register', len]]);
  return buf;
}

/** Writes `bytes` to `dev`, then waits `delayMs` on the target's clock, as one chain. */
async function writeThenWait(r: Rtio, dev: Iodev, bytes: Uint8Array, delayMs: number): Promise<void> {
  const w = r.sqeAcquire()!;
  sqePrepWrite(w, dev, RTIO_PRIO_NORM, bytes, bytes.length, 'write');
  w.flags |= RTIO_SQE_CHAINED;
  sqePrepDelay(r.sqeAcquire()!, delayMs, 'wait');
  await r.submit(2);
  expect(results(await take(r, 2))).to.deep.equal([['write', bytes.length], ['wait', 0]]);
}

/** A two's complement 16-bit big-endian value. */
function int16(hi: number, lo: number): number {
  return ((hi << 8) | lo) << 16 >> 16;
}

/** A BCD byte's value. */
function bcd(b: number): number {
  return (b >> 4) * 10 + (b & 0x0f);
}

/** Registers the peripherals suite for board `boardId`. */
export function describePeripherals(boardId: string): void {
  describe(`peripherals on ${boardId}`, function () {
    const env = new SuiteEnv(boardId);
    before(async function () {
      await env.open(this);
    });
    after(async function () {
      await env.close();
    });

    describe('temperature sensor', function () {
      it('reads the temperature set on the sensor, converted as its datasheet says (12-bit, 0.0625 °C a bit)', async function () {
        needBackplane(env, this, 'temperature', 'temp0');
        const part = partOf(env, 'temp0');
        if (part !== 'tmp102' && part !== 'tmp105') skipBecause(this, `temp0 is a "${String(part)}", not a TMP102 or TMP105`);
        const temp = env.target.iodev('temp0');
        await onContext(env.target, async (r, run) => {
          // A TMP105 powers up at 9-bit resolution; set R1:R0 for 12 bits. A TMP102 is always 12-bit.
          if (part === 'tmp105') await writeThenWait(r, temp, Uint8Array.of(0x01, TMP105_CONFIG_12BIT), 0);
          for (const celsius of [-12.5, 31.25, 0.125 + run]) {
            await env.target.backplane!.setTemperature('temp0', celsius);
            sqePrepDelay(r.sqeAcquire()!, TEMP_CONVERSION_MS, 'conversion');
            await r.submit(1);
            await take(r, 1);
            const raw = await readRegister(r, temp, Uint8Array.of(0x00), 2);
            expect((int16(raw[0]!, raw[1]!) >> 4) * 0.0625, `raw ${[...raw].map((b) => b.toString(16)).join(' ')}`).to.equal(celsius);
          }
        });
      });
    });

    describe('EEPROM', function () {
      it('bytes written through RTIO are what the EEPROM then holds', async function () {
        needBackplane(env, this, 'eeprom-contents', 'eeprom0');
        const eeprom = env.target.iodev('eeprom0');
        await onContext(env.target, async (r, run) => {
          const at = 0x0120 + 0x20 * run;
          const data = Uint8Array.from({ length: 16 }, (_, i) => (0x30 + 7 * i + run) & 0xff);
          await writeThenWait(r, eeprom, Uint8Array.of(at >> 8, at & 0xff, ...data), EEPROM_WRITE_CYCLE_MS);
          const held = await env.target.backplane!.readEeprom('eeprom0');
          expect([...held.subarray(at, at + data.length)], `EEPROM contents at 0x${at.toString(16)}`).to.deep.equal([...data]);
          expect([...await readRegister(r, eeprom, Uint8Array.of(at >> 8, at & 0xff), data.length)], 'read back through RTIO').to.deep.equal([...data]);
        });
      });

      it('a page write wraps within its 32-byte page', async function () {
        env.need(this, 'eeprom.page-wrap', 'eeprom0');
        const eeprom = env.target.iodev('eeprom0');
        await onContext(env.target, async (r, run) => {
          const page = 0x0400 + 0x20 * run;
          const data = Uint8Array.of(0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7);
          const at = page + 0x1c; // the last 4 bytes of the page, then 4 that wrap to its start
          await writeThenWait(r, eeprom, Uint8Array.of(at >> 8, at & 0xff, ...data), EEPROM_WRITE_CYCLE_MS);
          expect([...await readRegister(r, eeprom, Uint8Array.of(page >> 8, page & 0xff), 4)], 'the page\'s first bytes').to.deep.equal([0xa4, 0xa5, 0xa6, 0xa7]);
          expect([...await readRegister(r, eeprom, Uint8Array.of(at >> 8, at & 0xff), 4)], 'the page\'s last bytes').to.deep.equal([0xa0, 0xa1, 0xa2, 0xa3]);
        });
      });

      it('during its write cycle the EEPROM does not acknowledge its address (-EIO), and answers after it', async function () {
        env.need(this, 'eeprom.write-cycle', 'eeprom0');
        const eeprom = env.target.iodev('eeprom0');
        await onContext(env.target, async (r, run) => {
          const at = 0x0600 + 0x20 * run;
          const w = r.sqeAcquire()!;
          sqePrepWrite(w, eeprom, RTIO_PRIO_NORM, Uint8Array.of(at >> 8, at & 0xff, 0x5a), 3, 'write');
          w.flags |= RTIO_SQE_CHAINED;
          sqePrepRead(r.sqeAcquire()!, eeprom, RTIO_PRIO_NORM, new Uint8Array(1), 1, 'too-soon');
          await r.submit(2);
          expect(results(await take(r, 2))).to.deep.equal([['write', 3], ['too-soon', -EIO]]);
          sqePrepDelay(r.sqeAcquire()!, EEPROM_WRITE_CYCLE_MS, 'cycle');
          await r.submit(1);
          await take(r, 1);
          expect([...await readRegister(r, eeprom, Uint8Array.of(at >> 8, at & 0xff), 1)]).to.deep.equal([0x5a]);
        });
      });
    });

    describe('SPI NOR flash', function () {
      const fullDuplex = (): boolean => env.target.has('txrx', 'flash0');

      it('a page program, polled until the status register says it is done, reads back (and is what the flash holds)', async function () {
        if (!env.target.iodevs.some((d) => d.name === 'flash0')) skipBecause(this, `"${boardId}" has no iodev "flash0"`);
        const flash = env.target.iodev('flash0');
        await onContext(env.target, async (r, run) => {
          const addr = 0x80000 + 0x100 * run;
          const data = Uint8Array.from({ length: 32 }, (_, i) => (0xc0 ^ (i * 13) ^ run) & 0xff);
          queueFlashProgram(r, flash, addr, data, data.length, 'pp');
          await r.submit(3);
          expect(results(await take(r, 3))).to.deep.equal([['pp:wren', 1], ['pp:pp', 4], ['pp:data', data.length]]);
          let polls = 0;
          while ((await flashStatus(r, flash, fullDuplex()) & FLASH.BUSY) !== 0) {
            expect(++polls, 'status polls before BUSY cleared').to.be.below(1000);
            sqePrepDelay(r.sqeAcquire()!, 1, 'poll');
            await r.submit(1);
            await take(r, 1);
          }
          expect([...await flashRead(r, flash, addr, data.length)], 'read back').to.deep.equal([...data]);
          if (env.target.backplane?.has('flash-contents', 'flash0') === true) {
            const held = await env.target.backplane.readFlash('flash0');
            expect([...held.subarray(addr, addr + data.length)], 'flash contents').to.deep.equal([...data]);
          }
        });
      });

      it('BUSY is set while an erase runs, and WEL clears when it ends', async function () {
        env.need(this, 'flash.busy', 'flash0');
        env.need(this, 'flash.wel-autoclear', 'flash0');
        const flash = env.target.iodev('flash0');
        await onContext(env.target, async (r, run) => {
          const block = 0xa0000 + 0x10000 * run;
          // WREN, a 64 KiB block erase (tBE 150 ms) and a status read chained to it: the read runs on
          // the target right after the erase starts, well inside it, however slow the link is.
          const wren = r.sqeAcquire()!;
          sqePrepTinyWrite(wren, flash, RTIO_PRIO_NORM, Uint8Array.of(FLASH.WREN), 1, 'wren');
          wren.flags |= RTIO_SQE_CHAINED;
          const erase = r.sqeAcquire()!;
          sqePrepWrite(erase, flash, RTIO_PRIO_NORM, flashCmd(FLASH_BLOCK_ERASE, block), 4, 'erase');
          erase.flags |= RTIO_SQE_CHAINED;
          const rdsr = r.sqeAcquire()!;
          sqePrepTinyWrite(rdsr, flash, RTIO_PRIO_NORM, Uint8Array.of(FLASH.RDSR), 1, 'rdsr');
          rdsr.flags |= RTIO_SQE_TRANSACTION;
          const status = new Uint8Array(1);
          sqePrepRead(r.sqeAcquire()!, flash, RTIO_PRIO_NORM, status, 1, 'status');
          await r.submit(4);
          expect(results(await take(r, 4))).to.deep.equal([['wren', 1], ['erase', 4], ['rdsr', 1], ['status', 1]]);
          expect(status[0]! & FLASH.BUSY, 'BUSY right after the erase started').to.equal(FLASH.BUSY);
          while ((await flashStatus(r, flash, fullDuplex()) & FLASH.BUSY) !== 0) {
            sqePrepDelay(r.sqeAcquire()!, 10, 'poll');
            await r.submit(1);
            await take(r, 1);
          }
          expect(await flashStatus(r, flash, fullDuplex()) & FLASH_WEL, 'WEL after the erase').to.equal(0);
          expect([...await flashRead(r, flash, block, 4)], 'erased').to.deep.equal([0xff, 0xff, 0xff, 0xff]);
        });
      });
    });

    describe('GPIO', function () {
      it('an input driven from outside the board completes a waiting edge read with that edge', async function () {
        needBackplane(env, this, 'gpio-input', 'gpio0');
        env.need(this, 'edge-events', 'gpio0');
        const gpio = env.target.iodev('gpio0');
        const line = 4;
        await onContext(env.target, async (r) => {
          for (const level of [1, 0] as const) {
            const rec = new Uint8Array(8);
            const sqe = r.sqeAcquire()!;
            sqePrepRead(sqe, gpio, RTIO_PRIO_NORM, rec, 8, `edge${level}`);
            sqe.iodevFlags = RTIO_IODEV_GPIO_WAIT_EDGE;
            await r.submit(0);
            await env.target.backplane!.driveInput('gpio0', line, level);
            expect(results(await take(r, 1))).to.deep.equal([[`edge${level}`, 8]]);
            expect([rec[0], rec[1]], 'edge record [line, level]').to.deep.equal([line, level]);
          }
        });
      });

      it('an output set through RTIO is the level seen outside the board', async function () {
        needBackplane(env, this, 'gpio-output', 'gpio0');
        const gpio = env.target.iodev('gpio0');
        const line = 1;
        await onContext(env.target, async (r) => {
          for (const level of [1, 0] as const) {
            sqePrepTinyWrite(r.sqeAcquire()!, gpio, RTIO_PRIO_NORM, Uint8Array.of(line, level), 2, 'set');
            await r.submit(1);
            expect(results(await take(r, 1))).to.deep.equal([['set', 2]]);
            expect(await env.target.backplane!.readOutput('gpio0', line), `line ${line} after setting it to ${level}`).to.equal(level);
          }
        });
      });
    });

    describe('magnetometer', function () {
      it('reads the field set on the magnetometer, converted with the gain its CRB register selects', async function () {
        needBackplane(env, this, 'magnetometer', 'mag0');
        const mag = env.target.iodev('mag0');
        await onContext(env.target, async (r, run) => {
          const crb = await readRegister(r, mag, Uint8Array.of(0x01), 1);
          expect(crb[0], 'CRB_REG_M at power-up: GN = 001 (±1.3 gauss)').to.equal(0x20);
          const field = { x: 100 + run, y: 50, z: 25 };
          await env.target.backplane!.setMagneticField('mag0', field);
          // OUT_X_H .. OUT_Y_L: X, Z, Y, each high byte first.
          const out = await readRegister(r, mag, Uint8Array.of(0x03), 6);
          const [x, z, y] = [int16(out[0]!, out[1]!), int16(out[2]!, out[3]!), int16(out[4]!, out[5]!)];
          const got = { x: (x / MAG_GAIN_XY) * MICROTESLA_PER_GAUSS, y: (y / MAG_GAIN_XY) * MICROTESLA_PER_GAUSS, z: (z / MAG_GAIN_Z) * MICROTESLA_PER_GAUSS };
          expect(got.x).to.be.closeTo(field.x, MICROTESLA_PER_GAUSS / MAG_GAIN_XY);
          expect(got.y).to.be.closeTo(field.y, MICROTESLA_PER_GAUSS / MAG_GAIN_XY);
          expect(got.z).to.be.closeTo(field.z, MICROTESLA_PER_GAUSS / MAG_GAIN_Z);
        });
      });
    });

    describe('real-time clock', function () {
      it('a DS1338 counts from the time it was started at, in BCD', async function () {
        needBackplane(env, this, 'rtc-start', 'rtc0');
        if (partOf(env, 'rtc0') !== 'ds1338') skipBecause(this, `rtc0 is a "${String(partOf(env, 'rtc0'))}", not a DS1338`);
        const rtc = env.target.iodev('rtc0');
        const start = env.target.backplane!.rtcStart('rtc0');
        const readTime = async (r: Rtio): Promise<Date> => {
          const t = await readRegister(r, rtc, Uint8Array.of(0x00), 7);
          expect(t[0]! & 0x80, 'CH (clock halt) clear').to.equal(0);
          expect(t[2]! & 0x40, '24-hour mode').to.equal(0);
          return new Date(Date.UTC(2000 + bcd(t[6]!), bcd(t[5]! & 0x1f) - 1, bcd(t[4]! & 0x3f), bcd(t[2]! & 0x3f), bcd(t[1]! & 0x7f), bcd(t[0]! & 0x7f)));
        };
        await onContext(env.target, async (r) => {
          const first = await readTime(r);
          expect(first.getTime(), `RTC read ${first.toISOString()}, started at ${start.toISOString()}`).to.be.at.least(start.getTime());
          sqePrepDelay(r.sqeAcquire()!, 1100, 'a second');
          await r.submit(1);
          await take(r, 1);
          const second = await readTime(r);
          expect(second.getTime() - first.getTime(), `${first.toISOString()} then ${second.toISOString()}`).to.be.at.least(1000);
        });
      });
    });
  });
}
