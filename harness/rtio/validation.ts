/**
 * Submit-time checks of the SQ: everything wrong with an SQE that can be known before it runs
 * (unknown op, contradictory flags, a missing iodev or buffer, a chain that links to nothing).
 * `submit()` runs them first, so a bad SQ starts nothing.
 */
import {
  RTIO_OP_AWAIT, RTIO_OP_CALLBACK, RTIO_OP_DELAY, RTIO_OP_NOP, RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_OP_TX,
  RTIO_OP_TXRX, RTIO_OPS, RTIO_SQE_CHAINED, RTIO_SQE_MEMPOOL_BUFFER, RTIO_SQE_MULTISHOT,
  RTIO_SQE_TRANSACTION,
} from './constants';
import type { IodevSqe, Sqe } from './sqe';

/** Why an SQE cannot be submitted, naming the field; `RangeError` or `TypeError` as JS would. */
type Problem = readonly [kind: 'range' | 'type', message: string];

const LINKS = RTIO_SQE_CHAINED | RTIO_SQE_TRANSACTION;

/** `KNOWN_OP[op]` is true for every op in RTIO_OPS: a lookup, as every SQE of every submit asks. */
const KNOWN_OP: readonly boolean[] = (() => {
  const known: boolean[] = [];
  for (const op of RTIO_OPS) known[op] = true;
  return known;
})();

function opNeedsIodev(op: number): boolean {
  return op === RTIO_OP_RX || op === RTIO_OP_TX || op === RTIO_OP_TINY_TX || op === RTIO_OP_TXRX ||
    (op > RTIO_OP_DELAY && op !== RTIO_OP_AWAIT);
}

/**
 * True for the usual SQEs, which have nothing more to check: a NOP without links, pool or
 * timeout, and a read or write of its own buffer (maybe chained to a next SQE) without a timeout.
 */
function plain(sqe: Sqe, last: boolean): boolean {
  const f = sqe.flags;
  const op = sqe.op;
  if (sqe.timeoutMs !== 0) return false;
  if (op === RTIO_OP_NOP) return (f & (LINKS | RTIO_SQE_MULTISHOT | RTIO_SQE_MEMPOOL_BUFFER)) === 0;
  return (op === RTIO_OP_RX || op === RTIO_OP_TX || op === RTIO_OP_TINY_TX) && (f & ~RTIO_SQE_CHAINED) === 0 && !(f !== 0 && last) &&
    sqe.iodev !== null && sqe.buf !== null && sqe.bufLen > 0 && sqe.buf.length >= sqe.bufLen;
}

/** The first problem of `sqe`, or null. `inTxn`: a transaction member after its head; `last`: nothing is queued after it. */
function problemOf(sqe: Sqe, inTxn: boolean, last: boolean, hasMempool: boolean): Problem | null {
  const f = sqe.flags;
  const op = sqe.op;
  if (typeof op !== 'number' || KNOWN_OP[op] !== true) return ['range', `unknown "op" ${op}`];
  if ((f & LINKS) === LINKS) return ['range', '"flags" has both RTIO_SQE_CHAINED and RTIO_SQE_TRANSACTION'];
  if (f & RTIO_SQE_MULTISHOT) {
    if (f & LINKS) return ['range', '"flags" combines RTIO_SQE_MULTISHOT with CHAINED or TRANSACTION'];
    if (op !== RTIO_OP_RX || !(f & RTIO_SQE_MEMPOOL_BUFFER)) return ['range', 'RTIO_SQE_MULTISHOT needs an RX with RTIO_SQE_MEMPOOL_BUFFER'];
  }
  if (f & RTIO_SQE_MEMPOOL_BUFFER) {
    if (op !== RTIO_OP_RX) return ['range', 'RTIO_SQE_MEMPOOL_BUFFER is only for RTIO_OP_RX'];
    if (!hasMempool) return ['range', 'RTIO_SQE_MEMPOOL_BUFFER on a context without a mempool'];
  }
  if (f & LINKS && last) return ['range', '"flags" links to a next SQE (CHAINED/TRANSACTION) but none is queued after it'];
  if (!(sqe.timeoutMs >= 0) || !Number.isFinite(sqe.timeoutMs)) {
    return ['range', `"timeoutMs" must be a finite number >= 0, got ${sqe.timeoutMs}`];
  }
  if (opNeedsIodev(op) && sqe.iodev === null && !inTxn) return ['type', `"iodev" is required for op ${op}`];
  if (op === RTIO_OP_CALLBACK) {
    if (sqe.iodev !== null) return ['type', 'a CALLBACK must have a null "iodev"'];
    if (typeof sqe.callback !== 'function') return ['type', '"callback" must be a function'];
    if (inTxn || f & RTIO_SQE_TRANSACTION) return ['range', 'a CALLBACK cannot be part of a transaction'];
  }
  if ((op === RTIO_OP_RX || op === RTIO_OP_TX || op === RTIO_OP_TINY_TX) && !(f & RTIO_SQE_MEMPOOL_BUFFER)) {
    if (sqe.buf === null || !(sqe.bufLen > 0) || sqe.buf.length < sqe.bufLen) {
      return ['range', `"buf" must hold "bufLen" (${sqe.bufLen}) bytes, has ${sqe.buf?.length ?? 'none'}`];
    }
  }
  if (op === RTIO_OP_TXRX) {
    if (sqe.txBuf === null || sqe.rxBuf === null || !(sqe.bufLen > 0) ||
      sqe.txBuf.length < sqe.bufLen || sqe.rxBuf.length < sqe.bufLen) {
      return ['range', `"txBuf" and "rxBuf" must each hold "bufLen" (${sqe.bufLen}) bytes`];
    }
  }
  return null;
}

/**
 * Checks the first `n` SQEs of `sq` before anything starts. Throws `RangeError` or `TypeError` whose
 * message starts with `sqe <i> of <n>:` and names the field.
 */
export function validateQueue(sq: readonly IodevSqe[], n: number, hasMempool: boolean): void {
  let inTxn = false;
  for (let i = 0; i < n; i++) {
    const sqe = sq[i]!.sqe;
    if (!plain(sqe, i === n - 1)) check(sqe, i, n, inTxn, hasMempool);
    inTxn = (sqe.flags & RTIO_SQE_TRANSACTION) !== 0;
  }
}

/** Throws what is wrong with `sqe`, the `i`th of `n`, if anything. */
function check(sqe: Sqe, i: number, n: number, inTxn: boolean, hasMempool: boolean): void {
  const problem = problemOf(sqe, inTxn, i === n - 1, hasMempool);
  if (problem !== null) {
    const message = `sqe ${i} of ${n}: ${problem[1]}`;
    throw problem[0] === 'type' ? new TypeError(message) : new RangeError(message);
  }
}
