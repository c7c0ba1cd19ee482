import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

const root = join(__dirname, '..');
/** nanopb's generator from Debian's `nanopb` package (run directly: its shebang is Debian's python3). */
const NANOPB_GENERATOR = '/usr/bin/nanopb_generator.py';
const PACKAGES = 'apt-get install -y --no-install-recommends nanopb libnanopb-dev protobuf-compiler';

function summary(output: string, pattern: RegExp): RegExpExecArray {
  const m = pattern.exec(output);
  expect(m, `no line matching ${String(pattern)} in:\n${output}`).to.not.equal(null);
  return m!;
}

describe('the C agent (firmware-stubs): make test', function () {
  this.timeout(600_000);
  let build = '';

  after(function () {
    if (build !== '') rmSync(build, { recursive: true, force: true });
  });

  it('builds from scratch and passes agent-test, messages-test and framing-test', function () {
    if (!existsSync(NANOPB_GENERATOR)) {
      this.test!.title += ` (skipped: ${NANOPB_GENERATOR} is not installed; ${PACKAGES})`;
      this.skip();
    }
    build = mkdtempSync(join(tmpdir(), 'rtio-hil-agent-c-'));
    const r = spawnSync('make', ['-j4', '-C', 'firmware-stubs', 'test', `BUILD=${build}`, `NODE=${process.execPath}`], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = `${r.stdout}${r.stderr}`;
    expect(r.status, output).to.equal(0);

    const agent = summary(output, /agent-test: (\d+) cases, (\d+) checks, (\d+) failures/);
    expect(Number(agent[1]), 'agent-test cases').to.be.greaterThan(0);
    expect(Number(agent[2]), 'agent-test checks').to.be.greaterThan(0);
    expect(Number(agent[3]), output).to.equal(0);

    const vectors = JSON.parse(readFileSync(join(root, 'protocol/vectors/messages.json'), 'utf8')) as {
      cases: unknown[];
      decodeErrors: unknown[];
    };
    const messages = summary(output, /messages-test: (\d+) vector cases, \d+ other checks, (\d+) failures/);
    expect(Number(messages[1]), 'messages.json cases the C test ran').to.equal(vectors.cases.length + vectors.decodeErrors.length);
    expect(Number(messages[2]), output).to.equal(0);

    const framing = summary(output, /framing-test: (\d+) vector cases, \d+ other checks, (\d+) failures/);
    expect(Number(framing[1]), 'framing-test vector cases').to.be.greaterThan(0);
    expect(Number(framing[2]), output).to.equal(0);

    expect(existsSync(join(build, 'rtio-agent-posix')), 'the posix port was built').to.equal(true);
  });
});
