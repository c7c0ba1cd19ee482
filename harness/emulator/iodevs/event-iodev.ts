/**
 * An I2C iodev whose mempool reads wait for an event of the device (a FIFO watermark, an
 * interrupt line) without holding the bus, then read what the event made ready: the streaming
 * half the IMU and the RTC iodevs share. Other SQEs are plain register access ({@link I2cIodev}).
 */
import { RTIO_OP_RX, RTIO_SQE_MEMPOOL_BUFFER, txnNext } from '../../rtio';
import type { IodevSqe } from '../../rtio';
import type { Fault } from '../../target/faults';
import { I2cIodev } from './i2c-iodev';
import type { Outcome } from './queued-iodev';

/** The event an {@link EventI2cIodev} waits for, as its device tells it. */
export abstract class EventI2cIodev extends I2cIodev {
  private waitTimer = 0;
  private waitFault: Fault | null = null;
  private readonly wakeFn = (head: IodevSqe): void => this.wake(head);

  /** True when the event has happened: a waiting read may go on now. */
  protected abstract eventReady(): boolean;
  /** Virtual time at which the event will have happened if nobody acts, or Infinity if never. */
  protected abstract eventAt(): number;
  /** Reads what the event made ready into a pool buffer for `head`, with `fault` applied. */
  protected abstract readEvent(head: IodevSqe, fault: Fault | null): Outcome;

  protected override begin(head: IodevSqe, fault: Fault | null): Outcome | null {
    const sqe = head.sqe;
    if (sqe.op !== RTIO_OP_RX || !(sqe.flags & RTIO_SQE_MEMPOOL_BUFFER) || txnNext(head) !== null) return super.begin(head, fault);
    this.waitFault = fault;
    return this.poll(head);
  }

  protected override abortWaiting(): void {
    if (this.waitTimer !== 0) this.clock.clearTimer(this.waitTimer);
    this.waitTimer = 0;
    this.waitFault = null;
  }

  /** Reads if the event happened, else arms the wake-up at its time and returns null. */
  private poll(head: IodevSqe): Outcome | null {
    if (this.eventReady()) {
      const fault = this.waitFault;
      this.waitFault = null;
      return this.readEvent(head, fault);
    }
    const at = this.eventAt();
    if (Number.isFinite(at)) this.waitTimer = this.clock.setTimer(at, this.wakeFn, head);
    return null;
  }

  private wake(head: IodevSqe): void {
    this.waitTimer = 0;
    if (this.running !== head) return;
    const o = this.poll(head);
    if (o !== null) this.resume(o);
  }
}
