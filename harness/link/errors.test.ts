import { expect } from 'chai';
import { AgentResetError, DisconnectedError, HandshakeTimeoutError, LinkError, LinkTimeoutError, PortOpenError, ProtocolVersionError, isLinkError } from './errors';

describe('harness/link errors', function () {
  it('carry a name, machine-readable fields and a fixed-prefix message', function () {
    const cause = new Error('EIO');
    const cases: [Error, string, Record<string, unknown>, string][] = [
      [new DisconnectedError('/dev/ttyACM0', cause), 'DisconnectedError', { disconnected: true, port: '/dev/ttyACM0' }, 'disconnected: /dev/ttyACM0: EIO'],
      [new DisconnectedError('mem'), 'DisconnectedError', { disconnected: true, port: 'mem' }, 'disconnected: mem'],
      [new AgentResetError('p', 1, 0xdeadbeef), 'AgentResetError', { port: 'p', oldNonce: 1, newNonce: 0xdeadbeef }, 'agent reset: p boot nonce 0x00000001 became 0xdeadbeef'],
      [new HandshakeTimeoutError('p', 3000), 'HandshakeTimeoutError', { port: 'p', timeoutMs: 3000 }, 'handshake timeout: no HelloReply from p within 3000 ms'],
      [new ProtocolVersionError(1, 2), 'ProtocolVersionError', { host: 1, agent: 2 }, 'protocol version mismatch: host speaks 1, agent 2'],
      [new PortOpenError('/dev/x', 'busy', cause), 'PortOpenError', { port: '/dev/x', reason: 'busy' }, 'cannot open /dev/x: busy (EIO)'],
      [new LinkTimeoutError('p', 4, 5, 750), 'LinkTimeoutError', { port: 'p', seq: 4, retransmits: 5, stalledMs: 750 }, 'link timeout: p acknowledged nothing for 750 ms (seq 4 waits; 5 retransmissions)'],
    ];
    for (const [err, name, fields, message] of cases) {
      expect(err.name).to.equal(name);
      expect(err).to.include(fields);
      expect(err.message).to.equal(message);
      expect(err).to.be.instanceOf(LinkError);
      expect(err).to.be.instanceOf(Error);
      expect(isLinkError(err)).to.equal(true);
    }
    expect(new DisconnectedError('p', cause).cause).to.equal(cause);
  });

  it('isLinkError is structural and rejects other errors', function () {
    expect(isLinkError({ name: 'AgentResetError', message: 'agent reset: …', oldNonce: 1, newNonce: 2 })).to.equal(true);
    expect(isLinkError(new Error('x'))).to.equal(false);
    expect(isLinkError(new RangeError('x'))).to.equal(false);
    expect(isLinkError({ name: 'DisconnectedError' })).to.equal(false);
    expect(isLinkError(null)).to.equal(false);
    expect(isLinkError('DisconnectedError')).to.equal(false);
  });

  it('narrow by name', function () {
    const e: unknown = new LinkTimeoutError('p', 1, 2, 3);
    if (!isLinkError(e)) throw new Error('not a link error');
    switch (e.name) {
      case 'LinkTimeoutError':
        expect(e.seq).to.equal(1);
        break;
      default:
        throw new Error(`unexpected ${e.name}`);
    }
  });
});
