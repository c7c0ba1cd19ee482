import { expect } from 'chai';
import { SparseBytes } from './sparse-bytes';

describe('SparseBytes', function () {
  it('reads erased until written, across block boundaries', function () {
    const m = new SparseBytes(64, 16, 0xff);
    expect(m.get(0)).to.equal(0xff);
    m.write(14, [1, 2, 3, 4]);
    expect([...m.slice(12, 8)]).to.deep.equal([0xff, 0xff, 1, 2, 3, 4, 0xff, 0xff]);
  });

  it('erases part of a block and whole blocks', function () {
    const m = new SparseBytes(64, 16, 0xff);
    m.write(0, Array.from({ length: 40 }, (_, i) => i));
    m.erase(4, 30); // bytes 4..33: the rest of block 0, all of block 1, two bytes of block 2
    expect([...m.slice(0, 40)]).to.deep.equal([0, 1, 2, 3, ...Array<number>(30).fill(0xff), 34, 35, 36, 37, 38, 39]);
    m.erase(0, 64);
    expect([...m.slice(0, 64)].every((b) => b === 0xff)).to.equal(true);
  });

  it('rejects a block size that is not a power of two, or a size it does not divide', function () {
    expect(() => new SparseBytes(64, 12, 0)).to.throw(RangeError, /"blockSize"/);
    expect(() => new SparseBytes(40, 16, 0)).to.throw(RangeError, /"size"/);
  });
});
