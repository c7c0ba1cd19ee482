import { expect } from 'chai';
import { decodeComPortReply, encodeComPortRequest } from './rfc2217-codec';
import type { ComPortReply, ComPortRequest } from './rfc2217-codec';
import { TelnetDecoder } from './telnet-codec';

const bytes = (hex: string): Uint8Array => Uint8Array.from(hex.replace(/\s+/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Client requests and their bytes on the wire, from RFC 2217's tables (IAC SB 44 <code> <value> IAC SE). */
const REQUESTS: readonly [ComPortRequest, string][] = [
  [{ command: 'set-baudrate', baudRate: 921600 }, 'fffa2c 01 000e1000 fff0'],
  [{ command: 'set-baudrate', baudRate: 115200 }, 'fffa2c 01 0001c200 fff0'],
  [{ command: 'set-baudrate', baudRate: 65535 }, 'fffa2c 01 0000ffffffff fff0'],
  [{ command: 'set-baudrate', baudRate: 0xffffffff }, 'fffa2c 01 ffffffffffffffff fff0'],
  [{ command: 'set-datasize', dataBits: 8 }, 'fffa2c 02 08 fff0'],
  [{ command: 'set-datasize', dataBits: 7 }, 'fffa2c 02 07 fff0'],
  [{ command: 'set-parity', parity: 'none' }, 'fffa2c 03 01 fff0'],
  [{ command: 'set-parity', parity: 'even' }, 'fffa2c 03 03 fff0'],
  [{ command: 'set-parity', parity: 'space' }, 'fffa2c 03 05 fff0'],
  [{ command: 'set-stopsize', stopBits: 1 }, 'fffa2c 04 01 fff0'],
  [{ command: 'set-stopsize', stopBits: 2 }, 'fffa2c 04 02 fff0'],
  [{ command: 'set-stopsize', stopBits: 1.5 }, 'fffa2c 04 03 fff0'],
  [{ command: 'set-control', control: 8 }, 'fffa2c 05 08 fff0'],
  [{ command: 'set-control', control: 9 }, 'fffa2c 05 09 fff0'],
  [{ command: 'set-control', control: 11 }, 'fffa2c 05 0b fff0'],
  [{ command: 'set-control', control: 12 }, 'fffa2c 05 0c fff0'],
  [{ command: 'set-modemstate-mask', mask: 0xff }, 'fffa2c 0b ffff fff0'],
  [{ command: 'set-linestate-mask', mask: 0 }, 'fffa2c 0a 00 fff0'],
  [{ command: 'purge-data', purge: 'receive' }, 'fffa2c 0c 01 fff0'],
  [{ command: 'purge-data', purge: 'both' }, 'fffa2c 0c 03 fff0'],
];

/** Server payloads (after IAC SB 44, 0xFF undoubled) and what they mean; the first ones are ser2net 4.3's own. */
const REPLIES: readonly [string, ComPortReply | string][] = [
  ['65 000e1000', { command: 'set-baudrate', baudRate: 921600 }],
  ['66 08', { command: 'set-datasize', dataBits: 8 }],
  ['67 01', { command: 'set-parity', parity: 'none' }],
  ['68 01', { command: 'set-stopsize', stopBits: 1 }],
  ['69 09', { command: 'set-control', control: 9 }],
  ['69 0b', { command: 'set-control', control: 11 }],
  ['6b 00', { command: 'notify-modemstate', modemState: 0 }],
  ['70 03', { command: 'purge-data', purge: 'both' }],
  ['68 03', { command: 'set-stopsize', stopBits: 1.5 }],
  ['67 09', { command: 'set-parity', parity: 9 }],
  ['6a 10', { command: 'notify-linestate', lineState: 0x10 }],
  ['6c', { command: 'flowcontrol-suspend' }],
  ['6d', { command: 'flowcontrol-resume' }],
  ['6f 00', { command: 'set-modemstate-mask', mask: 0 }],
  ['64 73657232', { command: 'signature', text: 'ser2' }],
  ['', 'empty payload'],
  ['01 0001c200', 'code 1 is a client command, not a server reply'],
  ['65 0001', 'reply 101 carries 2 value bytes, not 4'],
  ['66', 'reply 102 carries 0 value bytes, not 1'],
  ['6c 00', 'reply 108 carries 1 value bytes, not 0'],
  ['c8 00', 'unknown reply code 200'],
];

describe('RFC 2217 codec (COM-PORT-OPTION)', function () {
  describe('encodes client requests byte for byte', function () {
    for (const [request, wire] of REQUESTS) {
      it(`${JSON.stringify(request)} is ${wire}`, function () {
        expect(hex(encodeComPortRequest(request))).to.equal(wire.replace(/\s+/g, ''));
      });
    }
  });

  it('refuses values a request cannot carry, naming them', function () {
    expect(() => encodeComPortRequest({ command: 'set-baudrate', baudRate: 0 })).to.throw(RangeError, /"baudRate" must be an integer in 1\.\.4294967295; got 0/);
    expect(() => encodeComPortRequest({ command: 'set-baudrate', baudRate: 2 ** 32 })).to.throw(RangeError, /"baudRate"/);
    expect(() => encodeComPortRequest({ command: 'set-datasize', dataBits: 9 as 8 })).to.throw(RangeError, /"dataBits" must be 5, 6, 7 or 8; got 9/);
    expect(() => encodeComPortRequest({ command: 'set-parity', parity: 'odd-ish' as 'odd' })).to.throw(RangeError, /"parity" must be one of none, odd, even, mark, space; got odd-ish/);
    expect(() => encodeComPortRequest({ command: 'set-stopsize', stopBits: 3 as 2 })).to.throw(RangeError, /"stopBits" must be one of 1, 2, 1\.5; got 3/);
    expect(() => encodeComPortRequest({ command: 'set-control', control: 256 })).to.throw(RangeError, /"control" must be an integer in 0\.\.255; got 256/);
  });

  describe('decodes server replies', function () {
    for (const [payload, want] of REPLIES) {
      it(`${payload === '' ? '(empty)' : payload}: ${typeof want === 'string' ? `malformed, ${want}` : want.command}`, function () {
        const got = decodeComPortReply(bytes(payload));
        if (typeof want === 'string') expect(got).to.deep.equal({ command: 'malformed', reason: want, payload: bytes(payload) });
        else expect(got).to.deep.equal(want);
      });
    }
  });

  it('reads ser2net\'s acknowledgements out of a stream cut at every offset', function () {
    const stream = bytes('fffa2c65000e1000fff0 fffa2c6608fff0 fffa2c6701fff0 fffa2c6801fff0 fffa2c 65 0000ffffffff fff0');
    const want = ['set-baudrate 921600', 'set-datasize 8', 'set-parity none', 'set-stopsize 1', 'set-baudrate 65535'];
    const read = (chunks: Uint8Array[]): string[] => {
      const d = new TelnetDecoder();
      return chunks.flatMap((c) => d.push(c)).flatMap((e) => {
        if (e.kind !== 'subnegotiation' || e.option !== 44) return [];
        const r = decodeComPortReply(e.payload);
        return [`${r.command} ${Object.values(r).slice(1).join(' ')}`];
      });
    };
    for (let i = 0; i <= stream.length; i++) expect(read([stream.subarray(0, i), stream.subarray(i)]), `split at ${i}`).to.deep.equal(want);
  });
});
