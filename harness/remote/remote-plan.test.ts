import { expect } from 'chai';
import { RTIO_PRIO_NORM, RTIO_SQE_CHAINED, Rtio, sqePrepRead, sqePrepTransceive, sqePrepWrite } from '..';
import type { Sqe } from '..';
import type { Iodev, IodevSqe } from '../rtio';
import { rtiohil } from '../../protocol/messages';
import type { Region, Sqe as WireSqe } from '../../protocol/messages';
import { RTIO_SQE_TRANSACTION, sqePrepNop, sqePrepTinyWrite } from '../rtio';
import { appendPlan, isTooBig, planChain } from './remote-plan';
import type { ChainPlan } from './remote-plan';

const dev: Iodev = { name: 'dev', submit: () => undefined };

/** Plans, as one chain, the SQEs `build` acquires on a fresh context (acquire order is chain order). */
function plan(build: (acquire: () => Sqe) => void, maxBufferBytes = 512): ReturnType<typeof planChain> {
  const r = new Rtio({ sqSize: 8, cqSize: 8 });
  const members: IodevSqe[] = [];
  build(() => {
    const s = r.sqeAcquire()!;
    members.push(s.slot!);
    return s;
  });
  return planChain(members, members.map((_, i) => i + 1), (d) => (d === null ? 0 : 7), maxBufferBytes);
}

function ok(p: ReturnType<typeof planChain>): ChainPlan {
  if (isTooBig(p)) throw new Error('too big');
  return p;
}

const shared = (w: WireSqe): number[] => [w.rxRegion, w.rxOffset, w.txRegion, w.txOffset, w.len, w.tx.length];

describe('remote-plan: how a chain travels', function () {
  it('a TX of the buffer an earlier RX reads into names a region both share', function () {
    const buf = new Uint8Array(4).fill(9);
    const p = ok(plan((acquire) => {
      const rx = acquire();
      sqePrepRead(rx, dev, RTIO_PRIO_NORM, buf, 4);
      rx.flags |= RTIO_SQE_CHAINED;
      sqePrepWrite(acquire(), dev, RTIO_PRIO_NORM, buf, 4);
    }));
    expect(p.sqes.map(shared)).to.deep.equal([[1, 0, 0, 0, 4, 0], [0, 0, 1, 0, 4, 0]]);
    expect(p.regions.map((g: Region) => [g.len, [...g.init]])).to.deep.equal([[4, [9, 9, 9, 9]]]);
  });

  it('a TXRX sending a slice of an earlier read names its offset in a region spanning both ranges', function () {
    const buf = Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7);
    const out = new Uint8Array(4);
    const p = ok(plan((acquire) => {
      const rx = acquire();
      sqePrepRead(rx, dev, RTIO_PRIO_NORM, buf.subarray(1, 5), 4);
      rx.flags |= RTIO_SQE_CHAINED;
      sqePrepTransceive(acquire(), dev, RTIO_PRIO_NORM, buf.subarray(3, 7), out, 4);
    }));
    expect(p.sqes.map(shared)).to.deep.equal([[1, 0, 0, 0, 4, 0], [0, 0, 1, 2, 4, 0]]);
    expect(p.regions.map((g) => [...g.init]), 'the union of both ranges, as the host has it').to.deep.equal([[1, 2, 3, 4, 5, 6]]);
  });

  it('a TX before the read into its buffer, or of another buffer, travels as bytes', function () {
    const a = Uint8Array.of(1, 2);
    const b = Uint8Array.of(3, 4);
    const p = ok(plan((acquire) => {
      const tx = acquire();
      sqePrepWrite(tx, dev, RTIO_PRIO_NORM, a, 2);
      tx.flags |= RTIO_SQE_CHAINED;
      const rx = acquire();
      sqePrepRead(rx, dev, RTIO_PRIO_NORM, a, 2);
      rx.flags |= RTIO_SQE_CHAINED;
      sqePrepWrite(acquire(), dev, RTIO_PRIO_NORM, b, 2);
    }));
    expect(p.regions).to.deep.equal([]);
    expect(p.sqes.map((w) => [...w.tx])).to.deep.equal([[1, 2], [], [3, 4]]);
    expect(p.sqes.map((w) => w.len)).to.deep.equal([0, 2, 0]);
  });

  it('a region larger than the agent takes makes the chain too big', function () {
    const buf = new Uint8Array(300);
    const p = plan((acquire) => {
      const rx = acquire();
      sqePrepRead(rx, dev, RTIO_PRIO_NORM, buf.subarray(0, 100), 100);
      rx.flags |= RTIO_SQE_CHAINED;
      sqePrepWrite(acquire(), dev, RTIO_PRIO_NORM, buf.subarray(50, 300), 250);
    }, 256);
    expect(isTooBig(p)).to.equal(true);
  });

  it('appending renumbers a chain\'s regions after those already in the Submit', function () {
    const mk = (): ChainPlan => ok(plan((acquire) => {
      const buf = new Uint8Array(2);
      const rx = acquire();
      sqePrepRead(rx, dev, RTIO_PRIO_NORM, buf, 2);
      rx.flags |= RTIO_SQE_CHAINED;
      sqePrepWrite(acquire(), dev, RTIO_PRIO_NORM, buf, 2);
    }));
    const sqes: WireSqe[] = [];
    const regions: Region[] = [];
    appendPlan(sqes, regions, mk());
    appendPlan(sqes, regions, mk());
    expect(sqes.map((w) => [w.rxRegion, w.txRegion])).to.deep.equal([[1, 0], [0, 1], [2, 0], [0, 2]]);
    expect(regions).to.have.length(2);
  });

  it('counts the bytes the SQEs and regions add to a Submit exactly, without encoding them', function () {
    const buf = new Uint8Array(300).fill(3);
    const plans = [
      plan((acquire) => sqePrepNop(acquire(), dev)),
      plan((acquire) => sqePrepNop(acquire(), null)),
      plan((acquire) => sqePrepRead(acquire(), dev, RTIO_PRIO_NORM, buf, 200)),
      plan((acquire) => sqePrepWrite(acquire(), dev, RTIO_PRIO_NORM, buf, 300)),
      plan((acquire) => sqePrepTinyWrite(acquire(), dev, RTIO_PRIO_NORM, Uint8Array.from([1, 2, 3]), 3)),
      plan((acquire) => {
        const s = acquire();
        sqePrepTransceive(s, dev, RTIO_PRIO_NORM, buf.subarray(0, 10), new Uint8Array(10), 10);
        s.timeoutMs = 2.5;
        s.flags |= RTIO_SQE_TRANSACTION;
      }),
      plan((acquire) => {
        const rx = acquire();
        sqePrepRead(rx, dev, RTIO_PRIO_NORM, buf, 150);
        rx.flags |= RTIO_SQE_CHAINED;
        sqePrepWrite(acquire(), dev, RTIO_PRIO_NORM, buf.subarray(100), 150);
      }),
    ].map(ok);
    for (const p of plans) {
      expect(p.bytes, JSON.stringify(p.sqes.map((w) => w.op))).to.equal(rtiohil.Submit.encode({ sqes: p.sqes, regions: p.regions }).finish().length);
    }
    expect(plans[2]!.sqes[0]).to.include({ len: 200 });
    expect(plans[3]!.sqes[0]!.tx.length).to.equal(300);
  });

  it('a chain of one over the agent\'s buffer limit is too big', function () {
    const buf = new Uint8Array(600);
    expect(isTooBig(plan((acquire) => sqePrepRead(acquire(), dev, RTIO_PRIO_NORM, buf, 600)))).to.equal(true);
    expect(isTooBig(plan((acquire) => sqePrepWrite(acquire(), dev, RTIO_PRIO_NORM, buf, 513)))).to.equal(true);
    expect(isTooBig(plan((acquire) => sqePrepWrite(acquire(), dev, RTIO_PRIO_NORM, buf, 512)))).to.equal(false);
  });
});
