import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { vectorCaseCount } from './test-vectors';

const root = join(__dirname, '..');

function available(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

describe('the agent core (C) against the shared vectors', function () {
  this.timeout(180_000);
  let build = '';

  before(function () {
    if (!available('make') || !available('cc')) this.skip();
    build = mkdtempSync(join(tmpdir(), 'rtio-hil-firmware-stubs-'));
  });

  after(function () {
    if (build !== '') rmSync(build, { recursive: true, force: true });
  });

  it('make -C firmware-stubs test-framing exits 0 after running every vector case', function () {
    const r = spawnSync('make', ['-C', 'firmware-stubs', 'test-framing', `BUILD=${build}`, `NODE=${process.execPath}`], {
      cwd: root,
      encoding: 'utf8',
    });
    const output = `${r.stdout}${r.stderr}`;
    expect(r.status, output).to.equal(0);
    const summary = /framing-test: (\d+) vector cases, \d+ other checks, (\d+) failures/.exec(output);
    expect(summary, output).to.not.equal(null);
    expect(Number(summary?.[1]), 'vector cases the C test ran').to.equal(vectorCaseCount());
    expect(Number(summary?.[2]), output).to.equal(0);
  });
});
