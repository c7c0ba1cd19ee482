/**
 * labgrid places through `labgrid-client`: no coordinator can run here, so the tests put a
 * stand-in (./labgrid-client, the documented command line over a JSON state file) first on PATH.
 * `rtio-hil test` reserves and locks the place, the suites open its NetworkSerialPort (ser2net in
 * front of the native agent, as a labgrid exporter serves it), and the place is unlocked and the
 * reservation cancelled after a pass, a failure, a timeout and Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT, runCli } from '../../harness/cli/run-cli';
import { NATIVE_AGENT_BINARY, startAgentProcess } from '../../harness/remote';
import type { AgentProcess } from '../../harness/remote';
import { events, killSuites, recorded, release, startCli, writeHoldingSuite } from './cli-run';
import { boardLike, needSer2netAndNativeAgent } from './farm-fixtures';
import { startSer2net } from './ser2net';
import type { Ser2netProcess } from './ser2net';

/** A suite that passes on every board (harness/cli/cli.test.ts uses it too). */
const SMOKE = join(REPO_ROOT, 'harness', 'report', 'fixtures', 'board-smoke.fixture.ts');
const PLACE = 'nucleo-3';
const COORDINATOR = 'coordinator.test:20408';

interface PlaceState {
  places: Record<string, { resources: Record<string, unknown>[]; acquired: string | null }>;
  reservations: Record<string, { owner: string; place: string; state: string }>;
}

describe('labgrid places, through labgrid-client (a stand-in of its documented command line)', function () {
  this.timeout(120_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const orphans: number[] = [];

  const state = (): PlaceState => JSON.parse(readFileSync(join(dir, 'labgrid.json'), 'utf8')) as PlaceState;
  /** Every labgrid-client call so far, as `<user> <arguments>`, the coordinator option left out. */
  const calls = (): string[] => (existsSync(join(dir, 'labgrid.log')) ? readFileSync(join(dir, 'labgrid.log'), 'utf8').trim().split('\n') : []).map((l) => l.replace(` -x ${COORDINATOR}`, ''));
  const labgrid = (user: string, ...args: string[]): Promise<{ code: number }> => new Promise((resolve) => {
    const child = spawn(join(REPO_ROOT, 'test', 'farm', 'labgrid-client'), args, { env: { ...process.env, ...env, FAKE_LABGRID_USER: user }, stdio: 'ignore' });
    child.on('close', (code) => resolve({ code: code ?? -1 }));
  });

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), `rtio-hil-labgrid-${process.pid}-`));
    env = {
      PATH: `${join(REPO_ROOT, 'test', 'farm')}${delimiter}${process.env.PATH ?? ''}`,
      FAKE_LABGRID_STATE: join(dir, 'labgrid.json'), FAKE_LABGRID_LOG: join(dir, 'labgrid.log'),
      RTIO_BOARDS_DIR: dir, RTIO_HIL_LEASE_DIR: join(dir, 'leases'),
    };
    writeFileSync(join(dir, 'lg-nucleo.json'), JSON.stringify(boardLike('native', { id: 'lg-nucleo', name: 'The native agent in a labgrid place', target: 'labgrid', labgrid: { place: PLACE, coordinator: COORDINATOR } })));
    writePlace(9, null);
  });

  afterEach(function () {
    killSuites(orphans.splice(0));
    rmSync(dir, { recursive: true, force: true });
  });

  function writePlace(port: number, acquired: string | null): void {
    const place = { resources: [{ cls: 'NetworkSerialPort', host: '127.0.0.1', port, speed: 115200 }], acquired };
    writeFileSync(join(dir, 'labgrid.json'), JSON.stringify({ places: { [PLACE]: place }, reservations: {} }));
  }

  describe('with the place\'s serial port served by ser2net in front of the native agent', function () {
    let agent: AgentProcess | null = null;
    let ser2net: Ser2netProcess | null = null;

    before(async function () {
      await needSer2netAndNativeAgent(this);
      agent = await startAgentProcess(NATIVE_AGENT_BINARY, ['--seed', '1']);
      ser2net = await startSer2net({ device: agent.path });
    });

    after(async function () {
      await ser2net?.stop();
      await agent?.stop();
    });

    it('reserves and locks the place, runs the suites on its serial port, and unlocks it and cancels the reservation', async function () {
      writePlace(ser2net!.port, null);
      const junit = join(dir, 'junit.xml');
      const r = await runCli(['test', '--board', 'lg-nucleo', '--junit', junit, SMOKE], env);
      expect(r.code, r.stdout.slice(-3000) + r.stderr).to.equal(0);
      const token = /reservation ([0-9A-F]+)/.exec(r.stdout)?.[1] ?? /\+([0-9A-F]+) lock/.exec(calls().join('\n'))?.[1];
      expect(calls()).to.deep.equal([
        `rtio/ci reserve --wait --shell name=${PLACE}`,
        `rtio/ci -p +${token} lock`,
        `rtio/ci -p ${PLACE} env`,
        `rtio/ci -p ${PLACE} unlock`,
        `rtio/ci cancel-reservation ${token}`,
      ]);
      expect(r.stdout).to.contain(`rtio-hil: lg-nucleo: locked labgrid place ${PLACE}`);
      expect(r.stdout).to.contain(`rtio-hil: lg-nucleo: unlocked labgrid place ${PLACE}`);
      expect([state().places[PLACE]!.acquired, Object.keys(state().reservations)]).to.deep.equal([null, []]);
      const xml = readFileSync(junit, 'utf8');
      expect(xml).to.contain(`<property name="board.unit" value="${PLACE}"/>`);
      expect(xml).to.contain(`<property name="link.port" value="rfc2217:127.0.0.1:${ser2net!.port}"/>`);
      expect(xml).to.contain('<property name="board.target" value="labgrid"/>');
    });

    it('ping opens a place only once it is acquired, and says so otherwise', async function () {
      writePlace(ser2net!.port, null);
      const refused = await runCli(['ping', '--board', 'lg-nucleo'], env);
      expect(refused.code).to.equal(3);
      expect(refused.stderr).to.contain(`rtio-hil: labgrid place "${PLACE}": env failed (exit 1): labgrid-client: error: place ${PLACE} is not acquired`);
      expect((await labgrid('rtio/ci', '-p', PLACE, 'lock')).code).to.equal(0);
      const r = await runCli(['ping', '--board', 'lg-nucleo'], env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`rfc2217:127.0.0.1:${ser2net!.port}`);
    });
  });

  it('waits, saying so, while another user holds the place, and runs once it is free', async function () {
    writePlace(9, 'alice');
    const suite = writeHoldingSuite(dir);
    const cli = startCli(['test', '--board', 'lg-nucleo', suite], { ...env, FARM_RUN: '1' });
    await cli.printed(new RegExp(`rtio-hil: lg-nucleo: waiting for labgrid place ${PLACE} \\(reservation [0-9A-F]+\\)`));
    expect(events(dir), 'nothing runs while alice has the place').to.deep.equal([]);
    expect((await labgrid('alice', '-p', PLACE, 'unlock')).code).to.equal(0);
    orphans.push(await recorded(dir, 'start lg-nucleo 1', cli));
    expect(state().places[PLACE]!.acquired).to.equal('rtio/ci');
    release(dir, 'lg-nucleo', '1');
    expect(await cli.exit, cli.output().slice(-2000)).to.equal(0);
    expect(state().places[PLACE]!.acquired).to.equal(null);
  });

  it('cancels its reservation when interrupted (Ctrl-C) while it waits for the place, and exits 3', async function () {
    writePlace(9, 'alice');
    const cli = startCli(['test', '--board', 'lg-nucleo', SMOKE], env);
    await cli.printed(new RegExp(`rtio-hil: lg-nucleo: waiting for labgrid place ${PLACE} \\(reservation [0-9A-F]+\\)`));
    expect(Object.keys(state().reservations), 'the reservation waits').to.have.length(1);
    cli.child.kill('SIGINT');
    expect(await cli.exit, cli.output().slice(-2000)).to.equal(3);
    expect(cli.output()).to.match(new RegExp(`rtio-hil: INFRASTRUCTURE: board lg-nucleo: labgrid place "${PLACE}": reserve interrupted while waiting for the place \\(reservation [0-9A-F]+ cancelled\\)`));
    expect([state().places[PLACE]!.acquired, Object.keys(state().reservations)]).to.deep.equal(['alice', []]);
    expect(calls().filter((c) => !c.startsWith('alice')).map((c) => c.split(' ')[1])).to.deep.equal(['reserve', 'cancel-reservation']);
  });

  it('gives up after --wait-for-board, cancelling its reservation, as an infrastructure failure', async function () {
    writePlace(9, 'alice');
    const r = await runCli(['test', '--board', 'lg-nucleo', '--wait-for-board', '1', SMOKE], env);
    expect(r.code).to.equal(3);
    expect(r.stdout).to.match(new RegExp(`rtio-hil: INFRASTRUCTURE: board lg-nucleo: labgrid place "${PLACE}": reserve did not get the place within 1 s \\(reservation [0-9A-F]+ cancelled\\)`));
    expect(calls().filter((c) => !c.startsWith('alice')).map((c) => c.split(' ')[1])).to.deep.equal(['reserve', 'cancel-reservation']);
    expect([state().places[PLACE]!.acquired, Object.keys(state().reservations)]).to.deep.equal(['alice', []]);
  });

  it('unlocks the place after a failing suite', async function () {
    const failing = join(dir, 'failing.test.js');
    writeFileSync(failing, "describe('d', function () { it('fails', function () { throw new Error('the driver is wrong'); }); });\n");
    const r = await runCli(['test', '--board', 'lg-nucleo', failing], env);
    expect(r.code).to.equal(1);
    expect(calls().map((c) => c.split(' ')[c.startsWith('rtio/ci -p') ? 3 : 1])).to.deep.equal(['reserve', 'lock', 'unlock', 'cancel-reservation']);
    expect([state().places[PLACE]!.acquired, Object.keys(state().reservations)]).to.deep.equal([null, []]);
  });

  it('unlocks the place when the run is interrupted (Ctrl-C), and exits 3', async function () {
    const suite = writeHoldingSuite(dir);
    const cli = startCli(['test', '--board', 'lg-nucleo', suite], { ...env, FARM_RUN: '1' });
    orphans.push(await recorded(dir, 'start lg-nucleo 1', cli));
    cli.child.kill('SIGINT');
    expect(await cli.exit).to.equal(3);
    expect(cli.output()).to.contain('rtio-hil: SIGINT: stopping the runs and releasing the boards');
    expect(cli.output()).to.contain('rtio-hil: interrupted; every board this run held was released');
    expect(events(dir), 'the suite was stopped').to.deep.equal(['start lg-nucleo 1']);
    expect([state().places[PLACE]!.acquired, Object.keys(state().reservations)]).to.deep.equal([null, []]);
    expect(calls().slice(-2).map((c) => c.split(' ')[c.startsWith('rtio/ci -p') ? 3 : 1])).to.deep.equal(['unlock', 'cancel-reservation']);
  });
});
