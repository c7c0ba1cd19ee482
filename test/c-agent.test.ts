/**
 * `make -C firmware-stubs test`: the C agent and the simulated board built from scratch, every C
 * test program run (tests/ and sim/tests/), each C test a mocha test; the shared vectors all run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { vectorCaseCount } from '../protocol/test-vectors';
import { ROOT, describeCTests, makeAndCc } from './c-tests';

/** nanopb's generator from Debian's `nanopb` package (run directly: its shebang is Debian's python3). */
const NANOPB_GENERATOR = '/usr/bin/nanopb_generator.py';
const PACKAGES = 'apt-get install -y --no-install-recommends nanopb libnanopb-dev protobuf-compiler';

describeCTests('the C agent (firmware-stubs): make test', {
  targets: ['test'],
  missing: () => makeAndCc() ?? (existsSync(NANOPB_GENERATOR) ? null : `${NANOPB_GENERATOR} is not installed; ${PACKAGES}`),
  suites: ['framing-test', 'agent-test', 'messages-test'],
  verify(report, _output, build) {
    const vectors = JSON.parse(readFileSync(join(ROOT, 'protocol/vectors/messages.json'), 'utf8')) as {
      cases: unknown[];
      decodeErrors: unknown[];
    };
    const cases = (suite: string): number | undefined => report.summaries.find((s) => s.suite === suite)?.vectorCases;
    expect(cases('messages-test'), 'messages.json cases the C test ran').to.equal(vectors.cases.length + vectors.decodeErrors.length);
    expect(cases('framing-test'), 'framing vector cases the C test ran').to.equal(vectorCaseCount());
    expect(existsSync(join(build, 'rtio-agent-posix')), 'the posix port was built').to.equal(true);
  },
});
