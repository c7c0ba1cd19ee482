import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type Mocha from 'mocha';
import { ROOT, cTestAsMocha, makeAndCc, parseCTestOutput } from './c-tests';
import { recordedSkip, skipBecause } from '../harness/report/skip-reason';

describe('C test output (tests/check.h) read as mocha tests', function () {
  it('reads results, the FAIL lines before them, skip reasons and each program\'s summary', function () {
    const report = parseCTestOutput([
      '== build/agent-test',
      'agent: sizeof(struct agent) = 17616 bytes',
      'ok agent-test: handshake',
      'FAIL tests/agent-test.c:12 [nop] h.n_cqes == 1u: 2 CQEs',
      'FAIL tests/agent-test.c:13 [nop] same(data)',
      '  got  01 02',
      ' want 01 03',
      'not ok agent-test: nop',
      'ok agent-test: delay, await, cancel # SKIP no AWAIT here',
      'agent-test: 3 tests, 40 checks',
      'agent-test: 1 passed, 1 failed, 1 skipped',
      '== build/sim/models-sparse-test',
      'ok sim-models (sparse flash): test_nor_sparse',
      'sim-models (sparse flash): 1 tests, 3 checks, 7 vector cases',
      'sim-models (sparse flash): 1 passed, 0 failed, 0 skipped',
    ].join('\n'));
    expect(report.results).to.deep.equal([
      { suite: 'agent-test', test: 'handshake', outcome: 'passed', failures: [] },
      {
        suite: 'agent-test',
        test: 'nop',
        outcome: 'failed',
        failures: ['FAIL tests/agent-test.c:12 [nop] h.n_cqes == 1u: 2 CQEs', 'FAIL tests/agent-test.c:13 [nop] same(data)\n  got  01 02\n want 01 03'],
      },
      { suite: 'agent-test', test: 'delay, await, cancel', outcome: 'skipped', reason: 'no AWAIT here', failures: [] },
      { suite: 'sim-models (sparse flash)', test: 'test_nor_sparse', outcome: 'passed', failures: [] },
    ]);
    expect(report.summaries).to.deep.equal([
      { suite: 'agent-test', tests: 3, checks: 40, vectorCases: 0, passed: 1, failed: 1, skipped: 1 },
      { suite: 'sim-models (sparse flash)', tests: 1, checks: 3, vectorCases: 7, passed: 1, failed: 0, skipped: 0 },
    ]);
  });

  it('makes a failed C test a mocha failure naming it and its FAIL lines, a skipped one a skip with its reason', function () {
    const failed = cTestAsMocha({ suite: 'agent-test', test: 'nop', outcome: 'failed', failures: ['FAIL t.c:1 [nop] a == b: 1 != 2'] });
    expect(failed.title).to.equal('agent-test: nop');
    expect(() => failed.fn!.call({} as Mocha.Context, () => undefined)).to.throw('the C test agent-test: nop failed:\nFAIL t.c:1 [nop] a == b: 1 != 2');

    const skipped = cTestAsMocha({ suite: 'sim-rtc', test: 'test_alarm', outcome: 'skipped', reason: 'no alarm pin', failures: [] });
    const ctx = { test: skipped, skip: (): never => { throw new Error('mocha skip'); } } as unknown as Mocha.Context;
    expect(() => skipped.fn!.call(ctx, () => undefined)).to.throw('mocha skip');
    expect(recordedSkip(skipped)?.reason).to.equal('the C test sim-rtc: test_alarm skipped: no alarm pin');

    const passed = cTestAsMocha({ suite: 'sim-rtc', test: 'test_time', outcome: 'passed', failures: [] });
    expect(() => passed.fn!.call({} as Mocha.Context, () => undefined)).to.not.throw();
  });

  it('reads what the C harness prints for tests that pass, fail, skip, and fail before skipping', function () {
    this.timeout(120_000);
    const missing = makeAndCc();
    if (missing !== null) skipBecause(this, missing);
    const build = mkdtempSync(join(tmpdir(), 'rtio-hil-check-selftest-'));
    try {
      const made = spawnSync('make', ['-C', 'firmware-stubs', 'check-selftest', `BUILD=${build}`], { cwd: ROOT, encoding: 'utf8' });
      expect(made.status, `${made.stdout}${made.stderr}`).to.equal(0);
      const r = spawnSync(join(build, 'check-selftest'), { encoding: 'utf8' });
      expect(r.status, 'a failed C test fails its program').to.equal(1);
      const report = parseCTestOutput(r.stdout);
      expect(report.results.map((t) => [t.test, t.outcome, t.reason ?? null, t.failures.length])).to.deep.equal([
        ['passes', 'passed', null, 0],
        ['fails', 'failed', null, 1],
        ['skips_from_a_helper', 'skipped', 'no such hardware here', 0],
        ['fails_then_skips', 'failed', null, 1],
      ]);
      expect(report.results[1]!.failures[0]).to.match(/^FAIL tests\/check-selftest\.c:\d+ \[fails\] n == 2: n is 3$/);
      expect(report.summaries).to.deep.equal([
        { suite: 'check-selftest', tests: 4, checks: 8, vectorCases: 1, passed: 1, failed: 2, skipped: 1 },
      ]);
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
  });
});
