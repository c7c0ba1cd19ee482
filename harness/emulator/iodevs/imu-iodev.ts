import type { VirtualClock } from '../../clock';
import { sqeRxBuf } from '../../rtio';
import type { IodevSqe } from '../../rtio';
import type { I2cBus, I2cMsg } from '../bus/i2c-bus';
import {
  ICM42688_FIFO_PACKETS, ICM42688_PACKET_SIZE, ICM42688_REG_FIFO_COUNTH, ICM42688_REG_FIFO_DATA, Icm42688,
} from '../devices/icm42688';
import type { Fault } from '../../target/faults';
import { EventI2cIodev } from './event-iodev';
import type { Outcome } from './queued-iodev';

/** Default FIFO watermark of a batch read: 8 packets (8 ms of data at 1 kHz). */
export const IMU_DEFAULT_WATERMARK_PACKETS = 8;
/** Default largest batch: 256 bytes (16 packets). */
export const IMU_DEFAULT_MAX_BATCH_BYTES = 256;
/** Wire bytes of the FIFO_COUNT read (address, register, address, 2 count bytes); a `nack` fault past them hits the FIFO_DATA read. */
export const IMU_COUNT_READ_BYTES = 5;

/** Options of `new ImuIodev(...)`. */
export interface ImuIodevOptions {
  /** Packets the FIFO must hold before a batch is read, 1..128; default {@link IMU_DEFAULT_WATERMARK_PACKETS}. */
  readonly watermarkPackets?: number;
  /** Most bytes one batch reads (rounded down to whole packets), >= 16; default {@link IMU_DEFAULT_MAX_BATCH_BYTES}. */
  readonly maxBatchBytes?: number;
}

const COUNT_REG = Uint8Array.of(ICM42688_REG_FIFO_COUNTH);
const DATA_REG = Uint8Array.of(ICM42688_REG_FIFO_DATA);

/**
 * The iodev of an {@link Icm42688} IMU: register access exactly as `I2cIodev`, plus
 * streaming. A mempool RX (`RTIO_SQE_MEMPOOL_BUFFER`, not in a transaction) reads one FIFO
 * batch: it waits, without holding the bus, until the FIFO holds `watermarkPackets` packets,
 * then reads FIFO_COUNT, takes a pool buffer for the whole packets present (at most
 * `maxBatchBytes`; `-ENOMEM` when the pool is exhausted), reads them from FIFO_DATA and completes
 * with the byte count. As a multishot read it streams batch after batch until cancelled; a
 * cancel while it waits drops it at once.
 *
 * Faults: `bus-timeout` hits the FIFO_COUNT read, `short-read` the FIFO_DATA read, `nack` the
 * byte `atByte` of the two reads counted together ({@link IMU_COUNT_READ_BYTES} in the first).
 * The IMU must keep time with the iodev's clock (give it the bus with that clock, or the clock);
 * a waiting read whose FIFO cannot fill (streaming off) waits until cancelled.
 */
export class ImuIodev extends EventI2cIodev {
  /** Packets the FIFO must hold before a batch is read. */
  readonly watermarkPackets: number;
  /** Most bytes one batch reads (whole packets). */
  readonly maxBatchBytes: number;
  /** Batches read. */
  batches = 0;


  /** Throws `TypeError`/`RangeError` naming a bad argument or option. */
  constructor(name: string, clock: VirtualClock, bus: I2cBus, readonly imu: Icm42688, opts: ImuIodevOptions = {}) {
    if (!(imu instanceof Icm42688)) throw new TypeError('"imu" must be an Icm42688');
    super(name, clock, bus, imu.address);
    const { watermarkPackets = IMU_DEFAULT_WATERMARK_PACKETS, maxBatchBytes = IMU_DEFAULT_MAX_BATCH_BYTES } = opts;
    if (!Number.isInteger(watermarkPackets) || watermarkPackets < 1 || watermarkPackets > ICM42688_FIFO_PACKETS) {
      throw new RangeError(`"watermarkPackets" must be an integer 1..${ICM42688_FIFO_PACKETS}, got ${String(watermarkPackets)}`);
    }
    if (!Number.isInteger(maxBatchBytes) || maxBatchBytes < ICM42688_PACKET_SIZE) {
      throw new RangeError(`"maxBatchBytes" must be an integer >= ${ICM42688_PACKET_SIZE}, got ${String(maxBatchBytes)}`);
    }
    this.watermarkPackets = watermarkPackets;
    this.maxBatchBytes = maxBatchBytes - (maxBatchBytes % ICM42688_PACKET_SIZE);
  }

  protected eventReady(): boolean {
    return this.imu.fifoPackets() >= this.watermarkPackets;
  }

  protected eventAt(): number {
    return this.imu.nextPacketAt(this.watermarkPackets);
  }

  protected readEvent(head: IodevSqe, fault: Fault | null): Outcome {
    return this.readBatch(head, fault);
  }

  private readBatch(head: IodevSqe, fault: Fault | null): Outcome {
    const now = this.clock.now();
    const [countFault, dataFault] = splitFault(fault);
    const count = new Uint8Array(2);
    const r1 = this.bus.transfer(this.address, readMsgs(COUNT_REG, count, 2), countFault, now);
    let end = r1.startMs + r1.durationMs;
    if (r1.status < 0) return { result: r1.status, durationMs: end - now };
    const bytes = (count[0]! << 8) | count[1]!;
    const want = Math.min(bytes - (bytes % ICM42688_PACKET_SIZE), this.maxBatchBytes);
    if (want === 0) return { result: 0, durationMs: end - now };
    const buf = sqeRxBuf(head, ICM42688_PACKET_SIZE, want);
    if (typeof buf === 'number') return { result: buf, durationMs: end - now };
    const len = Math.min(want, buf.length - (buf.length % ICM42688_PACKET_SIZE));
    const r2 = this.bus.transfer(this.address, readMsgs(DATA_REG, buf, len), dataFault, end);
    end = r2.startMs + r2.durationMs;
    if (r2.status < 0) return { result: r2.status, durationMs: end - now };
    this.batches++;
    return { result: r2.counts[1]!, durationMs: end - now };
  }
}

/** A register read: write the register number, then (repeated START) read `len` bytes. */
function readMsgs(reg: Uint8Array, buf: Uint8Array, len: number): I2cMsg[] {
  return [{ read: false, buf: reg, len: 1 }, { read: true, buf, len }];
}

/** Which of a batch's two transfers (FIFO_COUNT, FIFO_DATA) a fault applies to. */
function splitFault(f: Fault | null): [Fault | null, Fault | null] {
  if (f === null) return [null, null];
  switch (f.kind) {
    case 'nack':
      return f.atByte < IMU_COUNT_READ_BYTES ? [f, null] : [null, { kind: 'nack', atByte: f.atByte - IMU_COUNT_READ_BYTES }];
    case 'short-read':
      return [null, f];
    case 'bus-timeout':
      return [f, null];
    default:
      return [null, null];
  }
}
