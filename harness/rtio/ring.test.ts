import { expect } from 'chai';
import { Ring } from './ring';

describe('Ring', function () {
  it('keeps FIFO order across growth and wrap-around', function () {
    const r = new Ring<number>(2);
    const out: number[] = [];
    for (let i = 0; i < 50; i++) {
      r.push(i);
      if (i % 3 === 0) out.push(r.shift()!);
    }
    while (r.length > 0) out.push(r.shift()!);
    expect(out).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
    expect(r.shift()).to.equal(undefined);
  });

  it('peeks and indexes from the head', function () {
    const r = new Ring<string>(1);
    r.push('a');
    r.push('b');
    expect([r.peek(), r.at(1), r.at(2)]).to.deep.equal(['a', 'b', undefined]);
  });
});
