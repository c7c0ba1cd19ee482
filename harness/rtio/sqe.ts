/**
 * The entries the executor works on, Zephyr's `struct rtio_sqe`, `struct rtio_iodev_sqe` and
 * `struct rtio_iodev`: the SQE a user fills, the executor's handle on it while it runs, and the
 * iodev interface both point to. One module, because each names the others (as in Zephyr's
 * rtio.h); the functions over them live in prep.ts (filling SQEs) and iodev.ts (completing them).
 */
import type { Clock, TimerId } from '../clock';
import { RTIO_OP_NOP, RTIO_TINY_TX_MAX } from './constants';

/**
 * An executor callback as an SQE stores it. Its first parameter is the `Rtio` running the chain;
 * it is typed `never` here so that SQEs need not know the context class: set it with
 * `sqePrepCallback`, which takes a fully typed `RtioCallback`.
 */
export type SqeCallback = (r: never, sqe: Sqe, result: number, arg0: unknown) => void;

/**
 * A submission queue entry, Zephyr's `struct rtio_sqe`. Get one from `Rtio.sqeAcquire()`, fill
 * it with an `sqePrep*` function, then set extra flags (prep clears them).
 *
 * Zephyr's union members are flattened: `rx.buf`/`tx.buf`/`tiny_tx.buf` → `buf` and
 * `bufLen`; `txrx.tx_buf`/`rx_buf` → `txBuf`/`rxBuf` (length `bufLen`); `callback.callback`/
 * `arg0` → `callback`/`arg0`; `delay.timeout` → `delayMs`.
 */
export class Sqe {
  /** `RTIO_OP_*`. */
  op = RTIO_OP_NOP;
  /** `RTIO_PRIO_*` (0..255); stored and passed to the iodev, not used by the executor. */
  prio = 0;
  /** `RTIO_SQE_*` bits. */
  flags = 0;
  /** Iodev-specific flags, e.g. `RTIO_IODEV_I2C_STOP`. */
  iodevFlags = 0;
  /** The device the operation is for; `null` for executor ops (callback, delay, await, NOP). */
  iodev: Iodev | null = null;
  /** Opaque value echoed in every CQE of this SQE. */
  userdata: unknown = undefined;
  /** RX destination or TX source (RX, TX, TINY_TX); for mempool RX, the block once allocated. */
  buf: Uint8Array | null = null;
  /** Bytes to transfer (RX, TX, TINY_TX, TXRX). */
  bufLen = 0;
  /** TXRX: bytes sent. */
  txBuf: Uint8Array | null = null;
  /** TXRX: bytes received. */
  rxBuf: Uint8Array | null = null;
  /** CALLBACK: the function to call (set by `sqePrepCallback`). */
  callback: SqeCallback | null = null;
  /** CALLBACK: its argument. */
  arg0: unknown = undefined;
  /** DELAY: how long, in ms of the context's clock. */
  delayMs = 0;
  /** I2C_CONFIGURE: Zephyr's `i2c_config` bits. */
  i2cConfig = 0;
  /**
   * rtio-hil addition: ms the operation may run once started (0 = no limit). When it expires the
   * SQE completes with `-ETIMEDOUT` and the rest of its chain with `-ECANCELED`.
   */
  timeoutMs = 0;
  /** Storage for TINY_TX data, copied by `sqePrepTinyWrite`; allocated on first use. */
  tinyBuf: Uint8Array | null = null;
  /** @internal The pool slot this SQE lives in; `null` for SQEs built by the user for copy-in. */
  slot: IodevSqe | null = null;
}

/** Clears every field of `sqe` (Zephyr's `memset(sqe, 0)` at the top of each prep helper). */
export function sqeReset(sqe: Sqe): void {
  sqe.op = RTIO_OP_NOP;
  sqe.prio = 0;
  sqe.flags = 0;
  sqe.iodevFlags = 0;
  sqe.iodev = null;
  sqe.userdata = undefined;
  sqe.buf = null;
  sqe.bufLen = 0;
  sqe.txBuf = null;
  sqe.rxBuf = null;
  sqe.callback = null;
  sqe.arg0 = undefined;
  sqe.delayMs = 0;
  sqe.i2cConfig = 0;
  sqe.timeoutMs = 0;
}

/** Copies every field of `src` into `dst` (for `sqeCopyIn`); TINY_TX data is copied, not shared. */
export function sqeCopy(dst: Sqe, src: Sqe): void {
  const { tinyBuf, slot } = dst;
  Object.assign(dst, src);
  dst.tinyBuf = tinyBuf;
  dst.slot = slot;
  if (src.tinyBuf !== null && src.buf === src.tinyBuf) {
    const tiny = dst.tinyBuf ?? (dst.tinyBuf = new Uint8Array(RTIO_TINY_TX_MAX));
    tiny.set(src.tinyBuf);
    dst.buf = tiny;
  }
}

/**
 * An I/O device as the executor sees it (Zephyr's `struct rtio_iodev` with its
 * `rtio_iodev_api`). The contract:
 * - `submit` queues or starts the operation and returns at once; the iodev later calls
 *   `iodevSqeOk` or `iodevSqeErr` exactly once per submit (for a transaction, once, on the head,
 *   or `iodevSqeErr` on the failing member). Never synchronously from `submit`.
 * - Transfers complete with the number of bytes moved; fewer than asked is a short transfer,
 *   which ends a chain like an error.
 * - Operations on one iodev run in submission order, one unit at a time.
 */
export interface Iodev {
  /** Name in the board's iodev table, e.g. `'eeprom0'`. */
  readonly name: string;
  /** Starts or queues `iodevSqe` (and, for a transaction, its members via `txnNext`). */
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

/** How an iodev ended the operation it was given (the `ok`/`err` of Zephyr's `rtio_iodev_sqe_*`). */
export enum Completion {
  /** `iodevSqeOk`: the operation succeeded (a short transfer still ends its chain). */
  Ok,
  /** `iodevSqeErr`: the operation failed with a negative errno. */
  Err,
}

/** @internal What an IodevSqe needs from its context; implemented by `Rtio`. */
export interface SqeOwner {
  complete(s: IodevSqe, result: number, how: Completion): void;
  rxBuf(s: IodevSqe, minLen: number, maxLen: number): Uint8Array | number;
  stepWake(): void;
}

/** Lifecycle of a pool slot. */
export enum SlotState {
  /** In the pool. */
  Free,
  /** Acquired, in the SQ, not submitted. */
  Queued,
  /** Submitted, waiting for its chain predecessor. */
  Pending,
  /** Started: at its iodev, in an executor op, or shipped to an agent. */
  Inflight,
  /** Completed by a timeout while its iodev still holds it; freed when the iodev lets go. */
  Zombie,
}

/** Marker for "no per-member result recorded". */
export const NO_RESULT = 0x7fffffff;

/**
 * The executor's handle on one SQE while it runs, Zephyr's `struct rtio_iodev_sqe`: what an
 * iodev receives in `submit`. `sqe` is the user's entry; `next` links chain and transaction
 * members (read it through `txnNext` / `chainNext`).
 */
export class IodevSqe {
  /** The SQE being executed. */
  readonly sqe: Sqe;
  /** Next member of this chain or transaction, or null. */
  next: IodevSqe | null = null;
  /** The next SQE in its iodev's own queue, for the iodev to use (Zephyr's `q` node); null when not queued. */
  q: IodevSqe | null = null;
  /** The owning context. */
  readonly r: SqeOwner;
  /** @internal Lifecycle state. */
  state = SlotState.Free;
  /** @internal Result of the previous chain member, passed to callbacks. */
  lastResult = 0;
  /** @internal Head of the transaction this SQE belongs to (itself for a head). */
  txnHead: IodevSqe | null = null;
  /** @internal Per-member result recorded with `txnSetResult`. */
  txnResult = NO_RESULT;
  /** @internal Timeout timer, armed on the clock of the SQE's iodev (the context's for executor ops). */
  timer: TimerId = 0;
  /** @internal Delay timer of an executor DELAY op. */
  delayTimer: TimerId = 0;
  /** @internal AWAIT: its rendezvous with the signal; made on the slot's first AWAIT and kept. */
  rendezvous: AwaitRendezvous | null = null;
  /** @internal A multishot cancel was asked for while a shot was running. */
  cancelRequested = false;
  /** @internal The agent a shipped SQE runs on, or null when the host runs it. */
  remote: RemoteExecutor | null = null;
  /** @internal The mempool buffer handed out by `sqeRxBuf`, released on failure. */
  poolBuf: Uint8Array | null = null;
  /**
   * @internal When its unit ran, where that is known; made the first time the slot's times are
   * taken and kept (a context that stamps none never makes one: times are doubles, which the
   * engine boxes, and most contexts never read them).
   */
  times: UnitTimes | null = null;

  constructor(owner: SqeOwner) {
    this.r = owner;
    this.sqe = new Sqe();
    this.sqe.slot = this;
  }
}

/** @internal An AWAIT's rendezvous with its signal: who to call, or that the signal came first. */
export class AwaitRendezvous {
  /** Signalled before anyone waited. */
  signaled = false;
  /** Who to call on signal (`iodevSqeAwaitSignal`'s `cb`), or null. */
  cb: RtioSignaled | null = null;
  /** Its `userdata`. */
  ud: unknown = undefined;
}

/** @internal When a unit ran: stamped by its context (RtioOptions.stampTimes) and reported by its agent. */
export class UnitTimes {
  /** When the unit last started, ms on the context's clock; NaN: it has not, or the context does not stamp times. */
  startedAt = NaN;
  /**
   * Device times its agent reported with its last CQE (docs/wire.md "Device times"): the agent's
   * µs clock modulo 2^32 when the unit started and when the CQE was posted; NaN: none.
   */
  deviceStartUs = NaN;
  /** See {@link UnitTimes.deviceStartUs}. */
  deviceEndUs = NaN;
}

/** @internal The times of slot `s`, made on first use. */
export function unitTimes(s: IodevSqe): UnitTimes {
  return s.times ?? (s.times = new UnitTimes());
}

/** @internal The rendezvous of AWAIT slot `s`, made on first use. */
export function awaitRendezvous(s: IodevSqe): AwaitRendezvous {
  return s.rendezvous ?? (s.rendezvous = new AwaitRendezvous());
}

/** @internal Records the device times an agent reported for `s` (undefined: none); allocates nothing when there are none to keep. */
export function setDeviceTimes(s: IodevSqe, startUs: number | undefined, endUs: number | undefined): void {
  if (startUs === undefined && endUs === undefined && s.times === null) return;
  const t = unitTimes(s);
  t.deviceStartUs = startUs ?? NaN;
  t.deviceEndUs = endUs ?? NaN;
}
