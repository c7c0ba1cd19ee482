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

interface WallTimer {
  readonly id: TimerId;
  readonly at: number;
  fn: TimerFn<unknown> | null;
  readonly arg: unknown;
}

/**
 * The wall clock (`performance.now()`). Its timers live in a queue of its own ordered by due
 * time (then by arming order), served by one Node timeout for the earliest: Node's own timers
 * would fire a timer due at +0 ms and one due at +1 ms in the order they were set, and a late
 * event loop fires every overdue timer in arming order, where the contract is time order.
 */
export class SystemClock implements Clock {
  readonly virtual = false;
  private nextId = 1;
  private readonly queue: WallTimer[] = [];
  private readonly live = new Map<TimerId, WallTimer>();
  private handle: NodeJS.Timeout | null = null;
  private handleAt = Infinity;
  private readonly runFn = (): void => this.run();

  now(): number {
    return performance.now();
  }

  setTimer<A>(atMs: number, fn: TimerFn<A>, arg: A): TimerId {
    const t: WallTimer = { id: this.nextId++, at: atMs, fn: fn as TimerFn<unknown>, arg };
    this.live.set(t.id, t);
    heapPush(this.queue, t);
    this.schedule();
    return t.id;
  }

  clearTimer(id: TimerId): void {
    const t = this.live.get(id);
    if (t === undefined) return;
    this.live.delete(id);
    t.fn = null;
    if (this.live.size === 0) {
      this.queue.length = 0;
      this.schedule();
    }
  }

  /** Points the Node timeout at the earliest live timer. */
  private schedule(): void {
    while (this.queue.length > 0 && this.queue[0]!.fn === null) heapPop(this.queue);
    const first = this.queue[0];
    if (first === undefined) {
      if (this.handle !== null) clearTimeout(this.handle);
      this.handle = null;
      this.handleAt = Infinity;
      return;
    }
    if (this.handle !== null && this.handleAt <= first.at) return;
    if (this.handle !== null) clearTimeout(this.handle);
    this.handleAt = first.at;
    this.handle = setTimeout(this.runFn, Math.max(0, Math.ceil(first.at - this.now())));
  }

  /** Fires every timer due now, earliest first; timers they arm wait for the next turn. */
  private run(): void {
    this.handle = null;
    this.handleAt = Infinity;
    const now = this.now();
    const armedBefore = this.nextId;
    const later: WallTimer[] = [];
    for (;;) {
      const t = this.queue[0];
      if (t === undefined || t.at > now) break;
      heapPop(this.queue);
      if (t.id >= armedBefore) {
        later.push(t); // armed by a callback of this turn: the next turn runs it
        continue;
      }
      const fn = t.fn;
      if (fn === null) continue;
      this.live.delete(t.id);
      fn(t.arg);
    }
    for (const t of later) heapPush(this.queue, t);
    this.schedule();
  }
}

function before(a: WallTimer, b: WallTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.id < b.id);
}

function heapPush(h: WallTimer[], t: WallTimer): void {
  h.push(t);
  for (let i = h.length - 1; i > 0;) {
    const parent = (i - 1) >> 1;
    if (!before(h[i]!, h[parent]!)) break;
    [h[i], h[parent]] = [h[parent]!, h[i]!];
    i = parent;
  }
}

function heapPop(h: WallTimer[]): void {
  const last = h.pop();
  if (last === undefined || h.length === 0) return;
  h[0] = last;
  for (let i = 0; ;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < h.length && before(h[l]!, h[m]!)) m = l;
    if (r < h.length && before(h[r]!, h[m]!)) m = r;
    if (m === i) break;
    [h[i], h[m]] = [h[m]!, h[i]!];
    i = m;
  }
}

/** The process-wide wall clock. */
export const systemClock: Clock = new SystemClock();
