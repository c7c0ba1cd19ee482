import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { decodeCompletePacket, encodeSubmitPacket } from './hot-packets';
import type { PacketInit } from './messages';
import { rtiohil } from './messages';
import { seededRandom } from './test-vectors';

/** What protobufjs alone gives for `bytes` (decodePacket's slow path), with bytes as plain arrays for comparing. */
function slowDecode(bytes: Uint8Array): unknown {
  return plainBytes(rtiohil.Packet.toObject(rtiohil.Packet.decode(bytes), { defaults: true, arrays: true, oneofs: true }));
}

/** `value` with every Uint8Array (or Buffer) as a number[]: Buffer and Uint8Array compare alike then. */
function plainBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(plainBytes);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainBytes(v)]));
  return value;
}

function slowEncode(packet: PacketInit): Uint8Array {
  return rtiohil.Packet.encode(packet).finish();
}

const vectors = (JSON.parse(readFileSync(join(__dirname, 'vectors', 'messages.json'), 'utf8')) as { cases: { description: string; packet: Record<string, unknown>; hex: string }[] })
  .cases.map((c) => ({ description: c.description, packet: c.packet, bytes: Uint8Array.from(Buffer.from(c.hex.replace(/ /g, ''), 'hex')) }));

/** A uint32 that is often 0 and spans every varint length. */
function u32(rand: () => number): number {
  const r = rand();
  switch (r % 4) {
    case 0: return 0;
    case 1: return r % 200;
    case 2: return rand() % 0x200000;
    default: return rand();
  }
}

function randomBytes(rand: () => number, max: number): Uint8Array {
  return Uint8Array.from({ length: rand() % (max + 1) }, () => rand() & 0xff);
}

function randomCompleteBytes(rand: () => number): Uint8Array {
  const cqes = Array.from({ length: rand() % 6 }, () => {
    const c: Record<string, unknown> = { id: u32(rand), result: (u32(rand) | 0) % 2 === 0 ? -(rand() % 200) : u32(rand) | 0, flags: u32(rand) };
    if (rand() % 2 === 0) c.data = randomBytes(rand, 40);
    if (rand() % 2 === 0) Object.assign(c, { startUs: u32(rand), endUs: u32(rand) });
    return c;
  });
  const packet: Record<string, unknown> = { seq: u32(rand), ack: u32(rand), rej: rand() % 5 === 0 };
  if (rand() % 4 !== 0) packet.complete = { cqes };
  return rtiohil.Packet.encode(rtiohil.Packet.fromObject(packet)).finish();
}

function randomSubmit(rand: () => number): PacketInit {
  const sqes = Array.from({ length: rand() % 8 }, () => {
    const s: Record<string, unknown> = {};
    for (const f of ['id', 'op', 'flags', 'iodev', 'iodevFlags', 'prio', 'len', 'txRegion', 'timeoutUs', 'delayUs', 'i2cConfig', 'txOffset', 'rxRegion', 'rxOffset']) {
      if (rand() % 3 !== 0) s[f] = u32(rand);
    }
    if (rand() % 2 === 0) s.tx = randomBytes(rand, 300);
    return s;
  });
  const regions = Array.from({ length: rand() % 3 }, () => (rand() % 2 === 0 ? { len: u32(rand), init: randomBytes(rand, 20) } : { len: u32(rand) }));
  return { submit: rand() % 2 === 0 ? { sqes, regions } : { sqes } } as PacketInit;
}

describe('protocol/hot-packets', function () {
  describe('decodeCompletePacket', function () {
    it('decodes every Complete and pure-ack vector as protobufjs does, and declines every other vector', function () {
      let taken = 0;
      for (const v of vectors) {
        const fast = decodeCompletePacket(v.bytes);
        const kind = Object.keys(v.packet).filter((k) => !['seq', 'ack', 'rej'].includes(k));
        if (kind.length === 0 || kind[0] === 'complete') {
          expect(fast, v.description).to.not.equal(null);
          expect(plainBytes(fast), v.description).to.deep.equal(slowDecode(v.bytes));
          taken++;
        } else {
          expect(fast, v.description).to.equal(null);
        }
      }
      expect(taken).to.be.greaterThanOrEqual(5);
    });

    it('gives protobufjs\'s result for 3000 seeded random Completes and pure acks, data in plain arrays of its own', function () {
      const rand = seededRandom(16);
      for (let i = 0; i < 3000; i++) {
        const bytes = randomCompleteBytes(rand);
        const fast = decodeCompletePacket(bytes);
        expect(fast, `case ${i}`).to.not.equal(null);
        expect(plainBytes(fast), `case ${i}`).to.deep.equal(slowDecode(bytes));
        if (fast !== null && fast.body === 'complete') {
          for (const c of fast.complete.cqes) {
            expect(Object.getPrototypeOf(c.data)).to.equal(Uint8Array.prototype);
            expect(c.data.buffer).to.not.equal(bytes.buffer);
          }
        }
      }
    });

    it('on every prefix of a Complete either gives protobufjs\'s result or declines (a truncation is protobufjs\'s to report)', function () {
      const rand = seededRandom(17);
      for (let i = 0; i < 200; i++) {
        const bytes = randomCompleteBytes(rand);
        for (let n = 0; n <= bytes.length; n++) {
          const prefix = bytes.subarray(0, n);
          const fast = decodeCompletePacket(prefix);
          if (fast !== null) expect(plainBytes(fast)).to.deep.equal(slowDecode(prefix));
        }
      }
    });

    it('declines an unknown field, a second body, a 6-byte varint, a wrong wire type and a 5-byte varint over 32 bits', function () {
      const complete = [0x08, 0x01, 0x32, 0x04, 0x0a, 0x02, 0x08, 0x07];
      expect(decodeCompletePacket(Uint8Array.from(complete))).to.not.equal(null);
      expect(decodeCompletePacket(Uint8Array.from([...complete, 0x80, 0x01, 0x00]))).to.equal(null); // field 16
      expect(decodeCompletePacket(Uint8Array.from([...complete, 0x32, 0x00]))).to.equal(null); // a second Complete
      expect(decodeCompletePacket(Uint8Array.from([0x10, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00]))).to.equal(null);
      expect(decodeCompletePacket(Uint8Array.from([0x08, 0x01, 0x32, 0x04, 0x0a, 0x02, 0x09, 0x07]))).to.equal(null); // Cqe.id as fixed64
      expect(decodeCompletePacket(Uint8Array.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x1f]))).to.equal(null);
      expect(decodeCompletePacket(Uint8Array.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x0f]))).to.deep.equal({ seq: 0, ack: 0xffffffff, rej: false });
    });
  });

  describe('encodeSubmitPacket', function () {
    it('gives protobufjs\'s bytes for 3000 seeded random Submits of plain objects', function () {
      const rand = seededRandom(18);
      for (let i = 0; i < 3000; i++) {
        const packet = randomSubmit(rand);
        const fast = encodeSubmitPacket(packet);
        expect(fast, `case ${i}`).to.not.equal(null);
        expect(Array.from(fast!), `case ${i}`).to.deep.equal(Array.from(slowEncode(packet)));
      }
    });

    it('gives the vectors\' bytes for their Submits without seq and ack, as plain objects', function () {
      for (const v of vectors.filter((c) => 'submit' in c.packet)) {
        const decoded = rtiohil.Packet.toObject(rtiohil.Packet.decode(v.bytes), { arrays: true }) as { submit: object };
        const packet = { submit: JSON.parse(JSON.stringify(decoded.submit, (_k, val: unknown) => (val instanceof Uint8Array ? { bytes: Array.from(val) } : val)), (_k, val: unknown) =>
          (typeof val === 'object' && val !== null && 'bytes' in val ? Uint8Array.from((val as { bytes: number[] }).bytes) : val)) as object } as PacketInit;
        expect(Array.from(encodeSubmitPacket(packet)!), v.description).to.deep.equal(Array.from(slowEncode(packet)));
      }
    });

    it('declines what protobufjs\'s verify must judge: another body, seq or ack, a class instance, a non-uint32, bytes as a string', function () {
      const sqe = { id: 1, op: 2 };
      expect(encodeSubmitPacket({ submit: { sqes: [sqe] } })).to.not.equal(null);
      expect(encodeSubmitPacket({ cancel: { id: 1 } })).to.equal(null);
      expect(encodeSubmitPacket({ seq: 1, submit: { sqes: [sqe] } })).to.equal(null);
      expect(encodeSubmitPacket({ submit: { sqes: [rtiohil.Sqe.fromObject(sqe)] } })).to.equal(null);
      for (const bad of [-1, 1.5, 2 ** 32, '1', NaN]) {
        expect(encodeSubmitPacket({ submit: { sqes: [{ id: bad }] } } as unknown as PacketInit), String(bad)).to.equal(null);
      }
      expect(encodeSubmitPacket({ submit: { sqes: [{ tx: 'AAE=' }] } } as unknown as PacketInit)).to.equal(null);
      expect(encodeSubmitPacket({ submit: { sqes: {} } } as unknown as PacketInit)).to.equal(null);
    });
  });
});
