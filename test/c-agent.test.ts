/**
 * `make -C firmware-stubs test`: the C agent and the simulated board built from scratch, every C
 * test program run (tests/ and sim/tests/), each C test a mocha test; the shared vectors all run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { vectorCaseCount } from '../protocol/test-vectors';
import { loadDeviceVectors, loadHashVectors } from '../harness/testing/vectors/device-vectors';
import { loadExecutorVectors } from '../harness/testing/vectors/executor-vectors';
import type { VectorRequirement } from '../harness/testing/vectors/executor-vectors';
import { ROOT, describeCTests, makeAndCc } from './c-tests';

/** nanopb's generator from Debian's `nanopb` package (run directly: its shebang is Debian's python3). */
const NANOPB_GENERATOR = '/usr/bin/nanopb_generator.py';
const PACKAGES = 'apt-get install -y --no-install-recommends nanopb libnanopb-dev protobuf-compiler';

/** What the agent's executor lacks, so executor-vectors-test.c skips the cases that need it (cq-capacity runs: its ring is the cases' CQ). */
const AGENT_LACKS: readonly VectorRequirement[] = ['cq-overflow', 'callback'];

describeCTests('the C agent (firmware-stubs): make test', {
  targets: ['test'],
  missing: () => makeAndCc() ?? (existsSync(NANOPB_GENERATOR) ? null : `${NANOPB_GENERATOR} is not installed; ${PACKAGES}`),
  suites: ['framing-test', 'agent-test', 'messages-test', 'sim-models', 'sim-models (sparse flash)', 'device-vectors',
    'device-vectors (sparse flash)', 'sim-drivers', 'sim-rtc', 'executor-vectors'],
  verify(report, _output, build) {
    const vectors = JSON.parse(readFileSync(join(ROOT, 'protocol/vectors/messages.json'), 'utf8')) as {
      cases: unknown[];
      decodeErrors: unknown[];
    };
    const cases = (suite: string): number | undefined => report.summaries.find((s) => s.suite === suite)?.vectorCases;
    expect(cases('messages-test'), 'messages.json cases the C test ran').to.equal(vectors.cases.length + vectors.decodeErrors.length);
    expect(cases('framing-test'), 'framing vector cases the C test ran').to.equal(vectorCaseCount());
    expect(existsSync(join(build, 'rtio-agent-posix')), 'the posix port was built').to.equal(true);

    const devices = loadDeviceVectors().length + loadHashVectors().length;
    expect(cases('device-vectors'), 'protocol/vectors/devices cases the C models ran').to.equal(devices);
    expect(cases('device-vectors (sparse flash)'), 'the same on the sparse flash').to.equal(devices);
    const scenarios = loadExecutorVectors();
    expect(cases('executor-vectors'), 'executor.json cases the agent\'s executor ran').to.equal(scenarios.length);
    const skipped = report.results.filter((r) => r.suite === 'executor-vectors' && r.outcome === 'skipped').map((r) => r.test);
    const lacking = scenarios.filter((c) => c.requires.some((r) => AGENT_LACKS.includes(r))).map((c) => c.name);
    expect(skipped, 'the executor cases the agent skips: only what it lacks').to.deep.equal(lacking);
  },
});
