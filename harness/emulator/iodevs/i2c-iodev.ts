import { VirtualClock } from '../../clock';
// The modules themselves rather than the rtio barrel: these run for every transfer.
import {
  RTIO_IODEV_I2C_10_BITS, RTIO_IODEV_I2C_RESTART, RTIO_OP_I2C_CONFIGURE, RTIO_OP_I2C_RECOVER,
  RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_OP_TX, RTIO_SQE_MEMPOOL_BUFFER, RTIO_SQE_TRANSACTION,
} from '../../rtio/constants';
import { ENOTSUP } from '../../rtio/errno';
import { sqeRxBuf, txnNext } from '../../rtio/iodev';
import type { IodevSqe } from '../../rtio/sqe';
import { I2cBus } from '../bus/i2c-bus';
import type { I2cMsg, I2cTransferOut } from '../bus/i2c-bus';
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
    const sqe = head.sqe;
    const op = sqe.op;
    if (op === RTIO_OP_RX || op === RTIO_OP_TX || op === RTIO_OP_TINY_TX) {
      const lone = !(sqe.flags & (RTIO_SQE_TRANSACTION | RTIO_SQE_MEMPOOL_BUFFER)) && !(sqe.iodevFlags & RTIO_IODEV_I2C_10_BITS);
      return lone ? this.runOne(head, fault) : this.runTransfer(head, fault);
    }
    return this.beginOther(head);
  }

  /** The ops other than transfers. */
  private beginOther(head: IodevSqe): Outcome {
    const op = head.sqe.op;
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

  /** Members and messages of the running unit, reused from unit to unit (one runs at a time). */
  private readonly members: (IodevSqe | null)[] = [];
  private readonly scratch: ScratchMsg[] = [];
  private readonly busResult: I2cTransferOut = { status: 0, counts: [], failedMsg: -1, startMs: 0, durationMs: 0 };
  /** The message list of a single-member unit, the usual case. */
  private readonly single: ScratchMsg[] = [this.scratchMsg(0)];

  private runTransfer(head: IodevSqe, fault: Fault | null): Outcome {
    const members = this.members;
    let n = 0;
    for (let m: IodevSqe | null = head; m !== null; m = txnNext(m)) members[n++] = m;
    const msgs: ScratchMsg[] = n === 1 ? this.single : [];
    for (let i = 0; i < n; i++) {
      const m = members[i]!;
      const sqe = m.sqe;
      const transfer = sqe.op === RTIO_OP_RX || sqe.op === RTIO_OP_TX || sqe.op === RTIO_OP_TINY_TX;
      const pool = (sqe.flags & RTIO_SQE_MEMPOOL_BUFFER) !== 0;
      if (!transfer || (sqe.iodevFlags & RTIO_IODEV_I2C_10_BITS) !== 0 || (pool && n > 1)) {
        return { result: -ENOTSUP, durationMs: 0, failAt: m };
      }
      const msg = this.scratchMsg(i);
      msg.restart = (sqe.iodevFlags & RTIO_IODEV_I2C_RESTART) !== 0 && i > 0;
      if (pool) {
        const buf = sqeRxBuf(m, I2C_MEMPOOL_READ_LEN, I2C_MEMPOOL_READ_LEN);
        if (typeof buf === 'number') return { result: buf, durationMs: 0 };
        msg.read = true;
        msg.buf = buf;
        msg.len = Math.min(I2C_MEMPOOL_READ_LEN, buf.length);
      } else {
        msg.read = sqe.op === RTIO_OP_RX;
        msg.buf = sqe.buf!;
        msg.len = sqe.bufLen;
      }
      if (n > 1) msgs.push(msg);
    }
    const now = this.clock.now();
    const r = this.busResult;
    this.bus.transferTrusted(r, this.address, msgs, fault, now);
    const failAt = r.status < 0 ? members[r.failedMsg]! : null;
    for (let i = 0; i < n; i++) {
      memberResult(members[i]!, r.counts[i]!);
      members[i] = null; // nothing of the unit is kept past it
      msgs[i]!.buf = NO_BYTES;
    }
    const durationMs = r.startMs + r.durationMs - now;
    return failAt !== null ? this.outcome(r.status, durationMs, failAt) : this.outcome(r.counts[0]!, durationMs);
  }

  /**
   * {@link I2cIodev.runTransfer} of the usual unit: one RX, TX or TINY_TX into or out of its own
   * buffer, which submit-time validation already checked.
   */
  private runOne(head: IodevSqe, fault: Fault | null): Outcome {
    const sqe = head.sqe;
    const msg = this.single[0]!;
    msg.read = sqe.op === RTIO_OP_RX;
    msg.buf = sqe.buf!;
    msg.len = sqe.bufLen;
    msg.restart = false;
    const now = this.clock.now();
    const r = this.busResult;
    this.bus.transferTrusted(r, this.address, this.single, fault, now);
    msg.buf = NO_BYTES; // nothing of the unit is kept past it
    const durationMs = r.startMs + r.durationMs - now;
    return r.status < 0 ? this.outcome(r.status, durationMs, head) : this.outcome(r.counts[0]!, durationMs);
  }

  /** The reusable message object for member `i`. */
  private scratchMsg(i: number): ScratchMsg {
    let msg = this.scratch[i];
    if (msg === undefined) {
      msg = { read: false, buf: NO_BYTES, len: 0, restart: false };
      this.scratch.push(msg);
    }
    return msg;
  }
}

/** An {@link I2cMsg} the iodev fills for each unit instead of allocating one. */
interface ScratchMsg extends I2cMsg {
  read: boolean;
  buf: Uint8Array;
  len: number;
  restart: boolean;
}

const NO_BYTES = new Uint8Array(0);
