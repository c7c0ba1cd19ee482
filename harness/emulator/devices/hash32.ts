/**
 * A 32-bit integer hash (Chris Wellons' lowbias32): the device models' deterministic noise, a
 * pure function of a seed and a sample number. `x` is taken modulo 2^32; the result is 0..2^32-1.
 */
export function hash32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d);
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}
