import { expect } from 'chai';
import {
  DEFAULT_MAX_FRAME_BYTES,
  FrameDecoder,
  MAX_PAYLOAD_BYTES,
  encodeFrame,
  frameMaxEncodedLength,
} from './frame';
import type { DecodedFrame, FrameDecoderOptions, FrameDecoderStats } from './frame';
import { hex, loadFrameVectors, seededRandom } from './test-vectors';
import type { ExpectedFrame } from './test-vectors';

const vectors = loadFrameVectors();

/** Results as comparable text: the status, and the payload in hex when ok. */
function summarize(frames: DecodedFrame[]): string[] {
  return frames.map((f) => (f.status === 'ok' ? `ok ${hex(f.payload)}` : f.status));
}

function summarizeExpected(expected: ExpectedFrame[]): string[] {
  return expected.map((e) => (e.status === 'ok' ? `ok ${hex(e.payload ?? new Uint8Array())}` : e.status));
}

function feed(decoder: FrameDecoder, chunks: Uint8Array[]): DecodedFrame[] {
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

function options(maxFrameBytes: number | undefined): FrameDecoderOptions {
  return maxFrameBytes === undefined ? {} : { maxFrameBytes };
}

function statsFor(expected: ExpectedFrame[]): Omit<FrameDecoderStats, 'bytesDiscarded'> {
  const count = (status: string): number => expected.filter((e) => e.status === status).length;
  return {
    framesOk: count('ok'),
    crcErrors: count('crc-mismatch'),
    cobsErrors: count('cobs-error'),
    tooLong: count('too-long'),
    tooShort: count('too-short'),
  };
}

function randomPayload(next: () => number, n: number): Uint8Array {
  const length = n % 10 === 0 ? MAX_PAYLOAD_BYTES : next() % (MAX_PAYLOAD_BYTES + 1);
  const zeroOneIn = [2, 8, 256, 1_000_000][n % 4]!;
  return Uint8Array.from({ length }, () => (next() % zeroOneIn === 0 ? 0 : 1 + (next() % 255)));
}

function randomChunks(next: () => number, stream: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < stream.length; ) {
    const size = 1 + (next() % (next() % 4 === 0 ? 4000 : 64));
    chunks.push(stream.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

describe('frame limits', function () {
  it(`MAX_PAYLOAD_BYTES is ${vectors.limits.maxPayloadBytes} and DEFAULT_MAX_FRAME_BYTES is ${vectors.limits.defaultMaxFrameBytes}, as in the vectors`, function () {
    expect(MAX_PAYLOAD_BYTES).to.equal(vectors.limits.maxPayloadBytes);
    expect(DEFAULT_MAX_FRAME_BYTES).to.equal(vectors.limits.defaultMaxFrameBytes);
    expect(new FrameDecoder().maxFrameBytes).to.equal(DEFAULT_MAX_FRAME_BYTES);
  });

  for (const c of vectors.encodedLengthMax) {
    it(`frameMaxEncodedLength: ${c.description}: ${c.payloadLength} -> ${c.max}`, function () {
      expect(frameMaxEncodedLength(c.payloadLength)).to.equal(c.max);
    });
  }

  it('frameMaxEncodedLength throws RangeError naming "payloadLength"', function () {
    expect(() => frameMaxEncodedLength(-1)).to.throw(RangeError, '"payloadLength" must be a non-negative integer; got -1');
  });
});

describe('encodeFrame', function () {
  for (const c of vectors.encoding) {
    it(`encodes: ${c.description}`, function () {
      expect(hex(encodeFrame(c.payload))).to.equal(hex(c.frame));
    });
  }

  it('accepts MAX_PAYLOAD_BYTES and throws RangeError naming "payload" one byte past it', function () {
    expect(encodeFrame(new Uint8Array(MAX_PAYLOAD_BYTES)).length).to.be.at.most(frameMaxEncodedLength(MAX_PAYLOAD_BYTES) + 1);
    expect(() => encodeFrame(new Uint8Array(MAX_PAYLOAD_BYTES + 1))).to.throw(
      RangeError,
      '"payload" is 1025 bytes; the limit is 1024 (MAX_PAYLOAD_BYTES)',
    );
    expect(() => encodeFrame(new Uint8Array(2000))).to.throw(RangeError, '"payload" is 2000 bytes; the limit is 1024 (MAX_PAYLOAD_BYTES)');
  });

  it('takes an overridden limit and names it in the error', function () {
    expect(encodeFrame(new Uint8Array(2000), { maxPayloadBytes: 2000 }).length).to.be.at.most(frameMaxEncodedLength(2000) + 1);
    expect(() => encodeFrame(new Uint8Array(9), { maxPayloadBytes: 8 })).to.throw(
      RangeError,
      '"payload" is 9 bytes; the limit is 8 (maxPayloadBytes)',
    );
    expect(() => encodeFrame(new Uint8Array(1), { maxPayloadBytes: -1 })).to.throw(RangeError, '"maxPayloadBytes"');
  });
});

describe('FrameDecoder', function () {
  describe('decodes every encoding vector back to its payload', function () {
    for (const c of vectors.encoding) {
      it(c.description, function () {
        expect(summarize(new FrameDecoder().push(c.frame))).to.deep.equal([`ok ${hex(c.payload)}`]);
      });
    }
  });

  for (const section of vectors.decoding) {
    const limit = section.maxFrameBytes;
    describe(`vectors, ${section.description} (maxFrameBytes ${limit ?? DEFAULT_MAX_FRAME_BYTES})`, function () {
      for (const c of section.cases) {
        const want = summarizeExpected(c.expect);

        it(`${c.description}: whole stream in one chunk, with matching counters`, function () {
          const decoder = new FrameDecoder(options(limit));
          expect(summarize(decoder.push(c.stream))).to.deep.equal(want);
          expect(decoder.stats).to.deep.include(statsFor(c.expect));
        });

        it(`${c.description}: split in two at every offset`, function () {
          for (let i = 1; i < c.stream.length; i++) {
            const decoder = new FrameDecoder(options(limit));
            const got = feed(decoder, [c.stream.subarray(0, i), c.stream.subarray(i)]);
            expect(summarize(got), `split at ${i}`).to.deep.equal(want);
          }
        });

        it(`${c.description}: byte by byte`, function () {
          const decoder = new FrameDecoder(options(limit));
          const got = feed(decoder, Array.from(c.stream, (b) => Uint8Array.of(b)));
          expect(summarize(got)).to.deep.equal(want);
        });
      }

      it('every delimiter-terminated stream of the section, back to back through one decoder', function () {
        const terminated = section.cases.filter((c) => c.stream[c.stream.length - 1] === 0);
        expect(terminated.length).to.be.greaterThan(1);
        const decoder = new FrameDecoder(options(limit));
        const got = feed(decoder, terminated.map((c) => c.stream));
        expect(summarize(got)).to.deep.equal(terminated.flatMap((c) => summarizeExpected(c.expect)));
      });
    });
  }

  it('never buffers more than maxFrameBytes while fed a frame ten times too long', function () {
    const maxFrameBytes = 16;
    const decoder = new FrameDecoder({ maxFrameBytes });
    const good = encodeFrame(Uint8Array.of(1, 2, 3));
    for (let i = 0; i < 10 * maxFrameBytes; i++) {
      expect(decoder.push(Uint8Array.of(0xaa)), `byte ${i}`).to.deep.equal([]);
      expect(decoder.bufferedBytes, `byte ${i}`).to.equal(Math.min(i + 1, maxFrameBytes));
    }
    const [tooLong, ...rest] = decoder.push(Uint8Array.of(0, ...good));
    expect(tooLong?.status).to.equal('too-long');
    expect(tooLong && 'raw' in tooLong ? hex(tooLong.raw) : '').to.equal(hex(new Uint8Array(maxFrameBytes).fill(0xaa)));
    expect(summarize(rest)).to.deep.equal(['ok 01 02 03']);
    expect(decoder.bufferedBytes).to.equal(0);
    expect(decoder.stats).to.deep.equal({ framesOk: 1, crcErrors: 0, cobsErrors: 0, tooLong: 1, tooShort: 0, bytesDiscarded: 161 });
  });

  it('never buffers more than maxFrameBytes when the too-long frame arrives in one chunk', function () {
    const decoder = new FrameDecoder({ maxFrameBytes: 16 });
    expect(decoder.push(new Uint8Array(160).fill(0xaa))).to.deep.equal([]);
    expect(decoder.bufferedBytes).to.equal(16);
  });

  it('holds an unterminated frame and reports it only at its delimiter', function () {
    const frame = encodeFrame(Uint8Array.of(0x42));
    const decoder = new FrameDecoder();
    expect(decoder.push(frame.subarray(0, -1))).to.deep.equal([]);
    expect(decoder.bufferedBytes).to.equal(frame.length - 1);
    expect(summarize(decoder.push(Uint8Array.of(0)))).to.deep.equal(['ok 42']);
    expect(decoder.bufferedBytes).to.equal(0);
  });

  it('skips empty frames without counting them', function () {
    const decoder = new FrameDecoder();
    expect(decoder.push(new Uint8Array(5))).to.deep.equal([]);
    expect(decoder.stats).to.deep.equal({ framesOk: 0, crcErrors: 0, cobsErrors: 0, tooLong: 0, tooShort: 0, bytesDiscarded: 0 });
  });

  it('reports a dropped frame with its raw bytes and counts them, delimiter included', function () {
    const decoder = new FrameDecoder();
    const frames = decoder.push(Uint8Array.of(0x0e, 0x30, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x26, 0x39, 0xf4, 0xcb, 0x00));
    expect(frames).to.have.length(1);
    const [dropped] = frames;
    expect(dropped?.status).to.equal('crc-mismatch');
    expect(dropped && 'raw' in dropped ? hex(dropped.raw) : '').to.equal('0e 30 32 33 34 35 36 37 38 39 26 39 f4 cb');
    expect(decoder.stats.bytesDiscarded).to.equal(15);
  });

  it('gives results that own their bytes', function () {
    const decoder = new FrameDecoder();
    const chunk = encodeFrame(Uint8Array.of(7, 8, 9));
    const [frame] = decoder.push(chunk);
    chunk.fill(0xee);
    decoder.push(encodeFrame(Uint8Array.of(1)));
    expect(summarize(frame ? [frame] : [])).to.deep.equal(['ok 07 08 09']);
    expect(frame?.status === 'ok' ? frame.payload.buffer.byteLength : -1).to.equal(3);
  });

  it('throws RangeError naming "maxFrameBytes" for a limit that is not an integer >= 1', function () {
    expect(() => new FrameDecoder({ maxFrameBytes: 0 })).to.throw(RangeError, '"maxFrameBytes" must be an integer >= 1; got 0');
    expect(() => new FrameDecoder({ maxFrameBytes: 2.5 })).to.throw(RangeError, '"maxFrameBytes"');
  });

  it('round-trips 600 seeded random payloads sent back to back in random chunks', function () {
    const next = seededRandom(0xf4a3e);
    const payloads = Array.from({ length: 600 }, (_, n) => randomPayload(next, n));
    const frames = payloads.map((p) => encodeFrame(p));
    for (const [n, frame] of frames.entries()) {
      expect(frame.length, `frame ${n}`).to.be.at.most(frameMaxEncodedLength(payloads[n]!.length) + 1);
      expect(frame.indexOf(0), `frame ${n}`).to.equal(frame.length - 1);
    }
    const stream = Uint8Array.from(frames.flatMap((f) => Array.from(f)));
    const decoder = new FrameDecoder();
    const got = feed(decoder, randomChunks(next, stream));
    expect(summarize(got)).to.deep.equal(payloads.map((p) => `ok ${hex(p)}`));
    expect(decoder.stats).to.deep.equal({ framesOk: 600, crcErrors: 0, cobsErrors: 0, tooLong: 0, tooShort: 0, bytesDiscarded: 0 });
  });

  it('never reports a frame with one flipped bit as ok, and decodes the next (600 seeded cases)', function () {
    const next = seededRandom(0xb17f11);
    for (let n = 0; n < 600; n++) {
      const payload = randomPayload(next, n);
      const damaged = encodeFrame(payload);
      const bit = next() % ((damaged.length - 1) * 8);
      damaged[bit >> 3]! ^= 1 << (bit & 7);
      const good = encodeFrame(Uint8Array.of(n & 0xff));
      const got = new FrameDecoder().push(Uint8Array.from([...damaged, ...good]));
      const last = got.pop();
      expect(got.every((f) => f.status !== 'ok'), `case ${n}, bit ${bit}: ${summarize(got).join(', ')}`).to.equal(true);
      expect(last && summarize([last]), `case ${n}`).to.deep.equal([`ok ${hex(Uint8Array.of(n & 0xff))}`]);
    }
  });
});
