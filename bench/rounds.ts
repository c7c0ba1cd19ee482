/**
 * What every bench shares: min/median/max of the samples of a figure, and how they print. Each
 * bench measures its variants in processes of their own, interleaved and repeated, and pairs
 * ratios within a round (the same machine state), so that a loaded machine moves both sides.
 */

/** Min, median and max of a figure over the rounds. */
export interface Stats {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** Min, median (the upper one of an even count) and max of `xs` (non-empty). Throws `RangeError` when empty. */
export function stats(xs: readonly number[]): Stats {
  if (xs.length === 0) throw new RangeError('"xs" must hold at least one sample');
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
}

/** `min A<unit>, median B<unit>, max C<unit>` with `digits` decimals. */
export function fmtStats(s: Stats, unit = '', digits = 0): string {
  const f = (x: number): string => x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `min ${f(s.min)}${unit}, median ${f(s.median)}${unit}, max ${f(s.max)}${unit}`;
}
