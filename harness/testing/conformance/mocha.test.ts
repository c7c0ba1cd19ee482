import { expect } from 'chai';
import Mocha from 'mocha';
import { openBoardVariant } from './board-variant';
import { addIodevConformance, conformanceSuiteTitle } from './mocha';
import { selectChecks } from './runner';
import { BROKEN_VARIANT } from './variants';

/** What a nested mocha run of `suite` reported. */
interface Outcome {
  readonly passed: string[];
  readonly pending: string[];
  readonly failed: { title: string; message: string }[];
}

/** Runs `build`'s suite in a mocha instance of its own, silently, and collects its outcome. */
function runNested(build: (root: Mocha.Suite) => void): Promise<Outcome> {
  const mocha = new Mocha({ reporter: class { constructor() {} } as unknown as Mocha.ReporterConstructor });
  build(mocha.suite);
  const out: Outcome = { passed: [], pending: [], failed: [] };
  return new Promise((resolve) => {
    const runner = mocha.run(() => resolve(out));
    runner.on('pass', (t: Mocha.Test) => out.passed.push(t.title));
    runner.on('pending', (t: Mocha.Test) => out.pending.push(t.title));
    runner.on('fail', (t: Mocha.Runnable, err: Error) => out.failed.push({ title: t.title, message: err.message }));
  });
}

describe('the kit as mocha tests', function () {
  it('registers one test per check, titled with its rule, under a suite named for the iodev', function () {
    const root = new Mocha.Suite('root');
    const target = openBoardVariant(BROKEN_VARIANT);
    const suite = addIodevConformance(root, () => target, 'flash0', 'spi');
    expect(suite.title).to.equal(conformanceSuiteTitle('flash0', 'spi'));
    expect(suite.tests.map((t) => t.title)).to.deep.equal(selectChecks('spi').map((c) => `${c.id}: ${c.title} [${c.rule}]`));
  });

  it('fails a broken driver\'s test with the rule, and skips with the reason in the title', async function () {
    const target = openBoardVariant(BROKEN_VARIANT);
    const out = await runNested((root) => {
      addIodevConformance(root, () => target, 'flash0-held', 'spi', {
        only: ['spi.cs-released-between-units', 'invariant.multishot', 'transfer.read'],
      });
    });
    expect(out.passed.map((t) => t.split(':')[0])).to.deep.equal(['transfer.read']);
    expect(out.pending).to.have.length(1);
    expect(out.pending[0]).to.match(/^invariant\.multishot: .*\(skipped: iodev "flash0-held" of "emulator\+broken" lacks "multishot"\)$/);
    expect(out.failed).to.have.length(1);
    expect(out.failed[0]!.title).to.match(/^spi\.cs-released-between-units: /);
    expect(out.failed[0]!.message).to.match(/^iodev "flash0-held" breaks rule "cs-released-between-units"/);
  });
});
