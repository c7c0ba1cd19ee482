/**
 * Running asynchronous code on a {@link VirtualClock} in a test: the helpers alternate letting
 * the event loop take a turn (promise continuations, immediates, I/O callbacks) and stepping the
 * clock to its next timer. Give every timer user the same clock (a link's `clock`, a memory
 * pair's `clock`) and a test runs the same sequence of events however loaded the machine is,
 * takes no wall time for its timeouts, and may assert virtual times exactly.
 */
import type { VirtualClock } from '../clock';

/** Options of {@link runUntil} and {@link settle}. */
export interface RunUntilOptions {
  /** Virtual time from the start, in ms, after which the run gives up. Default 60_000. */
  withinMs?: number;
  /**
   * Turns of the event loop to wait, when no timer is armed, for something else (an immediate,
   * I/O) to make progress before the run gives up. Default 10.
   */
  idleTurns?: number;
}

/**
 * The awaited condition did not hold by the virtual deadline, or nothing was left to run.
 * Message: `'virtual time: <what> at <now> ms (<why>)'`.
 */
export class VirtualDeadlineError extends Error {
  override readonly name = 'VirtualDeadlineError';

  constructor(what: string, readonly atMs: number, why: string) {
    super(`virtual time: ${what} at ${atMs} ms (${why})`);
  }
}

/** Resolves on the next turn of the event loop, after what was queued before it. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `clock` until `done()` holds: a turn of the event loop, then the earliest timer, and so on.
 * Resolves with the virtual time that passed, in ms. Rejects with {@link VirtualDeadlineError}
 * when the next timer lies beyond `withinMs` (the clock then stands at the deadline), or when no
 * timer is armed for `idleTurns` turns.
 */
export async function runUntil(clock: VirtualClock, done: () => boolean, options: RunUntilOptions = {}): Promise<number> {
  const { withinMs = 60_000, idleTurns = 10 } = options;
  const start = clock.now();
  const deadline = start + withinMs;
  let idle = 0;
  for (;;) {
    await nextTurn();
    if (done()) return clock.now() - start;
    if (clock.pending === 0) {
      if (++idle > idleTurns) throw new VirtualDeadlineError('still waiting', clock.now(), 'no timer armed, nothing else happened');
      continue;
    }
    idle = 0;
    if (clock.nextAt() > deadline) {
      clock.advance(deadline - clock.now());
      throw new VirtualDeadlineError('still waiting', clock.now(), `the deadline of ${withinMs} ms passed`);
    }
    clock.step();
  }
}

/**
 * Runs `clock` for `ms` of virtual time: every timer due by then, each after a turn of the event
 * loop, and then the clock stands at that time.
 */
export async function runFor(clock: VirtualClock, ms: number): Promise<void> {
  const until = clock.now() + ms;
  for (;;) {
    await nextTurn();
    if (clock.nextAt() > until) break;
    clock.step();
  }
  clock.advance(until - clock.now());
  await nextTurn();
}

/**
 * Runs `clock` (as {@link runUntil} does) until `promise` settles, then resolves with its value
 * or rejects with its reason; rejects with {@link VirtualDeadlineError} when it does not settle.
 */
export async function settle<T>(clock: VirtualClock, promise: Promise<T>, options: RunUntilOptions = {}): Promise<T> {
  let outcome: { readonly value: T } | { readonly reason: unknown } | undefined;
  promise.then((value) => (outcome = { value }), (reason: unknown) => (outcome = { reason }));
  await runUntil(clock, () => outcome !== undefined, options);
  if (outcome !== undefined && 'value' in outcome) return outcome.value;
  throw (outcome as { readonly reason: unknown }).reason;
}
