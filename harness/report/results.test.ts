import { expect } from 'chai';
import { boardVerdict, countCases, worstVerdict } from './results';
import type { BoardResults, ReportedCase } from './results';

function run(...statuses: (ReportedCase['status'] | 'not-run')[]): BoardResults {
  const cases = statuses.map((s, i): ReportedCase => ({
    name: `t${i}`, classname: 's', fullTitle: `s > t${i}`, timeSec: 0, boardId: 'b',
    status: s === 'not-run' ? 'skipped' : s, ...(s === 'not-run' ? { notRun: true, skipReason: 'not run: "before all" hook failed: x' } : {}),
  }));
  return { board: 'b', cases, suites: [], durationMs: 1 };
}

describe('the verdict of a board\'s run (the exit status rule)', function () {
  it('counts passed, failed, infrastructure, skipped and not run', function () {
    expect(countCases(run('passed', 'failed', 'error', 'skipped', 'not-run').cases)).to.deep.equal({ passed: 1, failed: 1, infrastructure: 1, skipped: 2, notRun: 1 });
  });

  it('is failed when an assertion failed, even beside infrastructure failures', function () {
    expect(boardVerdict('b', run('passed', 'error', 'failed'), 1)).to.deep.equal({ verdict: 'failed', reason: 'board b: 1 test failed' });
  });

  it('is infrastructure for a board that failed, a run without results, or a run where nothing passed', function () {
    expect(boardVerdict('b', run('error', 'not-run', 'not-run'), 1)).to.deep.equal({ verdict: 'infrastructure', reason: 'board b: 1 infrastructure failure, 2 tests not run' });
    expect(boardVerdict('b', null, 1)).to.deep.equal({ verdict: 'infrastructure', reason: 'board b: the run ended (mocha exit 1) without results' });
    expect(boardVerdict('b', run('skipped', 'skipped'), 0)).to.deep.equal({ verdict: 'infrastructure', reason: 'board b: no test passed (2 skipped)' });
    expect(boardVerdict('b', run(), 0).verdict, 'no test at all').to.equal('infrastructure');
  });

  it('is passed when something passed and nothing failed, skips allowed', function () {
    expect(boardVerdict('b', run('passed', 'skipped'), 0)).to.deep.equal({ verdict: 'passed', reason: 'board b: 1 passed' });
  });

  it('takes the worst verdict over boards', function () {
    expect([worstVerdict([]), worstVerdict(['passed', 'infrastructure']), worstVerdict(['infrastructure', 'failed', 'passed'])]).to.deep.equal(['passed', 'infrastructure', 'failed']);
  });
});
