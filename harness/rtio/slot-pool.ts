/**
 * A context's SQE pool (Zephyr's `rtio_sqe_pool`): a fixed set of slots, each an SQE with the
 * executor's handle on it, handed out by `sqeAcquire` and returned when the SQE completes.
 */
import { IodevSqe, NO_RESULT, SlotState, sqeReset } from './sqe';
import type { SqeOwner } from './sqe';

/**
 * `size` slots owned by `owner`. Free slots are linked through their `next` (unused while a slot
 * is free), so the pool costs no memory beyond its slots.
 */
export class SlotPool {
  private free: IodevSqe | null = null;
  private freeCount = 0;

  constructor(size: number, owner: SqeOwner) {
    for (let i = 0; i < size; i++) this.push(new IodevSqe(owner));
  }

  /** Slots that can be acquired now. */
  get available(): number {
    return this.freeCount;
  }

  /** A cleared slot (slots are cleared when released) in state `Queued`, or null when the pool is empty. */
  acquire(): IodevSqe | null {
    const s = this.free;
    if (s === null) return null;
    this.free = s.next;
    this.freeCount--;
    s.next = null;
    s.state = SlotState.Queued;
    return s;
  }

  /** Clears `s` (dropping every reference it holds) and puts it back. */
  release(s: IodevSqe): void {
    if (s.state === SlotState.Free) throw new RangeError('a slot was released twice');
    s.state = SlotState.Free;
    s.txnHead = null;
    s.txnResult = NO_RESULT;
    s.poolBuf = null;
    s.remote = null;
    s.cancelRequested = false;
    s.lastResult = 0;
    if (s.rendezvous !== null || s.times !== null) clearKept(s);
    sqeReset(s.sqe); // here rather than at acquire: nothing it referenced is kept while it is free
    this.push(s);
  }

  private push(s: IodevSqe): void {
    s.next = this.free;
    this.free = s;
    this.freeCount++;
  }
}

/** Clears what a slot keeps from use to use: its AWAIT rendezvous and its times. */
function clearKept(s: IodevSqe): void {
  const { rendezvous, times } = s;
  if (rendezvous !== null) {
    rendezvous.signaled = false;
    rendezvous.cb = null;
    rendezvous.ud = undefined;
  }
  if (times !== null) {
    times.startedAt = NaN;
    times.deviceStartUs = NaN;
    times.deviceEndUs = NaN;
  }
}
