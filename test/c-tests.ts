/**
 * The C tests (firmware-stubs/tests/check.h) as mocha tests: `make` runs the C test programs, each
 * prints one line per test, and {@link describeCTests} turns every line into a mocha test of its
 * own, so a failed C test fails by name with its FAIL lines, and a skipped one is a mocha skip with
 * its reason. Test support only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Mocha from 'mocha';
import { skipBecause } from '../harness/report/skip-reason';

/** The repository's root. */
export const ROOT = join(__dirname, '..');

/** What one C test ended as, from its `ok` / `not ok` line. */
export type CTestOutcome = 'passed' | 'failed' | 'skipped';

/** One C test. */
export interface CTestResult {
  /** The program's suite name, as given to check_run(): `agent-test`, `sim-drivers`. */
  readonly suite: string;
  /** The test's name in its suite. */
  readonly test: string;
  readonly outcome: CTestOutcome;
  /** Why it skipped (SKIP's argument); only for `skipped`. */
  readonly reason?: string;
  /** Its failed checks: each FAIL line with the lines after it that start with a space. */
  readonly failures: readonly string[];
}

/** One program's closing lines. */
export interface CSuiteSummary {
  readonly suite: string;
  readonly tests: number;
  readonly checks: number;
  /** protocol/vectors/ cases the program ran (0 when it reports none). */
  readonly vectorCases: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** Everything C test programs printed, read. */
export interface CTestReport {
  readonly results: readonly CTestResult[];
  readonly summaries: readonly CSuiteSummary[];
}

const RESULT = /^(ok|not ok) (.+?): (.+?)(?: # SKIP (.*))?$/;
const COUNTS = /^(.+?): (\d+) tests, (\d+) checks(?:, (\d+) vector cases)?$/;
const CLOSING = /^(.+?): (\d+) passed, (\d+) failed, (\d+) skipped$/;
const FAIL_LINE = /^FAIL \S+:\d+ \[(.*?)\] /;

/**
 * Reads the output of C test programs (any number, with make's own lines between them): the result
 * line of every test, the FAIL lines before it, and every program's summary.
 */
export function parseCTestOutput(output: string): CTestReport {
  const results: CTestResult[] = [];
  const summaries: CSuiteSummary[] = [];
  const counts = new Map<string, { tests: number; checks: number; vectorCases: number }>();
  let failures: string[] = [];
  let inFailure = false;
  for (const line of output.split('\n')) {
    if (inFailure && line.startsWith(' ')) {
      failures[failures.length - 1] += `\n${line}`;
      continue;
    }
    inFailure = false;
    if (FAIL_LINE.test(line)) {
      failures.push(line);
      inFailure = true;
      continue;
    }
    const r = RESULT.exec(line);
    if (r !== null) {
      const skipped = r[4] !== undefined;
      const outcome: CTestOutcome = r[1] === 'not ok' ? 'failed' : skipped ? 'skipped' : 'passed';
      results.push({ suite: r[2]!, test: r[3]!, outcome, ...(skipped ? { reason: r[4]! } : {}), failures });
      failures = [];
      continue;
    }
    const c = COUNTS.exec(line);
    if (c !== null) {
      counts.set(c[1]!, { tests: Number(c[2]), checks: Number(c[3]), vectorCases: Number(c[4] ?? 0) });
      continue;
    }
    const s = CLOSING.exec(line);
    if (s !== null) {
      const n = counts.get(s[1]!) ?? { tests: 0, checks: 0, vectorCases: 0 };
      summaries.push({ suite: s[1]!, ...n, passed: Number(s[2]), failed: Number(s[3]), skipped: Number(s[4]) });
    }
  }
  return { results, summaries };
}

/** The mocha test of one C test: passes, fails naming it and its FAIL lines, or skips with its reason. */
export function cTestAsMocha(result: CTestResult): Mocha.Test {
  return new Mocha.Test(`${result.suite}: ${result.test}`, function (this: Mocha.Context) {
    if (result.outcome === 'skipped') skipBecause(this, `the C test ${result.suite}: ${result.test} skipped: ${result.reason ?? ''}`);
    if (result.outcome === 'failed') {
      const detail = result.failures.length === 0 ? '' : `:\n${result.failures.join('\n')}`;
      throw new Error(`the C test ${result.suite}: ${result.test} failed${detail}`);
    }
  });
}

/** How {@link describeCTests} runs make. */
export interface CTestRun {
  /** make's targets, e.g. `['test']`. */
  readonly targets: readonly string[];
  /** Why the programs cannot be built here, or null when they can. Default: make and cc present. */
  readonly missing?: () => string | null;
  /** The suites (check_run names) the run must report, each with its closing line. */
  readonly suites: readonly string[];
  /** More assertions on the run: vector counts, what else make built. */
  readonly verify?: (report: CTestReport, output: string, build: string) => void;
}

function available(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Null when make and cc are there to build C tests, else what is missing. */
export function makeAndCc(): string | null {
  return available('make') && available('cc') ? null : 'make and cc are needed to build the C tests';
}

/**
 * A mocha suite for C test programs: its before hook runs `make -C firmware-stubs <targets>` into
 * a scratch build folder; its first test checks that make exited 0 and that every suite reported
 * its closing line (plus `verify`); then one mocha test per C test follows.
 */
export function describeCTests(title: string, run: CTestRun): void {
  describe(title, function () {
    this.timeout(600_000);
    let build = '';
    let missing: string | null = null;
    let status: number | null = null;
    let output = '';
    let report: CTestReport = { results: [], summaries: [] };

    before(function () {
      missing = (run.missing ?? makeAndCc)();
      if (missing !== null) return;
      build = mkdtempSync(join(tmpdir(), 'rtio-hil-c-tests-'));
      const r = spawnSync('make', ['-j2', '-C', 'firmware-stubs', ...run.targets, `BUILD=${build}`, `NODE=${process.execPath}`], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      status = r.status;
      output = `${r.stdout}${r.stderr}`;
      report = parseCTestOutput(output);
      for (const result of report.results) this.test!.parent!.addTest(cTestAsMocha(result));
    });

    after(function () {
      if (build !== '') rmSync(build, { recursive: true, force: true });
    });

    it(`make ${run.targets.join(' ')} builds and runs every program to its closing line`, function () {
      if (missing !== null) skipBecause(this, missing);
      expect(status, output).to.equal(0);
      const programs = output.split('\n').filter((line) => line.startsWith('== ')).length;
      expect(report.summaries.length, `closing lines, for ${programs} programs, in:\n${output}`).to.be.at.least(Math.max(programs, 1));
      for (const suite of run.suites) {
        const summary = report.summaries.find((s) => s.suite === suite);
        expect(summary, `no closing line from ${suite} in:\n${output}`).to.not.equal(undefined);
        expect(summary!.tests, `${suite}'s tests`).to.be.greaterThan(0);
        expect(summary!.passed + summary!.failed + summary!.skipped, `${suite}'s results`).to.equal(summary!.tests);
        expect(report.results.filter((r) => r.suite === suite).length, `${suite}'s result lines`).to.equal(summary!.tests);
      }
      run.verify?.(report, output, build);
    });
  });
}
