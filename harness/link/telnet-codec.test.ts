import { expect } from 'chai';
import { TelnetDecoder, encodeNegotiation, encodeSubnegotiation, escapeTelnetData } from './telnet-codec';
import type { TelnetEvent } from './telnet-codec';

const bytes = (hex: string): Uint8Array => Uint8Array.from(hex.replace(/\s+/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Events as text, adjacent data merged: where a stream is cut may split data, nothing else. */
function summarize(events: readonly TelnetEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (e.kind === 'data' && last?.startsWith('data ')) out[out.length - 1] = last + hex(e.bytes);
    else if (e.kind === 'data') out.push(`data ${hex(e.bytes)}`);
    else if (e.kind === 'negotiation') out.push(`${e.verb} ${e.option}`);
    else if (e.kind === 'subnegotiation') out.push(`SB ${e.option} ${hex(e.payload)}`);
    else if (e.kind === 'command') out.push(`command ${e.command}`);
    else out.push(`error ${e.reason}`);
  }
  return out;
}

/** Streams and what they decode to, written from RFC 854/855 by hand (not by the encoder). */
const VECTORS: readonly { description: string; stream: string; events: string[]; errors?: number }[] = [
  { description: 'plain data', stream: '00 01 7e fe', events: ['data 00017efe'] },
  { description: 'a doubled 0xFF is one data byte', stream: '01 ff ff 02 ff ff', events: ['data 01ff02ff'] },
  {
    description: 'what ser2net 4.3 sends first on a telnet(rfc2217) accepter',
    stream: 'fffb03 fffd03 fffb01 fffe01 fffd00 fffb00 fffd2c fffa2c6b00fff0 fffd03',
    events: ['WILL 3', 'DO 3', 'WILL 1', 'DONT 1', 'DO 0', 'WILL 0', 'DO 44', 'SB 44 6b00', 'DO 3'],
  },
  {
    description: 'ser2net acknowledging SET-BAUDRATE 921600, -DATASIZE, -PARITY, -STOPSIZE, then data',
    stream: 'fffa2c65000e1000fff0 fffa2c6608fff0 fffa2c6701fff0 fffa2c6801fff0 0102ffff03',
    events: ['SB 44 65000e1000', 'SB 44 6608', 'SB 44 6701', 'SB 44 6801', 'data 0102ff03'],
  },
  { description: 'a doubled 0xFF inside a subnegotiation', stream: 'fffa2c 65 0000ffff ffff fff0', events: ['SB 44 650000ffff'] },
  { description: 'data around a negotiation', stream: 'aa fffb2c bb', events: ['data aa', 'WILL 44', 'data bb'] },
  { description: 'NOP, Go Ahead and Break are commands', stream: 'fff1 41 fff9 fff3', events: ['command 241', 'data 41', 'command 249', 'command 243'] },
  { description: 'IAC and a byte below 240: an error, both dropped', stream: '41 ff10 42', events: ['data 41', 'error unknown-command', 'data 42'], errors: 1 },
  { description: 'IAC SE outside a subnegotiation: an error', stream: 'fff0 43', events: ['error stray-se', 'data 43'], errors: 1 },
  { description: 'a subnegotiation without an option byte', stream: 'fffafff0 44', events: ['error empty-subnegotiation', 'data 44'], errors: 1 },
  {
    description: 'a command inside a subnegotiation ends it with an error and is decoded',
    stream: 'fffa2c 01 fffb03 45',
    events: ['error unterminated-subnegotiation', 'WILL 3', 'data 45'],
    errors: 1,
  },
];

function feed(decoder: TelnetDecoder, chunks: readonly Uint8Array[]): TelnetEvent[] {
  return chunks.flatMap((c) => decoder.push(c));
}

describe('telnet codec', function () {
  describe('TelnetDecoder', function () {
    for (const v of VECTORS) {
      const stream = bytes(v.stream);
      it(`${v.description}: in one chunk, with its error count`, function () {
        const d = new TelnetDecoder();
        expect(summarize(d.push(stream))).to.deep.equal(v.events);
        expect(d.errors).to.equal(v.errors ?? 0);
      });
      it(`${v.description}: split in two at every offset`, function () {
        for (let i = 1; i < stream.length; i++) {
          const d = new TelnetDecoder();
          expect(summarize(feed(d, [stream.subarray(0, i), stream.subarray(i)])), `split at ${i}`).to.deep.equal(v.events);
        }
      });
      it(`${v.description}: byte by byte`, function () {
        expect(summarize(feed(new TelnetDecoder(), Array.from(stream, (b) => Uint8Array.of(b))))).to.deep.equal(v.events);
      });
    }

    it('every vector back to back through one decoder', function () {
      const d = new TelnetDecoder();
      const all = VECTORS.flatMap((v) => [...bytes(v.stream)]);
      const want = summarize(VECTORS.flatMap((v) => new TelnetDecoder().push(bytes(v.stream))));
      expect(summarize(d.push(Uint8Array.from(all)))).to.deep.equal(want);
    });

    it('drops a subnegotiation over the limit, without storing it, and resumes after its IAC SE', function () {
      const d = new TelnetDecoder({ maxSubnegotiationBytes: 4 });
      expect(summarize(d.push(bytes('fffa2c 0102030405 fff0 41 fffa2c 01020304 fff0')))).to.deep.equal(['error subnegotiation-too-long', 'data 41', 'SB 44 01020304']);
      expect(d.errors).to.equal(1);
      expect(() => new TelnetDecoder({ maxSubnegotiationBytes: 0 })).to.throw(RangeError, /"maxSubnegotiationBytes" must be an integer >= 1; got 0/);
    });

    it('returns data in arrays of its own, not views of the chunk', function () {
      const chunk = bytes('0102');
      const [e] = new TelnetDecoder().push(chunk);
      chunk[0] = 9;
      expect(e?.kind === 'data' && hex(e.bytes)).to.equal('0102');
    });
  });

  describe('encoders', function () {
    it('doubles every 0xFF of data, in a new array', function () {
      const data = bytes('01ff02');
      expect(hex(escapeTelnetData(data))).to.equal('01ffff02');
      expect(hex(escapeTelnetData(bytes('ffff')))).to.equal('ffffffff');
      const plain = bytes('0102');
      const out = escapeTelnetData(plain);
      out[0] = 7;
      expect(hex(plain)).to.equal('0102');
      expect(escapeTelnetData(new Uint8Array(0))).to.have.length(0);
    });

    it('encodes negotiations', function () {
      expect(['WILL', 'WONT', 'DO', 'DONT'].map((v) => hex(encodeNegotiation(v as 'WILL', 44)))).to.deep.equal(['fffb2c', 'fffc2c', 'fffd2c', 'fffe2c']);
      expect(() => encodeNegotiation('DO', 256)).to.throw(RangeError, /"option" must be an integer in 0\.\.255; got 256/);
    });

    it('encodes a subnegotiation with 0xFF doubled in its payload', function () {
      expect(hex(encodeSubnegotiation(44, bytes('0100 00ff ff')))).to.equal('fffa2c' + '010000ffffffff' + 'fff0');
      expect(hex(encodeSubnegotiation(44, new Uint8Array(0)))).to.equal('fffa2cfff0');
    });

    it('what the encoders write, the decoder reads back', function () {
      const payload = bytes('65 00 01 ff ff');
      const stream = Uint8Array.from([...escapeTelnetData(bytes('ff00ff')), ...encodeNegotiation('WILL', 0), ...encodeSubnegotiation(44, payload)]);
      expect(summarize(new TelnetDecoder().push(stream))).to.deep.equal(['data ff00ff', 'WILL 0', `SB 44 ${hex(payload)}`]);
    });
  });
});
