import { expect } from 'chai';
import { VirtualClock } from '../clock';
import { rejection } from './rejection';
import { VirtualDeadlineError, nextTurn, runFor, runUntil, settle } from './virtual-time';

describe('harness/testing virtual time', function () {
  it('runUntil lets the event loop run between timers, and resolves with the virtual time that passed', async function () {
    const clock = new VirtualClock();
    const seen: string[] = [];
    clock.setTimer(5, () => {
      seen.push(`timer at ${clock.now()}`);
      // Work on the event loop, as a memory transport or a promise chain does it, before the next timer.
      setImmediate(() => seen.push(`immediate at ${clock.now()}`));
    }, undefined);
    clock.setTimer(8, () => seen.push(`timer at ${clock.now()}`), undefined);
    const elapsed = await runUntil(clock, () => seen.length === 3);
    expect(elapsed).to.equal(8);
    expect(seen).to.deep.equal(['timer at 5', 'immediate at 5', 'timer at 8']);
  });

  it('runUntil stops at the virtual deadline with VirtualDeadlineError, leaving later timers armed', async function () {
    const clock = new VirtualClock();
    let fired = 0;
    clock.setTimer(10, () => fired++, undefined);
    clock.setTimer(100, () => fired++, undefined);
    const err = await rejection(runUntil(clock, () => false, { withinMs: 50 }));
    expect(err).to.be.instanceOf(VirtualDeadlineError);
    expect(err).to.include({ name: 'VirtualDeadlineError', atMs: 50 });
    expect((err as Error).message).to.equal('virtual time: still waiting at 50 ms (the deadline of 50 ms passed)');
    expect(fired).to.equal(1);
    expect(clock.pending).to.equal(1);
  });

  it('runUntil gives up when no timer is armed and nothing else happens', async function () {
    const clock = new VirtualClock();
    const err = await rejection(runUntil(clock, () => false, { idleTurns: 3 }));
    expect((err as Error).message).to.equal('virtual time: still waiting at 0 ms (no timer armed, nothing else happened)');
  });

  it('settle resolves with the value or rejects with the reason of a promise the clock settles', async function () {
    const clock = new VirtualClock();
    const later = <T>(atMs: number, fn: () => T): Promise<T> =>
      new Promise((resolve, reject) => clock.setTimer(atMs, () => {
        try {
          resolve(fn());
        } catch (e) {
          reject(e);
        }
      }, undefined));
    expect(await settle(clock, later(3, () => 'three'))).to.equal('three');
    const err = await rejection(settle(clock, later(7, () => {
      throw new RangeError('seven');
    })));
    expect(err).to.be.instanceOf(RangeError);
    expect(clock.now()).to.equal(7);
  });

  it('runFor runs every timer due within the time and lands on it', async function () {
    const clock = new VirtualClock();
    const fired: number[] = [];
    for (const at of [1, 10, 11]) clock.setTimer(at, () => fired.push(clock.now()), undefined);
    await runFor(clock, 10);
    expect(fired).to.deep.equal([1, 10]);
    expect(clock.now()).to.equal(10);
    await nextTurn();
    expect(clock.pending).to.equal(1);
  });
});
