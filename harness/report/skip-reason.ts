/**
 * Why a test was skipped, for reports. A test says it with {@link skipBecause}; the suites'
 * existing convention, a title ending in `(skipped: <reason>)` (SuiteEnv.need), is read too.
 */

/** Shared by every copy of this module in the process (see target-registry.ts). */
const reasons = ((globalThis as Record<symbol, unknown>)[Symbol.for('rtio-hil.skip-reasons')] ??= new WeakMap<object, string>()) as WeakMap<object, string>;

/** Records `reason` for the running test of `ctx` and skips it (mocha's `this.skip()`). */
export function skipBecause(ctx: Mocha.Context, reason: string): never {
  const runnable = ctx.test ?? ctx.currentTest;
  if (runnable !== undefined) reasons.set(runnable, reason);
  ctx.skip();
}

/** The reason recorded for `test` by {@link skipBecause}, if any. */
export function recordedSkipReason(test: object): string | undefined {
  return reasons.get(test);
}

const TITLE_REASON = /\s*\(skipped: (.*)\)$/;

/** A title without a trailing `(skipped: …)`, and the reason it held. */
export function splitSkipTitle(title: string): { title: string; reason?: string } {
  const m = TITLE_REASON.exec(title);
  return m === null ? { title } : { title: title.slice(0, m.index), reason: m[1]! };
}
