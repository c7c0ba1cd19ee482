import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_BOARDS_DIR } from './board-file';
import { createFakeSerialTree } from '../testing/fake-sysfs';
import { BoardNotConnectedError } from './match';
import { serveSilence, serveTsAgentOverTcp } from '../testing/tcp-agent-server';
import { UnknownBoardError } from './load-boards';
import { HandshakeTimeoutError, PortOpenError } from '../link/errors';
import { targetRecords } from '../target/registry';
import {
  Rtio, RTIO_PRIO_NORM, RTIO_SQE_TRANSACTION, sqePrepNop, sqePrepRead, sqePrepTinyWrite,
} from '../rtio';
import { EmulatorTarget } from '../emulator/emulator-target';
import { defaultBoardId, openTarget } from './open-target';
import { RemoteTarget } from '../remote';
import type { Target } from '../target/target';
import { NATIVE_AGENT_BINARY } from '../remote';
import { buildNativeAgentOrSkip } from '../testing/qemu-support';

async function nop(target: Target): Promise<number> {
  const r = new Rtio({ sqSize: 2, cqSize: 2, clock: target.clock });
  sqePrepNop(r.sqeAcquire()!, target.iodev('test0'), 'nop');
  await r.submit(1);
  return (await r.cqeCopyOut(1))[0]!.result;
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('openTarget through board files', function () {
  let dir: string;
  const dirs = (): string[] => [dir, REPO_BOARDS_DIR];
  const write = (data: Record<string, unknown>): void => writeFileSync(join(dir, `${String(data.id)}.json`), JSON.stringify(data));

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'rtio-hil-open-'));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens the board RTIO_BOARD names by default, else the emulator, and refuses a list', function () {
    expect(defaultBoardId({})).to.equal('emulator');
    expect(defaultBoardId({ RTIO_BOARD: ' native ' })).to.equal('native');
    expect(() => defaultBoardId({ RTIO_BOARD: ' native, emulator' })).to.throw(RangeError, /^RTIO_BOARD names 2 boards \(native, emulator\) and openTarget\(\) opens one/);
  });

  it('opens the emulator in process and records it for reporters', async function () {
    const target = await openTarget('emulator');
    expect(target).to.be.instanceOf(EmulatorTarget);
    const rec = targetRecords().find((r) => r.target() === target)!;
    expect([rec.boardId, rec.kind, rec.port, rec.linkStats, rec.boardFile]).to.deep.equal(['emulator', 'emulator', 'in process', null, join(REPO_BOARDS_DIR, 'emulator.json')]);
    await target.close();
  });

  it('opens emulator-wire with a link whose counters the record reads', async function () {
    const target = await openTarget('emulator-wire');
    expect(await nop(target)).to.equal(0);
    const rec = targetRecords().find((r) => r.target() === target)!;
    expect(rec.linkStats!().framesReceived).to.be.greaterThan(0);
    await target.close();
  });

  it('opens a board behind TCP with the board file\'s capabilities, and runs chains on its agent', async function () {
    const agent = await serveTsAgentOverTcp(7);
    try {
      write({ id: 'rack', name: 'Rack board', target: 'tcp', tcp: { host: '127.0.0.1', port: agent.port }, capabilities: ['fault-injection'], iodevs: [] });
      const target = await openTarget('rack', { boardDirs: dirs() });
      expect(target).to.be.instanceOf(RemoteTarget);
      expect([target.id, target.capabilities]).to.deep.equal(['rack', ['fault-injection']]);
      const r = new Rtio({ sqSize: 4, cqSize: 4, clock: target.clock });
      const temp0 = target.iodev('temp0');
      const ptr = r.sqeAcquire()!;
      sqePrepTinyWrite(ptr, temp0, RTIO_PRIO_NORM, Uint8Array.of(0), 1, 'ptr');
      ptr.flags |= RTIO_SQE_TRANSACTION;
      sqePrepRead(r.sqeAcquire()!, temp0, RTIO_PRIO_NORM, new Uint8Array(2), 2, 'read');
      await r.submit(2);
      expect((await r.cqeCopyOut(2)).map((c) => c.result)).to.deep.equal([1, 2]);
      expect(targetRecords().find((x) => x.target() === target)?.port).to.equal(`tcp:127.0.0.1:${agent.port}`);
      await target.close();
    } finally {
      await agent.close();
    }
  });

  it('a board that does not answer the handshake fails within its timeout, naming the port', async function () {
    const silent = await serveSilence();
    try {
      write({ id: 'mute', name: 'No agent', target: 'tcp', tcp: { host: '127.0.0.1', port: silent.port }, timeouts: { handshakeMs: 150 }, iodevs: [] });
      const e = await failure(openTarget('mute', { boardDirs: dirs() }));
      expect(e).to.be.instanceOf(HandshakeTimeoutError);
      expect([(e as HandshakeTimeoutError).port, (e as HandshakeTimeoutError).timeoutMs]).to.deep.equal([`tcp:127.0.0.1:${silent.port}`, 150]);
      const rec = targetRecords().filter((r) => r.boardId === 'mute').pop()!;
      expect([rec.target(), rec.openError]).to.deep.equal([null, e]);
    } finally {
      await silent.close();
    }
  });

  it('a port that cannot be opened says which and why', async function () {
    write({ id: 'gone', name: 'Unplugged', target: 'serial', serial: { path: join(dir, 'ttyACM7') }, iodevs: [] });
    const e = await failure(openTarget('gone', { boardDirs: dirs() }));
    expect(e).to.be.instanceOf(PortOpenError);
    expect([(e as PortOpenError).port, (e as PortOpenError).reason]).to.deep.equal([join(dir, 'ttyACM7'), 'missing']);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    write({ id: 'refused', name: 'Nothing listens', target: 'tcp', tcp: { host: '127.0.0.1', port }, iodevs: [] });
    const refused = await failure(openTarget('refused', { boardDirs: dirs() }));
    expect([refused.name, (refused as PortOpenError).reason]).to.deep.equal(['PortOpenError', 'missing']);
  });

  it('finds a serial board\'s port by its match, and says so when it is not connected', async function () {
    const tree = createFakeSerialTree(join(dir, 'fake'), [{ tty: 'ttyACM0', vendorId: '0483', productId: '374b', serialNumber: 'OTHER', devpath: '2' }]);
    const e = await failure(openTarget('example-nucleo', { boardDirs: dirs(), discovery: { ...tree, list: null, platform: 'linux' } }));
    expect(e).to.be.instanceOf(BoardNotConnectedError);
    expect((e as BoardNotConnectedError).seen).to.deep.equal([`${join(tree.devRoot, 'ttyACM0')} 0483:374b serial OTHER usb 1-2 if 0`]);
    // Matched: the fake port is a plain file, so opening it says "other", naming the matched path.
    writeFileSync(join(dir, 'example-nucleo.json'), JSON.stringify({ id: 'example-nucleo', name: 'n', target: 'serial', match: { vendorId: '0483', serialNumber: 'OTHER' }, iodevs: [] }));
    const opened = await failure(openTarget('example-nucleo', { boardDirs: dirs(), discovery: { ...tree, list: null, platform: 'linux' } }));
    expect([opened.name, (opened as PortOpenError).port]).to.deep.equal(['PortOpenError', join(tree.devRoot, 'ttyACM0')]);
  });

  it('an unknown board lists the known ones; a qemu board names its missing image; a port is for serial boards only', async function () {
    const unknown = await failure(openTarget('no-such-board'));
    expect(unknown).to.be.instanceOf(UnknownBoardError);
    expect((unknown as UnknownBoardError).known).to.include.members(['emulator', 'emulator-wire', 'native']);
    write({ id: 'mps2', name: 'QEMU', target: 'qemu', launch: { machine: 'mps2-an385', image: 'agent.elf' }, iodevs: [] });
    const qemu = await failure(openTarget('mps2', { boardDirs: dirs() }));
    expect(qemu.message).to.equal(`firmware image "${join(dir, 'agent.elf')}" does not exist`);
    const port = await failure(openTarget('emulator', { port: '/dev/ttyACM0' }));
    expect(String(port)).to.equal('RangeError: "port" is for serial boards; board "emulator" is "emulator"');
  });

  it('launches a native agent from its board file\'s command and args', async function () {
    await buildNativeAgentOrSkip(this);
    write({ id: 'native-prebuilt', name: 'The native agent, already built', target: 'native', launch: { command: NATIVE_AGENT_BINARY, args: ['--seed', '${seed}'] }, capabilities: ['fault-injection'], iodevs: [] });
    const target = await openTarget('native-prebuilt', { boardDirs: dirs(), seed: 3 });
    try {
      expect((target as RemoteTarget).hello.buildId).to.match(/^rtio-agent-posix/);
      expect(await nop(target)).to.equal(0);
    } finally {
      await target.close();
    }
  });
});
