/**
 * CRC-32 as in IEEE 802.3 and zlib (reflected polynomial 0xedb88320, initial value and final
 * xor 0xffffffff; the CRC of "123456789" is 0xcbf43926). The agent's twin is
 * firmware-stubs/core/crc32.h. Node's `zlib.crc32` computes it (Node >= 20.15; the package needs 20.19).
 */
import { crc32 as zlibCrc32 } from 'node:zlib';

/**
 * CRC-32 of `data`, as an unsigned 32-bit integer. `seed` (default 0) is the CRC of the bytes
 * that came before, so `crc32(b, crc32(a))` equals the CRC of `a` followed by `b`, as with
 * zlib's `crc32(crc, buf, len)`. Throws `RangeError` when `seed` is not an integer in [0, 2^32).
 */
export function crc32(data: Uint8Array, seed = 0): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`"seed" must be an integer in [0, 0xffffffff]; got ${seed}`);
  }
  return zlibCrc32(data, seed);
}
