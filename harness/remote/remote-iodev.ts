/**
 * A remote target's iodevs as the host executor sees them, for the units it runs itself (chains
 * with a CALLBACK, or too long to ship whole): each unit is shipped alone and its members are
 * completed through the ordinary iodev contract.
 */
import {
  iodevSqeErr, iodevSqeOk, RTIO_OP_RX, RTIO_OP_TXRX, sqeRxBuf, txnNext, txnSetResult,
} from '../rtio';
import type { Iodev, IodevSqe, RemoteCompletion, RemoteExecutor } from '../rtio';

/** What a remote iodev asks of its target for a unit the host executor gives it. */
export interface UnitShipper extends RemoteExecutor {
  /** Ships one unit (a transaction, or a single SQE) of a chain the host runs. */
  submitUnit(head: IodevSqe): void;
  /** True when the unit was still waiting on the host and is dropped; else the agent is asked to cancel it. */
  cancelUnit(head: IodevSqe): boolean;
}

/** One iodev of a remote target; `wireId` is its row in the agent's iodev table. */
export class RemoteIodev implements Iodev {
  constructor(readonly name: string, readonly wireId: number, readonly remote: UnitShipper) {}

  /** A unit of a chain the host runs itself (one with a CALLBACK): shipped alone. */
  submit(iodevSqe: IodevSqe): void {
    this.remote.submitUnit(iodevSqe);
  }

  /** Drops a unit still waiting on the host for room on the agent; else asks the agent. */
  cancel(iodevSqe: IodevSqe): boolean {
    return this.remote.cancelUnit(iodevSqe);
  }
}

/** The wire id of an iodev of a remote target, 0 for none (an executor op). */
export function wireIodevOf(iodev: Iodev | null): number {
  return iodev instanceof RemoteIodev ? iodev.wireId : 0;
}

/**
 * Completes the members of one shipped unit through the iodev contract, for chains the host
 * executor runs itself: per-member results with `txnSetResult`, then one `iodevSqeOk/Err`.
 */
export class UnitCompletion implements RemoteCompletion {
  private left: number;
  private failed: IodevSqe | null = null;
  private failResult = 0;

  constructor(private readonly head: IodevSqe) {
    let n = 0;
    for (let m: IodevSqe | null = head; m !== null; m = txnNext(m)) n++;
    this.left = n;
  }

  remoteComplete(s: IodevSqe, result: number, _more: boolean, data: Uint8Array | null): boolean {
    const sqe = s.sqe;
    if (result >= 0 && data !== null) {
      if (sqe.op === RTIO_OP_RX) {
        const buf = sqeRxBuf(s, data.length, data.length);
        if (typeof buf === 'number') result = buf;
        else buf.set(data.subarray(0, buf.length));
      } else if (sqe.op === RTIO_OP_TXRX && sqe.rxBuf !== null) {
        sqe.rxBuf.set(data.subarray(0, sqe.bufLen));
      }
    }
    // The first member that did not succeed fails the unit, whatever its errno: the agent
    // reports later members as -ECANCELED only after an earlier one failed.
    if (result < 0 && this.failed === null) {
      this.failed = s;
      this.failResult = result;
    }
    txnSetResult(s, result);
    if (--this.left > 0) return false;
    if (this.failed !== null) iodevSqeErr(this.failed, this.failResult);
    else iodevSqeOk(this.head, this.head.txnResult);
    return false;
  }
}
