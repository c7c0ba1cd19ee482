import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { validateBoard } from '../boards/board-file';
import { createFakeSerialTree } from '../testing/fake-sysfs';
import type { FakeTree, FakeUsbPort } from '../testing/fake-sysfs';
import { serveSilence, serveTsAgentOverTcp } from '../testing/tcp-agent-server';
import { openSerialTransport } from '../link/serial-transport';
import { skipBecause } from '../report/skip-reason';
import { startAgentProcess } from '../remote/agent-process';
import type { AgentProcess } from '../remote/agent-process';
import { NATIVE_AGENT_BINARY, PrerequisiteMissingError, buildNativeAgent } from '../remote';
import { REPO_ROOT, runCli } from './run-cli';
import { PROTOCOL_VERSION } from '../../protocol/messages';
import { scratchDir } from '../testing/scratch-dir';

/** The ST-LINK of boards/example-nucleo.json, and an FTDI adapter no board file names. */
const NUCLEO: FakeUsbPort = { tty: 'ttyACM0', vendorId: '0483', productId: '374b', serialNumber: '0671FF485550755187121723', manufacturer: 'STMicroelectronics', product: 'STM32 STLink', devpath: '2', interface: 2 };
const FTDI: FakeUsbPort = { tty: 'ttyUSB0', vendorId: '0403', productId: '6001', manufacturer: 'FTDI', product: 'FT232R USB UART', devpath: '1.3', driver: 'usb-serial' };

/** A suite that passes on every board (a skip where virtual time is missing). */
const SMOKE = 'harness/report/fixtures/board-smoke.fixture.ts';

/** Builds the native agent if needed; skips (with the reason) only where its toolchain is missing. */
async function needNative(ctx: Mocha.Context): Promise<void> {
  try {
    await buildNativeAgent();
  } catch (e) {
    if (e instanceof PrerequisiteMissingError) skipBecause(ctx, `the native agent cannot be built here: ${e.message}`);
    throw e;
  }
}

describe('the rtio-hil command', function () {
  this.timeout(60_000);
  const dir = scratchDir('rtio-hil-cli-');

  function tree(ports: readonly FakeUsbPort[]): { tree: FakeTree; env: NodeJS.ProcessEnv } {
    const t = createFakeSerialTree(join(dir(), 'fake'), ports);
    return { tree: t, env: { RTIO_HIL_SYS_ROOT: t.sysRoot, RTIO_HIL_DEV_ROOT: t.devRoot } };
  }

  function board(data: Record<string, unknown>): NodeJS.ProcessEnv {
    writeFileSync(join(dir(), `${String(data.id)}.json`), JSON.stringify({ iodevs: [], ...data }));
    return { RTIO_BOARDS_DIR: dir() };
  }

  describe('help and bad command lines', function () {
    it('prints each subcommand\'s usage with --help, and exits 0', async function () {
      const runs = await Promise.all(['list', 'ping', 'test', 'suggest'].map((c) => runCli([c, '--help'])));
      runs.forEach((r, i) => {
        const cmd = ['list', 'ping', 'test', 'suggest'][i]!;
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout.startsWith(`usage: rtio-hil ${cmd}`), r.stdout).to.equal(true);
      });
      expect(runs[2]!.stdout).to.match(/ known: emulator, emulator-wire, example-labgrid, example-nucleo, example-rfc2217, example-tcp, native, qemu-ast1030-evb, qemu-lm3s6965evb, qemu-mps2-an385\n/);
      for (const r of [runs[1]!, runs[2]!]) expect(r.stdout, 'the exit status rule').to.contain('exit status: 0 passed; 1 the device under test failed');
      const help = await runCli(['help']);
      expect([help.code, help.stdout.split('\n')[0]]).to.deep.equal([0, 'usage: rtio-hil <command> [options]']);
    });

    it('exits 2 with the usage for no command, an unknown command or an unknown option', async function () {
      const [none, unknown, option] = await Promise.all([runCli([]), runCli(['flash']), runCli(['list', '--bogus'])]);
      expect([none.code, none.stderr.split('\n')[0]]).to.deep.equal([2, 'usage: rtio-hil <command> [options]']);
      expect([unknown.code, unknown.stderr.split('\n')[0]]).to.deep.equal([2, 'rtio-hil: unknown command "flash"']);
      expect(option.code).to.equal(2);
      expect(option.stderr).to.match(/^rtio-hil: Unknown option '--bogus'\n\nusage: rtio-hil list/);
    });
  });

  describe('list', function () {
    it('shows each port with what it reports and the board file that matches it, then every board', async function () {
      const { tree: t, env } = tree([NUCLEO, FTDI]);
      const r = await runCli(['list'], env);
      expect(r.code, r.stderr).to.equal(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).to.equal(`Ports (sysfs ${join(t.sysRoot, 'class', 'tty')}; ${join(t.devRoot, 'serial')}):`);
      const acm = lines.indexOf(`  ${join(t.devRoot, 'ttyACM0')} 0483:374b serial 0671FF485550755187121723 usb 1-2 if 2 "STMicroelectronics STM32 STLink"`);
      expect(acm, r.stdout).to.be.greaterThan(0);
      expect(lines.slice(acm + 1, acm + 4)).to.deep.equal([
        `    by-id   ${join(t.devRoot, 'serial', 'by-id', 'usb-STMicroelectronics_STM32_STLink_0671FF485550755187121723-if02')}`,
        `    by-path ${join(t.devRoot, 'serial', 'by-path', 'pci-0000:00:14.0-usb-0:2:1.2')}`,
        '    board:  example-nucleo (ST Nucleo-F401RE with the sensor shield (example))',
      ]);
      expect(lines).to.include(`    board:  none (rtio-hil suggest --port ${join(t.devRoot, 'ttyUSB0')} writes a board file for it)`);
      expect(lines.find((l) => l.startsWith('  example-nucleo'))).to.match(new RegExp(`serial +connected +${join(t.devRoot, 'ttyACM0')}$`));
      expect(lines.find((l) => l.startsWith('  emulator '))).to.match(/emulator +in-process +in process, virtual time$/);
      expect(lines.find((l) => l.startsWith('  native '))).to.match(/native +launched +launches .*build\/firmware-stubs\/rtio-agent-posix$/);
    });

    it('prints the same as JSON with --json', async function () {
      const { tree: t, env } = tree([NUCLEO, FTDI]);
      const r = await runCli(['list', '--json'], env);
      const out = JSON.parse(r.stdout) as { ports: { path: string; boards: string[] }[]; boards: { id: string; status: string }[]; listError: string | null };
      expect(out.ports.map((p) => [p.path, p.boards])).to.deep.equal([[join(t.devRoot, 'ttyACM0'), ['example-nucleo']], [join(t.devRoot, 'ttyUSB0'), []]]);
      expect(out.boards.find((b) => b.id === 'example-nucleo')?.status).to.equal('connected');
      expect(out.listError).to.equal(null);
    });

    it('names an invalid board file, its field and what was expected, and exits 2', async function () {
      const { env } = tree([]);
      const boards = board({ id: 'bench', name: 'Bench', target: 'serial', match: { vendorId: 'zz' } });
      const r = await runCli(['list'], { ...env, ...boards });
      expect(r.code).to.equal(2);
      expect(r.stdout).to.contain(`Invalid board files:\n  ${join(dir(), 'bench.json')}\n    /match/vendorId: expected a string matching ^[0-9a-fA-F]{4}$`);
    });
  });

  describe('ping', function () {
    it('says the emulator runs in process, with its iodev table and NOP round trips', async function () {
      const r = await runCli(['ping']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain('link          none: the emulator runs in this process (no port, no agent)');
      expect(r.stdout).to.contain('iodevs (7):');
      expect(r.stdout).to.contain('  the iodev table matches the board file');
      expect(r.stdout).to.match(/round trip {4}10 NOPs to "test0" in process: median/);
    });

    it('shows the handshake of emulator-wire: protocol, agent build, boot nonce, limits, and the link counters', async function () {
      const r = await runCli(['ping', '--board', 'emulator-wire', '--count', '3']);
      expect(r.code, r.stderr).to.equal(0);
      const lines = r.stdout.split('\n');
      expect(lines).to.include.members([`protocol      ${PROTOCOL_VERSION}`, 'agent         ts-agent (emulated reference board)', '  the iodev table matches the board file']);
      expect(lines.find((l) => l.startsWith('boot nonce'))).to.match(/^boot nonce {4}0x[0-9a-f]{8}$/);
      expect(lines.find((l) => l.startsWith('round trip'))).to.match(/^round trip {4}3 NOPs through the link to the agent's "test0": median/);
      expect(lines.find((l) => l.startsWith('link '))).to.match(/^link {10}\d+ frames sent, \d+ received, 0 CRC errors, 0 retransmits, 0 resets$/);
    });

    it('prints one JSON object with --json, the human lines going to stderr', async function () {
      const r = await runCli(['ping', '--board', 'emulator-wire', '--count', '3', '--json']);
      expect(r.code, r.stderr).to.equal(0);
      const out = JSON.parse(r.stdout) as { board: string; exitStatus: number; hello: { protocolVersion: number }; differences: string[]; roundTrip: { iodev: string; completed: number; error: string | null } };
      expect([out.board, out.exitStatus, out.hello.protocolVersion, out.differences]).to.deep.equal(['emulator-wire', 0, PROTOCOL_VERSION, []]);
      expect(out.roundTrip).to.deep.include({ iodev: 'test0', completed: 3, error: null });
      expect(r.stderr).to.contain(`protocol      ${PROTOCOL_VERSION}`);
    });

    it('pings the native agent, launched from a board file', async function () {
      await needNative(this);
      const env = board({ id: 'native-prebuilt', name: 'Native agent', target: 'native', launch: { command: NATIVE_AGENT_BINARY, args: ['--seed', '${seed}'] }, capabilities: ['fault-injection'] });
      const r = await runCli(['ping', '--board', 'native-prebuilt', '--count', '3'], env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/\nagent {9}rtio-agent-posix/);
      expect(r.stdout).to.match(/\nround trip {4}3 NOPs through the link to the agent's "test0"/);
      expect(r.stdout, 'the board file lists no iodevs').to.contain('  warning: the target has "eeprom0", the board file does not list it');
    });

    it('pings a board behind TCP', async function () {
      const agent = await serveTsAgentOverTcp();
      try {
        const env = board({ id: 'rack', name: 'Rack', target: 'tcp', tcp: { host: '127.0.0.1', port: agent.port } });
        const r = await runCli(['ping', '--board', 'rack', '--count', '2'], env);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.contain(`port          tcp:127.0.0.1:${agent.port}`);
      } finally {
        await agent.close();
      }
    });

    it('lists the boards that exist when the board does not, and exits 2', async function () {
      const r = await runCli(['ping', '--board', 'nucleo-f401']);
      expect([r.code, r.stdout]).to.deep.equal([2, '']);
      expect(r.stderr).to.match(/^rtio-hil: unknown board "nucleo-f401"; known boards: emulator, emulator-wire, example-labgrid, example-nucleo, example-rfc2217, example-tcp, native, qemu-ast1030-evb, qemu-lm3s6965evb, qemu-mps2-an385 \(board files in /);
    });

    it('says within the handshake timeout that the agent did not answer, naming the port', async function () {
      const silent = await serveSilence();
      try {
        const env = board({ id: 'mute', name: 'No agent', target: 'tcp', tcp: { host: '127.0.0.1', port: silent.port }, timeouts: { handshakeMs: 200 } });
        const r = await runCli(['ping', '--board', 'mute'], env);
        expect(r.code, 'an infrastructure failure').to.equal(3);
        expect(r.stderr.split('\n')).to.deep.equal([
          `rtio-hil: handshake timeout: no HelloReply from tcp:127.0.0.1:${silent.port} within 200 ms`,
          '  the port opened but no agent answered: is the rtio-hil agent running on the board, and is the baud rate (/serial/baudRate) right?',
          '',
        ]);
      } finally {
        await silent.close();
      }
    });

    it('says which port cannot be opened and why: gone', async function () {
      const missing = join(dir(), 'ttyACM9');
      const r = await runCli(['ping', '--board', 'example-nucleo', '--port', missing]);
      expect(r.code).to.equal(3);
      expect(r.stderr).to.match(new RegExp(`^rtio-hil: cannot open ${missing}: missing \\(.*\\)\\n  it is gone: unplugged, or re-enumerated under another name`));
    });

    it('says a serial board is not connected, with the ports it saw', async function () {
      const { tree: t, env } = tree([FTDI]);
      const r = await runCli(['ping', '--board', 'example-nucleo'], env);
      expect(r.code).to.equal(3);
      expect(r.stderr).to.contain(`rtio-hil: board "example-nucleo" is not connected: no port matches /match {vendorId 0483, productId 374b, serialNumber 0671FF485550755187121723}; ports found: ${join(t.devRoot, 'ttyUSB0')} 0403:6001`);
    });

    describe('on the native agent\'s pty, as a serial board', function () {
      let agent: AgentProcess | null = null;
      afterEach(async function () {
        await agent?.stop();
        agent = null;
      });

      it('says a port another process holds is busy; once free, pings it and lists where the board file differs', async function () {
        await needNative(this);
        agent = await startAgentProcess(NATIVE_AGENT_BINARY, ['--seed', '1']);
        const holder = await openSerialTransport({ path: agent.path });
        const busy = await runCli(['ping', '--board', 'example-nucleo', '--port', agent.path]);
        await holder.close();
        expect(busy.code).to.equal(3);
        expect(busy.stderr).to.match(new RegExp(`^rtio-hil: cannot open ${agent.path}: busy \\(.*\\)\\n  another process has it open`));
        const ok = await runCli(['ping', '--board', 'example-nucleo', '--port', agent.path, '--count', '2']);
        expect(ok.code, ok.stderr).to.equal(0);
        expect(ok.stdout).to.contain(`port          ${agent.path} (--port)`);
        expect(ok.stdout).to.contain('  warning: "eeprom0" differs (board file vs target): bus i2c1 vs i2c0');
        expect(ok.stdout).to.contain('  warning: the target has "imu0", the board file does not list it');
      });
    });
  });

  describe('suggest', function () {
    it('writes a skeleton for the only port no board file matches, which passes the schema', async function () {
      const { tree: t, env } = tree([NUCLEO, FTDI]);
      const r = await runCli(['suggest'], env);
      expect(r.code, r.stderr).to.equal(0);
      const skeleton = JSON.parse(r.stdout) as Record<string, unknown>;
      expect([skeleton.id, skeleton.target, skeleton.match]).to.deep.equal(['ft232r-usb-uart-1-1-3', 'serial', { vendorId: '0403', productId: '6001' }]);
      expect(String(skeleton.description)).to.contain(`Found on ${join(t.devRoot, 'ttyUSB0')}`);
      validateBoard(skeleton, 'ft232r-usb-uart-1-1-3.json');
    });

    it('asks for --port when several ports have no board file', async function () {
      const { env } = tree([FTDI, { ...FTDI, tty: 'ttyUSB1', devpath: '1.4' }]);
      const r = await runCli(['suggest'], env);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/^rtio-hil: 2 ports have no board file: .*ttyUSB0 .*; .*ttyUSB1 .*; pick one with --port/);
    });

    it('writes a file with --out that list then matches to the port, and will not overwrite it', async function () {
      const { tree: t, env } = tree([FTDI, { ...FTDI, tty: 'ttyUSB1', devpath: '1.4' }]);
      const out = join(dir(), 'rig-2.json');
      const r = await runCli(['suggest', '--port', join(t.devRoot, 'ttyUSB1'), '--name', 'Rig 2', '--out', out], env);
      expect(r.code, r.stderr).to.equal(0);
      const written = JSON.parse(readFileSync(out, 'utf8')) as { id: string; name: string; match: unknown };
      expect([written.id, written.name, written.match]).to.deep.equal(['rig-2', 'Rig 2', { vendorId: '0403', productId: '6001', location: '1-1.4' }]);
      const list = await runCli(['list', '--json'], { ...env, RTIO_BOARDS_DIR: dir() });
      const ports = (JSON.parse(list.stdout) as { ports: { path: string; boards: string[] }[] }).ports;
      expect(ports.map((p) => p.boards)).to.deep.equal([[], ['rig-2']]);
      const again = await runCli(['suggest', '--port', join(t.devRoot, 'ttyUSB1'), '--out', out], env);
      expect([again.code, again.stderr.trim()]).to.deep.equal([1, `rtio-hil: ${out} exists; pass --force to overwrite it`]);
    });

    it('fills the iodev table from the agent with --probe', async function () {
      await needNative(this);
      const agent = await startAgentProcess(NATIVE_AGENT_BINARY, ['--seed', '1']);
      try {
        const r = await runCli(['suggest', '--port', agent.path, '--probe', '--id', 'pty-agent']);
        expect(r.code, r.stderr).to.equal(0);
        const skeleton = JSON.parse(r.stdout) as { serial: { path: string }; iodevs: { name: string }[]; description: string };
        expect(skeleton.serial.path).to.equal(agent.path);
        expect(skeleton.iodevs.map((d) => d.name)).to.deep.equal(['eeprom0', 'temp0', 'imu0', 'flash0', 'gpio0', 'test0', 'rtc0']);
        expect(skeleton.description).to.contain('agent: rtio-agent-posix');
      } finally {
        await agent.stop();
      }
    });
  });

  describe('test', function () {
    /** A user's own suite, in plain JavaScript against the built package: two NOPs and an assertion that fails on purpose. */
    function userSuite(): string {
      const file = join(dir(), 'user.test.js');
      writeFileSync(file, `const assert = require('node:assert/strict');
const { openTarget, Rtio, sqePrepNop } = require(${JSON.stringify(join(REPO_ROOT, 'dist', 'harness', 'index.js'))});
describe('user suite', function () {
  let target;
  before(async function () { target = await openTarget(); });
  after(async function () { await target?.close(); });
  it('first: a NOP on test0 completes with 0', async function () {
    const r = new Rtio({ sqSize: 2, cqSize: 2, clock: target.clock });
    sqePrepNop(r.sqeAcquire(), target.iodev('test0'), 'nop');
    await r.submit(1);
    assert.deepEqual((await r.cqeCopyOut(1)).map((c) => c.result), [0]);
  });
  it('second: fails on purpose', function () { assert.equal(1, 2); });
  it('third: runs on the board RTIO_BOARD names', function () { assert.equal(target.id, process.env.RTIO_BOARD); });
});
`);
      return file;
    }

    /** A board file of the caller's own, in a folder named relative to `dir()`. */
    function ownBoard(): NodeJS.ProcessEnv {
      const boards = join(dir(), 'my-boards');
      mkdirSync(boards);
      const emulator = JSON.parse(readFileSync(join(REPO_ROOT, 'boards', 'emulator.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(boards, 'my-emu.json'), JSON.stringify({ ...emulator, id: 'my-emu', name: 'My emulator' }));
      return { RTIO_BOARDS_DIR: 'my-boards' };
    }

    interface TestJson {
      exitStatus: number;
      boards: { board: string; verdict: string; counts: Record<string, number>; cases: { title: string; status: string; skipReason?: string }[] }[];
    }

    it('runs the suites on every board in parallel, each run seeing only its board, its lines prefixed with it, and ends with a summary per board', async function () {
      const boards = ['emulator', 'emulator-wire'];
      let env: NodeJS.ProcessEnv = {};
      if (existsSync(NATIVE_AGENT_BINARY)) {
        env = board({ id: 'native-prebuilt', name: 'Native agent', target: 'native', launch: { command: NATIVE_AGENT_BINARY, args: ['--seed', '${seed}'] }, capabilities: ['fault-injection'] });
        boards.push('native-prebuilt');
      }
      const r = await runCli(['test', ...boards.flatMap((b) => ['--board', b]), SMOKE], env);
      expect(r.code, r.stdout.slice(-3000)).to.equal(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).to.equal(`rtio-hil: running ${SMOKE} on boards ${boards.join(', ')}`);
      expect(lines.filter((l) => l.startsWith('== board '))).to.deep.equal(boards.map((b, i) => `== board ${b} (${i + 1}/${boards.length})`));
      const width = Math.max(...boards.map((b) => b.length));
      const of = (b: string): string[] => lines.filter((l) => l.startsWith(`${b.padEnd(width)} | `)).map((l) => l.slice(width + 3));
      for (const b of boards) {
        expect(of(b).filter((l) => / tests on /.test(l)), `${b} counts its tests before running`).to.deep.equal([`2 tests on ${b}`]);
        expect(of(b).filter((l) => /^ {2}smoke on /.test(l)), `${b}'s run registers its own board only`).to.deep.equal([`  smoke on ${b}`]);
        const progress = of(b).filter((l) => /^\s+\[\d+\/\d+/.test(l));
        expect(progress, 'a progress line per test').to.have.length(2);
        expect(progress.every((l) => /\[[12]\/2[\] ]/.test(l)), progress.join('\n')).to.equal(true);
      }
      expect(lines.filter((l) => /^rtio-hil: [\w-]+: \d+ passed/.test(l))).to.deep.equal([
        'rtio-hil: emulator: 2 passed, 0 failed, 0 skipped, 0 infrastructure failures',
        ...boards.slice(1).map((b) => `rtio-hil: ${b}: 1 passed, 0 failed, 1 skipped, 0 infrastructure failures`),
      ]);
      expect(of('emulator-wire')).to.include('    skipped 1: target "emulator-wire" lacks "virtual-time"');
      expect(lines.filter((l) => l !== '').pop()).to.equal('rtio-hil: exit status 0 (passed)');
    });

    it('fails a board that cannot run, with its reason and every test it kept from running, as infrastructure: exit 3', async function () {
      const silent = await serveSilence();
      try {
        const qemu = JSON.parse(readFileSync(join(REPO_ROOT, 'boards', 'qemu-lm3s6965evb.json'), 'utf8')) as { launch: Record<string, unknown> };
        writeFileSync(join(dir(), 'agent.elf'), '');
        board({ ...qemu, id: 'no-qemu', launch: { ...qemu.launch, qemu: 'qemu-system-none-such', build: undefined, image: join(dir(), 'agent.elf') } });
        const env = board({ id: 'mute', name: 'No agent', target: 'tcp', tcp: { host: '127.0.0.1', port: silent.port }, timeouts: { handshakeMs: 200 } });
        const junit = join(dir(), 'junit.xml');
        const r = await runCli(['test', '--board', 'no-qemu', '--board', 'mute', '--junit', junit, SMOKE], env);
        expect(r.code, r.stdout.slice(-2000)).to.equal(3);
        const lines = r.stdout.split('\n');
        expect(lines).to.include('no-qemu | rtio-hil: 1 board: 0 passed, 0 failed, 0 skipped, 1 infrastructure failure, 2 not run (a hook failed)');
        expect(lines).to.include('rtio-hil: INFRASTRUCTURE: board no-qemu: 1 infrastructure failure, 2 tests not run');
        expect(lines.filter((l) => l !== '').pop()).to.equal('rtio-hil: exit status 3 (infrastructure failure)');
        const xml = readFileSync(junit, 'utf8');
        expect(xml).to.match(/<error type="infrastructure" message="prerequisite-missing: qemu-system-none-such is not installed \(apt-get install/);
        expect(xml).to.match(/<error type="infrastructure" message="handshake-timeout: handshake timeout: no HelloReply from tcp:127\.0\.0\.1:\d+ within 200 ms">/);
        const notRun = xml.match(/<skipped message="not run: &quot;before all&quot; hook failed: [^"]+"\/>/g) ?? [];
        expect(notRun, 'the tests the failed hooks kept from running').to.have.length(4);
        expect(xml).to.not.contain('(no target)');
      } finally {
        await silent.close();
      }
    });

    it('runs a user\'s suite with their own board file, relative paths taken from their folder; exit 1 when an assertion fails', async function () {
      userSuite();
      const env = ownBoard();
      const r = await runCli(['test', '--board', 'my-emu', '--junit', join('out', 'junit.xml'), '--json', 'user.test.js'], env, dir());
      expect(r.code, r.stderr.slice(-2000)).to.equal(1);
      const out = JSON.parse(r.stdout) as TestJson;
      expect(out.exitStatus).to.equal(1);
      expect(out.boards.map((b) => [b.board, b.verdict, b.counts.passed, b.counts.failed])).to.deep.equal([['my-emu', 'failed', 2, 1]]);
      expect(out.boards[0]!.cases.map((c) => [c.title, c.status])).to.deep.equal([
        ['user suite > first: a NOP on test0 completes with 0', 'passed'],
        ['user suite > second: fails on purpose', 'failed'],
        ['user suite > third: runs on the board RTIO_BOARD names', 'passed'],
      ]);
      expect(r.stderr, 'the progress goes to stderr with --json').to.match(/\[1\/3[^\]]*\] \S+ first/);
      expect(readFileSync(join(dir(), 'out', 'junit.xml'), 'utf8')).to.contain('<property name="board.id" value="my-emu"/>');
    });

    it('passes --grep, --bail and the arguments after -- to mocha', async function () {
      userSuite();
      const env = ownBoard();
      const json = async (...args: string[]): Promise<[number, Record<string, number>]> => {
        const r = await runCli(['test', '--board', 'my-emu', '--json', ...args], env, dir());
        return [r.code, (JSON.parse(r.stdout) as TestJson).boards[0]!.counts];
      };
      const [grep, bail, passthrough] = await Promise.all([json('--grep', 'third', 'user.test.js'), json('--bail', 'user.test.js'), json('user.test.js', '--', '--grep', 'first|third')]);
      expect([grep[0], grep[1].passed, grep[1].failed]).to.deep.equal([0, 1, 0]);
      expect([bail[0], bail[1].passed, bail[1].failed, bail[1].notRun], 'the third test never ran, and is reported so').to.deep.equal([1, 1, 1, 1]);
      expect([passthrough[0], passthrough[1].passed, passthrough[1].failed]).to.deep.equal([0, 2, 0]);
    });

    it('runs a TypeScript suite through the ts-node it finds', async function () {
      writeFileSync(join(dir(), 'typed.test.ts'), "import { strict as assert } from 'node:assert';\ndescribe('typed', function () {\n  it('adds', function () {\n    const n: number = 1 + 1;\n    assert.equal(n, 2);\n  });\n});\n");
      writeFileSync(join(dir(), 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'es2022', types: ['node', 'mocha'] } }));
      const r = await runCli(['test', '--json', 'typed.test.ts'], {}, dir());
      expect(r.code, r.stderr.slice(-2000)).to.equal(0);
      expect((JSON.parse(r.stdout) as TestJson).boards[0]!.counts.passed).to.equal(1);
    });

    it('colours its output only without NO_COLOR', async function () {
      const [colour, plain] = await Promise.all([
        runCli(['test', SMOKE], { FORCE_COLOR: '1' }),
        runCli(['test', SMOKE], { FORCE_COLOR: '1', NO_COLOR: '1' }),
      ]);
      expect([colour.code, plain.code]).to.deep.equal([0, 0]);
      expect(colour.stdout).to.contain('\u001b[');
      expect(plain.stdout).to.not.contain('\u001b[');
    });

    it('exits 2 before running anything for an unknown board or a report it cannot write', async function () {
      const unknown = await runCli(['test', '--board', 'nope']);
      expect(unknown.code).to.equal(2);
      expect(unknown.stderr).to.match(/^rtio-hil: unknown board "nope"; known boards: /);
      writeFileSync(join(dir(), 'file'), '');
      const unwritable = await runCli(['test', '--junit', join(dir(), 'file', 'junit.xml')]);
      expect([unwritable.code, unwritable.stdout]).to.deep.equal([2, '']);
      expect(unwritable.stderr).to.match(new RegExp(`^rtio-hil: cannot write the JUnit report ${join(dir(), 'file', 'junit.xml')}: `));
    });

    it('prints its version', async function () {
      const r = await runCli(['--version']);
      const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
      expect([r.code, r.stdout]).to.deep.equal([0, `${version}\n`]);
    });
  });
});
