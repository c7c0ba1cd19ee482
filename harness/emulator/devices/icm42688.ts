import { timeFn } from '../bus/i2c-bus';
import type { I2cDevice, TimeSource } from '../bus/i2c-bus';
import { hash32 } from './hash32';
import { RegisterPointer } from './register-pointer';

/** Default address: 0x68 (AP_AD0 low; 0x69 when high). */
export const ICM42688_DEFAULT_ADDRESS = 0x68;
/** DEVICE_CONFIG: bit 0 is SOFT_RESET_CONFIG. */
export const ICM42688_REG_DEVICE_CONFIG = 0x11;
/** FIFO_CONFIG: FIFO_MODE in bits 7:6 (0 bypass, 1 stream, 2/3 stop-on-full). */
export const ICM42688_REG_FIFO_CONFIG = 0x16;
/** TEMP_DATA1: first of the 14 data registers (temperature, accel XYZ, gyro XYZ, big-endian). */
export const ICM42688_REG_TEMP_DATA1 = 0x1d;
/** INT_STATUS: RESET_DONE (bit 4), DATA_RDY (3), FIFO_THS (2), FIFO_FULL (1); cleared on read. */
export const ICM42688_REG_INT_STATUS = 0x2d;
/** FIFO_COUNTH: FIFO byte count, high byte (latches the count for FIFO_COUNTL). */
export const ICM42688_REG_FIFO_COUNTH = 0x2e;
/** FIFO_COUNTL: FIFO byte count, low byte. */
export const ICM42688_REG_FIFO_COUNTL = 0x2f;
/** FIFO_DATA: each read pops one FIFO byte; auto-increment stops here. */
export const ICM42688_REG_FIFO_DATA = 0x30;
/** SIGNAL_PATH_RESET: bit 1 is FIFO_FLUSH. */
export const ICM42688_REG_SIGNAL_PATH_RESET = 0x4b;
/** PWR_MGMT0: GYRO_MODE bits 3:2 (3 = low noise), ACCEL_MODE bits 1:0 (2 low power, 3 low noise). */
export const ICM42688_REG_PWR_MGMT0 = 0x4e;
/** GYRO_CONFIG0: GYRO_ODR in bits 3:0. */
export const ICM42688_REG_GYRO_CONFIG0 = 0x4f;
/** ACCEL_CONFIG0: ACCEL_FS_SEL in bits 7:5 (0 = ±16 g .. 3 = ±2 g), ACCEL_ODR in bits 3:0. */
export const ICM42688_REG_ACCEL_CONFIG0 = 0x50;
/** FIFO_CONFIG1: which sensors go to the FIFO (the model always writes 16-byte packets). */
export const ICM42688_REG_FIFO_CONFIG1 = 0x5f;
/** FIFO_CONFIG2: FIFO watermark in bytes, low byte (bits 11:8 in FIFO_CONFIG3). */
export const ICM42688_REG_FIFO_CONFIG2 = 0x60;
/** FIFO_CONFIG3: FIFO watermark bits 11:8. */
export const ICM42688_REG_FIFO_CONFIG3 = 0x61;
/** WHO_AM_I (read-only). */
export const ICM42688_REG_WHO_AM_I = 0x75;
/** REG_BANK_SEL: only bank 0 is modelled; other banks read 0 and ignore writes. */
export const ICM42688_REG_BANK_SEL = 0x76;
/** Value of WHO_AM_I. */
export const ICM42688_WHO_AM_I = 0x47;
/** FIFO capacity in bytes. */
export const ICM42688_FIFO_SIZE = 2048;
/** Bytes per FIFO packet (packet 3: header, accel, gyro, temperature, timestamp). */
export const ICM42688_PACKET_SIZE = 16;
/** FIFO capacity in whole packets. */
export const ICM42688_FIFO_PACKETS = ICM42688_FIFO_SIZE / ICM42688_PACKET_SIZE;
/** Header of every packet: HEADER_ACCEL | HEADER_GYRO | TIMESTAMP_FIELD = ODR timestamp. */
export const ICM42688_PACKET_HEADER = 0x68;
/** What FIFO_DATA returns when the FIFO is empty: a header with HEADER_MSG (bit 7) set. */
export const ICM42688_FIFO_EMPTY = 0x80;
/**
 * Register values the reference board's IMU starts with, as if its firmware had initialised
 * it: accel and gyro in low-noise mode (PWR_MGMT0 = 0x0F), 1 kHz ODR, ±16 g (ACCEL_CONFIG0 =
 * 0x06), FIFO in stream mode (FIFO_CONFIG = 0x40) with accel, gyro and temperature enabled.
 */
export const ICM42688_REFERENCE_INIT: Readonly<Record<number, number>> = {
  [ICM42688_REG_PWR_MGMT0]: 0x0f,
  [ICM42688_REG_FIFO_CONFIG]: 0x40,
  [ICM42688_REG_FIFO_CONFIG1]: 0x07,
};

/**
 * Tolerance, in sample periods, when deciding whether a sample is due: absorbs rounding when the
 * sample grid starts at a fractional time, so a timer armed at {@link Icm42688.nextPacketAt}
 * always finds its packets.
 */
export const ICM42688_TIME_EPSILON = 1e-9;
/** Output data rate in Hz for each ODR code (bits 3:0 of ACCEL_CONFIG0/GYRO_CONFIG0); 0 is reserved. */
const ODR_HZ: readonly number[] = [
  0, 32_000, 16_000, 8_000, 4_000, 2_000, 1_000, 200, 100, 50, 25, 12.5, 6.25, 3.125, 1.5625, 500,
];
/** Power-on values of bank 0 (datasheet): everything else is 0. */
const POR: Readonly<Record<number, number>> = {
  [ICM42688_REG_INT_STATUS]: 0x10,
  0x4c: 0x30, // INTF_CONFIG0: FIFO count and sensor data big-endian
  [ICM42688_REG_GYRO_CONFIG0]: 0x06,
  [ICM42688_REG_ACCEL_CONFIG0]: 0x06,
  [ICM42688_REG_WHO_AM_I]: ICM42688_WHO_AM_I,
};
const INT_RESET_DONE = 0x10;
const INT_DATA_RDY = 0x08;
const INT_FIFO_THS = 0x04;
const INT_FIFO_FULL = 0x02;
const TIMING_REGS = [ICM42688_REG_PWR_MGMT0, ICM42688_REG_GYRO_CONFIG0, ICM42688_REG_ACCEL_CONFIG0, ICM42688_REG_FIFO_CONFIG];

/** Options of `new Icm42688(...)`. */
export interface Icm42688Options {
  /** 7-bit address, 0x68 or 0x69; default {@link ICM42688_DEFAULT_ADDRESS}. */
  readonly address?: number;
  /** Seed of the simulated samples; default 1. */
  readonly seed?: number;
  /**
   * Start streaming at once with {@link ICM42688_REFERENCE_INIT} (default true, the reference
   * board); false starts from the datasheet's power-on values, sensors off and FIFO in bypass.
   */
  readonly streaming?: boolean;
}

/**
 * An ICM-42688-style 6-axis IMU with its FIFO, bank 0 only. A write's first byte sets the
 * register pointer, further bytes write successive registers; reads continue from the pointer
 * with auto-increment, except that the pointer stays on FIFO_DATA so repeated reads pop the FIFO.
 *
 * While a sensor is on and the FIFO is not in bypass, one 16-byte packet (header 0x68, accel XYZ
 * and gyro XYZ as big-endian int16, temperature as int8, a 16-bit µs timestamp big-endian) is
 * produced per ODR period, computed lazily from the virtual time (no timers) and determined by
 * the seed and the sample index. When a packet does not fit in the 2048-byte FIFO it is dropped
 * and counted in {@link Icm42688.dropped} (in stream mode too: the model never overwrites).
 * The ODR is the accelerometer's (the gyro's when the accelerometer is off).
 */
export class Icm42688 implements I2cDevice {
  /** 7-bit I2C address. */
  readonly address: number;
  /** Seed of the simulated samples. */
  readonly seed: number;
  /** Packets dropped because the FIFO was full. */
  dropped = 0;

  private readonly now: () => number;
  private readonly regs = new Uint8Array(256);
  private readonly fifoIndex: number[] = [];
  private readonly fifoAt: number[] = [];
  private readOffset = 0;
  private headBytes: Uint8Array | null = null;
  private generated = 0;
  private periodMs: number | null = null;
  private epochMs = 0;
  private epochIndex = 0;
  private intGenerated = 0;
  private intDropped = 0;
  private countLatch: number | null = null;
  private readonly registers = new RegisterPointer({
    pointerMask: 0xff,
    // The pointer stays on FIFO_DATA, so that repeated reads pop the FIFO.
    nextPointer: (p) => (p === ICM42688_REG_FIFO_DATA ? p : (p + 1) & 0xff),
    readRegister: (p) => this.readRegister(p),
    writeRegister: (p, v) => this.writeRegister(p, v),
  });

  /** `time` gives the virtual time. Throws `RangeError` naming the option for a bad address or seed. */
  constructor(time: TimeSource, opts: Icm42688Options = {}) {
    this.now = timeFn(time);
    const { address = ICM42688_DEFAULT_ADDRESS, seed = 1, streaming = true } = opts;
    if (address !== 0x68 && address !== 0x69) throw new RangeError(`"address" must be 0x68 or 0x69, got ${String(address)}`);
    if (!Number.isInteger(seed)) throw new RangeError(`"seed" must be an integer, got ${String(seed)}`);
    this.address = address;
    this.seed = seed >>> 0;
    this.reset();
    if (streaming) {
      for (const [reg, v] of Object.entries(ICM42688_REFERENCE_INIT)) this.regs[Number(reg)] = v;
      this.retime(this.now());
    }
  }

  /** Samples produced so far (in the FIFO, read or dropped). */
  get samples(): number {
    this.update();
    return this.generated;
  }

  /** Current sample period in ms, or null when no packets are produced. */
  get samplePeriodMs(): number | null {
    return this.periodMs;
  }

  /** Bytes in the FIFO now (what FIFO_COUNT reads). */
  fifoBytes(): number {
    this.update();
    return this.fifoIndex.length * ICM42688_PACKET_SIZE - this.readOffset;
  }

  /** Whole packets in the FIFO now. */
  fifoPackets(): number {
    return Math.floor(this.fifoBytes() / ICM42688_PACKET_SIZE);
  }

  /**
   * The virtual time at which the FIFO will hold at least `count` whole packets if nobody reads
   * it: now if it already does, `Infinity` if it never will (not streaming, or they cannot fit).
   */
  nextPacketAt(count: number): number {
    const now = this.now();
    const bytes = this.fifoBytes();
    const whole = Math.floor(bytes / ICM42688_PACKET_SIZE);
    if (whole >= count) return now;
    const need = count - whole;
    if (this.periodMs === null || !this.fifoEnabled() || bytes + need * ICM42688_PACKET_SIZE > ICM42688_FIFO_SIZE) return Infinity;
    return this.epochMs + (this.generated + need - this.epochIndex) * this.periodMs;
  }

  /**
   * The 16 bytes of the packet of sample `index` taken at `atMs` (the timestamp field is
   * `atMs` in µs, modulo 2^16), with the current accelerometer full scale.
   */
  packet(index: number, atMs: number): Uint8Array {
    const p = new Uint8Array(ICM42688_PACKET_SIZE);
    const v = new DataView(p.buffer);
    p[0] = ICM42688_PACKET_HEADER;
    const s = this.sampleValues(index);
    for (let i = 0; i < 6; i++) v.setInt16(1 + 2 * i, s[i]!);
    v.setInt8(13, Math.round((this.celsius(index) - 25) * 2.07));
    v.setUint16(14, Math.floor(atMs * 1000) & 0xffff);
    return p;
  }

  start(read: boolean): boolean {
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
    this.registers.stop();
  }

  private reset(): void {
    this.regs.fill(0);
    for (const [reg, v] of Object.entries(POR)) this.regs[Number(reg)] = v;
    this.clearFifo();
    this.countLatch = null;
    this.intDropped = this.dropped;
    this.intGenerated = this.generated;
    this.periodMs = null;
  }

  /** Produces the packets due by now (or drops them when the FIFO is full). */
  private update(): void {
    const period = this.periodMs;
    if (period === null) return;
    const total = this.epochIndex + Math.floor((this.now() - this.epochMs) / period + ICM42688_TIME_EPSILON);
    if (total <= this.generated) return;
    const used = this.fifoIndex.length * ICM42688_PACKET_SIZE - this.readOffset;
    const room = Math.floor((ICM42688_FIFO_SIZE - used) / ICM42688_PACKET_SIZE);
    const add = this.fifoEnabled() ? Math.min(room, total - this.generated) : 0;
    for (let i = this.generated; i < this.generated + add; i++) {
      this.fifoIndex.push(i);
      this.fifoAt.push(this.sampleAt(i));
    }
    if (this.fifoEnabled()) this.dropped += total - this.generated - add;
    this.generated = total;
  }

  private sampleAt(i: number): number {
    return this.epochMs + (i - this.epochIndex + 1) * this.periodMs!;
  }

  private fifoEnabled(): boolean {
    return (this.regs[ICM42688_REG_FIFO_CONFIG]! >> 6) !== 0;
  }

  /** Recomputes the sample period after a register that sets it changed, from time `at`. */
  private retime(at: number): void {
    const pwr = this.regs[ICM42688_REG_PWR_MGMT0]!;
    const accelOn = (pwr & 3) >= 2;
    const gyroOn = ((pwr >> 2) & 3) === 3;
    const odr = accelOn ? this.regs[ICM42688_REG_ACCEL_CONFIG0]! & 0x0f : gyroOn ? this.regs[ICM42688_REG_GYRO_CONFIG0]! & 0x0f : 0;
    const hz = ODR_HZ[odr]!;
    const period = hz > 0 ? 1000 / hz : null;
    if (period === this.periodMs) return;
    this.periodMs = period;
    this.epochMs = at;
    this.epochIndex = this.generated;
  }

  private readRegister(reg: number): number {
    if (this.regs[ICM42688_REG_BANK_SEL]! !== 0 && reg !== ICM42688_REG_BANK_SEL) return 0;
    switch (reg) {
      case ICM42688_REG_FIFO_COUNTH:
        this.countLatch = this.fifoBytes();
        return this.countLatch >> 8;
      case ICM42688_REG_FIFO_COUNTL: {
        const n = this.countLatch ?? this.fifoBytes();
        this.countLatch = null;
        return n & 0xff;
      }
      case ICM42688_REG_FIFO_DATA:
        return this.popFifo();
      case ICM42688_REG_INT_STATUS:
        return this.intStatus();
      default:
        if (reg >= ICM42688_REG_TEMP_DATA1 && reg < ICM42688_REG_TEMP_DATA1 + 14) return this.dataRegister(reg - ICM42688_REG_TEMP_DATA1);
        return this.regs[reg]!;
    }
  }

  private writeRegister(reg: number, v: number): void {
    if (reg === ICM42688_REG_BANK_SEL) {
      this.regs[reg] = v & 7;
      return;
    }
    if (this.regs[ICM42688_REG_BANK_SEL]! !== 0) return;
    if (reg === ICM42688_REG_DEVICE_CONFIG && (v & 1) !== 0) {
      this.update();
      this.reset();
      return;
    }
    if (reg === ICM42688_REG_SIGNAL_PATH_RESET) {
      if (v & 0x02) this.flush();
      return;
    }
    if (reg === ICM42688_REG_WHO_AM_I || reg === ICM42688_REG_INT_STATUS ||
      (reg >= ICM42688_REG_TEMP_DATA1 && reg <= ICM42688_REG_FIFO_DATA)) return;
    if (TIMING_REGS.includes(reg)) {
      this.update();
      const wasFifo = this.fifoEnabled();
      this.regs[reg] = v;
      if (wasFifo && !this.fifoEnabled()) this.flush();
      this.retime(this.now());
      return;
    }
    this.regs[reg] = v;
  }

  private flush(): void {
    this.update();
    this.clearFifo();
  }

  private clearFifo(): void {
    this.fifoIndex.length = 0;
    this.fifoAt.length = 0;
    this.readOffset = 0;
    this.headBytes = null;
  }

  private popFifo(): number {
    this.update();
    const index = this.fifoIndex[0];
    if (index === undefined) return ICM42688_FIFO_EMPTY;
    this.headBytes ??= this.packet(index, this.fifoAt[0]!);
    const v = this.headBytes[this.readOffset]!;
    if (++this.readOffset === ICM42688_PACKET_SIZE) {
      this.fifoIndex.shift();
      this.fifoAt.shift();
      this.readOffset = 0;
      this.headBytes = null;
    }
    return v;
  }

  private intStatus(): number {
    this.update();
    let v = this.regs[ICM42688_REG_INT_STATUS]! & INT_RESET_DONE;
    if (this.generated > this.intGenerated) v |= INT_DATA_RDY;
    if (this.dropped > this.intDropped) v |= INT_FIFO_FULL;
    const wm = this.regs[ICM42688_REG_FIFO_CONFIG2]! | ((this.regs[ICM42688_REG_FIFO_CONFIG3]! & 0x0f) << 8);
    if (wm > 0 && this.fifoBytes() >= wm) v |= INT_FIFO_THS;
    this.regs[ICM42688_REG_INT_STATUS] = 0;
    this.intGenerated = this.generated;
    this.intDropped = this.dropped;
    return v;
  }

  /** Byte `off` of TEMP_DATA1..GYRO_DATA_Z0: the latest sample, big-endian; 0x8000 before the first. */
  private dataRegister(off: number): number {
    this.update();
    let word: number;
    if (this.generated === 0) {
      word = 0x8000;
    } else {
      const i = this.generated - 1;
      word = off < 2 ? Math.round((this.celsius(i) - 25) * 132.48) : this.sampleValues(i)[(off >> 1) - 1]!;
    }
    return off % 2 === 0 ? (word >> 8) & 0xff : word & 0xff;
  }

  /** Accel XYZ then gyro XYZ of sample `i`, in LSB: the board lies flat (Z = +1 g) with a little noise. */
  private sampleValues(i: number): number[] {
    const lsbPerG = 2048 << Math.min(3, this.regs[ICM42688_REG_ACCEL_CONFIG0]! >> 5);
    const out: number[] = [];
    for (let ch = 0; ch < 6; ch++) {
      const noise = (this.hash(i, ch) % 65) - 32;
      out.push(ch === 2 ? Math.min(32767, lsbPerG + noise) : noise);
    }
    return out;
  }

  /** Die temperature of sample `i`: 26 °C ± 0.25. */
  private celsius(i: number): number {
    return 26 + ((this.hash(i, 6) % 11) - 5) * 0.05;
  }

  private hash(i: number, ch: number): number {
    return hash32(hash32(this.seed ^ Math.imul(ch + 1, 0x9e3779b9)) ^ hash32(i));
  }
}

