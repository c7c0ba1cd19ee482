import { expect } from 'chai';
import { VirtualClock } from '../../clock';
import {
  EALREADY, ECANCELED, EINVAL, EIO, ENOMEM, ENOTSUP, ETIMEDOUT, RTIO_PRIO_NORM, RTIO_SQE_CHAINED,
  RTIO_SQE_TRANSACTION, Rtio, sqePrepAwaitIodev, sqePrepI2cRecover, sqePrepNop, sqePrepRead, sqePrepReadWithPool,
  sqePrepTinyWrite, sqePrepTransceive, sqePrepWrite, sqeSignal,
} from '../../rtio';
import type { Sqe } from '../../rtio';
import {
  TEST_IODEV_DELAY_LIMIT_MS, TEST_IODEV_HANG, TEST_IODEV_PATTERN_SEED, TEST_IODEV_POOL_READ_LEN, TestIodev,
  decodeTestIodevScript, testIodevPattern, testIodevScript,
} from './test-iodev';
import type { TestIodevScript } from './test-iodev';
import { acquire, takeResults } from '../../testing/cqes';

const P = RTIO_PRIO_NORM;
const SQ_SIZE = 8;

function rig(blockCount = 4): { clock: VirtualClock; dev: TestIodev; r: Rtio } {
  const clock = new VirtualClock();
  const dev = new TestIodev('test0', clock);
  const r = new Rtio({ sqSize: SQ_SIZE, cqSize: 16, mempool: { blockSize: 16, blockCount }, clock });
  return { clock, dev, r };
}



function nop(r: Rtio, dev: TestIodev, ud: string, script: TestIodevScript, chained = false): Sqe {
  const sqe = acquire(r);
  sqePrepNop(sqe, dev, ud);
  sqe.iodevFlags = testIodevScript(script);
  if (chained) sqe.flags |= RTIO_SQE_CHAINED;
  return sqe;
}

/** The virtual time of every completion posted from now on, in order. */
function completionTimes(r: Rtio, clock: VirtualClock): number[] {
  const seen: number[] = [];
  r.setCqeCallback(() => seen.push(clock.now()));
  return seen;
}

describe('testIodevScript', function () {
  it('encodes delay (10 µs units, bits 0-19), errno magnitude (bits 20-27) and hang (bit 28)', function () {
    expect(testIodevScript()).to.equal(0);
    expect(testIodevScript({ delayMs: 2.5 })).to.equal(250);
    expect(testIodevScript({ delayMs: 0.01 })).to.equal(1);
    expect(testIodevScript({ result: -EIO })).to.equal(EIO << 20);
    expect(testIodevScript({ hang: true })).to.equal(TEST_IODEV_HANG).and.to.equal(1 << 28);
    expect(testIodevScript({ delayMs: 10485.75, result: -255, hang: true })).to.equal(0x1fffffff);
    expect(TEST_IODEV_DELAY_LIMIT_MS).to.equal(10485.76);
    expect(decodeTestIodevScript(testIodevScript({ delayMs: 7.3, result: -ETIMEDOUT }))).to.deep.equal({
      delayMs: 7.3, result: -ETIMEDOUT, hang: false,
    });
  });

  it('throws RangeError naming the field for a bad script', function () {
    expect(() => testIodevScript({ delayMs: 0.001 })).to.throw(RangeError, '"script.delayMs"');
    expect(() => testIodevScript({ delayMs: -1 })).to.throw(RangeError, '"script.delayMs"');
    expect(() => testIodevScript({ delayMs: TEST_IODEV_DELAY_LIMIT_MS })).to.throw(RangeError, '"script.delayMs"');
    expect(() => testIodevScript({ delayMs: Number.NaN })).to.throw(RangeError, '"script.delayMs"');
    expect(() => testIodevScript({ result: 1 })).to.throw(RangeError, '"script.result"');
    expect(() => testIodevScript({ result: -256 })).to.throw(RangeError, '"script.result"');
    expect(() => testIodevScript({ result: -1.5 })).to.throw(RangeError, '"script.result"');
    expect(() => testIodevScript({ hang: 1 as unknown as boolean })).to.throw(RangeError, '"script.hang"');
  });
});

describe('TestIodev', function () {
  it('runs scripted delays on the virtual clock, one unit after another (NOP, RX, TX)', async function () {
    const { r, dev, clock } = rig();
    const seen = completionTimes(r, clock);
    nop(r, dev, 'a', { delayMs: 3 }, true);
    const rx = acquire(r);
    sqePrepRead(rx, dev, P, new Uint8Array(4), 4, 'b');
    rx.iodevFlags = testIodevScript({ delayMs: 2 });
    rx.flags |= RTIO_SQE_CHAINED;
    const tx = acquire(r);
    sqePrepWrite(tx, dev, P, Uint8Array.of(1, 2), 2, 'c');
    tx.iodevFlags = testIodevScript({ delayMs: 0.5 });
    await r.submit(3);
    expect(await takeResults(r, 3)).to.deep.equal([['a', 0], ['b', 4], ['c', 2]]);
    expect(seen).to.deep.equal([3, 5, 5.5]);
    expect(clock.now()).to.equal(5.5);
  });

  it('with no delay, completes at the next clock step at the same virtual time, never inside submit', async function () {
    const { r, dev, clock } = rig();
    nop(r, dev, 'now', {});
    await r.submit(0);
    expect(r.cqeConsume(), 'not completed synchronously').to.equal(null);
    expect(clock.pending).to.equal(1);
    expect(await takeResults(r, 1)).to.deep.equal([['now', 0]]);
    expect(clock.now()).to.equal(0);
  });

  it('RX fills the documented pattern; TINY_TX returns its length; TXRX copies tx into rx', async function () {
    const { r, dev } = rig();
    const buf = new Uint8Array(6);
    sqePrepRead(acquire(r), dev, P, buf, 5, 'rx');
    sqePrepTinyWrite(acquire(r), dev, P, Uint8Array.of(9, 9, 9), 3, 'tiny');
    const rxb = new Uint8Array(3);
    sqePrepTransceive(acquire(r), dev, P, Uint8Array.of(7, 8, 9), rxb, 3, 'txrx');
    await r.submit(3);
    expect(await takeResults(r, 3)).to.deep.equal([['rx', 5], ['tiny', 3], ['txrx', 3]]);
    expect([...buf]).to.deep.equal([0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0]);
    expect(testIodevPattern(3)).to.deep.equal(Uint8Array.of(TEST_IODEV_PATTERN_SEED, 0xa6, 0xa7));
    expect([...rxb]).to.deep.equal([7, 8, 9]);
  });

  it('a mempool RX reads 16 pattern bytes into a pool buffer; with the pool exhausted it fails with -ENOMEM', async function () {
    const { r, dev } = rig(1);
    sqePrepReadWithPool(acquire(r), dev, P, 'a');
    sqePrepReadWithPool(acquire(r), dev, P, 'b');
    await r.submit(2);
    const a = r.cqeConsume()!;
    const b = r.cqeConsume()!;
    expect([a.userdata, a.result, b.userdata, b.result, b.flags]).to.deep.equal(['a', TEST_IODEV_POOL_READ_LEN, 'b', -ENOMEM, 0]);
    const buf = r.cqeGetMempoolBuffer(a);
    expect(buf).to.deep.equal(testIodevPattern(16));
    r.releaseBuffer(buf);
    r.cqeRelease(a);
    r.cqeRelease(b);
    expect(r.mempool!.free).to.equal(1);
  });

  it('a scripted failure completes with that errno after its delay; the rest of the chain is cancelled', async function () {
    const { r, dev, clock } = rig();
    nop(r, dev, 'ok', { delayMs: 1 }, true);
    nop(r, dev, 'fails', { delayMs: 1, result: -EIO }, true);
    nop(r, dev, 'next', {});
    await r.submit(3);
    expect(await takeResults(r, 3)).to.deep.equal([['ok', 0], ['fails', -EIO], ['next', -ECANCELED]]);
    expect(clock.now()).to.equal(2);
  });

  it('a transaction runs every member with its own result; delays add up; a failing member carries its errno', async function () {
    const { r, dev, clock } = rig();
    const seen = completionTimes(r, clock);
    const a = acquire(r);
    sqePrepRead(a, dev, P, new Uint8Array(4), 4, 'rx');
    a.flags |= RTIO_SQE_TRANSACTION;
    a.iodevFlags = testIodevScript({ delayMs: 1 });
    const b = acquire(r);
    sqePrepWrite(b, dev, P, Uint8Array.of(1, 2, 3), 3, 'tx');
    b.flags |= RTIO_SQE_TRANSACTION;
    b.iodevFlags = testIodevScript({ delayMs: 2 });
    sqePrepNop(acquire(r), dev, 'nop');
    await r.submit(3);
    expect(await takeResults(r, 3)).to.deep.equal([['rx', 4], ['tx', 3], ['nop', 0]]);
    expect(seen).to.deep.equal([3, 3, 3]);

    const c = acquire(r);
    sqePrepWrite(c, dev, P, Uint8Array.of(1), 1, 'first');
    c.flags |= RTIO_SQE_TRANSACTION;
    const d = acquire(r);
    sqePrepNop(d, dev, 'bad');
    d.iodevFlags = testIodevScript({ result: -EINVAL });
    d.flags |= RTIO_SQE_TRANSACTION;
    sqePrepNop(acquire(r), dev, 'last');
    await r.submit(3);
    expect(await takeResults(r, 3)).to.deep.equal([['first', 1], ['bad', -EINVAL], ['last', -ECANCELED]]);
  });

  it('hang + timeoutMs: -ETIMEDOUT at the timeout, the unit is dropped and its slot released', async function () {
    const { r, dev, clock } = rig();
    const hung = nop(r, dev, 'hung', { hang: true }, true);
    hung.timeoutMs = 5;
    nop(r, dev, 'after', {});
    await r.submit(2);
    expect(await takeResults(r, 2)).to.deep.equal([['hung', -ETIMEDOUT], ['after', -ECANCELED]]);
    expect(clock.now()).to.equal(5);
    expect([r.sqeAcquirable(), r.inflight, dev.dropped, dev.depth]).to.deep.equal([SQ_SIZE, 0, 1, 0]);
    nop(r, dev, 'later', { delayMs: 1 });
    await r.submit(1);
    expect(await takeResults(r, 1), 'the iodev runs the next unit').to.deep.equal([['later', 0]]);
  });

  it('a hanging unit is dropped on cancel (0) and never completes again', async function () {
    const { r, dev } = rig();
    const hung = nop(r, dev, 'hung', { hang: true });
    await r.submit(0);
    expect(r.sqeCancel(hung)).to.equal(0);
    expect(await takeResults(r, 1)).to.deep.equal([['hung', -ECANCELED]]);
    expect(await r.cqeConsumeBlock(50)).to.equal(null);
    expect([dev.completed, dev.dropped]).to.deep.equal([0, 1]);
  });

  it('cancel of a unit still queued behind another returns 0 and completes it at once with -ECANCELED', async function () {
    const { r, dev, clock } = rig();
    const seen = completionTimes(r, clock);
    nop(r, dev, 'running', { delayMs: 10 });
    const queued = nop(r, dev, 'queued', { delayMs: 10 });
    await r.submit(0);
    expect(dev.depth).to.equal(2);
    expect(r.sqeCancel(queued)).to.equal(0);
    expect(await takeResults(r, 2)).to.deep.equal([['queued', -ECANCELED], ['running', 0]]);
    expect(seen).to.deep.equal([0, 10]);
  });

  it('cancel during the delay returns -EALREADY; the unit completes as scripted', async function () {
    const { r, dev, clock } = rig();
    const running = nop(r, dev, 'running', { delayMs: 4, result: -EIO });
    await r.submit(0);
    expect(r.sqeCancel(running)).to.equal(-EALREADY);
    expect(await takeResults(r, 1)).to.deep.equal([['running', -EIO]]);
    expect(clock.now()).to.equal(4);
  });

  it('an AWAIT holds the iodev until signalled', async function () {
    const { r, dev, clock } = rig();
    const wait = acquire(r);
    sqePrepAwaitIodev(wait, dev, P, 'await');
    nop(r, dev, 'behind', {});
    await r.submit(0);
    expect(await r.cqeConsumeBlock(5)).to.equal(null);
    sqeSignal(wait);
    expect(await takeResults(r, 2)).to.deep.equal([['await', 0], ['behind', 0]]);
    expect(clock.now()).to.equal(5);
  });

  it('unsupported ops fail with -ENOTSUP; faults apply (delay, nack, bus-timeout, short-read)', async function () {
    const { r, dev, clock } = rig();
    sqePrepI2cRecover(acquire(r), dev, P, 'recover');
    await r.submit(1);
    expect(await takeResults(r, 1)).to.deep.equal([['recover', -ENOTSUP]]);

    dev.faults.inject({ kind: 'delay', ms: 2 });
    dev.faults.inject({ kind: 'nack', atByte: 0 });
    dev.faults.inject({ kind: 'bus-timeout' });
    dev.faults.inject({ kind: 'short-read', bytes: 2 });
    const t0 = clock.now();
    nop(r, dev, 'delayed', { delayMs: 1 });
    nop(r, dev, 'nacked', {});
    nop(r, dev, 'stalled', {});
    const buf = new Uint8Array(4);
    sqePrepRead(acquire(r), dev, P, buf, 4, 'short');
    await r.submit(4);
    expect(await takeResults(r, 4)).to.deep.equal([['delayed', 0], ['nacked', -EIO], ['stalled', -ETIMEDOUT], ['short', 2]]);
    expect(clock.now() - t0).to.equal(3 + 25);
    expect([...buf]).to.deep.equal([0xa5, 0xa6, 0, 0]);
  });

  it('counts submitted and completed units and the most held at once', async function () {
    const { r, dev } = rig();
    for (const ud of ['a', 'b', 'c']) nop(r, dev, ud, { delayMs: 1 });
    await r.submit(3);
    await takeResults(r, 3);
    expect([dev.submitted, dev.completed, dev.dropped, dev.maxConcurrent, dev.depth]).to.deep.equal([3, 3, 0, 3, 0]);
  });
});
