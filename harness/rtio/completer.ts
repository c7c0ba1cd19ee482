/**
 * How a unit's end becomes CQEs (the completion half of Zephyr's `rtio_executor_ok`/`_err`): the
 * results of its members, the `-ECANCELED` cascade through the rest of a failed chain, mempool
 * blocks handed out or given back, multishots re-armed or ended, and slots returned to the pool
 * (or kept as zombies while an iodev still holds a timed-out SQE). Completions of chains shipped
 * to an agent arrive here too.
 */
import {
  RTIO_CQE_FLAG_MORE, RTIO_CQE_FLAG_PREP_MEMPOOL, RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_OP_TX,
  RTIO_OP_TXRX, RTIO_SQE_CHAINED, RTIO_SQE_MEMPOOL_BUFFER, RTIO_SQE_MULTISHOT,
  RTIO_SQE_NO_RESPONSE, RTIO_SQE_TRANSACTION,
} from './constants';
import type { CompletionQueue } from './completion-queue';
import { ECANCELED, ENOMEM } from './errno';
import type { Mempool } from './mempool';
import { copyRemoteData } from './remote-shipping';
import type { SlotPool } from './slot-pool';
import { NO_RESULT, SlotState } from './sqe';
import type { IodevSqe, RemoteCompletion, Sqe } from './sqe';
import type { Waiting } from './waiting';

/** Flags of an SQE whose success is not simply one CQE and the chain moving on ({@link Completer.finishOne}'s case). */
export const NOT_ONE_CQE = RTIO_SQE_MULTISHOT | RTIO_SQE_TRANSACTION | RTIO_SQE_NO_RESPONSE | RTIO_SQE_MEMPOOL_BUFFER;

/** What happens to the slots of a unit whose CQEs are posted. */
export enum SlotsAfter {
  /** Back to the pool. */
  Free,
  /** Kept until the iodev lets go: it was timed out while its iodev still held it. */
  Zombie,
}

/** What starts the SQEs a completion lets go (the next member of a chain, a multishot's next shot): the executor. */
export interface Starter {
  /** Starts the unit headed by `s` now, or right after the unit being started if called from within one. */
  startNext(s: IodevSqe): void;
}

/** The completion side of one context's executor. */
export class Completer implements RemoteCompletion {
  /** SQEs submitted and not yet completed (multishots count until their final CQE). */
  inflight = 0;
  /** Completions reported for an SQE that was not running: a driver or agent bug. */
  strayCompletions = 0;

  /** Chain members whose predecessor succeeded, and multishots' next shots, go to `starter`. */
  constructor(
    private readonly pool: SlotPool,
    private readonly cq: CompletionQueue,
    private readonly mempool: Mempool | null,
    private readonly waiting: Waiting,
    private readonly starter: Starter,
  ) {}

  /**
   * Posts the CQEs of the unit headed by `head` and moves its chain on. `failing` is the member
   * that failed with `result` (null when the unit succeeded): members before it keep their
   * recorded results, it gets `result`, those after it `-ECANCELED`, and so does the rest of the
   * chain; a short transfer also ends the chain.
   */
  finish(head: IodevSqe, result: number, failing: IodevSqe | null, after: SlotsAfter): void {
    const hsqe = head.sqe;
    const hf = hsqe.flags;
    if (hf & RTIO_SQE_MULTISHOT) {
      this.finishMultishot(head, result, failing === null, after);
      return;
    }
    if (failing === null && after === SlotsAfter.Free && !(hf & NOT_ONE_CQE)) {
      this.finishOne(head, result);
      return;
    }
    this.finishUnit(head, result, failing, after);
  }

  /** {@link finish} of any unit but a multishot: the results of its members, in order. */
  private finishUnit(head: IodevSqe, result: number, failing: IodevSqe | null, after: SlotsAfter): void {
    const ok = failing === null;
    let chainOk = ok;
    let passedFailing = false;
    let cur: IodevSqe = head;
    for (;;) {
      const sqe = cur.sqe;
      let r: number;
      if (ok) {
        r = cur === head || cur.txnResult === NO_RESULT ? result : cur.txnResult;
        if (isShort(sqe, r)) chainOk = false;
      } else if (cur === failing) {
        r = result;
        passedFailing = true;
      } else if (!passedFailing) {
        r = cur.txnResult === NO_RESULT ? 0 : cur.txnResult;
      } else {
        r = -ECANCELED;
      }
      let flags = 0;
      const silent = (sqe.flags & RTIO_SQE_NO_RESPONSE) !== 0;
      // Without a CQE nobody could release a mempool block: the executor does.
      if (ok && !silent) flags = this.cqeFlags(cur, r);
      else if (cur.poolBuf !== null && after === SlotsAfter.Free) this.releasePoolBuf(cur);
      if (!silent) this.cq.post(r, sqe.userdata, flags, cur);
      const next: IodevSqe | null = cur.next;
      const more = (sqe.flags & RTIO_SQE_TRANSACTION) !== 0 && next !== null;
      const chained = (sqe.flags & RTIO_SQE_CHAINED) !== 0 && next !== null;
      this.end(cur, after);
      if (more) {
        cur = next!;
        continue;
      }
      if (chained) {
        if (chainOk) {
          next!.lastResult = r;
          this.starter.startNext(next!);
        } else {
          this.cancelChain(next!);
        }
      }
      return;
    }
  }

  /** {@link finish} of the usual unit: one SQE, not multishot, no mempool, with a CQE, that succeeded. */
  finishOne(s: IodevSqe, result: number): void {
    const sqe = s.sqe;
    this.cq.post(result, sqe.userdata, 0, s);
    const next = s.next;
    const chained = (sqe.flags & RTIO_SQE_CHAINED) !== 0 && next !== null;
    // Most results are not below bufLen, and need no look at the op.
    const short = chained && result < sqe.bufLen && isShort(sqe, result);
    this.release(s);
    if (!chained) return;
    if (short) {
      this.cancelChain(next);
    } else {
      next.lastResult = result;
      this.starter.startNext(next);
    }
  }

  private finishMultishot(s: IodevSqe, result: number, ok: boolean, after: SlotsAfter): void {
    const sqe = s.sqe;
    // A shot whose CQE takes the last free CQE is the last one: a multishot never overflows the CQ.
    const terminal = !ok || result < 0 || s.cancelRequested || this.cq.nearlyFull;
    const silent = (sqe.flags & RTIO_SQE_NO_RESPONSE) !== 0;
    if (!terminal) {
      const flags = this.cqeFlags(s, result) | RTIO_CQE_FLAG_MORE;
      if (silent) this.releasePoolBuf(s);
      s.poolBuf = null;
      sqe.buf = null;
      sqe.bufLen = 0;
      if (!silent) this.cq.post(result, sqe.userdata, flags, s);
      s.lastResult = result;
      this.starter.startNext(s);
      return;
    }
    let r = result;
    let flags = 0;
    if (s.cancelRequested && ok) r = -ECANCELED;
    if (ok && r >= 0 && !silent) {
      flags = this.cqeFlags(s, r);
      s.poolBuf = null;
    } else if (after === SlotsAfter.Free) {
      this.releasePoolBuf(s);
    }
    if (!silent) this.cq.post(r, sqe.userdata, flags, s);
    this.end(s, after);
  }

  private cancelChain(first: IodevSqe): void {
    for (let cur: IodevSqe | null = first; cur !== null; ) {
      const sqe: Sqe = cur.sqe;
      if (!(sqe.flags & RTIO_SQE_NO_RESPONSE)) this.cq.post(-ECANCELED, sqe.userdata, 0, cur);
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

  releasePoolBuf(s: IodevSqe): void {
    if (s.poolBuf !== null && this.mempool !== null) this.mempool.release(s.poolBuf);
    s.poolBuf = null;
  }

  /** The slot's SQE completed: its slot goes back to the pool, or waits as a zombie. */
  private end(s: IodevSqe, after: SlotsAfter): void {
    if (after === SlotsAfter.Free) {
      this.release(s);
      return;
    }
    this.inflight--;
    s.state = SlotState.Zombie;
    if (this.inflight === 0 && this.waiting.active) this.waiting.wake();
  }

  private release(s: IodevSqe): void {
    this.inflight--;
    this.pool.release(s);
    if (this.inflight === 0 && this.waiting.active) this.waiting.wake();
  }

  reapZombie(s: IodevSqe): void {
    const head = s.txnHead ?? s;
    for (let cur: IodevSqe | null = head; cur !== null; ) {
      const next: IodevSqe | null = cur.sqe.flags & RTIO_SQE_TRANSACTION ? cur.next : null;
      if (cur.state === SlotState.Zombie) {
        if (cur.poolBuf !== null) this.releasePoolBuf(cur);
        this.pool.release(cur);
      }
      cur = next;
    }
  }
  /** Completes one member of a chain shipped to a remote executor. */
  remoteComplete(s: IodevSqe, result: number, more: boolean, data: Uint8Array | null): boolean {
    if (s.state !== SlotState.Inflight || s.remote === null) {
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
      if (!silent && len === 0) {
        flags = RTIO_CQE_FLAG_PREP_MEMPOOL(0, 0);
      } else if (!silent) {
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
      copyRemoteData(sqe, data);
    }
    const armed = more && r >= 0 && !this.cq.nearlyFull;
    if (armed) flags |= RTIO_CQE_FLAG_MORE;
    if (!silent) this.cq.post(r, sqe.userdata, flags, s);
    if (armed) return true;
    if (more) s.remote.cancel(s);
    s.remote = null;
    this.release(s);
    return false;
  }

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
