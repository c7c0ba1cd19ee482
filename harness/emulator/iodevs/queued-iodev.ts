import type { VirtualClock } from '../../clock';
// The modules themselves rather than the rtio barrel: these run for every unit.
import { RTIO_OP_AWAIT, RTIO_OP_NOP } from '../../rtio/constants';
import { ECANCELED, ENOTSUP } from '../../rtio/errno';
import { iodevSqeAwaitSignal, iodevSqeErr, iodevSqeOk, txnSetResult } from '../../rtio/iodev';
import type { Iodev, IodevSqe } from '../../rtio/sqe';
import type { Fault } from '../../target/faults';
import { FaultInjector } from '../faults';

/** How a unit of work ended: its result, after how long, and which member failed. */
export interface Outcome {
  /** Head result: bytes moved or 0, or a negative errno. */
  readonly result: number;
  /** Virtual ms from start to completion (bus time plus any injected delay). */
  readonly durationMs: number;
  /** On failure, the transaction member that failed (default: the head). */
  readonly failAt?: IodevSqe | undefined;
}

/**
 * Base of the emulated iodevs: a FIFO of submitted units run one at a time on a virtual clock,
 * like a Zephyr bus driver's queue. Subclasses implement {@link QueuedIodev.begin}; the base
 * handles NOP, AWAIT (the bus is held until the signal), fault lookup, completion timing,
 * per-member results and the cancel hook.
 */
export abstract class QueuedIodev implements Iodev {
  /** Faults to apply to the next operations. */
  readonly faults = new FaultInjector();
  /** The FIFO of units waiting to start, linked through their `q`. */
  private queueHead: IodevSqe | null = null;
  private queueTail: IodevSqe | null = null;
  private queued = 0;
  private current: IodevSqe | null = null;
  private currentStarted = false;
  /** The `delay` fault of the current unit, in ms, added when it is scheduled to complete. */
  private currentDelayMs = 0;
  private timer = 0;
  /** The outcome of the current unit once scheduled: copied out of the {@link Outcome}, which is not kept. */
  private doneResult = 0;
  private doneFailAt: IodevSqe | null = null;
  private readonly reusedOutcome: { result: number; durationMs: number; failAt: IodevSqe | undefined } = {
    result: 0, durationMs: 0, failAt: undefined,
  };

  /** `name` as in the board's iodev table; `clock` is the board's virtual clock. */
  constructor(readonly name: string, readonly clock: VirtualClock) {}

  /** Units queued or running. */
  get depth(): number {
    return this.queued + (this.current === null ? 0 : 1);
  }

  submit(iodevSqe: IodevSqe): void {
    // An idle iodev starts the unit without passing it through the FIFO (which is then empty).
    if (this.current === null && this.queued === 0) {
      this.startUnit(iodevSqe);
      return;
    }
    if (this.queueTail === null) this.queueHead = iodevSqe;
    else this.queueTail.q = iodevSqe;
    this.queueTail = iodevSqe;
    this.queued++;
    if (this.current === null) this.startNext();
  }

  cancel(iodevSqe: IodevSqe): boolean {
    if (iodevSqe === this.current) {
      if (this.currentStarted) return false;
      this.abortWaiting();
      this.current = null;
      this.startNextLater();
      return true;
    }
    for (let prev: IodevSqe | null = null, s = this.queueHead; s !== null; prev = s, s = s.q) {
      if (s !== iodevSqe) continue;
      if (prev === null) this.queueHead = s.q;
      else prev.q = s.q;
      if (this.queueTail === s) this.queueTail = prev;
      s.q = null;
      this.queued--;
      return true;
    }
    return false;
  }

  /**
   * Runs the unit headed by `head` (walk members with `txnNext`). Either return its
   * {@link Outcome}, or return null, leave the unit waiting for an event (data, an edge) and
   * call {@link QueuedIodev.resume} when it comes; while waiting the unit counts as not started,
   * so a cancel drops it (override {@link QueuedIodev.abortWaiting} to clear what it armed).
   */
  protected abstract begin(head: IodevSqe, fault: Fault | null): Outcome | null;

  /** Clears whatever a waiting unit armed; called when a cancel drops it. */
  protected abortWaiting(): void {}

  /**
   * Whether NOPs go to {@link QueuedIodev.begin} like other ops (default false: the base
   * completes them with 0 at the next clock step). The test iodev scripts its NOPs.
   */
  protected get beginsNop(): boolean {
    return false;
  }

  /**
   * An {@link Outcome} of `result` after `durationMs` (failing at `failAt`), in one object the
   * iodev reuses: return it from `begin` or pass it to `resume` at once (both read it before
   * anything else can run), so that a unit allocates nothing to say how it ended.
   */
  protected outcome(result: number, durationMs: number, failAt: IodevSqe | null = null): Outcome {
    const o = this.reusedOutcome;
    o.result = result;
    o.durationMs = durationMs;
    o.failAt = failAt ?? undefined;
    return o;
  }

  /** The unit currently running or waiting, if any. */
  protected get running(): IodevSqe | null {
    return this.current;
  }

  /** Completes the waiting unit with `o` (after `o.durationMs`). */
  protected resume(o: Outcome): void {
    this.currentStarted = true;
    this.schedule(o);
  }

  private startNext(): void {
    const head = this.queueHead;
    if (head === null) return;
    this.queueHead = head.q;
    if (head.q === null) this.queueTail = null;
    head.q = null;
    this.queued--;
    this.startUnit(head);
  }

  /** Starts the unit headed by `head`: the usual unit (a transfer, no fault armed) here, any other in {@link QueuedIodev.startAnyUnit}. */
  private startUnit(head: IodevSqe): void {
    this.current = head;
    this.currentStarted = true;
    this.currentDelayMs = 0;
    const op = head.sqe.op;
    if (op === RTIO_OP_AWAIT || op === RTIO_OP_NOP || this.faults.armed > 0) {
      this.startAnyUnit(head);
      return;
    }
    this.runUnit(head, null);
  }

  private startAnyUnit(head: IodevSqe): void {
    const op = head.sqe.op;
    if (op === RTIO_OP_AWAIT || (op === RTIO_OP_NOP && !this.beginsNop)) {
      this.startOwnOp(head);
      return;
    }
    const fault = this.faults.take();
    if (fault !== null && fault.kind === 'delay') this.currentDelayMs = fault.ms;
    this.runUnit(head, fault);
  }

  /** The ops the base runs itself: AWAIT holds the iodev until signalled; a NOP completes with 0 at the next step. */
  private startOwnOp(head: IodevSqe): void {
    if (head.sqe.op === RTIO_OP_NOP) {
      this.schedule(this.outcome(0, 0));
      return;
    }
    this.currentStarted = false;
    iodevSqeAwaitSignal(head, () => this.resume({ result: 0, durationMs: 0 }), undefined);
  }

  /**
   * Runs {@link QueuedIodev.begin} and schedules the outcome, or leaves the unit waiting (not
   * started) when it has none yet. A throw leaves the iodev idle (a driver bug the executor reports).
   */
  private runUnit(head: IodevSqe, fault: Fault | null): void {
    let o: Outcome | null;
    try {
      o = this.begin(head, fault);
    } catch (e) {
      this.current = null;
      throw e;
    }
    if (o === null) {
      this.currentStarted = false;
      return;
    }
    this.schedule(o);
  }

  /** Completes the current unit after `o.durationMs` plus any injected delay, whether it waited or not. */
  private schedule(o: Outcome): void {
    const at = this.clock.now() + Math.max(0, o.durationMs) + this.currentDelayMs;
    this.currentDelayMs = 0;
    this.doneResult = o.result;
    this.doneFailAt = o.failAt ?? null;
    this.timer = this.clock.setTimer(at, finishUnit, this);
  }

  /** @internal The current unit's completion time came: complete it and start the next. */
  finish(): void {
    this.timer = 0;
    const head = this.current;
    const result = this.doneResult;
    const failAt = this.doneFailAt;
    this.current = null;
    this.doneFailAt = null;
    if (head !== null) {
      if (result >= 0) iodevSqeOk(head, result);
      else iodevSqeErr(failAt ?? head, result);
    }
    if (this.current === null) this.startNext();
  }

  private startNextLater(): void {
    if (this.timer !== 0) {
      this.clock.clearTimer(this.timer);
      this.timer = 0;
    }
    this.clock.setTimer(this.clock.now(), () => {
      if (this.current === null) this.startNext();
    }, undefined);
  }
}

/** The timer function of every queued iodev (one function, so the clock's call site stays monomorphic). */
function finishUnit(iodev: QueuedIodev): void {
  iodev.finish();
}

/** Records `result` on a transaction member (its own byte count). */
export function memberResult(member: IodevSqe, result: number): void {
  txnSetResult(member, result);
}

/** Outcome of an op the iodev does not support. */
export function unsupported(): Outcome {
  return { result: -ENOTSUP, durationMs: 0 };
}

/** Outcome of a unit dropped by its iodev. */
export function canceled(): Outcome {
  return { result: -ECANCELED, durationMs: 0 };
}
