/**
 * Two real boards from one command: two native agents, each behind its own Debian ser2net (as
 * two exporters would serve them), are two rfc2217 board files; `rtio-hil test --board a --board
 * b` runs the suite on both, one worker each, and writes one JUnit file in which every test names
 * its board and every suite the port it ran through. (test/farm/leases.test.ts proves the two
 * workers run at once and that a second run waits for a leased board.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT, runCli } from '../../harness/cli/run-cli';
import { NATIVE_AGENT_BINARY, startAgentProcess } from '../../harness/remote';
import type { AgentProcess } from '../../harness/remote';
import { parseXml } from '../../harness/testing/xml-read';
import type { XmlElement } from '../../harness/testing/xml-read';
import { boardLike, needSer2netAndNativeAgent } from './farm-fixtures';
import { startSer2net } from './ser2net';
import type { Ser2netProcess } from './ser2net';

const SMOKE = join(REPO_ROOT, 'harness', 'report', 'fixtures', 'board-smoke.fixture.ts');
const BOARDS = ['rack-a', 'rack-b'] as const;

function properties(e: XmlElement): Record<string, string> {
  const props = e.children.find((c) => c.name === 'properties')?.children ?? [];
  return Object.fromEntries(props.map((p) => [p.attrs.name ?? '', p.attrs.value ?? '']));
}

describe('two boards behind two ser2nets, from one rtio-hil test', function () {
  this.timeout(120_000);
  let dir = '';
  const agents: AgentProcess[] = [];
  const servers: Ser2netProcess[] = [];

  before(async function () {
    await needSer2netAndNativeAgent(this);
    dir = mkdtempSync(join(tmpdir(), `rtio-hil-two-boards-${process.pid}-`));
    for (const [i, id] of BOARDS.entries()) {
      const agent = await startAgentProcess(NATIVE_AGENT_BINARY, ['--seed', String(i + 1)]);
      agents.push(agent);
      const ser2net = await startSer2net({ device: agent.path });
      servers.push(ser2net);
      writeFileSync(join(dir, `${id}.json`), JSON.stringify(boardLike('native', { id, name: `Board ${id}`, target: 'rfc2217', rfc2217: { host: '127.0.0.1', port: ser2net.port } })));
    }
  });

  after(async function () {
    for (const s of servers.splice(0)) await s.stop();
    for (const a of agents.splice(0)) await a.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('runs the suite on each board and merges one JUnit file, each test carrying its board id and each suite its port', async function () {
    const junit = join(dir, 'junit.xml');
    const r = await runCli(['test', '--board', BOARDS.join(','), '--junit', junit, SMOKE], { RTIO_BOARDS_DIR: dir, RTIO_HIL_LEASE_DIR: join(dir, 'leases') });
    expect(r.code, r.stdout.slice(-3000) + r.stderr).to.equal(0);
    for (const id of BOARDS) expect(r.stdout).to.match(new RegExp(`^${id} \\| `, 'm'));
    const suites = parseXml(readFileSync(junit, 'utf8')).children.filter((s) => s.name === 'testsuite');
    const seen = suites.map((s) => {
      const props = properties(s);
      const cases = s.children.filter((c) => c.name === 'testcase');
      return { board: props['board.id'], port: props['link.port'], target: props['board.target'], caseBoards: [...new Set(cases.map((c) => properties(c)['board.id']))], passed: cases.filter((c) => c.children.every((x) => x.name === 'properties')).length };
    });
    expect(seen).to.deep.equal(BOARDS.map((id, i) => ({
      board: id, port: `rfc2217:127.0.0.1:${servers[i]!.port}`, target: 'rfc2217', caseBoards: [id], passed: 1,
    })));
  });
});
