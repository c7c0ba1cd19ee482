import { expect } from 'chai';
import { findAll, parseXml } from '../testing/xml-read';
import { CHART_HEIGHT, CHART_WIDTH, barChartSvg, histogramSvg } from './svg';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plotSoakBench } from './benches';
import { PLOTS_ENV } from './write';
import { scratchDir } from '../testing/scratch-dir';

describe('SVG charts for the benches', function () {
  const dir = scratchDir('rtio-hil-plots-');
  it('a histogram: one bar per non-empty bin, heights in proportion to the counts, p50 and p99 marked', function () {
    // 100 samples of 10 µs, 50 of 20, 10 of 30, and one outlier beyond p99 counted in the last bin.
    const samples = [...Array<number>(100).fill(10), ...Array<number>(50).fill(20), ...Array<number>(10).fill(30), 1000];
    const svg = parseXml(histogramSvg(samples, { title: 'round trips <test>', xLabel: 'µs', bins: 4 }));
    expect(svg.name).to.equal('svg');
    expect(svg.attrs).to.include({ width: String(CHART_WIDTH), height: String(CHART_HEIGHT) });
    const bins = findAll(svg, 'rect').filter((r) => r.attrs.class === 'bin');
    const counts = bins.map((b) => Number(findAll(b, 'title')[0]!.text));
    expect(counts).to.deep.equal([100, 50, 11]);
    const heights = bins.map((b) => Number(b.attrs.height));
    expect(heights[1]! / heights[0]!).to.be.closeTo(0.5, 0.01);
    expect(heights[2]! / heights[0]!).to.be.closeTo(0.11, 0.01);
    const texts = findAll(svg, 'text').map((t) => t.text);
    expect(texts).to.include('round trips <test>');
    expect(texts).to.include('p50 10');
    expect(texts).to.include('p99 30');
    expect(texts).to.include('161 samples');
  });

  it('bars: lengths in proportion on a shared scale, or each against its own target', function () {
    const shared = parseXml(barChartSvg('t', '/s', [{ label: 'a', value: 100 }, { label: 'b', value: 25 }]));
    const [a, b] = findAll(shared, 'rect').filter((r) => r.attrs.class === 'bar').map((r) => Number(r.attrs.width));
    expect(b! / a!).to.be.closeTo(0.25, 0.01);
    const own = parseXml(barChartSvg('t', '/s', [{ label: 'a', value: 1e6, target: 2e6 }, { label: 'b', value: 30, target: 15 }], true));
    const [c, d] = findAll(own, 'rect').filter((r) => r.attrs.class === 'bar').map((r) => Number(r.attrs.width));
    expect(c! / d!, 'half its target vs over its target').to.be.closeTo(0.5, 0.01);
    expect(findAll(own, 'line').filter((l) => l.attrs.class === 'target')).to.have.length(2);
    expect(findAll(own, 'text').map((t) => t.text)).to.include.members(['1.0M', '30', '/s (each bar on its own scale; red: target)']);
  });

  it('refuses what it cannot draw', function () {
    expect(() => histogramSvg([], { title: 't', xLabel: 'x' })).to.throw(RangeError, /samples/);
    expect(() => histogramSvg([1, NaN], { title: 't', xLabel: 'x' })).to.throw(RangeError, /finite/);
    expect(() => barChartSvg('t', 'u', [{ label: 'a', value: -1 }])).to.throw(RangeError, />= 0/);
  });

  it('bench:soak draws each condition against the clean run, with the issue\'s floor where it has one', function () {
    const before = process.env[PLOTS_ENV];
    process.env[PLOTS_ENV] = dir();
    try {
      const [file] = plotSoakBench('native', [
        { condition: 'clean', ratioToClean: 1 },
        { condition: '1% drop + 1e-3 flip', ratioToClean: 0.66, target: 0.5 },
      ]);
      const svg = readFileSync(file!, 'utf8');
      expect(file).to.equal(join(dir(), 'soak-throughput.svg'));
      expect(svg).to.contain('1% drop + 1e-3 flip').and.contain('<title>target 0.50</title>').and.contain('<title>0.66</title>');
    } finally {
      if (before === undefined) delete process.env[PLOTS_ENV];
      else process.env[PLOTS_ENV] = before;
    }
  });
});
