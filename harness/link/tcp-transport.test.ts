import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { expect } from 'chai';
import { encodeFrame } from '../../protocol/frame';
import { hex } from '../../protocol/test-vectors';
import { DisconnectedError, PortOpenError } from './errors';
import { AgentLink } from './agent';
import { HostLink } from './host';
import { openTcpTransport, tcpTransportFromSocket } from './tcp-transport';
import type { Transport } from './transport';

interface Listening {
  server: Server;
  port: number;
  accepted: Promise<Socket>;
}

/** A server on 127.0.0.1, any free port; `accepted` is its first connection. */
async function listen(): Promise<Listening> {
  const server = createServer();
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, accepted };
}

function receive(t: Transport, count: number): Promise<Uint8Array> {
  const bytes: number[] = [];
  return new Promise((resolve) => {
    t.onData((c) => {
      bytes.push(...c);
      if (bytes.length >= count) resolve(Uint8Array.from(bytes));
    });
  });
}

describe('harness/link openTcpTransport against a local server', function () {
  const servers: Server[] = [];
  const transports: Transport[] = [];

  afterEach(async function () {
    await Promise.all(transports.splice(0).map((t) => t.close()));
    await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it('connects with Nagle off and round-trips bytes both ways', async function () {
    const { server, port, accepted } = await listen();
    servers.push(server);
    const t = await openTcpTransport({ host: '127.0.0.1', port });
    transports.push(t);
    expect(t.description).to.equal(`tcp:127.0.0.1:${port}`);
    const device = tcpTransportFromSocket(await accepted, 'device');
    transports.push(device);
    const frame = encodeFrame(Uint8Array.from({ length: 300 }, (_, i) => i & 0xff));
    const atDevice = receive(device, frame.length);
    await t.write(frame);
    expect(hex(await atDevice)).to.equal(hex(frame));
    const atHost = receive(t, 3);
    await device.write(Uint8Array.from([1, 0, 2]));
    expect(hex(await atHost)).to.equal('01 00 02');
  });

  it('runs a host Link against an agent Link on the accepted socket', async function () {
    const { server, port, accepted } = await listen();
    servers.push(server);
    const hostTransport = await openTcpTransport({ host: '127.0.0.1', port });
    transports.push(hostTransport);
    const agentTransport = tcpTransportFromSocket(await accepted);
    transports.push(agentTransport);
    const agent = new AgentLink(agentTransport, { helloReply: { buildId: 'tcp agent', bootNonce: 7 } });
    const host = new HostLink(hostTransport, { helloIntervalMs: 50 });
    const got: number[] = [];
    const done = new Promise<void>((resolve) =>
      agent.onPacket((p) => {
        if (p.body === 'signal') got.push(p.signal.id);
        if (got.length === 30) resolve();
      }),
    );
    expect(await host.open()).to.include({ buildId: 'tcp agent', bootNonce: 7 });
    for (let id = 0; id < 30; id++) host.send({ signal: { id } });
    await done;
    await host.drain();
    expect(got).to.deep.equal(Array.from({ length: 30 }, (_, i) => i));
  });

  it('reports the peer hanging up as DisconnectedError naming the address', async function () {
    const { server, port, accepted } = await listen();
    servers.push(server);
    const t = await openTcpTransport({ host: '127.0.0.1', port });
    transports.push(t);
    const closed = new Promise<DisconnectedError | null>((resolve) => t.onClose(resolve));
    (await accepted).destroy();
    const err = await closed;
    expect(err).to.be.instanceOf(DisconnectedError);
    expect(err).to.include({ disconnected: true, port: `tcp:127.0.0.1:${port}` });
    let writeError: unknown;
    await t.write(Uint8Array.from([1])).catch((e: unknown) => (writeError = e));
    expect(writeError).to.be.instanceOf(DisconnectedError);
  });

  it('close() tells the listeners null', async function () {
    const { server, port } = await listen();
    servers.push(server);
    const t = await openTcpTransport({ host: '127.0.0.1', port });
    const closed = new Promise<DisconnectedError | null>((resolve) => t.onClose(resolve));
    await t.close();
    await t.close();
    expect(await closed).to.equal(null);
  });

  it('fails with PortOpenError reason missing when nothing listens', async function () {
    const { server, port } = await listen();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    let err: unknown;
    await openTcpTransport({ host: '127.0.0.1', port }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(PortOpenError);
    expect(err).to.include({ name: 'PortOpenError', port: `tcp:127.0.0.1:${port}`, reason: 'missing' });
  });

  it('rejects a bad port naming it', async function () {
    let err: unknown;
    await openTcpTransport({ host: '127.0.0.1', port: 70000 }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(RangeError);
    expect((err as Error).message).to.equal('"port" must be an integer in 1..65535; got 70000');
  });
});
