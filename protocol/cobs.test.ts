import { expect } from 'chai';
import { cobsDecode, cobsEncode, cobsMaxEncodedLength, isCobsError } from './cobs';
import { hex, loadCobsVectors, seededRandom } from './test-vectors';

const vectors = loadCobsVectors();

function randomBytes(next: () => number, length: number, zeroOneIn: number): Uint8Array {
  return Uint8Array.from({ length }, () => (next() % zeroOneIn === 0 ? 0 : 1 + (next() % 255)));
}

describe('cobsMaxEncodedLength', function () {
  for (const c of vectors.encodedLengthMax) {
    it(`${c.description}: ${c.length} -> ${c.max}`, function () {
      expect(cobsMaxEncodedLength(c.length)).to.equal(c.max);
    });
  }

  it('is reached exactly by inputs without zeros, at every vector length', function () {
    for (const c of vectors.encodedLengthMax) {
      expect(cobsEncode(new Uint8Array(c.length).fill(0x5a)).length, `length ${c.length}`).to.equal(c.max);
    }
  });

  it('throws RangeError naming "length" for a negative or fractional length', function () {
    expect(() => cobsMaxEncodedLength(-1)).to.throw(RangeError, '"length" must be a non-negative integer; got -1');
    expect(() => cobsMaxEncodedLength(1.5)).to.throw(RangeError, '"length"');
  });
});

describe('cobsEncode', function () {
  for (const c of vectors.roundTrip) {
    it(`encodes: ${c.description}`, function () {
      expect(hex(cobsEncode(c.decoded))).to.equal(hex(c.encoded));
    });
  }

  it('never emits 0x00 and stays within cobsMaxEncodedLength (2000 seeded random inputs)', function () {
    const next = seededRandom(0xc0b5);
    for (let n = 0; n < 2000; n++) {
      const data = randomBytes(next, next() % 1100, [2, 16, 300, 100_000][n % 4]!);
      const encoded = cobsEncode(data);
      expect(encoded.indexOf(0), `input ${n}`).to.equal(-1);
      expect(encoded.length, `input ${n}`).to.be.at.most(cobsMaxEncodedLength(data.length));
    }
  });

  it('leaves its input untouched and returns a new array each call', function () {
    const data = Uint8Array.of(0x00, 0x11, 0x00, 0x22);
    const first = cobsEncode(data);
    const second = cobsEncode(data);
    first[1] = 0xee;
    expect(hex(data)).to.equal('00 11 00 22');
    expect(hex(second)).to.equal('01 02 11 02 22');
  });
});

describe('cobsDecode', function () {
  for (const c of [...vectors.roundTrip, ...vectors.decodeOnly]) {
    it(`decodes: ${c.description}`, function () {
      const decoded = cobsDecode(c.encoded);
      if (isCobsError(decoded)) expect.fail(`unexpected ${decoded.reason} at ${decoded.offset}`);
      expect(hex(decoded)).to.equal(hex(c.decoded));
    });
  }

  for (const c of vectors.decodeErrors) {
    it(`rejects: ${c.description} (${c.reason} at ${c.offset})`, function () {
      expect(cobsDecode(c.encoded)).to.deep.equal({ kind: 'cobs-error', reason: c.reason, offset: c.offset });
    });
  }

  it('inverts cobsEncode (2000 seeded random inputs)', function () {
    const next = seededRandom(0xdec0de);
    for (let n = 0; n < 2000; n++) {
      const data = randomBytes(next, next() % 1100, [2, 16, 300, 100_000][n % 4]!);
      const decoded = cobsDecode(cobsEncode(data));
      if (isCobsError(decoded)) expect.fail(`input ${n}: ${decoded.reason} at ${decoded.offset}`);
      expect(hex(decoded), `input ${n}`).to.equal(hex(data));
    }
  });

  it('returns an array that does not share memory with its input', function () {
    const encoded = Uint8Array.of(0x03, 0x11, 0x22);
    const decoded = cobsDecode(encoded);
    if (isCobsError(decoded)) expect.fail(decoded.reason);
    decoded[0] = 0xee;
    expect(hex(encoded)).to.equal('03 11 22');
  });
});
