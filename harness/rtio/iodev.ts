/**
 * What iodevs call while they run an SQE (Zephyr's `rtio_iodev_sqe_ok`/`_err`, `rtio_txn_next`,
 * `rtio_sqe_rx_buf`, AWAIT signalling). The structures themselves are in sqe.ts.
 */
import { RTIO_OP_AWAIT, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION } from './constants';
import { EIO } from './errno';
import { rtioObservers } from './observer';
import { Completion, SlotState, awaitRendezvous } from './sqe';
import type { IodevSqe, RtioSignaled, Sqe } from './sqe';

/** Completes `iodevSqe` successfully with `result` (bytes moved, or 0), Zephyr's `rtio_iodev_sqe_ok`. */
export function iodevSqeOk(iodevSqe: IodevSqe, result: number): void {
  iodevSqe.r.complete(iodevSqe, result, Completion.Ok);
}

/**
 * Completes `iodevSqe` with a negative errno, Zephyr's `rtio_iodev_sqe_err` (`-EIO` when given
 * anything else). Called on a transaction member, that member carries the error, earlier
 * members succeed and later ones get `-ECANCELED`.
 */
export function iodevSqeErr(iodevSqe: IodevSqe, result: number): void {
  iodevSqe.r.complete(iodevSqe, result < 0 ? result : -EIO, Completion.Err);
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
  const rv = awaitRendezvous(iodevSqe);
  if (rv.signaled) {
    rv.signaled = false;
    cb(iodevSqe, userdata);
    return;
  }
  rv.cb = cb;
  rv.ud = userdata;
}

/** True when {@link sqeSignal} accepts `sqe`: an AWAIT that is acquired, submitted or running. */
export function sqeSignalable(sqe: Sqe): boolean {
  const s = sqe.slot;
  return s !== null && s.state !== SlotState.Free && s.state !== SlotState.Zombie && sqe.op === RTIO_OP_AWAIT;
}

/**
 * Signals an AWAIT SQE (Zephyr's `rtio_sqe_signal`): completes it if it is waiting, or lets it
 * complete as soon as it is reached. Signalling an SQE that is not an AWAIT of a live context
 * throws `TypeError`.
 */
export function sqeSignal(sqe: Sqe): void {
  if (!sqeSignalable(sqe)) throw new TypeError('"sqe" is not an acquired or running RTIO_OP_AWAIT SQE of a context');
  const s = sqe.slot!;
  rtioObservers.current?.signaled(s);
  // A shipped chain's AWAIT, or a unit the host gave a remote iodev: the agent holds it.
  const remote = s.remote ?? (s.state === SlotState.Inflight ? sqe.iodev?.remote ?? null : null);
  if (remote !== null && s.state !== SlotState.Queued) {
    remote.signal(s);
    return;
  }
  const rv = awaitRendezvous(s);
  const cb = rv.cb;
  if (cb === null) {
    rv.signaled = true;
    return;
  }
  rv.cb = null;
  const ud = rv.ud;
  rv.ud = undefined;
  cb(s, ud);
  s.r.stepWake();
}
