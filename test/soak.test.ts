/**
 * @file A short soak in CI (bench/soak at a few seconds a condition, on the native agent): a bad
 * cable may cost speed, never a completion. The counts are asserted, not the speed.
 */
import { expect } from 'chai';
import { SOAK_CONDITIONS, soakCondition } from '../bench/soak/index';
import { buildNativeAgentOrSkip } from '../harness/testing/qemu-support';

/** Seconds of workload per condition. */
const SECONDS = 6;

describe('soak: the native agent behind a relay that drops, damages, stalls and resets', function () {
  this.timeout(120_000);

  before(async function () {
    await buildNativeAgentOrSkip(this);
  });

  for (const name of ['1% drop + 1e-3 flip', '5% drop + 1e-3 flip', 'stall 500 ms every 3 s', 'reset every 3 s']) {
    it(`${name}: no completion lost, duplicated, wrong or late beyond the host's own stalls`, async function () {
      const cond = SOAK_CONDITIONS.find((c) => c.name === name)!;
      const r = await soakCondition('native', cond, SECONDS, 7);
      expect({ lost: r.lost, duplicated: r.duplicated, wrong: r.wrong }).to.deep.equal({ lost: 0, duplicated: 0, wrong: 0 });
      // Deadlines are the host's timers: a completion may be late only by as much as the host's own
      // event loop was held up (a loaded machine), never by waiting on the link or the agent.
      expect(r.maxLateMs, `${r.late} late completions, the latest ${r.maxLateMs.toFixed(0)} ms past its deadline; the event loop was held up ${r.loopLagMaxMs.toFixed(0)} ms at most`)
        .to.be.at.most(r.loopLagMaxMs);
      expect(r.ops, 'the workload ran').to.be.greaterThan(0);
      if (name.startsWith('reset')) {
        expect(r.sessionsLost, 'each reset ends one session, and no other').to.equal(r.relay.resets);
      } else {
        expect(r.sessionsLost, 'no session lost').to.equal(0);
      }
      if (name.includes('drop')) expect(r.relay.framesDropped, 'the relay dropped frames').to.be.greaterThan(0);
    });
  }
});
