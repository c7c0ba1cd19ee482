/**
 * A context's SQE pool (Zephyr's `rtio_sqe_pool`): a fixed set of slots, each an SQE with the
 * executor's handle on it, handed out by `sqeAcquire` and returned when the SQE completes.
 */
import { FreeList } from './free-list';
import { IodevSqe, NO_RESULT, SlotState, sqeReset } from './sqe';
import type { SqeOwner } from './sqe';

/** `size` slots owned by `owner`. */
export class SlotPool {
  private readonly free: FreeList<IodevSqe>;

  constructor(size: number, owner: SqeOwner) {
    const slots: IodevSqe[] = [];
    for (let i = 0; i < size; i++) slots.push(new IodevSqe(owner));
    this.free = new FreeList(slots);
  }

  /** Slots that can be acquired now. */
  get available(): number {
    return this.free.length;
  }

  /** A cleared slot in state `Queued`, or null when the pool is empty. */
  acquire(): IodevSqe | null {
    const s = this.free.take();
    if (s === null) return null;
    s.state = SlotState.Queued;
    sqeReset(s.sqe);
    return s;
  }

  /** Clears `s` (dropping every reference it holds) and puts it back. */
  release(s: IodevSqe): void {
    s.state = SlotState.Free;
    s.next = null;
    s.txnHead = null;
    s.txnResult = NO_RESULT;
    s.poolBuf = null;
    s.remote = null;
    s.cancelRequested = false;
    s.awaitCb = null;
    s.awaitUd = undefined;
    s.awaitSignaled = false;
    s.lastResult = 0;
    s.startedAt = NaN;
    s.deviceStartUs = NaN;
    s.deviceEndUs = NaN;
    const sqe = s.sqe;
    sqe.userdata = undefined;
    sqe.buf = null;
    sqe.txBuf = null;
    sqe.rxBuf = null;
    sqe.callback = null;
    sqe.arg0 = undefined;
    this.free.give(s);
  }
}
