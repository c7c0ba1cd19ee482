import { expect } from 'chai';
import { VirtualClock } from './virtual-clock';

describe('VirtualClock', function () {
  it('runs timers in time order, ties in arming order, and jumps time to each', function () {
    const c = new VirtualClock();
    const seen: [string, number][] = [];
    const note = (tag: string): void => { seen.push([tag, c.now()]); };
    c.setTimer(5, note, 'b');
    c.setTimer(2, note, 'a');
    c.setTimer(5, note, 'c');
    c.runUntilIdle();
    expect(seen).to.deep.equal([['a', 2], ['b', 5], ['c', 5]]);
  });

  it('never moves time backwards for a timer armed in the past', function () {
    const c = new VirtualClock();
    c.advance(10);
    let at = -1;
    c.setTimer(3, () => { at = c.now(); }, undefined);
    expect(c.step()).to.equal(true);
    expect(at).to.equal(10);
  });

  it('clearTimer disarms; advance runs only what is due and lands on the target time', function () {
    const c = new VirtualClock();
    const fired: number[] = [];
    const id = c.setTimer(1, (n: number) => fired.push(n), 1);
    c.setTimer(4, (n: number) => fired.push(n), 4);
    c.setTimer(9, (n: number) => fired.push(n), 9);
    c.clearTimer(id);
    c.advance(5);
    expect(fired).to.deep.equal([4]);
    expect(c.now()).to.equal(5);
    expect(c.pending).to.equal(1);
    expect(c.nextAt()).to.equal(9);
  });

  it('runUntilIdle throws RangeError naming "maxSteps" when timers re-arm forever', function () {
    const c = new VirtualClock();
    const again = (): void => { c.setTimer(c.now() + 1, again, undefined); };
    again();
    expect(() => c.runUntilIdle(100)).to.throw(RangeError, /"maxSteps"/);
  });

  it('advance rejects a negative duration', function () {
    expect(() => new VirtualClock().advance(-1)).to.throw(RangeError, /"ms"/);
  });
});
