import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QmpClient, QmpConnectionError, QmpError } from './qmp';
import type { QmpEvent } from './qmp';

const GREETING = '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}}, "capabilities": []}}\r\n';

/** A fake QMP server: greets, then answers each command with `reply(command, id)` (lines to send, possibly split). */
async function fakeServer(dir: string, reply: (cmd: { execute: string; arguments?: unknown; id?: number }, sock: Socket) => string[], greeting = GREETING): Promise<{ server: Server; path: string; seen: string[] }> {
  const path = join(dir, 'qmp.sock');
  const seen: string[] = [];
  const server = createServer((sock) => {
    sock.setEncoding('utf8');
    sock.write(greeting);
    let buf = '';
    sock.on('data', (chunk: string) => {
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const cmd = JSON.parse(line) as { execute: string; id?: number };
        seen.push(cmd.execute);
        for (const piece of reply(cmd, sock)) sock.write(piece);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { server, path, seen };
}

describe('QmpClient', function () {
  let dir: string;
  let server: Server | null = null;

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'rtio-hil-qmp-test-'));
  });

  afterEach(async function () {
    await new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())));
    server = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('negotiates capabilities, then matches replies to commands by id, even out of order and split across reads', async function () {
    let held: { id: number } | null = null;
    const s = await fakeServer(dir, (cmd, sock) => {
      if (cmd.execute === 'slow') {
        held = { id: cmd.id! };
        return [];
      }
      const out = [`{"return": {"cmd": "${cmd.execute}"}, "id": ${cmd.id}}\r\n`];
      if (cmd.execute === 'fast' && held !== null) {
        sock.write(out[0]!.slice(0, 10));
        return [out[0]!.slice(10), `{"return": {"cmd": "slow"}, "id": ${held.id}}\r\n`];
      }
      return out;
    });
    server = s.server;
    const qmp = await QmpClient.connect(s.path);
    try {
      const slow = qmp.execute('slow');
      const fast = qmp.execute('fast');
      expect(await fast).to.deep.equal({ cmd: 'fast' });
      expect(await slow).to.deep.equal({ cmd: 'slow' });
      expect(s.seen).to.deep.equal(['qmp_capabilities', 'slow', 'fast']);
    } finally {
      await qmp.close();
    }
  });

  it('rejects a refused command with QmpError carrying QEMU\'s class and description', async function () {
    const s = await fakeServer(dir, (cmd) => [cmd.execute === 'qom-get'
      ? `{"error": {"class": "DeviceNotFound", "desc": "Device 'nosuch' not found"}, "id": ${cmd.id}}\n`
      : `{"return": {}, "id": ${cmd.id}}\n`]);
    server = s.server;
    const qmp = await QmpClient.connect(s.path);
    try {
      const err = await qmp.execute('qom-get', { path: 'nosuch', property: 'x' }).then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(QmpError);
      expect(err).to.include({ command: 'qom-get', qmpClass: 'DeviceNotFound' });
      expect((err as Error).message).to.include("Device 'nosuch' not found");
    } finally {
      await qmp.close();
    }
  });

  it('hands events to the listener and still answers commands', async function () {
    const s = await fakeServer(dir, (cmd) => [
      '{"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}}\n',
      `{"return": {}, "id": ${cmd.id}}\n`,
    ]);
    server = s.server;
    const events: QmpEvent[] = [];
    const qmp = await QmpClient.connect(s.path, { onEvent: (e) => events.push(e) });
    try {
      await qmp.execute('stop');
      expect(events.map((e) => e.event)).to.deep.equal(['STOP', 'STOP']);
    } finally {
      await qmp.close();
    }
  });

  it('refuses a peer that does not greet as QMP, naming the socket', async function () {
    const s = await fakeServer(dir, () => [], '{"hello": 1}\n');
    server = s.server;
    const err = await QmpClient.connect(s.path).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(QmpConnectionError);
    expect((err as Error).message).to.include(s.path).and.to.include('greeting');
  });

  it('fails commands in flight when the socket closes, and every later one', async function () {
    const s = await fakeServer(dir, (cmd, sock) => {
      if (cmd.execute === 'quit') sock.destroy();
      return cmd.execute === 'quit' ? [] : [`{"return": {}, "id": ${cmd.id}}\n`];
    });
    server = s.server;
    const qmp = await QmpClient.connect(s.path);
    const err = await qmp.execute('quit').then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(QmpConnectionError);
    expect((err as Error).message).to.include('closed');
    const later = await qmp.execute('query-status').then(() => null, (e: unknown) => e);
    expect(later).to.be.instanceOf(QmpConnectionError);
    await qmp.close();
  });

  it('fails a command whose reply does not come within the timeout', async function () {
    const s = await fakeServer(dir, (cmd) => (cmd.execute === 'qmp_capabilities' ? [`{"return": {}, "id": ${cmd.id}}\n`] : []));
    server = s.server;
    const qmp = await QmpClient.connect(s.path, { timeoutMs: 50 });
    try {
      const err = await qmp.execute('never').then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(QmpConnectionError);
      expect((err as Error).message).to.include('no reply to "never" within 50 ms');
    } finally {
      await qmp.close();
    }
  });
});
