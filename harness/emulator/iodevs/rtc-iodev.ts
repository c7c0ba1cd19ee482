import type { VirtualClock } from '../../clock';
import { sqeRxBuf } from '../../rtio';
import type { IodevSqe } from '../../rtio';
import type { I2cBus } from '../bus/i2c-bus';
import { PCF8563_CTRL2_AF, PCF8563_CTRL2_TF, PCF8563_REG, Pcf8563 } from '../devices/pcf8563';
import type { Fault } from '../../target/faults';
import { EventI2cIodev } from './event-iodev';
import type { Outcome } from './queued-iodev';

/** Bytes of a tick record: the seven time registers, SECONDS..YEARS, as the RTC holds them (BCD). */
export const RTC_TICK_RECORD_LEN = 7;
/** Bytes the tick read's first transfer reads: CONTROL2, then the seven time registers. */
const TICK_READ_LEN = 1 + RTC_TICK_RECORD_LEN;
const POINTER = Uint8Array.of(PCF8563_REG.CONTROL2);

/**
 * The iodev of a {@link Pcf8563} RTC: register access exactly as `I2cIodev`, plus tick
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
export class RtcIodev extends EventI2cIodev {
  /** Tick records delivered. */
  ticks = 0;


  /** `rtc` must keep time with `clock` (through `bus`). Throws `TypeError` for a bad `rtc`. */
  constructor(name: string, clock: VirtualClock, bus: I2cBus, readonly rtc: Pcf8563) {
    if (!(rtc instanceof Pcf8563)) throw new TypeError('"rtc" must be a Pcf8563');
    super(name, clock, bus, rtc.address);
  }

  protected eventReady(): boolean {
    return this.rtc.interrupt();
  }

  protected eventAt(): number {
    return this.rtc.nextTimerFlagAt();
  }

  protected readEvent(head: IodevSqe, fault: Fault | null): Outcome {
    return this.readTick(head, fault);
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
