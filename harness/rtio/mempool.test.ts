import { expect } from 'chai';
import { ENOMEM } from './errno';
import { Mempool } from './mempool';

describe('Mempool', function () {
  it('allocates block-rounded contiguous runs and reports where they are', function () {
    const p = new Mempool({ blockSize: 8, blockCount: 8 });
    const a = p.alloc(1, 10) as Uint8Array;
    expect(a.length).to.equal(16);
    expect(p.locate(a)).to.deep.equal({ index: 0, count: 2 });
    const b = p.alloc(8, 8) as Uint8Array;
    expect(p.locate(b)).to.deep.equal({ index: 2, count: 1 });
    expect(p.free).to.equal(5);
  });

  it('shrinks towards minLen when maxLen does not fit, and fails with -ENOMEM below it', function () {
    const p = new Mempool({ blockSize: 8, blockCount: 4 });
    p.alloc(8, 8);
    p.alloc(8, 8);
    const c = p.alloc(8, 32) as Uint8Array;
    expect(c.length, 'two blocks left').to.equal(16);
    expect(p.alloc(1, 8)).to.equal(-ENOMEM);
  });

  it('does not hand out a run that spans a used block', function () {
    const p = new Mempool({ blockSize: 4, blockCount: 3 });
    const a = p.alloc(4, 4) as Uint8Array;
    p.alloc(4, 4);
    p.release(a);
    expect(p.alloc(8, 8), 'only blocks 0 and 2 are free, not contiguous').to.equal(-ENOMEM);
  });

  it('rejects a double release and a foreign buffer with RangeError', function () {
    const p = new Mempool({ blockSize: 4, blockCount: 2 });
    const a = p.alloc(4, 4) as Uint8Array;
    p.release(a);
    expect(() => p.release(a)).to.throw(RangeError, /already free/);
    expect(() => p.release(new Uint8Array(4))).to.throw(RangeError, /not a block-aligned buffer/);
  });

  it('names the bad field of a bad geometry', function () {
    expect(() => new Mempool({ blockSize: 12, blockCount: 2 })).to.throw(RangeError, /"mempool.blockSize"/);
    expect(() => new Mempool({ blockSize: 8, blockCount: 4096 })).to.throw(RangeError, /"mempool.blockCount"/);
  });
});
