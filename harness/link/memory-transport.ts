/**
 * An in-process pair of connected {@link Transport}s, for the emulator behind the wire and for
 * fault injection in tests: what one end writes, the other receives, on a later turn of the
 * event loop (setImmediate) or after a delay on a clock, never inside `write`. The device end
 * carries controls that drop, corrupt or inject bytes in either direction, and that pull the
 * plug.
 */
import { FRAME_DELIMITER } from '../../protocol/frame';
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import { DisconnectedError } from './errors';
import type { Transport } from './transport';
import { TransportBase } from './transport-base';

/** Which way a fault applies: frames the device writes (`'to-host'`) or the host writes. */
export type MemoryDirection = 'to-host' | 'to-device';

/** Counters of the faults a pair applied. */
export interface MemoryPairStats {
  /** Frames removed by {@link MemoryDeviceTransport.dropNextFrames}. */
  framesDropped: number;
  /** Frames altered by {@link MemoryDeviceTransport.corruptNextFrame}. */
  framesCorrupted: number;
  /** Bytes delivered by {@link MemoryDeviceTransport.injectGarbage}. */
  garbageBytes: number;
}

/**
 * The device end of a memory pair: a {@link Transport} plus fault controls. A "frame" is a run of
 * bytes ended by a 0x00 delimiter within one `write` (the link writes whole frames); lone
 * delimiters are not frames, and bytes after a write's last delimiter are never dropped or
 * corrupted.
 */
export interface MemoryDeviceTransport extends Transport {
  /**
   * Drops the next `count` frames written in `direction` (default `'to-host'`), delimiters
   * included, as a line that loses them would. Adds to any drops still pending. Throws
   * `RangeError` when `count` is not a non-negative integer.
   */
  dropNextFrames(count: number, direction?: MemoryDirection): void;
  /**
   * Alters one byte of the next frame written in `direction` (default `'to-host'`): a data byte
   * near its middle, not a COBS code byte, so the frame still de-stuffs to the same length and
   * fails only its CRC-32 check. Calls add up: two calls corrupt the next two frames.
   */
  corruptNextFrame(direction?: MemoryDirection): void;
  /**
   * Delivers `bytes` unchanged to the end `direction` points at (default `'to-host'`), as line
   * noise; resolves once delivered. Rejects with {@link DisconnectedError} after a disconnect.
   */
  injectGarbage(bytes: Uint8Array, direction?: MemoryDirection): Promise<void>;
  /**
   * Pulls the plug: both ends close on the next turn of the event loop and their close
   * listeners get a {@link DisconnectedError}; bytes not yet delivered are lost. Idempotent.
   */
  disconnect(): void;
  /** A snapshot of the fault counters. */
  readonly stats: MemoryPairStats;
}

/** The two ends of {@link createMemoryPair}. */
export interface MemoryPair {
  /** The host end, for a host-role Link. */
  readonly host: Transport;
  /** The device end, for an agent-role Link or a test, with the fault controls. */
  readonly device: MemoryDeviceTransport;
}

/** Options of {@link createMemoryPair}. */
export interface MemoryPairOptions {
  /**
   * The pair's name: the host end's description, and with `' (device end)'` the device end's.
   * Default `'memory'`.
   */
  name?: string;
  /**
   * The time base of the line's delay: each write arrives `latencyMs` after it was written, on
   * this clock (a VirtualClock delivers when it is stepped, so link tests run on virtual time).
   * Default: none, and with `latencyMs` 0 a write arrives on the next turn of the event loop;
   * with a `latencyMs` the wall clock.
   */
  clock?: Clock;
  /** One-way delay of every write, in ms. Default 0. A finite number >= 0. */
  latencyMs?: number;
}

interface Faults {
  drop: number;
  corrupt: number;
}

class MemoryEnd extends TransportBase {
  readonly description: string;
  peer: MemoryEnd | undefined;
  readonly #pair: PairState;
  readonly #outgoing: Faults;

  constructor(description: string, pair: PairState, outgoing: Faults) {
    super();
    this.description = description;
    this.#pair = pair;
    this.#outgoing = outgoing;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed || this.peer === undefined) return Promise.reject(new DisconnectedError(this.description, 'closed'));
    const chunk = applyFaults(bytes.slice(), this.#outgoing, this.#pair.stats);
    return this.peer.deliverLater(chunk, this.description);
  }

  /** Hands `chunk` to this end's listeners after the line's delay; rejects if either end closes first. */
  deliverLater(chunk: Uint8Array, writer: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pair.later(() => {
        if (this.closed || this.peer?.closed !== false) {
          reject(new DisconnectedError(writer, 'closed before delivery'));
          return;
        }
        if (chunk.length > 0) this.emitData(chunk);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.finish(null);
      const peer = this.peer;
      if (peer !== undefined && !peer.closed) peer.finish(new DisconnectedError(peer.description, 'the other end closed'));
    }
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Marks this end closed now and tells its listeners on the next turn. */
  finish(err: DisconnectedError | null): void {
    const listeners = this.markClosed(err);
    if (listeners === undefined) return;
    setImmediate(() => {
      for (const listener of listeners) listener(err);
    });
  }
}

class DeviceEnd extends MemoryEnd implements MemoryDeviceTransport {
  readonly #pair: PairState;

  constructor(description: string, pair: PairState) {
    super(description, pair, pair.toHost);
    this.#pair = pair;
  }

  dropNextFrames(count: number, direction: MemoryDirection = 'to-host'): void {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`"count" must be a non-negative integer; got ${count}`);
    this.#faults(direction).drop += count;
  }

  corruptNextFrame(direction: MemoryDirection = 'to-host'): void {
    this.#faults(direction).corrupt++;
  }

  injectGarbage(bytes: Uint8Array, direction: MemoryDirection = 'to-host'): Promise<void> {
    const target = direction === 'to-host' ? this.peer : this;
    if (this.closed || target === undefined) return Promise.reject(new DisconnectedError(this.description, 'closed'));
    this.#pair.stats.garbageBytes += bytes.length;
    return target.deliverLater(bytes.slice(), this.description);
  }

  disconnect(): void {
    for (const end of [this.peer, this]) {
      if (end !== undefined && !end.closed) end.finish(new DisconnectedError(end.description, 'the memory pair was disconnected'));
    }
  }

  get stats(): MemoryPairStats {
    return { ...this.#pair.stats };
  }

  #faults(direction: MemoryDirection): Faults {
    if (direction === 'to-host') return this.#pair.toHost;
    if (direction === 'to-device') return this.#pair.toDevice;
    throw new TypeError(`"direction" must be 'to-host' or 'to-device'; got ${String(direction)}`);
  }
}

interface PairState {
  readonly toHost: Faults;
  readonly toDevice: Faults;
  readonly stats: MemoryPairStats;
  /** Runs `fn` when a write made now arrives. */
  readonly later: (fn: () => void) => void;
}

/**
 * Creates two connected in-memory transports. Nothing is buffered for an end without data
 * listeners (its bytes are dropped, as the {@link Transport} contract says), and closing either
 * end closes the other with a {@link DisconnectedError}. Throws `RangeError` for a bad
 * `latencyMs`.
 */
export function createMemoryPair(options: MemoryPairOptions = {}): MemoryPair {
  const { name = 'memory', latencyMs = 0 } = options;
  if (!(Number.isFinite(latencyMs) && latencyMs >= 0)) throw new RangeError(`"latencyMs" must be a finite number >= 0; got ${latencyMs}`);
  const clock = options.clock ?? (latencyMs > 0 ? systemClock : undefined);
  const pair: PairState = {
    toHost: { drop: 0, corrupt: 0 },
    toDevice: { drop: 0, corrupt: 0 },
    stats: { framesDropped: 0, framesCorrupted: 0, garbageBytes: 0 },
    later: clock === undefined ? (fn) => setImmediate(fn) : (fn) => clock.setTimer(clock.now() + latencyMs, fn, undefined),
  };
  const host = new MemoryEnd(name, pair, pair.toDevice);
  const device = new DeviceEnd(`${name} (device end)`, pair);
  host.peer = device;
  device.peer = host;
  return { host, device };
}

/** Applies pending drops and corruptions to the frames in one written chunk (a copy). */
function applyFaults(chunk: Uint8Array, faults: Faults, stats: MemoryPairStats): Uint8Array {
  if (faults.drop === 0 && faults.corrupt === 0) return chunk;
  const kept: Uint8Array[] = [];
  let start = 0;
  while (start < chunk.length) {
    const at = chunk.indexOf(FRAME_DELIMITER, start);
    const end = at === -1 ? chunk.length : at + 1;
    const piece = chunk.subarray(start, end);
    start = end;
    const isFrame = at !== -1 && piece.length > 1;
    if (isFrame && faults.drop > 0) {
      faults.drop--;
      stats.framesDropped++;
      continue;
    }
    if (isFrame && faults.corrupt > 0) {
      faults.corrupt--;
      stats.framesCorrupted++;
      corruptDataByte(piece.subarray(0, piece.length - 1));
    }
    kept.push(piece);
  }
  const out = new Uint8Array(kept.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of kept) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Flips bits of the COBS data byte nearest the middle of `encoded` (keeping it non-zero). */
function corruptDataByte(encoded: Uint8Array): void {
  const data: number[] = [];
  for (let code = 0; code < encoded.length; code += encoded[code]!) {
    for (let i = code + 1; i < Math.min(code + encoded[code]!, encoded.length); i++) data.push(i);
    if (encoded[code] === 0) break;
  }
  const at = data.length > 0 ? data[Math.floor(data.length / 2)]! : Math.floor(encoded.length / 2);
  const flipped = encoded[at]! ^ 0x40;
  encoded[at] = flipped === 0 ? encoded[at]! ^ 0x20 : flipped;
}
