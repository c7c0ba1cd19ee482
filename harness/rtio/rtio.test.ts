import { expect } from 'chai';
import { VirtualClock } from '../clock';
import {
  RTIO_CQE_FLAG_GET, RTIO_CQE_FLAG_MORE, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION,
} from './constants';
import { ECANCELED, EIO, ETIMEDOUT } from './errno';
import { iodevSqeErr, iodevSqeOk, sqeRxBuf, txnNext, txnSetResult } from './iodev';
import { Rtio } from './context';
import { sqePrepNop, sqePrepRead, sqePrepReadMultishot, sqePrepWrite } from './prep';
import type { Iodev, IodevSqe } from './sqe';

/**
 * A unit-test iodev: completes each unit 1 ms after submit on a virtual clock, with the byte
 * count, or as `behave` says. Only for testing the executor; suites use the emulated board.
 */
class FakeIodev implements Iodev {
  readonly name = 'fake';
  readonly held: IodevSqe[] = [];
  behave: (s: IodevSqe) => 'ok' | 'hold' | { failAt: number; result: number } = () => 'ok';
  constructor(readonly clock: VirtualClock) {}

  submit(s: IodevSqe): void {
    const how = this.behave(s);
    if (how === 'hold') {
      this.held.push(s);
      return;
    }
    this.clock.setTimer(this.clock.now() + 1, () => {
      if (how === 'ok') {
        let n = 0;
        for (let m = txnNext(s); m !== null; m = txnNext(m)) txnSetResult(m, m.sqe.bufLen + 100 * ++n);
        if (s.sqe.flags & 4) {
          const buf = sqeRxBuf(s, 8, 8);
          if (typeof buf === 'number') return iodevSqeErr(s, buf);
        }
        iodevSqeOk(s, s.sqe.bufLen || 8);
        return;
      }
      let m: IodevSqe = s;
      for (let i = 0; i < how.failAt; i++) m = txnNext(m)!;
      iodevSqeErr(m, how.result);
    }, undefined);
  }
}

function setup(opts: { sqSize?: number; cqSize?: number } = {}): { r: Rtio; dev: FakeIodev; clock: VirtualClock } {
  const clock = new VirtualClock();
  const r = new Rtio({ sqSize: opts.sqSize ?? 8, cqSize: opts.cqSize ?? 8, clock, mempool: { blockSize: 8, blockCount: 4 } });
  return { r, dev: new FakeIodev(clock), clock };
}

const drain = (r: Rtio): [unknown, number][] => {
  const out: [unknown, number][] = [];
  for (let c = r.cqeConsume(); c !== null; c = r.cqeConsume()) {
    out.push([c.userdata, c.result]);
    r.cqeRelease(c);
  }
  return out;
};

describe('Rtio executor (unit, fake iodev)', function () {
  it('gives transaction members their own results and fails from the member the iodev names', async function () {
    const { r, dev } = setup();
    const add = (ud: string, txn: boolean): void => {
      const s = r.sqeAcquire()!;
      sqePrepWrite(s, dev, RTIO_PRIO_NORM, new Uint8Array(2), 2, ud);
      if (txn) s.flags |= RTIO_SQE_TRANSACTION;
    };
    add('a', true); add('b', true); add('c', false);
    await r.submit(3);
    expect(drain(r)).to.deep.equal([['a', 2], ['b', 102], ['c', 202]]);
    dev.behave = () => ({ failAt: 1, result: -EIO });
    add('a', true); add('b', true); add('c', false);
    await r.submit(3);
    expect(drain(r)).to.deep.equal([['a', 0], ['b', -EIO], ['c', -ECANCELED]]);
  });

  it('counts a completion of an SQE that is not running as stray and ignores it', async function () {
    const { r, dev } = setup();
    let seen: IodevSqe | null = null;
    dev.behave = (s) => { seen = s; return 'ok'; };
    sqePrepNop(r.sqeAcquire()!, dev, 'x');
    await r.submit(1);
    iodevSqeOk(seen!, 0);
    expect(r.strayCompletions).to.equal(1);
    expect(drain(r)).to.deep.equal([['x', 8]]);
  });

  it('keeps a timed-out SQE\'s slot until the iodev lets go, then frees it once', async function () {
    const { r, dev } = setup({ sqSize: 2 });
    dev.behave = () => 'hold';
    const s = r.sqeAcquire()!;
    sqePrepNop(s, dev, 'slow');
    s.timeoutMs = 3;
    s.flags |= RTIO_SQE_CHAINED;
    sqePrepNop(r.sqeAcquire()!, dev, 'next');
    await r.submit(2);
    expect(drain(r)).to.deep.equal([['slow', -ETIMEDOUT], ['next', -ECANCELED]]);
    expect(r.sqeAcquirable(), 'the held slot is still reserved').to.equal(1);
    iodevSqeOk(dev.held[0]!, 0);
    expect(r.sqeAcquirable()).to.equal(2);
    expect(r.strayCompletions).to.equal(0);
    expect(drain(r), 'the late completion posts nothing').to.deep.equal([]);
  });

  it('completes an SQE whose iodev throws in submit with -EIO and keeps the error', async function () {
    const { r, dev } = setup();
    dev.behave = () => { throw new Error('driver bug'); };
    sqePrepNop(r.sqeAcquire()!, dev, 'x');
    await r.submit(1);
    expect(drain(r)).to.deep.equal([['x', -EIO]]);
    expect(String(r.iodevErrors[0])).to.contain('driver bug');
  });

  it('ends a multishot whose completion finds the CQ full, without RTIO_CQE_FLAG_MORE', async function () {
    const { r, dev } = setup({ cqSize: 2 });
    sqePrepReadMultishot(r.sqeAcquire()!, dev, RTIO_PRIO_NORM, 'm');
    await r.submit(2);
    const a = r.cqeConsume()!;
    const b = r.cqeConsume()!;
    expect(RTIO_CQE_FLAG_GET(a.flags) & RTIO_CQE_FLAG_MORE).to.not.equal(0);
    expect(RTIO_CQE_FLAG_GET(b.flags) & RTIO_CQE_FLAG_MORE, 'the CQ was full: last shot').to.equal(0);
    expect(r.inflight).to.equal(0);
    for (const c of [a, b]) {
      r.releaseBuffer(r.cqeGetMempoolBuffer(c));
      r.cqeRelease(c);
    }
    expect(r.mempool!.free).to.equal(4);
  });

  it('refuses to block forever when every CQE is held while completions overflow', async function () {
    const { r, dev } = setup({ cqSize: 1 });
    sqePrepRead(r.sqeAcquire()!, dev, RTIO_PRIO_NORM, new Uint8Array(1), 1, 'a');
    sqePrepRead(r.sqeAcquire()!, dev, RTIO_PRIO_NORM, new Uint8Array(1), 1, 'b');
    await r.submit(2);
    const held = r.cqeConsume()!;
    let caught: unknown = null;
    await r.cqeConsumeBlock().catch((e: unknown) => { caught = e; });
    expect(caught).to.be.instanceOf(RangeError);
    r.cqeRelease(held);
    expect(r.cqeConsume()!.userdata).to.equal('b');
  });
});
