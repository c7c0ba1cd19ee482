/**
 * An RTIO context (Zephyr's `struct rtio`): the SQE pool and the SQ, the completion queue, an
 * optional mempool, and the executor that runs what is submitted. This module is the API; the
 * parts live next to it: slot-pool.ts, completion-queue.ts, validation.ts, executor.ts,
 * completer.ts, remote-shipping.ts and waiting.ts.
 */
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import {
  RTIO_CQE_FLAG_GET, RTIO_CQE_FLAG_MEMPOOL_BUFFER, RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT,
  RTIO_CQE_FLAG_MEMPOOL_GET_BLK_IDX,
} from './constants';
import { CompletionQueue } from './completion-queue';
import type { Cqe, CqeData } from './cqe';
import { EBUSY, ENOMEM, ETIMEDOUT } from './errno';
import { Executor } from './executor';
import { Mempool } from './mempool';
import { rtioObservers } from './observer';
import type { MempoolOptions } from './mempool';
import type { SlotPool } from './slot-pool';
import { Sqe, sqeCopy } from './sqe';
import type { IodevSqe } from './sqe';
import { validateQueue } from './validation';
import { Waiting, checkTimeout } from './waiting';

/** Options of `new Rtio(...)`, Zephyr's `RTIO_DEFINE` / `RTIO_DEFINE_WITH_MEMPOOL` arguments. */
export interface RtioOptions {
  /** SQE pool size: how many SQEs can be acquired or in flight at once (1..65535). */
  readonly sqSize: number;
  /** CQE pool size: how many completions can wait to be consumed (1..65535); more overflow. */
  readonly cqSize: number;
  /** Optional block pool for `RTIO_SQE_MEMPOOL_BUFFER` reads. */
  readonly mempool?: MempoolOptions;
  /**
   * Time base of executor timers (DELAY, timeouts of executor ops, wait timeouts). Default: the
   * wall clock. Pass `target.clock` to run them on the target's (for the emulator, virtual) time.
   */
  readonly clock?: Clock;
  /**
   * Stamp each unit's start and each CQE's posting with `clock`'s time, for an agent built on this
   * context to report as device times (docs/wire.md). Default false: nothing reads the clock for it.
   */
  readonly stampTimes?: boolean;
}

/** Called after each completion is posted (Zephyr's `rtio_set_cqe_callback`). */
export type RtioCqeCallback = (r: Rtio, userData: unknown) => void;

/** Largest `sqSize` / `cqSize`, as Zephyr's 16-bit pool counters. */
export const RTIO_MAX_QUEUE_SIZE = 65535;

const RESOLVED_ZERO: Promise<number> = Promise.resolve(0);
const RESOLVED_EBUSY: Promise<number> = Promise.resolve(-EBUSY);

/**
 * An RTIO context (Zephyr's `struct rtio`): a pool of SQEs, a completion queue with its CQE
 * pool and overflow list, an optional mempool, and the executor that runs submitted chains.
 *
 * Differences from Zephyr's current code, all following its documentation or io_uring (see
 * docs/semantics.md): every SQE yields exactly one CQE unless it has `RTIO_SQE_NO_RESPONSE`
 * (cancelled ones complete with `-ECANCELED`); a failed chain member cancels the rest of the
 * chain; a full CQ overflows into a counted list instead of dropping completions.
 */
export class Rtio {
  /** SQE pool size. */
  readonly sqSize: number;
  /** CQE pool size. */
  readonly cqSize: number;
  /** Clock of executor timers and wait timeouts. */
  readonly clock: Clock;
  /** The mempool, or null when the context has none. */
  readonly mempool: Mempool | null;
  /** Exceptions thrown by CALLBACK functions (each completed its SQE with `-EIO`). */
  readonly callbackErrors: unknown[];
  /** Exceptions thrown by an iodev's `submit` (each completed its SQE with `-EIO`): a driver bug. */
  readonly iodevErrors: unknown[];

  private readonly pool: SlotPool;
  /** The SQ: acquired, unsubmitted SQEs in `sq[0..sqLen)` (the array keeps its length: popping and pushing would let the engine shrink and regrow it every batch). */
  private readonly sq: IodevSqe[] = [];
  private sqLen = 0;
  private readonly cq: CompletionQueue;
  private readonly executor: Executor;
  private readonly waiting: Waiting;

  /** Throws `RangeError` naming the option when a size or the mempool geometry is invalid. */
  constructor(opts: RtioOptions) {
    for (const key of ['sqSize', 'cqSize'] as const) {
      const v = opts[key];
      if (!Number.isInteger(v) || v < 1 || v > RTIO_MAX_QUEUE_SIZE) {
        throw new RangeError(`"${key}" must be an integer 1..${RTIO_MAX_QUEUE_SIZE}, got ${String(v)}`);
      }
    }
    this.sqSize = opts.sqSize;
    this.cqSize = opts.cqSize;
    this.clock = opts.clock ?? systemClock;
    this.mempool = opts.mempool === undefined ? null : new Mempool(opts.mempool);
    this.waiting = new Waiting(this.clock);
    this.cq = new CompletionQueue(opts.cqSize, this, this.waiting, () => this.clock.now());
    this.executor = new Executor(this, this.clock, opts.sqSize, this.cq, this.mempool, this.waiting, opts.stampTimes === true);
    this.pool = this.executor.pool;
    this.callbackErrors = this.executor.callbackErrors;
    this.iodevErrors = this.executor.iodevErrors;
  }

  /** Completion events so far (posted or overflowed), Zephyr's `cq_count`. */
  get cqCount(): number {
    return this.cq.count;
  }

  /** Completions that found the CQ full and went to the overflow list (Zephyr's `xcqcnt`, but none is lost). */
  get cqOverflowCount(): number {
    return this.cq.overflowCount;
  }

  /** Completions an iodev or agent reported for an SQE that was not running: a driver bug. */
  get strayCompletions(): number {
    return this.executor.done.strayCompletions;
  }

  // ---------------------------------------------------------------- submission queue

  /** SQEs that can be acquired now (Zephyr's `rtio_sqe_acquirable`). */
  sqeAcquirable(): number {
    return this.pool.available;
  }

  /** SQEs submitted and not yet completed (multishots count until their final CQE). */
  get inflight(): number {
    return this.executor.done.inflight;
  }

  /**
   * Takes a cleared SQE from the pool and queues it for the next `submit`, in acquire order.
   * Returns null when the pool is empty (the SQ is full).
   */
  sqeAcquire(): Sqe | null {
    const s = this.pool.acquire();
    if (s === null) return null;
    rtioObservers.current?.acquired(this);
    this.sq[this.sqLen++] = s;
    return s.sqe;
  }

  /** Acquires `n` SQEs, all or none (Zephyr's `rtio_sqe_acquire_array`); null when fewer are free. */
  sqeAcquireArray(n: number): Sqe[] | null {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`"n" must be a non-negative integer, got ${n}`);
    if (this.pool.available < n) return null;
    const out: Sqe[] = [];
    for (let i = 0; i < n; i++) out.push(this.sqeAcquire()!);
    return out;
  }

  /** Returns every acquired, unsubmitted SQE to the pool (Zephyr's `rtio_sqe_drop_all`). */
  sqeDropAll(): void {
    for (let i = 0; i < this.sqLen; i++) this.pool.release(this.sq[i]!);
    this.sqLen = 0;
  }

  /**
   * Copies `sqes` (built with `new Sqe()` and the prep helpers) into acquired SQEs, all or none.
   * Returns 0, or `-ENOMEM` when fewer than `sqes.length` are free (Zephyr's `rtio_sqe_copy_in`).
   */
  sqeCopyIn(sqes: readonly Sqe[]): number {
    return this.sqeCopyInGetHandles(sqes) === null ? -ENOMEM : 0;
  }

  /** Like {@link sqeCopyIn}, returning the acquired SQEs (handles for `sqeCancel`), or null for `-ENOMEM`. */
  sqeCopyInGetHandles(sqes: readonly Sqe[]): Sqe[] | null {
    if (!Array.isArray(sqes)) throw new TypeError('"sqes" must be an array of Sqe');
    sqes.forEach((src, i) => {
      if (!(src instanceof Sqe)) throw new TypeError(`"sqes[${i}]" is not an Sqe`);
    });
    const handles = this.sqeAcquireArray(sqes.length);
    if (handles === null) return null;
    handles.forEach((dst, i) => sqeCopy(dst, sqes[i]!));
    return handles;
  }

  /**
   * Starts every queued SQE, then waits until `waitCount` completions have been posted since
   * the call (Zephyr's `rtio_submit`). Resolves 0, `-ETIMEDOUT` when `timeoutMs` (on the
   * context's clock) passes first, or `-EBUSY` without starting anything while completions wait
   * in the overflow list (consume and release CQEs, then submit again).
   *
   * Throws synchronously (`TypeError`/`RangeError` naming the SQE and field) when a queued SQE
   * is invalid; then nothing starts and the SQ is left as it was.
   */
  submit(waitCount = 0, timeoutMs?: number): Promise<number> {
    if (!Number.isInteger(waitCount) || waitCount < 0 || timeoutMs !== undefined) checkWait(waitCount, timeoutMs);
    if (this.cq.overflowPending > 0) return RESOLVED_EBUSY;
    validateQueue(this.sq, this.sqLen, this.mempool !== null);
    const start = this.cq.count;
    const n = this.sqLen;
    this.sqLen = 0;
    rtioObservers.current?.submitted(this, this.sq.slice(0, n));
    this.executor.submit(this.sq, n);
    // Executor ops complete within submit: often there is nothing to wait for.
    if (this.cq.count - start >= waitCount) return RESOLVED_ZERO;
    if (timeoutMs === undefined && this.waiting.reachedCount(this.cq, start + waitCount)) return RESOLVED_ZERO;
    const enough = (): boolean => this.cq.count - start >= waitCount;
    return this.waiting.until(enough, timeoutMs).then((ok) => (ok ? 0 : -ETIMEDOUT));
  }

  /**
   * Cancels an SQE (Zephyr's `rtio_sqe_cancel`, with a result as io_uring's async cancel):
   * - 0: it had not started (or was a multishot between shots, or its iodev dropped it); it
   *   completes with `-ECANCELED`, and so does the rest of its chain;
   * - `-EALREADY`: it is running; it completes as its iodev decides (a multishot stops after the
   *   running shot, whose CQE carries `-ECANCELED`);
   * - `-ENOENT`: it already completed.
   * Throws `TypeError` for an SQE that does not belong to this context.
   */
  sqeCancel(sqe: Sqe): number {
    const s = sqe instanceof Sqe ? sqe.slot : null;
    if (s === null || s.r !== this.executor) throw new TypeError('"sqe" is not an SQE of this context');
    const result = this.executor.cancel(s);
    rtioObservers.current?.canceled(this, s, result);
    return result;
  }

  // ---------------------------------------------------------------- completion queue

  /** Takes the oldest completion, or null if none is ready (Zephyr's `rtio_cqe_consume`). */
  cqeConsume(): Cqe | null {
    const c = this.cq.consume();
    if (c !== null) rtioObservers.current?.consumed(this, c.result);
    return c;
  }

  /**
   * Waits for a completion and takes it (Zephyr's `rtio_cqe_consume_block`). Resolves null only
   * when `timeoutMs` (context clock) passes first. Throws `RangeError` when every CQE is held
   * unreleased while completions overflow, which could never end.
   */
  async cqeConsumeBlock(timeoutMs?: number): Promise<Cqe | null> {
    checkTimeout(timeoutMs);
    const deadline = timeoutMs === undefined ? Infinity : this.clock.now() + timeoutMs;
    for (;;) {
      const c = this.cq.consume();
      if (c !== null) return c;
      if (this.cq.overflowPending > 0) {
        throw new RangeError(`all ${this.cqSize} CQEs are consumed and unreleased while completions overflow; call cqeRelease`);
      }
      const left = deadline - this.clock.now();
      if (left <= 0 && timeoutMs !== undefined) return null;
      const ok = await this.waiting.until(() => this.cq.ready > 0, deadline === Infinity ? undefined : left);
      if (!ok) return this.cq.consume();
    }
  }

  /** Gives a consumed CQE back to the pool (Zephyr's `rtio_cqe_release`); an overflowed completion takes its place. */
  cqeRelease(cqe: Cqe): void {
    this.cq.release(cqe);
  }

  /**
   * Consumes up to `n` completions as plain data, releasing each CQE (Zephyr's
   * `rtio_cqe_copy_out`). `timeoutMs` is a total deadline on the context's clock (default: wait
   * for all `n`); 0 takes only what is ready. Resolves with what was copied (0..n entries).
   */
  async cqeCopyOut(n: number, timeoutMs?: number): Promise<CqeData[]> {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`"n" must be a non-negative integer, got ${n}`);
    checkTimeout(timeoutMs);
    const deadline = timeoutMs === undefined ? Infinity : this.clock.now() + timeoutMs;
    const out: CqeData[] = [];
    while (out.length < n) {
      let c = this.cq.consume();
      if (c === null) {
        const left = deadline - this.clock.now();
        if (timeoutMs !== undefined && left <= 0) break;
        c = await this.cqeConsumeBlock(deadline === Infinity ? undefined : left);
        if (c === null) break;
      }
      out.push({ result: c.result, userdata: c.userdata, flags: c.flags });
      this.cq.release(c);
    }
    return out;
  }

  /**
   * Waits until no SQE is in flight: every submitted SQE completed, `RTIO_SQE_NO_RESPONSE` ones
   * (which post nothing) included (an rtio-hil addition). Resolves true, or false when
   * `timeoutMs` (on the context's clock) passes first.
   */
  waitIdle(timeoutMs?: number): Promise<boolean> {
    checkTimeout(timeoutMs);
    return this.waiting.until(() => this.executor.done.inflight === 0, timeoutMs);
  }

  /** Consumes and releases every ready CQE; returns the first negative result seen, else 0. */
  flushCompletionQueue(): number {
    let first = 0;
    for (let c = this.cq.consume(); c !== null; c = this.cq.consume()) {
      if (first === 0 && c.result < 0) first = c.result;
      this.cq.release(c);
    }
    return first;
  }

  /** Completions waiting in the overflow list because every CQE was in use. */
  get cqOverflowPending(): number {
    return this.cq.overflowPending;
  }

  /** Completions ready to consume (not counting the overflow list). */
  get cqReady(): number {
    return this.cq.ready;
  }

  /** CQEs in the pool, neither queued nor held by the user. */
  cqeAvailable(): number {
    return this.cq.available;
  }

  /** Posts a completion (Zephyr's `rtio_cqe_submit`); into the overflow list when no CQE is free. */
  cqeSubmit(result: number, userdata: unknown, flags: number): void {
    this.cq.post(result, userdata, flags, null);
  }

  /** Calls `cb(r, userData)` after every posted completion; null removes it. */
  setCqeCallback(cb: RtioCqeCallback | null, userData?: unknown): void {
    this.cq.afterPost = cb === null ? null : () => cb(this, userData);
  }

  // ---------------------------------------------------------------- mempool

  /** Block size of the mempool, or 0 without one (Zephyr's `rtio_mempool_block_size`). */
  mempoolBlockSize(): number {
    return this.mempool === null ? 0 : this.mempool.blockSize;
  }

  /**
   * The mempool buffer a CQE carries (Zephyr's `rtio_cqe_get_mempool_buffer`), block-rounded;
   * `cqe.result` says how many bytes are valid. Empty when no block was allocated. Throws
   * `TypeError` when the CQE carries no mempool buffer or the context has no mempool.
   */
  cqeGetMempoolBuffer(cqe: CqeData): Uint8Array {
    if (this.mempool === null) throw new TypeError('this context has no mempool ("mempool" option)');
    if (!(RTIO_CQE_FLAG_GET(cqe.flags) & RTIO_CQE_FLAG_MEMPOOL_BUFFER)) {
      throw new TypeError('"cqe" carries no mempool buffer (RTIO_CQE_FLAG_MEMPOOL_BUFFER not set)');
    }
    return this.mempool.view(RTIO_CQE_FLAG_MEMPOOL_GET_BLK_IDX(cqe.flags), RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT(cqe.flags));
  }

  /** Returns a mempool buffer (Zephyr's `rtio_release_buffer`); empty buffers are ignored. Throws `RangeError` on a double release. */
  releaseBuffer(buf: Uint8Array): void {
    if (this.mempool === null) throw new TypeError('this context has no mempool ("mempool" option)');
    if (buf.length === 0) return;
    rtioObservers.current?.released(this, buf);
    this.mempool.release(buf);
  }
}

/** Throws `RangeError` naming the argument when `waitCount` or `timeoutMs` of a submit is invalid. */
function checkWait(waitCount: number, timeoutMs: number | undefined): void {
  if (!Number.isInteger(waitCount) || waitCount < 0) {
    throw new RangeError(`"waitCount" must be a non-negative integer, got ${waitCount}`);
  }
  checkTimeout(timeoutMs);
}
