import { expect } from 'chai';
import { ECANCELED, RTIO_OP_AWAIT, RTIO_OP_DELAY, RTIO_OP_NOP, RTIO_SQE_CHAINED } from '../rtio';
import { testIodevScript } from '../emulator/iodevs/test-iodev';
import { decodePacket, encodePacket, isDecodeError } from '../../protocol/messages';
import type { AgentBody, HostBody, Packet, Sqe as WireSqe } from '../../protocol/messages';
import { TsAgent } from './ts-agent';
import type { AgentEnd } from './ts-agent';

/** A link stub: bodies the agent sent, and a way to hand it host bodies (through the real codec). */
function stubLink(): { link: AgentEnd; sent: AgentBody[]; deliver: (body: HostBody) => void } {
  const sent: AgentBody[] = [];
  let handler: ((p: Packet) => void) | null = null;
  return {
    link: { send: (b) => sent.push(b), onPacket: (cb) => { handler = cb; }, restart: () => undefined },
    sent,
    deliver: (body) => {
      const p = decodePacket(encodePacket({ seq: 1, ...body }));
      if (isDecodeError(p)) throw new Error(`test packet did not decode: ${p.reason}`);
      handler!(p);
    },
  };
}

function sqe(id: number, op: number, extra: Partial<WireSqe> = {}): WireSqe {
  return {
    id, op, flags: 0, iodev: 0, iodevFlags: 0, prio: 0, tx: new Uint8Array(0), len: 0, txRegion: 0, txOffset: 0,
    rxRegion: 0, rxOffset: 0, timeoutUs: 0, delayUs: 0, i2cConfig: 0, ...extra,
  };
}

describe('TsAgent', function () {
  it('ignores (and logs) a Signal for an AWAIT that completed before its CQE went out', async function () {
    const { link, sent, deliver } = stubLink();
    const agent = new TsAgent(link);
    try {
      const test0 = agent.board.info.findIndex((i) => i.name === 'test0') + 1;
      deliver({ submit: { sqes: [
        sqe(1, RTIO_OP_NOP, { iodev: test0, iodevFlags: testIodevScript({ result: -5 }), flags: RTIO_SQE_CHAINED }),
        sqe(2, RTIO_OP_AWAIT),
      ], regions: [] } });
      agent.board.clock.runUntilIdle(1000);
      // The chain failed and freed its slots; the CQEs are not drained yet: the Signal crosses them.
      expect(() => deliver({ signal: { id: 2 } })).to.not.throw();
      await new Promise<void>((resolve) => setImmediate(resolve));
      const cqes = sent.flatMap((p) => ('complete' in p ? p.complete.cqes ?? [] : []));
      expect(cqes.map((c) => [c.id, c.result])).to.deep.equal([[1, -5], [2, -ECANCELED]]);
      const logs = sent.flatMap((p) => ('log' in p ? [p.log.text ?? ''] : []));
      expect(logs.join('\n')).to.contain('Signal: no waiting or running AWAIT has id 2');
    } finally {
      agent.stop();
    }
  });

  it('a chain with a bad member fails alone; another chain of the same Submit runs', async function () {
    const { link, sent, deliver } = stubLink();
    const agent = new TsAgent(link);
    try {
      deliver({ submit: { sqes: [
        sqe(1, RTIO_OP_NOP, { flags: RTIO_SQE_CHAINED }), sqe(2, RTIO_OP_NOP, { iodev: 99 }),
        sqe(3, RTIO_OP_NOP),
      ], regions: [] } });
      agent.board.clock.runUntilIdle(1000);
      await new Promise<void>((resolve) => setImmediate(resolve));
      const cqes = sent.flatMap((p) => ('complete' in p ? p.complete.cqes ?? [] : []));
      expect(cqes.map((c) => [c.id, c.result]).sort((a, b) => a[0]! - b[0]!)).to.deep.equal([[1, -ECANCELED], [2, -19], [3, 0]]);
    } finally {
      agent.stop();
    }
  });

  it('stamps what ran with device times from the board clock, and what never ran with none', async function () {
    const { link, sent, deliver } = stubLink();
    const agent = new TsAgent(link);
    try {
      deliver({ submit: { sqes: [
        sqe(1, RTIO_OP_DELAY, { delayUs: 3000, flags: RTIO_SQE_CHAINED }), sqe(2, RTIO_OP_NOP),
        sqe(3, RTIO_OP_NOP, { iodev: 99 }),
      ], regions: [] } });
      agent.board.clock.runUntilIdle(1000);
      await new Promise<void>((resolve) => setImmediate(resolve));
      const cqes = new Map(sent.flatMap((p) => ('complete' in p ? p.complete.cqes ?? [] : [])).map((c) => [c.id, c]));
      const [delay, nop, bad] = [cqes.get(1)!, cqes.get(2)!, cqes.get(3)!];
      // The board clock is ms with a fraction; the wire carries whole µs, each rounded.
      expect((delay.endUs! - delay.startUs!) >>> 0, 'the DELAY spans its 3000 µs').to.be.within(2999, 3001);
      expect(nop.startUs, 'the NOP starts when the DELAY ends').to.equal(delay.endUs);
      expect(nop.endUs).to.equal(nop.startUs);
      expect([bad.result, bad.startUs, bad.endUs], 'a rejected SQE never ran').to.deep.equal([-19, undefined, undefined]);
    } finally {
      agent.stop();
    }
  });
});
