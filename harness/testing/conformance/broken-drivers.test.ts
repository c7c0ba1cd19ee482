import { expect } from 'chai';
import type { IodevKind } from '../../target/target';
import { openBoardVariant } from './board-variant';
import { runConformanceCheck, runIodevConformance, selectChecks } from './runner';
import { isConformanceFailure } from './rules';
import type { RuleId } from './rules';
import { BROKEN_VARIANT } from './variants';

/** A broken twin, the check that must catch it, and what the failure must say. */
interface Case {
  readonly fault: string;
  readonly iodev: string;
  readonly healthy: string;
  readonly kind: IodevKind;
  readonly check: string;
  readonly rule: RuleId;
  readonly message: RegExp;
}

const CASES: readonly Case[] = [
  {
    fault: 'completes an SQE twice',
    iodev: 'temp0-double', healthy: 'temp0', kind: 'i2c',
    check: 'invariant.one-cqe-per-sqe', rule: 'one-cqe-per-sqe',
    message: /breaks rule "one-cqe-per-sqe".*completed \d+ SQE\(s\) that were not running/,
  },
  {
    fault: 'ignores CHAINED: completes a write before doing it, so the next member starts early',
    iodev: 'temp0-eager', healthy: 'temp0', kind: 'i2c',
    check: 'invariant.chain-effect', rule: 'chain-order',
    message: /breaks rule "chain-order".*returned \[[0-9a-f ]+\], the value before that write.*had not taken effect when the next member started/,
  },
  {
    fault: 'drops the CQE of a failing unit',
    iodev: 'temp0-drop', healthy: 'temp0', kind: 'i2c',
    check: 'i2c.nack-absent', rule: 'failure-completes',
    message: /breaks rule "failure-completes".*no CQE for "read", "next" within 2000 ms.*never completed/,
  },
  {
    fault: 'reports a short read as complete',
    iodev: 'temp0-short', healthy: 'temp0', kind: 'i2c',
    check: 'transfer.short-read', rule: 'byte-counts',
    message: /breaks rule "byte-counts".*cut short after 1 .*completed with 4/,
  },
  {
    fault: 'holds chip select across chains',
    iodev: 'flash0-held', healthy: 'flash0', kind: 'spi',
    check: 'spi.cs-released-between-units', rule: 'cs-released-between-units',
    message: /breaks rule "cs-released-between-units".*received its answer \[ef 40 14\]: chip select was still asserted between the two chain members/,
  },
];

/** Every check on a fresh board, so one broken check cannot leave the next a wedged iodev. */
const fresh = (): ReturnType<typeof openBoardVariant> => openBoardVariant(BROKEN_VARIANT);

describe('the conformance kit catches broken drivers', function () {
  for (const c of CASES) {
    describe(`${c.iodev}: ${c.fault}`, function () {
      it(`fails ${c.check} naming rule "${c.rule}"`, async function () {
        const [check] = selectChecks(c.kind, { only: [c.check] });
        const result = await runConformanceCheck(check!, fresh(), c.iodev, c.kind);
        expect(result.status).to.equal('failed');
        expect(isConformanceFailure(result.error), String(result.error)).to.equal(true);
        const failure = result.error as { rule: string; iodev: string; check: string; message: string };
        expect([failure.rule, failure.iodev, failure.check]).to.deep.equal([c.rule, c.iodev, c.check]);
        expect(failure.message).to.match(c.message);
      });

      it(`while the same driver done right, ${c.healthy}, passes ${c.check} on the same device`, async function () {
        const [check] = selectChecks(c.kind, { only: [c.check] });
        const result = await runConformanceCheck(check!, fresh(), c.healthy, c.kind);
        expect(result.status, String(result.error)).to.equal('passed');
      });

      it('fails the whole kit, with that rule among the failures', async function () {
        const report = await runIodevConformance(fresh, c.iodev, c.kind);
        expect(report.passed).to.equal(false);
        expect(report.failures.map((f) => f.rule)).to.include(c.rule);
      });
    });
  }

  it('passes the whole kit on every healthy twin of the broken ones', async function () {
    for (const name of ['temp0', 'flash0'] as const) {
      const report = await runIodevConformance(fresh, name, name === 'temp0' ? 'i2c' : 'spi');
      const failed = report.results.filter((r) => r.status === 'failed').map((r) => `${r.check.id}: ${String(r.error)}`);
      expect(failed, name).to.deep.equal([]);
    }
  });
});
