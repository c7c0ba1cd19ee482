/** Handle of a timer armed on a {@link Clock}; pass it to {@link Clock.clearTimer}. */
export type TimerId = number;

/** A function a clock calls when a timer expires, with the argument given when it was armed. */
export type TimerFn<A> = (arg: A) => void;

/**
 * A time base: the wall clock for real targets, a virtual one for the emulator.
 *
 * All times are milliseconds (fractions allowed) since the clock's own epoch.
 */
export interface Clock {
  /** True when time only moves when someone steps the clock ({@link VirtualClock}). */
  readonly virtual: boolean;
  /** Current time in ms. */
  now(): number;
  /**
   * Arms a one-shot timer that calls `fn(arg)` at time `atMs` (or as soon as possible if
   * that is in the past). Timers due at the same time fire in the order they were armed.
   */
  setTimer<A>(atMs: number, fn: TimerFn<A>, arg: A): TimerId;
  /** Disarms a timer; a no-op for a timer that already fired or was cleared. */
  clearTimer(id: TimerId): void;
}

/** The wall clock (`performance.now()`), with timers on Node's event loop. */
export class SystemClock implements Clock {
  readonly virtual = false;
  private nextId = 1;
  private readonly timers = new Map<TimerId, NodeJS.Timeout>();

  now(): number {
    return performance.now();
  }

  setTimer<A>(atMs: number, fn: TimerFn<A>, arg: A): TimerId {
    const id = this.nextId++;
    this.arm(id, atMs, fn, arg);
    return id;
  }

  /** Node rounds timer delays and may fire a little early: re-arm until `atMs` has passed. */
  private arm<A>(id: TimerId, atMs: number, fn: TimerFn<A>, arg: A): void {
    const handle = setTimeout(() => {
      if (this.now() < atMs) {
        this.arm(id, atMs, fn, arg);
        return;
      }
      this.timers.delete(id);
      fn(arg);
    }, Math.max(0, Math.ceil(atMs - this.now())));
    this.timers.set(id, handle);
  }

  clearTimer(id: TimerId): void {
    const handle = this.timers.get(id);
    if (handle !== undefined) {
      clearTimeout(handle);
      this.timers.delete(id);
    }
  }
}

/** The process-wide wall clock. */
export const systemClock: Clock = new SystemClock();
