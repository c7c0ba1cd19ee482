import { expect } from 'chai';
import { VirtualClock } from '../../clock';
import { GPIO_JUMPER_OFFSET, GPIO_LINE_COUNT, GPIO_OUTPUT_COUNT, GpioLines } from './gpio-lines';
import type { GpioEdge } from './gpio-lines';

describe('GpioLines', function () {
  it('has 8 lines, 0-3 outputs and 4-7 inputs, all low at reset', function () {
    const lines = new GpioLines();
    expect([GPIO_LINE_COUNT, GPIO_OUTPUT_COUNT, GPIO_JUMPER_OFFSET]).to.deep.equal([8, 4, 4]);
    expect(lines.levels()).to.equal(0);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((l) => GpioLines.isOutput(l))).to.deep.equal([true, true, true, true, false, false, false, false]);
    expect([0, 3, 4, 7, 8, -1].map((l) => GpioLines.isInput(l))).to.deep.equal([false, false, true, true, false, false]);
  });

  it('with the jumpers, input k+4 follows output k and each change is one timestamped edge', function () {
    const clock = new VirtualClock();
    const lines = new GpioLines({ now: () => clock.now() });
    const seen: GpioEdge[] = [];
    lines.onEdge((e) => seen.push(e));
    lines.set(0, 1);
    clock.advance(1.25);
    lines.set(3, 1);
    lines.set(3, 1);
    lines.set(0, 0);
    expect(lines.levels()).to.equal(0b1000_1000);
    expect([lines.get(0), lines.get(4), lines.get(3), lines.get(7)]).to.deep.equal([0, 0, 1, 1]);
    expect(seen).to.deep.equal([
      { line: 4, level: 1, timeMs: 0 },
      { line: 7, level: 1, timeMs: 1.25 },
      { line: 4, level: 0, timeMs: 1.25 },
    ]);
    expect(lines.edges).to.equal(3);
  });

  it('without the jumpers, inputs only change when driven from outside', function () {
    const lines = new GpioLines({ jumpers: false });
    const seen: GpioEdge[] = [];
    const off = lines.onEdge((e) => seen.push(e));
    lines.set(1, 1);
    expect([lines.get(1), lines.get(5)]).to.deep.equal([1, 0]);
    lines.drive(5, 1);
    expect(lines.get(5)).to.equal(1);
    off();
    lines.drive(5, 0);
    expect(seen).to.deep.equal([{ line: 5, level: 1, timeMs: 0 }]);
    expect(lines.edges).to.equal(2);
  });

  it('rejects writes to inputs, unknown lines and levels other than 0/1, changing nothing', function () {
    const lines = new GpioLines();
    expect(() => lines.set(4, 1)).to.throw(RangeError, '"line" must be an output line 0..3, got 4');
    expect(() => lines.set(8, 1)).to.throw(RangeError, '"line"');
    expect(() => lines.set(0, 2)).to.throw(RangeError, '"level"');
    expect(() => lines.drive(0, 1)).to.throw(RangeError, '"line" must be an input line');
    expect(() => lines.get(8)).to.throw(RangeError, '"line"');
    expect(() => lines.onEdge(null as unknown as () => void)).to.throw(TypeError, '"listener"');
    expect(lines.levels()).to.equal(0);
  });
});
