import { expect } from 'chai';
import { VirtualClock } from '../../clock';
import {
  EALREADY, ECANCELED, EIO, ENOMEM, Rtio, RTIO_CQE_FLAG_GET, RTIO_CQE_FLAG_MEMPOOL_BUFFER,
  RTIO_CQE_FLAG_MEMPOOL_GET_BLK_IDX, RTIO_CQE_FLAG_MORE, RTIO_PRIO_NORM, RTIO_SQE_TRANSACTION,
  sqePrepRead, sqePrepReadMultishot, sqePrepReadWithPool, sqePrepWrite,
} from '../../rtio';
import { I2cBus } from '../bus/i2c-bus';
import { ICM42688_REG_WHO_AM_I, Icm42688 } from '../devices/icm42688';
import { IMU_DEFAULT_MAX_BATCH_BYTES, IMU_DEFAULT_WATERMARK_PACKETS, ImuIodev } from './imu-iodev';
import { acquire, i2cBitsMs as ms, nextCqe } from '../../testing/cqes';

/** FIFO_COUNT read: START, address, register, repeated START, address, 2 bytes, STOP. */
const COUNT_MS = ms(1 + 9 + 9 + 1 + 9 + 18 + 1);
/** FIFO_DATA read of `n` bytes. */
const dataMs = (n: number): number => ms(1 + 9 + 9 + 1 + 9 + 9 * n + 1);
const P = RTIO_PRIO_NORM;
const BATCH = 128;

describe('ImuIodev', function () {
  let clock: VirtualClock;
  let bus: I2cBus;
  let imu: Icm42688;
  let dev: ImuIodev;
  let r: Rtio;



  /** The packets of samples `from`..`from + n - 1` at 1 kHz from t = 0, concatenated. */
  function packets(from: number, n: number): number[] {
    const out: number[] = [];
    for (let i = from; i < from + n; i++) out.push(...imu.packet(i, i + 1));
    return out;
  }

  beforeEach(function () {
    clock = new VirtualClock();
    bus = new I2cBus({ clock });
    imu = new Icm42688(bus);
    bus.attach(imu);
    dev = new ImuIodev('imu0', clock, bus, imu);
    r = new Rtio({ sqSize: 8, cqSize: 16, mempool: { blockSize: BATCH, blockCount: 4 }, clock });
  });

  it('reads registers like an I2C iodev (WHO_AM_I through a transaction)', async function () {
    const rx = new Uint8Array(1);
    const w = acquire(r);
    sqePrepWrite(w, dev, P, Uint8Array.of(ICM42688_REG_WHO_AM_I), 1);
    w.flags |= RTIO_SQE_TRANSACTION;
    sqePrepRead(acquire(r), dev, P, rx, 1);
    await r.submit(2);
    expect([(await nextCqe(r)).result, (await nextCqe(r)).result]).to.deep.equal([1, 1]);
    expect(rx[0]).to.equal(0x47);
    expect(dev.watermarkPackets).to.equal(IMU_DEFAULT_WATERMARK_PACKETS);
    expect(dev.maxBatchBytes).to.equal(IMU_DEFAULT_MAX_BATCH_BYTES);
  });

  it('streams FIFO batches as a multishot read, recycling 4 mempool buffers, until cancelled', async function () {
    const s = acquire(r);
    sqePrepReadMultishot(s, dev, P, 'imu');
    await r.submit();
    const held: Uint8Array[] = [];
    const blocks = new Set<number>();
    const batches = 10;
    for (let n = 0; n < batches; n++) {
      const c = await nextCqe(r);
      expect(c.result, `batch ${n}`).to.equal(BATCH);
      expect(c.userdata).to.equal('imu');
      expect(RTIO_CQE_FLAG_GET(c.flags)).to.equal(RTIO_CQE_FLAG_MEMPOOL_BUFFER | RTIO_CQE_FLAG_MORE);
      expect(clock.now(), `batch ${n} time`).to.be.closeTo(8 * (n + 1) + COUNT_MS + dataMs(BATCH), 1e-9);
      const buf = r.cqeGetMempoolBuffer(c);
      expect([...buf.subarray(0, c.result)], `batch ${n} data`).to.deep.equal(packets(8 * n, 8));
      blocks.add(RTIO_CQE_FLAG_MEMPOOL_GET_BLK_IDX(c.flags));
      r.cqeRelease(c);
      held.push(buf);
      if (held.length > 3) r.releaseBuffer(held.shift()!);
    }
    expect([...blocks].sort()).to.deep.equal([0, 1, 2, 3]);
    expect(r.sqeCancel(s), 'cancelled while waiting for the watermark').to.equal(0);
    const last = await nextCqe(r);
    expect(last.result).to.equal(-ECANCELED);
    expect(RTIO_CQE_FLAG_GET(last.flags) & RTIO_CQE_FLAG_MORE).to.equal(0);
    r.cqeRelease(last);
    for (const b of held) r.releaseBuffer(b);
    expect(r.mempool!.free).to.equal(4);
    expect(r.inflight).to.equal(0);
    clock.runUntilIdle();
    expect(r.cqReady, 'nothing after the final CQE').to.equal(0);
    expect(dev.batches).to.equal(batches);
    expect(imu.dropped).to.equal(0);
  });

  it('ends the stream with -ENOMEM, without MORE, when the mempool is exhausted', async function () {
    sqePrepReadMultishot(acquire(r), dev, P);
    await r.submit();
    const bufs: Uint8Array[] = [];
    for (let n = 0; n < 4; n++) {
      const c = await nextCqe(r);
      expect(c.result).to.equal(BATCH);
      expect(RTIO_CQE_FLAG_GET(c.flags) & RTIO_CQE_FLAG_MORE).to.not.equal(0);
      bufs.push(r.cqeGetMempoolBuffer(c));
      r.cqeRelease(c);
    }
    const c = await nextCqe(r);
    expect(c.result).to.equal(-ENOMEM);
    expect(c.flags).to.equal(0);
    expect(clock.now()).to.be.closeTo(40 + COUNT_MS, 1e-9);
    r.cqeRelease(c);
    expect(r.inflight).to.equal(0);
    for (const b of bufs) r.releaseBuffer(b);
    expect(r.mempool!.free).to.equal(4);
  });

  it('waits for the watermark and reads at most maxBatchBytes of whole packets', async function () {
    const small = new ImuIodev('imu1', clock, bus, imu, { watermarkPackets: 4, maxBatchBytes: 40 });
    expect(small.maxBatchBytes).to.equal(32);
    sqePrepReadWithPool(acquire(r), small, P);
    sqePrepReadWithPool(acquire(r), small, P);
    await r.submit();
    const a = await nextCqe(r);
    expect(a.result).to.equal(32);
    expect(clock.now()).to.be.closeTo(4 + COUNT_MS + dataMs(32), 1e-9);
    expect([...r.cqeGetMempoolBuffer(a).subarray(0, 32)]).to.deep.equal(packets(0, 2));
    r.releaseBuffer(r.cqeGetMempoolBuffer(a));
    r.cqeRelease(a);
    const b = await nextCqe(r);
    expect(b.result).to.equal(32);
    expect(clock.now(), 'two packets left, two more by 6 ms').to.be.closeTo(6 + COUNT_MS + dataMs(32), 1e-9);
    expect([...r.cqeGetMempoolBuffer(b).subarray(0, 32)]).to.deep.equal(packets(2, 2));
    r.releaseBuffer(r.cqeGetMempoolBuffer(b));
    r.cqeRelease(b);
  });

  it('drops a read still waiting for the watermark on cancel, and serves the next one', async function () {
    const s = acquire(r);
    sqePrepReadWithPool(s, dev, P);
    await r.submit();
    clock.advance(3);
    expect(r.sqeCancel(s)).to.equal(0);
    const c = await nextCqe(r);
    expect(c.result).to.equal(-ECANCELED);
    r.cqeRelease(c);
    const rx = new Uint8Array(1);
    const w = acquire(r);
    sqePrepWrite(w, dev, P, Uint8Array.of(ICM42688_REG_WHO_AM_I), 1);
    w.flags |= RTIO_SQE_TRANSACTION;
    sqePrepRead(acquire(r), dev, P, rx, 1);
    await r.submit(2);
    r.flushCompletionQueue();
    expect(rx[0]).to.equal(0x47);
    clock.runUntilIdle();
    expect(clock.now(), 'the wake-up timer at 8 ms was disarmed').to.be.lessThan(4);
    expect(r.mempool!.free).to.equal(4);
  });

  it('finishes a batch already on the bus when cancelled, with -ECANCELED and its buffer returned', async function () {
    const s = acquire(r);
    sqePrepReadMultishot(s, dev, P);
    await r.submit();
    clock.advance(9);
    expect(r.sqeCancel(s)).to.equal(-EALREADY);
    const c = await nextCqe(r);
    expect(c.result).to.equal(-ECANCELED);
    expect(RTIO_CQE_FLAG_GET(c.flags) & RTIO_CQE_FLAG_MORE).to.equal(0);
    expect(clock.now()).to.be.closeTo(8 + COUNT_MS + dataMs(BATCH), 1e-9);
    r.cqeRelease(c);
    expect(r.mempool!.free).to.equal(4);
  });

  it('fails the stream with -EIO on a NACK in the FIFO_DATA read and returns the buffer', async function () {
    dev.faults.inject({ kind: 'nack', atByte: 7 });
    sqePrepReadMultishot(acquire(r), dev, P);
    await r.submit();
    const c = await nextCqe(r);
    expect(c.result).to.equal(-EIO);
    expect(c.flags).to.equal(0);
    expect(clock.now()).to.be.closeTo(8 + COUNT_MS + ms(1 + 9 + 9 + 1 + 9 + 1), 1e-9);
    r.cqeRelease(c);
    expect(r.mempool!.free).to.equal(4);
    expect(r.inflight).to.equal(0);
  });

  it('lengthens a batch that waited for the watermark by an injected delay', async function () {
    dev.faults.inject({ kind: 'delay', ms: 2 });
    sqePrepReadWithPool(acquire(r), dev, P);
    await r.submit();
    const c = await nextCqe(r);
    expect(c.result).to.equal(BATCH);
    expect(clock.now()).to.be.closeTo(8 + COUNT_MS + dataMs(BATCH) + 2, 1e-9);
    r.releaseBuffer(r.cqeGetMempoolBuffer(c));
    r.cqeRelease(c);
  });

  it('rejects bad options naming them', function () {
    expect(() => new ImuIodev('x', clock, bus, {} as never)).to.throw(TypeError, /"imu"/);
    expect(() => new ImuIodev('x', clock, bus, imu, { watermarkPackets: 0 })).to.throw(RangeError, /"watermarkPackets"/);
    expect(() => new ImuIodev('x', clock, bus, imu, { watermarkPackets: 129 })).to.throw(RangeError, /"watermarkPackets"/);
    expect(() => new ImuIodev('x', clock, bus, imu, { maxBatchBytes: 8 })).to.throw(RangeError, /"maxBatchBytes"/);
  });
});
