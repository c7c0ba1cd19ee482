import type { VirtualClock } from '../../clock';
import {
  ECANCELED, ENOTSUP, iodevSqeAwaitSignal, iodevSqeErr, iodevSqeOk, RTIO_OP_AWAIT, RTIO_OP_NOP,
  txnSetResult,
} from '../../rtio';
import { Ring } from '../../rtio/ring';
import type { Iodev, IodevSqe } from '../../rtio';
import type { Fault } from '../../target/faults';
import { FaultInjector } from '../faults';

/** How a unit of work ended: its result, after how long, and which member failed. */
export interface Outcome {
  /** Head result: bytes moved or 0, or a negative errno. */
  readonly result: number;
  /** Virtual ms from start to completion (bus time plus any injected delay). */
  readonly durationMs: number;
  /** On failure, the transaction member that failed (default: the head). */
  readonly failAt?: IodevSqe;
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
  private readonly queue = new Ring<IodevSqe>(8);
  private current: IodevSqe | null = null;
  private currentStarted = false;
  /** The `delay` fault of the current unit, in ms, added when it is scheduled to complete. */
  private currentDelayMs = 0;
  private timer = 0;
  private readonly finishFn = (o: Outcome): void => this.finish(o);

  /** `name` as in the board's iodev table; `clock` is the board's virtual clock. */
  constructor(readonly name: string, readonly clock: VirtualClock) {}

  /** Units queued or running. */
  get depth(): number {
    return this.queue.length + (this.current === null ? 0 : 1);
  }

  submit(iodevSqe: IodevSqe): void {
    this.queue.push(iodevSqe);
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
    const n = this.queue.length;
    let found = false;
    for (let i = 0; i < n; i++) {
      const s = this.queue.shift()!;
      if (s === iodevSqe && !found) found = true;
      else this.queue.push(s);
    }
    return found;
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
    const head = this.queue.shift();
    if (head === undefined) return;
    this.current = head;
    this.currentStarted = true;
    this.currentDelayMs = 0;
    const op = head.sqe.op;
    if (op === RTIO_OP_AWAIT) {
      this.currentStarted = false;
      iodevSqeAwaitSignal(head, () => this.resume({ result: 0, durationMs: 0 }), undefined);
      return;
    }
    if (op === RTIO_OP_NOP && !this.beginsNop) {
      this.schedule({ result: 0, durationMs: 0 });
      return;
    }
    const fault = this.faults.take();
    if (fault !== null && fault.kind === 'delay') this.currentDelayMs = fault.ms;
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
    this.timer = this.clock.setTimer(at, this.finishFn, o);
  }

  private finish(o: Outcome): void {
    this.timer = 0;
    const head = this.current;
    this.current = null;
    if (head !== null) {
      if (o.result >= 0) iodevSqeOk(head, o.result);
      else iodevSqeErr(o.failAt ?? head, o.result);
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
