import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT, runCli } from '../cli/run-cli';
import type { CliRun } from '../cli/run-cli';
import { findAll, parseXml } from '../testing/xml-read';
import type { XmlElement } from '../testing/xml-read';
import { PROTOCOL_VERSION } from '../../protocol/messages';

/** The log line the fixture's device sends (not imported: importing the fixture would register its tests here). */
const FIXTURE_LOG_LINE = 'fixture: temp0 read requested <&> "quoted"';

const FIXTURE = join(REPO_ROOT, 'harness', 'report', 'fixtures', 'injected-reset.fixture.ts');

function child(e: XmlElement, name: string): XmlElement | undefined {
  return e.children.find((c) => c.name === name);
}

function props(e: XmlElement): Record<string, string> {
  return Object.fromEntries((child(e, 'properties')?.children ?? []).map((p) => [p.attrs.name!, p.attrs.value!]));
}

describe('the rtio-hil reporter, on a run with an injected agent reset', function () {
  let dir: string;
  let run: CliRun;
  let root: XmlElement;
  let cases: Map<string, XmlElement>;

  before(async function () {
    this.timeout(120_000);
    dir = mkdtempSync(join(tmpdir(), 'rtio-hil-junit-'));
    run = await runCli(['test', '--board', 'emulator-wire', '--junit', join(dir, 'out', 'junit.xml'), FIXTURE]);
    root = parseXml(readFileSync(join(dir, 'out', 'junit.xml'), 'utf8'));
    cases = new Map(findAll(root, 'testcase').map((c) => [c.attrs.name!, c]));
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 1, a failed assertion, which outranks the infrastructure failures beside it', function () {
    expect(run.code, run.stdout + run.stderr).to.equal(1);
    expect(run.stdout).to.contain('rtio-hil: FAILED: board emulator-wire: 1 test failed\n');
  });

  it('classes the SQE cut off by the reset as an infrastructure error, not a failure', function () {
    const c = cases.get('completes a NOP that was in flight when the agent reset')!;
    expect(child(c, 'failure')).to.equal(undefined);
    const error = child(c, 'error')!;
    expect(error.attrs.type).to.equal('infrastructure');
    expect(error.attrs.message).to.match(/^agent-reset: CQE result -ECONNRESET on board "emulator-wire" after agent reset: emulator-wire boot nonce 0x[0-9a-f]{8} became 0x[0-9a-f]{8}$/);
    expect(error.text).to.contain('the NOP result: expected -104 to equal +0');
    expect(props(c)).to.deep.equal({ 'board.id': 'emulator-wire', 'failure.class': 'infrastructure', 'failure.cause': 'agent-reset' });
  });

  it('classes a later SQE on the dead link as infrastructure too, saying the link had failed before', function () {
    const error = child(cases.get('completes a NOP submitted after the reset')!, 'error')!;
    expect(error.attrs.type).to.equal('infrastructure');
    expect(error.attrs.message).to.match(/\(the link had failed before this test began\)$/);
  });

  it('keeps a wrong assertion a plain failure', function () {
    const c = cases.get('expects a wrong byte count (a driver bug, not the link)')!;
    expect(child(c, 'error')).to.equal(undefined);
    expect(child(c, 'failure')!.attrs).to.deep.equal({ type: 'assertion', message: 'bytes read: expected 4 to equal 5' });
    expect(props(c)['failure.class']).to.equal('assertion');
  });

  it('attaches the device\'s log line to the test during which it arrived, and only to it', function () {
    const out = findAll(root, 'system-out');
    expect(out.map((o) => o.text)).to.deep.equal([`[emulator-wire] <3> ${FIXTURE_LOG_LINE}`]);
    expect(child(cases.get('reads the temperature register while the device logs a line')!, 'system-out')?.text).to.equal(`[emulator-wire] <3> ${FIXTURE_LOG_LINE}`);
  });

  it('gives a skip its reason', function () {
    expect(child(cases.get('needs a capability the board lacks')!, 'skipped')!.attrs).to.deep.equal({ message: 'emulator-wire lacks "virtual-time"' });
  });

  it('carries the board id, agent build and link statistics, with the reset counted, as suite properties', function () {
    const [suite] = findAll(root, 'testsuite');
    expect(suite!.attrs).to.deep.include({ name: 'report fixture on emulator-wire', tests: '5', failures: '1', errors: '2', skipped: '1' });
    const p = props(suite!);
    expect(p).to.deep.include({
      'board.id': 'emulator-wire', 'board.target': 'emulator-wire', 'agent.build': 'ts-agent (emulated reference board)',
      'agent.protocol': String(PROTOCOL_VERSION), 'link.port': 'emulator-wire', 'link.failure': 'AgentResetError', 'link.resets': '1', 'link.crcErrors': '0',
    });
    expect(Number(p['link.framesSent'])).to.be.greaterThan(0);
    expect(p['agent.bootNonce']).to.match(/^0x[0-9a-f]{8}$/);
  });

  it('prints progress, the failure list with the class, and a summary per board', function () {
    const lines = run.stdout.split('\n');
    expect(lines).to.include('    [4/5] 2) completes a NOP that was in flight when the agent reset [infrastructure: agent-reset]');
    expect(lines).to.include('       completes a NOP that was in flight when the agent reset [infrastructure: agent-reset]:');
    const summary = lines.slice(lines.indexOf('Summary by board'));
    expect(summary.slice(0, 4)).to.deep.equal([
      'Summary by board',
      '  emulator-wire (Reference board behind the wire, in process)',
      '    port emulator-wire; agent ts-agent (emulated reference board)',
      '    1 passed, 1 failed, 1 skipped, 2 infrastructure failures',
    ]);
    expect(summary).to.include('    skipped 1: emulator-wire lacks "virtual-time"');
    expect(summary.find((l) => l.startsWith('    link: '))).to.match(/, 1 resets$/);
    expect(summary).to.include('rtio-hil: 1 board: 1 passed, 1 failed, 1 skipped, 2 infrastructure failures');
    expect(summary).to.include(`JUnit report: ${join(dir, 'out', 'junit.xml')}`);
  });
});

describe('the rtio-hil reporter, JUnit path from the environment', function () {
  it('writes the file RTIO_HIL_JUNIT names when --junit is not given', async function () {
    this.timeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), 'rtio-hil-junit-'));
    try {
      const file = join(dir, 'ci.xml');
      const run = await runCli(['test', FIXTURE], { RTIO_HIL_JUNIT: file });
      expect(run.code).to.equal(1);
      const root = parseXml(readFileSync(file, 'utf8'));
      expect(root.attrs).to.deep.include({ tests: '5', failures: '1', errors: '2', skipped: '1' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
