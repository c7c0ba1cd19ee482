import type { IodevSqe } from '../../../rtio';
import type { Fault } from '../../../target/faults';
import { I2cIodev } from '../i2c-iodev';
import type { Outcome } from '../queued-iodev';

/**
 * BROKEN ON PURPOSE (for the conformance kit's own tests): an I2C iodev whose error path
 * returns without completing the unit. A failing unit (a NACK, an unsupported op) is forgotten
 * once the bus is idle again and never gets a CQE; later units run normally. Breaks "a failing
 * unit still completes, with a negative errno" (docs/semantics.md §19).
 */
export class DropOnErrorI2cIodev extends I2cIodev {
  /** Failing units forgotten without a completion. */
  dropped = 0;

  protected override begin(head: IodevSqe, fault: Fault | null): Outcome | null {
    const o = super.begin(head, fault);
    if (o === null || o.result >= 0) return o;
    this.clock.setTimer(this.clock.now() + o.durationMs, () => {
      if (this.cancel(head)) this.dropped++;
    }, undefined);
    return null;
  }
}
