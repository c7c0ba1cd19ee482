import { RTIO_OP_TINY_TX, RTIO_OP_TX, txnNext } from '../../../rtio';
import type { IodevSqe } from '../../../rtio';
import { I2C_BITS_PER_BYTE, I2C_BITS_PER_CONDITION } from '../../bus/i2c-bus';
import type { Fault } from '../../../target/faults';
import { I2cIodev } from '../i2c-iodev';
import type { Outcome } from '../queued-iodev';

/**
 * BROKEN ON PURPOSE (for the conformance kit's own tests): an I2C iodev that posts each lone
 * write to its controller and completes it at once, before the controller has put it on the
 * bus; the controller runs posted writes later, after transfers started in the meantime. So a
 * chain's next member starts before the write it follows took effect, as if CHAINED were
 * ignored: a read chained after the write sees the old value. Breaks "a chain member starts
 * only after the one before it has completed" (docs/semantics.md §2).
 */
export class EagerCompleteI2cIodev extends I2cIodev {
  /** Writes posted and not yet on the bus. */
  posted = 0;

  protected override begin(head: IodevSqe, fault: Fault | null): Outcome | null {
    const sqe = head.sqe;
    if ((sqe.op !== RTIO_OP_TX && sqe.op !== RTIO_OP_TINY_TX) || txnNext(head) !== null) return super.begin(head, fault);
    const bytes = sqe.buf!.slice(0, sqe.bufLen);
    const busMs = this.bus.bitsToMs((bytes.length + 1) * I2C_BITS_PER_BYTE + 2 * I2C_BITS_PER_CONDITION);
    this.posted++;
    this.clock.setTimer(this.clock.now() + busMs, () => {
      this.posted--;
      this.bus.transfer(this.address, [{ read: false, buf: bytes, len: bytes.length }], fault, this.clock.now());
    }, undefined);
    return { result: bytes.length, durationMs: 0 };
  }
}
