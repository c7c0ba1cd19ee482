import { expect } from 'chai';
import { VirtualClock } from '../../clock';
import {
  ECANCELED, EIO, ENOMEM, Rtio, RTIO_CQE_FLAG_GET, RTIO_CQE_FLAG_MORE, RTIO_PRIO_NORM,
  RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION, sqePrepRead, sqePrepReadMultishot, sqePrepReadWithPool,
  sqePrepWrite,
} from '../../rtio';
import { I2cBus } from '../bus/i2c-bus';
import { PCF8563_CTRL2_TF, PCF8563_REG, Pcf8563 } from '../devices/pcf8563';
import { RTC_TICK_RECORD_LEN, RtcIodev } from './rtc-iodev';
import { acquire, i2cBitsMs as ms, nextCqe } from '../../testing/cqes';

const P = RTIO_PRIO_NORM;
/** The tick read: START, address, pointer, repeated START, address, 8 bytes, STOP; then the TF clear: START, address, 2 bytes, STOP. */
const TICK_MS = ms(1 + 9 + 9 + 1 + 9 + 72 + 1) + ms(1 + 9 + 18 + 1);
/** The timer period the tests enable: 16 counts of 4096 Hz. */
const PERIOD_MS = 16 / 4.096;

describe('RtcIodev', function () {
  let clock: VirtualClock;
  let bus: I2cBus;
  let rtc: Pcf8563;
  let dev: RtcIodev;
  let r: Rtio;



  /** Writes `bytes` (register, values...) as one chained SQE each, and waits for them. */
  async function writes(...regs: number[][]): Promise<void> {
    regs.forEach((bytes, i) => {
      const w = acquire(r);
      sqePrepWrite(w, dev, P, Uint8Array.from(bytes), bytes.length, `w${i}`);
      if (i < regs.length - 1) w.flags |= RTIO_SQE_CHAINED;
    });
    await r.submit(regs.length);
    for (let i = 0; i < regs.length; i++) {
      const c = await nextCqe(r);
      expect(c.result).to.equal(regs[i]!.length);
      r.cqeRelease(c);
    }
  }

  /** Enables the countdown timer (16 counts at 4096 Hz) with its interrupt. */
  async function enableTimer(): Promise<void> {
    await writes([PCF8563_REG.TIMER, 16], [PCF8563_REG.CONTROL2, 0x01], [PCF8563_REG.TIMER_CONTROL, 0x80]);
  }

  beforeEach(function () {
    clock = new VirtualClock();
    bus = new I2cBus({ clock });
    rtc = new Pcf8563(bus);
    bus.attach(rtc);
    dev = new RtcIodev('rtc0', clock, bus, rtc);
    r = new Rtio({ sqSize: 8, cqSize: 16, mempool: { blockSize: 16, blockCount: 2 }, clock });
  });

  it('reads registers like an I2C iodev: CLKOUT_control through a write-then-read transaction', async function () {
    const rx = new Uint8Array(1);
    const w = acquire(r);
    sqePrepWrite(w, dev, P, Uint8Array.of(PCF8563_REG.CLKOUT), 1);
    w.flags |= RTIO_SQE_TRANSACTION;
    sqePrepRead(acquire(r), dev, P, rx, 1);
    await r.submit(2);
    expect([(await nextCqe(r)).result, (await nextCqe(r)).result]).to.deep.equal([1, 1]);
    expect(rx[0]).to.equal(0x80);
  });

  it('a tick read waits for the timer interrupt, then delivers the time registers and clears TF', async function () {
    await enableTimer();
    // The timer starts as the TE byte is acknowledged: one bit time (the STOP) before the write completes.
    const enabledAt = clock.now() - ms(1);
    sqePrepReadWithPool(acquire(r), dev, P, 'tick');
    await r.submit(1);
    const c = await nextCqe(r);
    expect([c.userdata, c.result]).to.deep.equal(['tick', RTC_TICK_RECORD_LEN]);
    expect(clock.now()).to.be.closeTo(enabledAt + PERIOD_MS + TICK_MS, 1e-9);
    const rec = r.cqeGetMempoolBuffer(c).subarray(0, RTC_TICK_RECORD_LEN);
    expect([...rec], '2000-01-01 00:00:00, weekday 6, VL set').to.deep.equal([0x80, 0x00, 0x00, 0x01, 0x06, 0x01, 0x00]);
    r.releaseBuffer(r.cqeGetMempoolBuffer(c));
    r.cqeRelease(c);
    expect(rtc.interrupt(), 'TF cleared by the read').to.equal(false);
    expect(dev.ticks).to.equal(1);
  });

  it('streams one record per timer period as a multishot read until cancelled', async function () {
    await enableTimer();
    const shot = acquire(r);
    sqePrepReadMultishot(shot, dev, P, 'shot');
    await r.submit(0);
    const at: number[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await nextCqe(r);
      expect([c.result, RTIO_CQE_FLAG_GET(c.flags) & RTIO_CQE_FLAG_MORE]).to.deep.equal([RTC_TICK_RECORD_LEN, RTIO_CQE_FLAG_MORE]);
      at.push(clock.now());
      r.releaseBuffer(r.cqeGetMempoolBuffer(c));
      r.cqeRelease(c);
    }
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!, 'one record per period').to.be.closeTo(PERIOD_MS, 1e-9);
    expect(r.sqeCancel(shot), 'waiting for the next tick: dropped').to.equal(0);
    const last = await nextCqe(r);
    expect([last.result, last.flags]).to.deep.equal([-ECANCELED, 0]);
    r.cqeRelease(last);
    expect(r.inflight).to.equal(0);
  });

  it('waits until cancelled while the timer is off', async function () {
    const tick = acquire(r);
    sqePrepReadWithPool(tick, dev, P, 'tick');
    await r.submit(0);
    expect(await r.cqeConsumeBlock(1000), 'no tick in a second').to.equal(null);
    expect(r.sqeCancel(tick)).to.equal(0);
    expect((await nextCqe(r)).result).to.equal(-ECANCELED);
    expect(dev.depth).to.equal(0);
  });

  it('fails with -ENOMEM before touching the bus when the pool is exhausted', async function () {
    await enableTimer();
    for (const ud of ['a', 'b', 'c']) sqePrepReadWithPool(acquire(r), dev, P, ud);
    await r.submit(3);
    const got = [await nextCqe(r), await nextCqe(r), await nextCqe(r)];
    expect(got.map((c) => c.result)).to.deep.equal([RTC_TICK_RECORD_LEN, RTC_TICK_RECORD_LEN, -ENOMEM]);
    expect(rtc.interrupt(), 'the third tick is still pending').to.equal(true);
    for (const c of got.slice(0, 2)) r.releaseBuffer(r.cqeGetMempoolBuffer(c));
    for (const c of got) r.cqeRelease(c);
  });

  it('applies a NACK fault to the tick read: -EIO, TF left set, no block kept', async function () {
    await enableTimer();
    dev.faults.inject({ kind: 'nack', atByte: 3 });
    sqePrepReadWithPool(acquire(r), dev, P, 'tick');
    await r.submit(1);
    const c = await nextCqe(r);
    expect([c.result, c.flags]).to.deep.equal([-EIO, 0]);
    r.cqeRelease(c);
    expect(r.mempool!.free).to.equal(2);
    const ctrl2 = new Uint8Array(1);
    const w = acquire(r);
    sqePrepWrite(w, dev, P, Uint8Array.of(PCF8563_REG.CONTROL2), 1);
    w.flags |= RTIO_SQE_TRANSACTION;
    sqePrepRead(acquire(r), dev, P, ctrl2, 1);
    await r.submit(2);
    r.cqeRelease(await nextCqe(r));
    r.cqeRelease(await nextCqe(r));
    expect(ctrl2[0]! & PCF8563_CTRL2_TF).to.equal(PCF8563_CTRL2_TF);
  });

  it('rejects an rtc that is not a Pcf8563', function () {
    expect(() => new RtcIodev('rtc0', clock, bus, {} as Pcf8563)).to.throw(TypeError, /"rtc"/);
  });
});
