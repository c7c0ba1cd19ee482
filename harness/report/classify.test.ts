import { AssertionError, expect } from 'chai';
import { AgentResetError, DisconnectedError, HandshakeTimeoutError, LinkTimeoutError, PortOpenError } from '../link/errors';
import { ECONNRESET, EIO, ENOTCONN } from '../rtio';
import { classifyFailure, linkErrorIn, linkFailureResultIn } from './classify';
import type { TargetAtFailure } from './classify';

/** The chai error `expect(actual).to.deep.equal(expected)` throws. */
function assertionOf(actual: unknown, expected: unknown): unknown {
  try {
    expect(actual).to.deep.equal(expected);
  } catch (e) {
    return e;
  }
  throw new Error('expected the assertion to fail');
}

const reset = new AgentResetError('/dev/ttyACM0', 1, 2);
const lost = new DisconnectedError('/dev/ttyACM0', 'unplugged');

function at(lastError: Error | null, lastErrorAtStart: Error | null = null): TargetAtFailure[] {
  return [{ boardId: 'nucleo', lastError, lastErrorAtStart }];
}

describe('failure classes', function () {
  it('a link error thrown by the test is infrastructure, with its cause', function () {
    const cases: [Error, string][] = [
      [reset, 'agent-reset'], [lost, 'port-lost'], [new LinkTimeoutError('p', 3, 5, 500), 'link-timeout'],
      [new HandshakeTimeoutError('tcp:h:1', 300), 'handshake-timeout'], [new PortOpenError('/dev/x', 'busy'), 'port-open'],
    ];
    for (const [err, cause] of cases) {
      expect(classifyFailure(err, []), err.name).to.deep.equal({ kind: 'infrastructure', cause, reason: err.message });
    }
  });

  it('a link error anywhere in the cause chain counts', function () {
    const wrapped = new Error('flash write failed', { cause: new Error('submit failed', { cause: lost }) });
    expect(linkErrorIn(wrapped)?.cause).to.equal('port-lost');
    expect(classifyFailure(wrapped, []).kind).to.equal('infrastructure');
  });

  it('an assertion that saw -ECONNRESET while the target\'s lastError is an AgentResetError is infrastructure', function () {
    const err = assertionOf([['a', -ECONNRESET]], [['a', 0]]);
    const cls = classifyFailure(err, at(reset));
    expect([cls.kind, cls.cause]).to.deep.equal(['infrastructure', 'agent-reset']);
    expect(cls.reason).to.equal(`CQE result -ECONNRESET on board "nucleo" after ${reset.message}`);
  });

  it('says when the link had already failed before the test began', function () {
    const err = assertionOf(-ENOTCONN, 0);
    const cls = classifyFailure(err, at(lost, lost));
    expect([cls.kind, cls.cause]).to.deep.equal(['infrastructure', 'port-lost']);
    expect(cls.reason).to.match(/\(the link had failed before this test began\)$/);
  });

  it('the same result with no link failure on the target is an assertion failure', function () {
    expect(classifyFailure(assertionOf(-ECONNRESET, 0), at(null)).kind).to.equal('assertion');
    expect(classifyFailure(assertionOf(-ECONNRESET, 0), []).kind).to.equal('assertion');
  });

  it('a target closed by the test (a plain Error) does not make -ENOTCONN infrastructure', function () {
    expect(classifyFailure(assertionOf(-ENOTCONN, 0), at(new Error('target "nucleo" closed'))).kind).to.equal('assertion');
  });

  it('other results are assertion failures even on a failed link', function () {
    const cls = classifyFailure(assertionOf([['read', -EIO]], [['read', 2]]), at(reset));
    expect(cls.kind).to.equal('assertion');
    expect(cls.reason).to.match(/^expected \[ \[ 'read', -5 \] \] to deeply equal/);
  });

  it('finds the result in actual values nested in objects, or in the message when actual is gone', function () {
    expect(linkFailureResultIn(assertionOf({ cqes: [{ result: 0 }, { result: -ENOTCONN }] }, {}))).to.equal(-ENOTCONN);
    expect(linkFailureResultIn(new AssertionError(`the NOP result: expected ${-ECONNRESET} to equal 0`))).to.equal(-ECONNRESET);
    expect(linkFailureResultIn(new Error('flash read failed: -ECONNRESET'))).to.equal(-ECONNRESET);
    expect(linkFailureResultIn(new Error(`expected -1${ECONNRESET} to equal 0`)), 'a longer number is not it').to.equal(null);
    expect(linkFailureResultIn(assertionOf(`${-ECONNRESET}`, '0')), 'stringified by mocha').to.equal(-ECONNRESET);
  });
});
