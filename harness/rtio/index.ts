export {
  RTIO_OP_NOP, RTIO_OP_RX, RTIO_OP_TX, RTIO_OP_TINY_TX, RTIO_OP_CALLBACK, RTIO_OP_TXRX,
  RTIO_OP_DELAY, RTIO_OP_I2C_RECOVER, RTIO_OP_I2C_CONFIGURE, RTIO_OP_I3C_RECOVER,
  RTIO_OP_I3C_CONFIGURE, RTIO_OP_I3C_CCC, RTIO_OP_AWAIT, RTIO_OPS,
  RTIO_PRIO_LOW, RTIO_PRIO_NORM, RTIO_PRIO_HIGH,
  RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION, RTIO_SQE_MEMPOOL_BUFFER, RTIO_SQE_CANCELED,
  RTIO_SQE_MULTISHOT, RTIO_SQE_NO_RESPONSE,
  RTIO_CQE_FLAG_MEMPOOL_BUFFER, RTIO_CQE_FLAG_MORE, RTIO_CQE_FLAG_GET,
  RTIO_CQE_FLAG_MEMPOOL_GET_BLK_IDX, RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT, RTIO_CQE_FLAG_PREP_MEMPOOL,
  RTIO_IODEV_I2C_STOP, RTIO_IODEV_I2C_RESTART, RTIO_IODEV_I2C_10_BITS, RTIO_TINY_TX_MAX,
} from './constants';
export {
  EPERM, ENOENT, EINTR, EIO, ENXIO, E2BIG, EBADF, EAGAIN, ENOMEM, EACCES, EFAULT, EBUSY, ENODEV,
  EINVAL, ENOSPC, ERANGE, ENODATA, ETIME, EPROTO, EBADMSG, ENOSYS, ECONNRESET, ENOBUFS, ETIMEDOUT,
  EALREADY, EMSGSIZE, ENOTCONN, ENOTSUP, EOVERFLOW, ECANCELED, resultName,
} from './errno';
export { Sqe, IodevSqe, sqeReset, sqeCopy } from './sqe';
export type { Iodev, RtioSignaled, RemoteExecutor, RemoteCompletion, SqeCallback } from './sqe';
export {
  sqePrepNop, sqePrepRead, sqePrepReadWithPool, sqePrepReadMultishot, sqePrepWrite,
  sqePrepTinyWrite, sqePrepTransceive, sqePrepCallback, sqePrepCallbackNoCqe, sqePrepAwait,
  sqePrepAwaitIodev, sqePrepAwaitExecutor, sqePrepDelay, sqePrepI2cConfigure, sqePrepI2cRecover,
} from './prep';
export type { RtioCallback } from './prep';
export { Cqe } from './cqe';
export type { CqeData } from './cqe';
export {
  iodevSqeOk, iodevSqeErr, txnNext, chainNext, iodevSqeNext, txnSetResult, sqeRxBuf,
  iodevSqeAwaitSignal, sqeSignal, sqeSignalable,
} from './iodev';
export { Mempool, MEMPOOL_MAX_BLOCKS } from './mempool';
export type { MempoolOptions } from './mempool';
export { Rtio, RTIO_MAX_QUEUE_SIZE } from './context';
export type { RtioOptions, RtioCqeCallback } from './context';
export { RTIO_WAIT_STEPS_PER_YIELD } from './waiting';
