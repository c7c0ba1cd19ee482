import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { CHECKED_ROOTS, cycles, folderGraph, importGraph } from './import-graph';

const root = join(__dirname, '..');
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);

function run(cmd: string, args: string[]): { code: number; output: string } {
  try {
    const output = execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, output };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('static checks', function () {
  this.timeout(180_000);

  it('typechecks with the strict tsconfig (tsc --noEmit)', function () {
    const r = run(bin('tsc'), ['--noEmit', '-p', '.']);
    expect(r.output, r.output).to.equal('');
    expect(r.code).to.equal(0);
  });

  it('lints clean with no warnings (eslint --max-warnings 0)', function () {
    const r = run(bin('eslint'), ['--max-warnings', '0', '.']);
    expect(r.code, r.output).to.equal(0);
  });

  it('has no import cycle between the folders of harness/ nor between files (npm run check:imports)', function () {
    const files = importGraph(CHECKED_ROOTS);
    expect(cycles(folderGraph(files)), 'folder cycles').to.deep.equal([]);
    expect(cycles(files), 'file cycles').to.deep.equal([]);
  });
});
