/**
 * What one board's run of `rtio-hil test` hands back to the command: its cases and JUnit suites
 * (the reporter writes them as JSON to the file `RTIO_HIL_RESULTS` names), and the verdict the
 * command's exit status follows. Pure, but for reading and writing that file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Classification } from './classify';
import type { JUnitCase, JUnitSuite } from './junit';

/** The environment variable naming the file a run's reporter writes its {@link BoardResults} to. */
export const RESULTS_ENV = 'RTIO_HIL_RESULTS';

/** A finished test case as the reporter keeps it. */
export interface ReportedCase extends JUnitCase {
  /** The board it ran on. */
  readonly boardId: string;
  /** For failures: the class. */
  readonly classification?: Classification;
  /** Suite titles and test title. */
  readonly fullTitle: string;
  /** Set on tests that never ran because a hook of their suite failed. */
  readonly notRun?: boolean;
}

/** How many cases ended which way. `skipped` includes `notRun`. */
export interface ResultCounts {
  readonly passed: number;
  /** Assertion failures: the device, the driver or the test is wrong. */
  readonly failed: number;
  /** Infrastructure failures: the board, the link or the toolchain. */
  readonly infrastructure: number;
  readonly skipped: number;
  /** Tests that never ran because a hook failed (also counted in `skipped`). */
  readonly notRun: number;
}

/** One board's run, as its reporter wrote it. */
export interface BoardResults {
  /** The board (RTIO_BOARD of the run). */
  readonly board: string;
  /** Every case, in the order they ended (hooks that failed included). */
  readonly cases: readonly ReportedCase[];
  /** The JUnit suites of the run. */
  readonly suites: readonly JUnitSuite[];
  /** Wall time of the run, in ms. */
  readonly durationMs: number;
}

/** The counts of `cases`. */
export function countCases(cases: readonly ReportedCase[]): ResultCounts {
  const n = (f: (c: ReportedCase) => boolean): number => cases.filter(f).length;
  return {
    passed: n((c) => c.status === 'passed'),
    failed: n((c) => c.status === 'failed'),
    infrastructure: n((c) => c.status === 'error'),
    skipped: n((c) => c.status === 'skipped'),
    notRun: n((c) => c.notRun === true),
  };
}

/** How a board's run ended, worst first: `'failed'` > `'infrastructure'` > `'passed'`. */
export type Verdict = 'passed' | 'failed' | 'infrastructure';

/**
 * The verdict of one board's run and why: `'failed'` when an assertion failed; else
 * `'infrastructure'` when the board, link or toolchain failed, when the run ended without results
 * (mocha could not load a suite, the process died), or when no test passed (nothing ran is not
 * green); else `'passed'`.
 */
export function boardVerdict(board: string, results: BoardResults | null, exitCode: number | null): { verdict: Verdict; reason: string } {
  if (results === null) return { verdict: 'infrastructure', reason: `board ${board}: the run ended (mocha exit ${exitCode ?? 'signal'}) without results` };
  const c = countCases(results.cases);
  if (c.failed > 0) return { verdict: 'failed', reason: `board ${board}: ${c.failed} test${c.failed === 1 ? '' : 's'} failed` };
  if (c.infrastructure > 0) return { verdict: 'infrastructure', reason: `board ${board}: ${c.infrastructure} infrastructure failure${c.infrastructure === 1 ? '' : 's'}${c.notRun > 0 ? `, ${c.notRun} tests not run` : ''}` };
  if (c.passed === 0) return { verdict: 'infrastructure', reason: `board ${board}: no test passed (${c.skipped} skipped)` };
  return { verdict: 'passed', reason: `board ${board}: ${c.passed} passed` };
}

/** The worst of `verdicts` (`'passed'` for none). */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('failed')) return 'failed';
  if (verdicts.includes('infrastructure')) return 'infrastructure';
  return 'passed';
}

/** Writes `results` to `file` as JSON. */
export function writeResults(file: string, results: BoardResults): void {
  writeFileSync(file, JSON.stringify(results));
}

/** Reads the results a run wrote to `file`, or null when there are none. */
export function readResults(file: string): BoardResults | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BoardResults;
  } catch {
    return null;
  }
}
