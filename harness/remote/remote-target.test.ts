import { expect } from 'chai';
import { testIodevScript } from '../emulator/iodevs/test-iodev';
import {
  ECANCELED, ECONNRESET, ENOTCONN, ETIMEDOUT, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION, Rtio, sqePrepNop,
  sqePrepRead, sqePrepTinyWrite, sqePrepWrite,
} from '..';
import type { CqeData } from '..';
import { RemoteTarget } from '.';
import type { Region as WireRegion, Sqe as WireSqe } from '../../protocol/messages';
import { openEmulatorWireParts } from '.';
import type { EmulatorWireParts } from '.';

/** Short link timers so failures show in milliseconds. */
const FAST = { retransmitMs: 20, maxRetransmits: 3, helloIntervalMs: 10, handshakeTimeoutMs: 500, ackDelayMs: 1 };

function ctx(target: RemoteTarget): Rtio {
  return new Rtio({ sqSize: 8, cqSize: 8, clock: target.clock, mempool: { blockSize: 16, blockCount: 8 } });
}

function hang(r: Rtio, target: RemoteTarget, ud: string): void {
  const sqe = r.sqeAcquire()!;
  sqePrepNop(sqe, target.iodev('test0'), ud);
  sqe.iodevFlags = testIodevScript({ hang: true });
}

describe('RemoteTarget over the wire (emulator-wire)', function () {
  let parts: EmulatorWireParts;

  beforeEach(async function () {
    parts = await openEmulatorWireParts('emulator-wire', 1, { link: FAST });
  });

  afterEach(async function () {
    await parts.target.close();
  });

  it('fails every SQE in flight at once with -ECONNRESET when the agent resets, keeping AgentResetError', async function () {
    const { target, agent } = parts;
    const r = ctx(target);
    hang(r, target, 'a');
    hang(r, target, 'b');
    await r.submit(0);
    const nonce = agent.bootNonce;
    agent.reset();
    expect(agent.bootNonce).to.not.equal(nonce);
    hang(r, target, 'after-reset');
    await r.submit(0);
    const got = await r.cqeCopyOut(3);
    expect(got.map((c: CqeData) => [c.userdata, c.result])).to.deep.equal([
      ['a', -ECONNRESET], ['b', -ECONNRESET], ['after-reset', -ECONNRESET],
    ]);
    expect(target.lastError?.name).to.equal('AgentResetError');
    expect(r.inflight).to.equal(0);
  });

  it('fails every SQE in flight with -ENOTCONN when the port vanishes, and later ones at once', async function () {
    const { target, device } = parts;
    const r = ctx(target);
    hang(r, target, 'a');
    await r.submit(0);
    device.disconnect();
    const [first] = await r.cqeCopyOut(1);
    expect([first!.userdata, first!.result]).to.deep.equal(['a', -ENOTCONN]);
    expect(target.lastError?.name).to.equal('DisconnectedError');
    hang(r, target, 'later');
    await r.submit(1);
    const [later] = await r.cqeCopyOut(1);
    expect([later!.userdata, later!.result]).to.deep.equal(['later', -ENOTCONN]);
  });

  it('retransmits a lost submit and runs it exactly once', async function () {
    const { target, device, hostLink } = parts;
    const r = ctx(target);
    device.dropNextFrames(1, 'to-device');
    const sqe = r.sqeAcquire()!;
    sqePrepNop(sqe, target.iodev('test0'), 'once');
    await r.submit(1, 5000);
    expect((await r.cqeCopyOut(1)).map((c) => [c.userdata, c.result])).to.deep.equal([['once', 0]]);
    expect(hostLink.stats.retransmits).to.be.greaterThan(0);
    expect(await r.cqeCopyOut(1, 50), 'no second completion').to.deep.equal([]);
    expect(target.strayCqes).to.equal(0);
  });

  it('counts garbage and a corrupted frame from the device, and keeps serving', async function () {
    const { target, device, hostLink } = parts;
    const r = ctx(target);
    await device.injectGarbage(Uint8Array.of(0x13, 0x37, 0x00, 0x05, 0xff, 0xff, 0x00));
    device.corruptNextFrame('to-host');
    sqePrepNop(r.sqeAcquire()!, target.iodev('test0'), 'through');
    await r.submit(1, 5000);
    expect((await r.cqeCopyOut(1)).map((c) => [c.userdata, c.result])).to.deep.equal([['through', 0]]);
    const s = hostLink.stats;
    expect(s.crcErrors + s.cobsErrors + s.tooShort, 'bad frames counted').to.be.greaterThan(0);
  });

  it('counts and ignores a CQE for an id that is not in flight', async function () {
    const { target, agentLink } = parts;
    const r = ctx(target);
    agentLink.send({ complete: { cqes: [{ id: 999, result: 0 }] } });
    sqePrepNop(r.sqeAcquire()!, target.iodev('test0'), 'fine');
    await r.submit(1, 5000);
    expect((await r.cqeCopyOut(1)).map((c) => c.userdata)).to.deep.equal(['fine']);
    expect(target.strayCqes).to.equal(1);
    expect(r.strayCompletions).to.equal(0);
  });
  it('after close, every member of a chain completes with -ENOTCONN', async function () {
    const { target } = parts;
    const r = ctx(target);
    await target.close();
    for (let i = 0; i < 3; i++) {
      const s = r.sqeAcquire()!;
      sqePrepNop(s, target.iodev('test0'), i);
      if (i < 2) s.flags |= RTIO_SQE_CHAINED;
    }
    await r.submit(3);
    expect((await r.cqeCopyOut(3)).map((c) => c.result)).to.deep.equal([-ENOTCONN, -ENOTCONN, -ENOTCONN]);
    expect(r.inflight).to.equal(0);
  });
});

describe('RemoteTarget chain shipping (unit, captured link)', function () {
  it('sends a TX whose buffer an earlier RX of the chain reads into as a shared region, not bytes', async function () {
    const sent: WireSqe[][] = [];
    const regions: WireRegion[][] = [];
    const { RemoteTarget: Target } = await import('./remote-target');
    const target = new Target('captured', {
      send: (body) => { if ('submit' in body) { sent.push(body.submit.sqes as WireSqe[]); regions.push(body.submit.regions as WireRegion[]); } },
      onPacket: () => undefined,
      onError: () => undefined,
      close: async () => undefined,
    }, {
      protocolVersion: 1, buildId: 'test', bootNonce: 1, maxFrameBytes: 1033, window: 8, maxSqes: 16, maxBufferBytes: 1024,
      iodevs: [
        { id: 1, name: 'temp0', kind: 1, bus: 'i2c0', address: 0x48, part: 'tmp102', capabilities: [] },
        { id: 2, name: 'flash0', kind: 2, bus: 'spi0', address: 0, part: 'w25q80', capabilities: [] },
      ],
    });
    const r = new Rtio({ sqSize: 8, cqSize: 8 });
    const buf = new Uint8Array(2);
    const ptr = r.sqeAcquire()!;
    sqePrepTinyWrite(ptr, target.iodev('temp0'), RTIO_PRIO_NORM, Uint8Array.of(0), 1, 'ptr');
    ptr.flags |= RTIO_SQE_TRANSACTION;
    const rd = r.sqeAcquire()!;
    sqePrepRead(rd, target.iodev('temp0'), RTIO_PRIO_NORM, buf, 2, 'read');
    rd.flags |= RTIO_SQE_CHAINED;
    sqePrepWrite(r.sqeAcquire()!, target.iodev('flash0'), RTIO_PRIO_NORM, buf, 2, 'write');
    await r.submit(0);
    expect(sent).to.have.length(1);
    const [p, read, write] = sent[0]!;
    expect([p!.iodev, p!.tx.length, read!.len, read!.iodev]).to.deep.equal([1, 1, 2, 1]);
    expect([read!.rxRegion, read!.rxOffset], 'the read lands in region 1').to.deep.equal([1, 0]);
    expect([write!.iodev, write!.txRegion, write!.txOffset, write!.len, write!.tx.length], 'the write sends region 1').to.deep.equal([2, 1, 0, 2, 0]);
    expect(regions[0]!.map((g) => g.len)).to.deep.equal([2]);
  });

  function captured(maxSqes: number): { target: RemoteTarget; submits: WireSqe[][] } {
    const submits: WireSqe[][] = [];
    const target = new RemoteTarget('captured', {
      send: (body) => { if ('submit' in body) submits.push(body.submit.sqes as WireSqe[]); },
      onPacket: () => undefined,
      onError: () => undefined,
      close: async () => undefined,
    }, {
      protocolVersion: 2, buildId: 'test', bootNonce: 1, maxFrameBytes: 1033, window: 8, maxSqes, maxBufferBytes: 512,
      iodevs: [{ id: 1, name: 'test0', kind: 5, bus: '', address: 0, part: 'rtio-iodev-test', capabilities: [] }],
    });
    return { target, submits };
  }

  function nops(r: Rtio, target: RemoteTarget, n: number): void {
    for (let i = 0; i < n; i++) {
      const s = r.sqeAcquire()!;
      sqePrepNop(s, target.iodev('test0'), i);
      if (i < n - 1) s.flags |= RTIO_SQE_CHAINED;
    }
  }

  it('ships a chain of as many NOPs as the agent holds in one Submit', async function () {
    const { target, submits } = captured(64);
    const r = new Rtio({ sqSize: 64, cqSize: 64 });
    nops(r, target, 64);
    await r.submit(0);
    expect(submits.map((s) => s.length)).to.deep.equal([64]);
  });

  it('runs a chain longer than the agent holds from the host, one unit per Submit', async function () {
    const { target, submits } = captured(32);
    const r = new Rtio({ sqSize: 33, cqSize: 33 });
    nops(r, target, 33);
    await r.submit(0);
    expect(submits.map((s) => s.length), 'only the head is on the agent').to.deep.equal([1]);
    expect(submits[0]![0]!.flags & RTIO_SQE_CHAINED, 'a unit links to nothing on the agent').to.equal(0);
  });

  it('completes an SQE past its deadline with -ETIMEDOUT, and the rest of its chain, when the agent never answers', async function () {
    const cancels: number[] = [];
    const target = new RemoteTarget('silent', {
      send: (body) => { if ('cancel' in body) cancels.push(body.cancel.id ?? 0); },
      onPacket: () => undefined,
      onError: () => undefined,
      close: async () => undefined,
    }, {
      protocolVersion: 2, buildId: 'test', bootNonce: 1, maxFrameBytes: 1033, window: 8, maxSqes: 16, maxBufferBytes: 512,
      iodevs: [{ id: 1, name: 'test0', kind: 5, bus: '', address: 0, part: 'rtio-iodev-test', capabilities: [] }],
    }, { deadlineAllowanceMs: 20 });
    const r = new Rtio({ sqSize: 4, cqSize: 4 });
    const first = r.sqeAcquire()!;
    sqePrepNop(first, target.iodev('test0'), 'timed');
    first.timeoutMs = 10;
    first.flags |= RTIO_SQE_CHAINED;
    sqePrepNop(r.sqeAcquire()!, target.iodev('test0'), 'after');
    sqePrepNop(r.sqeAcquire()!, target.iodev('test0'), 'untimed');
    await r.submit(2);
    expect((await r.cqeCopyOut(2)).map((c) => [c.userdata, c.result])).to.deep.equal([['timed', -ETIMEDOUT], ['after', -ECANCELED]]);
    expect(target.expiredDeadlines).to.equal(1);
    expect(cancels, 'the agent is asked to cancel it').to.have.length(1);
    expect(r.inflight, 'an SQE without a timeout has no deadline').to.equal(1);
    await target.close();
  });
});
