/**
 * The package as a user gets it: `npm pack`, installed from the tarball into a scratch project
 * with no TypeScript, ts-node, mocha or chai, then the README's example run as an ES module and as
 * CommonJS, the command run from the project's folder, and the README's mocha suite run by
 * `rtio-hil test` against the user's own board file, after the user installed mocha and chai.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { REPO_ROOT } from '../harness/cli/run-cli';
import { buildNativeAgentOrSkip } from '../harness/testing/qemu-support';

const run = promisify(execFile);

/** The fenced code blocks of the README's "Writing a test" section, in order. */
function readmeExamples(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Writing a test'), readme.indexOf('\n## ', readme.indexOf('## Writing a test') + 1));
  return [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The ES module example as CommonJS: its import as a require, its body in an async function. */
function asCommonJs(esm: string): string {
  const body = esm.replace(/^import \{([^}]+)\} from '([^']+)';$/m, "const {$1} = require('$2');");
  return `'use strict';\n(async () => {\n${body}\n})().catch((e) => { console.error(e); process.exitCode = 1; });\n`;
}

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

async function exec(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Exec> {
  const base = { ...process.env };
  for (const k of ['RTIO_BOARD', 'RTIO_BOARDS_DIR', 'RTIO_HIL_JUNIT', 'NODE_OPTIONS', 'TS_NODE_PROJECT']) delete base[k];
  try {
    const r = await run(cmd, [...args], { cwd, env: { ...base, ...env, FORCE_COLOR: '0' }, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('the packed package, installed into a project of its own', function () {
  this.timeout(300_000);
  let dir: string;
  let project: string;
  let files: string[];
  const npm = (args: readonly string[], cwd: string): Promise<Exec> => exec('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], cwd);

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'rtio-hil-pack-'));
    const pack = await npm(['pack', '--json', '--pack-destination', dir], REPO_ROOT);
    expect(pack.code, pack.stderr).to.equal(0);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    files = info!.files.map((f) => f.path);
    project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'bench-tests', version: '1.0.0', private: true }));
    const install = await npm(['install', join(dir, info!.filename)], project);
    expect(install.code, install.stderr).to.equal(0);
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the built JavaScript, declarations, board files, firmware sources and compiled suites, and no tests or TypeScript sources', function () {
    expect(files).to.include.members([
      'dist/harness/index.js', 'dist/harness/index.mjs', 'dist/harness/index.d.ts', 'dist/harness/index.d.mts',
      'dist/harness/testing/index.js', 'dist/harness/cli/bin.js', 'dist/protocol/generated/rtio-pb.js', 'dist/protocol/generated/rtio-pb.d.ts',
      'dist/suites/rtio-api/rtio-api.test.js', 'dist/suites/conformance/conformance.test.js', 'dist/harness/report/reporter.js',
      'boards/native.json', 'boards/board.schema.json', 'firmware-stubs/Makefile', 'firmware-stubs/core/agent.c', 'protocol/rtio.proto',
      'bin/rtio-hil', 'README.md', 'package.json',
    ]);
    const sources = files.filter((f) => /\.[cm]?ts$/.test(f) && !/\.d\.[cm]?ts$/.test(f));
    expect(sources, 'TypeScript sources').to.deep.equal([]);
    const unitTests = files.filter((f) => /\.test\./.test(f) && !f.startsWith('dist/suites/'));
    expect(unitTests, 'unit tests').to.deep.equal([]);
    expect(files.filter((f) => f.includes('fixtures/') || f.startsWith('test/') || f.startsWith('bench/')), 'test fixtures, tests, benchmarks').to.deep.equal([]);
  });

  it('installs without a TypeScript compiler, ts-node, mocha or chai', function () {
    const installed = readdirSync(join(project, 'node_modules'));
    expect(installed).to.include('rtio-hil');
    expect(installed.filter((n) => ['typescript', 'ts-node', 'tsx', 'mocha', 'chai'].includes(n))).to.deep.equal([]);
  });

  it('runs the README\'s example as an ES module and as CommonJS', async function () {
    const [example] = readmeExamples();
    writeFileSync(join(project, 'example.mjs'), example!);
    writeFileSync(join(project, 'example.cjs'), asCommonJs(example!));
    const [esm, cjs] = await Promise.all([exec('node', ['example.mjs'], project), exec('node', ['example.cjs'], project)]);
    expect([esm.code, esm.stdout], esm.stderr).to.deep.equal([0, 'write 2\nread 32\n']);
    expect([cjs.code, cjs.stdout], cjs.stderr).to.deep.equal([0, 'write 2\nread 32\n']);
  });

  it('runs the command from the project: --version, --help, list', async function () {
    const bin = join(project, 'node_modules', '.bin', 'rtio-hil');
    const [version, help, list] = await Promise.all([exec(bin, ['--version'], project), exec(bin, ['--help'], project), exec(bin, ['list', '--json'], project)]);
    const { version: v } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect([version.code, version.stdout]).to.deep.equal([0, `${v}\n`]);
    expect([help.code, help.stdout.split('\n')[0]]).to.deep.equal([0, 'usage: rtio-hil <command> [options]']);
    expect(list.code, list.stderr).to.equal(0);
    expect((JSON.parse(list.stdout) as { boards: { id: string }[] }).boards.map((b) => b.id)).to.include.members(['emulator', 'native', 'qemu-lm3s6965evb']);
  });

  describe('with the user\'s mocha and chai installed', function () {
    before(async function () {
      const { peerDependencies } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
      const install = await npm(['install', '--save-dev', ...Object.entries(peerDependencies).map(([n, v]) => `${n}@${v}`)], project);
      expect(install.code, install.stderr).to.equal(0);
    });

    it('gives the same module instances to import and require (one registry of targets)', async function () {
      const probe = "import { createRequire } from 'node:module'; import * as esm from 'rtio-hil'; import * as testing from 'rtio-hil/testing';"
        + " const cjs = createRequire(import.meta.url)('rtio-hil'); const names = Object.keys(cjs).filter((k) => k !== '__esModule');"
        + " console.log(names.length > 100, names.every((k) => esm[k] === cjs[k]), typeof testing.skipBecause, typeof testing.registerTarget);";
      const r = await exec('node', ['--input-type=module', '-e', probe], project);
      expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, 'true true function function\n', '']);
    });

    it('runs the README\'s suite on the user\'s own board file, paths relative to their folder', async function () {
      const [, suite] = readmeExamples();
      mkdirSync(join(project, 'test'), { recursive: true });
      writeFileSync(join(project, 'test', 'eeprom.test.mjs'), suite!);
      mkdirSync(join(project, 'boards'), { recursive: true });
      const emulator = JSON.parse(readFileSync(join(REPO_ROOT, 'boards', 'emulator.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(project, 'boards', 'my-bench.json'), JSON.stringify({ ...emulator, id: 'my-bench', name: 'My bench' }));
      const r = await exec('npx', ['rtio-hil', 'test', '--board', 'my-bench', '--board', 'emulator-wire', '--junit', 'out/junit.xml', 'test'], project, { RTIO_BOARDS_DIR: 'boards' });
      expect(r.code, r.stdout.slice(-2000) + r.stderr).to.equal(0);
      expect(r.stdout, r.stdout).to.contain('    [1/1] ✔ has an EEPROM');
      expect(r.stdout).to.contain('rtio-hil: my-bench: 1 passed, 0 failed, 0 skipped, 0 infrastructure failures');
      expect(r.stdout).to.contain('rtio-hil: emulator-wire: 1 passed, 0 failed, 0 skipped, 0 infrastructure failures');
      const junit = readFileSync(join(project, 'out', 'junit.xml'), 'utf8');
      expect(junit.match(/<testcase /g)).to.have.length(2);
      expect(junit).to.contain('<property name="board.id" value="my-bench"/>');
    });

    it('runs rtio-hil\'s own compiled suites, by name, on the emulator', async function () {
      const r = await exec('npx', ['rtio-hil', 'test', '--json', 'rtio-api'], project);
      expect(r.code, r.stderr.slice(-2000)).to.equal(0);
      const out = JSON.parse(r.stdout) as { boards: { board: string; counts: { passed: number; failed: number } }[] };
      expect(out.boards.map((b) => [b.board, b.counts.failed])).to.deep.equal([['emulator', 0]]);
      expect(out.boards[0]!.counts.passed).to.be.greaterThan(50);
    });

    it('builds and pings the native agent from the firmware sources it ships', async function () {
      await buildNativeAgentOrSkip(this);
      // The repository's nanopb runtime, fetched once from Debian's source package, saves a second fetch.
      cpSync(join(REPO_ROOT, 'build', 'nanopb'), join(project, 'node_modules', 'rtio-hil', 'build', 'nanopb'), { recursive: true });
      const r = await exec('npx', ['rtio-hil', 'ping', '--board', 'native', '--count', '3', '--json'], project);
      expect(r.code, r.stderr.slice(-2000)).to.equal(0);
      const out = JSON.parse(r.stdout) as { hello: { buildId: string }; roundTrip: { completed: number } };
      expect(out.hello.buildId).to.match(/^rtio-agent-posix /);
      expect(out.roundTrip.completed).to.equal(3);
    });
  });
});
