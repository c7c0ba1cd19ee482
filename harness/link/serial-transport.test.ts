import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FrameDecoder, encodeFrame } from '../../protocol/frame';
import { IodevKind } from '../../protocol/messages';
import { hex } from '../../protocol/test-vectors';
import { DisconnectedError, PortOpenError } from './errors';
import { AgentLink } from './agent';
import { HostLink } from './host';
import { skipBecause } from '../report/skip-reason';
import type { Packet } from '../../protocol/messages';
import { SERIAL_DEFAULTS, openSerialTransport } from './serial-transport';
import type { Transport } from './transport';

const PYTHON = '/usr/bin/python3';

/**
 * A pty peer: with one link path it echoes what the host writes; with two it relays between
 * them, like `socat pty pty`. It keeps each slave open (so the master never sees EIO between
 * opens), prints "ready" once the links exist, and exits, removing them, when stdin closes.
 */
const PEER = String.raw`
import os, pty, select, sys, tty
links = sys.argv[1:]
masters = []
for link in links:
    m, s = pty.openpty()
    tty.setraw(s)
    os.symlink(os.ttyname(s), link)
    masters.append(m)
route = {masters[0]: masters[-1], masters[-1]: masters[0]}
print('ready', flush=True)
try:
    while True:
        ready = select.select([0] + masters, [], [])[0]
        if 0 in ready and not os.read(0, 64):
            break
        for m in masters:
            if m in ready:
                data = os.read(m, 65536)
                while data:
                    data = data[os.write(route[m], data):]
finally:
    for link in links:
        os.unlink(link)
`;

interface Peer {
  process: ChildProcessWithoutNullStreams;
  exited: Promise<void>;
}

async function startPeer(paths: string[]): Promise<Peer> {
  const child = spawn(PYTHON, ['-c', PEER, ...paths], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`pty peer exited with ${String(code)}: ${stderr}`)));
  });
  return { process: child, exited };
}

/** Resolves once `count` bytes have arrived on `t`, with every chunk. */
function receive(t: Transport, count: number): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  return new Promise((resolve) => {
    t.onData((c) => {
      chunks.push(c);
      total += c.length;
      if (total >= count) resolve(chunks);
    });
  });
}

for (const io of ['event-loop', 'threadpool'] as const) describe(`harness/link openSerialTransport through a real pty (io: ${io})`, function () {
  let dir = '';
  const peers: Peer[] = [];
  const transports: Transport[] = [];

  before(function () {
    const probe = spawnSync(PYTHON, ['-c', 'import pty, tty, select'], { stdio: 'ignore' });
    if (probe.error !== undefined || probe.status !== 0) {
      skipBecause(this, `no ${PYTHON} with pty support on this machine: nothing to serve a pty`);
    }
  });

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'rtio-hil-pty-'));
  });

  afterEach(async function () {
    await Promise.all(transports.splice(0).map((t) => t.close()));
    for (const peer of peers.splice(0)) {
      peer.process.stdin.end();
      await peer.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(path: string, maxBufferedBytes?: number): Promise<Transport> {
    const t = await openSerialTransport(maxBufferedBytes === undefined ? { path, io } : { path, maxBufferedBytes, io });
    transports.push(t);
    return t;
  }

  it('round-trips frames byte-exactly, one frame per chunk, delimiter included', async function () {
    const path = join(dir, 'echo');
    peers.push(await startPeer([path]));
    const t = await open(path);
    expect(t.description).to.equal(path);
    const payloads = [
      Uint8Array.from([0x00, 0x03, 0x11, 0x13, 0x0d, 0x0a]),
      Uint8Array.from({ length: 1024 }, (_, i) => i & 0xff),
      Uint8Array.from([0x7e]),
    ];
    const frames = payloads.map((p) => encodeFrame(p));
    const total = frames.reduce((n, f) => n + f.length, 0);
    const arriving = receive(t, total);
    for (const f of frames) await t.write(f);
    const chunks = await arriving;
    expect(chunks.map((c) => c.length)).to.deep.equal(frames.map((f) => f.length));
    const decoder = new FrameDecoder();
    const decoded = chunks.flatMap((c) => decoder.push(c));
    expect(decoded.map((d) => (d.status === 'ok' ? hex(d.payload) : d.status))).to.deep.equal(payloads.map(hex));
  });

  it('writes more than the pty holds at once, in order, and reads it all back', async function () {
    const path = join(dir, 'echo');
    peers.push(await startPeer([path]));
    const t = await open(path);
    const frames = Array.from({ length: 256 }, (_, i) => encodeFrame(Uint8Array.from({ length: 1000 }, (_, k) => (i + k) & 0xff)));
    const total = frames.reduce((n, f) => n + f.length, 0);
    const arriving = receive(t, total);
    await Promise.all(frames.map((f) => t.write(f)));
    const chunks = await arriving;
    const decoder = new FrameDecoder();
    const decoded = chunks.flatMap((c) => decoder.push(c));
    expect(decoded.map((d) => (d.status === 'ok' ? d.payload[0] : d.status))).to.deep.equal(frames.map((_, i) => i & 0xff));
  });

  it('passes on a run without delimiters once it exceeds maxBufferedBytes', async function () {
    const path = join(dir, 'echo');
    peers.push(await startPeer([path]));
    const t = await open(path, 256);
    const arriving = receive(t, 3000 - 256);
    await t.write(new Uint8Array(3000).fill(0x41));
    const chunks = await arriving;
    expect(chunks.every((c) => !c.includes(0))).to.equal(true);
    expect(SERIAL_DEFAULTS.maxBufferedBytes).to.equal(4096);
  });

  it('runs a host Link and an agent Link over a pty pair', async function () {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    peers.push(await startPeer([a, b]));
    const host = new HostLink(await open(a), { helloIntervalMs: 50 });
    const agent = new AgentLink(await open(b), {
      helloReply: { buildId: 'pty agent', bootNonce: 42, iodevs: [{ id: 1, name: 'test0', kind: IodevKind.IODEV_KIND_TEST }] },
    });
    agent.onPacket((p) => {
      if (p.body === 'submit') agent.send({ complete: { cqes: p.submit.sqes.map((s) => ({ id: s.id, data: s.tx })) } });
    });
    const info = await host.open();
    expect(info).to.include({ buildId: 'pty agent', bootNonce: 42 });
    const replies: Packet[] = [];
    const done = new Promise<void>((resolve) =>
      host.onPacket((p) => {
        replies.push(p);
        if (replies.length === 40) resolve();
      }),
    );
    for (let id = 1; id <= 40; id++) host.send({ submit: { sqes: [{ id, op: 2, iodev: 1, tx: Uint8Array.from([id, 0, 0xff]) }] } });
    await done;
    expect(replies.map((p) => (p.body === 'complete' ? `${p.complete.cqes[0]?.id}:${hex(p.complete.cqes[0]!.data)}` : '?'))).to.deep.equal(
      Array.from({ length: 40 }, (_, i) => `${i + 1}:${hex(Uint8Array.from([i + 1, 0, 0xff]))}`),
    );
    await Promise.all([host.drain(), agent.drain()]);
    expect(host.stats).to.include({ crcErrors: 0, cobsErrors: 0, delivered: 40 });
  });

  it('reports the peer going away as DisconnectedError naming the path', async function () {
    const path = join(dir, 'echo');
    const peer = await startPeer([path]);
    const t = await open(path);
    const closed = new Promise<DisconnectedError | null>((resolve) => t.onClose(resolve));
    peer.process.stdin.end();
    await peer.exited;
    const err = await closed;
    expect(err).to.be.instanceOf(DisconnectedError);
    expect(err).to.include({ disconnected: true, port: path });
    let writeError: unknown;
    await t.write(Uint8Array.from([1, 0])).catch((e: unknown) => (writeError = e));
    expect(writeError).to.be.instanceOf(DisconnectedError);
  });

  it('fails to open a missing path with PortOpenError reason missing', async function () {
    const path = join(dir, 'no-such-tty');
    let err: unknown;
    await openSerialTransport({ path }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(PortOpenError);
    expect(err).to.include({ name: 'PortOpenError', port: path, reason: 'missing' });
    expect((err as Error).message).to.match(new RegExp(`^cannot open ${path}: missing \\(`));
  });

  it('fails to open a port another opener holds with reason busy, and a non-tty with reason other', async function () {
    const path = join(dir, 'echo');
    peers.push(await startPeer([path]));
    await open(path);
    let busy: unknown;
    await openSerialTransport({ path }).catch((e: unknown) => (busy = e));
    expect(busy).to.include({ name: 'PortOpenError', port: path, reason: 'busy' });
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'not a tty');
    let other: unknown;
    await openSerialTransport({ path: file }).catch((e: unknown) => (other = e));
    expect(other).to.include({ name: 'PortOpenError', port: file, reason: 'other' });
  });

  it('rejects bad options naming them', async function () {
    let err: unknown;
    await openSerialTransport({ path: join(dir, 'x'), baudRate: 0 }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(RangeError);
    expect((err as Error).message).to.equal('"baudRate" must be a positive integer; got 0');
    await openSerialTransport({ path: join(dir, 'x'), io: 'fast' as 'event-loop' }).catch((e: unknown) => (err = e));
    expect((err as Error).message).to.equal(`"io" must be 'event-loop' or 'threadpool'; got fast`);
  });
});
