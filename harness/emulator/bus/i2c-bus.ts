import { EIO, ENOTSUP, ETIMEDOUT } from '../../rtio';
import type { Fault } from '../../target/faults';

/**
 * Where a device model reads the time, in virtual ms: a clock, an {@link I2cBus} (whose `now()`
 * includes the bit times already on the wire during a transfer), or a plain function.
 */
export type TimeSource = { now(): number } | (() => number);

/** `time` as a function; throws `TypeError` naming `name` when it is not a {@link TimeSource}. */
export function timeFn(time: TimeSource, name = 'time'): () => number {
  if (typeof time === 'function') return time;
  if (time !== null && typeof time === 'object' && typeof time.now === 'function') return () => time.now();
  throw new TypeError(`"${name}" must be a clock, a bus or a function returning ms, got ${String(time)}`);
}

/**
 * A target on an {@link I2cBus}, driven byte by byte as the wire would drive it. The bus calls
 * `start` after each START or repeated START that carries this address, then `write` for each
 * byte the controller sends or `read` for each byte it clocks in, and `stop` at the STOP of any
 * transfer in which the device acknowledged its address.
 */
export interface I2cDevice {
  /** 7-bit address, 0x08..0x77. */
  readonly address: number;
  /** The address was sent with the R/W bit `read`; return false to NACK it (e.g. busy). */
  start(read: boolean): boolean;
  /** A byte from the controller; return false to NACK it. */
  write(byte: number): boolean;
  /** The next byte for the controller (0..255). */
  read(): number;
  /** STOP condition. */
  stop(): void;
}

/** One message of a transfer (Zephyr's `struct i2c_msg`). */
export interface I2cMsg {
  /** True: the controller reads into `buf`; false: it writes from `buf`. */
  readonly read: boolean;
  /** Data to send, or where received bytes go. */
  readonly buf: Uint8Array;
  /** Bytes to move, 0..`buf.length`. */
  readonly len: number;
  /** Force a repeated START and address before this message even if the direction is unchanged. */
  readonly restart?: boolean;
}

/** What {@link I2cBus.transfer} did. */
export interface I2cTransferResult {
  /** 0, `-EIO` (NACK of an address or data byte), `-ETIMEDOUT` (bus timeout) or `-ENOTSUP` (10-bit address). */
  readonly status: number;
  /** Bytes each message moved (acknowledged writes, received reads). */
  readonly counts: readonly number[];
  /** Index of the message that failed, or -1 when `status` is 0. */
  readonly failedMsg: number;
  /** Virtual ms at which the START went out (later than asked when the bus was busy). */
  readonly startMs: number;
  /** Virtual ms from START to the end of STOP (or the bus timeout). */
  readonly durationMs: number;
}

/** An {@link I2cTransferResult} that {@link I2cBus.transferInto} fills. */
export interface I2cTransferOut extends I2cTransferResult {
  status: number;
  counts: number[];
  failedMsg: number;
  startMs: number;
  durationMs: number;
}

/** Options of `new I2cBus(...)`. */
export interface I2cBusOptions {
  /** SCL frequency in Hz, default {@link I2C_DEFAULT_BITRATE_HZ} (fast mode). */
  readonly bitrateHz?: number;
  /** How long a hung transfer takes to fail with `-ETIMEDOUT`, in ms; default {@link I2C_DEFAULT_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /**
   * The board's clock. With one, transfers start no earlier than the end of the previous one (the
   * bus is shared) and {@link I2cBus.now} follows the clock between transfers. Without one, time
   * outside transfers stands at the end of the last transfer.
   */
  readonly clock?: { now(): number };
}

/** Default SCL frequency: 400 kHz (fast mode). */
export const I2C_DEFAULT_BITRATE_HZ = 400_000;
/** Default bus timeout: 25 ms (SMBus's clock-low timeout). */
export const I2C_DEFAULT_TIMEOUT_MS = 25;
/** Bit times per byte on the wire: 8 data bits and the ACK/NACK bit. */
export const I2C_BITS_PER_BYTE = 9;
/** Bit times charged for a START, a repeated START or a STOP condition. */
export const I2C_BITS_PER_CONDITION = 1;
/** Clock pulses of a bus recovery (then a STOP). */
export const I2C_RECOVERY_PULSES = 9;
/** Highest bitrate accepted: 5 MHz (ultra-fast mode). */
export const I2C_MAX_BITRATE_HZ = 5_000_000;

/** Highest 7-bit address; larger ones (up to 0x3FF) are 10-bit and unsupported. */
const MAX_7BIT = 0x7f;
const MAX_10BIT = 0x3ff;

/**
 * An I2C bus with attached {@link I2cDevice}s, timed from its bitrate: each byte costs 9 bit
 * times (8 data bits and ACK), each START, repeated START and STOP one bit time. Transfers run
 * instantly in host time; their duration is reported for the caller to schedule on its clock.
 */
export class I2cBus {
  /** SCL frequency in Hz. */
  readonly bitrateHz: number;
  /** Duration of a bus timeout, ms. */
  readonly timeoutMs: number;
  /** Transfers started (with at least one message). */
  transfers = 0;
  /** Bytes clocked on the wire, address bytes included. */
  bytes = 0;
  /** Address or data bytes not acknowledged (by a device or by an injected fault). */
  nacks = 0;
  /** Repeated STARTs sent. */
  restarts = 0;
  /** Transfers failed by an injected bus timeout. */
  timeouts = 0;
  /** Bus recoveries run. */
  recoveries = 0;

  /** Attached devices by 7-bit address (an array: every transfer looks one up). */
  private readonly devices: (I2cDevice | undefined)[] = new Array<I2cDevice | undefined>(MAX_7BIT + 1).fill(undefined);
  private readonly clock: { now(): number } | null;
  private busyUntil = -Infinity;
  private active = false;
  private base = 0;
  private bits = 0;
  private idleAt = 0;

  /** Throws `RangeError` naming the option when `bitrateHz` or `timeoutMs` is not a positive number. */
  constructor(opts: I2cBusOptions = {}) {
    const { bitrateHz = I2C_DEFAULT_BITRATE_HZ, timeoutMs = I2C_DEFAULT_TIMEOUT_MS, clock } = opts;
    if (typeof bitrateHz !== 'number' || !(bitrateHz > 0) || bitrateHz > I2C_MAX_BITRATE_HZ) {
      throw new RangeError(`"bitrateHz" must be a number in (0, ${I2C_MAX_BITRATE_HZ}], got ${String(bitrateHz)}`);
    }
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      throw new RangeError(`"timeoutMs" must be a finite number > 0, got ${String(timeoutMs)}`);
    }
    if (clock !== undefined && (clock === null || typeof clock.now !== 'function')) {
      throw new TypeError(`"clock" must have a now() method, got ${String(clock)}`);
    }
    this.bitrateHz = bitrateHz;
    this.timeoutMs = timeoutMs;
    this.clock = clock ?? null;
  }

  /** Duration of `bits` bit times, in ms. */
  bitsToMs(bits: number): number {
    return (bits * 1000) / this.bitrateHz;
  }

  /**
   * The bus's time: during a transfer, its START time plus the bit times already clocked (so a
   * device that uses the bus as its {@link TimeSource} sees when each byte passes); otherwise
   * the clock's time.
   */
  now(): number {
    if (this.active) return this.base + this.bitsToMs(this.bits);
    return this.clock === null ? this.idleAt : this.clock.now();
  }

  /**
   * Attaches `dev` at `dev.address`. Throws `RangeError` when the address is not 0x08..0x77 or
   * is already taken, `TypeError` when `dev` lacks a method.
   */
  attach(dev: I2cDevice): void {
    for (const m of ['start', 'write', 'read', 'stop'] as const) {
      if (typeof dev?.[m] !== 'function') throw new TypeError(`"dev.${m}" must be a function`);
    }
    const a = dev.address;
    if (!Number.isInteger(a) || a < 0x08 || a > 0x77) {
      throw new RangeError(`"dev.address" must be a 7-bit address 0x08..0x77, got ${String(a)}`);
    }
    if (this.devices[a] !== undefined) throw new RangeError(`"dev.address" 0x${a.toString(16)} is already taken on this bus`);
    this.devices[a] = dev;
  }

  /** Removes the device at `address`; returns whether one was there. */
  detach(address: number): boolean {
    const had = this.device(address) !== undefined;
    if (had) this.devices[address] = undefined;
    return had;
  }

  /** The device at `address`, if any. */
  device(address: number): I2cDevice | undefined {
    return Number.isInteger(address) && address >= 0 && address <= MAX_7BIT ? this.devices[address] : undefined;
  }

  /**
   * Runs one transfer to `address`: START, the messages, STOP. A repeated START and the address
   * precede every message whose direction differs from the previous one or that has `restart`;
   * consecutive messages of one direction otherwise continue the same phase. The transfer ends
   * (with STOP) at the first NACK.
   *
   * `fault` (from the iodev's {@link FaultInjector}): `nack` fails byte `atByte` of the transfer
   * (counting address bytes, 0 = the first) with `-EIO`; `short-read` makes the first read
   * message move only `bytes` bytes (status stays 0); `bus-timeout` fails the transfer with
   * `-ETIMEDOUT` after {@link I2cBus.timeoutMs}, before any device sees it; `delay` is ignored
   * here (the iodev applies it).
   *
   * `atMs` is when the transfer may start (default {@link I2cBus.now}); with a clock, a transfer
   * starts no earlier than the end of the previous one. An address of 0x80..0x3FF (10-bit) gives
   * `-ENOTSUP`. Throws `RangeError` naming the argument for a bad address or message.
   */
  transfer(address: number, msgs: readonly I2cMsg[], fault: Fault | null = null, atMs?: number): I2cTransferResult {
    const out: I2cTransferOut = { status: 0, counts: [], failedMsg: -1, startMs: 0, durationMs: 0 };
    this.transferInto(out, address, msgs, fault, atMs);
    return out;
  }

  /**
   * {@link I2cBus.transfer} writing its result into `out` (whose `counts` it refills) instead of a
   * new object: for an iodev that runs transfer after transfer. Same checks, same throws.
   */
  transferInto(out: I2cTransferOut, address: number, msgs: readonly I2cMsg[], fault: Fault | null = null, atMs?: number): void {
    if (!Number.isInteger(address) || address < 0 || address > MAX_10BIT) {
      throw new RangeError(`"address" must be an integer 0..0x3ff, got ${String(address)}`);
    }
    if (!Array.isArray(msgs)) throw new TypeError('"msgs" must be an array of I2cMsg');
    const n = msgs.length;
    for (let i = 0; i < n; i++) {
      const m = msgs[i];
      if (!(m?.buf instanceof Uint8Array)) throw new TypeError(`"msgs[${i}].buf" must be a Uint8Array`);
      if (!Number.isInteger(m.len) || m.len < 0 || m.len > m.buf.length) {
        throw new RangeError(`"msgs[${i}].len" must be an integer 0..${m.buf.length}, got ${String(m.len)}`);
      }
    }
    this.transferTrusted(out, address, msgs, fault, atMs ?? this.now());
  }

  /**
   * {@link I2cBus.transferInto} for a caller whose `address` and messages are known good (an
   * iodev that builds them from validated SQEs): the same transfer without re-checking them.
   * Throws `RangeError` when called from a device callback during a transfer.
   */
  transferTrusted(out: I2cTransferOut, address: number, msgs: readonly I2cMsg[], fault: Fault | null, at: number): void {
    if (this.active) throw new RangeError('I2cBus.transfer called from a device callback during a transfer');
    const n = msgs.length;
    const startMs = this.clock === null ? at : Math.max(at, this.busyUntil);
    const counts = out.counts;
    if (counts.length !== n) {
      counts.length = 0;
      for (let i = 0; i < n; i++) counts.push(0);
    } else {
      for (let i = 0; i < n; i++) counts[i] = 0;
    }
    out.startMs = startMs;
    if (n === 0) return this.result(out, 0, -1, 0, false);
    if (address > MAX_7BIT) return this.result(out, -ENOTSUP, 0, 0, false);
    this.transfers++;
    if (fault !== null && fault.kind === 'bus-timeout') {
      this.timeouts++;
      return this.result(out, -ETIMEDOUT, 0, this.timeoutMs, true);
    }
    const nackAt = fault !== null && fault.kind === 'nack' ? fault.atByte : -1;
    let shortBytes = fault !== null && fault.kind === 'short-read' ? fault.bytes : -1;
    const dev = this.devices[address];
    let addressed = false;
    let status = 0;
    let failedMsg = -1;
    let wire = 0;
    this.active = true;
    this.base = startMs;
    this.bits = I2C_BITS_PER_CONDITION;
    try {
      outer: for (let i = 0; i < n; i++) {
        const m = msgs[i]!;
        const prev = i > 0 ? msgs[i - 1] : undefined;
        if (prev === undefined || prev.read !== m.read || m.restart === true) {
          if (prev !== undefined) {
            this.bits += I2C_BITS_PER_CONDITION;
            this.restarts++;
          }
          this.bits += I2C_BITS_PER_BYTE;
          this.bytes++;
          const ack = wire++ !== nackAt && dev !== undefined && dev.start(m.read);
          if (!ack) {
            status = -EIO;
            failedMsg = i;
            break;
          }
          addressed = true;
        }
        let n = m.len;
        if (m.read && shortBytes >= 0) {
          n = Math.min(n, shortBytes);
          shortBytes = -1;
        }
        for (let j = 0; j < n; j++) {
          let ok: boolean;
          if (m.read) {
            ok = wire !== nackAt;
            if (ok) m.buf[j] = dev!.read() & 0xff;
            this.bits += I2C_BITS_PER_BYTE;
          } else {
            this.bits += I2C_BITS_PER_BYTE;
            ok = wire !== nackAt && dev!.write(m.buf[j]!);
          }
          wire++;
          this.bytes++;
          if (!ok) {
            status = -EIO;
            failedMsg = i;
            break outer;
          }
          counts[i]!++;
        }
      }
      if (status !== 0) this.nacks++;
      this.bits += I2C_BITS_PER_CONDITION;
      if (addressed) dev!.stop();
    } finally {
      this.active = false;
    }
    this.result(out, status, failedMsg, this.bitsToMs(this.bits), true);
  }

  /**
   * Bus recovery: {@link I2C_RECOVERY_PULSES} clock pulses then a STOP, to free a target stuck
   * driving SDA. Returns when it started and how long it took (10 bit times).
   */
  recover(atMs?: number): { readonly startMs: number; readonly durationMs: number } {
    const at = atMs ?? this.now();
    const startMs = this.clock === null ? at : Math.max(at, this.busyUntil);
    this.recoveries++;
    const durationMs = this.bitsToMs(I2C_RECOVERY_PULSES + I2C_BITS_PER_CONDITION);
    this.busyUntil = startMs + durationMs;
    this.idleAt = this.busyUntil;
    return { startMs, durationMs };
  }

  /** Fills `out` (its `startMs` and `counts` are set); with `busy`, the bus stays busy until the transfer's end. */
  private result(out: I2cTransferOut, status: number, failedMsg: number, durationMs: number, busy: boolean): void {
    out.status = status;
    out.failedMsg = failedMsg;
    out.durationMs = durationMs;
    if (!busy) return;
    this.busyUntil = out.startMs + durationMs;
    this.idleAt = this.busyUntil;
  }
}
