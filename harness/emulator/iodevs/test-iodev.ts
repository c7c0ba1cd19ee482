import type { VirtualClock } from '../../clock';
import {
  EIO, ENOTSUP, ETIMEDOUT, RTIO_OP_NOP, RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_OP_TX, RTIO_OP_TXRX,
  RTIO_SQE_MEMPOOL_BUFFER, sqeRxBuf, txnNext,
} from '../../rtio';
import type { IodevSqe } from '../../rtio';
import type { Fault } from '../../target/faults';
import { QueuedIodev, memberResult } from './queued-iodev';
import type { Outcome } from './queued-iodev';

/** `iodevFlags` bits 0–19: delay before completion, in units of {@link TEST_IODEV_DELAY_UNIT_MS}. */
export const TEST_IODEV_DELAY_MASK = 0xfffff;
/** One delay unit: 10 µs, in ms. */
export const TEST_IODEV_DELAY_UNIT_MS = 0.01;
/** Delay units per ms (the inverse of {@link TEST_IODEV_DELAY_UNIT_MS}). */
export const TEST_IODEV_DELAY_UNITS_PER_MS = 100;
/** Scripted delays must be below this many ms (2^20 units of 10 µs). */
export const TEST_IODEV_DELAY_LIMIT_MS = (TEST_IODEV_DELAY_MASK + 1) / TEST_IODEV_DELAY_UNITS_PER_MS;
/** `iodevFlags` bits 20–27 hold the errno magnitude of a scripted failure (0 = succeed). */
export const TEST_IODEV_ERRNO_SHIFT = 20;
/** Mask of the errno field of `iodevFlags`. */
export const TEST_IODEV_ERRNO_MASK = 0xff << TEST_IODEV_ERRNO_SHIFT;
/** Largest scriptable errno magnitude. */
export const TEST_IODEV_ERRNO_MAX = 0xff;
/** `iodevFlags` bit 28: never complete until cancelled or timed out. */
export const TEST_IODEV_HANG = 1 << 28;
/** Bytes a mempool RX reads (it asks the pool for exactly this much). */
export const TEST_IODEV_POOL_READ_LEN = 16;
/** RX data: byte i of a read is `(TEST_IODEV_PATTERN_SEED + i) & 0xff`. */
export const TEST_IODEV_PATTERN_SEED = 0xa5;
/** How long a `bus-timeout` fault holds the test iodev before `-ETIMEDOUT`, virtual ms. */
export const TEST_IODEV_BUS_TIMEOUT_MS = 25;

/** What one SQE on the test iodev should do, encoded into `sqe.iodevFlags` by {@link testIodevScript}. */
export interface TestIodevScript {
  /** Virtual ms from start to completion: a multiple of 0.01, below {@link TEST_IODEV_DELAY_LIMIT_MS}. Default 0. */
  readonly delayMs?: number;
  /** 0 to succeed (default), or a negative errno -1..-255 to fail with. */
  readonly result?: number;
  /** Never complete until cancelled or timed out. Default false. */
  readonly hang?: boolean;
}

/**
 * Encodes a per-SQE script for the test iodev; put the value in `sqe.iodevFlags` (it travels
 * with the SQE, also over the wire). Throws `RangeError` naming the bad field.
 */
export function testIodevScript(script: TestIodevScript = {}): number {
  if (script === null || typeof script !== 'object') throw new TypeError('"script" must be an object');
  const delayMs = script.delayMs ?? 0;
  const result = script.result ?? 0;
  const hang = script.hang ?? false;
  const units = Math.round(delayMs * TEST_IODEV_DELAY_UNITS_PER_MS);
  if (typeof delayMs !== 'number' || !(delayMs >= 0) || !(delayMs < TEST_IODEV_DELAY_LIMIT_MS) ||
    Math.abs(units - delayMs * TEST_IODEV_DELAY_UNITS_PER_MS) > 1e-6) {
    throw new RangeError(`"script.delayMs" must be a multiple of ${TEST_IODEV_DELAY_UNIT_MS} in 0..<${TEST_IODEV_DELAY_LIMIT_MS}, got ${String(delayMs)}`);
  }
  if (!Number.isInteger(result) || result > 0 || result < -TEST_IODEV_ERRNO_MAX) {
    throw new RangeError(`"script.result" must be 0 or a negative errno -1..-${TEST_IODEV_ERRNO_MAX}, got ${String(result)}`);
  }
  if (typeof hang !== 'boolean') throw new RangeError(`"script.hang" must be a boolean, got ${String(hang)}`);
  return (units | (-result << TEST_IODEV_ERRNO_SHIFT) | (hang ? TEST_IODEV_HANG : 0)) >>> 0;
}

/** Decodes `sqe.iodevFlags` as the test iodev reads it (the inverse of {@link testIodevScript}). */
export function decodeTestIodevScript(iodevFlags: number): Required<TestIodevScript> {
  const errno = (iodevFlags & TEST_IODEV_ERRNO_MASK) >>> TEST_IODEV_ERRNO_SHIFT;
  return {
    delayMs: (iodevFlags & TEST_IODEV_DELAY_MASK) / TEST_IODEV_DELAY_UNITS_PER_MS,
    result: errno === 0 ? 0 : -errno,
    hang: (iodevFlags & TEST_IODEV_HANG) !== 0,
  };
}

/** The first `len` bytes the test iodev reads: byte i is `(TEST_IODEV_PATTERN_SEED + i) & 0xff`. */
export function testIodevPattern(len: number): Uint8Array {
  if (!Number.isInteger(len) || len < 0) throw new RangeError(`"len" must be a non-negative integer, got ${String(len)}`);
  return Uint8Array.from({ length: len }, (_, i) => (TEST_IODEV_PATTERN_SEED + i) & 0xff);
}

function fillPattern(buf: Uint8Array, len: number): void {
  for (let i = 0; i < len; i++) buf[i] = (TEST_IODEV_PATTERN_SEED + i) & 0xff;
}

/**
 * A test iodev after Zephyr's `rtio_iodev_test`, scripted per SQE through `sqe.iodevFlags`
 * (see {@link testIodevScript}). Units (an SQE or a whole transaction) run one at a time in
 * submission order; each takes the sum of its members' scripted delays (default 0: it completes
 * at the next clock step, never synchronously).
 *
 * Ops: NOP → 0; RX → fills `buf` with {@link testIodevPattern}, result = len; mempool RX → asks
 * for {@link TEST_IODEV_POOL_READ_LEN} bytes, fills them, result 16 (`-ENOMEM` when the pool is
 * exhausted); TX / TINY_TX → len; TXRX → copies `txBuf` into `rxBuf`, result = len; AWAIT holds
 * the iodev until signalled; any other op → `-ENOTSUP`. In a transaction every member runs, each
 * with its own result; the first member scripted to fail carries its error (later members are
 * cancelled), and a member scripted to hang makes the whole unit hang.
 *
 * Cancel hook: a unit still queued, hanging or awaiting → true (dropped); one in its delay →
 * false (it completes as scripted). Faults: `delay` adds its ms; `nack` fails the unit with
 * `-EIO`; `short-read` cuts the first RX member to `bytes`; `bus-timeout` fails it with
 * `-ETIMEDOUT` after {@link TEST_IODEV_BUS_TIMEOUT_MS}.

 */
export class TestIodev extends QueuedIodev {
  /** Units received by `submit` (each shot of a multishot counts). */
  submitted = 0;
  /** Units dropped by the cancel hook (cancel or timeout before they started, or while hanging). */
  dropped = 0;
  /** Most units held at once (queued, waiting or running). */
  maxConcurrent = 0;

  /** `name` as in the board's iodev table (`test0` on the reference board). */
  constructor(name: string, clock: VirtualClock) {
    super(name, clock);
  }

  /** Units the iodev completed (success or failure), not counting dropped ones. */
  get completed(): number {
    return this.submitted - this.dropped - this.depth;
  }

  protected override get beginsNop(): boolean {
    return true;
  }

  override submit(iodevSqe: IodevSqe): void {
    this.submitted++;
    super.submit(iodevSqe);
    if (this.depth > this.maxConcurrent) this.maxConcurrent = this.depth;
  }

  override cancel(iodevSqe: IodevSqe): boolean {
    const dropped = super.cancel(iodevSqe);
    if (dropped) this.dropped++;
    return dropped;
  }

  protected begin(head: IodevSqe, fault: Fault | null): Outcome | null {
    const members: IodevSqe[] = [];
    for (let m: IodevSqe | null = head; m !== null; m = txnNext(m)) members.push(m);
    if (members.some((m) => (m.sqe.iodevFlags & TEST_IODEV_HANG) !== 0)) return null;
    if (fault !== null && fault.kind === 'nack') return { result: -EIO, durationMs: 0, failAt: head };
    if (fault !== null && fault.kind === 'bus-timeout') return { result: -ETIMEDOUT, durationMs: TEST_IODEV_BUS_TIMEOUT_MS, failAt: head };
    let shortBytes = fault !== null && fault.kind === 'short-read' ? fault.bytes : -1;
    let delayMs = 0;
    let headResult = 0;
    for (const m of members) {
      const script = decodeTestIodevScript(m.sqe.iodevFlags);
      delayMs += script.delayMs;
      if (script.result < 0) return { result: script.result, durationMs: delayMs, failAt: m };
      let limit = Infinity;
      if (m.sqe.op === RTIO_OP_RX && shortBytes >= 0) {
        limit = shortBytes;
        shortBytes = -1;
      }
      const r = this.run(m, limit);
      if (r < 0) return { result: r, durationMs: delayMs, failAt: m };
      memberResult(m, r);
      if (m === head) headResult = r;
    }
    return { result: headResult, durationMs: delayMs };
  }

  private run(m: IodevSqe, limit: number): number {
    const sqe = m.sqe;
    switch (sqe.op) {
      case RTIO_OP_NOP:
        return 0;
      case RTIO_OP_TX:
      case RTIO_OP_TINY_TX:
        return sqe.bufLen;
      case RTIO_OP_TXRX:
        sqe.rxBuf!.set(sqe.txBuf!.subarray(0, sqe.bufLen));
        return sqe.bufLen;
      case RTIO_OP_RX: {
        const len = sqe.flags & RTIO_SQE_MEMPOOL_BUFFER ? TEST_IODEV_POOL_READ_LEN : sqe.bufLen;
        const buf = sqeRxBuf(m, len, len);
        if (typeof buf === 'number') return buf;
        const n = Math.min(len, limit);
        fillPattern(buf, n);
        return n;
      }
      default:
        return -ENOTSUP;
    }
  }
}
