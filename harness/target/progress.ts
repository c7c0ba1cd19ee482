/**
 * What opening a target is busy with, for people watching a run: building the agent or the
 * firmware (`make`, up to minutes on a cold cache), launching QEMU or the native agent, the
 * handshake. `openTarget()` reports each step; the rtio-hil reporter prints them, with a line every
 * {@link PROGRESS_TICK_MS} while a step lasts. Listeners are process-wide (on `globalThis`, like
 * the target registry), so every copy of this module reports to the same reporter.
 */

/** One step of opening a target. */
export interface TargetProgress {
  /** The board being opened. */
  readonly boardId: string;
  /** What it is doing, e.g. `'building the native agent (make -C firmware-stubs posix)'`. */
  readonly step: string;
  /** `'start'`, `'tick'` while it lasts, then `'done'` or `'failed'`. */
  readonly phase: 'start' | 'tick' | 'done' | 'failed';
  /** Milliseconds since the step started. */
  readonly elapsedMs: number;
}

/** How often a step that is still going is reported again, in ms. */
export const PROGRESS_TICK_MS = 10_000;

type Listener = (p: TargetProgress) => void;
const listeners = ((globalThis as Record<symbol, unknown>)[Symbol.for('rtio-hil.target-progress')] ??= new Set<Listener>()) as Set<Listener>;

/** Calls `cb` for every step reported from now on; returns a function that stops it. */
export function onTargetProgress(cb: Listener): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

function emit(p: TargetProgress): void {
  for (const l of listeners) l(p);
}

/** Runs `work`, reporting `step` of opening `boardId` as it starts, every tick while it lasts, and as it ends. */
export async function withProgress<T>(boardId: string, step: string, work: () => Promise<T>, tickMs = PROGRESS_TICK_MS): Promise<T> {
  const t0 = Date.now();
  const at = (phase: TargetProgress['phase']): TargetProgress => ({ boardId, step, phase, elapsedMs: Date.now() - t0 });
  emit(at('start'));
  const ticker = setInterval(() => emit(at('tick')), tickMs);
  ticker.unref();
  try {
    const value = await work();
    emit(at('done'));
    return value;
  } catch (e) {
    emit(at('failed'));
    throw e;
  } finally {
    clearInterval(ticker);
  }
}
