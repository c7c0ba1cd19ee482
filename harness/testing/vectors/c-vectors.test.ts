import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { PACKAGE_ROOT } from '../../package-root';
import { skipBecause } from '../index';
import { loadDeviceVectors, loadHashVectors } from './device-vectors';
import { loadExecutorVectors } from './executor-vectors';
import type { VectorRequirement } from './executor-vectors';

/** What the agent's executor lacks, as executor-vectors-test.c skips it (cq-capacity runs there: its ring is the cases' CQ). */
const AGENT_LACKS: readonly VectorRequirement[] = ['cq-overflow', 'callback'];

/** Builds `target` of firmware-stubs/sim/sim.mk into `build` and runs it; returns its output. */
function buildAndRun(build: string, target: string): string {
  const make = spawnSync('make', ['-s', '-C', 'firmware-stubs', '-f', 'sim/sim.mk', `BUILD=${build}`, `NODE=${process.execPath}`,
    join(build, 'sim', target)], { cwd: PACKAGE_ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  expect(make.status, `${make.stdout}${make.stderr}`).to.equal(0);
  const run = spawnSync(join(build, 'sim', target), { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return `${run.stdout}${run.stderr}`;
}

function summary(output: string, name: string): { cases: number; passed: number; failed: number; skipped: number } {
  const m = new RegExp(`^${name}: (\\d+) cases, (\\d+) passed, (\\d+) failed, (\\d+) skipped$`, 'm').exec(output);
  expect(m, `no "${name}: N cases, ..." line in:\n${output}`).to.not.equal(null);
  return { cases: Number(m![1]), passed: Number(m![2]), failed: Number(m![3]), skipped: Number(m![4]) };
}

describe('the shared vectors through the agent\'s C code (firmware-stubs/sim)', function () {
  this.timeout(300_000);
  const build = mkdtempSync(join(tmpdir(), 'rtio-hil-c-vectors-'));
  const toolchain = ['make', 'cc'].filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0);

  beforeEach(function () {
    if (toolchain.length > 0) skipBecause(this, `no ${toolchain.join(' or ')} on PATH to build the C tests`);
  });

  after(() => rmSync(build, { recursive: true, force: true }));
  it('executor-vectors-test runs every case of executor.json through core/executor.c, skipping only what the agent lacks, with its reason', function () {
    const output = buildAndRun(build, 'executor-vectors-test');
    const cases = loadExecutorVectors();
    const lacking = cases.filter((c) => c.requires.some((r) => AGENT_LACKS.includes(r)));
    const s = summary(output, 'executor-vectors');
    expect(s.cases, 'cases the C test knows').to.equal(cases.length);
    expect(s.failed, output).to.equal(0);
    expect(s.skipped, output).to.equal(lacking.length);
    for (const c of lacking) expect(output, `a SKIP line with a reason for ${c.name}`).to.match(new RegExp(`^SKIP ${c.name}: \\S`, 'm'));
    expect(s.passed).to.equal(cases.length - lacking.length);
  });

  it('device-vectors-test passes every case of devices/*.json on the C models', function () {
    const output = buildAndRun(build, 'device-vectors-test');
    const s = summary(output, 'device-vectors');
    const n = loadDeviceVectors().length + loadHashVectors().length;
    expect(s.cases, 'cases the C test knows').to.equal(n);
    expect(s.failed, output).to.equal(0);
    expect(s.passed).to.equal(n);
  });
});
