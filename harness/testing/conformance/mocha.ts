/**
 * @file The kit as mocha tests: one test per check, titled with the rule it guards; a check the
 * iodev cannot run (a capability its table lacks, a probe field) is skipped with the reason in
 * its title (through `skipBecause`, as every skip).
 */
import Mocha from 'mocha';
import type { IodevKind } from '../../target/target';
import type { ConformanceCheck } from './context';
import { runConformanceCheck, selectChecks, skipReason } from './runner';
import type { ConformanceOptions, TargetSource } from './runner';
import { skipBecause } from '../../report/skip-reason';

/** The title of the suite the kit registers for iodev `name`. */
export function conformanceSuiteTitle(name: string, kind: IodevKind): string {
  return `iodev conformance: ${name} (${kind})`;
}

/** The mocha test body of `check`: skip with the reason, or run and rethrow what failed it. */
function checkTest(check: ConformanceCheck, source: TargetSource, name: string, kind: IodevKind, opts: ConformanceOptions): Mocha.AsyncFunc {
  return async function (this: Mocha.Context) {
    const target = await source();
    const reason = skipReason(check, target, name, kind, opts);
    if (reason !== null) skipBecause(this, reason);
    const result = await runConformanceCheck(check, target, name, kind, opts);
    if (result.status === 'failed') throw result.error;
  };
}

/** `check`'s test title: what it shows and the rule it guards. */
function checkTitle(check: ConformanceCheck): string {
  return `${check.id}: ${check.title} [${check.rule}]`;
}

/**
 * Registers the conformance kit for iodev `name` of kind `kind` as a mocha `describe` with one
 * test per check. `target` is called in each test: return the target opened in a `before` hook.
 */
export function describeIodevConformance(target: TargetSource, name: string, kind: IodevKind, opts: ConformanceOptions = {}): void {
  const checks = selectChecks(kind, opts);
  describe(conformanceSuiteTitle(name, kind), function () {
    for (const check of checks) it(checkTitle(check), checkTest(check, target, name, kind, opts));
  });
}

/**
 * Like {@link describeIodevConformance}, but adds the suite under `parent` while tests already
 * run (from a `before` hook, once the target's iodev table is known). Returns the new suite.
 */
export function addIodevConformance(
  parent: Mocha.Suite, target: TargetSource, name: string, kind: IodevKind, opts: ConformanceOptions = {},
): Mocha.Suite {
  const suite = Mocha.Suite.create(parent, conformanceSuiteTitle(name, kind));
  for (const check of selectChecks(kind, opts)) suite.addTest(new Mocha.Test(checkTitle(check), checkTest(check, target, name, kind, opts)));
  return suite;
}
