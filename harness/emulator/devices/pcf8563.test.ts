import { expect } from 'chai';
import { VirtualClock } from '../../clock';
import { I2cBus } from '../bus/i2c-bus';
import {
  PCF8563_ADDRESS, PCF8563_CTRL2_TF, PCF8563_DAYS_PER_CENTURY, PCF8563_REG, Pcf8563, fromBcd, pcf8563DateFromDays,
  pcf8563DaysFromDate, toBcd,
} from './pcf8563';

describe('Pcf8563', function () {
  let t: number;
  let bus: I2cBus;
  let rtc: Pcf8563;

  /** Reads `n` registers from `reg` in one transfer (pointer, repeated START, read). */
  function readRegs(reg: number, n: number): number[] {
    const rx = new Uint8Array(n);
    const r = bus.transfer(PCF8563_ADDRESS, [{ read: false, buf: Uint8Array.of(reg), len: 1 }, { read: true, buf: rx, len: n }]);
    expect(r.status).to.equal(0);
    return [...rx];
  }

  /** Writes `values` from register `reg` on in one transfer. */
  function writeRegs(reg: number, ...values: number[]): void {
    const r = bus.transfer(PCF8563_ADDRESS, [{ read: false, buf: Uint8Array.of(reg, ...values), len: values.length + 1 }]);
    expect(r.status).to.equal(0);
  }

  /** SECONDS..YEARS as read now. */
  function timeRegs(): number[] {
    return readRegs(PCF8563_REG.SECONDS, 7);
  }

  beforeEach(function () {
    t = 0;
    bus = new I2cBus();
    rtc = new Pcf8563(() => t);
    bus.attach(rtc);
  });

  it('powers on at 0x51 reading 2000-01-01 00:00:00, weekday 6, VL set, CLKOUT on, timer off', function () {
    expect(rtc.address).to.equal(0x51);
    expect(readRegs(0x00, 16)).to.deep.equal([
      0x08, 0x00, 0x80, 0x00, 0x00, 0x01, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x03, 0x00,
    ]);
  });

  it('counts whole seconds of virtual time in BCD, VL staying set until the seconds are written', function () {
    t = 3_725_999;
    expect(timeRegs()).to.deep.equal([0x80 | 0x05, 0x02, 0x01, 0x01, 0x06, 0x01, 0x00]);
    t = 86_400_000;
    expect(timeRegs(), 'midnight: the next day and weekday 0').to.deep.equal([0x80, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00]);
  });

  it('takes a time written in one transfer at its STOP, clears VL and restarts the second there', function () {
    t = 1_700;
    writeRegs(PCF8563_REG.SECONDS, 0x30, 0x45, 0x12, 0x15, 0x03, 0x06, 0x24);
    expect(timeRegs()).to.deep.equal([0x30, 0x45, 0x12, 0x15, 0x03, 0x06, 0x24]);
    t = 2_699;
    expect(timeRegs()[0]).to.equal(0x30);
    t = 2_700;
    expect(timeRegs()[0]).to.equal(0x31);
    expect(rtc.time()).to.deep.equal({ seconds: 31, minutes: 45, hours: 12, day: 15, weekday: 3, month: 6, year: 24, century: false });
  });

  it('rolls over from 99-12-31 to 00-01-01, toggling the century bit and the weekday', function () {
    writeRegs(PCF8563_REG.SECONDS, 0x59, 0x59, 0x23, 0x31, 0x05, 0x12, 0x99);
    t = 1_000;
    expect(timeRegs()).to.deep.equal([0x00, 0x00, 0x00, 0x01, 0x06, 0x80 | 0x01, 0x00]);
  });

  it('treats every year divisible by 4 as a leap year, 00 included', function () {
    writeRegs(PCF8563_REG.SECONDS, 0x59, 0x59, 0x23, 0x28, 0x00, 0x02, 0x24);
    t = 1_000;
    expect(timeRegs().slice(3), '2024-02-29').to.deep.equal([0x29, 0x01, 0x02, 0x24]);
    writeRegs(PCF8563_REG.SECONDS, 0x59, 0x59, 0x23, 0x28, 0x00, 0x02, 0x23);
    t = 2_000;
    expect(timeRegs().slice(3), '2023-03-01').to.deep.equal([0x01, 0x01, 0x03, 0x23]);
    expect(pcf8563DateFromDays(pcf8563DaysFromDate(0, 2, 29))).to.deep.equal({ year: 0, month: 2, day: 29, flipped: false });
    expect(pcf8563DaysFromDate(99, 12, 31) + 1).to.equal(PCF8563_DAYS_PER_CENTURY);
  });

  it('freezes the time counters from START to STOP, so one read is consistent across a second boundary', function () {
    const clock = new VirtualClock();
    const timed = new I2cBus({ clock });
    const frozen = new Pcf8563(timed);
    timed.attach(frozen);
    // START at 999.95 ms: the address is acknowledged at 999.975, the seconds byte is read at 1000.0225.
    clock.advance(999.95);
    const rx = new Uint8Array(7);
    const r = timed.transfer(PCF8563_ADDRESS, [{ read: false, buf: Uint8Array.of(PCF8563_REG.SECONDS), len: 1 }, { read: true, buf: rx, len: 7 }]);
    expect(r.startMs + r.durationMs, 'the transfer ends after the second boundary').to.be.greaterThan(1000);
    expect(rx[0], 'latched at the START').to.equal(0x80);
    clock.advance(r.startMs + r.durationMs - clock.now());
    expect(frozen.seconds(), 'but the clock ran on').to.equal(1);
  });

  it('stops the clock while CONTROL1 STOP is set and restarts the second when it is cleared', function () {
    t = 5_500;
    writeRegs(PCF8563_REG.CONTROL1, 0x20);
    t = 10_000;
    expect(fromBcd(timeRegs()[0]! & 0x7f)).to.equal(5);
    writeRegs(PCF8563_REG.CONTROL1, 0x00);
    t = 10_999;
    expect(fromBcd(timeRegs()[0]! & 0x7f)).to.equal(5);
    t = 11_000;
    expect(fromBcd(timeRegs()[0]! & 0x7f)).to.equal(6);
  });

  it('clamps written values out of range', function () {
    writeRegs(PCF8563_REG.SECONDS, 0x00, 0x00, 0x00, 0x31, 0x07, 0x02, 0x23);
    expect(timeRegs().slice(3), 'February 31 is the 28th; weekday 7 is 6').to.deep.equal([0x28, 0x06, 0x02, 0x23]);
    writeRegs(PCF8563_REG.MONTHS, 0x13);
    expect(timeRegs()[5], 'month 13 is 12').to.equal(0x12);
  });

  it('sets TF every count / source period from when the timer is enabled; INT needs TIE', function () {
    writeRegs(PCF8563_REG.TIMER, 16);
    writeRegs(PCF8563_REG.TIMER_CONTROL, 0x80);
    const period = 16 / 4.096;
    expect(rtc.nextTimerFlagAt()).to.equal(period);
    t = period - 0.001;
    expect(readRegs(PCF8563_REG.CONTROL2, 1)[0]! & PCF8563_CTRL2_TF).to.equal(0);
    t = period;
    expect(readRegs(PCF8563_REG.CONTROL2, 1)[0]! & PCF8563_CTRL2_TF).to.equal(PCF8563_CTRL2_TF);
    expect(rtc.interrupt(), 'TIE is off').to.equal(false);
    writeRegs(PCF8563_REG.CONTROL2, 0x01 | PCF8563_CTRL2_TF);
    expect(rtc.interrupt(), 'TF kept (written as 1), TIE on').to.equal(true);
    writeRegs(PCF8563_REG.CONTROL2, 0x01);
    expect(rtc.interrupt(), 'TF cleared by writing 0').to.equal(false);
    expect(rtc.nextTimerFlagAt()).to.equal(2 * period);
    expect(rtc.timerFlags).to.equal(1);
  });

  it('never sets AF or TF by writing 1 to them', function () {
    writeRegs(PCF8563_REG.CONTROL2, 0x1f);
    expect(readRegs(PCF8563_REG.CONTROL2, 1)).to.deep.equal([0x13]);
  });

  it('wraps the register pointer from 0x0F to 0x00', function () {
    writeRegs(PCF8563_REG.TIMER, 0x07, 0x08);
    expect(readRegs(PCF8563_REG.TIMER, 2)).to.deep.equal([0x07, 0x08]);
  });

  it('converts BCD both ways', function () {
    expect([toBcd(0), toBcd(9), toBcd(59), toBcd(99)]).to.deep.equal([0x00, 0x09, 0x59, 0x99]);
    expect([fromBcd(0x00), fromBcd(0x59), fromBcd(0x99)]).to.deep.equal([0, 59, 99]);
  });
});
