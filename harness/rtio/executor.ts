/**
 * The executor of one context (Zephyr's `rtio_executor`): it links submitted SQEs into chains and
 * transactions, starts each unit when its predecessor succeeded, runs the executor's own ops
 * (NOP, CALLBACK, DELAY, AWAIT), arms timeouts and cancels. What a unit's end posts is
 * completer.ts's job; chains whose members all live on one agent are shipped there whole
 * (remote-shipping.ts) and only their completions come back, through the completer.
 */
import type { Clock } from '../clock';
import {
  RTIO_OP_AWAIT, RTIO_OP_CALLBACK, RTIO_OP_DELAY, RTIO_OP_NOP, RTIO_SQE_CANCELED, RTIO_SQE_CHAINED,
  RTIO_SQE_MEMPOOL_BUFFER, RTIO_SQE_MULTISHOT, RTIO_SQE_TRANSACTION,
} from './constants';
import { Completer, NOT_ONE_CQE, SlotsAfter } from './completer';
import type { Starter } from './completer';
import type { CompletionQueue } from './completion-queue';
import { EALREADY, ECANCELED, EINVAL, EIO, ENOENT, ENOMEM, ETIMEDOUT } from './errno';
import { iodevSqeAwaitSignal } from './iodev';
import type { Mempool } from './mempool';
import { rtioObservers } from './observer';
import { shippableTo } from './remote-shipping';
import { Ring } from './ring';
import { SlotPool } from './slot-pool';
import { Completion, SlotState, unitTimes } from './sqe';
import type { IodevSqe, SqeOwner } from './sqe';
import type { Waiting } from './waiting';

/** One context's executor; the context owns it and hands it the parts it works on. */
export class Executor implements SqeOwner, Starter {
  /** The context's SQE pool; its slots complete into this executor. */
  readonly pool: SlotPool;
  /** Posts what ends; holds the in-flight and stray counts. */
  readonly done: Completer;
  /** Exceptions thrown by CALLBACK functions (each completed its SQE with `-EIO`). */
  readonly callbackErrors: unknown[] = [];
  /** Exceptions thrown by an iodev's `submit` (each completed its SQE with `-EIO`): a driver bug. */
  readonly iodevErrors: unknown[] = [];

  private readonly ready = new Ring<IodevSqe>(16);
  private draining = false;
  private readonly timeoutFn = (s: IodevSqe): void => this.timeoutFired(s);
  private readonly delayFn = (s: IodevSqe): void => this.delayDone(s);
  private readonly awaitFn = (s: IodevSqe): void => this.complete(s, 0, Completion.Ok);

  /**
   * `context` is what CALLBACKs receive as their context; `clock` times DELAYs and the
   * timeouts of executor ops; `sqSize` slots make the SQE pool; `waiting` is woken when the
   * last SQE in flight ends.
   */
  constructor(
    private readonly context: object,
    private readonly clock: Clock,
    sqSize: number,
    cq: CompletionQueue,
    private readonly mempool: Mempool | null,
    private readonly waiting: Waiting,
    /** Stamp `startedAt` on every unit that starts (RtioOptions.stampTimes). */
    private readonly stampTimes: boolean,
  ) {
    this.pool = new SlotPool(sqSize, this);
    this.done = new Completer(this.pool, cq, mempool, waiting, this);
  }

  /**
   * Links the validated SQ `sq` into chains and transactions and starts every chain head
   * (shipping whole chains to their agent where one can take them): the first `n` entries of `sq`.
   */
  submit(sq: readonly IodevSqe[], n: number): void {
    let i = 0;
    while (i < n) {
      const head = sq[i]!;
      let cur = head;
      let txnHead: IodevSqe | null = null;
      for (;;) {
        cur.state = SlotState.Pending;
        this.done.inflight++;
        const f = cur.sqe.flags;
        cur.txnHead = txnHead ?? cur;
        txnHead = f & RTIO_SQE_TRANSACTION ? cur.txnHead : null;
        if (!(f & (RTIO_SQE_CHAINED | RTIO_SQE_TRANSACTION))) break;
        const nxt = sq[++i]!;
        cur.next = nxt;
        cur = nxt;
      }
      cur.next = null;
      i++;
      head.lastResult = 0;
      // A lone SQE without an iodev has nothing to ship.
      const remote = head.next === null && head.sqe.iodev === null ? null : shippableTo(head);
      if (remote === null) {
        this.ready.push(head);
      } else {
        for (let m: IodevSqe | null = head; m !== null; m = m.next) {
          m.state = SlotState.Inflight;
          m.remote = remote;
        }
        remote.submitChain(head, this.done);
      }
    }
    this.drain();
  }

  /** `Rtio.sqeCancel` for slot `s`: 0, `-EALREADY` or `-ENOENT` (see there). */
  cancel(s: IodevSqe): number {
    switch (s.state) {
      case SlotState.Queued:
      case SlotState.Pending:
        s.sqe.flags |= RTIO_SQE_CANCELED;
        return 0;
      case SlotState.Inflight: {
        if (s.remote !== null) {
          s.remote.cancel(s);
          return -EALREADY;
        }
        const head = s.txnHead ?? s;
        if (head.sqe.flags & RTIO_SQE_MULTISHOT) head.cancelRequested = true;
        const iodev = head.sqe.iodev;
        if (iodev === null) {
          this.complete(head, -ECANCELED, Completion.Err);
          return 0;
        }
        if (iodev.cancel !== undefined && iodev.cancel(head)) {
          this.disarm(head);
          this.done.finish(head, -ECANCELED, head, SlotsAfter.Free);
          this.drain();
          return 0;
        }
        return -EALREADY;
      }
      default:
        return -ENOENT;
    }
  }

  /**
   * @internal Entry point of `iodevSqeOk`/`iodevSqeErr`. The usual completion (a lone SQE in
   * flight that succeeded, with nothing armed and one CQE to post) goes straight to the
   * completer; any other through {@link Executor.completeAny}.
   */
  complete(s: IodevSqe, result: number, how: Completion): void {
    if (how === Completion.Ok && result >= 0 && s.txnHead === s && s.state === SlotState.Inflight && s.timer === 0 &&
      s.delayTimer === 0 && s.rendezvous === null && (s.sqe.flags & NOT_ONE_CQE) === 0) {
      this.done.finishOne(s, result);
      this.drain();
      return;
    }
    this.completeAny(s, result, how);
  }

  private completeAny(s: IodevSqe, result: number, how: Completion): void {
    const head = s.txnHead ?? s;
    if (s.state === SlotState.Zombie || head.state !== SlotState.Inflight) {
      this.completeNotInFlight(s, head);
      return;
    }
    if (head.timer !== 0 || head.delayTimer !== 0 || head.rendezvous !== null) this.disarm(head);
    const failed = how === Completion.Err || result < 0;
    this.done.finish(head, result, failed ? s : null, SlotsAfter.Free);
    this.drain();
  }

  /** A completion of `s` (of the unit headed by `head`) that is not in flight: a zombie let go, or a stray. */
  private completeNotInFlight(s: IodevSqe, head: IodevSqe): void {
    if (s.state === SlotState.Zombie) this.done.reapZombie(s);
    else if (head.state === SlotState.Zombie) this.done.reapZombie(head);
    else this.done.strayCompletions++;
  }

  /** @internal Implements `sqeRxBuf`. */
  rxBuf(s: IodevSqe, minLen: number, maxLen: number): Uint8Array | number {
    const sqe = s.sqe;
    if (!(sqe.flags & RTIO_SQE_MEMPOOL_BUFFER)) {
      return sqe.buf !== null && sqe.bufLen >= minLen ? sqe.buf.subarray(0, sqe.bufLen) : -ENOMEM;
    }
    if (sqe.buf !== null) return sqe.buf.length >= minLen ? sqe.buf : -ENOMEM;
    if (this.mempool === null) return -ENOMEM;
    const buf = this.mempool.alloc(minLen, maxLen);
    if (typeof buf === 'number') return buf;
    sqe.buf = buf;
    sqe.bufLen = buf.length;
    s.poolBuf = buf;
    return buf;
  }

  /** @internal Wakes async waiters after an out-of-band event (a signal). */
  stepWake(): void {
    if (this.waiting.active) this.waiting.wake();
  }

  /** @internal Starts `s` (a chain member or shot a completion let go), through `ready` while another unit is being started. */
  startNext(s: IodevSqe): void {
    if (this.draining) {
      this.ready.push(s);
      return;
    }
    this.draining = true;
    try {
      this.start(s);
      for (let q = this.ready.shift(); q !== undefined; q = this.ready.shift()) this.start(q);
    } finally {
      this.draining = false;
    }
  }

  private drain(): void {
    if (this.draining || this.ready.length === 0) return;
    this.draining = true;
    try {
      for (let s = this.ready.shift(); s !== undefined; s = this.ready.shift()) this.start(s);
    } finally {
      this.draining = false;
    }
  }

  /**
   * Starts the unit headed by `s`. The usual unit (one SQE, no timeout, nothing stamped or
   * watched) takes this short path, so that the engine can inline the whole submit-to-CQE path
   * into its caller; every other goes through {@link Executor.startAny}.
   */
  private start(s: IodevSqe): void {
    const sqe = s.sqe;
    s.state = SlotState.Inflight;
    if ((sqe.flags & (RTIO_SQE_CANCELED | RTIO_SQE_TRANSACTION)) !== 0 || s.cancelRequested || sqe.timeoutMs > 0 ||
      this.stampTimes || rtioObservers.current !== null) {
      this.startAny(s);
      return;
    }
    const iodev = sqe.iodev;
    if (iodev === null) {
      // A NOP just started has nothing armed, and `s` heads its unit: straight to the completer.
      if (sqe.op === RTIO_OP_NOP) this.done.finish(s, 0, null, SlotsAfter.Free);
      else this.startExecutorOp(s);
      return;
    }
    this.waiting.watch(iodev.clock ?? this.clock);
    // Written out as in startAny: a helper here cost the completion path its inlining (perf, ~4 %).
    try {
      iodev.submit(s);
    } catch (e) {
      this.submitThrew(s, e);
    }
  }

  /** {@link Executor.start} of any unit: cancelled or a transaction, with a timeout, stamped, or watched by an observer. */
  private startAny(s: IodevSqe): void {
    const sqe = s.sqe;
    if ((sqe.flags & (RTIO_SQE_CANCELED | RTIO_SQE_TRANSACTION)) !== 0 || s.cancelRequested) {
      if (this.canceledAtStart(s)) return;
    }
    if (this.stampTimes) this.stamp(s);
    const iodev = sqe.iodev;
    if (iodev === null) {
      if (sqe.op === RTIO_OP_NOP && sqe.timeoutMs === 0) {
        // What `complete(s, 0, Ok)` would do for a NOP just started: nothing is armed, and `s`
        // heads its unit and is in flight, so it goes straight to the completer.
        this.done.finish(s, 0, null, SlotsAfter.Free);
      } else {
        this.startExecutorOp(s);
      }
      return;
    }
    const clock = iodev.clock ?? this.clock;
    // A remote iodev's unit carries its timeout to the agent, which keeps the device's time.
    if (sqe.timeoutMs > 0 && iodev.remote === undefined) {
      s.timer = clock.setTimer(clock.now() + sqe.timeoutMs, this.timeoutFn, s);
    }
    this.waiting.watch(clock);
    rtioObservers.current?.started(this.context, s);
    try {
      iodev.submit(s);
    } catch (e) {
      this.submitThrew(s, e);
    }
  }

  /** Marks the members of `s`'s transaction in flight; true when the unit was cancelled (and is now completed with `-ECANCELED`). */
  private canceledAtStart(s: IodevSqe): boolean {
    let canceled = (s.sqe.flags & RTIO_SQE_CANCELED) !== 0 || s.cancelRequested;
    for (let m = s; m.sqe.flags & RTIO_SQE_TRANSACTION && m.next !== null; ) {
      m = m.next;
      m.state = SlotState.Inflight;
      if (m.sqe.flags & RTIO_SQE_CANCELED) canceled = true;
    }
    if (canceled) this.done.finish(s, -ECANCELED, s, SlotsAfter.Free);
    return canceled;
  }

  /** Stamps the start time on every member of the unit headed by `s`. */
  private stamp(s: IodevSqe): void {
    const now = this.clock.now();
    for (let m: IodevSqe | null = s; m !== null; m = m.sqe.flags & RTIO_SQE_TRANSACTION ? m.next : null) unitTimes(m).startedAt = now;
  }

  /** An iodev's `submit` threw: a driver bug, kept in {@link Executor.iodevErrors}; the SQE fails with `-EIO`. */
  private submitThrew(s: IodevSqe, e: unknown): void {
    this.iodevErrors.push(e);
    if (s.state === SlotState.Inflight) this.complete(s, -EIO, Completion.Err);
  }

  /** Runs an executor op (no iodev): NOP with a timeout, CALLBACK, DELAY, AWAIT. */
  private startExecutorOp(s: IodevSqe): void {
    const sqe = s.sqe;
    if (sqe.timeoutMs > 0) s.timer = this.clock.setTimer(this.clock.now() + sqe.timeoutMs, this.timeoutFn, s);
    switch (sqe.op) {
      case RTIO_OP_NOP:
        this.complete(s, 0, Completion.Ok);
        return;
      case RTIO_OP_CALLBACK:
        try {
          sqe.callback!(this.context as never, sqe, s.lastResult, sqe.arg0);
        } catch (e) {
          this.callbackErrors.push(e);
          this.complete(s, -EIO, Completion.Err);
          return;
        }
        this.complete(s, 0, Completion.Ok);
        return;
      case RTIO_OP_DELAY:
        s.delayTimer = this.clock.setTimer(this.clock.now() + sqe.delayMs, this.delayFn, s);
        return;
      case RTIO_OP_AWAIT:
        iodevSqeAwaitSignal(s, this.awaitFn, undefined);
        return;
      default:
        this.complete(s, -EINVAL, Completion.Err);
    }
  }

  private delayDone(s: IodevSqe): void {
    s.delayTimer = 0;
    this.complete(s, 0, Completion.Ok);
  }

  private disarm(s: IodevSqe): void {
    if (s.timer !== 0) {
      (s.sqe.iodev?.clock ?? this.clock).clearTimer(s.timer);
      s.timer = 0;
    }
    if (s.delayTimer !== 0) {
      this.clock.clearTimer(s.delayTimer);
      s.delayTimer = 0;
    }
    if (s.rendezvous !== null) s.rendezvous.cb = null;
  }

  private timeoutFired(s: IodevSqe): void {
    s.timer = 0;
    if (s.state !== SlotState.Inflight) return;
    this.disarm(s);
    const iodev = s.sqe.iodev;
    const dropped = iodev === null || (iodev.cancel !== undefined && iodev.cancel(s));
    this.done.finish(s, -ETIMEDOUT, s, dropped ? SlotsAfter.Free : SlotsAfter.Zombie);
    this.drain();
  }
}
