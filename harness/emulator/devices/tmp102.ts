import { timeFn } from '../bus/i2c-bus';
import type { I2cDevice, TimeSource } from '../bus/i2c-bus';
import { hash32 } from './hash32';

/** Default address: 0x48 (ADD0 to GND). */
export const TMP102_DEFAULT_ADDRESS = 0x48;
/** Pointer value of the temperature register (read-only). */
export const TMP102_REG_TEMP = 0x00;
/** Pointer value of the configuration register. */
export const TMP102_REG_CONFIG = 0x01;
/** Pointer value of the T(LOW) limit register. */
export const TMP102_REG_TLOW = 0x02;
/** Pointer value of the T(HIGH) limit register. */
export const TMP102_REG_THIGH = 0x03;
/** Power-on configuration: 12-bit resolution, 4 Hz conversions, comparator mode, AL = 1. */
export const TMP102_CONFIG_POR = 0x60a0;
/** Power-on T(LOW): 75 °C. */
export const TMP102_TLOW_POR = 0x4b00;
/** Power-on T(HIGH): 80 °C. */
export const TMP102_THIGH_POR = 0x5000;
/** Temperature resolution: °C per LSB. */
export const TMP102_LSB_CELSIUS = 0.0625;
/** Period of the simulated drift: 600 s of virtual time from the lowest to the lowest again. */
export const TMP102_DRIFT_PERIOD_MS = 600_000;
/** Lowest temperature of the simulated drift, °C. */
export const TMP102_DRIFT_MIN_CELSIUS = 21;
/** Highest temperature of the simulated drift, °C. */
export const TMP102_DRIFT_MAX_CELSIUS = 27;

/** Conversion periods for CR1:CR0 = 0..3 (0.25, 1, 4, 8 Hz). */
const CONVERSION_PERIOD_MS = [4000, 1000, 250, 125] as const;
/** Config bits: SD (shutdown), TM, POL, OS (one-shot), EM, AL. */
const CFG_SD = 0x0100;
const CFG_POL = 0x0400;
const CFG_OS = 0x8000;
const CFG_EM = 0x0010;
const CFG_AL = 0x0020;
/** Bits a write can change: OS, F1:F0, POL, TM, SD, CR1:CR0, EM (R1:R0 and AL are read-only). */
const CFG_WRITABLE = 0x9fd0;

/** Options of `new Tmp102(...)`. */
export interface Tmp102Options {
  /** 7-bit address, 0x48..0x4B; default {@link TMP102_DEFAULT_ADDRESS}. */
  readonly address?: number;
  /** Seed of the simulated drift's phase and noise; default 1. */
  readonly seed?: number;
}

/**
 * A TMP102-style temperature sensor. A write's first byte sets the pointer register (P1:P0);
 * two more bytes write config, T(LOW) or T(HIGH) MSB first (the temperature register ignores
 * writes). A read returns the pointed register MSB first, repeating its two bytes.
 *
 * The temperature is converted every conversion period (4 Hz at power-on) from a deterministic
 * function of the seed and the virtual time: a triangle wave between 21 and 27 °C over 600 s
 * plus ±1 LSB of seeded noise; {@link Tmp102.setTemperature} pins it. 12-bit left-justified
 * (13-bit with EM). Shutdown (SD) holds the last conversion; OS in shutdown runs one more.
 * AL follows comparator mode (set at or above T(HIGH), cleared below T(LOW), inverted by POL = 0).
 */
export class Tmp102 implements I2cDevice {
  /** 7-bit I2C address. */
  readonly address: number;
  /** Seed of the simulated temperature. */
  readonly seed: number;

  private readonly now: () => number;
  private pointer = TMP102_REG_TEMP;
  private config = TMP102_CONFIG_POR;
  private tlow = TMP102_TLOW_POR;
  private thigh = TMP102_THIGH_POR;
  private pinned: number | null = null;
  private frozen: number | null = null;
  private alert = false;
  private writing = false;
  private received = 0;
  private msb = 0;
  private readIndex = 0;
  /** The last conversion computed: its number, its period and its value. */
  private sampledN = -1;
  private sampledPeriod = 0;
  private sampled = 0;

  /** `time` gives the virtual time. Throws `RangeError` naming the option for a bad address or seed. */
  constructor(time: TimeSource, opts: Tmp102Options = {}) {
    this.now = timeFn(time);
    const { address = TMP102_DEFAULT_ADDRESS, seed = 1 } = opts;
    if (!Number.isInteger(address) || address < 0x48 || address > 0x4b) {
      throw new RangeError(`"address" must be 0x48..0x4b, got ${String(address)}`);
    }
    if (!Number.isInteger(seed)) throw new RangeError(`"seed" must be an integer, got ${String(seed)}`);
    this.address = address;
    this.seed = seed >>> 0;
  }

  /** Pins the temperature to `celsius` (-55..150, the sensor's range); null resumes the drift. */
  setTemperature(celsius: number | null): void {
    if (celsius !== null && (typeof celsius !== 'number' || !(celsius >= -55 && celsius <= 150))) {
      throw new RangeError(`"celsius" must be a number -55..150 or null, got ${String(celsius)}`);
    }
    this.pinned = celsius;
  }

  /** The temperature the sensor last converted, °C (before quantisation). */
  temperature(): number {
    if (this.frozen !== null) return this.frozen;
    return this.sample(this.now());
  }

  /** The register value at pointer `reg` (0..3) as a read would return it now. */
  register(reg: number): number {
    switch (reg & 3) {
      case TMP102_REG_TEMP:
        return this.encode(this.temperature());
      case TMP102_REG_CONFIG:
        return this.configValue();
      case TMP102_REG_TLOW:
        return this.tlow;
      default:
        return this.thigh;
    }
  }

  start(read: boolean): boolean {
    this.writing = !read;
    this.received = 0;
    this.readIndex = 0;
    return true;
  }

  write(byte: number): boolean {
    if (!this.writing) return false;
    const n = this.received++;
    if (n === 0) {
      this.pointer = byte & 3;
    } else if (n === 1) {
      this.msb = byte & 0xff;
    } else if (n === 2) {
      this.writeRegister((this.msb << 8) | (byte & 0xff));
    }
    return true;
  }

  read(): number {
    const v = this.register(this.pointer);
    return this.readIndex++ % 2 === 0 ? v >> 8 : v & 0xff;
  }

  stop(): void {
    this.writing = false;
  }

  private writeRegister(v: number): void {
    switch (this.pointer) {
      case TMP102_REG_CONFIG: {
        const wasShutdown = (this.config & CFG_SD) !== 0;
        const t = this.temperature();
        this.config = (this.config & ~CFG_WRITABLE) | (v & CFG_WRITABLE);
        const shutdown = (this.config & CFG_SD) !== 0;
        if (shutdown) this.frozen = wasShutdown && !(v & CFG_OS) ? t : this.sample(this.now());
        else this.frozen = null;
        this.config &= ~CFG_OS;
        return;
      }
      case TMP102_REG_TLOW:
        this.tlow = v;
        return;
      case TMP102_REG_THIGH:
        this.thigh = v;
        return;
      default:
        return;
    }
  }

  private configValue(): number {
    const t = this.encode(this.temperature());
    const ext = (this.config & CFG_EM) !== 0;
    const toC = (reg: number): number => ((reg << 16 >> 16) >> (ext ? 3 : 4)) * TMP102_LSB_CELSIUS;
    const c = toC(t);
    if (c >= toC(this.thigh)) this.alert = true;
    else if (c < toC(this.tlow)) this.alert = false;
    const al = this.alert === ((this.config & CFG_POL) !== 0);
    // In shutdown, OS reads 1 once the one-shot conversion is done (it is done at once here).
    const os = (this.config & CFG_SD) !== 0 ? CFG_OS : 0;
    return (this.config & ~CFG_AL) | (al ? CFG_AL : 0) | os;
  }

  private encode(celsius: number): number {
    const ext = (this.config & CFG_EM) !== 0;
    const max = ext ? 4095 : 2047;
    const raw = Math.max(-max - 1, Math.min(max, Math.round(celsius / TMP102_LSB_CELSIUS)));
    return ext ? ((raw << 3) | 1) & 0xffff : (raw << 4) & 0xffff;
  }

  private sample(t: number): number {
    if (this.pinned !== null) return this.pinned;
    const period = CONVERSION_PERIOD_MS[(this.config >> 6) & 3]!;
    const n = Math.floor(t / period);
    // Each byte of each read asks; the value only changes at the next conversion.
    if (n === this.sampledN && period === this.sampledPeriod) return this.sampled;
    this.sampledN = n;
    this.sampledPeriod = period;
    this.sampled = this.convert(n, period);
    return this.sampled;
  }

  /** The temperature of conversion `n` of period `period` ms. */
  private convert(n: number, period: number): number {
    const at = n * period;
    const phase = (hash32(this.seed) % TMP102_DRIFT_PERIOD_MS + at) % TMP102_DRIFT_PERIOD_MS;
    const half = TMP102_DRIFT_PERIOD_MS / 2;
    const span = TMP102_DRIFT_MAX_CELSIUS - TMP102_DRIFT_MIN_CELSIUS - 2 * TMP102_LSB_CELSIUS;
    const tri = phase < half ? phase / half : 2 - phase / half;
    const noise = ((hash32(this.seed ^ hash32(n)) % 3) - 1) * TMP102_LSB_CELSIUS;
    return TMP102_DRIFT_MIN_CELSIUS + TMP102_LSB_CELSIUS + tri * span + noise;
  }
}

