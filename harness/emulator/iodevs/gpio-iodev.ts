import type { VirtualClock } from '../../clock';
import {
  EINVAL, ENOTSUP, iodevSqeErr, iodevSqeOk, RTIO_OP_NOP, RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_OP_TX,
  RTIO_SQE_MEMPOOL_BUFFER, RTIO_SQE_TRANSACTION, sqeRxBuf, txnNext,
} from '../../rtio';
import type { IodevSqe } from '../../rtio';
import { GPIO_LINE_COUNT, GpioLines } from '../devices/gpio-lines';
import type { GpioEdge } from '../devices/gpio-lines';
import type { Fault } from '../../target/faults';
import { QueuedIodev, memberResult } from './queued-iodev';
import type { Outcome } from './queued-iodev';

/** `sqe.iodevFlags` bit: this RX waits for the next input edge and delivers an edge record. */
export const RTIO_IODEV_GPIO_WAIT_EDGE = 1 << 0;
/** Bytes of one edge record: `[line u8, level u8, 0, 0, timestamp µs u32 little-endian]`. */
export const GPIO_EDGE_RECORD_LEN = 8;
/** Default number of edges kept while no edge read waits; later ones are dropped and counted. */
export const GPIO_EDGE_QUEUE_LIMIT = 16;
/** Largest `edgeQueueLimit`. */
export const GPIO_EDGE_QUEUE_MAX = 65536;

/** Options of `new GpioIodev(...)`. */
export interface GpioIodevOptions {
  /** Edges kept while no edge read waits (default {@link GPIO_EDGE_QUEUE_LIMIT}), 1..65536. */
  readonly edgeQueueLimit?: number;
}

/** Writes the edge record of `e` into `out[0..8)`; the timestamp is µs rounded, modulo 2^32. */
export function encodeGpioEdge(e: GpioEdge, out: Uint8Array): void {
  const us = Math.round(e.timeMs * 1000) % 2 ** 32;
  out[0] = e.line;
  out[1] = e.level;
  out[2] = 0;
  out[3] = 0;
  out[4] = us & 0xff;
  out[5] = (us >>> 8) & 0xff;
  out[6] = (us >>> 16) & 0xff;
  out[7] = (us >>> 24) & 0xff;
}

/** Decodes an edge record (see {@link encodeGpioEdge}); `timeUs` is the raw u32 timestamp. */
export function decodeGpioEdge(rec: Uint8Array): { line: number; level: number; timeUs: number } {
  if (rec.length < GPIO_EDGE_RECORD_LEN) throw new RangeError(`"rec" must hold ${GPIO_EDGE_RECORD_LEN} bytes, has ${rec.length}`);
  const timeUs = (rec[4]! | (rec[5]! << 8) | (rec[6]! << 16) | (rec[7]! << 24)) >>> 0;
  return { line: rec[0]!, level: rec[1]!, timeUs };
}

function isEdgeRead(s: IodevSqe): boolean {
  const sqe = s.sqe;
  return sqe.op === RTIO_OP_RX && ((sqe.iodevFlags & RTIO_IODEV_GPIO_WAIT_EDGE) !== 0 || (sqe.flags & RTIO_SQE_MEMPOOL_BUFFER) !== 0);
}

/**
 * The GPIO port of the reference board ({@link GpioLines}: outputs 0–3, inputs 4–7, jumpered
 * k → k+4) as an RTIO iodev, named `gpio0` on the reference board.
 *
 * - TX / TINY_TX: `(line, level)` byte pairs set outputs in order; result = bytes. An odd
 *   length, an input or unknown line, or a level other than 0/1 fails with `-EINVAL` and sets
 *   nothing.
 * - RX of `len` ≤ 8 bytes: the levels of lines 0..len-1, one byte each; result = len
 *   (`-EINVAL` for a longer read).
 * - Edge read: an RX with {@link RTIO_IODEV_GPIO_WAIT_EDGE} in `iodevFlags`, or with
 *   `RTIO_SQE_MEMPOOL_BUFFER`, waits for the next input edge and delivers one 8-byte record
 *   (see {@link encodeGpioEdge}) into `buf` (≥ 8 bytes, else `-EINVAL`) or a pool buffer;
 *   result 8, `-ENOMEM` when the pool is exhausted (the edge stays queued).
 *
 * Edge reads do not hold the iodev: a lone edge read (not in a transaction) waits in a list of
 * its own, and later units (e.g. the TX that makes the edge) run meanwhile; waiting reads are
 * served oldest first. Edges are queued whether or not a read waits (up to `edgeQueueLimit`,
 * then dropped and counted), so none is lost between the shots of a multishot read, and are
 * delivered at the virtual time they happen but from a clock event of their own, never from
 * inside `submit`; like an edge ISR, that comes before the CQE of the write that made the edge. Cancelling a
 * waiting edge read drops it (the cancel hook returns true); so does a timeout. Faults are not
 * applied to waiting edge reads. An edge read inside a transaction fails with `-ENOTSUP`.
 */
export class GpioIodev extends QueuedIodev {
  /** Most edges kept while no read waits. */
  readonly edgeQueueLimit: number;
  /** Edges dropped because the queue was full. */
  edgesDropped = 0;
  /** Edge records delivered. */
  edgesDelivered = 0;

  private readonly waiting: IodevSqe[] = [];
  private readonly pending: GpioEdge[] = [];
  private deliverTimer = 0;
  private delivering = false;
  private readonly deliverFn = (): void => this.deliver();

  /** Throws `RangeError` naming a bad `edgeQueueLimit`, `TypeError` for a bad `lines`. */
  constructor(name: string, clock: VirtualClock, readonly lines: GpioLines, opts: GpioIodevOptions = {}) {
    super(name, clock);
    if (!(lines instanceof GpioLines)) throw new TypeError('"lines" must be a GpioLines');
    const limit = opts.edgeQueueLimit ?? GPIO_EDGE_QUEUE_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > GPIO_EDGE_QUEUE_MAX) {
      throw new RangeError(`"edgeQueueLimit" must be an integer 1..${GPIO_EDGE_QUEUE_MAX}, got ${String(limit)}`);
    }
    this.edgeQueueLimit = limit;
    lines.onEdge((e) => this.edge(e));
  }

  /** Edges queued and not yet delivered. */
  get pendingEdges(): number {
    return this.pending.length;
  }

  /** Edge reads waiting for an edge. */
  get waitingReads(): number {
    return this.waiting.length;
  }

  /** Forgets every queued edge. */
  clearEdges(): void {
    this.pending.length = 0;
  }

  override submit(iodevSqe: IodevSqe): void {
    const sqe = iodevSqe.sqe;
    const lone = !(sqe.flags & RTIO_SQE_TRANSACTION);
    const bufOk = (sqe.flags & RTIO_SQE_MEMPOOL_BUFFER) !== 0 || sqe.bufLen >= GPIO_EDGE_RECORD_LEN;
    if (lone && isEdgeRead(iodevSqe) && bufOk) {
      this.waiting.push(iodevSqe);
      this.scheduleDelivery();
      return;
    }
    super.submit(iodevSqe);
  }

  override cancel(iodevSqe: IodevSqe): boolean {
    const i = this.waiting.indexOf(iodevSqe);
    if (i >= 0) {
      this.waiting.splice(i, 1);
      return true;
    }
    return super.cancel(iodevSqe);
  }

  protected begin(head: IodevSqe, _fault: Fault | null): Outcome {
    let headResult = 0;
    for (let m: IodevSqe | null = head; m !== null; m = txnNext(m)) {
      const r = this.run(m);
      if (r < 0) return { result: r, durationMs: 0, failAt: m };
      memberResult(m, r);
      if (m === head) headResult = r;
    }
    return { result: headResult, durationMs: 0 };
  }

  private run(m: IodevSqe): number {
    const sqe = m.sqe;
    switch (sqe.op) {
      case RTIO_OP_NOP:
        return 0;
      case RTIO_OP_TX:
      case RTIO_OP_TINY_TX: {
        const buf = sqe.buf!;
        const n = sqe.bufLen;
        if (n % 2 !== 0) return -EINVAL;
        for (let i = 0; i < n; i += 2) {
          const level = buf[i + 1]!;
          if (!GpioLines.isOutput(buf[i]!) || (level !== 0 && level !== 1)) return -EINVAL;
        }
        for (let i = 0; i < n; i += 2) this.lines.set(buf[i]!, buf[i + 1]!);
        return n;
      }
      case RTIO_OP_RX: {
        if (isEdgeRead(m)) return sqe.flags & RTIO_SQE_TRANSACTION || m.txnHead !== m ? -ENOTSUP : -EINVAL;
        const n = sqe.bufLen;
        if (n > GPIO_LINE_COUNT) return -EINVAL;
        for (let i = 0; i < n; i++) sqe.buf![i] = this.lines.get(i);
        return n;
      }
      default:
        return -ENOTSUP;
    }
  }

  private edge(e: GpioEdge): void {
    if (this.pending.length >= this.edgeQueueLimit) {
      this.edgesDropped++;
      return;
    }
    this.pending.push(e);
    this.scheduleDelivery();
  }

  private scheduleDelivery(): void {
    if (this.delivering || this.deliverTimer !== 0 || this.pending.length === 0 || this.waiting.length === 0) return;
    this.deliverTimer = this.clock.setTimer(this.clock.now(), this.deliverFn, undefined);
  }

  private deliver(): void {
    this.deliverTimer = 0;
    this.delivering = true;
    try {
      while (this.pending.length > 0 && this.waiting.length > 0) {
        const s = this.waiting.shift()!;
        const buf = sqeRxBuf(s, GPIO_EDGE_RECORD_LEN, GPIO_EDGE_RECORD_LEN);
        if (typeof buf === 'number') {
          iodevSqeErr(s, buf);
          continue;
        }
        encodeGpioEdge(this.pending.shift()!, buf);
        this.edgesDelivered++;
        iodevSqeOk(s, GPIO_EDGE_RECORD_LEN);
      }
    } finally {
      this.delivering = false;
    }
  }
}
