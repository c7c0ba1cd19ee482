import { expect } from 'chai';
import { crc32 } from './crc32';
import { loadCrc32Vectors } from './test-vectors';

const vectors = loadCrc32Vectors();
const hex32 = (n: number): string => n.toString(16).padStart(8, '0');

describe('crc32', function () {
  for (const c of vectors) {
    const want = hex32(c.crc);
    it(`${c.description}: ${want}`, function () {
      const seed = c.seed ?? 0;
      expect(hex32(crc32(c.data, seed)), 'crc32').to.equal(want);
      if (c.seed === undefined) {
        expect(hex32(crc32(c.data)), 'crc32 without seed').to.equal(want);
      }
    });
  }

  it('continues across a split at every offset: crc32(b, crc32(a)) is the CRC of a then b', function () {
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff);
    const whole = crc32(data);
    for (let i = 0; i <= data.length; i++) {
      expect(crc32(data.subarray(i), crc32(data.subarray(0, i))), `split at ${i}`).to.equal(whole);
    }
  });

  it('throws RangeError naming "seed" for a seed outside [0, 2^32)', function () {
    for (const bad of [-1, 2 ** 32, 0.5]) {
      expect(() => crc32(new Uint8Array(1), bad)).to.throw(RangeError, `"seed" must be an integer in [0, 0xffffffff]; got ${bad}`);
    }
  });
});
