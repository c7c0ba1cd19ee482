import { expect } from 'chai';
import { RttEstimator } from './rtt';

const LIMITS = { retransmitMs: 100, retransmitMinMs: 5, retransmitMaxMs: 250 };

describe('harness/link RttEstimator (RFC 6298)', function () {
  it('starts at retransmitMs, then takes SRTT + 4 RTTVAR from the samples', function () {
    const rtt = new RttEstimator(LIMITS);
    expect([rtt.srttMs, rtt.rtoMs]).to.deep.equal([0, 100]);
    rtt.sample(10); // SRTT = R, RTTVAR = R / 2
    expect([rtt.srttMs, rtt.rtoMs]).to.deep.equal([10, 10 + 4 * 5]);
    rtt.sample(20); // RTTVAR = 3/4 * 5 + 1/4 * |10 - 20|, SRTT = 7/8 * 10 + 1/8 * 20
    expect([rtt.srttMs, rtt.rtoMs]).to.deep.equal([11.25, 11.25 + 4 * 6.25]);
  });

  it('doubles after each timeout up to retransmitMaxMs, and never goes below retransmitMinMs', function () {
    const rtt = new RttEstimator(LIMITS);
    rtt.backOff();
    expect(rtt.rtoMs).to.equal(200);
    rtt.backOff();
    expect(rtt.rtoMs).to.equal(250);
    rtt.sample(1);
    expect(rtt.rtoMs).to.equal(5);
    expect(rtt.roundTripMs, 'a round trip for holding back a second recovery: at least the floor').to.equal(5);
    for (let i = 0; i < 20; i++) rtt.sample(40);
    expect(rtt.roundTripMs).to.equal(rtt.srttMs);
    expect(rtt.srttMs, 'converging on the samples').to.be.within(37, 40);
  });

  it('takes a zero sample, with nothing measured yet, as a first one', function () {
    const rtt = new RttEstimator(LIMITS);
    rtt.sample(0);
    rtt.sample(8);
    expect([rtt.srttMs, rtt.rtoMs]).to.deep.equal([8, 8 + 4 * 4]);
  });
});
