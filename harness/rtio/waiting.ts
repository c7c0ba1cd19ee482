/**
 * How a context's async waits (`submit(n)`, `cqeConsumeBlock`, `waitIdle`) wait: each waits for a
 * predicate to hold, woken whenever a completion is posted or an SQE ends. While it waits it runs
 * the virtual clocks the context's iodevs complete on, so an emulated device's time passes only
 * as fast as someone waits for it; a timeout is a deadline on the context's clock.
 */
import type { Clock, TimerId } from '../clock';
import { VirtualClock } from '../clock';

/**
 * Virtual-clock steps a wait runs before it yields to Node's event loop once, so a busy
 * emulator never starves I/O or mocha's own timers.
 */
export const RTIO_WAIT_STEPS_PER_YIELD = 100_000;

interface Waiter {
  readonly pred: () => boolean;
  expired: boolean;
  timer: TimerId;
  wake: (() => void) | null;
}

function expire(w: Waiter): void {
  w.expired = true;
  w.timer = 0;
  const wake = w.wake;
  if (wake !== null) {
    w.wake = null;
    wake();
  }
}

/** The waits of one context, with the virtual clocks they run. */
export class Waiting {
  private readonly clocks: VirtualClock[] = [];
  private readonly waiters: Waiter[] = [];
  /** The clock {@link Waiting.watch} saw last: every op of a context on one board asks about the same one. */
  private lastWatched: Clock | null = null;

  /** `clock` times out waits; it is also stepped while waiting when it is virtual. */
  constructor(private readonly clock: Clock) {
    this.watch(clock);
  }

  /** Steps `clock` too while waiting, if it is virtual (an iodev's clock, say). */
  watch(clock: Clock): void {
    if (clock === this.lastWatched) return;
    this.lastWatched = clock;
    if (clock instanceof VirtualClock && !this.clocks.includes(clock)) this.clocks.push(clock);
  }

  /** True while someone waits. */
  get active(): boolean {
    return this.waiters.length > 0;
  }

  /**
   * Resolves true once `pred()` holds, or false when `timeoutMs` (on the context's clock) passes
   * first; `undefined` waits for ever, 0 only looks.
   */
  until(pred: () => boolean, timeoutMs: number | undefined): Promise<boolean> {
    if (pred()) return Promise.resolve(true);
    if (timeoutMs === 0) return Promise.resolve(false);
    const w: Waiter = { pred, expired: false, timer: 0, wake: null };
    if (timeoutMs !== undefined) w.timer = this.clock.setTimer(this.clock.now() + timeoutMs, expire, w);
    return this.pump(w);
  }

  /**
   * Runs the watched virtual clocks, without yielding, until `counter.count >= count` (a submit
   * waiting for its completions): true when it holds; false when no event is armed or
   * {@link RTIO_WAIT_STEPS_PER_YIELD} steps have run (then wait with {@link Waiting.until}). The
   * usual emulator wait ends here, with no promise made and no predicate called at every step.
   */
  reachedCount(counter: { readonly count: number }, count: number): boolean {
    const one = this.clocks.length === 1 ? this.clocks[0]! : null;
    for (let steps = 0; steps < RTIO_WAIT_STEPS_PER_YIELD; steps++) {
      if (!(one !== null ? one.step() : this.stepEarliest())) return false;
      if (counter.count >= count) return true;
    }
    return false;
  }

  /** Lets every waiter look at its predicate again. */
  wake(): void {
    const ws = this.waiters.splice(0);
    for (const w of ws) {
      const wake = w.wake;
      w.wake = null;
      if (wake !== null) wake();
    }
  }

  private async pump(w: Waiter): Promise<boolean> {
    for (;;) {
      let steps = 0;
      let holds = w.pred();
      while (!holds && !w.expired && steps < RTIO_WAIT_STEPS_PER_YIELD && this.stepVirtualClocks()) {
        steps++;
        holds = w.pred();
      }
      if (holds) {
        if (w.timer !== 0) this.clock.clearTimer(w.timer);
        return true;
      }
      if (w.expired) return false;
      if (steps >= RTIO_WAIT_STEPS_PER_YIELD) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      await new Promise<void>((resolve) => {
        w.wake = resolve;
        this.waiters.push(w);
      });
    }
  }

  /** Runs the earliest event of the watched virtual clocks; false when none is armed. */
  private stepVirtualClocks(): boolean {
    return this.clocks.length === 1 ? this.clocks[0]!.step() : this.stepEarliest();
  }

  /** {@link Waiting.stepVirtualClocks} over several clocks. */
  private stepEarliest(): boolean {
    let best: VirtualClock | null = null;
    let bestAt = Infinity;
    for (const c of this.clocks) {
      const at = c.nextAt();
      if (at < bestAt) {
        bestAt = at;
        best = c;
      }
    }
    return best !== null && best.step();
  }
}

/** Throws `RangeError` unless `timeoutMs` is undefined or a finite number >= 0. */
export function checkTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs !== undefined && (!(timeoutMs >= 0) || !Number.isFinite(timeoutMs))) {
    throw new RangeError(`"timeoutMs" must be a finite number >= 0, got ${timeoutMs}`);
  }
}
