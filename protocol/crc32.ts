/**
 * CRC-32 as in IEEE 802.3 and zlib (reflected polynomial 0xedb88320, initial value and final
 * xor 0xffffffff; the CRC of "123456789" is 0xcbf43926). The agent's twin is
 * firmware-stubs/core/crc32.h.
 */
import * as zlib from 'node:zlib';

const TABLE = makeTable();

const nativeCrc32: ((data: Uint8Array, value?: number) => number) | undefined =
  typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;

/**
 * CRC-32 of `data`, as an unsigned 32-bit integer. `seed` (default 0) is the CRC of the bytes
 * that came before, so `crc32(b, crc32(a))` equals the CRC of `a` followed by `b`, as with
 * zlib's `crc32(crc, buf, len)`. Uses `zlib.crc32` (Node >= 20.15) when present, else
 * {@link crc32Portable}. Throws `RangeError` when `seed` is not an integer in [0, 2^32).
 */
export function crc32(data: Uint8Array, seed = 0): number {
  checkSeed(seed);
  return nativeCrc32 === undefined ? crc32Portable(data, seed) : nativeCrc32(data, seed);
}

/**
 * The table-driven CRC-32 that {@link crc32} falls back to when `node:zlib` has no `crc32`;
 * same contract as {@link crc32}, exported so tests can hold the two to identical results.
 */
export function crc32Portable(data: Uint8Array, seed = 0): number {
  checkSeed(seed);
  let crc = ~seed;
  for (const byte of data) crc = TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`"seed" must be an integer in [0, 0xffffffff]; got ${seed}`);
  }
}

function makeTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
}
