import { RTIO_OP_RX, RTIO_SQE_MEMPOOL_BUFFER, txnNext } from '../../../rtio';
import type { IodevSqe } from '../../../rtio';
import type { Fault } from '../../../target/faults';
import { I2cIodev } from '../i2c-iodev';
import { memberResult } from '../queued-iodev';
import type { Outcome } from '../queued-iodev';

/**
 * BROKEN ON PURPOSE (for the conformance kit's own tests): an I2C iodev that completes reads
 * with the length it asked the controller for, not the bytes the controller moved, so a short
 * read looks complete and its chain goes on with a half-filled buffer. Breaks "a transfer
 * completes with the bytes it moved" (docs/semantics.md §3).
 */
export class ShortAsFullI2cIodev extends I2cIodev {
  protected override begin(head: IodevSqe, fault: Fault | null): Outcome | null {
    const o = super.begin(head, fault);
    if (o === null || o.result < 0) return o;
    const asked = (m: IodevSqe): boolean => m.sqe.op === RTIO_OP_RX && (m.sqe.flags & RTIO_SQE_MEMPOOL_BUFFER) === 0;
    for (let m: IodevSqe | null = head; m !== null; m = txnNext(m)) if (asked(m)) memberResult(m, m.sqe.bufLen);
    return asked(head) ? { ...o, result: head.sqe.bufLen } : o;
  }
}
