import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { encodeFrame } from './frame';
import type { DecodeError, DecodeErrorReason, Packet, PacketInit } from './messages';
import { IodevKind, SEQ_ACK_MAX_BYTES, decodePacket, encodePacket, encodeSeqAck, isDecodeError, rtiohil } from './messages';
import { hex, seededRandom } from './test-vectors';

interface MessageCase { description: string; packet: Record<string, unknown>; bytes: Uint8Array }
interface DecodeErrorCase { description: string; bytes: Uint8Array; reason: DecodeErrorReason }

function hexBytes(text: unknown, at: string): Uint8Array {
  if (typeof text !== 'string') throw new Error(`${at}: expected a hex string`);
  const digits = text.replace(/ /g, '');
  if (!/^([0-9a-f]{2})*$/.test(digits)) throw new Error(`${at}: not lower-case hex bytes: "${text}"`);
  return Uint8Array.from(digits.match(/../g) ?? [], (h) => parseInt(h, 16));
}

function loadMessageVectors(): { cases: MessageCase[]; decodeErrors: DecodeErrorCase[] } {
  const doc = JSON.parse(readFileSync(join(__dirname, 'vectors', 'messages.json'), 'utf8')) as {
    cases: { description: string; packet: Record<string, unknown>; hex: string }[];
    decodeErrors: { description: string; hex: string; reason: DecodeErrorReason }[];
  };
  return {
    cases: doc.cases.map((c, i) => ({ description: c.description, packet: c.packet, bytes: hexBytes(c.hex, `cases[${i}].hex`) })),
    decodeErrors: doc.decodeErrors.map((c, i) => ({ description: c.description, reason: c.reason, bytes: hexBytes(c.hex, `decodeErrors[${i}].hex`) })),
  };
}

/** The vector's JSON as encoder input (enum names and base64 converted by protobufjs). */
function fromJson(json: Record<string, unknown>): PacketInit {
  return rtiohil.Packet.fromObject(json) as unknown as PacketInit;
}

/** A decoded packet in the vectors' JSON form. */
function toJson(packet: Packet): Record<string, unknown> {
  return rtiohil.Packet.toObject(rtiohil.Packet.fromObject(packet), { enums: String, bytes: String });
}

function mustDecode(bytes: Uint8Array): Packet {
  const p = decodePacket(bytes);
  if (isDecodeError(p)) throw new Error(`unexpected ${p.reason}: ${p.detail}`);
  return p;
}

function mustFail(bytes: Uint8Array): DecodeError {
  const p = decodePacket(bytes);
  if (!isDecodeError(p)) throw new Error(`decoded, expected an error: ${JSON.stringify(p)}`);
  return p;
}

function eachBytesField(value: unknown, visit: (b: Uint8Array) => void): void {
  if (value instanceof Uint8Array) visit(value);
  else if (Array.isArray(value)) value.forEach((v) => eachBytesField(v, visit));
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach((v) => eachBytesField(v, visit));
}

const vectors = loadMessageVectors();

describe('protocol/messages', function () {
  describe('shared vectors (protocol/vectors/messages.json)', function () {
    it('has a case for every body kind, a pure ack, a REJ and the NOP submit', function () {
      expect(vectors.cases.some((c) => c.packet.rej === true), 'a REJ').to.equal(true);
      const kinds = new Set(vectors.cases.map((c) => Object.keys(c.packet).find((k) => k !== 'seq' && k !== 'ack' && k !== 'rej') ?? 'none'));
      expect([...kinds].sort()).to.deep.equal(
        ['cancel', 'cancelReply', 'clearFaults', 'complete', 'hello', 'helloReply', 'injectFault', 'log', 'none', 'reset', 'signal', 'status', 'submit'].sort(),
      );
    });

    for (const c of vectors.cases) {
      it(`encodes exactly: ${c.description}`, function () {
        expect(hex(encodePacket(fromJson(c.packet)))).to.equal(hex(c.bytes));
      });

      it(`decodes back: ${c.description}`, function () {
        const p = mustDecode(c.bytes);
        expect(toJson(p)).to.deep.equal(c.packet);
        expect(hex(encodePacket(p))).to.equal(hex(c.bytes));
      });
    }

    for (const c of vectors.decodeErrors) {
      it(`rejects as ${c.reason}: ${c.description}`, function () {
        expect(mustFail(c.bytes).reason).to.equal(c.reason);
      });
    }

    it('frames the NOP submit packet in at most 24 bytes (COBS, CRC-32 and delimiter included)', function () {
      const nop = vectors.cases.find((c) => c.description.startsWith('Submit: one NOP SQE'));
      expect(nop, 'the NOP vector').to.not.equal(undefined);
      const frame = encodeFrame(encodePacket(fromJson(nop!.packet)));
      expect(frame.length).to.be.at.most(24);
    });
  });

  describe('decodePacket', function () {
    it('fills in proto3 defaults and discriminates the body', function () {
      const hello = mustDecode(hexBytes('1a 08 08 01 10 f8 ac d1 91 01', 'hello'));
      expect(hello).to.deep.equal({ seq: 0, ack: 0, rej: false, body: 'hello', hello: { protocolVersion: 1, hostNonce: 0x12345678 } });
      const ack = mustDecode(hexBytes('10 ac 02', 'ack'));
      expect(ack).to.deep.equal({ seq: 0, ack: 300, rej: false });
      expect(ack.body).to.equal(undefined);
    });

    it('gives typed values: enums as numbers, sint32 negative, every Sqe field present', function () {
      const reply = vectors.cases.find((c) => c.description.startsWith('HelloReply'))!;
      const p = mustDecode(reply.bytes);
      if (p.body !== 'helloReply') throw new Error(`body ${String(p.body)}`);
      expect(p.helloReply.iodevs[0]?.kind).to.equal(IodevKind.IODEV_KIND_I2C);
      expect(p.helloReply.iodevs[1]).to.deep.equal({ id: 2, name: 'gpio0', kind: IodevKind.IODEV_KIND_GPIO, bus: '', address: 0, part: '', capabilities: [] });
      const cancel = mustDecode(hexBytes('08 02 10 03 42 05 08 0c 10 ef 01', 'cancelReply'));
      expect(cancel).to.deep.equal({ seq: 2, ack: 3, rej: false, body: 'cancelReply', cancelReply: { id: 12, result: -120 } });
      const nop = mustDecode(hexBytes('08 01 2a 04 0a 02 08 01', 'nop'));
      if (nop.body !== 'submit') throw new Error(`body ${String(nop.body)}`);
      expect(nop.submit.sqes).to.have.length(1);
      expect(Object.keys(nop.submit.sqes[0]!).sort()).to.deep.equal(
        ['delayUs', 'flags', 'i2cConfig', 'id', 'iodev', 'iodevFlags', 'len', 'op', 'prio', 'rxOffset', 'rxRegion', 'timeoutUs', 'tx', 'txOffset', 'txRegion'].sort(),
      );
    });

    it('returns bytes fields as plain Uint8Arrays of their own, not views of the input', function () {
      for (const c of vectors.cases) {
        const input = c.bytes.slice();
        const p = mustDecode(input);
        eachBytesField(p, (b) => {
          expect(Object.getPrototypeOf(b)).to.equal(Uint8Array.prototype);
          expect(b.buffer).to.not.equal(input.buffer);
        });
      }
      const complete = vectors.cases.find((c) => c.description.startsWith('Complete'))!;
      const p = mustDecode(complete.bytes);
      if (p.body !== 'complete') throw new Error(`body ${String(p.body)}`);
      expect(Array.from(p.complete.cqes[0]!.data)).to.deep.equal([1, 2, 3, 4]);
      expect(p.complete.cqes[2]!.data).to.have.length(0);
    });

    it('skips unknown fields and lets the last body member win', function () {
      expect(mustDecode(hexBytes('a0 01 05 08 07', 'unknown varint field 20'))).to.deep.equal({ seq: 7, ack: 0, rej: false });
      expect(mustDecode(hexBytes('4a 02 08 01 3a 02 08 02', 'signal then cancel'))).to.deep.equal({
        seq: 0,
        ack: 0,
        rej: false,
        body: 'cancel',
        cancel: { id: 2 },
      });
    });

    it('rejects field number 0 as malformed', function () {
      expect(mustFail(hexBytes('00 01', 'tag 0')).reason).to.equal('malformed');
    });

    it('never throws on any prefix of a vector: each decodes or is truncated', function () {
      for (const c of vectors.cases) {
        for (let n = 0; n < c.bytes.length; n++) {
          const r = decodePacket(c.bytes.subarray(0, n));
          if (isDecodeError(r)) expect(r.reason, `${c.description}, first ${n} bytes`).to.equal('truncated');
        }
      }
    });

    it('never throws on garbage (2000 seeded random payloads of 0..64 bytes)', function () {
      const random = seededRandom(20261122);
      let errors = 0;
      for (let i = 0; i < 2000; i++) {
        const bytes = Uint8Array.from({ length: random() % 65 }, () => random() & 0xff);
        const r = decodePacket(bytes);
        if (isDecodeError(r)) {
          errors++;
          expect(r.kind).to.equal('decode-error');
          expect(['truncated', 'malformed']).to.include(r.reason);
          expect(r.detail).to.be.a('string').and.not.equal('');
        }
      }
      expect(errors, 'garbage that failed to decode').to.be.greaterThan(0);
    });
  });

  describe('encodePacket', function () {
    it('returns a plain Uint8Array and omits default values', function () {
      const bytes = encodePacket({ seq: 0, ack: 0, signal: { id: 0 } });
      expect(Object.getPrototypeOf(bytes)).to.equal(Uint8Array.prototype);
      expect(hex(bytes)).to.equal('4a 00');
      expect(hex(encodePacket({}))).to.equal('');
    });

    it('throws TypeError naming the field for a wrong type or two bodies', function () {
      expect(() => encodePacket({ seq: 'one' } as unknown as PacketInit)).to.throw(TypeError, '"packet" is invalid: seq: integer expected');
      expect(() => encodePacket({ cancel: { id: 1 }, signal: { id: 2 } } as unknown as PacketInit)).to.throw(
        TypeError,
        '"packet" is invalid: body: multiple values',
      );
    });
  });
});

describe('protocol/messages encodeSeqAck', function () {
  const head = (seq: number, ack: number, offset = 0): string => {
    const dst = new Uint8Array(offset + SEQ_ACK_MAX_BYTES).fill(0xee);
    const n = encodeSeqAck(dst, offset, seq, ack);
    return hex(dst.subarray(offset, offset + n));
  };

  it('writes fields 1 and 2 as varints, each left out when 0', function () {
    expect(head(0, 0)).to.equal('');
    expect(head(1, 0)).to.equal('08 01');
    expect(head(0, 5)).to.equal('10 05');
    expect(head(300, 5, 3)).to.equal('08 ac 02 10 05');
    expect(head(2 ** 32 - 1, 2 ** 32 - 1)).to.equal('08 ff ff ff ff 0f 10 ff ff ff ff 0f');
  });

  it('gives the bytes encodePacket gives for seq and ack alone', function () {
    const random = seededRandom(16);
    // Values of every length: a random 32-bit value shifted right by 0..32 bits.
    const value = (): number => (random() >>> (random() % 33)) >>> 0;
    for (let i = 0; i < 500; i++) {
      const seq = random() % 33 === 32 ? 0 : value();
      const ack = value();
      expect(head(seq, ack), `seq ${seq} ack ${ack}`).to.equal(hex(encodePacket({ seq, ack })));
    }
  });
});
