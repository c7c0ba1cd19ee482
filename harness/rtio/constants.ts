/** @file RTIO's constants, with Zephyr's C names and values (include/zephyr/rtio/sqe.h, cqe.h). */

/** An operation that does nothing; with no iodev it completes at once with 0. */
export const RTIO_OP_NOP = 0;
/** Receive (read) into `sqe.buf`, or into a mempool block with `RTIO_SQE_MEMPOOL_BUFFER`. */
export const RTIO_OP_RX = 1;
/** Transmit (write) `sqe.buf`. */
export const RTIO_OP_TX = 2;
/** Transmit at most 7 bytes copied into the SQE itself. */
export const RTIO_OP_TINY_TX = 3;
/** Call `sqe.callback(r, sqe, lastResult, arg0)` in the executor; completes with 0. */
export const RTIO_OP_CALLBACK = 4;
/** Full-duplex transfer of `sqe.txBuf` while receiving into `sqe.rxBuf`, both `bufLen` bytes. */
export const RTIO_OP_TXRX = 5;
/** Complete with 0 after `sqe.delayMs` on the context's clock. */
export const RTIO_OP_DELAY = 6;
/** I2C bus recovery. */
export const RTIO_OP_I2C_RECOVER = 7;
/** I2C configuration (`sqe.i2cConfig`). */
export const RTIO_OP_I2C_CONFIGURE = 8;
/** I3C bus recovery (no emulated iodev supports it: `-ENOTSUP`). */
export const RTIO_OP_I3C_RECOVER = 9;
/** I3C configuration (no emulated iodev supports it: `-ENOTSUP`). */
export const RTIO_OP_I3C_CONFIGURE = 10;
/** I3C common command code (no emulated iodev supports it: `-ENOTSUP`). */
export const RTIO_OP_I3C_CCC = 11;
/** Wait until {@link sqeSignal} is called for this SQE. */
export const RTIO_OP_AWAIT = 12;

/** Every op code this implementation knows, in numeric order. */
export const RTIO_OPS: readonly number[] = [
  RTIO_OP_NOP, RTIO_OP_RX, RTIO_OP_TX, RTIO_OP_TINY_TX, RTIO_OP_CALLBACK, RTIO_OP_TXRX,
  RTIO_OP_DELAY, RTIO_OP_I2C_RECOVER, RTIO_OP_I2C_CONFIGURE, RTIO_OP_I3C_RECOVER,
  RTIO_OP_I3C_CONFIGURE, RTIO_OP_I3C_CCC, RTIO_OP_AWAIT,
];

/** Lowest priority. Priorities are stored and passed to iodevs; the executor ignores them, as Zephyr's does. */
export const RTIO_PRIO_LOW = 0;
/** Normal priority. */
export const RTIO_PRIO_NORM = 127;
/** Highest priority. */
export const RTIO_PRIO_HIGH = 255;

/**
 * The next SQE in the queue starts only after this one completes. If this one fails (a
 * negative result, or fewer bytes than asked for), every later member of the chain completes
 * with `-ECANCELED` without starting.
 */
export const RTIO_SQE_CHAINED = 1 << 0;
/**
 * The next SQE belongs to the same unit of work: all members go to the head's iodev at once
 * (one I2C transfer with repeated starts, one SPI chip-select assertion). One CQE per member.
 */
export const RTIO_SQE_TRANSACTION = 1 << 1;
/** RX only: take the buffer from the context's mempool; the CQE flags say which blocks. */
export const RTIO_SQE_MEMPOOL_BUFFER = 1 << 2;
/** The SQE should not run; set by `sqeCancel` or by the user before submit. */
export const RTIO_SQE_CANCELED = 1 << 3;
/** Re-armed after each successful completion until cancelled or failed (RX with mempool). */
export const RTIO_SQE_MULTISHOT = 1 << 4;
/** Produce no CQE at all, success or failure. */
export const RTIO_SQE_NO_RESPONSE = 1 << 5;

/** CQE flag value (bits 7:0): the CQE carries a mempool buffer, see `cqeGetMempoolBuffer`. */
export const RTIO_CQE_FLAG_MEMPOOL_BUFFER = 1 << 0;
/**
 * CQE flag value (bits 7:0), an rtio-hil addition after io_uring's `IORING_CQE_F_MORE`: more
 * CQEs will follow for this multishot SQE. The last CQE of a multishot lacks it.
 */
export const RTIO_CQE_FLAG_MORE = 1 << 1;

/** Bits 7:0 of CQE flags: the flag value. */
export function RTIO_CQE_FLAG_GET(flags: number): number {
  return flags & 0xff;
}
/** Bits 19:8 of CQE flags: index of the first mempool block. */
export function RTIO_CQE_FLAG_MEMPOOL_GET_BLK_IDX(flags: number): number {
  return (flags >>> 8) & 0xfff;
}
/** Bits 31:20 of CQE flags: number of mempool blocks. */
export function RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT(flags: number): number {
  return (flags >>> 20) & 0xfff;
}
/** CQE flags for a mempool buffer of `cnt` blocks starting at block `idx` (both < 4096). */
export function RTIO_CQE_FLAG_PREP_MEMPOOL(idx: number, cnt: number): number {
  return (RTIO_CQE_FLAG_MEMPOOL_BUFFER | ((idx & 0xfff) << 8) | ((cnt & 0xfff) << 20)) >>> 0;
}

/** I2C iodev flag: end the message with a STOP condition. */
export const RTIO_IODEV_I2C_STOP = 1 << 1;
/** I2C iodev flag: begin the message with a repeated START. */
export const RTIO_IODEV_I2C_RESTART = 1 << 2;
/** I2C iodev flag: 10-bit addressing (not supported by the emulated buses: `-ENOTSUP`). */
export const RTIO_IODEV_I2C_10_BITS = 1 << 3;

/** Largest payload of `RTIO_OP_TINY_TX`, in bytes. */
export const RTIO_TINY_TX_MAX = 7;
