import type { Clock, TimerFn, TimerId } from './clock';

interface Timer {
  at: number;
  seq: number;
  fn: TimerFn<unknown> | null;
  arg: unknown;
}

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
  private readonly live = new Map<TimerId, Timer>();

  now(): number {
    return this.time;
  }

  /** Number of armed timers. */
  get pending(): number {
    return this.live.size;
  }

  /** Time of the earliest armed timer, or `Infinity` when none is armed. */
  nextAt(): number {
    this.dropCleared();
    const top = this.heap[0];
    return top === undefined ? Infinity : Math.max(top.at, this.time);
  }

  setTimer<A>(atMs: number, fn: TimerFn<A>, arg: A): TimerId {
    const t: Timer = { at: atMs, seq: ++this.seq, fn: fn as TimerFn<unknown>, arg };
    this.push(t);
    this.live.set(t.seq, t);
    return t.seq;
  }

  clearTimer(id: TimerId): void {
    const t = this.live.get(id);
    if (t !== undefined) {
      t.fn = null;
      this.live.delete(id);
    }
  }

  /** Runs the earliest timer, moving time forward to it. Returns false when none is armed. */
  step(): boolean {
    this.dropCleared();
    const t = this.pop();
    if (t === undefined) return false;
    if (t.at > this.time) this.time = t.at;
    this.live.delete(t.seq);
    const fn = t.fn;
    t.fn = null;
    if (fn !== null) fn(t.arg);
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

  private dropCleared(): void {
    while (this.heap.length > 0 && this.heap[0]!.fn === null) this.pop();
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
