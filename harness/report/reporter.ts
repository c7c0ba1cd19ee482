/**
 * The mocha reporter of `rtio-hil test`: a progress line per test (`[n/total]`, the total counted
 * before anything runs, and an estimate of the time left), what opening a target is busy with
 * (builds, QEMU start), failures classed as assertion or infrastructure (harness/report/classify),
 * a summary per board (passed, failed, skipped with reasons, infrastructure failures, link
 * statistics), and, with the `junit=<file>` reporter option or the `RTIO_HIL_JUNIT` environment
 * variable, a JUnit XML file carrying the board id, agent build and link statistics as properties
 * and each test's device log lines as its system-out. Tests a failed hook kept from running are in
 * the report too, as skipped with that reason. With `RTIO_HIL_RESULTS` set it writes the run's
 * cases there as JSON, which `rtio-hil test` reads (harness/report/results). It learns the
 * targets from harness/report/target-registry, where `openTarget()` records them.
 *
 * Use: `mocha --reporter rtio-hil/dist/harness/report/reporter.js --reporter-option junit=build/junit.xml`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Mocha from 'mocha';
import { onTargetProgress } from '../target/progress';
import { classifyFailure } from './classify';
import { JUNIT_ENV, junitXml } from './junit';
import type { JUnitProperty, JUnitSuite } from './junit';
import { RESULTS_ENV, writeResults } from './results';
import type { ReportedCase } from './results';
import type { Classification } from './classify';
import { recordedSkip } from './skip-reason';
import { etaMs, humanMs, progressLine, runBoardId, scopeProperties, summaryLines } from './summary';
import { targetRecords } from '../target/registry';
import type { TargetRecord } from '../target/registry';

/** The environment variable naming the JUnit file when the reporter option does not (from ./junit). */
export { JUNIT_ENV };
export type { ReportedCase };
export { etaMs, humanMs, progressLine, runBoardId, scopeProperties, sumLinkStats, summaryLines, REPORTED_LINK_STATS } from './summary';

const { Base } = Mocha.reporters;
const C = Mocha.Runner.constants;

interface Scope {
  readonly suite: Mocha.Suite;
  readonly name: string;
  readonly file: string | undefined;
  readonly afterSeq: number;
  readonly began: Date;
  readonly cases: ReportedCase[];
  readonly out: string[];
}

interface Running {
  readonly lastErrors: Map<TargetRecord, Error | null>;
}

type Runnable = Mocha.Runnable & { err?: Error | undefined; type?: string | undefined };

/** The rtio-hil mocha reporter (see the module comment). */
export default class RtioHilReporter extends Base {
  /** Every case reported so far, in order. */
  readonly cases: ReportedCase[] = [];
  /** Every suite scope finished so far, as JUnit suites. */
  readonly suites: JUnitSuite[] = [];
  /** Tests that did not run because a hook failed. */
  notRun = 0;
  private scope: Scope | null = null;
  private readonly ended = new Set<Mocha.Runnable>();
  private readonly runBoard = runBoardId();
  private readonly began = Date.now();
  private readonly running = new Map<Mocha.Runnable, Running>();
  private readonly classes = new Map<Mocha.Runnable, Classification>();
  private readonly cursors = new Map<TargetRecord, number>();
  private readonly junitFile: string | null;
  private progress = 0;
  private failed = 0;
  private depth = 0;

  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions = {}) {
    super(runner, options);
    const opt = (options as { reporterOption?: Record<string, unknown> }).reporterOption ?? {};
    const junit = typeof opt.junit === 'string' && opt.junit !== '' ? opt.junit : process.env[JUNIT_ENV];
    this.junitFile = junit === undefined || junit === '' ? null : resolve(junit);
    // mocha counts every registered test before the run; a suite that adds tests from a hook
    // (addIodevConformance) makes the count grow, never shrink.
    const total = (): number => Math.max(runner.total, runner.suite.total(), this.progress);
    const width = (): number => String(total()).length;
    const counter = (step = 1): string => {
      const done = (this.progress += step);
      const eta = etaMs(done, total(), Date.now() - this.began);
      return Base.color('light', `[${String(done).padStart(width())}/${total()}${eta === null ? '' : ` ~${humanMs(eta)} left`}]`);
    };
    const indent = (): string => '  '.repeat(Math.max(0, this.depth));
    const stopProgress = onTargetProgress((p) => {
      const line = progressLine(p);
      if (line !== null) Base.consoleLog(Base.color('light', `${indent()}  ${line}`));
    });

    runner.on(C.EVENT_RUN_BEGIN, () => {
      Base.consoleLog(Base.color('light', `${total()} test${total() === 1 ? '' : 's'} on ${this.runBoard}`));
    });
    runner.on(C.EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.root) return;
      if (suite.parent?.root === true) this.beginScope(suite);
      this.depth++;
      Base.consoleLog(Base.color('suite', `${indent()}${suite.title}`));
    });
    runner.on(C.EVENT_SUITE_END, (suite: Mocha.Suite) => {
      if (suite.root) return;
      this.depth--;
      if (this.scope?.suite === suite) this.endScope();
    });
    runner.on(C.EVENT_TEST_BEGIN, (test: Mocha.Test) => {
      const records = this.records();
      this.drainLogs(records, this.scope?.out ?? null);
      this.running.set(test, { lastErrors: new Map(records.map((r) => [r, r.facts.lastError ?? null])) });
    });
    // Prepended: Base's own handler turns err.actual into a string for its diff.
    runner.prependListener(C.EVENT_TEST_FAIL, (test: Runnable, err: unknown) => {
      const records = this.records();
      const at = this.running.get(test);
      const cls = classifyFailure(err, records.map((r) => ({
        boardId: r.boardId,
        lastError: r.facts.lastError ?? r.openError ?? null,
        lastErrorAtStart: at?.lastErrors.get(r) ?? null,
        openError: r.openError,
      })));
      this.classes.set(test, cls);
    });
    runner.on(C.EVENT_TEST_FAIL, (test: Runnable, err: unknown) => {
      this.failed++;
      const cls = this.classes.get(test);
      const mark = cls?.kind === 'infrastructure' ? Base.color('fail', ` [infrastructure: ${cls.cause ?? 'link'}]`) : '';
      const where = test.type === 'hook' ? Base.color('light', '[hook]') : counter();
      Base.consoleLog(`${indent()}  ${where} ${Base.color('fail', `${this.failed}) ${test.title}`)}${mark}`);
      if (test.type === 'hook') {
        this.addCase(test, 'failed', err);
        if (test.parent !== undefined) this.addNotRun(test, test.parent, err, counter, indent());
      }
    });
    runner.on(C.EVENT_TEST_PASS, (test: Mocha.Test) => {
      const slow = test.duration !== undefined && test.duration > test.slow() / 2 ? Base.color('light', ` (${test.duration}ms)`) : '';
      Base.consoleLog(`${indent()}  ${counter()} ${Base.color('checkmark', Base.symbols.ok)} ${Base.color('pass', test.title)}${slow}`);
    });
    runner.on(C.EVENT_TEST_PENDING, (test: Mocha.Test) => {
      const reason = this.skipReason(test);
      const title = recordedSkip(test)?.title ?? test.title;
      Base.consoleLog(`${indent()}  ${counter()} ${Base.color('pending', `- ${title} (skipped: ${reason})`)}`);
      this.addCase(test, 'skipped', undefined, reason);
    });
    runner.on(C.EVENT_TEST_END, (test: Mocha.Test) => {
      if (test.isPending()) return;
      this.addCase(test, test.state === 'failed' ? 'failed' : 'passed', test.err);
    });
    runner.once(C.EVENT_RUN_END, () => {
      stopProgress();
      this.addNotReached(runner);
      this.finish();
    });
  }

  /**
   * Records the tests the run never reached (it stopped at a failure with `--bail`, or on an error
   * outside any test) as not run, so the report lists every test the run was asked for: those
   * matching `--grep`, read from the runner as mocha keeps it.
   */
  private addNotReached(runner: Mocha.Runner): void {
    const { _grep: grep, _invert: invert } = runner as unknown as { _grep?: RegExp; _invert?: boolean };
    const missing: Mocha.Test[] = [];
    runner.suite.eachTest((t) => {
      if (!this.ended.has(t) && (grep === undefined || grep.test(t.fullTitle()) !== (invert === true))) missing.push(t);
    });
    for (const t of missing) this.addCase(t, 'skipped', undefined, 'not run: the run stopped before it (--bail after a failure, or an error outside any test)', true);
    this.notRun += missing.length;
  }

  /**
   * Records every test under `suite` that has not ended as not run because `hook` failed (mocha
   * runs none of them and reports nothing for them), so the report lists every test.
   */
  private addNotRun(hook: Runnable, suite: Mocha.Suite, err: unknown, counter: (step: number) => string, indent: string): void {
    const message = typeof (err as { message?: unknown })?.message === 'string' ? (err as { message: string }).message.split('\n')[0] : String(err);
    const reason = `not run: ${hook.title.replace(/ for ".*"$/, '')} failed: ${message}`;
    const pending: Mocha.Test[] = [];
    suite.eachTest((t) => {
      if (!this.ended.has(t)) pending.push(t);
    });
    if (pending.length === 0) return;
    for (const t of pending) this.addCase(t, 'skipped', undefined, reason, true);
    this.notRun += pending.length;
    Base.consoleLog(`${indent}  ${counter(pending.length)} ${Base.color('pending', `- ${pending.length} test${pending.length === 1 ? '' : 's'} ${reason}`)}`);
  }

  /** The targets a test in the current scope may have used: those recorded since the scope began. */
  private records(): TargetRecord[] {
    const after = this.scope?.afterSeq ?? 0;
    return targetRecords().filter((r) => r.seq > after);
  }

  private beginScope(suite: Mocha.Suite): void {
    this.scope = {
      suite, name: suite.title, file: suite.file, afterSeq: targetRecords().length, began: new Date(), cases: [], out: [],
    };
  }

  private endScope(): void {
    const scope = this.scope!;
    const records = this.records();
    this.drainLogs(records, scope.out);
    this.suites.push({
      name: scope.name,
      timestamp: scope.began.toISOString().slice(0, 19),
      timeSec: (Date.now() - scope.began.getTime()) / 1000,
      properties: scopeProperties(records, this.runBoard),
      cases: scope.cases,
      ...(scope.out.length === 0 ? {} : { systemOut: scope.out.join('\n') }),
      ...(scope.file === undefined ? {} : { file: scope.file }),
    });
    this.scope = null;
  }

  /** Moves log lines that arrived since the last drain into `into` (or drops them from the cursor's view). */
  private drainLogs(records: readonly TargetRecord[], into: string[] | null): void {
    for (const r of records) {
      const logs = r.facts.logs;
      if (logs === undefined) continue;
      const from = this.cursors.get(r) ?? 0;
      for (const l of logs.slice(from)) into?.push(`[${r.boardId}] <${l.level}> ${l.text}`);
      this.cursors.set(r, logs.length);
    }
  }

  private boardOf(records: readonly TargetRecord[]): string {
    const last = records[records.length - 1];
    return last?.boardId ?? this.runBoard;
  }

  private skipReason(test: Mocha.Test): string {
    const recorded = recordedSkip(test);
    if (recorded !== undefined) return recorded.reason;
    const failedOpen = this.records().find((r) => r.openError !== null);
    if (failedOpen?.openError !== null && failedOpen?.openError !== undefined) return `target "${failedOpen.boardId}" is unavailable: ${failedOpen.openError.message}`;
    return test.fn === undefined ? 'pending (no test body)' : 'skipped (no reason given)';
  }

  private addCase(test: Runnable, status: 'passed' | 'failed' | 'skipped', err: unknown, skipReason?: string, notRun = false): void {
    this.ended.add(test);
    const records = this.records();
    const out: string[] = [];
    if (status !== 'skipped' || this.running.has(test)) this.drainLogs(records, out);
    this.running.delete(test);
    const boardId = this.boardOf(records);
    const cls = status === 'failed' ? this.classes.get(test) ?? classifyFailure(err, []) : undefined;
    const titles = test.titlePath();
    const title = recordedSkip(test)?.title ?? test.title;
    const e = (err ?? {}) as { message?: unknown; stack?: unknown };
    const message = typeof e.message === 'string' ? e.message : String(err);
    const props: JUnitProperty[] = [['board.id', boardId]];
    const unit = records[records.length - 1]?.unit ?? null;
    if (unit !== null) props.push(['board.unit', unit]);
    if (cls !== undefined) {
      props.push(['failure.class', cls.kind]);
      if (cls.cause !== undefined) props.push(['failure.cause', cls.cause]);
    }
    const c: ReportedCase = {
      name: title,
      classname: titles.slice(0, -1).join(' > '),
      fullTitle: [...titles.slice(0, -1), title].join(' > '),
      timeSec: (test.duration ?? 0) / 1000,
      status: cls === undefined ? status : cls.kind === 'infrastructure' ? 'error' : 'failed',
      boardId,
      properties: props,
      ...(cls === undefined ? {} : {
        classification: cls,
        problem: {
          type: cls.kind,
          message: cls.kind === 'infrastructure' ? `${cls.cause ?? 'link'}: ${cls.reason}` : message.split('\n')[0] ?? '',
          body: typeof e.stack === 'string' ? e.stack : message,
        },
      }),
      ...(skipReason === undefined ? {} : { skipReason }),
      ...(out.length === 0 ? {} : { systemOut: out.join('\n') }),
      ...(notRun ? { notRun } : {}),
    };
    this.cases.push(c);
    if (this.scope !== null) this.scope.cases.push(c);
    else this.suites.push({ name: title, timestamp: new Date().toISOString().slice(0, 19), timeSec: c.timeSec, properties: scopeProperties(records, this.runBoard), cases: [c] });
  }

  private finish(): void {
    if (this.scope !== null) this.endScope();
    // The failure list names the class too (the cases above keep the plain titles).
    for (const t of this.failures as Runnable[]) {
      const cls = this.classes.get(t);
      if (cls?.kind === 'infrastructure') t.title = `${t.title} [infrastructure: ${cls.cause ?? 'link'}]`;
    }
    this.epilogue();
    for (const line of summaryLines(this.cases, this.notRun, targetRecords())) Base.consoleLog(line);
    const results = process.env[RESULTS_ENV];
    if (results !== undefined && results !== '') {
      writeResults(results, { board: this.runBoard, cases: this.cases, suites: this.suites, durationMs: Date.now() - this.began });
    }
    if (this.junitFile !== null) {
      try {
        mkdirSync(dirname(this.junitFile), { recursive: true });
        writeFileSync(this.junitFile, junitXml(this.suites));
        Base.consoleLog(`JUnit report: ${this.junitFile}`);
      } catch (e) {
        console.error(`rtio-hil: cannot write the JUnit report ${this.junitFile}: ${(e as Error).message}`);
        process.exitCode = 2;
      }
    }
  }
}
