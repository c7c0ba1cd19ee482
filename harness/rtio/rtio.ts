import type { Clock } from '../clock';
import { VirtualClock, systemClock } from '../clock';
import {
  RTIO_CQE_FLAG_MORE, RTIO_CQE_FLAG_PREP_MEMPOOL, RTIO_OP_AWAIT, RTIO_OP_CALLBACK, RTIO_OP_DELAY,
  RTIO_OP_NOP, RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_OP_TX, RTIO_OP_TXRX, RTIO_OPS, RTIO_SQE_CANCELED,
  RTIO_SQE_CHAINED, RTIO_SQE_MEMPOOL_BUFFER, RTIO_SQE_MULTISHOT, RTIO_SQE_NO_RESPONSE,
  RTIO_SQE_TRANSACTION, RTIO_CQE_FLAG_MEMPOOL_BUFFER, RTIO_CQE_FLAG_GET,
  RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT, RTIO_CQE_FLAG_MEMPOOL_GET_BLK_IDX,
} from './constants';
import { Cqe } from './cqe';
import type { CqeData } from './cqe';
import { EALREADY, EBUSY, ECANCELED, EINVAL, EIO, ENOENT, ENOMEM, ETIMEDOUT } from './errno';
import {
  IodevSqe, NO_RESULT, SLOT_FREE, SLOT_INFLIGHT, SLOT_PENDING, SLOT_QUEUED, SLOT_ZOMBIE,
  iodevSqeAwaitSignal,
} from './iodev';
import type { RemoteCompletion, RemoteExecutor, SqeOwner } from './iodev';
import { Mempool } from './mempool';
import type { MempoolOptions } from './mempool';
import { Ring } from './ring';
import { Sqe, sqeCopy, sqeReset } from './sqe';

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
}

/** Called after each completion is posted (Zephyr's `rtio_set_cqe_callback`). */
export type RtioCqeCallback = (r: Rtio, userData: unknown) => void;

/** Largest `sqSize` / `cqSize`, as Zephyr's 16-bit pool counters. */
export const RTIO_MAX_QUEUE_SIZE = 65535;

/**
 * Virtual-clock steps a wait runs before it yields to Node's event loop once, so a busy
 * emulator never starves I/O or mocha's own timers.
 */
export const RTIO_WAIT_STEPS_PER_YIELD = 100_000;

interface Waiter {
  readonly pred: () => boolean;
  expired: boolean;
  timer: number;
  wake: (() => void) | null;
}

interface Overflowed {
  readonly result: number;
  readonly userdata: unknown;
  readonly flags: number;
}

const RESOLVED_ZERO: Promise<number> = Promise.resolve(0);
const RESOLVED_EBUSY: Promise<number> = Promise.resolve(-EBUSY);

function expire(w: Waiter): void {
  w.expired = true;
  w.timer = 0;
  const wake = w.wake;
  if (wake !== null) {
    w.wake = null;
    wake();
  }
}

/**
 * An RTIO context (Zephyr's `struct rtio`): a pool of SQEs, a completion queue with its CQE
 * pool and overflow list, an optional mempool, and the executor that runs submitted chains.
 *
 * Differences from Zephyr's current code, all following its documentation or io_uring (see
 * docs/semantics.md): every SQE yields exactly one CQE unless it has `RTIO_SQE_NO_RESPONSE`
 * (cancelled ones complete with `-ECANCELED`); a failed chain member cancels the rest of the
 * chain; a full CQ overflows into a counted list instead of dropping completions.
 */
export class Rtio implements SqeOwner, RemoteCompletion {
  /** SQE pool size. */
  readonly sqSize: number;
  /** CQE pool size. */
  readonly cqSize: number;
  /** Clock of executor timers and wait timeouts. */
  readonly clock: Clock;
  /** The mempool, or null when the context has none. */
  readonly mempool: Mempool | null;
  /** Completion events so far (posted or overflowed), Zephyr's `cq_count`. */
  cqCount = 0;
  /** Completions that found the CQ full and went to the overflow list (Zephyr's `xcqcnt`, but none is lost). */
  cqOverflowCount = 0;
  /** Completions an iodev reported for an SQE that was not running: a driver bug. */
  strayCompletions = 0;
  /** Exceptions thrown by CALLBACK functions (each completed its SQE with `-EIO`). */
  readonly callbackErrors: unknown[] = [];
  /** Exceptions thrown by an iodev's `submit` (each completed its SQE with `-EIO`): a driver bug. */
  readonly iodevErrors: unknown[] = [];

  private readonly slots: IodevSqe[] = [];
  private readonly sqeFree: IodevSqe[] = [];
  private readonly sq: IodevSqe[] = [];
  private readonly cqeFree: Cqe[] = [];
  private readonly cq: Ring<Cqe>;
  private readonly overflow = new Ring<Overflowed>(8);
  private readonly ready = new Ring<IodevSqe>(16);
  private draining = false;
  private inflightCount = 0;
  private readonly clocks: VirtualClock[] = [];
  private readonly waiters: Waiter[] = [];
  private cqeCallback: RtioCqeCallback | null = null;
  private cqeCallbackData: unknown = undefined;
  private readonly timeoutFn = (s: IodevSqe): void => this.timeoutFired(s);
  private readonly delayFn = (s: IodevSqe): void => this.delayDone(s);

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
    this.cq = new Ring<Cqe>(opts.cqSize);
    for (let i = 0; i < opts.sqSize; i++) {
      const s = new IodevSqe(this, this.timeoutFn);
      this.slots.push(s);
      this.sqeFree.push(s);
    }
    for (let i = 0; i < opts.cqSize; i++) {
      const c = new Cqe();
      c.owner = this;
      this.cqeFree.push(c);
    }
    if (this.clock instanceof VirtualClock) this.clocks.push(this.clock);
  }

  // ---------------------------------------------------------------- submission queue

  /** SQEs that can be acquired now (Zephyr's `rtio_sqe_acquirable`). */
  sqeAcquirable(): number {
    return this.sqeFree.length;
  }

  /** SQEs submitted and not yet completed (multishots count until their final CQE). */
  get inflight(): number {
    return this.inflightCount;
  }

  /**
   * Takes a cleared SQE from the pool and queues it for the next `submit`, in acquire order.
   * Returns null when the pool is empty (the SQ is full).
   */
  sqeAcquire(): Sqe | null {
    const s = this.sqeFree.pop();
    if (s === undefined) return null;
    s.state = SLOT_QUEUED;
    s.awaitSignaled = false;
    s.awaitCb = null;
    s.cancelRequested = false;
    sqeReset(s.sqe);
    this.sq.push(s);
    return s.sqe;
  }

  /** Acquires `n` SQEs, all or none (Zephyr's `rtio_sqe_acquire_array`); null when fewer are free. */
  sqeAcquireArray(n: number): Sqe[] | null {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`"n" must be a non-negative integer, got ${n}`);
    if (this.sqeFree.length < n) return null;
    const out: Sqe[] = [];
    for (let i = 0; i < n; i++) out.push(this.sqeAcquire()!);
    return out;
  }

  /** Returns every acquired, unsubmitted SQE to the pool (Zephyr's `rtio_sqe_drop_all`). */
  sqeDropAll(): void {
    for (const s of this.sq) this.freeSlot(s);
    this.sq.length = 0;
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
    if (!Number.isInteger(waitCount) || waitCount < 0) {
      throw new RangeError(`"waitCount" must be a non-negative integer, got ${waitCount}`);
    }
    checkTimeout(timeoutMs);
    if (this.overflow.length > 0) return RESOLVED_EBUSY;
    this.validateQueue();
    const start = this.cqCount;
    const sq = this.sq;
    const n = sq.length;
    let i = 0;
    while (i < n) {
      const head = sq[i]!;
      let cur = head;
      let txnHead: IodevSqe | null = null;
      for (;;) {
        cur.state = SLOT_PENDING;
        this.inflightCount++;
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
      const remote = shippableTo(head);
      if (remote === null) {
        this.ready.push(head);
      } else {
        for (let m: IodevSqe | null = head; m !== null; m = m.next) {
          m.state = SLOT_INFLIGHT;
          m.remote = remote;
        }
        remote.submitChain(head, this);
      }
    }
    sq.length = 0;
    this.drain();
    if (waitCount === 0) return RESOLVED_ZERO;
    return this.waitFor(() => this.cqCount - start >= waitCount, timeoutMs).then((ok) => (ok ? 0 : -ETIMEDOUT));
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
    const s = this.ownSlot(sqe, 'sqe');
    switch (s.state) {
      case SLOT_QUEUED:
      case SLOT_PENDING:
        sqe.flags |= RTIO_SQE_CANCELED;
        return 0;
      case SLOT_INFLIGHT: {
        if (s.remote !== null) {
          s.remote.cancel(s);
          return -EALREADY;
        }
        const head = s.txnHead ?? s;
        if (head.sqe.flags & RTIO_SQE_MULTISHOT) head.cancelRequested = true;
        if (head.sqe.iodev === null) {
          this.complete(head, -ECANCELED, false);
          return 0;
        }
        const cancel = head.sqe.iodev.cancel;
        if (cancel !== undefined && cancel.call(head.sqe.iodev, head)) {
          this.disarm(head);
          this.finish(head, -ECANCELED, false, null, false);
          this.drain();
          return 0;
        }
        return -EALREADY;
      }
      default:
        return -ENOENT;
    }
  }

  // ---------------------------------------------------------------- completion queue

  /** Takes the oldest completion, or null if none is ready (Zephyr's `rtio_cqe_consume`). */
  cqeConsume(): Cqe | null {
    const c = this.cq.shift();
    if (c === undefined) return null;
    c.state = 2;
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
      const c = this.cqeConsume();
      if (c !== null) return c;
      if (this.overflow.length > 0) {
        throw new RangeError(`all ${this.cqSize} CQEs are consumed and unreleased while completions overflow; call cqeRelease`);
      }
      const left = deadline - this.clock.now();
      if (left <= 0 && timeoutMs !== undefined) return null;
      const ok = await this.waitFor(() => this.cq.length > 0, deadline === Infinity ? undefined : left);
      if (!ok) return this.cqeConsume();
    }
  }

  /** Gives a consumed CQE back to the pool (Zephyr's `rtio_cqe_release`); an overflowed completion takes its place. */
  cqeRelease(cqe: Cqe): void {
    if (!(cqe instanceof Cqe) || cqe.owner !== this || cqe.state !== 2) {
      throw new RangeError('"cqe" was not consumed from this context, or was already released');
    }
    cqe.state = 0;
    cqe.userdata = undefined;
    const o = this.overflow.shift();
    if (o === undefined) {
      this.cqeFree.push(cqe);
      return;
    }
    cqe.result = o.result;
    cqe.userdata = o.userdata;
    cqe.flags = o.flags;
    cqe.state = 1;
    this.cq.push(cqe);
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
      let c = this.cqeConsume();
      if (c === null) {
        const left = deadline - this.clock.now();
        if (timeoutMs !== undefined && left <= 0) break;
        c = await this.cqeConsumeBlock(deadline === Infinity ? undefined : left);
        if (c === null) break;
      }
      out.push({ result: c.result, userdata: c.userdata, flags: c.flags });
      this.cqeRelease(c);
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
    return this.waitFor(() => this.inflightCount === 0, timeoutMs);
  }

  /** Consumes and releases every ready CQE; returns the first negative result seen, else 0. */
  flushCompletionQueue(): number {
    let first = 0;
    for (let c = this.cqeConsume(); c !== null; c = this.cqeConsume()) {
      if (first === 0 && c.result < 0) first = c.result;
      this.cqeRelease(c);
    }
    return first;
  }

  /** Completions waiting in the overflow list because every CQE was in use. */
  get cqOverflowPending(): number {
    return this.overflow.length;
  }

  /** Completions ready to consume (not counting the overflow list). */
  get cqReady(): number {
    return this.cq.length;
  }

  /** CQEs in the pool, neither queued nor held by the user. */
  cqeAvailable(): number {
    return this.cqeFree.length;
  }

  /** Posts a completion (Zephyr's `rtio_cqe_submit`); into the overflow list when no CQE is free. */
  cqeSubmit(result: number, userdata: unknown, flags: number): void {
    this.cqCount++;
    const c = this.overflow.length === 0 ? this.cqeFree.pop() : undefined;
    if (c === undefined) {
      this.overflow.push({ result, userdata, flags });
      this.cqOverflowCount++;
    } else {
      c.result = result;
      c.userdata = userdata;
      c.flags = flags;
      c.state = 1;
      this.cq.push(c);
    }
    if (this.waiters.length > 0) this.wakeWaiters();
    if (this.cqeCallback !== null) this.cqeCallback(this, this.cqeCallbackData);
  }

  /** Calls `cb(r, userData)` after every posted completion; null removes it. */
  setCqeCallback(cb: RtioCqeCallback | null, userData?: unknown): void {
    this.cqeCallback = cb;
    this.cqeCallbackData = userData;
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
    this.mempool.release(buf);
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

  // ---------------------------------------------------------------- executor

  /** @internal Entry point of `iodevSqeOk`/`iodevSqeErr`. */
  complete(s: IodevSqe, result: number, ok: boolean): void {
    if (result < 0) ok = false;
    if (s.state === SLOT_ZOMBIE) {
      this.reapZombie(s);
      return;
    }
    let head = s;
    let failAt: IodevSqe | null = null;
    if (s.txnHead !== null && s.txnHead !== s) {
      head = s.txnHead;
      if (!ok) failAt = s;
    }
    if (head.state !== SLOT_INFLIGHT) {
      if (head.state === SLOT_ZOMBIE) this.reapZombie(head);
      else this.strayCompletions++;
      return;
    }
    this.disarm(head);
    this.finish(head, result, ok, failAt, false);
    this.drain();
  }

  /** @internal Completes one member of a chain shipped to a remote executor. */
  remoteComplete(s: IodevSqe, result: number, more: boolean, data: Uint8Array | null): boolean {
    if (s.state !== SLOT_INFLIGHT || s.remote === null) {
      this.strayCompletions++;
      return false;
    }
    const sqe = s.sqe;
    const silent = (sqe.flags & RTIO_SQE_NO_RESPONSE) !== 0;
    let r = result;
    let flags = 0;
    if (r >= 0 && sqe.op === RTIO_OP_RX && sqe.flags & RTIO_SQE_MEMPOOL_BUFFER) {
      // The agent's bytes go into a block of this context's pool; without a CQE (NO_RESPONSE)
      // nobody could release it, so none is taken. A read of 0 bytes carries PREP_MEMPOOL(0, 0).
      const len = data === null ? 0 : data.length;
      if (silent) {
        // nothing to hand out
      } else if (len === 0) {
        flags = RTIO_CQE_FLAG_PREP_MEMPOOL(0, 0);
      } else {
        const buf = this.mempool === null ? -ENOMEM : this.mempool.alloc(len, len);
        if (typeof buf === 'number') {
          r = buf;
        } else {
          buf.set(data!);
          const at = this.mempool!.locate(buf)!;
          flags = RTIO_CQE_FLAG_PREP_MEMPOOL(at.index, at.count);
        }
      }
    } else if (r >= 0 && data !== null) {
      if (sqe.op === RTIO_OP_RX && sqe.buf !== null) {
        sqe.buf.set(data.subarray(0, Math.min(data.length, sqe.bufLen)));
      } else if (sqe.op === RTIO_OP_TXRX && sqe.rxBuf !== null) {
        sqe.rxBuf.set(data.subarray(0, Math.min(data.length, sqe.bufLen)));
      }
    }
    // As finishMultishot: a shot whose CQE takes the last free CQE (or finds completions
    // overflowing) is the last one, so a multishot never overflows the CQ.
    const armed = more && r >= 0 && this.cqeFree.length > 1 && this.overflow.length === 0;
    if (armed) flags |= RTIO_CQE_FLAG_MORE;
    if (!silent) this.cqeSubmit(r, sqe.userdata, flags);
    if (armed) return true;
    if (more) s.remote.cancel(s);
    s.remote = null;
    this.release(s);
    return false;
  }

  /** @internal Wakes async waiters after an out-of-band event (a signal). */
  stepWake(): void {
    if (this.waiters.length > 0) this.wakeWaiters();
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let s = this.ready.shift(); s !== undefined; s = this.ready.shift()) this.start(s);
    } finally {
      this.draining = false;
    }
  }

  private start(s: IodevSqe): void {
    const sqe = s.sqe;
    s.state = SLOT_INFLIGHT;
    let canceled = (sqe.flags & RTIO_SQE_CANCELED) !== 0 || s.cancelRequested;
    for (let m = s; m.sqe.flags & RTIO_SQE_TRANSACTION && m.next !== null; ) {
      m = m.next;
      m.state = SLOT_INFLIGHT;
      if (m.sqe.flags & RTIO_SQE_CANCELED) canceled = true;
    }
    if (canceled) {
      this.finish(s, -ECANCELED, false, null, false);
      return;
    }
    const iodev = sqe.iodev;
    const clock = iodev === null ? this.clock : iodev.clock ?? this.clock;
    // A remote iodev's unit carries its timeout to the agent, which keeps the device's time.
    if (sqe.timeoutMs > 0 && iodev?.remote === undefined) {
      s.timerClock = clock;
      s.timer = clock.setTimer(clock.now() + sqe.timeoutMs, this.timeoutFn, s);
    }
    if (iodev !== null) {
      if (clock instanceof VirtualClock && !this.clocks.includes(clock)) this.clocks.push(clock);
      try {
        iodev.submit(s);
      } catch (e) {
        this.iodevErrors.push(e);
        if (s.state === SLOT_INFLIGHT) this.complete(s, -EIO, false);
      }
      return;
    }
    switch (sqe.op) {
      case RTIO_OP_NOP:
        this.complete(s, 0, true);
        return;
      case RTIO_OP_CALLBACK:
        try {
          sqe.callback!(this, sqe, s.lastResult, sqe.arg0);
        } catch (e) {
          this.callbackErrors.push(e);
          this.complete(s, -EIO, false);
          return;
        }
        this.complete(s, 0, true);
        return;
      case RTIO_OP_DELAY:
        s.delayTimer = this.clock.setTimer(this.clock.now() + sqe.delayMs, this.delayFn, s);
        return;
      case RTIO_OP_AWAIT:
        iodevSqeAwaitSignal(s, (x) => this.complete(x, 0, true), undefined);
        return;
      default:
        this.complete(s, -EINVAL, false);
    }
  }

  private delayDone(s: IodevSqe): void {
    s.delayTimer = 0;
    this.complete(s, 0, true);
  }

  private disarm(s: IodevSqe): void {
    if (s.timer !== 0) {
      s.timerClock!.clearTimer(s.timer);
      s.timer = 0;
    }
    if (s.delayTimer !== 0) {
      this.clock.clearTimer(s.delayTimer);
      s.delayTimer = 0;
    }
    s.awaitCb = null;
  }

  private timeoutFired(s: IodevSqe): void {
    s.timer = 0;
    if (s.state !== SLOT_INFLIGHT) return;
    this.disarm(s);
    const iodev = s.sqe.iodev;
    const dropped = iodev === null || (iodev.cancel !== undefined && iodev.cancel(s));
    this.finish(s, -ETIMEDOUT, false, null, !dropped);
    this.drain();
  }

  /**
   * Posts the CQEs of the unit headed by `head` and moves its chain on. `failAt` is the member
   * an iodev failed (default the head); `zombie` keeps the slots until the iodev lets go.
   */
  private finish(head: IodevSqe, result: number, ok: boolean, failAt: IodevSqe | null, zombie: boolean): void {
    const hsqe = head.sqe;
    if (hsqe.flags & RTIO_SQE_MULTISHOT) {
      this.finishMultishot(head, result, ok, zombie);
      return;
    }
    const failing = ok ? null : failAt ?? head;
    let chainOk = ok;
    let phase = ok ? 0 : 1; // 1: before the failing member, 2: after it
    let cur: IodevSqe = head;
    for (;;) {
      const sqe = cur.sqe;
      let r: number;
      if (phase === 0) {
        r = cur === head || cur.txnResult === NO_RESULT ? result : cur.txnResult;
        if (isShort(sqe, r)) chainOk = false;
      } else if (phase === 1 && cur !== failing) {
        r = cur.txnResult === NO_RESULT ? 0 : cur.txnResult;
      } else if (cur === failing) {
        r = result;
        phase = 2;
      } else {
        r = -ECANCELED;
      }
      let flags = 0;
      const silent = (sqe.flags & RTIO_SQE_NO_RESPONSE) !== 0;
      // Without a CQE nobody could release a mempool block: the executor does.
      if (ok && !silent) flags = this.cqeFlags(cur, r);
      else if (cur.poolBuf !== null && !zombie) this.releasePoolBuf(cur);
      if (!silent) this.cqeSubmit(r, sqe.userdata, flags);
      const next: IodevSqe | null = cur.next;
      const more = (sqe.flags & RTIO_SQE_TRANSACTION) !== 0 && next !== null;
      const chained = (sqe.flags & RTIO_SQE_CHAINED) !== 0 && next !== null;
      if (zombie) this.retire(cur);
      else this.release(cur);
      if (more) {
        cur = next!;
        continue;
      }
      if (chained) {
        if (chainOk) {
          next!.lastResult = r;
          this.ready.push(next!);
        } else {
          this.cancelChain(next!);
        }
      }
      return;
    }
  }

  private finishMultishot(s: IodevSqe, result: number, ok: boolean, zombie: boolean): void {
    const sqe = s.sqe;
    // A shot whose CQE takes the last free CQE is the last one: a multishot never overflows the CQ.
    const terminal = !ok || result < 0 || s.cancelRequested || this.cqeFree.length <= 1 || this.overflow.length > 0;
    const silent = (sqe.flags & RTIO_SQE_NO_RESPONSE) !== 0;
    if (!terminal) {
      const flags = this.cqeFlags(s, result) | RTIO_CQE_FLAG_MORE;
      if (silent) this.releasePoolBuf(s);
      s.poolBuf = null;
      sqe.buf = null;
      sqe.bufLen = 0;
      if (!silent) this.cqeSubmit(result, sqe.userdata, flags);
      s.lastResult = result;
      this.ready.push(s);
      return;
    }
    let r = result;
    let flags = 0;
    if (s.cancelRequested && ok) r = -ECANCELED;
    if (ok && r >= 0 && !silent) {
      flags = this.cqeFlags(s, r);
      s.poolBuf = null;
    } else if (!zombie) {
      this.releasePoolBuf(s);
    }
    if (!silent) this.cqeSubmit(r, sqe.userdata, flags);
    if (zombie) this.retire(s);
    else this.release(s);
  }

  private cancelChain(first: IodevSqe): void {
    for (let cur: IodevSqe | null = first; cur !== null; ) {
      const sqe: Sqe = cur.sqe;
      if (!(sqe.flags & RTIO_SQE_NO_RESPONSE)) this.cqeSubmit(-ECANCELED, sqe.userdata, 0);
      const next: IodevSqe | null = sqe.flags & (RTIO_SQE_CHAINED | RTIO_SQE_TRANSACTION) ? cur.next : null;
      this.release(cur);
      cur = next;
    }
  }

  /**
   * The CQE flags of a member that succeeded with `result`. A mempool read hands out the blocks
   * covering the bytes it read: blocks its iodev took beyond them go back to the pool, so the
   * CQE says the same on every target (docs/semantics.md §6).
   */
  private cqeFlags(s: IodevSqe, result: number): number {
    const sqe = s.sqe;
    if (sqe.op !== RTIO_OP_RX || !(sqe.flags & RTIO_SQE_MEMPOOL_BUFFER)) return 0;
    if (s.poolBuf !== null && this.mempool !== null) s.poolBuf = this.mempool.trim(s.poolBuf, result);
    const at = s.poolBuf === null || this.mempool === null ? null : this.mempool.locate(s.poolBuf);
    return at === null ? RTIO_CQE_FLAG_PREP_MEMPOOL(0, 0) : RTIO_CQE_FLAG_PREP_MEMPOOL(at.index, at.count);
  }

  private releasePoolBuf(s: IodevSqe): void {
    if (s.poolBuf !== null && this.mempool !== null) this.mempool.release(s.poolBuf);
    s.poolBuf = null;
  }

  /** The slot's SQE completed: back to the pool. */
  private release(s: IodevSqe): void {
    this.inflightCount--;
    this.freeSlot(s);
    if (this.inflightCount === 0 && this.waiters.length > 0) this.wakeWaiters();
  }

  /** The slot's SQE completed (by timeout) but its iodev still holds it. */
  private retire(s: IodevSqe): void {
    this.inflightCount--;
    s.state = SLOT_ZOMBIE;
    if (this.inflightCount === 0 && this.waiters.length > 0) this.wakeWaiters();
  }

  private reapZombie(s: IodevSqe): void {
    const head = s.txnHead ?? s;
    for (let cur: IodevSqe | null = head; cur !== null; ) {
      const next: IodevSqe | null = cur.sqe.flags & RTIO_SQE_TRANSACTION ? cur.next : null;
      if (cur.state === SLOT_ZOMBIE) {
        if (cur.poolBuf !== null) this.releasePoolBuf(cur);
        this.freeSlot(cur);
      }
      cur = next;
    }
  }

  private freeSlot(s: IodevSqe): void {
    s.state = SLOT_FREE;
    s.next = null;
    s.txnHead = null;
    s.txnResult = NO_RESULT;
    s.poolBuf = null;
    s.remote = null;
    s.cancelRequested = false;
    s.awaitCb = null;
    s.awaitSignaled = false;
    s.sqe.userdata = undefined;
    s.sqe.buf = null;
    s.sqe.txBuf = null;
    s.sqe.rxBuf = null;
    s.sqe.callback = null;
    s.sqe.arg0 = undefined;
    this.sqeFree.push(s);
  }

  private ownSlot(sqe: Sqe, name: string): IodevSqe {
    const s = sqe instanceof Sqe ? sqe.slot : null;
    if (s === null || s.r !== this) throw new TypeError(`"${name}" is not an SQE of this context`);
    return s;
  }

  /** Checks every queued SQE before anything starts; throws naming the SQE and field. */
  private validateQueue(): void {
    const sq = this.sq;
    for (let i = 0; i < sq.length; i++) {
      const sqe = sq[i]!.sqe;
      const where = `sqe ${i} of ${sq.length}`;
      const f = sqe.flags;
      if (!RTIO_OPS.includes(sqe.op)) throw new RangeError(`${where}: unknown "op" ${sqe.op}`);
      if ((f & RTIO_SQE_CHAINED) && (f & RTIO_SQE_TRANSACTION)) {
        throw new RangeError(`${where}: "flags" has both RTIO_SQE_CHAINED and RTIO_SQE_TRANSACTION`);
      }
      if (f & RTIO_SQE_MULTISHOT) {
        if (f & (RTIO_SQE_CHAINED | RTIO_SQE_TRANSACTION)) {
          throw new RangeError(`${where}: "flags" combines RTIO_SQE_MULTISHOT with CHAINED or TRANSACTION`);
        }
        if (sqe.op !== RTIO_OP_RX || !(f & RTIO_SQE_MEMPOOL_BUFFER)) {
          throw new RangeError(`${where}: RTIO_SQE_MULTISHOT needs an RX with RTIO_SQE_MEMPOOL_BUFFER`);
        }
      }
      if ((f & RTIO_SQE_MEMPOOL_BUFFER) && sqe.op !== RTIO_OP_RX) {
        throw new RangeError(`${where}: RTIO_SQE_MEMPOOL_BUFFER is only for RTIO_OP_RX`);
      }
      if ((f & RTIO_SQE_MEMPOOL_BUFFER) && this.mempool === null) {
        throw new RangeError(`${where}: RTIO_SQE_MEMPOOL_BUFFER on a context without a mempool`);
      }
      if ((f & (RTIO_SQE_CHAINED | RTIO_SQE_TRANSACTION)) && i === sq.length - 1) {
        throw new RangeError(`${where}: "flags" links to a next SQE (CHAINED/TRANSACTION) but none is queued after it`);
      }
      if (!(sqe.timeoutMs >= 0) || !Number.isFinite(sqe.timeoutMs)) {
        throw new RangeError(`${where}: "timeoutMs" must be a finite number >= 0, got ${sqe.timeoutMs}`);
      }
      const inTxn = i > 0 && (sq[i - 1]!.sqe.flags & RTIO_SQE_TRANSACTION) !== 0;
      const needsIodev = sqe.op === RTIO_OP_RX || sqe.op === RTIO_OP_TX || sqe.op === RTIO_OP_TINY_TX ||
        sqe.op === RTIO_OP_TXRX || sqe.op > RTIO_OP_DELAY && sqe.op !== RTIO_OP_AWAIT;
      if (needsIodev && sqe.iodev === null && !inTxn) throw new TypeError(`${where}: "iodev" is required for op ${sqe.op}`);
      if (sqe.op === RTIO_OP_CALLBACK) {
        if (sqe.iodev !== null) throw new TypeError(`${where}: a CALLBACK must have a null "iodev"`);
        if (typeof sqe.callback !== 'function') throw new TypeError(`${where}: "callback" must be a function`);
        if (inTxn || f & RTIO_SQE_TRANSACTION) throw new RangeError(`${where}: a CALLBACK cannot be part of a transaction`);
      }
      if ((sqe.op === RTIO_OP_RX || sqe.op === RTIO_OP_TX || sqe.op === RTIO_OP_TINY_TX) && !(f & RTIO_SQE_MEMPOOL_BUFFER)) {
        if (sqe.buf === null || !(sqe.bufLen > 0) || sqe.buf.length < sqe.bufLen) {
          throw new RangeError(`${where}: "buf" must hold "bufLen" (${sqe.bufLen}) bytes, has ${sqe.buf?.length ?? 'none'}`);
        }
      }
      if (sqe.op === RTIO_OP_TXRX) {
        if (sqe.txBuf === null || sqe.rxBuf === null || !(sqe.bufLen > 0) ||
          sqe.txBuf.length < sqe.bufLen || sqe.rxBuf.length < sqe.bufLen) {
          throw new RangeError(`${where}: "txBuf" and "rxBuf" must each hold "bufLen" (${sqe.bufLen}) bytes`);
        }
      }
    }
  }

  // ---------------------------------------------------------------- waiting

  private waitFor(pred: () => boolean, timeoutMs: number | undefined): Promise<boolean> {
    if (pred()) return Promise.resolve(true);
    if (timeoutMs === 0) return Promise.resolve(false);
    const w: Waiter = { pred, expired: false, timer: 0, wake: null };
    if (timeoutMs !== undefined) w.timer = this.clock.setTimer(this.clock.now() + timeoutMs, expire, w);
    return this.pump(w);
  }

  private async pump(w: Waiter): Promise<boolean> {
    for (;;) {
      let steps = 0;
      while (!w.pred() && !w.expired && steps < RTIO_WAIT_STEPS_PER_YIELD && this.stepVirtualClocks()) steps++;
      if (w.pred()) {
        if (w.timer !== 0) this.clock.clearTimer(w.timer);
        return true;
      }
      if (w.expired) return false;
      if (steps >= RTIO_WAIT_STEPS_PER_YIELD) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      await new Promise<void>((resolve) => {
        w.wake = resolve;
        this.waiters.push(w);
      });
    }
  }

  private wakeWaiters(): void {
    const ws = this.waiters.splice(0);
    for (const w of ws) {
      const wake = w.wake;
      w.wake = null;
      if (wake !== null) wake();
    }
  }

  /** Runs the earliest event of the virtual clocks this context waits on; false when none is armed. */
  private stepVirtualClocks(): boolean {
    let best: VirtualClock | null = null;
    let bestAt = Infinity;
    for (const c of this.clocks) {
      const at = c.nextAt();
      if (at < bestAt) {
        bestAt = at;
        best = c;
      }
    }
    return best !== null && best.step();
  }
}

function checkTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs !== undefined && (!(timeoutMs >= 0) || !Number.isFinite(timeoutMs))) {
    throw new RangeError(`"timeoutMs" must be a finite number >= 0, got ${timeoutMs}`);
  }
}

/** The remote executor that can run every member of the chain headed by `head`, or null. */
function shippableTo(head: IodevSqe): RemoteExecutor | null {
  let remote: RemoteExecutor | null = null;
  for (let m: IodevSqe | null = head; m !== null; m = m.next) {
    const r = m.sqe.iodev?.remote;
    if (r !== undefined) {
      if (remote !== null && remote !== r) return null;
      remote = r;
    }
  }
  if (remote === null) return null;
  for (let m: IodevSqe | null = head; m !== null; m = m.next) if (!remote.canRun(m.sqe)) return null;
  return remote.canShip(head) ? remote : null;
}

/** A transfer that moved fewer bytes than asked: it ends its chain like an error. */
function isShort(sqe: Sqe, result: number): boolean {
  switch (sqe.op) {
    case RTIO_OP_TX:
    case RTIO_OP_TINY_TX:
    case RTIO_OP_TXRX:
      return result < sqe.bufLen;
    case RTIO_OP_RX:
      return !(sqe.flags & RTIO_SQE_MEMPOOL_BUFFER) && result < sqe.bufLen;
    default:
      return false;
  }
}
