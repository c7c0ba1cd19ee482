/** What `record` and `test --trace` add to the runs of `rtio-hil test`. */
import { existsSync, readFileSync } from 'node:fs';
import { mergeTraces, writeTrace } from '../trace';
import type { TraceDocument } from '../trace';
import { TRACE_ENV } from '../trace/env';

/**
 * What a command built on `test` adds to every board's run (`record`, `test --trace`): mocha
 * modules to load first (root-hook plugins), and environment variables per board.
 */
export interface RunAdditions {
  /** Absolute paths given to mocha's `--require`, after any TypeScript hook. */
  readonly requires: readonly string[];
  /** The extra environment of `board`'s run (its index in the plan is `i`). */
  env(board: string, i: number): NodeJS.ProcessEnv;
}

/** `additions` with the trace hook added, each board's run tracing into `file(i)`. */
export function traceAdditions(additions: RunAdditions | undefined, file: (i: number) => string): RunAdditions {
  return {
    requires: [...(additions?.requires ?? []), require.resolve('../trace/mocha-hooks')],
    env: (board, i) => ({ ...additions?.env(board, i), [TRACE_ENV]: file(i) }),
  };
}

/** Merges the runs' traces (those that were written) into `out`; returns the line to print. */
export function writeMergedTrace(out: string, files: readonly string[]): string {
  const docs = files.filter((f) => existsSync(f)).map((f) => JSON.parse(readFileSync(f, 'utf8')) as TraceDocument);
  writeTrace(out, mergeTraces(docs));
  return `Trace: ${out} (${docs.length} run${docs.length === 1 ? '' : 's'}; open it in https://ui.perfetto.dev or chrome://tracing)`;
}

