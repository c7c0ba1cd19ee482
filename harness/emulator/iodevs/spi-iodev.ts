import type { VirtualClock } from '../../clock';
import {
  EIO, ENOTSUP, ETIMEDOUT, RTIO_OP_NOP, RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_OP_TX, RTIO_OP_TXRX,
  RTIO_SQE_MEMPOOL_BUFFER, sqeRxBuf, txnNext,
} from '../../rtio';
import type { IodevSqe } from '../../rtio';
import type { SpiBus } from '../bus/spi-bus';
import type { Fault } from '../../target/faults';
import { QueuedIodev, memberResult } from './queued-iodev';
import type { Outcome } from './queued-iodev';

/** Bytes a mempool RX (`RTIO_SQE_MEMPOOL_BUFFER`) clocks in when no `poolReadLen` is given. */
export const SPI_POOL_READ_LEN = 16;
/** MOSI byte sent while receiving (RX). */
export const SPI_RX_FILL = 0x00;

/** Options of `new SpiIodev(...)`. */
export interface SpiIodevOptions {
  /** Bytes a mempool RX reads (default {@link SPI_POOL_READ_LEN}), 1..65536. */
  readonly poolReadLen?: number;
}

/** Largest `poolReadLen`. */
export const SPI_POOL_READ_MAX = 65536;

/**
 * An SPI device on one chip select of an {@link SpiBus}, as an RTIO iodev. Each unit is one CS
 * episode: a single SQE, or a whole transaction whose members share one CS assertion; CS is
 * released between chain members (and between any two units).
 *
 * Ops: TX / TINY_TX send `buf` (MISO discarded); RX sends {@link SPI_RX_FILL} and stores MISO
 * (a mempool RX reads `poolReadLen` bytes into a pool buffer); TXRX is full duplex
 * `txBuf` → `rxBuf`; NOP inside a transaction moves nothing. Results are byte counts, one per
 * member. Any other op fails with `-ENOTSUP` before CS is asserted; so does a failed pool
 * allocation (`-ENOMEM`), at its member.
 *
 * Faults (one per unit):
 * - `nack`: SPI has no acknowledge, so this models "device not responding": the controller
 *   aborts before byte `atByte` of the episode (0 = its first byte) and releases CS; the member
 *   holding that byte fails with `-EIO`, earlier members report their byte counts, later ones
 *   are cancelled. No effect when the episode is shorter.
 * - `short-read`: the first RX member moves only `bytes` bytes (its result), then the controller
 *   releases CS; later members move nothing (result 0). No effect without an RX member or when
 *   `bytes` is not less than its length.
 * - `bus-timeout`: nothing is clocked; the unit fails with `-ETIMEDOUT` after the bus timeout.
 * - `delay`: the unit completes that much later (handled by the base class).
 */
export class SpiIodev extends QueuedIodev {
  /** Bytes a mempool RX reads. */
  readonly poolReadLen: number;

  /**
   * `bus` must run on `clock` (its `clock` option); `cs` is this device's chip select. Throws
   * `TypeError` naming `bus` when it does not, `RangeError` for a bad `cs` or `poolReadLen`.
   */
  constructor(name: string, clock: VirtualClock, readonly bus: SpiBus, readonly cs: number, opts: SpiIodevOptions = {}) {
    super(name, clock);
    if (bus.clock !== clock) throw new TypeError('"bus" must be created with the same "clock" as the iodev');
    if (!Number.isInteger(cs) || cs < 0) throw new RangeError(`"cs" must be a non-negative integer, got ${String(cs)}`);
    const len = opts.poolReadLen ?? SPI_POOL_READ_LEN;
    if (!Number.isInteger(len) || len < 1 || len > SPI_POOL_READ_MAX) {
      throw new RangeError(`"poolReadLen" must be an integer 1..${SPI_POOL_READ_MAX}, got ${String(len)}`);
    }
    this.poolReadLen = len;
  }

  protected begin(head: IodevSqe, fault: Fault | null): Outcome {
    const members: IodevSqe[] = [];
    for (let m: IodevSqe | null = head; m !== null; m = txnNext(m)) members.push(m);
    for (const m of members) {
      const op = m.sqe.op;
      if (op !== RTIO_OP_TX && op !== RTIO_OP_TINY_TX && op !== RTIO_OP_RX && op !== RTIO_OP_TXRX && op !== RTIO_OP_NOP) {
        return { result: -ENOTSUP, durationMs: 0, failAt: m };
      }
    }
    if (fault !== null && fault.kind === 'bus-timeout') {
      return { result: -ETIMEDOUT, durationMs: this.bus.stall(this.cs), failAt: head };
    }
    const rx: (Uint8Array | null)[] = [];
    for (const m of members) {
      const sqe = m.sqe;
      if (sqe.op === RTIO_OP_RX) {
        const len = sqe.flags & RTIO_SQE_MEMPOOL_BUFFER ? this.poolReadLen : sqe.bufLen;
        const buf = sqeRxBuf(m, len, len);
        if (typeof buf === 'number') return { result: buf, durationMs: 0, failAt: m };
        rx.push(buf.subarray(0, len));
      } else {
        rx.push(sqe.op === RTIO_OP_TXRX ? sqe.rxBuf : null);
      }
    }
    const nackAt = fault !== null && fault.kind === 'nack' ? fault.atByte : -1;
    let shortBytes = fault !== null && fault.kind === 'short-read' ? fault.bytes : -1;
    const counts = members.map(() => 0);
    const fail: { at: IodevSqe | null } = { at: null };
    const durationMs = this.bus.runEpisode(this.cs, (x) => {
      for (let i = 0; i < members.length; i++) {
        const sqe = members[i]!.sqe;
        const out = rx[i]!;
        const tx = sqe.op === RTIO_OP_TXRX ? sqe.txBuf : sqe.op === RTIO_OP_RX ? null : sqe.buf;
        let len = sqe.op === RTIO_OP_NOP ? 0 : sqe.op === RTIO_OP_RX ? out!.length : sqe.bufLen;
        let stop = false;
        if (sqe.op === RTIO_OP_RX && shortBytes >= 0) {
          if (shortBytes < len) {
            len = shortBytes;
            stop = true;
          }
          shortBytes = -1;
        }
        for (let k = 0; k < len; k++) {
          if (x.bytes === nackAt) {
            fail.at = members[i]!;
            return;
          }
          const miso = x.exchange(tx === null ? SPI_RX_FILL : tx[k]!);
          if (out !== null) out[k] = miso;
          counts[i] = k + 1;
        }
        if (stop) return;
      }
    });
    members.forEach((m, i) => memberResult(m, counts[i]!));
    if (fail.at !== null) return { result: -EIO, durationMs, failAt: fail.at };
    return { result: counts[0]!, durationMs };
  }
}
