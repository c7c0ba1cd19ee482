import { expect } from 'chai';
import { VirtualClock } from '../../clock';
import {
  ECANCELED, EINVAL, ENOMEM, ENOTSUP, ETIMEDOUT, RTIO_CQE_FLAG_GET, RTIO_CQE_FLAG_MORE, RTIO_PRIO_NORM,
  RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION, Rtio, sqePrepDelay, sqePrepRead, sqePrepReadMultishot,
  sqePrepReadWithPool, sqePrepTinyWrite, sqePrepWrite,
} from '../../rtio';
import { GpioLines } from '../devices/gpio-lines';
import {
  GPIO_EDGE_QUEUE_LIMIT, GPIO_EDGE_RECORD_LEN, GpioIodev, RTIO_IODEV_GPIO_WAIT_EDGE, decodeGpioEdge,
} from './gpio-iodev';
import { TAKE_TIMEOUT_MS, acquire, takeResults } from '../../testing/cqes';

const P = RTIO_PRIO_NORM;

function rig(blockCount = 4): { clock: VirtualClock; lines: GpioLines; gpio: GpioIodev; r: Rtio } {
  const clock = new VirtualClock();
  const lines = new GpioLines({ now: () => clock.now() });
  const gpio = new GpioIodev('gpio0', clock, lines);
  const r = new Rtio({ sqSize: 16, cqSize: 16, mempool: { blockSize: 8, blockCount }, clock });
  return { clock, lines, gpio, r };
}



const hasMore = (flags: number): boolean => (RTIO_CQE_FLAG_GET(flags) & RTIO_CQE_FLAG_MORE) !== 0;

describe('GpioIodev', function () {
  it('TX (line, level) pairs set outputs; an RX of len <= 8 reads lines 0..len-1', async function () {
    const { r, gpio, lines } = rig();
    sqePrepWrite(acquire(r), gpio, P, Uint8Array.of(0, 1, 2, 1), 4, 'set');
    sqePrepTinyWrite(acquire(r), gpio, P, Uint8Array.of(2, 0), 2, 'clear');
    const levels = new Uint8Array(8).fill(9);
    sqePrepRead(acquire(r), gpio, P, levels, 8, 'get');
    const three = new Uint8Array(4).fill(9);
    sqePrepRead(acquire(r), gpio, P, three, 3, 'get3');
    await r.submit(4);
    expect(await takeResults(r, 4)).to.deep.equal([['set', 4], ['clear', 2], ['get', 8], ['get3', 3]]);
    expect([...levels]).to.deep.equal([1, 0, 0, 0, 1, 0, 0, 0]);
    expect([...three]).to.deep.equal([1, 0, 0, 9]);
    expect(lines.levels()).to.equal(0b0001_0001);
  });

  it('rejects inputs, unknown lines, bad levels, odd lengths and long reads with -EINVAL, changing nothing', async function () {
    const { r, gpio, lines } = rig();
    const bad: [string, Uint8Array][] = [
      ['input', Uint8Array.of(0, 1, 4, 1)], ['line8', Uint8Array.of(8, 0)], ['level2', Uint8Array.of(1, 2)],
      ['odd', Uint8Array.of(0, 1, 1)],
    ];
    for (const [ud, buf] of bad) sqePrepWrite(acquire(r), gpio, P, buf, buf.length, ud);
    sqePrepRead(acquire(r), gpio, P, new Uint8Array(9), 9, 'long');
    await r.submit(5);
    expect(await takeResults(r, 5)).to.deep.equal([
      ['input', -EINVAL], ['line8', -EINVAL], ['level2', -EINVAL], ['odd', -EINVAL], ['long', -EINVAL],
    ]);
    expect(lines.levels()).to.equal(0);
    expect(lines.edges).to.equal(0);
  });

  it('an edge read (RTIO_IODEV_GPIO_WAIT_EDGE) waits without blocking the TX that makes the edge', async function () {
    const { r, gpio, clock } = rig();
    const rec = new Uint8Array(GPIO_EDGE_RECORD_LEN);
    const wait = acquire(r);
    sqePrepRead(wait, gpio, P, rec, rec.length, 'edge');
    wait.iodevFlags = RTIO_IODEV_GPIO_WAIT_EDGE;
    const delay = acquire(r);
    sqePrepDelay(delay, 2.5, 'delay');
    delay.flags |= RTIO_SQE_CHAINED;
    sqePrepTinyWrite(acquire(r), gpio, P, Uint8Array.of(1, 1), 2, 'set');
    await r.submit(0);
    expect(gpio.waitingReads).to.equal(1);
    expect(await takeResults(r, 3), 'the edge is delivered before the write that made it completes').to.deep.equal([
      ['delay', 0], ['edge', 8], ['set', 2],
    ]);
    expect([...rec]).to.deep.equal([5, 1, 0, 0, 0xc4, 0x09, 0, 0]);
    expect(decodeGpioEdge(rec)).to.deep.equal({ line: 5, level: 1, timeUs: 2500 });
    expect(clock.now()).to.equal(2.5);
    expect([gpio.waitingReads, gpio.pendingEdges, gpio.edgesDelivered]).to.deep.equal([0, 0, 1]);
  });

  it('a multishot mempool edge stream gets every edge in order, then a cancel ends it (final CQE without MORE)', async function () {
    const { r, gpio } = rig();
    const stream = acquire(r);
    sqePrepReadMultishot(stream, gpio, P, 'stream');
    await r.submit(0);
    const steps: [string, Uint8Array | number][] = [
      ['up0', Uint8Array.of(0, 1)], ['d1', 1], ['up1', Uint8Array.of(1, 1)], ['d2', 1.5],
      ['down0+up3', Uint8Array.of(0, 0, 3, 1)],
    ];
    steps.forEach(([ud, what], i) => {
      const sqe = acquire(r);
      if (typeof what === 'number') sqePrepDelay(sqe, what, ud);
      else sqePrepTinyWrite(sqe, gpio, P, what, what.length, ud);
      if (i < steps.length - 1) sqe.flags |= RTIO_SQE_CHAINED;
    });
    await r.submit(0);
    const records: number[][] = [];
    const others: [unknown, number][] = [];
    while (records.length < 4) {
      const c = (await r.cqeConsumeBlock(TAKE_TIMEOUT_MS))!;
      if (c.userdata === 'stream') {
        expect([c.result, hasMore(c.flags)]).to.deep.equal([8, true]);
        const buf = r.cqeGetMempoolBuffer(c);
        const e = decodeGpioEdge(buf);
        records.push([e.line, e.level, e.timeUs]);
        r.releaseBuffer(buf);
      } else {
        others.push([c.userdata, c.result]);
      }
      r.cqeRelease(c);
    }
    expect(records).to.deep.equal([[4, 1, 0], [5, 1, 1000], [4, 0, 2500], [7, 1, 2500]]);
    others.push(...await takeResults(r, steps.length - others.length));
    expect(others).to.deep.equal([['up0', 2], ['d1', 0], ['up1', 2], ['d2', 0], ['down0+up3', 4]]);

    expect(r.inflight, 'still armed').to.equal(1);
    expect(r.sqeCancel(stream)).to.equal(0);
    const last = (await r.cqeConsumeBlock(TAKE_TIMEOUT_MS))!;
    expect([last.userdata, last.result, hasMore(last.flags), last.flags]).to.deep.equal(['stream', -ECANCELED, false, 0]);
    r.cqeRelease(last);
    expect(await r.cqeConsumeBlock(5), 'nothing after the final CQE').to.equal(null);
    expect([r.inflight, r.sqeAcquirable(), r.mempool!.free]).to.deep.equal([0, 16, 4]);
    expect(gpio.waitingReads).to.equal(0);
  });

  it('queues up to GPIO_EDGE_QUEUE_LIMIT edges while nobody reads, drops and counts the rest; a read gets the oldest', async function () {
    const { r, gpio, lines, clock } = rig();
    expect(GPIO_EDGE_QUEUE_LIMIT).to.equal(16);
    for (let i = 0; i < 20; i++) {
      lines.set(2, (i + 1) % 2);
      clock.advance(0.001);
    }
    expect([gpio.pendingEdges, gpio.edgesDropped]).to.deep.equal([16, 4]);
    sqePrepReadWithPool(acquire(r), gpio, P, 'edge');
    await r.submit(1);
    const c = r.cqeConsume()!;
    const buf = r.cqeGetMempoolBuffer(c);
    expect(decodeGpioEdge(buf)).to.deep.equal({ line: 6, level: 1, timeUs: 0 });
    r.releaseBuffer(buf);
    r.cqeRelease(c);
    expect(gpio.pendingEdges).to.equal(15);
    gpio.clearEdges();
    expect(gpio.pendingEdges).to.equal(0);
    expect(new GpioIodev('g', clock, new GpioLines(), { edgeQueueLimit: 2 }).edgeQueueLimit).to.equal(2);
    expect(() => new GpioIodev('g', clock, new GpioLines(), { edgeQueueLimit: 0 })).to.throw(RangeError, '"edgeQueueLimit"');
  });

  it('cancel of a waiting edge read returns 0 and completes it once with -ECANCELED; a later edge stays queued', async function () {
    const { r, gpio, lines } = rig();
    const wait = acquire(r);
    sqePrepReadWithPool(wait, gpio, P, 'edge');
    await r.submit(0);
    expect(r.sqeCancel(wait)).to.equal(0);
    expect(r.sqeCancel(wait), 'already completed').to.be.lessThan(0);
    lines.set(0, 1);
    expect(await takeResults(r, 1)).to.deep.equal([['edge', -ECANCELED]]);
    expect(await r.cqeConsumeBlock(5)).to.equal(null);
    expect([gpio.pendingEdges, gpio.edgesDelivered, r.mempool!.free, r.sqeAcquirable()]).to.deep.equal([1, 0, 4, 16]);
  });

  it('an edge read past its timeoutMs completes with -ETIMEDOUT and frees its slot', async function () {
    const { r, gpio, clock } = rig();
    const wait = acquire(r);
    sqePrepReadWithPool(wait, gpio, P, 'edge');
    wait.timeoutMs = 4;
    await r.submit(1);
    expect(await takeResults(r, 1)).to.deep.equal([['edge', -ETIMEDOUT]]);
    expect([clock.now(), r.sqeAcquirable(), gpio.waitingReads]).to.deep.equal([4, 16, 0]);
  });

  it('an edge read with the pool exhausted fails with -ENOMEM and leaves the edge queued', async function () {
    const { r, gpio, lines } = rig(1);
    const hog = r.mempool!.alloc(8, 8) as Uint8Array;
    sqePrepReadWithPool(acquire(r), gpio, P, 'edge');
    await r.submit(0);
    lines.set(3, 1);
    expect(await takeResults(r, 1)).to.deep.equal([['edge', -ENOMEM]]);
    expect(gpio.pendingEdges).to.equal(1);
    r.mempool!.release(hog);
  });

  it('an edge read inside a transaction is -ENOTSUP; one with a buffer under 8 bytes is -EINVAL', async function () {
    const { r, gpio } = rig();
    const head = acquire(r);
    sqePrepTinyWrite(head, gpio, P, Uint8Array.of(0, 1), 2, 'set');
    head.flags |= RTIO_SQE_TRANSACTION;
    const member = acquire(r);
    sqePrepRead(member, gpio, P, new Uint8Array(8), 8, 'edge-in-txn');
    member.iodevFlags = RTIO_IODEV_GPIO_WAIT_EDGE;
    const short = acquire(r);
    sqePrepRead(short, gpio, P, new Uint8Array(4), 4, 'short');
    short.iodevFlags = RTIO_IODEV_GPIO_WAIT_EDGE;
    await r.submit(3);
    expect(await takeResults(r, 3)).to.deep.equal([['set', 2], ['edge-in-txn', -ENOTSUP], ['short', -EINVAL]]);
  });
});
