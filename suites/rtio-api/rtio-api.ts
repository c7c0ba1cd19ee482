import { badInputTests } from './bad-input';
import { cancelTests } from './cancel';
import { chainTests } from './chains';
import { determinismTests } from './determinism';
import { SuiteEnv } from './env';
import { exampleTests } from './examples';
import { mempoolTests } from './mempool';
import { opTests } from './ops';
import { queueTests } from './queues';
import { sharedBufferTests } from './shared-buffers';
import { timeoutTests } from './timeouts';
import { transactionTests } from './transactions';

/**
 * Registers the RTIO semantics suite for board `boardId`: the same tests on every target,
 * skipping (with the reason) only what the board says it lacks.
 */
export function describeRtioApi(boardId: string): void {
  describe(`rtio-api on ${boardId}`, function () {
    const env = new SuiteEnv(boardId);
    before(async function () {
      await env.open(this);
    });
    afterEach(function () {
      if (env.isOpen && env.target.has('fault-injection')) env.target.clearFaults();
    });
    after(async function () {
      await env.close();
    });
    exampleTests(env);
    chainTests(env);
    transactionTests(env);
    sharedBufferTests(env);
    mempoolTests(env);
    cancelTests(env);
    queueTests(env);
    opTests(env);
    timeoutTests(env);
    badInputTests(env);
    determinismTests(env);
  });
}
