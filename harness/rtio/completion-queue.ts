/**
 * A context's completion queue (Zephyr's `rtio_cq` with its CQE pool): completions wait here in
 * order until the user consumes them; when every CQE is taken, they go to a counted overflow list
 * instead of being dropped, and move into the CQ as CQEs are released.
 */
import { Cqe, setCqeTimes } from './cqe';
import { FreeList } from './free-list';
import { rtioObservers } from './observer';
import { Ring } from './ring';
import type { IodevSqe } from './sqe';

interface Overflowed {
  readonly result: number;
  readonly userdata: unknown;
  readonly flags: number;
  readonly startedAt: number;
  readonly postedAt: number;
}

/** The CQ of one context; `onPost` runs after every completion posted or overflowed. */
export class CompletionQueue {
  /** Completion events so far (posted or overflowed), Zephyr's `cq_count`. */
  count = 0;
  /** Completions that found the CQ full and went to the overflow list. */
  overflowCount = 0;
  private readonly free: FreeList<Cqe>;
  private readonly queued: Ring<Cqe>;
  private readonly overflow = new Ring<Overflowed>(8);

  /**
   * `size` CQEs, owned by `owner` (the context, checked on release); `now` is the context's
   * clock (ms), read to stamp the CQEs of SQEs that ran ({@link Cqe.postedAt}).
   */
  constructor(readonly size: number, private readonly owner: object, private readonly onPost: () => void, private readonly now: () => number = () => NaN) {
    this.queued = new Ring<Cqe>(size);
    const cqes: Cqe[] = [];
    for (let i = 0; i < size; i++) cqes.push(new Cqe());
    this.free = new FreeList(cqes);
  }

  /**
   * Posts a completion of `s` (null: one the user posts); into the overflow list when no CQE is
   * free or others already overflowed.
   */
  post(result: number, userdata: unknown, flags: number, s: IodevSqe | null): void {
    this.count++;
    rtioObservers.current?.completed(this.owner, s, result, flags);
    const c = this.overflow.length === 0 ? this.free.take() : null;
    if (c === null || c.times !== null || (s !== null && s.times !== null)) this.postTimedOrOverflowed(c, result, userdata, flags, s);
    else this.enqueue(c, result, userdata, flags);
    this.onPost();
  }

  /** {@link CompletionQueue.post} into `c` with the unit's times, or to the overflow list when `c` is null. */
  private postTimedOrOverflowed(c: Cqe | null, result: number, userdata: unknown, flags: number, s: IodevSqe | null): void {
    const startedAt = s === null || s.times === null ? NaN : s.times.startedAt;
    const postedAt = Number.isNaN(startedAt) ? NaN : this.now();
    if (c === null) {
      this.overflow.push({ result, userdata, flags, startedAt, postedAt });
      this.overflowCount++;
      return;
    }
    setCqeTimes(c, startedAt, postedAt);
    this.enqueue(c, result, userdata, flags);
  }

  /** Fills `c` with a completion and queues it for the user. */
  private enqueue(c: Cqe, result: number, userdata: unknown, flags: number): void {
    c.result = result;
    c.userdata = userdata;
    c.flags = flags;
    this.queued.push(c);
  }

  /** The oldest queued completion, now held by the user; null when none is ready. */
  consume(): Cqe | null {
    const c = this.queued.shift();
    if (c === undefined) return null;
    c.heldBy = this.owner;
    return c;
  }

  /** Takes back a consumed CQE; the oldest overflowed completion takes its place. Throws `RangeError` for any other CQE. */
  release(cqe: Cqe): void {
    if (!(cqe instanceof Cqe) || cqe.heldBy !== this.owner) {
      throw new RangeError('"cqe" was not consumed from this context, or was already released');
    }
    cqe.userdata = undefined;
    cqe.heldBy = null;
    const o = this.overflow.shift();
    if (o === undefined) {
      this.free.give(cqe);
      return;
    }
    setCqeTimes(cqe, o.startedAt, o.postedAt);
    this.enqueue(cqe, o.result, o.userdata, o.flags);
  }

  /** Completions ready to consume (not counting the overflow list). */
  get ready(): number {
    return this.queued.length;
  }

  /** Completions waiting in the overflow list. */
  get overflowPending(): number {
    return this.overflow.length;
  }

  /** CQEs in the pool, neither queued nor held by the user. */
  get available(): number {
    return this.free.length;
  }

  /**
   * True when the next completion would take the last free CQE or overflow: a multishot's shot
   * posted now must be its last, so that a multishot never overflows the CQ.
   */
  get nearlyFull(): boolean {
    return this.free.length <= 1 || this.overflow.length > 0;
  }
}
