/** Starting and stopping a timeline around any code: `startTrace()`, then `stop()` gives the Trace Event document. */
import { writeFileSync } from 'node:fs';
import { setLinkObserver } from '../link/observer';
import { setRtioObserver } from '../rtio/observer';
import { onTargetOpened } from '../target/registry';
import type { TraceDocument } from './chrome-trace';
import { Tracer } from './tracer';

/** A timeline being traced; {@link Tracing.stop} ends it. */
export interface Tracing {
  /** Marks the start of test `title` (it ends at {@link Tracing.testEnded}, the next test, or `stop`). */
  test(title: string): void;
  /** The running test ended. */
  testEnded(): void;
  /** Stops tracing; returns the document (the same one on every later call). */
  stop(): TraceDocument;
}

/** What a trace says about its times, in its `otherData`. */
export const TRACE_CLOCK_NOTE =
  'ts in us on each target\'s clock: virtual time on the emulator; on a board, host time: an SQE slice runs from its device start to its ' +
  'device completion as the agent reports them, mapped to host time with the accuracy deviceClock.<pid> states; from an agent that ' +
  'reports none, from when the host shipped it (or its predecessor\'s CQE arrived) to when its CQE arrived (up to one link round trip more)';

let active: Tracer | null = null;
let listening = false;

/**
 * Traces every target opened and every context and link used from now until `stop()`.
 * Targets opened before the call are not traced (their tracks are laid out when they open).
 * Throws `Error` when a trace is already running in this process.
 */
export function startTrace(tool = 'rtio-hil'): Tracing {
  if (active !== null) throw new Error('a trace is already running in this process');
  const tracer = new Tracer();
  active = tracer;
  const rtioBefore = setRtioObserver(tracer);
  const linkBefore = setLinkObserver(tracer);
  if (!listening) {
    listening = true;
    onTargetOpened((r, t) => active?.targetOpened(r, t));
  }
  let doc: TraceDocument | null = null;
  return {
    test: (title) => {
      if (doc === null) tracer.beginTest(title);
    },
    testEnded: () => {
      if (doc === null) tracer.endTest();
    },
    stop: () => {
      if (doc !== null) return doc;
      tracer.endTest();
      active = null;
      setRtioObserver(rtioBefore);
      setLinkObserver(linkBefore);
      const devices = tracer.finish();
      doc = { traceEvents: tracer.events, displayTimeUnit: 'ms', otherData: { tool, clock: TRACE_CLOCK_NOTE, ...devices } };
      return doc;
    },
  };
}

/** Writes `doc` to `file` as JSON (Perfetto's UI and chrome://tracing open it). */
export function writeTrace(file: string, doc: TraceDocument): void {
  writeFileSync(file, JSON.stringify(doc));
}
