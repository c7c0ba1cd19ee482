import { expect } from 'chai';
import { TelnetOptions } from './telnet-options';
import type { TelnetVerb } from './telnet-codec';

const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex'));
const policy = { local: [44, 0, 3], remote: [0, 3] };

describe('telnet option negotiation', function () {
  it('asks for COM-PORT-OPTION, BINARY and SUPPRESS-GO-AHEAD, both ways where both can use them', function () {
    const o = new TelnetOptions(policy);
    expect(o.start().map(hex)).to.deep.equal(['fffb2c', 'fffb00', 'fffb03', 'fffd00', 'fffd03']);
    expect([o.local(44), o.local(0), o.remote(0), o.remote(1)]).to.deep.equal(['wantyes', 'wantyes', 'wantyes', 'no']);
  });

  it('follows ser2net 4.3\'s answers without a reply loop: only its ECHO offer is answered (refused)', function () {
    const o = new TelnetOptions(policy);
    o.start();
    const ser2net: [TelnetVerb, number][] = [['WILL', 3], ['DO', 3], ['WILL', 1], ['DONT', 1], ['DO', 0], ['WILL', 0], ['DO', 44], ['DO', 3]];
    expect(ser2net.map(([v, opt]) => hex(o.receive(v, opt)))).to.deep.equal([null, null, 'fffe01', null, null, null, null, null]);
    expect([o.local(44), o.local(0), o.local(3), o.remote(0), o.remote(3), o.remote(1)]).to.deep.equal(['yes', 'yes', 'yes', 'yes', 'yes', 'no']);
  });

  it('a server that refuses COM-PORT-OPTION turns it off without an answer; it stays off', function () {
    const o = new TelnetOptions(policy);
    o.start();
    expect(hex(o.receive('DONT', 44))).to.equal(null);
    expect(o.local(44)).to.equal('no');
    expect(hex(o.receive('WONT', 0))).to.equal(null);
    expect(o.remote(0)).to.equal('no');
  });

  it('refuses what it does not use, and answers a peer that offers again after agreeing once', function () {
    const o = new TelnetOptions(policy);
    expect(hex(o.receive('DO', 24)), 'terminal type').to.equal('fffc18');
    expect(hex(o.receive('WILL', 1)), 'echo').to.equal('fffe01');
    expect(hex(o.receive('WILL', 0)), 'binary, not asked yet: agreed').to.equal('fffd00');
    expect(hex(o.receive('WILL', 0)), 'already on').to.equal(null);
    expect(hex(o.receive('WONT', 0)), 'switched off: confirmed once').to.equal('fffe00');
    expect(hex(o.receive('WONT', 0))).to.equal(null);
    expect(hex(o.receive('DO', 44))).to.equal('fffb2c');
    expect(hex(o.receive('DONT', 44))).to.equal('fffc2c');
  });
});
