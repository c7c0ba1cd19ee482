import type { VirtualClock } from '../../clock';
import { RTIO_OP_RX, RTIO_SQE_MEMPOOL_BUFFER, sqeRxBuf, txnNext } from '../../rtio';
import type { IodevSqe } from '../../rtio';
import type { I2cBus } from '../bus/i2c-bus';
import { PCF8563_CTRL2_AF, PCF8563_CTRL2_TF, PCF8563_REG, Pcf8563 } from '../devices/pcf8563';
import type { Fault } from '../../target/faults';
import { I2cIodev } from './i2c-iodev';
import type { Outcome } from './queued-iodev';

/** Bytes of a tick record: the seven time registers, SECONDS..YEARS, as the RTC holds them (BCD). */
export const RTC_TICK_RECORD_LEN = 7;
/** Bytes the tick read's first transfer reads: CONTROL2, then the seven time registers. */
const TICK_READ_LEN = 1 + RTC_TICK_RECORD_LEN;
const POINTER = Uint8Array.of(PCF8563_REG.CONTROL2);

/**
 * The iodev of a {@link Pcf8563} RTC: register access exactly as {@link I2cIodev}, plus tick
 * reads. A mempool RX (`RTIO_SQE_MEMPOOL_BUFFER`, not in a transaction) waits, without using the
 * bus, for the RTC's INT line (the timer flag with TIE set, or the alarm flag with AIE set),
 * then reads CONTROL2 and the time registers in one transfer (a repeated START after the
 * pointer), clears TF in a second transfer (writing AF as 1 keeps it), and completes with a
 * {@link RTC_TICK_RECORD_LEN}-byte record of the time registers in a pool buffer (`-ENOMEM`
 * when the pool is exhausted, before any bus traffic). As a multishot read it delivers one record per
 * timer period; a cancel while it waits drops it at once. A read whose INT can never assert (the
 * timer off) waits until cancelled.
 *
 * Faults on a tick read go to the first transfer (`nack`, `short-read`: the record is then
 * short and TF stays set, `bus-timeout`); `delay` lengthens the read.
 */
export class RtcIodev extends I2cIodev {
  /** Tick records delivered. */
  ticks = 0;

  private waitTimer = 0;
  private waitFault: Fault | null = null;
  private readonly wakeFn = (head: IodevSqe): void => this.wake(head);

  /** `rtc` must keep time with `clock` (through `bus`). Throws `TypeError` for a bad `rtc`. */
  constructor(name: string, clock: VirtualClock, bus: I2cBus, readonly rtc: Pcf8563) {
    if (!(rtc instanceof Pcf8563)) throw new TypeError('"rtc" must be a Pcf8563');
    super(name, clock, bus, rtc.address);
  }

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

  /** Reads a tick if INT is asserted, else arms the wake-up at the next timer flag and returns null. */
  private poll(head: IodevSqe): Outcome | null {
    if (this.rtc.interrupt()) {
      const fault = this.waitFault;
      this.waitFault = null;
      return this.readTick(head, fault);
    }
    const at = this.rtc.nextTimerFlagAt();
    if (Number.isFinite(at)) this.waitTimer = this.clock.setTimer(at, this.wakeFn, head);
    return null;
  }

  private wake(head: IodevSqe): void {
    this.waitTimer = 0;
    if (this.running !== head) return;
    const o = this.poll(head);
    if (o !== null) this.resume(o);
  }

  private readTick(head: IodevSqe, fault: Fault | null): Outcome {
    const now = this.clock.now();
    const buf = sqeRxBuf(head, RTC_TICK_RECORD_LEN, RTC_TICK_RECORD_LEN);
    if (typeof buf === 'number') return { result: buf, durationMs: 0 };
    const regs = new Uint8Array(TICK_READ_LEN);
    const r1 = this.bus.transfer(this.address, [
      { read: false, buf: POINTER, len: 1 },
      { read: true, buf: regs, len: TICK_READ_LEN },
    ], fault, now);
    let end = r1.startMs + r1.durationMs;
    if (r1.status < 0) return { result: r1.status, durationMs: end - now };
    const got = Math.max(0, r1.counts[1]! - 1);
    buf.set(regs.subarray(1, 1 + got));
    if (got < RTC_TICK_RECORD_LEN) return { result: got, durationMs: end - now };
    const clear = Uint8Array.of(PCF8563_REG.CONTROL2, (regs[0]! & ~PCF8563_CTRL2_TF) | PCF8563_CTRL2_AF);
    const r2 = this.bus.transfer(this.address, [{ read: false, buf: clear, len: 2 }], null, end);
    end = r2.startMs + r2.durationMs;
    if (r2.status < 0) return { result: r2.status, durationMs: end - now };
    this.ticks++;
    return { result: RTC_TICK_RECORD_LEN, durationMs: end - now };
  }
}
