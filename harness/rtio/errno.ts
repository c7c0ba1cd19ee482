/**
 * Zephyr's errno values (lib/libc/minimal/include/errno.h, the same numbers as newlib).
 * RTIO results are negative errnos: a CQE with `result === -ECANCELED` was cancelled.
 */
export const EPERM = 1;
export const ENOENT = 2;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const E2BIG = 7;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const ENODEV = 19;
export const EINVAL = 22;
export const ENOSPC = 28;
export const ERANGE = 34;
export const ENODATA = 61;
export const ETIME = 62;
export const EPROTO = 71;
export const EBADMSG = 77;
export const ENOSYS = 88;
export const ECONNRESET = 104;
export const ENOBUFS = 105;
export const ETIMEDOUT = 116;
export const EALREADY = 120;
export const EMSGSIZE = 122;
export const ENOTCONN = 128;
export const ENOTSUP = 134;
export const EOVERFLOW = 139;
export const ECANCELED = 140;

const NAMES: Readonly<Record<number, string>> = {
  [EPERM]: 'EPERM', [ENOENT]: 'ENOENT', [EINTR]: 'EINTR', [EIO]: 'EIO', [ENXIO]: 'ENXIO',
  [E2BIG]: 'E2BIG', [EBADF]: 'EBADF', [EAGAIN]: 'EAGAIN', [ENOMEM]: 'ENOMEM', [EACCES]: 'EACCES',
  [EFAULT]: 'EFAULT', [EBUSY]: 'EBUSY', [ENODEV]: 'ENODEV', [EINVAL]: 'EINVAL', [ENOSPC]: 'ENOSPC',
  [ERANGE]: 'ERANGE', [ENODATA]: 'ENODATA', [ETIME]: 'ETIME', [EPROTO]: 'EPROTO',
  [EBADMSG]: 'EBADMSG', [ENOSYS]: 'ENOSYS', [ECONNRESET]: 'ECONNRESET', [ENOBUFS]: 'ENOBUFS',
  [ETIMEDOUT]: 'ETIMEDOUT', [EALREADY]: 'EALREADY', [EMSGSIZE]: 'EMSGSIZE', [ENOTCONN]: 'ENOTCONN',
  [ENOTSUP]: 'ENOTSUP', [EOVERFLOW]: 'EOVERFLOW', [ECANCELED]: 'ECANCELED',
};

/** `-ECANCELED` → `'-ECANCELED'`, `6` → `'6'`: a result as people read it in messages. */
export function resultName(result: number): string {
  if (result >= 0) return String(result);
  const name = NAMES[-result];
  return name === undefined ? String(result) : `-${name}`;
}
