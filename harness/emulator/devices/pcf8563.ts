import { timeFn } from '../bus/i2c-bus';
import type { I2cDevice, TimeSource } from '../bus/i2c-bus';
import { RegisterPointer } from './register-pointer';

/** Fixed address of the PCF8563: 0x51. */
export const PCF8563_ADDRESS = 0x51;
/** Register addresses (the pointer wraps from 0x0F to 0x00). */
export const PCF8563_REG = {
  CONTROL1: 0x00,
  CONTROL2: 0x01,
  SECONDS: 0x02,
  MINUTES: 0x03,
  HOURS: 0x04,
  DAYS: 0x05,
  WEEKDAYS: 0x06,
  MONTHS: 0x07,
  YEARS: 0x08,
  MINUTE_ALARM: 0x09,
  HOUR_ALARM: 0x0a,
  DAY_ALARM: 0x0b,
  WEEKDAY_ALARM: 0x0c,
  CLKOUT: 0x0d,
  TIMER_CONTROL: 0x0e,
  TIMER: 0x0f,
} as const;
/** Registers: 16. */
export const PCF8563_REGISTERS = 16;
/** CONTROL1: STOP (bit 5) stops the clock. */
export const PCF8563_CTRL1_STOP = 0x20;
/** CONTROL2: timer interrupt enable. */
export const PCF8563_CTRL2_TIE = 0x01;
/** CONTROL2: alarm interrupt enable. */
export const PCF8563_CTRL2_AIE = 0x02;
/** CONTROL2: timer flag (write 0 to clear; writing 1 keeps it). */
export const PCF8563_CTRL2_TF = 0x04;
/** CONTROL2: alarm flag (write 0 to clear; writing 1 keeps it). */
export const PCF8563_CTRL2_AF = 0x08;
/** CONTROL2: TI_TP, stored (INT follows the flags whatever its value). */
export const PCF8563_CTRL2_TI_TP = 0x10;
/** SECONDS: VL, clock integrity not guaranteed (set at power-on, cleared by writing 0). */
export const PCF8563_SECONDS_VL = 0x80;
/** MONTHS: the century bit, toggled when the years roll over from 99 to 00. */
export const PCF8563_MONTHS_CENTURY = 0x80;
/** TIMER_CONTROL: timer enable. */
export const PCF8563_TIMER_TE = 0x80;
/** Timer source clocks for TD1:TD0 = 0..3, in Hz. */
export const PCF8563_TIMER_HZ: readonly number[] = [4096, 64, 1, 1 / 60];
/** Power-on values of the non-time registers (CONTROL1 TESTC, CLKOUT on at 32.768 kHz, timer off at 1/60 Hz). */
export const PCF8563_POR: Readonly<Record<number, number>> = { 0x00: 0x08, 0x0d: 0x80, 0x0e: 0x03 };
/** Power-on weekday of 2000-01-01: 6 (the register counts 0..6; which day is 0 is the user's choice). */
export const PCF8563_POR_WEEKDAY = 6;
/** Days in a 100-year cycle of the device's calendar (every year divisible by 4 is a leap year, 00 included). */
export const PCF8563_DAYS_PER_CENTURY = 36525;
/** Tolerance of the tick count against float rounding, as the IMU's (ms ratio). */
const EPSILON = 1e-9;

const SECONDS_PER_DAY = 86400;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
/** Bits each register keeps when written (time registers: their valid bits). */
const WRITABLE = [0xa8, 0x1f, 0xff, 0x7f, 0x3f, 0x3f, 0x07, 0x9f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x83, 0x83, 0xff] as const;

/** A calendar time as the registers hold it, in binary (not BCD). */
export interface Pcf8563Time {
  /** 0..59. */ readonly seconds: number;
  /** 0..59. */ readonly minutes: number;
  /** 0..23. */ readonly hours: number;
  /** 1..31. */ readonly day: number;
  /** 0..6. */ readonly weekday: number;
  /** 1..12. */ readonly month: number;
  /** 0..99. */ readonly year: number;
  /** The century bit. */ readonly century: boolean;
}

/** `v` (0..99) as BCD. */
export function toBcd(v: number): number {
  return ((Math.floor(v / 10) % 10) << 4) | (v % 10);
}

/** BCD `b` as binary (a nibble above 9 counts at its face value, as a counter would). */
export function fromBcd(b: number): number {
  return ((b >> 4) & 0x0f) * 10 + (b & 0x0f);
}

function isLeap(year: number): boolean {
  return year % 4 === 0;
}

function monthDays(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/** Days from 00-01-01 of a century to `year`-`month`-`day` of it, by the device's calendar. */
export function pcf8563DaysFromDate(year: number, month: number, day: number): number {
  let days = year * 365 + Math.floor((year + 3) / 4);
  for (let m = 1; m < month; m++) days += monthDays(year, m);
  return days + day - 1;
}

/** The date `days` after 00-01-01 of an even century: year 0..99, month, day, and whether the century bit flipped. */
export function pcf8563DateFromDays(days: number): { year: number; month: number; day: number; flipped: boolean } {
  const cycle = Math.floor(days / PCF8563_DAYS_PER_CENTURY);
  let rem = days - cycle * PCF8563_DAYS_PER_CENTURY;
  const group = Math.floor(rem / 1461);
  rem -= group * 1461;
  let year = group * 4;
  if (rem >= 366) {
    const more = Math.floor((rem - 366) / 365);
    year += 1 + more;
    rem = rem - 366 - more * 365;
  }
  let month = 1;
  while (rem >= monthDays(year, month)) {
    rem -= monthDays(year, month);
    month++;
  }
  return { year, month, day: rem + 1, flipped: cycle % 2 === 1 };
}

/** Options of `new Pcf8563(...)`. */
export interface Pcf8563Options {
  /** Seconds since 2000-01-01 00:00:00 the clock shows at virtual time 0. Default 0. */
  readonly startSeconds?: number;
}

/**
 * A PCF8563-style real-time clock at 0x51: 16 registers behind an auto-incrementing pointer
 * (the first byte of a write sets it; it wraps from 0x0F to 0x00).
 * - Clock: seconds to years in BCD, counting from the virtual time, with a century bit toggled
 *   when the years roll over from 99 to 00; every year divisible by 4 is a leap year (00 too),
 *   as in the device. At power-on it reads 2000-01-01 00:00:00 (plus `startSeconds`), weekday
 *   6, with VL set. The time counters are frozen from each START to its STOP, as in the device:
 *   reads in one transfer are consistent, and time registers written in one transfer take
 *   effect together at its STOP (restarting the second, which the model keeps as whole
 *   seconds from the STOP). Written values out of range are clamped (the device would count
 *   from them). STOP (CONTROL1 bit 5) freezes the clock; clearing it restarts the second.
 * - Countdown timer: TE and TD1:TD0 in TIMER_CONTROL, the count in TIMER; it sets TF every
 *   count / source-Hz seconds from when it was enabled or reloaded (count 0: never). TF and AF
 *   are cleared by writing 0 to them (writing 1 keeps them). INT is asserted while
 *   (TF and TIE) or (AF and AIE).
 * - Not modelled: the alarm (AF never sets by itself: alarm registers are only stored), CLKOUT
 *   (stored), low voltage (VL sets only at power-on), TEST1 modes.
 */
export class Pcf8563 implements I2cDevice {
  /** The fixed address. */
  readonly address = PCF8563_ADDRESS;
  /** Times the timer flag was set. */
  timerFlags = 0;

  private readonly now: () => number;
  private readonly regs = new Uint8Array(PCF8563_REGISTERS);
  /** Calendar seconds (since 00-01-01 of an even century) at `baseAtMs`, and the weekday then. */
  private base: number;
  private baseAtMs = 0;
  private baseWeekday = PCF8563_POR_WEEKDAY;
  private baseCentury = false;
  private vl = true;
  /** Time registers frozen at the START of the current transfer (written values overlay them). */
  private readonly latch = new Uint8Array(7);
  private latchWritten = false;
  private inTransfer = false;
  private readonly registers = new RegisterPointer({
    pointerMask: 0x0f,
    nextPointer: (p) => (p + 1) % PCF8563_REGISTERS,
    readRegister: (p) => this.readRegister(p),
    writeRegister: (p, v) => this.writeRegister(p, v),
  });
  private timerEpochMs = 0;
  private timerCounted = 0;

  /** `time` gives the virtual time (pass the bus, so each byte sees its wire time). */
  constructor(time: TimeSource, opts: Pcf8563Options = {}) {
    this.now = timeFn(time);
    const start = opts.startSeconds ?? 0;
    if (!Number.isInteger(start) || start < 0) throw new RangeError(`"startSeconds" must be an integer >= 0, got ${String(start)}`);
    this.base = start;
    for (const [reg, v] of Object.entries(PCF8563_POR)) this.regs[Number(reg)] = v;
  }

  /** Calendar seconds since 2000-01-01 00:00:00 the clock shows now (not frozen by a transfer). */
  seconds(): number {
    return this.secondsAt(this.now());
  }

  /** The time the clock shows now, decoded. */
  time(): Pcf8563Time {
    return this.timeAt(this.now());
  }

  /** True while INT is asserted: (TF and TIE) or (AF and AIE). */
  interrupt(): boolean {
    this.updateTimer();
    const c2 = this.regs[PCF8563_REG.CONTROL2]!;
    return ((c2 & PCF8563_CTRL2_TF) !== 0 && (c2 & PCF8563_CTRL2_TIE) !== 0) ||
      ((c2 & PCF8563_CTRL2_AF) !== 0 && (c2 & PCF8563_CTRL2_AIE) !== 0);
  }

  /** Virtual ms when TF next sets (Infinity when the timer is off); INT follows if TIE is set. */
  nextTimerFlagAt(): number {
    this.updateTimer();
    const period = this.timerPeriodMs();
    return period === null ? Infinity : this.timerEpochMs + (this.timerCounted + 1) * period;
  }

  start(read: boolean): boolean {
    if (!this.inTransfer) {
      this.inTransfer = true;
      this.latchTime(this.now());
      this.latchWritten = false;
    }
    this.registers.start(read);
    return true;
  }

  write(byte: number): boolean {
    return this.registers.write(byte);
  }

  read(): number {
    return this.registers.read();
  }

  stop(): void {
    this.inTransfer = false;
    this.registers.stop();
    if (!this.latchWritten) return;
    this.latchWritten = false;
    this.setTime(this.latch, this.now());
  }

  private secondsAt(at: number): number {
    if ((this.regs[PCF8563_REG.CONTROL1]! & PCF8563_CTRL1_STOP) !== 0) return this.base;
    return this.base + Math.floor((at - this.baseAtMs) / 1000 + EPSILON);
  }

  private timeAt(at: number): Pcf8563Time {
    const s = this.secondsAt(at);
    const days = Math.floor(s / SECONDS_PER_DAY);
    const inDay = s - days * SECONDS_PER_DAY;
    const date = pcf8563DateFromDays(days);
    const baseDays = Math.floor(this.base / SECONDS_PER_DAY);
    return {
      seconds: inDay % 60,
      minutes: Math.floor(inDay / 60) % 60,
      hours: Math.floor(inDay / 3600),
      day: date.day,
      weekday: (this.baseWeekday + days - baseDays) % 7,
      month: date.month,
      year: date.year,
      century: this.baseCentury !== date.flipped,
    };
  }

  /** Freezes the time registers as they are at `at`. */
  private latchTime(at: number): void {
    const t = this.timeAt(at);
    this.latch[0] = (this.vl ? PCF8563_SECONDS_VL : 0) | toBcd(t.seconds);
    this.latch[1] = toBcd(t.minutes);
    this.latch[2] = toBcd(t.hours);
    this.latch[3] = toBcd(t.day);
    this.latch[4] = t.weekday;
    this.latch[5] = (t.century ? PCF8563_MONTHS_CENTURY : 0) | toBcd(t.month);
    this.latch[6] = toBcd(t.year);
  }

  /** Sets the clock from time registers `r` (SECONDS..YEARS) at `at`. */
  private setTime(r: Uint8Array, at: number): void {
    const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
    const year = clamp(fromBcd(r[6]!), 0, 99);
    const month = clamp(fromBcd(r[5]! & 0x1f), 1, 12);
    const day = clamp(fromBcd(r[3]! & 0x3f), 1, monthDays(year, month));
    const hours = clamp(fromBcd(r[2]! & 0x3f), 0, 23);
    const minutes = clamp(fromBcd(r[1]! & 0x7f), 0, 59);
    const seconds = clamp(fromBcd(r[0]! & 0x7f), 0, 59);
    this.vl = (r[0]! & PCF8563_SECONDS_VL) !== 0;
    this.baseCentury = (r[5]! & PCF8563_MONTHS_CENTURY) !== 0;
    this.baseWeekday = Math.min(r[4]! & 0x07, 6);
    this.base = pcf8563DaysFromDate(year, month, day) * SECONDS_PER_DAY + hours * 3600 + minutes * 60 + seconds;
    this.baseAtMs = at;
  }

  private readRegister(reg: number): number {
    if (reg >= PCF8563_REG.SECONDS && reg <= PCF8563_REG.YEARS) return this.latch[reg - PCF8563_REG.SECONDS]!;
    if (reg === PCF8563_REG.CONTROL2) this.updateTimer();
    return this.regs[reg]!;
  }

  private writeRegister(reg: number, v: number): void {
    const at = this.now();
    const kept = v & WRITABLE[reg]!;
    if (reg >= PCF8563_REG.SECONDS && reg <= PCF8563_REG.YEARS) {
      this.latch[reg - PCF8563_REG.SECONDS] = kept;
      this.latchWritten = true;
      return;
    }
    switch (reg) {
      case PCF8563_REG.CONTROL1: {
        const wasStopped = (this.regs[reg]! & PCF8563_CTRL1_STOP) !== 0;
        const stop = (kept & PCF8563_CTRL1_STOP) !== 0;
        if (!wasStopped && stop) this.base = this.secondsAt(at);
        if (wasStopped !== stop) this.baseAtMs = at;
        this.regs[reg] = kept;
        return;
      }
      case PCF8563_REG.CONTROL2: {
        this.updateTimer();
        const flags = PCF8563_CTRL2_TF | PCF8563_CTRL2_AF;
        this.regs[reg] = (kept & ~flags) | (this.regs[reg]! & kept & flags);
        return;
      }
      case PCF8563_REG.TIMER_CONTROL:
      case PCF8563_REG.TIMER: {
        this.updateTimer();
        const before = this.timerPeriodMs();
        this.regs[reg] = kept;
        if (reg === PCF8563_REG.TIMER || this.timerPeriodMs() !== before) this.restartTimer(at);
        return;
      }
      default:
        this.regs[reg] = kept;
    }
  }

  private timerPeriodMs(): number | null {
    const ctl = this.regs[PCF8563_REG.TIMER_CONTROL]!;
    const n = this.regs[PCF8563_REG.TIMER]!;
    if ((ctl & PCF8563_TIMER_TE) === 0 || n === 0) return null;
    return (n * 1000) / PCF8563_TIMER_HZ[ctl & 0x03]!;
  }

  private restartTimer(at: number): void {
    this.timerEpochMs = at;
    this.timerCounted = 0;
  }

  /** Sets TF if the timer expired since it was last looked at. */
  private updateTimer(): void {
    const period = this.timerPeriodMs();
    if (period === null) return;
    const k = Math.floor((this.now() - this.timerEpochMs) / period + EPSILON);
    if (k <= this.timerCounted) return;
    this.timerCounted = k;
    this.timerFlags++;
    this.regs[PCF8563_REG.CONTROL2] = this.regs[PCF8563_REG.CONTROL2]! | PCF8563_CTRL2_TF;
  }
}
