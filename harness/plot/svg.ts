/**
 * Small, dependency-free SVG charts for the benches: a latency histogram and a bar chart of
 * throughputs. Pure functions from numbers to SVG text; the files open in any browser and render
 * in a README.
 */

/** Width and height of every chart, in px. */
export const CHART_WIDTH = 640;
/** See {@link CHART_WIDTH}. */
export const CHART_HEIGHT = 320;
const M = { left: 64, right: 20, top: 40, bottom: 48 };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(v >= 1e7 ? 0 : 1)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(v >= 1e5 ? 0 : 1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1);
}

/** A "nice" step (1, 2 or 5 times a power of ten) for about `n` ticks over `span`. */
function niceStep(span: number, n: number): number {
  const raw = span / Math.max(1, n);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

function frame(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${CHART_WIDTH}" height="${CHART_HEIGHT}" fill="#fff"/>`,
    `<text x="${CHART_WIDTH / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** Options of {@link histogramSvg}. */
export interface HistogramOptions {
  readonly title: string;
  /** Label of the x axis, with its unit, e.g. `'round trip (µs)'`. */
  readonly xLabel: string;
  /** Number of bins; default 30. */
  readonly bins?: number;
}

/**
 * A histogram of `samples` (equal-width bins from the smallest to the 99th percentile; larger
 * samples are counted in the last bin), with the median and 99th percentile marked. Throws
 * `RangeError` for no samples or a non-finite one.
 */
export function histogramSvg(samples: readonly number[], opts: HistogramOptions): string {
  if (samples.length === 0 || !samples.every(Number.isFinite)) throw new RangeError('"samples" must be finite numbers, at least one');
  const sorted = [...samples].sort((a, b) => a - b);
  const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  const lo = sorted[0]!;
  const hi = Math.max(pct(99), lo + 1e-9);
  const n = opts.bins ?? 30;
  const counts = new Array<number>(n).fill(0);
  for (const s of sorted) counts[Math.min(n - 1, Math.floor(((s - lo) / (hi - lo)) * n))]!++;
  const w = CHART_WIDTH - M.left - M.right;
  const h = CHART_HEIGHT - M.top - M.bottom;
  const top = Math.max(...counts);
  const x = (v: number): number => M.left + ((Math.min(v, hi) - lo) / (hi - lo)) * w;
  const y = (c: number): number => M.top + h - (c / top) * h;
  const body: string[] = [];
  counts.forEach((c, i) => {
    if (c === 0) return;
    const x0 = M.left + (i / n) * w;
    body.push(`<rect class="bin" x="${x0.toFixed(1)}" y="${y(c).toFixed(1)}" width="${(w / n - 1).toFixed(1)}" height="${(M.top + h - y(c)).toFixed(1)}" fill="#4a7bd0"><title>${c}</title></rect>`);
  });
  body.push(...axes(lo, hi, top, opts.xLabel, 'samples', x, y));
  for (const [name, v, color] of [['p50', pct(50), '#d04a4a'], ['p99', pct(99), '#d08a1a']] as const) {
    body.push(`<line class="marker" x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${M.top}" y2="${M.top + h}" stroke="${color}" stroke-dasharray="4 3"/>`);
    const right = x(v) > CHART_WIDTH - 120;
    body.push(`<text x="${(x(v) + (right ? -4 : 4)).toFixed(1)}" y="${M.top + (name === 'p50' ? 12 : 26)}" text-anchor="${right ? 'end' : 'start'}" fill="${color}">${name} ${esc(fmt(v))}</text>`);
  }
  body.push(`<text x="${CHART_WIDTH - M.right}" y="${M.top - 6}" text-anchor="end" fill="#555">${sorted.length} samples</text>`);
  return frame(opts.title, body);
}

function axes(lo: number, hi: number, top: number, xLabel: string, yLabel: string, x: (v: number) => number, y: (c: number) => number): string[] {
  const h = CHART_HEIGHT - M.top - M.bottom;
  const out = [
    `<line x1="${M.left}" x2="${CHART_WIDTH - M.right}" y1="${M.top + h}" y2="${M.top + h}" stroke="#000"/>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + h}" stroke="#000"/>`,
    `<text x="${M.left + (CHART_WIDTH - M.left - M.right) / 2}" y="${CHART_HEIGHT - 10}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="14" y="${M.top + h / 2}" text-anchor="middle" transform="rotate(-90 14 ${M.top + h / 2})">${esc(yLabel)}</text>`,
  ];
  const xs = niceStep(hi - lo, 6);
  for (let v = Math.ceil(lo / xs) * xs; v <= hi + 1e-9; v += xs) {
    out.push(`<text x="${x(v).toFixed(1)}" y="${M.top + h + 16}" text-anchor="middle">${esc(fmt(v))}</text>`);
  }
  const ys = niceStep(top, 4);
  for (let c = 0; c <= top + 1e-9; c += ys) out.push(`<text x="${M.left - 6}" y="${(y(c) + 4).toFixed(1)}" text-anchor="end">${esc(fmt(c))}</text>`);
  return out;
}

/** One bar of {@link barChartSvg}. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** A target to mark on the bar (e.g. a performance goal), in the same unit. */
  readonly target?: number;
}

/**
 * Horizontal bars of `bars` (values >= 0, in `unit`), each labelled with its value and its target
 * marked. With `perBar` each bar has its own scale (its value or target, whichever is larger, is
 * the full width): for figures in different units, read against their targets. Throws
 * `RangeError` for no bars or a negative value.
 */
export function barChartSvg(title: string, unit: string, bars: readonly Bar[], perBar = false): string {
  if (bars.length === 0 || !bars.every((b) => Number.isFinite(b.value) && b.value >= 0)) throw new RangeError('"bars" must have values >= 0, at least one');
  const labelW = 220;
  const w = CHART_WIDTH - labelW - M.right - 60;
  const shared = Math.max(...bars.map((b) => Math.max(b.value, b.target ?? 0)), 1e-9);
  const rowH = (CHART_HEIGHT - M.top - M.bottom) / bars.length;
  const body: string[] = [];
  bars.forEach((b, i) => {
    const y0 = M.top + i * rowH + rowH * 0.15;
    const bh = rowH * 0.7;
    const top = perBar ? Math.max(b.value, b.target ?? 0, 1e-9) : shared;
    const len = (b.value / top) * w;
    body.push(`<text x="${labelW - 8}" y="${(y0 + bh / 2 + 4).toFixed(1)}" text-anchor="end">${esc(b.label)}</text>`);
    body.push(`<rect class="bar" x="${labelW}" y="${y0.toFixed(1)}" width="${len.toFixed(1)}" height="${bh.toFixed(1)}" fill="#4a7bd0"><title>${esc(String(b.value))}</title></rect>`);
    body.push(`<text x="${(labelW + len + 4).toFixed(1)}" y="${(y0 + bh / 2 + 4).toFixed(1)}">${esc(fmt(b.value))}</text>`);
    if (b.target !== undefined) {
      const tx = labelW + (b.target / top) * w;
      body.push(`<line class="target" x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${y0.toFixed(1)}" y2="${(y0 + bh).toFixed(1)}" stroke="#d04a4a" stroke-width="2"><title>target ${esc(fmt(b.target))}</title></line>`);
    }
  });
  const note = [perBar ? 'each bar on its own scale' : '', bars.some((b) => b.target !== undefined) ? 'red: target' : ''].filter((n) => n !== '').join('; ');
  body.push(`<text x="${labelW + w / 2}" y="${CHART_HEIGHT - 10}" text-anchor="middle">${esc(unit)}${note === '' ? '' : ` (${note})`}</text>`);
  return frame(title, body);
}
