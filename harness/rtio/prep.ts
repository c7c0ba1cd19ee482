/**
 * The `sqePrep*` helpers that fill an SQE for one operation (Zephyr's `rtio_sqe_prep_*`). Each
 * clears the SQE first, so set extra flags after it; each throws `TypeError`/`RangeError` naming
 * a bad argument and then leaves the SQE untouched.
 */
import {
  RTIO_OP_AWAIT, RTIO_OP_CALLBACK, RTIO_OP_DELAY, RTIO_OP_I2C_CONFIGURE, RTIO_OP_I2C_RECOVER,
  RTIO_OP_NOP, RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_OP_TX, RTIO_OP_TXRX, RTIO_SQE_MEMPOOL_BUFFER,
  RTIO_SQE_MULTISHOT, RTIO_SQE_NO_RESPONSE, RTIO_TINY_TX_MAX,
} from './constants';
import type { Rtio } from './context';
import { sqeReset } from './sqe';
import type { Iodev, Sqe } from './sqe';

/**
 * An executor callback (`RTIO_OP_CALLBACK`), Zephyr's `rtio_callback_t`: called with the
 * context, the SQE, the result of the previous SQE in the chain (0 for a chain head) and `arg0`.
 * An exception completes the SQE with `-EIO` and is kept in `Rtio.callbackErrors`.
 */
export type RtioCallback = (r: Rtio, sqe: Sqe, result: number, arg0: unknown) => void;

function needIodev(iodev: Iodev | null | undefined, what: string): Iodev {
  if (iodev === null || iodev === undefined || typeof iodev.submit !== 'function') badIodev(iodev, what);
  return iodev;
}

function badIodev(iodev: unknown, what: string): never {
  throw new TypeError(`"iodev" is required for ${what}, got ${String(iodev)}`);
}

function needPrio(prio: number): number {
  if (!Number.isInteger(prio) || prio < 0 || prio > 255) badPrio(prio);
  return prio;
}

function badPrio(prio: number): never {
  throw new RangeError(`"prio" must be an integer 0..255, got ${prio}`);
}

function needBuf(name: string, buf: Uint8Array | null | undefined, len: number): Uint8Array {
  if (!(buf instanceof Uint8Array) || !Number.isInteger(len) || len <= 0 || buf.length < len) badBuf(name, buf, len);
  return buf;
}

function badBuf(name: string, buf: Uint8Array | null | undefined, len: number): never {
  if (!(buf instanceof Uint8Array)) throw new TypeError(`"${name}" must be a Uint8Array, got ${String(buf)}`);
  if (!Number.isInteger(len) || len <= 0) throw new RangeError(`"len" must be a positive integer, got ${len}`);
  throw new RangeError(`"${name}" is ${buf.length} bytes, shorter than "len" ${len}`);
}

/**
 * True when a transfer's arguments are good: an iodev, `prio` 0..255, and `buf` holding `len`
 * (> 0) bytes. One small check, so that the helpers stay small enough to inline into the caller.
 */
function transferArgsOk(iodev: Iodev | null | undefined, prio: number, buf: Uint8Array | null | undefined, len: number): boolean {
  return iodev !== null && iodev !== undefined && typeof iodev.submit === 'function' && buf instanceof Uint8Array &&
    Number.isInteger(len) && len > 0 && buf.length >= len && Number.isInteger(prio) && prio >= 0 && prio <= 255;
}

/** Throws what {@link transferArgsOk} found wrong, checked in order: the iodev, the buffer `name`, then `prio`. */
function badTransferArgs(what: string, name: string, iodev: Iodev | null | undefined, prio: number, buf: Uint8Array | null | undefined, len: number): never {
  needIodev(iodev, what);
  needBuf(name, buf, len);
  needPrio(prio);
  throw new RangeError(`bad arguments for ${what}`);
}

/** Clears `sqe` and sets what every prep helper sets; the arguments are already checked. */
function prep(sqe: Sqe, op: number, iodev: Iodev | null, prio: number, userdata: unknown): void {
  sqeReset(sqe);
  sqe.op = op;
  sqe.prio = prio;
  sqe.iodev = iodev;
  sqe.userdata = userdata;
}

/** Prepares a no-op. With an iodev, the iodev decides how it completes; without, it completes with 0. */
export function sqePrepNop(sqe: Sqe, iodev: Iodev | null, userdata?: unknown): void {
  prep(sqe, RTIO_OP_NOP, iodev, 0, userdata);
}

/** Prepares a transfer of `len` bytes of `buf` (RX, TX): the arguments checked, then {@link prep}. */
function prepBuffer(sqe: Sqe, op: number, what: string, iodev: Iodev, prio: number, buf: Uint8Array, len: number, userdata: unknown): void {
  if (!transferArgsOk(iodev, prio, buf, len)) badTransferArgs(what, 'buf', iodev, prio, buf, len);
  prep(sqe, op, iodev, prio, userdata);
  sqe.buf = buf;
  sqe.bufLen = len;
}

/** Prepares a read of `len` bytes into `buf`. */
export function sqePrepRead(sqe: Sqe, iodev: Iodev, prio: number, buf: Uint8Array, len: number, userdata?: unknown): void {
  prepBuffer(sqe, RTIO_OP_RX, 'a read', iodev, prio, buf, len, userdata);
}

/** Prepares a read into a buffer the iodev takes from the context's mempool. */
export function sqePrepReadWithPool(sqe: Sqe, iodev: Iodev, prio: number, userdata?: unknown): void {
  prep(sqe, RTIO_OP_RX, needIodev(iodev, 'a read'), needPrio(prio), userdata);
  sqe.flags = RTIO_SQE_MEMPOOL_BUFFER;
}

/** Prepares a mempool read that re-arms after each completion until cancelled or failed. */
export function sqePrepReadMultishot(sqe: Sqe, iodev: Iodev, prio: number, userdata?: unknown): void {
  sqePrepReadWithPool(sqe, iodev, prio, userdata);
  sqe.flags |= RTIO_SQE_MULTISHOT;
}

/** Prepares a write of the first `len` bytes of `buf` (the caller keeps `buf` alive until the CQE). */
export function sqePrepWrite(sqe: Sqe, iodev: Iodev, prio: number, buf: Uint8Array, len: number, userdata?: unknown): void {
  prepBuffer(sqe, RTIO_OP_TX, 'a write', iodev, prio, buf, len, userdata);
}

/** Prepares a write of 1..7 bytes copied into the SQE, so `data` may be reused at once. */
export function sqePrepTinyWrite(sqe: Sqe, iodev: Iodev, prio: number, data: Uint8Array, len: number, userdata?: unknown): void {
  if (!transferArgsOk(iodev, prio, data, len) || len > RTIO_TINY_TX_MAX) badTinyWriteArgs(iodev, prio, data, len);
  prep(sqe, RTIO_OP_TINY_TX, iodev, prio, userdata);
  const tiny = sqe.tinyBuf ?? (sqe.tinyBuf = new Uint8Array(RTIO_TINY_TX_MAX));
  for (let i = 0; i < len; i++) tiny[i] = data[i]!; // a loop: a subarray view would cost more than the copy
  sqe.buf = tiny;
  sqe.bufLen = len;
}

/** Throws what is wrong with a tiny write's arguments: the iodev, `data`, `len` over RTIO_TINY_TX_MAX, then `prio`. */
function badTinyWriteArgs(iodev: Iodev | null | undefined, prio: number, data: Uint8Array | null | undefined, len: number): never {
  needIodev(iodev, 'a tiny write');
  needBuf('data', data, len);
  if (len > RTIO_TINY_TX_MAX) throw new RangeError(`"len" must be at most ${RTIO_TINY_TX_MAX} (RTIO_TINY_TX_MAX), got ${len}`);
  return badTransferArgs('a tiny write', 'data', iodev, prio, data, len);
}

/** Prepares a full-duplex transfer: send `tx` while receiving into `rx`, `len` bytes each. */
export function sqePrepTransceive(
  sqe: Sqe, iodev: Iodev, prio: number, tx: Uint8Array, rx: Uint8Array, len: number, userdata?: unknown,
): void {
  const dev = needIodev(iodev, 'a transceive');
  needBuf('tx', tx, len);
  needBuf('rx', rx, len);
  prep(sqe, RTIO_OP_TXRX, dev, needPrio(prio), userdata);
  sqe.txBuf = tx;
  sqe.rxBuf = rx;
  sqe.bufLen = len;
}

/** Prepares an executor callback; it receives the previous chain member's result. */
export function sqePrepCallback(sqe: Sqe, callback: RtioCallback, arg0: unknown, userdata?: unknown): void {
  if (typeof callback !== 'function') throw new TypeError(`"callback" must be a function, got ${String(callback)}`);
  prep(sqe, RTIO_OP_CALLBACK, null, 0, userdata);
  sqe.callback = callback;
  sqe.arg0 = arg0;
}

/** Like {@link sqePrepCallback}, with `RTIO_SQE_NO_RESPONSE`: the callback produces no CQE. */
export function sqePrepCallbackNoCqe(sqe: Sqe, callback: RtioCallback, arg0: unknown, userdata?: unknown): void {
  sqePrepCallback(sqe, callback, arg0, userdata);
  sqe.flags |= RTIO_SQE_NO_RESPONSE;
}

/**
 * Prepares an AWAIT that completes once `sqeSignal(sqe)` is called (before or after it is
 * reached). With an iodev, the iodev waits and so holds its bus; without, the executor waits.
 */
export function sqePrepAwait(sqe: Sqe, iodev: Iodev | null, prio: number, userdata?: unknown): void {
  prep(sqe, RTIO_OP_AWAIT, iodev, needPrio(prio), userdata);
}

/** {@link sqePrepAwait} on an iodev (required). */
export function sqePrepAwaitIodev(sqe: Sqe, iodev: Iodev, prio: number, userdata?: unknown): void {
  sqePrepAwait(sqe, needIodev(iodev, 'an iodev await'), prio, userdata);
}

/** {@link sqePrepAwait} in the executor (no iodev, no bus held). */
export function sqePrepAwaitExecutor(sqe: Sqe, prio: number, userdata?: unknown): void {
  sqePrepAwait(sqe, null, prio, userdata);
}

/** Prepares a DELAY that completes with 0 after `delayMs` ms of the context's clock. */
export function sqePrepDelay(sqe: Sqe, delayMs: number, userdata?: unknown): void {
  if (!(delayMs >= 0) || !Number.isFinite(delayMs)) throw new RangeError(`"delayMs" must be a finite number >= 0, got ${delayMs}`);
  prep(sqe, RTIO_OP_DELAY, null, 0, userdata);
  sqe.delayMs = delayMs;
}

/** Prepares an I2C configure with Zephyr's `i2c_config` bits. */
export function sqePrepI2cConfigure(sqe: Sqe, iodev: Iodev, prio: number, i2cConfig: number, userdata?: unknown): void {
  prep(sqe, RTIO_OP_I2C_CONFIGURE, needIodev(iodev, 'an I2C configure'), needPrio(prio), userdata);
  sqe.i2cConfig = i2cConfig >>> 0;
}

/** Prepares an I2C bus recovery. */
export function sqePrepI2cRecover(sqe: Sqe, iodev: Iodev, prio: number, userdata?: unknown): void {
  prep(sqe, RTIO_OP_I2C_RECOVER, needIodev(iodev, 'an I2C recover'), needPrio(prio), userdata);
}
