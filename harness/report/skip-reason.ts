/**
 * The one way a test skips: `skipBecause(this, reason)`. It records the reason and the test's own
 * title for reporters (the rtio-hil reporter and its JUnit), appends ` (skipped: <reason>)` to the
 * title so that mocha's own reporters show it too, and skips. Called in a `before` hook, it skips
 * the hook's suite, and each of its tests is reported with the hook's reason.
 */

/** What {@link skipBecause} recorded for a test or hook. */
export interface SkipRecord {
  /** Why it was skipped. */
  readonly reason: string;
  /** Its title without the ` (skipped: …)` suffix. */
  readonly title: string;
}

/** Shared by every copy of this module in the process (see target/registry.ts). */
const records = ((globalThis as Record<symbol, unknown>)[Symbol.for('rtio-hil.skip-records')] ??= new WeakMap<object, SkipRecord>()) as WeakMap<object, SkipRecord>;

/** Records `reason` for the running test or hook of `ctx`, says it in the title, and skips (mocha's `this.skip()`). */
export function skipBecause(ctx: Mocha.Context, reason: string): never {
  const runnable = ctx.test ?? ctx.currentTest;
  if (runnable !== undefined && !records.has(runnable)) {
    // A hook skips its suite: recorded there, for every test of it.
    const owner: object = (runnable as { type?: string }).type === 'hook' && runnable.parent !== undefined ? runnable.parent : runnable;
    records.set(owner, { reason, title: runnable.title });
    runnable.title = `${runnable.title} (skipped: ${reason})`;
  }
  ctx.skip();
}

/**
 * What was recorded for `test` by {@link skipBecause}: for the test itself, or for a `before`
 * hook of a suite it is in (the reason; the title stays the test's).
 */
export function recordedSkip(test: Mocha.Runnable): SkipRecord | undefined {
  const own = records.get(test);
  if (own !== undefined) return own;
  for (let suite = test.parent; suite !== undefined; suite = suite.parent) {
    const r = records.get(suite);
    if (r !== undefined) return { reason: r.reason, title: test.title };
  }
  return undefined;
}
