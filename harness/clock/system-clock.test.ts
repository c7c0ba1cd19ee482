import { expect } from 'chai';
import { SystemClock } from './clock';

/** Resolves once every timer in `ats` (ms from now) has fired, with their labels in firing order. */
function fire(clock: SystemClock, ats: readonly number[], block = 0): Promise<number[]> {
  return new Promise((resolve) => {
    const order: number[] = [];
    const start = clock.now();
    for (const at of ats) {
      clock.setTimer(start + at, (label: number) => {
        order.push(label);
        if (order.length === ats.length) resolve(order);
      }, at);
    }
    // An event loop that comes back late finds every timer overdue at once.
    while (clock.now() - start < block) { /* busy */ }
  });
}

describe('SystemClock', function () {
  it('fires a timer due at +0 ms before one due at +1 ms armed before it', async function () {
    expect(await fire(new SystemClock(), [1, 0])).to.deep.equal([0, 1]);
  });

  it('fires overdue timers in time order, not in the order they were armed', async function () {
    expect(await fire(new SystemClock(), [5, 1, 3, 2, 4], 10)).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it('fires timers due at the same time in the order they were armed', async function () {
    const clock = new SystemClock();
    const at = clock.now() + 2;
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      for (const label of ['a', 'b', 'c']) clock.setTimer(at, (l: string) => {
        order.push(l);
        if (order.length === 3) resolve();
      }, label);
    });
    expect(order).to.deep.equal(['a', 'b', 'c']);
  });

  it('never fires a cleared timer, and fires the others', async function () {
    const clock = new SystemClock();
    const order: number[] = [];
    const now = clock.now();
    const a = clock.setTimer(now + 1, () => order.push(1), null);
    await new Promise<void>((resolve) => {
      clock.setTimer(now + 2, () => {
        order.push(2);
        resolve();
      }, null);
      clock.clearTimer(a);
    });
    expect(order).to.deep.equal([2]);
  });

  it('a timer that keeps re-arming itself in the past does not starve one already due', async function () {
    const clock = new SystemClock();
    const start = clock.now();
    let spins = 0;
    let done = false;
    const spin = (): void => {
      spins++;
      if (!done) clock.setTimer(start, spin, undefined);
    };
    clock.setTimer(start, spin, undefined);
    await new Promise<void>((resolve) => clock.setTimer(start + 2, () => {
      done = true;
      resolve();
    }, undefined));
    expect(spins, 'the spinning timer ran meanwhile, a turn at a time').to.be.greaterThan(0);
  });
});
