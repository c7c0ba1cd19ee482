import {
  RTIO_OP_AWAIT, RTIO_OP_CALLBACK, RTIO_OP_DELAY, RTIO_OP_I2C_CONFIGURE, RTIO_OP_I2C_RECOVER,
  RTIO_OP_NOP, RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_OP_TX, RTIO_OP_TXRX, RTIO_SQE_MEMPOOL_BUFFER,
  RTIO_SQE_MULTISHOT, RTIO_SQE_NO_RESPONSE, RTIO_TINY_TX_MAX,
} from './constants';
import type { Iodev, IodevSqe } from './iodev';
import type { Rtio } from './rtio';

/**
 * An executor callback (`RTIO_OP_CALLBACK`), Zephyr's `rtio_callback_t`: called with the
 * context, the SQE, the result of the previous SQE in the chain (0 for a chain head) and `arg0`.
 * An exception completes the SQE with `-EIO` and is kept in `Rtio.callbackErrors`.
 */
export type RtioCallback = (r: Rtio, sqe: Sqe, result: number, arg0: unknown) => void;

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
  /** CALLBACK: the function to call. */
  callback: RtioCallback | null = null;
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

function needIodev(iodev: Iodev | null | undefined, what: string): Iodev {
  if (iodev === null || iodev === undefined || typeof iodev.submit !== 'function') {
    throw new TypeError(`"iodev" is required for ${what}, got ${String(iodev)}`);
  }
  return iodev;
}

function needPrio(prio: number): number {
  if (!Number.isInteger(prio) || prio < 0 || prio > 255) {
    throw new RangeError(`"prio" must be an integer 0..255, got ${prio}`);
  }
  return prio;
}

function needBuf(name: string, buf: Uint8Array | null | undefined, len: number): Uint8Array {
  if (!(buf instanceof Uint8Array)) throw new TypeError(`"${name}" must be a Uint8Array, got ${String(buf)}`);
  if (!Number.isInteger(len) || len <= 0) throw new RangeError(`"len" must be a positive integer, got ${len}`);
  if (buf.length < len) throw new RangeError(`"${name}" is ${buf.length} bytes, shorter than "len" ${len}`);
  return buf;
}

/** Prepares a no-op. With an iodev, the iodev decides how it completes; without, it completes with 0. */
export function sqePrepNop(sqe: Sqe, iodev: Iodev | null, userdata?: unknown): void {
  sqeReset(sqe);
  sqe.op = RTIO_OP_NOP;
  sqe.iodev = iodev;
  sqe.userdata = userdata;
}

/** Prepares a read of `len` bytes into `buf`. Throws `TypeError`/`RangeError` naming a bad argument. */
export function sqePrepRead(sqe: Sqe, iodev: Iodev, prio: number, buf: Uint8Array, len: number, userdata?: unknown): void {
  const dev = needIodev(iodev, 'a read');
  needBuf('buf', buf, len);
  sqeReset(sqe);
  sqe.op = RTIO_OP_RX;
  sqe.prio = needPrio(prio);
  sqe.iodev = dev;
  sqe.buf = buf;
  sqe.bufLen = len;
  sqe.userdata = userdata;
}

/** Prepares a read into a buffer the iodev takes from the context's mempool. */
export function sqePrepReadWithPool(sqe: Sqe, iodev: Iodev, prio: number, userdata?: unknown): void {
  const dev = needIodev(iodev, 'a read');
  sqeReset(sqe);
  sqe.op = RTIO_OP_RX;
  sqe.prio = needPrio(prio);
  sqe.iodev = dev;
  sqe.flags = RTIO_SQE_MEMPOOL_BUFFER;
  sqe.userdata = userdata;
}

/** Prepares a mempool read that re-arms after each completion until cancelled or failed. */
export function sqePrepReadMultishot(sqe: Sqe, iodev: Iodev, prio: number, userdata?: unknown): void {
  sqePrepReadWithPool(sqe, iodev, prio, userdata);
  sqe.flags |= RTIO_SQE_MULTISHOT;
}

/** Prepares a write of the first `len` bytes of `buf` (the caller keeps `buf` alive until the CQE). */
export function sqePrepWrite(sqe: Sqe, iodev: Iodev, prio: number, buf: Uint8Array, len: number, userdata?: unknown): void {
  const dev = needIodev(iodev, 'a write');
  needBuf('buf', buf, len);
  sqeReset(sqe);
  sqe.op = RTIO_OP_TX;
  sqe.prio = needPrio(prio);
  sqe.iodev = dev;
  sqe.buf = buf;
  sqe.bufLen = len;
  sqe.userdata = userdata;
}

/** Prepares a write of 1..7 bytes copied into the SQE, so `data` may be reused at once. */
export function sqePrepTinyWrite(sqe: Sqe, iodev: Iodev, prio: number, data: Uint8Array, len: number, userdata?: unknown): void {
  const dev = needIodev(iodev, 'a tiny write');
  needBuf('data', data, len);
  if (len > RTIO_TINY_TX_MAX) throw new RangeError(`"len" must be at most ${RTIO_TINY_TX_MAX} (RTIO_TINY_TX_MAX), got ${len}`);
  sqeReset(sqe);
  sqe.op = RTIO_OP_TINY_TX;
  sqe.prio = needPrio(prio);
  sqe.iodev = dev;
  const tiny = sqe.tinyBuf ?? (sqe.tinyBuf = new Uint8Array(RTIO_TINY_TX_MAX));
  tiny.set(data.subarray(0, len));
  sqe.buf = tiny;
  sqe.bufLen = len;
  sqe.userdata = userdata;
}

/** Prepares a full-duplex transfer: send `tx` while receiving into `rx`, `len` bytes each. */
export function sqePrepTransceive(
  sqe: Sqe, iodev: Iodev, prio: number, tx: Uint8Array, rx: Uint8Array, len: number, userdata?: unknown,
): void {
  const dev = needIodev(iodev, 'a transceive');
  needBuf('tx', tx, len);
  needBuf('rx', rx, len);
  sqeReset(sqe);
  sqe.op = RTIO_OP_TXRX;
  sqe.prio = needPrio(prio);
  sqe.iodev = dev;
  sqe.txBuf = tx;
  sqe.rxBuf = rx;
  sqe.bufLen = len;
  sqe.userdata = userdata;
}

/** Prepares an executor callback; it receives the previous chain member's result. */
export function sqePrepCallback(sqe: Sqe, callback: RtioCallback, arg0: unknown, userdata?: unknown): void {
  if (typeof callback !== 'function') throw new TypeError(`"callback" must be a function, got ${String(callback)}`);
  sqeReset(sqe);
  sqe.op = RTIO_OP_CALLBACK;
  sqe.callback = callback;
  sqe.arg0 = arg0;
  sqe.userdata = userdata;
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
  sqeReset(sqe);
  sqe.op = RTIO_OP_AWAIT;
  sqe.prio = needPrio(prio);
  sqe.iodev = iodev;
  sqe.userdata = userdata;
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
  sqeReset(sqe);
  sqe.op = RTIO_OP_DELAY;
  sqe.delayMs = delayMs;
  sqe.userdata = userdata;
}

/** Prepares an I2C configure with Zephyr's `i2c_config` bits. */
export function sqePrepI2cConfigure(sqe: Sqe, iodev: Iodev, prio: number, i2cConfig: number, userdata?: unknown): void {
  const dev = needIodev(iodev, 'an I2C configure');
  sqeReset(sqe);
  sqe.op = RTIO_OP_I2C_CONFIGURE;
  sqe.prio = needPrio(prio);
  sqe.iodev = dev;
  sqe.i2cConfig = i2cConfig >>> 0;
  sqe.userdata = userdata;
}

/** Prepares an I2C bus recovery. */
export function sqePrepI2cRecover(sqe: Sqe, iodev: Iodev, prio: number, userdata?: unknown): void {
  const dev = needIodev(iodev, 'an I2C recover');
  sqeReset(sqe);
  sqe.op = RTIO_OP_I2C_RECOVER;
  sqe.prio = needPrio(prio);
  sqe.iodev = dev;
  sqe.userdata = userdata;
}

/** Copies every field of `src` into `dst` (for `sqeCopyIn`). */
export function sqeCopy(dst: Sqe, src: Sqe): void {
  dst.op = src.op;
  dst.prio = src.prio;
  dst.flags = src.flags;
  dst.iodevFlags = src.iodevFlags;
  dst.iodev = src.iodev;
  dst.userdata = src.userdata;
  dst.bufLen = src.bufLen;
  if (src.tinyBuf !== null && src.buf === src.tinyBuf) {
    const tiny = dst.tinyBuf ?? (dst.tinyBuf = new Uint8Array(RTIO_TINY_TX_MAX));
    tiny.set(src.tinyBuf);
    dst.buf = tiny;
  } else {
    dst.buf = src.buf;
  }
  dst.txBuf = src.txBuf;
  dst.rxBuf = src.rxBuf;
  dst.callback = src.callback;
  dst.arg0 = src.arg0;
  dst.delayMs = src.delayMs;
  dst.i2cConfig = src.i2cConfig;
  dst.timeoutMs = src.timeoutMs;
}
