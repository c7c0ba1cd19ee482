/**
 * `make -C firmware-stubs test-framing`: the agent's framing core (COBS, CRC-32, frames) against
 * every case of protocol/vectors/{cobs,crc32,frames}.json; needs only make and cc (no nanopb).
 */
import { expect } from 'chai';
import { vectorCaseCount } from '../protocol/test-vectors';
import { describeCTests } from './c-tests';

describeCTests('the agent core (C) against the shared vectors: make test-framing', {
  targets: ['test-framing'],
  suites: ['framing-test'],
  verify(report) {
    const framing = report.summaries.find((s) => s.suite === 'framing-test');
    expect(framing?.vectorCases, 'vector cases the C test ran').to.equal(vectorCaseCount());
  },
});
