import { expect } from 'chai';
import { CompletionQueue } from './completion-queue';
import type { Cqe } from './cqe';

/** A CQ of `size` CQEs whose completions are numbered by their result. */
function cqOf(size: number): CompletionQueue {
  return new CompletionQueue(size, {}, { active: false, wake: () => {} });
}

describe('CompletionQueue (unit)', function () {
  it('hands completions out in posting order whatever order CQEs come back in', function () {
    const cq = cqOf(4);
    const seen: number[] = [];
    let next = 0;
    const held: Cqe[] = [];
    // Each round posts what fits, consumes two, then releases the newest held CQE first.
    for (let round = 0; round < 40; round++) {
      while (cq.available > 0) cq.post(next++, null, 0, null);
      for (let k = 0; k < 2; k++) {
        const c = cq.consume();
        if (c !== null) {
          seen.push(c.result);
          held.push(c);
        }
      }
      cq.release(held.pop()!);
      if (round % 3 === 2) while (held.length > 0) cq.release(held.shift()!);
      expect(cq.available + cq.ready + held.length).to.equal(4);
    }
    for (let c = cq.consume(); c !== null; c = cq.consume()) seen.push(c.result);
    expect(seen).to.deep.equal(Array.from({ length: seen.length }, (_, i) => i));
    expect(cq.overflowCount).to.equal(0);
  });

  it('moves overflowed completions into CQEs as they are released, oldest first', function () {
    const cq = cqOf(2);
    for (let i = 0; i < 5; i++) cq.post(i, `u${i}`, 0, null);
    expect([cq.ready, cq.overflowPending, cq.overflowCount]).to.deep.equal([2, 3, 3]);
    const a = cq.consume()!;
    const b = cq.consume()!;
    cq.release(b); // out of order: completion 2 must still come after 0 and 1
    cq.release(a);
    const got: unknown[] = [];
    for (let c = cq.consume(); c !== null; c = cq.consume()) {
      got.push(c.userdata);
      cq.release(c);
    }
    expect(got).to.deep.equal(['u2', 'u3', 'u4']);
    expect([cq.ready, cq.overflowPending, cq.available]).to.deep.equal([0, 0, 2]);
  });

  it('refuses a CQE released twice, one still queued, and one of another CQ', function () {
    const cq = cqOf(2);
    const other = cqOf(1);
    cq.post(0, null, 0, null);
    cq.post(1, null, 0, null);
    other.post(9, null, 0, null);
    const c = cq.consume()!;
    cq.release(c);
    expect(() => cq.release(c)).to.throw(RangeError, /already released/);
    expect(() => cq.release(other.consume()!)).to.throw(RangeError, /not consumed from this context/);
    expect(cq.ready).to.equal(1);
  });
});
