/**
 * Which chains the host ships whole to an agent, and how the bytes an agent read land in the
 * host's buffers. A chain goes to an agent when every member can run there (its iodev lives on
 * that agent, or it is an executor op the agent runs) and the agent can take it as one unit;
 * otherwise the host executor runs it, unit by unit, through the iodevs' `submit`.
 */
import { RTIO_OP_RX, RTIO_OP_TXRX } from './constants';
import type { IodevSqe, RemoteExecutor, Sqe } from './sqe';

/** The remote executor that can run every member of the chain headed by `head`, or null. */
export function shippableTo(head: IodevSqe): RemoteExecutor | null {
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

/** Copies what an agent's RX or TXRX read into the SQE's own receive buffer (at most `bufLen` bytes). */
export function copyRemoteData(sqe: Sqe, data: Uint8Array): void {
  const into = sqe.op === RTIO_OP_RX ? sqe.buf : sqe.op === RTIO_OP_TXRX ? sqe.rxBuf : null;
  if (into !== null) into.set(data.subarray(0, Math.min(data.length, sqe.bufLen)));
}
