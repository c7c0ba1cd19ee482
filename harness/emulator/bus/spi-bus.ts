import type { Clock } from '../../clock';

/**
 * A device on an SPI bus, seen from its chip-select line: `select` when CS goes low, one
 * `transfer` per byte clocked (mode 0, MSB first, full duplex), `deselect` when CS goes high.
 */
export interface SpiDevice {
  /** CS asserted (driven low): a new command starts. */
  select(): void;
  /** One byte clocked: receives the MOSI byte (0..255), returns the MISO byte (0..255). */
  transfer(mosi: number): number;
  /** CS released (driven high): commands that take effect at CS release do so now. */
  deselect(): void;
}

/** Default SPI clock, in Hz (8 MHz: one byte takes 1 µs). */
export const SPI_DEFAULT_CLOCK_HZ = 8_000_000;
/** Default bus timeout, in virtual ms: how long a hung transfer takes to fail with `-ETIMEDOUT`. */
export const SPI_DEFAULT_TIMEOUT_MS = 25;
/** CS setup time (CS low to the first clock edge), in virtual ms (500 ns). */
export const SPI_CS_SETUP_MS = 0.0005;
/** CS hold time (last clock edge to CS high), in virtual ms (500 ns). */
export const SPI_CS_HOLD_MS = 0.0005;
/** Clocks per byte. */
export const SPI_BITS_PER_BYTE = 8;
/** Chip selects a bus offers: `cs` is 0..SPI_MAX_CHIP_SELECTS-1. */
export const SPI_MAX_CHIP_SELECTS = 32;
/** Episodes kept in {@link SpiBus.log}; older ones are dropped (the counters keep counting). */
export const SPI_LOG_LIMIT = 256;
/** MOSI bytes kept per logged episode (its first bytes: the command and address). */
export const SPI_LOG_MOSI_BYTES = 16;
/** MISO level when no device drives it (unattached CS): pulled up. */
export const SPI_IDLE_MISO = 0xff;

/** Options of `new SpiBus(...)`. */
export interface SpiBusOptions {
  /**
   * Time base; pass the board's virtual clock so device busy times and iodev completions agree.
   * Without one, bus time starts at 0 and only moves by the episodes run on it.
   */
  readonly clock?: Clock;
  /** SCK frequency in Hz (default {@link SPI_DEFAULT_CLOCK_HZ}). */
  readonly clockHz?: number;
  /** Bus timeout in virtual ms (default {@link SPI_DEFAULT_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
  /** CS setup time in virtual ms (default {@link SPI_CS_SETUP_MS}). */
  readonly csSetupMs?: number;
  /** CS hold time in virtual ms (default {@link SPI_CS_HOLD_MS}). */
  readonly csHoldMs?: number;
}

/** One chip-select assertion as the bus log keeps it. */
export interface SpiEpisode {
  /** Chip select that was asserted. */
  readonly cs: number;
  /** Virtual ms when CS went low. */
  readonly startMs: number;
  /** Virtual ms from CS low to CS high. */
  readonly durationMs: number;
  /** Bytes clocked while CS was low. */
  readonly bytes: number;
  /** The first {@link SPI_LOG_MOSI_BYTES} MOSI bytes. */
  readonly mosi: Uint8Array;
  /** True for a stalled transfer (bus timeout): no byte clocked. */
  readonly timedOut: boolean;
}

/** What the body of {@link SpiBus.runEpisode} uses to clock bytes while CS is held. */
export interface SpiExchange {
  /** Clocks one byte: sends `mosi` (0..255), returns the MISO byte. */
  exchange(mosi: number): number;
  /** Bytes clocked so far in this episode. */
  readonly bytes: number;
}

function positive(name: string, v: number): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new RangeError(`"${name}" must be a finite number > 0, got ${String(v)}`);
  return v;
}

function nonNegative(name: string, v: number): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new RangeError(`"${name}" must be a finite number >= 0, got ${String(v)}`);
  return v;
}

/**
 * An SPI controller with devices on chip selects. Each {@link SpiBus.runEpisode} is one CS
 * assertion: CS low, setup time, 8 clocks per byte, hold time, CS high. Episodes do not overlap:
 * one that starts while an earlier one (from another iodev) still holds the bus in virtual time
 * begins when it ends. Devices read the time through {@link SpiBus.now}, which advances byte
 * by byte inside an episode, so a status bit polled in one long episode changes mid-way.
 */
export class SpiBus {
  /** Time base, or null (bus-local time). */
  readonly clock: Clock | null;
  /** SCK frequency in Hz. */
  readonly clockHz: number;
  /** Bus timeout in virtual ms. */
  readonly timeoutMs: number;
  /** CS setup time in virtual ms. */
  readonly csSetupMs: number;
  /** CS hold time in virtual ms. */
  readonly csHoldMs: number;
  /** Virtual ms one byte takes on the wire. */
  readonly byteMs: number;
  /** CS assertions so far (stalled ones included). */
  csAssertions = 0;
  /** Bytes clocked so far. */
  bytesTransferred = 0;
  /** Transfers that stalled until the bus timeout. */
  timeouts = 0;
  /** The last {@link SPI_LOG_LIMIT} episodes, oldest first. */
  readonly log: SpiEpisode[] = [];

  private readonly devices = new Map<number, SpiDevice>();
  private freeAt = 0;
  private active = false;
  private episodeStart = 0;
  private elapsed = 0;

  /** Throws `RangeError` naming the option when a timing is not a finite non-negative number (`clockHz` > 0). */
  constructor(opts: SpiBusOptions = {}) {
    this.clock = opts.clock ?? null;
    this.clockHz = positive('clockHz', opts.clockHz ?? SPI_DEFAULT_CLOCK_HZ);
    this.timeoutMs = nonNegative('timeoutMs', opts.timeoutMs ?? SPI_DEFAULT_TIMEOUT_MS);
    this.csSetupMs = nonNegative('csSetupMs', opts.csSetupMs ?? SPI_CS_SETUP_MS);
    this.csHoldMs = nonNegative('csHoldMs', opts.csHoldMs ?? SPI_CS_HOLD_MS);
    this.byteMs = (SPI_BITS_PER_BYTE * 1000) / this.clockHz;
  }

  /** Attaches `dev` to chip select `cs`. Throws `RangeError` for a bad or already used `cs`, `TypeError` for a bad `dev`. */
  attach(cs: number, dev: SpiDevice): void {
    checkCs(cs);
    if (this.devices.has(cs)) throw new RangeError(`"cs" ${cs} already has a device attached`);
    if (dev === null || typeof dev !== 'object' || typeof dev.transfer !== 'function' ||
      typeof dev.select !== 'function' || typeof dev.deselect !== 'function') {
      throw new TypeError('"dev" must implement SpiDevice (select, transfer, deselect)');
    }
    this.devices.set(cs, dev);
  }

  /** The device on `cs`, or undefined. */
  device(cs: number): SpiDevice | undefined {
    return this.devices.get(cs);
  }

  /** Virtual time as devices see it: inside an episode, the time of the byte being clocked (or of CS release). */
  now(): number {
    if (this.active) return this.episodeStart + this.elapsed;
    return this.clock === null ? this.freeAt : this.clock.now();
  }

  /** Virtual ms an episode of `bytes` bytes holds CS (setup + bytes + hold). */
  episodeMs(bytes: number): number {
    return this.csSetupMs + bytes * this.byteMs + this.csHoldMs;
  }

  /**
   * Runs one chip-select episode: asserts `cs`, lets `body` clock bytes, releases `cs` (also
   * when `body` throws). Returns the virtual ms from now until CS release (including any wait
   * for an earlier episode). An unattached `cs` reads {@link SPI_IDLE_MISO}. Throws `RangeError`
   * for a bad `cs`, `Error` when called from inside another episode.
   */
  runEpisode(cs: number, body: (x: SpiExchange) => void): number {
    checkCs(cs);
    if (this.active) throw new Error('SpiBus.runEpisode called while an episode is running');
    const dev = this.devices.get(cs);
    const base = this.clock === null ? this.freeAt : this.clock.now();
    const start = Math.max(base, this.freeAt);
    const mosiLog: number[] = [];
    let bytes = 0;
    const x: SpiExchange = {
      exchange: (mosi: number): number => {
        if (!Number.isInteger(mosi) || mosi < 0 || mosi > 0xff) throw new RangeError(`"mosi" must be a byte 0..255, got ${mosi}`);
        const miso = dev === undefined ? SPI_IDLE_MISO : dev.transfer(mosi) & 0xff;
        if (mosiLog.length < SPI_LOG_MOSI_BYTES) mosiLog.push(mosi);
        bytes++;
        this.elapsed = this.csSetupMs + bytes * this.byteMs;
        return miso;
      },
      get bytes(): number {
        return bytes;
      },
    };
    this.active = true;
    this.episodeStart = start;
    this.elapsed = this.csSetupMs;
    this.csAssertions++;
    dev?.select();
    try {
      body(x);
    } finally {
      this.elapsed = this.episodeMs(bytes);
      try {
        dev?.deselect();
      } finally {
        this.active = false;
        this.bytesTransferred += bytes;
        this.freeAt = start + this.elapsed;
        this.record({ cs, startMs: start, durationMs: this.elapsed, bytes, mosi: Uint8Array.from(mosiLog), timedOut: false });
      }
    }
    return this.freeAt - base;
  }

  /**
   * One episode that sends `mosi` and returns the MISO bytes and the virtual ms until CS
   * release (see {@link SpiBus.runEpisode}).
   */
  exchange(cs: number, mosi: ArrayLike<number>): { miso: Uint8Array; durationMs: number } {
    const miso = new Uint8Array(mosi.length);
    const durationMs = this.runEpisode(cs, (x) => {
      for (let i = 0; i < mosi.length; i++) miso[i] = x.exchange(mosi[i]!);
    });
    return { miso, durationMs };
  }

  /**
   * A transfer that hangs: the bus is held for {@link SpiBus.timeoutMs} and no byte is clocked
   * (the device is not selected). Returns the virtual ms from now until it gives up; counted in
   * {@link SpiBus.timeouts}.
   */
  stall(cs: number): number {
    checkCs(cs);
    const base = this.clock === null ? this.freeAt : this.clock.now();
    const start = Math.max(base, this.freeAt);
    this.csAssertions++;
    this.timeouts++;
    this.freeAt = start + this.timeoutMs;
    this.record({ cs, startMs: start, durationMs: this.timeoutMs, bytes: 0, mosi: new Uint8Array(0), timedOut: true });
    return this.freeAt - base;
  }

  /** Empties {@link SpiBus.log} and zeroes the counters. */
  clearLog(): void {
    this.log.length = 0;
    this.csAssertions = 0;
    this.bytesTransferred = 0;
    this.timeouts = 0;
  }

  private record(e: SpiEpisode): void {
    if (this.log.length >= SPI_LOG_LIMIT) this.log.shift();
    this.log.push(e);
  }
}

function checkCs(cs: number): void {
  if (!Number.isInteger(cs) || cs < 0 || cs >= SPI_MAX_CHIP_SELECTS) {
    throw new RangeError(`"cs" must be an integer 0..${SPI_MAX_CHIP_SELECTS - 1}, got ${String(cs)}`);
  }
}
