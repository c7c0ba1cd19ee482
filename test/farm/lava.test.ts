/**
 * Inside a LAVA docker test action: with LAVA's variables set as its docker test shell sets them,
 * a bench board file (a serial board matched by USB ids, with a reset sequence) runs unchanged
 * through LAVA's connection command (telnet to ser2net in front of the native agent), is reset
 * with LAVA's hard-reset command (here the agent's reset button, SIGUSR1) and reported with
 * LAVA's board id.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT, runCli } from '../../harness/cli/run-cli';
import { HostLink } from '../../harness/link/host';
import { openRfc2217Transport } from '../../harness/link/rfc2217-transport';
import { NATIVE_AGENT_BINARY, startAgentProcess } from '../../harness/remote';
import type { AgentProcess } from '../../harness/remote';
import { boardLike, needSer2netAndNativeAgent } from './farm-fixtures';
import { startSer2net } from './ser2net';
import type { Ser2netProcess } from './ser2net';

const SMOKE = join(REPO_ROOT, 'harness', 'report', 'fixtures', 'board-smoke.fixture.ts');
const BOARD_ID = '0671FF485550755187121723';

describe('in a LAVA docker test action, a bench board file runs unchanged', function () {
  this.timeout(60_000);
  let dir: string;
  let agent: AgentProcess | null = null;
  let ser2net: Ser2netProcess | null = null;

  before(async function () {
    await needSer2netAndNativeAgent(this);
    dir = mkdtempSync(join(tmpdir(), `rtio-hil-lava-${process.pid}-`));
    agent = await startAgentProcess(NATIVE_AGENT_BINARY, ['--seed', '1']);
    ser2net = await startSer2net({ device: agent.path });
    // The bench's file: a USB board with a reset sequence. Nothing in it knows about LAVA.
    const bench = boardLike('native', { name: 'Nucleo on the bench', target: 'serial', match: { vendorId: '0483', productId: '374b', serialNumber: BOARD_ID } });
    writeFileSync(join(dir, 'bench-nucleo.json'), JSON.stringify({ ...bench, id: 'bench-nucleo', serial: { resetSequence: [{ dtr: false, rts: true }, { waitMs: 10 }, { rts: false }] } }));
    writeFileSync(join(dir, 'bench-nucleo-no-reset.json'), JSON.stringify({ ...bench, id: 'bench-nucleo-no-reset' }));
  });

  after(async function () {
    await ser2net?.stop();
    await agent?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** LAVA's variables for this device, as its docker test shell exports them. */
  function lava(): NodeJS.ProcessEnv {
    return {
      RTIO_BOARDS_DIR: dir, RTIO_HIL_LEASE_DIR: join(dir, 'leases'),
      LAVA_CONNECTION_COMMAND: `telnet 127.0.0.1 ${ser2net!.port}`,
      LAVA_CONNECTION_COMMAND_UART0: `telnet 127.0.0.1 ${ser2net!.port}`,
      LAVA_HARD_RESET_COMMAND: `kill -USR1 ${agent!.pid} && echo reset >> ${join(dir, 'resets')}`,
      LAVA_POWER_OFF_COMMAND: 'false',
      LAVA_BOARD_ID: BOARD_ID,
    };
  }

  async function bootNonce(): Promise<number> {
    const link = new HostLink(await openRfc2217Transport({ host: '127.0.0.1', port: ser2net!.port }));
    const hello = await link.open();
    await link.close();
    return hello.bootNonce;
  }

  it('connects through LAVA_CONNECTION_COMMAND, resets with LAVA_HARD_RESET_COMMAND and reports LAVA_BOARD_ID', async function () {
    const before = await bootNonce();
    const junit = join(dir, 'junit.xml');
    const r = await runCli(['test', '--board', 'bench-nucleo', '--junit', junit, SMOKE], lava());
    expect(r.code, r.stdout.slice(-3000) + r.stderr).to.equal(0);
    expect(readFileSync(join(dir, 'resets'), 'utf8'), 'the hard reset ran once, for the one open').to.equal('reset\n');
    expect(r.stdout).to.contain(`resetting the board (LAVA_HARD_RESET_COMMAND: kill -USR1 ${agent!.pid}`);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).to.contain(`<property name="board.unit" value="${BOARD_ID}"/>`);
    expect(xml).to.contain(`<property name="link.port" value="rfc2217:127.0.0.1:${ser2net!.port}"/>`);
    expect(xml).to.contain('<property name="board.target" value="serial"/>');
    const nonce = /<property name="agent.bootNonce" value="0x([0-9a-f]+)"\/>/.exec(xml)?.[1];
    expect(parseInt(nonce!, 16), 'the agent the suite ran on had been reset').to.not.equal(before);
    expect(await bootNonce()).to.equal(parseInt(nonce!, 16));
  });

  it('runs no hard reset for a board file without a reset sequence', async function () {
    rmSync(join(dir, 'resets'), { force: true });
    const r = await runCli(['test', '--board', 'bench-nucleo-no-reset', SMOKE], lava());
    expect(r.code, r.stdout.slice(-3000)).to.equal(0);
    expect(existsSync(join(dir, 'resets'))).to.equal(false);
  });

  it('names a connection command it cannot use, as an infrastructure failure', async function () {
    const r = await runCli(['test', '--board', 'bench-nucleo', SMOKE], { ...lava(), LAVA_CONNECTION_COMMAND: 'picocom -b 115200 /dev/ttyUSB0' });
    expect(r.code).to.equal(3);
    expect(r.stdout).to.contain('LAVA LAVA_CONNECTION_COMMAND: cannot connect through "picocom -b 115200 /dev/ttyUSB0"');
  });
});
