import { expect } from 'chai';
import { FrameDecoder, encodeFrame } from '../../protocol/frame';
import type { Packet } from '../../protocol/messages';
import { IodevKind, PROTOCOL_VERSION, decodePacket, encodePacket, isDecodeError } from '../../protocol/messages';
import { VirtualClock } from '../clock';
import { rejection } from '../testing/rejection';
import { runFor, settle } from '../testing/virtual-time';
import { AgentLink } from './agent';
import type { HelloReplyInit } from './agent';
import {
  AgentResetError,
  DisconnectedError,
  HandshakeTimeoutError,
  LinkTimeoutError,
  ProtocolVersionError,
  isLinkError,
} from './errors';
import type { LinkError } from './errors';
import { HostLink } from './host';
import type { Link } from './index';
import type { LinkLimits } from './limits';
import { createMemoryPair } from './memory-transport';
import type { MemoryDeviceTransport, MemoryPair } from './memory-transport';
import { LinkState } from './stats';
import type { CloseListener, DataListener, Transport } from './transport';

/**
 * Every link and memory pair here runs on one VirtualClock per test: the line delays each write
 * by LATENCY_MS of virtual time, so round trips are real and times can be asserted exactly.
 */
const LATENCY_MS = 1;

/** Short timers; `retransmitMs` long where a test must see no retransmission. */
const FAST: Partial<LinkLimits> = { helloIntervalMs: 10, handshakeTimeoutMs: 5000, retransmitMs: 15, maxRetransmits: 50, stallMs: 10_000, ackDelayMs: 1 };
const NO_RETRANSMIT: Partial<LinkLimits> = { ...FAST, retransmitMs: 60_000, retransmitMinMs: 60_000, retransmitMaxMs: 60_000 };

const REPLY: HelloReplyInit = {
  buildId: 'ts-agent test',
  bootNonce: 0x0badf00d,
  maxFrameBytes: 1033,
  window: 8,
  maxSqes: 16,
  maxBufferBytes: 512,
  iodevs: [{ id: 1, name: 'eeprom0', kind: IodevKind.IODEV_KIND_I2C, bus: 'i2c0', address: 0x50, part: '24c32' }],
};

interface Rig {
  host: HostLink;
  agent: AgentLink;
  device: MemoryDeviceTransport;
  hostTransport: Transport;
}

let clock: VirtualClock;
const links: Link[] = [];

function track<L extends Link>(link: L): L {
  links.push(link);
  return link;
}

/** Runs the virtual clock until `promise` settles. */
function run<T>(promise: Promise<T>): Promise<T> {
  return settle(clock, promise);
}

/** A memory pair on the test's clock. */
function pair(name = 'mem0'): MemoryPair {
  return createMemoryPair({ name, clock, latencyMs: LATENCY_MS });
}

/** A host and an agent link on a fresh memory pair named 'mem0', not yet opened. */
function rig(hostOptions: Partial<LinkLimits> = FAST, agentOptions: Partial<LinkLimits> = FAST, reply: HelloReplyInit | (() => HelloReplyInit) = REPLY): Rig {
  const { host: hostTransport, device } = pair();
  const agent = track(new AgentLink(device, { helloReply: reply, clock, ...agentOptions }));
  const host = track(new HostLink(hostTransport, { clock, ...hostOptions }));
  return { host, agent, device, hostTransport };
}

/** Packets a link delivers from now on, and a promise for when `count` have arrived. */
function collect(link: Link, count: number): { packets: Packet[]; done: Promise<Packet[]> } {
  const packets: Packet[] = [];
  const done = new Promise<Packet[]>((resolve) => {
    link.onPacket((p) => {
      packets.push(p);
      if (packets.length === count) resolve(packets);
    });
  });
  return { packets, done };
}

function nextError(link: Link): Promise<LinkError> {
  return new Promise((resolve) => link.onError(resolve));
}

function signalIds(packets: Packet[]): number[] {
  return packets.map((p) => (p.body === 'signal' ? p.signal.id : -1));
}

function packetsIn(decoder: FrameDecoder, chunk: Uint8Array): Packet[] {
  const out: Packet[] = [];
  for (const f of decoder.push(chunk)) {
    if (f.status !== 'ok') continue;
    const p = decodePacket(f.payload);
    if (!isDecodeError(p)) out.push(p);
  }
  return out;
}

/** Every packet that arrives at `transport`, decoded. */
function received(transport: Transport): Packet[] {
  const decoder = new FrameDecoder();
  const packets: Packet[] = [];
  transport.onData((chunk) => packets.push(...packetsIn(decoder, chunk)));
  return packets;
}

/**
 * Wraps a host transport and watches the wire: the highest seq the host sent and the highest ack
 * it received, so a test can see how many packets were really outstanding.
 */
class WireSpy implements Transport {
  readonly description: string;
  maxOutstanding = 0;
  #highestSeq = 0;
  #highestAck = 0;
  readonly #inner: Transport;
  readonly #out = new FrameDecoder();
  readonly #in = new FrameDecoder();
  readonly #listeners: DataListener[] = [];

  constructor(inner: Transport) {
    this.#inner = inner;
    this.description = inner.description;
    inner.onData((chunk) => {
      for (const p of packetsIn(this.#in, chunk)) if (p.body !== 'helloReply') this.#highestAck = Math.max(this.#highestAck, p.ack);
      for (const listener of this.#listeners) listener(chunk);
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    for (const p of packetsIn(this.#out, bytes)) {
      if (p.seq > 0) this.#highestSeq = Math.max(this.#highestSeq, p.seq);
      this.maxOutstanding = Math.max(this.maxOutstanding, this.#highestSeq - this.#highestAck);
    }
    return this.#inner.write(bytes);
  }

  onData(listener: DataListener): void {
    this.#listeners.push(listener);
  }

  onClose(listener: CloseListener): void {
    this.#inner.onClose(listener);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

describe('harness/link HostLink and AgentLink over a memory pair, on virtual time', function () {
  beforeEach(function () {
    clock = new VirtualClock();
  });

  afterEach(async function () {
    await Promise.all(links.splice(0).map((l) => l.close()));
  });

  describe('handshake', function () {
    it('resolves the agent HelloReply in one round trip and opens a session on both ends', async function () {
      const { host, agent } = rig();
      const sessions: number[] = [];
      agent.onSession((hello) => sessions.push(hello.protocolVersion));
      expect(host.state).to.equal(LinkState.Idle);
      expect(agent.state).to.equal(LinkState.Idle);
      const info = await run(host.open());
      expect(clock.now()).to.equal(2 * LATENCY_MS);
      expect(info).to.include({ protocolVersion: PROTOCOL_VERSION, buildId: 'ts-agent test', bootNonce: 0x0badf00d, window: 8, maxFrameBytes: 1033, maxSqes: 16, maxBufferBytes: 512 });
      expect(info.iodevs).to.deep.equal([
        { id: 1, name: 'eeprom0', kind: IodevKind.IODEV_KIND_I2C, bus: 'i2c0', address: 0x50, part: '24c32', capabilities: [] },
      ]);
      expect(info.hostNonce).to.not.equal(0);
      expect(host.state).to.equal(LinkState.Open);
      expect(agent.state).to.equal(LinkState.Open);
      expect(host.session).to.deep.equal(info);
      expect(agent.session?.hostNonce).to.equal(info.hostNonce);
      expect(sessions).to.deep.equal([PROTOCOL_VERSION]);
    });

    it('retries Hello every helloIntervalMs when one is lost', async function () {
      const { host, device } = rig();
      device.dropNextFrames(1, 'to-device');
      await run(host.open());
      expect(clock.now()).to.equal(FAST.helloIntervalMs! + 2 * LATENCY_MS);
      expect(device.stats.framesDropped).to.equal(1);
      expect(host.stats.framesSent).to.equal(2);
    });

    it('discards stale bytes that arrived before open(), and never delivers them', async function () {
      const { host, agent, device } = rig();
      const stale = encodeFrame(encodePacket({ seq: 1, complete: { cqes: [{ id: 99, result: 4 }] } }));
      const bytes = Uint8Array.from([0x12, 0x34, 0x00, ...stale, 0x05, 0x06]);
      await run(device.write(bytes));
      expect(host.stats.staleBytes).to.equal(bytes.length);
      const { packets, done } = collect(host, 1);
      await run(host.open());
      agent.send({ log: { level: 3, text: 'fresh' } });
      await run(done);
      expect(packets).to.have.length(1);
      expect(packets[0]).to.deep.include({ seq: 1, body: 'log' });
      expect(host.stats).to.include({ crcErrors: 0, cobsErrors: 0, tooShort: 0, delivered: 1 });
    });

    it('rejects with HandshakeTimeoutError naming the port after handshakeTimeoutMs when no agent answers', async function () {
      const { host: hostTransport, device } = pair();
      const hellos = received(device);
      const host = track(new HostLink(hostTransport, { clock, helloIntervalMs: 5, handshakeTimeoutMs: 30 }));
      const err = await run(rejection(host.open()));
      expect(clock.now()).to.equal(30);
      expect(err).to.be.instanceOf(HandshakeTimeoutError);
      expect(err).to.include({ name: 'HandshakeTimeoutError', port: 'mem0', timeoutMs: 30 });
      expect((err as Error).message).to.equal('handshake timeout: no HelloReply from mem0 within 30 ms');
      expect(isLinkError(err)).to.equal(true);
      expect(host.state).to.equal(LinkState.Idle);
      expect(hellos, 'one at once and one every 5 ms before the limit').to.have.length(6);
      expect(hellos[0]).to.deep.include({ seq: 0, ack: 0, body: 'hello' });
      expect(hellos[0]?.body === 'hello' && hellos[0].hello.protocolVersion).to.equal(PROTOCOL_VERSION);
    });

    it('rejects with ProtocolVersionError when the agent speaks another version', async function () {
      const { host } = rig(FAST, FAST, { ...REPLY, protocolVersion: PROTOCOL_VERSION + 1 });
      const err = await run(rejection(host.open()));
      expect(err).to.be.instanceOf(ProtocolVersionError);
      expect(err).to.include({ host: PROTOCOL_VERSION, agent: PROTOCOL_VERSION + 1 });
      expect((err as Error).message).to.equal(`protocol version mismatch: host speaks ${PROTOCOL_VERSION}, agent ${PROTOCOL_VERSION + 1}`);
      expect(host.state).to.equal(LinkState.Idle);
    });

    it('rejects a HelloReply with window 0, naming the field and the port', async function () {
      // An agent link fills in a window left 0, so a raw device answers here.
      const raw = pair('mem2');
      const host = track(new HostLink(raw.host, { clock, ...FAST }));
      const decoder = new FrameDecoder();
      raw.device.onData((chunk) => {
        for (const p of packetsIn(decoder, chunk)) {
          if (p.body !== 'hello') continue;
          const reply = { ...REPLY, protocolVersion: PROTOCOL_VERSION, window: 0, hostNonce: p.hello.hostNonce };
          raw.device.write(encodeFrame(encodePacket({ helloReply: reply }))).catch(() => undefined);
        }
      });
      const err = await run(rejection(host.open()));
      expect(err).to.be.instanceOf(RangeError);
      expect((err as Error).message).to.equal('HelloReply.window from mem2 is 0; it must be >= 1');
      expect(host.state).to.equal(LinkState.Idle);
    });

    it('ignores a HelloReply to another Hello, and counts what a host never takes as unexpected', async function () {
      const raw = pair('mem3');
      const host = track(new HostLink(raw.host, { clock, ...FAST }));
      const decoder = new FrameDecoder();
      const answer = (init: Parameters<typeof encodePacket>[0]): void => {
        raw.device.write(encodeFrame(encodePacket(init))).catch(() => undefined);
      };
      raw.device.onData((chunk) => {
        for (const p of packetsIn(decoder, chunk)) {
          if (p.body !== 'hello') continue;
          answer({ helloReply: { ...REPLY, protocolVersion: PROTOCOL_VERSION, hostNonce: p.hello.hostNonce ^ 1 } });
          answer({ helloReply: { ...REPLY, protocolVersion: PROTOCOL_VERSION, hostNonce: p.hello.hostNonce } });
        }
      });
      const info = await run(host.open());
      expect(host.stats.unexpected, 'the reply to another nonce').to.equal(1);
      const { packets } = collect(host, 1);
      answer({ hello: { protocolVersion: PROTOCOL_VERSION, hostNonce: 5 } });
      answer({ ack: 0, reset: {} });
      answer({ helloReply: { ...REPLY, protocolVersion: PROTOCOL_VERSION, hostNonce: info.hostNonce ^ 1 } });
      await runFor(clock, 10);
      expect(host.stats.unexpected).to.equal(4);
      expect(packets).to.deep.equal([]);
      expect(host.state).to.equal(LinkState.Open);
    });
  });

  describe('sequencing', function () {
    it('pipelines up to the window and never has more outstanding on the wire', async function () {
      const { host: hostTransport, device } = pair();
      const spy = new WireSpy(hostTransport);
      const agent = track(new AgentLink(device, { helloReply: { ...REPLY, window: 4 }, clock, ...NO_RETRANSMIT }));
      const host = track(new HostLink(spy, { clock, ...NO_RETRANSMIT }));
      await run(host.open());
      let inFlightAtFirstDelivery = -1;
      agent.onPacket(() => {
        if (inFlightAtFirstDelivery === -1) inFlightAtFirstDelivery = host.inFlight;
      });
      const { packets, done } = collect(agent, 20);
      for (let id = 0; id < 20; id++) host.send({ signal: { id } });
      expect(host.inFlight).to.equal(4);
      expect(host.queued).to.equal(16);
      await run(done);
      await run(host.drain());
      expect(signalIds(packets)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
      expect(packets.map((p) => p.seq)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(inFlightAtFirstDelivery).to.equal(4);
      expect(spy.maxOutstanding).to.equal(4);
      expect(host.inFlight).to.equal(0);
      expect(host.queued).to.equal(0);
      expect(host.stats.retransmits).to.equal(0);
      expect(agent.stats).to.include({ delivered: 20, duplicates: 0, outOfOrder: 0 });
    });

    it('carries both directions at once, acks riding on the replies', async function () {
      const { host, agent } = rig(NO_RETRANSMIT, NO_RETRANSMIT);
      await run(host.open());
      agent.onPacket((p) => {
        if (p.body === 'submit') agent.send({ complete: { cqes: p.submit.sqes.map((s) => ({ id: s.id, result: 0 })) } });
      });
      const { packets, done } = collect(host, 50);
      for (let id = 1; id <= 50; id++) host.send({ submit: { sqes: [{ id }] } });
      await run(done);
      await run(Promise.all([host.drain(), agent.drain()]));
      expect(packets.map((p) => (p.body === 'complete' ? p.complete.cqes[0]?.id : -1))).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(host.stats.retransmits + agent.stats.retransmits).to.equal(0);
    });

    it('retransmits a dropped frame and delivers everything once, in order', async function () {
      const { host, agent, device } = rig();
      await run(host.open());
      const { packets, done } = collect(agent, 3);
      device.dropNextFrames(1, 'to-device');
      for (let id = 1; id <= 3; id++) host.send({ signal: { id } });
      await run(done);
      await run(host.drain());
      expect(signalIds(packets)).to.deep.equal([1, 2, 3]);
      expect(device.stats.framesDropped).to.equal(1);
      expect(host.stats.retransmits, 'go-back-N: all three again').to.equal(3);
      expect(agent.stats.outOfOrder).to.equal(2);
      expect(agent.stats.delivered).to.equal(3);
    });

    it('counts a corrupted frame as a CRC error and recovers it, in both directions', async function () {
      const { host, agent, device } = rig();
      await run(host.open());
      const atAgent = collect(agent, 1);
      device.corruptNextFrame('to-device');
      host.send({ cancel: { id: 7 } });
      await run(atAgent.done);
      await run(host.drain());
      expect(agent.stats.crcErrors).to.equal(1);
      expect(atAgent.packets).to.have.length(1);

      const atHost = collect(host, 1);
      device.corruptNextFrame('to-host');
      agent.send({ cancelReply: { id: 7, result: -120 } });
      await run(atHost.done);
      await run(agent.drain());
      expect(host.stats.crcErrors).to.equal(1);
      expect(atHost.packets).to.have.length(1);
      expect(atHost.packets[0]).to.deep.include({ body: 'cancelReply', cancelReply: { id: 7, result: -120 } });
      expect(device.stats.framesCorrupted).to.equal(2);
    });

    it('never delivers a duplicate twice when an acknowledgement is lost', async function () {
      const { host, agent, device } = rig();
      await run(host.open());
      const { packets, done } = collect(agent, 1);
      device.dropNextFrames(1, 'to-host');
      host.send({ submit: { sqes: [{ id: 1 }] } });
      await run(done);
      await run(host.drain());
      expect(packets).to.have.length(1);
      expect(host.stats.retransmits).to.equal(1);
      expect(agent.stats.duplicates).to.equal(1);
      expect(agent.stats.delivered).to.equal(1);
      expect(agent.stats.acksSent, 'the delayed ack that was lost, and the duplicate ack').to.equal(2);
    });

    it('delivers 200 packets each way exactly once through drops, corruption and noise', async function () {
      const { host, agent, device } = rig();
      await run(host.open());
      let n = 0;
      agent.onPacket(() => {
        n++;
        if (n % 7 === 0) device.dropNextFrames(1, 'to-host');
        if (n % 11 === 0) device.corruptNextFrame('to-device');
        if (n % 13 === 0) void device.injectGarbage(Uint8Array.from([0x41, 0x00, 0x07, 0x07]), 'to-host');
      });
      const atAgent = collect(agent, 200);
      const atHost = collect(host, 200);
      for (let id = 0; id < 200; id++) {
        host.send({ signal: { id } });
        agent.send({ signal: { id } });
      }
      await run(Promise.all([atAgent.done, atHost.done]));
      await run(Promise.all([host.drain(), agent.drain()]));
      expect(signalIds(atAgent.packets)).to.deep.equal(Array.from({ length: 200 }, (_, i) => i));
      expect(signalIds(atHost.packets)).to.deep.equal(Array.from({ length: 200 }, (_, i) => i));
      expect(device.stats.framesDropped + device.stats.framesCorrupted).to.be.greaterThan(0);
    });
  });

  describe('giving up (the host) and never giving up (the agent)', function () {
    it('the host fails with LinkTimeoutError after maxRetransmits rounds, each timeout twice the last', async function () {
      const { host, device } = rig({ ...FAST, maxRetransmits: 3 });
      await run(host.open());
      device.dropNextFrames(1_000_000, 'to-device');
      const failed = nextError(host);
      const sentAt = clock.now();
      host.send({ signal: { id: 1 } });
      host.send({ signal: { id: 2 } });
      const drained = rejection(host.drain());
      const err = await run(failed);
      expect(clock.now() - sentAt, 'retransmitMs 15, then 30, 60 and 120').to.equal(15 + 30 + 60 + 120);
      expect(err).to.be.instanceOf(LinkTimeoutError);
      expect(err).to.include({ name: 'LinkTimeoutError', port: 'mem0', seq: 1, retransmits: 3, stalledMs: 225 });
      expect(err.message).to.equal('link timeout: mem0 acknowledged nothing for 225 ms (seq 1 waits; 3 retransmissions)');
      expect(host.stats.retransmits).to.equal(6);
      expect(host.state).to.equal(LinkState.Failed);
      expect(host.failure).to.equal(err);
      expect(() => host.send({ signal: { id: 3 } })).to.throw(LinkTimeoutError);
      expect(await drained).to.equal(err);
    });

    it('the host fails after exactly stallMs of virtual time without an acknowledgement, however far the timeout backed off', async function () {
      const { host, device } = rig({ ...FAST, stallMs: 100, maxRetransmits: 64 });
      await run(host.open());
      device.dropNextFrames(1_000_000, 'to-device');
      const failed = nextError(host);
      const sentAt = clock.now();
      host.send({ signal: { id: 1 } });
      const err = await run(failed);
      // Timeouts at 15 and 45 ms; the next, due at 105 ms, is brought forward to the stall limit.
      expect(clock.now() - sentAt).to.equal(100);
      expect(err).to.be.instanceOf(LinkTimeoutError);
      expect(err).to.include({ seq: 1, retransmits: 2, stalledMs: 100 });
    });

    it('an agent keeps retransmitting, backed off to retransmitMaxMs, long past any stall limit', async function () {
      const { host, agent, device } = rig(FAST, { ...FAST, stallMs: 100, maxRetransmits: 3 });
      await run(host.open());
      device.dropNextFrames(1_000_000, 'to-host');
      agent.send({ log: { level: 3, text: 'unheard' } });
      await runFor(clock, 10_000);
      expect(agent.state).to.equal(LinkState.Open);
      expect(agent.failure).to.equal(undefined);
      expect(agent.inFlight).to.equal(1);
      expect(agent.stats.rtoMs).to.equal(250);
      // Timeouts at 15, 45, 105, 225 and 465 ms, then one every 250 ms: 38 more by 10 s.
      expect(agent.stats.retransmits).to.equal(5 + 38);
      expect(host.state).to.equal(LinkState.Open);
    });
  });

  describe('recovery in round trips', function () {
    it('recovers a lost packet from the REJ of the next one, without a timeout', async function () {
      const { host, agent, device } = rig({ ...FAST, retransmitMs: 60_000, retransmitMinMs: 60_000, retransmitMaxMs: 60_000 }, NO_RETRANSMIT);
      await run(host.open());
      const atAgent = collect(agent, 5);
      device.dropNextFrames(1, 'to-device');
      const sentAt = clock.now();
      for (let i = 0; i < 5; i++) host.send({ signal: { id: i } });
      await run(atAgent.done);
      await run(host.drain());
      expect(signalIds(atAgent.packets)).to.deep.equal([0, 1, 2, 3, 4]);
      expect(host.stats.fastRetransmits, 'recovered by one REJ').to.equal(1);
      expect(agent.stats.outOfOrder).to.equal(4);
      // Two round trips (the REJ, then the resent packets) and one delayed ack: no 60 s timeout.
      expect(clock.now() - sentAt).to.equal(4 * LATENCY_MS + FAST.ackDelayMs!);
    });

    it('learns the round trip: the retransmission timeout falls from its start to the floor', async function () {
      const { host, agent } = rig({ ...FAST, retransmitMs: 200, retransmitMinMs: 7 }, FAST);
      await run(host.open());
      expect(host.stats).to.include({ srttMs: 0, rtoMs: 200 });
      const atAgent = collect(agent, 20);
      for (let i = 0; i < 20; i++) host.send({ signal: { id: i } });
      await run(atAgent.done);
      await run(host.drain());
      expect(host.stats.srttMs).to.be.within(2 * LATENCY_MS, 2 * LATENCY_MS + FAST.ackDelayMs!);
      expect(host.stats.rtoMs).to.equal(7);
    });

    it('with keepalive on, notices an agent that reset while the host had nothing to send', async function () {
      let nonce = 1;
      const { host, agent, device } = rig({ ...FAST, keepaliveMs: 5 }, FAST, () => ({ ...REPLY, bootNonce: nonce }));
      await run(host.open());
      const failed = nextError(host);
      nonce = 2;
      // The agent's announcement of its reboot is lost: the keepalive has to find out.
      device.dropNextFrames(1, 'to-host');
      agent.restart();
      host.setKeepalive(true);
      const err = await run(failed);
      expect(err).to.be.instanceOf(AgentResetError);
      expect(host.stats.keepalives).to.equal(1);
    });

    it('with keepalive on, a silent agent fails the link within keepaliveMs + stallMs', async function () {
      const { host, device } = rig({ ...FAST, keepaliveMs: 5, stallMs: 100 }, FAST);
      await run(host.open());
      const failed = nextError(host);
      device.dropNextFrames(1_000_000, 'to-host');
      const onAt = clock.now();
      host.setKeepalive(true);
      const err = await run(failed);
      expect(err).to.be.instanceOf(LinkTimeoutError);
      expect((err as LinkTimeoutError).stalledMs).to.equal(100);
      expect(clock.now() - onAt).to.be.at.most(5 + 100);
    });

    it('probes only while keepalive is on and nothing else is sent, once per keepaliveMs', async function () {
      const { host, agent } = rig({ ...FAST, keepaliveMs: 20 }, FAST);
      await run(host.open());
      await runFor(clock, 100);
      expect(host.stats.keepalives, 'off by default').to.equal(0);
      host.setKeepalive(true);
      await runFor(clock, 100);
      const probes = host.stats.keepalives;
      expect(probes, 'one at once (nothing was sent for 100 ms), then one every 20 ms').to.equal(1 + 100 / 20);
      expect(agent.stats.delivered, 'acknowledged, not delivered').to.equal(0);
      host.setKeepalive(false);
      await runFor(clock, 100);
      expect(host.stats.keepalives).to.equal(probes);
      expect(host.state).to.equal(LinkState.Open);
    });
  });

  describe('sessions', function () {
    it('fails with AgentResetError when the agent comes back with a new boot nonce, and reopens', async function () {
      let bootNonce = 0x11111111;
      const { host, agent } = rig(FAST, FAST, () => ({ ...REPLY, bootNonce }));
      await run(host.open());
      bootNonce = 0x22222222;
      agent.restart();
      expect(agent.state).to.equal(LinkState.Idle);
      const failed = nextError(host);
      host.send({ signal: { id: 1 } });
      const err = await run(failed);
      expect(err).to.be.instanceOf(AgentResetError);
      expect(err).to.include({ name: 'AgentResetError', port: 'mem0', oldNonce: 0x11111111, newNonce: 0x22222222 });
      expect(err.message).to.equal('agent reset: mem0 boot nonce 0x11111111 became 0x22222222');
      expect(host.state).to.equal(LinkState.Failed);
      expect(host.stats.resets).to.equal(1);
      expect(host.inFlight).to.equal(0);
      expect(() => host.send({ signal: { id: 2 } })).to.throw(AgentResetError);

      const info = await run(host.open());
      expect(info.bootNonce).to.equal(0x22222222);
      const { packets, done } = collect(agent, 1);
      host.send({ signal: { id: 3 } });
      await run(done);
      expect(packets[0]).to.deep.include({ seq: 1, body: 'signal', signal: { id: 3 } });
    });

    it('an agent without a session answers any packet but a Hello with an unsolicited HelloReply', async function () {
      const raw = pair();
      const agent = track(new AgentLink(raw.device, { helloReply: REPLY, clock, ...FAST }));
      const answers = received(raw.host);
      await run(raw.host.write(encodeFrame(encodePacket({ seq: 1, signal: { id: 1 } }))));
      await runFor(clock, 10);
      expect(answers).to.have.length(1);
      expect(answers[0]).to.deep.include({ seq: 0, body: 'helloReply' });
      expect(answers[0]?.body === 'helloReply' && answers[0].helloReply).to.include({ hostNonce: 0, bootNonce: REPLY.bootNonce, window: 8 });
      expect(agent.state).to.equal(LinkState.Idle);
      expect(agent.stats.delivered).to.equal(0);
    });

    it('open() again starts a fresh session on both ends, numbering from 1', async function () {
      const { host, agent } = rig();
      const sessions: number[] = [];
      agent.onSession((hello) => sessions.push(hello.hostNonce));
      const first = await run(host.open());
      const one = collect(agent, 2);
      host.send({ signal: { id: 1 } });
      host.send({ signal: { id: 2 } });
      await run(one.done);
      await run(host.drain());
      const second = await run(host.open());
      expect(second.hostNonce).to.not.equal(first.hostNonce);
      const two = collect(agent, 1);
      host.send({ signal: { id: 3 } });
      await run(two.done);
      expect(two.packets[0]).to.deep.include({ seq: 1, signal: { id: 3 } });
      expect(sessions).to.deep.equal([first.hostNonce, second.hostNonce]);
    });

    it('the agent answers a repeated Hello again without resetting the session', async function () {
      const { host, agent, hostTransport } = rig();
      const info = await run(host.open());
      const { packets, done } = collect(agent, 2);
      host.send({ signal: { id: 1 } });
      await run(host.drain());
      await run(hostTransport.write(encodeFrame(encodePacket({ hello: { protocolVersion: PROTOCOL_VERSION, hostNonce: info.hostNonce } }))));
      host.send({ signal: { id: 2 } });
      await run(done);
      expect(packets.map((p) => p.seq)).to.deep.equal([1, 2]);
      expect(host.state).to.equal(LinkState.Open);
    });

    it('passes an unsequenced Reset to the agent', async function () {
      const { host, agent } = rig();
      await run(host.open());
      const { packets, done } = collect(agent, 1);
      host.sendUnsequenced({ reset: {} });
      await run(done);
      expect(packets[0]).to.deep.include({ seq: 0, body: 'reset' });
    });

    it('reports a transport disconnect as DisconnectedError and closes', async function () {
      const { host, device } = rig();
      await run(host.open());
      const failed = nextError(host);
      host.send({ signal: { id: 1 } });
      const drained = rejection(host.drain());
      device.disconnect();
      const err = await run(failed);
      expect(err).to.be.instanceOf(DisconnectedError);
      expect(err).to.include({ name: 'DisconnectedError', disconnected: true, port: 'mem0' });
      expect(err.message).to.equal('disconnected: mem0: the memory pair was disconnected');
      expect(host.state).to.equal(LinkState.Closed);
      expect(await drained).to.equal(err);
      expect(() => host.send({ signal: { id: 2 } })).to.throw(DisconnectedError);
      expect(await rejection(host.open())).to.equal(err);
    });

    it('rejects open() with DisconnectedError when the transport goes away during the handshake', async function () {
      const { host: hostTransport, device } = pair();
      const host = track(new HostLink(hostTransport, { clock, ...FAST }));
      const opening = rejection(host.open());
      device.disconnect();
      const err = await run(opening);
      expect(err).to.be.instanceOf(DisconnectedError);
      expect(host.state).to.equal(LinkState.Closed);
    });

    it('close() rejects open() and drain() in progress, tells no error listener, and leaves a closed agent closed', async function () {
      const { host, agent } = rig();
      const errors: LinkError[] = [];
      host.onError((e) => errors.push(e));
      await run(host.open());
      host.send({ signal: { id: 1 } });
      const drained = rejection(host.drain());
      const reopening = rejection(host.open());
      await host.close();
      const err = await run(reopening);
      expect(err).to.be.instanceOf(DisconnectedError);
      expect((err as Error).message).to.equal('disconnected: mem0: closed by this end');
      expect(await drained).to.be.instanceOf(Error);
      expect(host.state).to.equal(LinkState.Closed);
      expect(errors).to.deep.equal([]);
      await agent.close();
      agent.restart();
      expect(agent.state).to.equal(LinkState.Closed);
    });
  });

  describe('limits and misuse', function () {
    it('throws RangeError naming maxFrameBytes when a body cannot fit the agent frame limit', async function () {
      const { host } = rig(FAST, FAST, { ...REPLY, maxFrameBytes: 64 });
      await run(host.open());
      const sent = host.stats.framesSent;
      const submit = (k: number): void => host.send({ submit: { sqes: [{ id: 1, tx: new Uint8Array(k).fill(0xaa) }] } });
      expect(() => submit(40)).to.throw(RangeError, '"body" (submit, 48 bytes) needs frames of up to 65 bytes; mem0 accepts 64 (HelloReply.maxFrameBytes)');
      expect(host.stats.framesSent).to.equal(sent);
      submit(39);
      await run(host.drain());
      expect(host.stats.framesSent).to.be.greaterThan(sent);
    });

    it('throws RangeError when maxQueuedPackets wait for the window', async function () {
      const { host } = rig({ ...NO_RETRANSMIT, maxQueuedPackets: 2 }, NO_RETRANSMIT, { ...REPLY, window: 1 });
      await run(host.open());
      host.send({ signal: { id: 1 } });
      host.send({ signal: { id: 2 } });
      host.send({ signal: { id: 3 } });
      expect(host.inFlight).to.equal(1);
      expect(host.queued).to.equal(2);
      expect(() => host.send({ signal: { id: 4 } })).to.throw(RangeError, '"send" queue is full: 2 packets wait for the window (maxQueuedPackets)');
      await run(host.drain());
    });

    it('rejects bad options naming them', function () {
      const { host } = createMemoryPair();
      expect(() => new HostLink(host, { retransmitMs: 0 })).to.throw(RangeError, '"retransmitMs" must be an integer >= 1; got 0');
      expect(() => new AgentLink(host, { helloReply: REPLY, window: 1.5 })).to.throw(RangeError, '"window" must be an integer >= 1; got 1.5');
      expect(() => new AgentLink(host, {} as never)).to.throw(TypeError, '"helloReply"');
    });

    it('refuses send() before a session and unsequenced bodies; each role has only its own methods', async function () {
      const { host, agent } = rig();
      expect(() => host.send({ signal: { id: 1 } })).to.throw(Error, 'link: send() needs an open session; the link is idle');
      expect(() => host.send({ reset: {} } as never)).to.throw(TypeError, 'is unsequenced');
      expect(() => host.sendUnsequenced({ hello: {} } as never)).to.throw(TypeError, 'cannot be sent unsequenced');
      // @ts-expect-error an agent serves from construction: open() is the host's
      expect(agent.open).to.equal(undefined);
      // @ts-expect-error a host opens a new session instead: restart() is the agent's
      expect(host.restart).to.equal(undefined);
      const opening = host.open();
      expect(() => host.open()).to.throw(Error, 'link: open() is already in progress');
      await run(opening);
    });
  });
});
