import type { Clock, TimerFn, TimerId } from './clock';

/** An armed timer; the objects are pooled and reused, their `gen` telling one use from the next. */
interface Timer {
  at: number;
  seq: number;
  fn: TimerFn<unknown> | null;
  arg: unknown;
  /** Index in the clock's table of timers. */
  readonly slot: number;
  /** Bumped at every arming: a {@link TimerId} names one slot and one generation. */
  gen: number;
}

/** Timers a virtual clock can hold armed at once (a TimerId packs a slot below this and a generation above). */
export const VIRTUAL_CLOCK_MAX_TIMERS = 1 << 22;

/**
 * A discrete-event clock: time stands still until someone steps it, then jumps straight to
 * the next armed timer. A 10 ms device delay therefore costs no wall time, and the same
 * sequence of calls always gives the same sequence of events.
 *
 * `Rtio` steps the virtual clocks of the iodevs it waits on; tests may also call
 * {@link VirtualClock.advance} or {@link VirtualClock.runUntilIdle} directly.
 */
export class VirtualClock implements Clock {
  readonly virtual = true;
  private time = 0;
  private seq = 0;
  private readonly heap: Timer[] = [];
  /** Every timer object ever made, by slot; a slot is reused once its timer left the heap. */
  private readonly slots: Timer[] = [];
  private readonly freeSlots: number[] = [];
  private armed = 0;

  now(): number {
    return this.time;
  }

  /** Number of armed timers. */
  get pending(): number {
    return this.armed;
  }

  /** Time of the earliest armed timer, or `Infinity` when none is armed. */
  nextAt(): number {
    this.dropCleared();
    const top = this.heap[0];
    return top === undefined ? Infinity : Math.max(top.at, this.time);
  }

  /** Throws `RangeError` when {@link VIRTUAL_CLOCK_MAX_TIMERS} timers are already armed or waiting to leave the heap. */
  setTimer<A>(atMs: number, fn: TimerFn<A>, arg: A): TimerId {
    const free = this.freeSlots.pop();
    const t = free !== undefined ? this.slots[free]! : this.newTimer();
    t.at = atMs;
    t.seq = ++this.seq;
    t.fn = fn as TimerFn<unknown>;
    t.arg = arg;
    t.gen++;
    this.armed++;
    this.push(t);
    return t.gen * VIRTUAL_CLOCK_MAX_TIMERS + t.slot;
  }

  /** A timer in a new slot. Throws `RangeError` when {@link VIRTUAL_CLOCK_MAX_TIMERS} are in use. */
  private newTimer(): Timer {
    if (this.slots.length >= VIRTUAL_CLOCK_MAX_TIMERS) {
      throw new RangeError(`more than ${VIRTUAL_CLOCK_MAX_TIMERS} timers armed on one virtual clock`);
    }
    const t: Timer = { at: 0, seq: 0, fn: null, arg: undefined, slot: this.slots.length, gen: 0 };
    this.slots.push(t);
    return t;
  }

  clearTimer(id: TimerId): void {
    const t = this.slots[id % VIRTUAL_CLOCK_MAX_TIMERS];
    if (t === undefined || t.fn === null || t.gen !== Math.floor(id / VIRTUAL_CLOCK_MAX_TIMERS)) return;
    t.fn = null;
    t.arg = undefined;
    this.armed--;
  }

  /** Runs the earliest timer, moving time forward to it. Returns false when none is armed. */
  step(): boolean {
    this.dropCleared();
    const t = this.pop();
    if (t === undefined) return false;
    if (t.at > this.time) this.time = t.at;
    const fn = t.fn!;
    const arg = t.arg;
    t.fn = null;
    t.arg = undefined;
    this.armed--;
    this.freeSlots.push(t.slot);
    fn(arg);
    return true;
  }

  /** Runs every timer due at or before `now() + ms` in order, then sets the time to that point. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`"ms" must be a non-negative number, got ${ms}`);
    const until = this.time + ms;
    while (this.nextAt() <= until) this.step();
    this.time = until;
  }

  /**
   * Runs timers until none is armed. Throws `RangeError` after `maxSteps` (default 1e6),
   * which means something re-arms itself forever.
   */
  runUntilIdle(maxSteps = 1_000_000): void {
    for (let i = 0; i < maxSteps; i++) if (!this.step()) return;
    throw new RangeError(`virtual clock still busy after ${maxSteps} steps ("maxSteps")`);
  }

  /** Pops cleared timers off the top of the heap, freeing their slots. */
  private dropCleared(): void {
    const h = this.heap;
    while (h.length > 0 && h[0]!.fn === null) this.freeSlots.push(this.pop()!.slot);
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(t: Timer): void {
    const h = this.heap;
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!this.less(t, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = t;
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r]!, h[l]!) ? r : l;
      if (!this.less(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
