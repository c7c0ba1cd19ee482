import type { Clock, TimerId } from '../clock';
import { RTIO_OP_AWAIT, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION } from './constants';
import { EIO } from './errno';
import { Sqe } from './sqe';

/**
 * An I/O device as the executor sees it (Zephyr's `struct rtio_iodev` with its
 * `rtio_iodev_api`). The contract:
 * - `submit` queues or starts the operation and returns at once; the iodev later calls
 *   {@link iodevSqeOk} or {@link iodevSqeErr} exactly once per submit (for a transaction, once,
 *   on the head, or `iodevSqeErr` on the failing member). Never synchronously from `submit`.
 * - Transfers complete with the number of bytes moved; fewer than asked is a short transfer,
 *   which ends a chain like an error.
 * - Operations on one iodev run in submission order, one unit at a time.
 */
export interface Iodev {
  /** Name in the board's iodev table, e.g. `'eeprom0'`. */
  readonly name: string;
  /** Starts or queues `iodevSqe` (and, for a transaction, its members via {@link txnNext}). */
  submit(iodevSqe: IodevSqe): void;
  /**
   * Optional cancel hook (after Zephyr PR #114551). Returns true when the operation had not
   * started and the iodev has forgotten it (the executor then completes it with `-ECANCELED`
   * and the iodev must not complete it). Returns false when it has started: the iodev completes
   * it as it decides, as soon as it can.
   */
  cancel?(iodevSqe: IodevSqe): boolean;
  /** The clock the iodev completes on; contexts step it while they wait if it is virtual. */
  readonly clock?: Clock;
  /**
   * The agent this iodev lives on, when it is remote: chains whose members all run there are
   * shipped to it whole instead of being run by the host executor. A remote iodev keeps the
   * time of the units the host gives it: their `timeoutMs` travels with them and the agent
   * enforces it on the device's clock, so the host arms no timer of its own.
   */
  readonly remote?: RemoteExecutor;
}

/**
 * An agent that runs whole chains (a board's firmware, or the emulator behind the wire). The
 * host executor hands it every chain all of whose members it {@link RemoteExecutor.canRun};
 * it completes each member with {@link RemoteCompletion.remoteComplete}, in the agent's order.
 */
export interface RemoteExecutor {
  /** True when `sqe` can run on this agent: its iodev lives there, or it is an executor op the agent runs. */
  canRun(sqe: Sqe): boolean;
  /**
   * True when the agent can take the chain headed by `head` (every member of which it can run)
   * whole: it is not longer than the agent holds, and fits what one submission carries. A chain
   * that does not is run by the host executor, one unit at a time through the iodevs' `submit`.
   */
  canShip(head: IodevSqe): boolean;
  /** Takes the chain headed by `head` (members linked by `next`); `owner` receives the completions. */
  submitChain(head: IodevSqe, owner: RemoteCompletion): void;
  /** Asks the agent to cancel a shipped SQE; the outcome arrives as its CQE. */
  cancel(s: IodevSqe): void;
  /** Forwards `sqeSignal` for a shipped AWAIT. */
  signal(s: IodevSqe): void;
}

/** What a remote executor calls back for each member of a shipped chain; implemented by `Rtio`. */
export interface RemoteCompletion {
  /**
   * Completes shipped member `s` with `result`; `data` is what an RX (or TXRX) received. With
   * `more` a multishot stays armed. A completion for an SQE not in flight is counted as stray.
   * Returns true while the SQE stays in flight on the host; false when this completion ended it
   * (then the agent's later CQEs for it, if any, must be dropped).
   */
  remoteComplete(s: IodevSqe, result: number, more: boolean, data: Uint8Array | null): boolean;
}

/** AWAIT rendezvous callback, Zephyr's `rtio_signaled_t`. */
export type RtioSignaled = (iodevSqe: IodevSqe, userdata: unknown) => void;

/** @internal What an IodevSqe needs from its context; implemented by `Rtio`. */
export interface SqeOwner {
  complete(s: IodevSqe, result: number, ok: boolean): void;
  rxBuf(s: IodevSqe, minLen: number, maxLen: number): Uint8Array | number;
  stepWake(): void;
}

/** Lifecycle of a pool slot. */
export const SLOT_FREE = 0;
/** Acquired, in the SQ, not submitted. */
export const SLOT_QUEUED = 1;
/** Submitted, waiting for its chain predecessor. */
export const SLOT_PENDING = 2;
/** Started: at its iodev or in an executor op. */
export const SLOT_INFLIGHT = 3;
/** Completed by a timeout while its iodev still holds it; freed when the iodev lets go. */
export const SLOT_ZOMBIE = 4;

/** Marker for "no per-member result recorded". */
export const NO_RESULT = 0x7fffffff;

/**
 * The executor's handle on one SQE while it runs, Zephyr's `struct rtio_iodev_sqe`: what an
 * iodev receives in `submit`. `sqe` is the user's entry; `next` links chain and transaction
 * members (read it through {@link txnNext} / {@link chainNext}).
 */
export class IodevSqe {
  /** The SQE being executed. */
  readonly sqe: Sqe;
  /** Next member of this chain or transaction, or null. */
  next: IodevSqe | null = null;
  /** The owning context. */
  readonly r: SqeOwner;
  /** @internal SLOT_* lifecycle state. */
  state = SLOT_FREE;
  /** @internal Result of the previous chain member, passed to callbacks. */
  lastResult = 0;
  /** @internal Head of the transaction this SQE belongs to (itself for a head). */
  txnHead: IodevSqe | null = null;
  /** @internal Per-member result recorded with {@link txnSetResult}. */
  txnResult = NO_RESULT;
  /** @internal Timeout or delay timer, and the clock it is armed on. */
  timer: TimerId = 0;
  /** @internal */
  timerClock: Clock | null = null;
  /** @internal Delay timer of an executor DELAY op. */
  delayTimer: TimerId = 0;
  /** @internal AWAIT: signalled before anyone waited. */
  awaitSignaled = false;
  /** @internal AWAIT: who to call on signal. */
  awaitCb: RtioSignaled | null = null;
  /** @internal */
  awaitUd: unknown = undefined;
  /** @internal A multishot cancel was asked for while a shot was running. */
  cancelRequested = false;
  /** @internal The agent a shipped SQE runs on, or null when the host runs it. */
  remote: RemoteExecutor | null = null;
  /** @internal The mempool buffer handed out by {@link sqeRxBuf}, released on failure. */
  poolBuf: Uint8Array | null = null;
  /** @internal Bound once: fires this slot's timeout. */
  readonly onTimeout: (s: IodevSqe) => void;

  constructor(owner: SqeOwner, onTimeout: (s: IodevSqe) => void) {
    this.r = owner;
    this.sqe = new Sqe();
    this.sqe.slot = this;
    this.onTimeout = onTimeout;
  }
}

/** Completes `iodevSqe` successfully with `result` (bytes moved, or 0), Zephyr's `rtio_iodev_sqe_ok`. */
export function iodevSqeOk(iodevSqe: IodevSqe, result: number): void {
  iodevSqe.r.complete(iodevSqe, result, true);
}

/**
 * Completes `iodevSqe` with a negative errno, Zephyr's `rtio_iodev_sqe_err`. Called on a
 * transaction member, that member carries the error, earlier members succeed and later ones
 * get `-ECANCELED`.
 */
export function iodevSqeErr(iodevSqe: IodevSqe, result: number): void {
  iodevSqe.r.complete(iodevSqe, result < 0 ? result : -EIO, false);
}

/** The next member of `iodevSqe`'s transaction, or null (Zephyr's `rtio_txn_next`). */
export function txnNext(iodevSqe: IodevSqe): IodevSqe | null {
  return iodevSqe.sqe.flags & RTIO_SQE_TRANSACTION ? iodevSqe.next : null;
}

/** The next member of `iodevSqe`'s chain, or null (Zephyr's `rtio_chain_next`). */
export function chainNext(iodevSqe: IodevSqe): IodevSqe | null {
  return iodevSqe.sqe.flags & RTIO_SQE_CHAINED ? iodevSqe.next : null;
}

/** The next linked SQE whatever the link (Zephyr's `rtio_iodev_sqe_next`). */
export function iodevSqeNext(iodevSqe: IodevSqe): IodevSqe | null {
  return iodevSqe.next;
}

/**
 * Records the result of one transaction member (e.g. its byte count) before the iodev
 * completes the head; members without one get the head's result.
 */
export function txnSetResult(member: IodevSqe, result: number): void {
  member.txnResult = result;
}

/**
 * The RX buffer for `iodevSqe`, Zephyr's `rtio_sqe_rx_buf`: for a mempool SQE, allocates
 * contiguous blocks covering at least `minLen` and ideally `maxLen` bytes (the length is
 * block-rounded); otherwise returns the SQE's own buffer if it holds `minLen` bytes.
 * Returns `-ENOMEM` (a negative number) when that cannot be done: complete the SQE with it.
 */
export function sqeRxBuf(iodevSqe: IodevSqe, minLen: number, maxLen: number): Uint8Array | number {
  return iodevSqe.r.rxBuf(iodevSqe, minLen, maxLen);
}

/**
 * AWAIT on an iodev: `cb(iodevSqe, userdata)` runs once the SQE is signalled, at once if
 * `sqeSignal` came first (Zephyr's `rtio_iodev_sqe_await_signal`).
 */
export function iodevSqeAwaitSignal(iodevSqe: IodevSqe, cb: RtioSignaled, userdata: unknown): void {
  if (iodevSqe.awaitSignaled) {
    iodevSqe.awaitSignaled = false;
    cb(iodevSqe, userdata);
    return;
  }
  iodevSqe.awaitCb = cb;
  iodevSqe.awaitUd = userdata;
}

/** True when {@link sqeSignal} accepts `sqe`: an AWAIT that is acquired, submitted or running. */
export function sqeSignalable(sqe: Sqe): boolean {
  const s = sqe.slot;
  return s !== null && s.state !== SLOT_FREE && s.state !== SLOT_ZOMBIE && sqe.op === RTIO_OP_AWAIT;
}

/**
 * Signals an AWAIT SQE (Zephyr's `rtio_sqe_signal`): completes it if it is waiting, or lets it
 * complete as soon as it is reached. Signalling an SQE that is not an AWAIT of a live context
 * throws `TypeError`.
 */
export function sqeSignal(sqe: Sqe): void {
  if (!sqeSignalable(sqe)) throw new TypeError('"sqe" is not an acquired or running RTIO_OP_AWAIT SQE of a context');
  const s = sqe.slot!;
  // A shipped chain's AWAIT, or a unit the host gave a remote iodev: the agent holds it.
  const remote = s.remote ?? (s.state === SLOT_INFLIGHT ? sqe.iodev?.remote ?? null : null);
  if (remote !== null && s.state !== SLOT_QUEUED) {
    remote.signal(s);
    return;
  }
  const cb = s.awaitCb;
  if (cb === null) {
    s.awaitSignaled = true;
    return;
  }
  s.awaitCb = null;
  const ud = s.awaitUd;
  s.awaitUd = undefined;
  cb(s, ud);
  s.r.stepWake();
}
