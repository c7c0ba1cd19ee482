import { iodevSqeErr, iodevSqeOk } from '../../../rtio';
import type { IodevSqe } from '../../../rtio';
import type { Fault } from '../../../target/faults';
import { I2cIodev } from '../i2c-iodev';
import type { Outcome } from '../queued-iodev';

/**
 * BROKEN ON PURPOSE (for the conformance kit's own tests): an I2C iodev that completes every
 * unit twice, once from its "transfer done" callback and once more from its queue's completion
 * path. Breaks "one CQE per SQE" (docs/semantics.md §19): the executor counts the second
 * completion as stray, and a late one could complete whatever SQE reuses the slot.
 */
export class DoubleCompleteI2cIodev extends I2cIodev {
  protected override begin(head: IodevSqe, fault: Fault | null): Outcome | null {
    const o = super.begin(head, fault);
    if (o !== null) {
      this.clock.setTimer(this.clock.now() + o.durationMs, () => {
        if (o.result >= 0) iodevSqeOk(head, o.result);
        else iodevSqeErr(o.failAt ?? head, o.result);
      }, undefined);
    }
    return o;
  }
}
