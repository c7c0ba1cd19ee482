import { VirtualClock } from '../../clock';
import {
  ENOTSUP, RTIO_IODEV_I2C_10_BITS, RTIO_IODEV_I2C_RESTART, RTIO_OP_I2C_CONFIGURE,
  RTIO_OP_I2C_RECOVER, RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_OP_TX, RTIO_SQE_MEMPOOL_BUFFER, sqeRxBuf,
  txnNext,
} from '../../rtio';
import type { IodevSqe } from '../../rtio';
import { I2cBus } from '../bus/i2c-bus';
import type { I2cMsg } from '../bus/i2c-bus';
import type { Fault } from '../../target/faults';
import { QueuedIodev, memberResult, unsupported } from './queued-iodev';
import type { Outcome } from './queued-iodev';

/** Bytes a mempool RX (`RTIO_SQE_MEMPOOL_BUFFER`) reads from a plain I2C iodev: 16. */
export const I2C_MEMPOOL_READ_LEN = 16;

/**
 * The iodev of one I2C target on an emulated {@link I2cBus}, like Zephyr's `i2c_rtio` iodev:
 * units run one at a time, each as ONE bus transfer ending with STOP.
 * - RX reads `bufLen` bytes into `buf`; TX / TINY_TX write `bufLen` bytes of `buf`. The result
 *   is the byte count (fewer on a short read).
 * - A TRANSACTION is one transfer whose messages are its members, with a repeated START where
 *   the direction changes or a member has `RTIO_IODEV_I2C_RESTART`; each member's CQE carries
 *   its own byte count, and a NACK fails the member whose byte was refused (`-EIO`).
 *   `RTIO_IODEV_I2C_STOP` is implied at the end of the unit and ignored elsewhere.
 * - A mempool RX reads {@link I2C_MEMPOOL_READ_LEN} bytes into a pool buffer (`-ENOMEM` when
 *   the pool is exhausted); it cannot be part of a transaction (`-ENOTSUP`).
 * - I2C_RECOVER: 0 after 9 clock pulses and a STOP on the bus. I2C_CONFIGURE: 0, the bits are
 *   kept in {@link I2cIodev.i2cConfig} (the bus bitrate does not change).
 * - `RTIO_IODEV_I2C_10_BITS`, TXRX and any other op: `-ENOTSUP`.
 * Faults: `nack`, `short-read` and `bus-timeout` go to the bus transfer; `delay` lengthens the unit.
 */
export class I2cIodev extends QueuedIodev {
  /** The last `i2c_config` bits set by RTIO_OP_I2C_CONFIGURE, or null. */
  i2cConfig: number | null = null;

  /**
   * `address` is the target's 7-bit address on `bus`; `clock` must be the clock the bus and its
   * devices keep time with. Throws `TypeError`/`RangeError` naming a bad argument.
   */
  constructor(name: string, clock: VirtualClock, readonly bus: I2cBus, readonly address: number) {
    super(name, clock);
    if (typeof name !== 'string' || name.length === 0) throw new TypeError(`"name" must be a non-empty string, got ${String(name)}`);
    if (!(clock instanceof VirtualClock)) throw new TypeError('"clock" must be a VirtualClock');
    if (!(bus instanceof I2cBus)) throw new TypeError('"bus" must be an I2cBus');
    if (!Number.isInteger(address) || address < 0 || address > 0x7f) {
      throw new RangeError(`"address" must be a 7-bit address 0..0x7f, got ${String(address)}`);
    }
  }

  protected begin(head: IodevSqe, fault: Fault | null): Outcome | null {
    const op = head.sqe.op;
    if (op === RTIO_OP_RX || op === RTIO_OP_TX || op === RTIO_OP_TINY_TX) return this.runTransfer(head, fault);
    if (txnNext(head) !== null) return unsupported();
    switch (op) {
      case RTIO_OP_I2C_RECOVER: {
        const now = this.clock.now();
        const r = this.bus.recover(now);
        return { result: 0, durationMs: r.startMs + r.durationMs - now };
      }
      case RTIO_OP_I2C_CONFIGURE:
        this.i2cConfig = head.sqe.i2cConfig;
        return { result: 0, durationMs: 0 };
      default:
        return unsupported();
    }
  }

  private runTransfer(head: IodevSqe, fault: Fault | null): Outcome {
    const members: IodevSqe[] = [];
    for (let m: IodevSqe | null = head; m !== null; m = txnNext(m)) members.push(m);
    const msgs: I2cMsg[] = [];
    for (const [i, m] of members.entries()) {
      const sqe = m.sqe;
      const transfer = sqe.op === RTIO_OP_RX || sqe.op === RTIO_OP_TX || sqe.op === RTIO_OP_TINY_TX;
      const pool = (sqe.flags & RTIO_SQE_MEMPOOL_BUFFER) !== 0;
      if (!transfer || (sqe.iodevFlags & RTIO_IODEV_I2C_10_BITS) !== 0 || (pool && members.length > 1)) {
        return { result: -ENOTSUP, durationMs: 0, failAt: m };
      }
      const restart = (sqe.iodevFlags & RTIO_IODEV_I2C_RESTART) !== 0 && i > 0;
      if (pool) {
        const buf = sqeRxBuf(m, I2C_MEMPOOL_READ_LEN, I2C_MEMPOOL_READ_LEN);
        if (typeof buf === 'number') return { result: buf, durationMs: 0 };
        msgs.push({ read: true, buf, len: Math.min(I2C_MEMPOOL_READ_LEN, buf.length) });
      } else {
        msgs.push({ read: sqe.op === RTIO_OP_RX, buf: sqe.buf!, len: sqe.bufLen, restart });
      }
    }
    const now = this.clock.now();
    const r = this.bus.transfer(this.address, msgs, fault, now);
    members.forEach((m, i) => memberResult(m, r.counts[i]!));
    const durationMs = r.startMs + r.durationMs - now;
    if (r.status < 0) return { result: r.status, durationMs, failAt: members[r.failedMsg]! };
    return { result: r.counts[0]!, durationMs };
  }
}
