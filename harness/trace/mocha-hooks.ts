/**
 * A mocha root-hook plugin (`mocha --require`) that `rtio-hil test --trace` loads into each run:
 * with `RTIO_TRACE` set to a file, it traces everything the suites do there, each test a slice,
 * and writes the Trace Event JSON when the run ends.
 */
import { TRACE_ENV } from './env';
import { startTrace, writeTrace } from './session';
import type { Tracing } from './session';

const file = process.env[TRACE_ENV];
const tracing: Tracing | null = file === undefined || file === '' ? null : startTrace('rtio-hil test --trace');
if (tracing !== null) process.on('exit', () => writeTrace(file!, tracing.stop()));

/** Mocha's root hooks: each test is a slice on its target's host track. */
export const mochaHooks = {
  beforeEach(this: Mocha.Context): void {
    const t = this.currentTest;
    if (tracing !== null && t !== undefined) tracing.test(t.fullTitle());
  },
  afterEach(): void {
    tracing?.testEnded();
  },
};
