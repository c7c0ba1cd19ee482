import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { expect } from 'chai';
import { VirtualClock } from '../clock/virtual-clock';
import { DisconnectedError, PortOpenError } from './errors';
import { createMemoryPair } from './memory-transport';
import type { MemoryDeviceTransport } from './memory-transport';
import type { ComPortReply } from './rfc2217-codec';
import { ComPortUnavailableError, openRfc2217Transport, rfc2217OverTransport } from './rfc2217-transport';
import type { Rfc2217Transport } from './rfc2217-transport';

const bytes = (hex: string): Uint8Array => Uint8Array.from(hex.replace(/\s+/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The access server's end of a memory pair: everything the client sent, and a way to answer. */
class FakeServer {
  readonly received: number[] = [];
  #waiters: { hex: string; resolve: () => void }[] = [];

  constructor(readonly end: MemoryDeviceTransport) {
    end.onData((chunk) => {
      this.received.push(...chunk);
      const text = this.text();
      for (const w of this.#waiters.filter((w) => text.includes(w.hex))) w.resolve();
      this.#waiters = this.#waiters.filter((w) => !text.includes(w.hex));
    });
  }

  text(): string {
    return hex(Uint8Array.from(this.received));
  }

  /** Resolves once the client has sent `wire` (hex, spaces ignored) somewhere in its stream. */
  sent(wire: string): Promise<void> {
    const want = wire.replace(/\s+/g, '');
    if (this.text().includes(want)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ hex: want, resolve }));
  }

  say(wire: string): Promise<void> {
    return this.end.write(bytes(wire));
  }
}

const OFFER = 'fffb2c fffb00 fffb03 fffd00 fffd03';
const SETTINGS = 'fffa2c 01 0001c200 fff0  fffa2c 02 08 fff0  fffa2c 03 01 fff0  fffa2c 04 01 fff0';

async function negotiate(answer: string | null, options: Parameters<typeof rfc2217OverTransport>[1] = {}): Promise<{ t: Rfc2217Transport; server: FakeServer; clock: VirtualClock }> {
  const pair = createMemoryPair({ name: 'fake-ser2net' });
  const server = new FakeServer(pair.device);
  const clock = new VirtualClock();
  const opening = rfc2217OverTransport(pair.host, { clock, ...options });
  await server.sent(OFFER);
  if (answer !== null) await server.say(answer);
  else clock.advance(1000);
  return { t: await opening, server, clock };
}

describe('harness/link RFC 2217 transport', function () {
  it('offers COM-PORT-OPTION, BINARY and SGA, then sends the line settings once the server agrees, and no more', async function () {
    const { t, server } = await negotiate('fffd2c fffd00 fffb00 fffd03 fffb03');
    await server.sent(SETTINGS);
    expect(server.text()).to.equal(`${OFFER}${SETTINGS}`.replace(/\s+/g, ''));
    expect(t.description).to.equal('rfc2217:fake-ser2net');
    expect([t.comPort.option, t.comPort.binary.local, t.comPort.binary.remote]).to.deep.equal(['yes', 'yes', 'yes']);
    await t.close();
  });

  it('opens without any acknowledgement from the server, which it records when they come', async function () {
    const { t, server } = await negotiate('fffd2c', { baudRate: 921600 });
    await server.sent('fffa2c01000e1000fff0');
    expect([t.comPort.baudRate, t.comPort.requests, t.comPort.replies]).to.deep.equal([null, 4, 0]);
    const replies: ComPortReply[] = [];
    const got = new Promise<void>((resolve) => t.onComPortReply((r) => {
      replies.push(r);
      if (replies.length === 3) resolve();
    }));
    await server.say('fffa2c65000e1000fff0 fffa2c6608fff0 fffa2c6b30fff0');
    await got;
    expect([t.comPort.baudRate, t.comPort.dataBits, t.comPort.modemState, t.comPort.replies]).to.deep.equal([921600, 8, 0x30, 3]);
    await t.close();
  });

  it('gives up waiting for the answer to WILL COM-PORT-OPTION after the timeout, and sends the settings if it comes later', async function () {
    const { t, server } = await negotiate(null);
    expect(t.comPort.option).to.equal('wantyes');
    expect(await t.setLines({ dtr: false }).catch((e: unknown) => e)).to.be.instanceOf(ComPortUnavailableError).and.include({ reason: 'unanswered' });
    await server.say('fffd2c');
    await server.sent(SETTINGS);
    expect(t.comPort.option).to.equal('yes');
    await t.close();
  });

  it('runs as plain telnet on a server that refuses COM-PORT-OPTION: data flows, line control is a typed error', async function () {
    const { t, server } = await negotiate('fffe2c fffd00');
    const err = await t.setLines({ rts: true }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ComPortUnavailableError).and.include({ reason: 'refused', port: 'rfc2217:fake-ser2net' });
    expect((err as Error).message).to.equal('no serial port control: rfc2217:fake-ser2net refused COM-PORT-OPTION (RFC 2217)');
    await t.write(bytes('01 ff 02'));
    await server.sent('01ffff02');
    expect(server.text()).to.not.contain('fffa2c');
    await t.close();
  });

  it('doubles 0xFF in what it writes and undoubles it in what it reads, across chunks', async function () {
    const { t, server } = await negotiate('fffd2c');
    const got: number[] = [];
    const done = new Promise<void>((resolve) => t.onData((c) => {
      got.push(...c);
      if (got.length === 5) resolve();
    }));
    await t.write(bytes('ff00ff'));
    await server.sent('ffff00ffff');
    await server.say('aa ff');
    await server.say('ff fffb01 bb ff');
    await server.say('ff cc');
    await done;
    expect(hex(Uint8Array.from(got))).to.equal('aaffbbffcc');
    await server.sent('fffe01');
    await t.close();
  });

  it('sets DTR, then RTS, with SET-CONTROL, without waiting for an acknowledgement', async function () {
    const { t, server } = await negotiate('fffd2c');
    await t.setLines({ dtr: false, rts: true });
    await t.setLines({ rts: false });
    await server.sent('fffa2c0509fff0 fffa2c050bfff0 fffa2c050cfff0');
    expect([t.comPort.dtr, t.comPort.rts]).to.deep.equal([null, null]);
    const acked = new Promise<void>((resolve) => t.onComPortReply(() => resolve()));
    await server.say('fffa2c6909fff0');
    await acked;
    expect([t.comPort.dtr, t.comPort.rts]).to.deep.equal([false, null]);
    await t.close();
    expect(await t.setLines({ dtr: true }).catch((e: unknown) => e)).to.be.instanceOf(DisconnectedError);
  });

  it('a server that hangs up during the negotiation fails the open, quoting what it said', async function () {
    const pair = createMemoryPair({ name: 'busy' });
    const server = new FakeServer(pair.device);
    const opening = rfc2217OverTransport(pair.host, { clock: new VirtualClock() });
    await server.sent(OFFER);
    await server.say(Buffer.from('Port already in use\r\n').toString('hex'));
    pair.device.disconnect();
    const err = await opening.catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PortOpenError).and.include({ port: 'rfc2217:busy', reason: 'other' });
    expect((err as Error).message).to.equal('cannot open rfc2217:busy: other (the server closed the connection during the telnet negotiation; it said "Port already in use")');
  });

  it('a server that goes away later closes the transport with a DisconnectedError naming it', async function () {
    const { t, server } = await negotiate('fffd2c');
    const closed = new Promise<DisconnectedError | null>((resolve) => t.onClose(resolve));
    server.end.disconnect();
    const err = await closed;
    expect(err).to.be.instanceOf(DisconnectedError).and.include({ port: 'rfc2217:fake-ser2net' });
    expect(await t.write(bytes('00')).catch((e: unknown) => e)).to.be.instanceOf(DisconnectedError);
  });

  describe('over TCP', function () {
    it('connects, negotiates and is described as rfc2217:<host>:<port>; nothing listening is PortOpenError "missing" naming it', async function () {
      const sockets: Socket[] = [];
      const server = createServer((s) => {
        sockets.push(s);
        s.write(bytes('fffd2c'));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      try {
        const t = await openRfc2217Transport({ host: '127.0.0.1', port });
        expect([t.description, t.comPort.option]).to.deep.equal([`rfc2217:127.0.0.1:${port}`, 'yes']);
        await t.close();
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      const err = await openRfc2217Transport({ host: '127.0.0.1', port }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(PortOpenError).and.include({ port: `rfc2217:127.0.0.1:${port}`, reason: 'missing' });
      expect(await openRfc2217Transport({ host: '127.0.0.1', port, negotiationTimeoutMs: 0 }).catch((e: unknown) => e)).to.be.instanceOf(RangeError);
    });
  });
});
