/**
 * A context's completion queue (Zephyr's `rtio_cq` with its CQE pool): completions wait here in
 * order until the user consumes them; when every CQE is taken, they go to a counted overflow list
 * instead of being dropped, and move into the CQ as CQEs are released.
 */
import { Cqe, setCqeTimes } from './cqe';
import { rtioObservers } from './observer';
import { Ring } from './ring';
import type { IodevSqe } from './sqe';
import type { Waiting } from './waiting';

interface Overflowed {
  readonly result: number;
  readonly userdata: unknown;
  readonly flags: number;
  readonly startedAt: number;
  readonly postedAt: number;
}

/**
 * The CQ of one context. After every completion posted or overflowed, the context's waiters look
 * again and then {@link CompletionQueue.afterPost} runs.
 *
 * Its `size` CQEs stay in one array used as a ring, in three runs that follow each other: CQEs
 * the user consumed and holds, CQEs queued for the user, and free ones. Posting fills the first
 * free CQE, consuming hands out the first queued one, and releasing frees the oldest held one
 * (a CQE released out of order first trades places with it), so no CQE moves between lists.
 */
export class CompletionQueue {
  /** Completion events so far (posted or overflowed), Zephyr's `cq_count`. */
  count = 0;
  /** Completions that found the CQ full and went to the overflow list. */
  overflowCount = 0;
  private readonly ring: Cqe[] = [];
  /** Ring index of the oldest held CQE (the first of the three runs). */
  private base = 0;
  private held = 0;
  private queued = 0;
  private readonly overflow = new Ring<Overflowed>(8);
  /** Runs after every completion posted or overflowed (the context's CQE callback), or null. */
  afterPost: (() => void) | null = null;

  /**
   * `size` CQEs, owned by `owner` (the context, checked on release); `waiting` holds the context's
   * waiters; `now` is the context's clock (ms), read to stamp the CQEs of SQEs that ran
   * ({@link Cqe.postedAt}).
   */
  constructor(
    readonly size: number,
    private readonly owner: object,
    private readonly waiting: Pick<Waiting, 'active' | 'wake'>,
    private readonly now: () => number = () => NaN,
  ) {
    for (let i = 0; i < size; i++) this.ring.push(new Cqe(i));
  }

  /**
   * Posts a completion of `s` (null: one the user posts); into the overflow list when no CQE is
   * free or others already overflowed.
   */
  post(result: number, userdata: unknown, flags: number, s: IodevSqe | null): void {
    const used = this.held + this.queued;
    const at = this.base + used; // the first free CQE, before wrapping (at() by hand: this runs for every completion)
    const c = used < this.size && this.overflow.length === 0 && rtioObservers.current === null ? this.ring[at < this.size ? at : at - this.size]! : null;
    if (c === null || c.times !== null || (s !== null && s.times !== null)) {
      this.postAny(result, userdata, flags, s);
      return;
    }
    this.count++;
    this.enqueue(c, result, userdata, flags);
    this.posted();
  }

  /** {@link CompletionQueue.post} of any completion: watched by an observer, with times, or into the overflow list. */
  private postAny(result: number, userdata: unknown, flags: number, s: IodevSqe | null): void {
    this.count++;
    rtioObservers.current?.completed(this.owner, s, result, flags);
    const used = this.held + this.queued;
    const c = used < this.size && this.overflow.length === 0 ? this.ring[this.at(used)]! : null;
    if (c === null || c.times !== null || (s !== null && s.times !== null)) this.postTimedOrOverflowed(c, result, userdata, flags, s);
    else this.enqueue(c, result, userdata, flags);
    this.posted();
  }

  /** After each completion: the context's waiters look again, then its CQE callback runs. */
  private posted(): void {
    if (this.waiting.active) this.waiting.wake();
    if (this.afterPost !== null) this.afterPost();
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

  /** Fills `c`, the first free CQE, with a completion and queues it for the user. */
  private enqueue(c: Cqe, result: number, userdata: unknown, flags: number): void {
    c.result = result;
    c.userdata = userdata;
    c.flags = flags;
    this.queued++;
  }

  /** The oldest queued completion, now held by the user; null when none is ready. */
  consume(): Cqe | null {
    if (this.queued === 0) return null;
    const at = this.base + this.held;
    const c = this.ring[at < this.size ? at : at - this.size]!;
    this.held++;
    this.queued--;
    c.heldBy = this.owner;
    return c;
  }

  /** Takes back a consumed CQE; the oldest overflowed completion takes its place. Throws `RangeError` for any other CQE. */
  release(cqe: Cqe): void {
    if (!(cqe instanceof Cqe) || cqe.heldBy !== this.owner || this.ring[cqe.index] !== cqe) {
      throw new RangeError('"cqe" was not consumed from this context, or was already released');
    }
    cqe.userdata = undefined;
    cqe.heldBy = null;
    const base = this.base;
    if (cqe.index !== base) {
      const oldest = this.ring[base]!;
      this.ring[cqe.index] = oldest;
      oldest.index = cqe.index;
      this.ring[base] = cqe;
      cqe.index = base;
    }
    this.base = base + 1 === this.size ? 0 : base + 1;
    this.held--;
    const o = this.overflow.length === 0 ? undefined : this.overflow.shift();
    if (o === undefined) return;
    // The CQE just freed is the first free one: the overflowed completion goes into it.
    setCqeTimes(cqe, o.startedAt, o.postedAt);
    this.enqueue(cqe, o.result, o.userdata, o.flags);
  }

  /** Completions ready to consume (not counting the overflow list). */
  get ready(): number {
    return this.queued;
  }

  /** Completions waiting in the overflow list. */
  get overflowPending(): number {
    return this.overflow.length;
  }

  /** CQEs in the pool, neither queued nor held by the user. */
  get available(): number {
    return this.size - this.held - this.queued;
  }

  /**
   * True when the next completion would take the last free CQE or overflow: a multishot's shot
   * posted now must be its last, so that a multishot never overflows the CQ.
   */
  get nearlyFull(): boolean {
    return this.size - this.held - this.queued <= 1 || this.overflow.length > 0;
  }

  /** The ring index `i` places after {@link CompletionQueue.base}. */
  private at(i: number): number {
    const j = this.base + i;
    return j >= this.size ? j - this.size : j;
  }
}
