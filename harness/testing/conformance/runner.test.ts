import { expect } from 'chai';
import { REFERENCE_IODEVS } from '../../emulator/board';
import { sqePrepNop } from '../../rtio';
import type { Target } from '../../target/target';
import { openBoardVariant } from './board-variant';
import type { BoardTarget } from './board-variant';
import { conformanceChecks } from './checks';
import type { ConformanceCheck } from './context';
import { REFERENCE_PROBES } from './probes';
import {
  CONFORMANCE_DEFAULT_MAX_TRANSFER_BYTES, busKindOf, maxTransferBytes, runConformanceCheck, selectChecks, skipReason,
} from './runner';
import { RULE_IDS, RULES, isConformanceFailure } from './rules';
import { BROKEN_VARIANT, RTC_IODEV_INFO } from './variants';

/** `target` with its target-level capabilities replaced by `caps`. */
function withCapabilities(target: BoardTarget, caps: readonly string[]): Target {
  return Object.assign(Object.create(Object.getPrototypeOf(target) as object) as Target, target, { capabilities: caps });
}

/** A check of the test's own, on the test iodev. */
function custom(run: ConformanceCheck['run'], extra: Partial<ConformanceCheck> = {}): ConformanceCheck {
  return { id: 'custom', title: 'custom', rule: 'one-cqe-per-sqe', run, ...extra };
}

describe('the conformance runner', function () {
  let target: BoardTarget;

  beforeEach(function () {
    target = openBoardVariant(BROKEN_VARIANT);
  });

  describe('skips', function () {
    const check = (id: string): ConformanceCheck => conformanceChecks('sensor').find((c) => c.id === id)!;

    it('a check needing an iodev capability the table lacks, naming the iodev and the capability', function () {
      expect(skipReason(check('invariant.multishot'), target, 'temp0', 'i2c')).to.equal('iodev "temp0" of "emulator+broken" lacks "multishot"');
    });

    it('a check needing a target capability, naming the target', function () {
      const plain = withCapabilities(target, ['virtual-time']);
      expect(skipReason(check('i2c.nack-absent'), plain, 'temp0', 'i2c')).to.equal('target "emulator+broken" lacks "fault-injection"');
    });

    it('a check needing a probe field the part\'s probe lacks', function () {
      expect(skipReason(check('invariant.chain-effect'), target, 'test0', 'test'))
        .to.equal('the probe for part "rtio-iodev-test" has no "scratch" (pass opts.probe)');
      expect(skipReason(check('invariant.chain-effect'), target, 'test0', 'test', { probe: { scratch: REFERENCE_PROBES.tmp102!.scratch! } }))
        .to.equal(null);
    });

    it('a check of another bus', function () {
      expect(skipReason(check('spi.cs-released-between-units'), target, 'imu0', 'sensor'))
        .to.equal('iodev "imu0" is not on an SPI bus (bus "i2c0")');
    });

    it('a check listed as a known issue, with its reason', function () {
      expect(skipReason(check('transfer.read'), target, 'temp0', 'i2c', { skip: { 'transfer.read': 'bug 12' } })).to.equal('known issue: bug 12');
    });

    it('and an unknown iodev is a RangeError listing the iodevs', function () {
      expect(() => skipReason(check('transfer.read'), target, 'nope', 'i2c')).to.throw(RangeError, /has no iodev "nope"; it has: eeprom0, temp0/);
    });
  });

  it('selects checks by id and by bus, and names unknown ids and kinds', function () {
    expect(selectChecks('i2c', { only: ['transfer.read'] }).map((c) => c.id)).to.deep.equal(['transfer.read']);
    expect(selectChecks('sensor', { bus: 'i2c' }).some((c) => c.bus === 'spi')).to.equal(false);
    expect(selectChecks('sensor').some((c) => c.bus === 'spi')).to.equal(true);
    expect(() => selectChecks('i2c', { only: ['spi.cs-released-between-units'] })).to.throw(RangeError, /"only" names checks .* spi\.cs-released-between-units/);
    expect(() => conformanceChecks('uart' as never)).to.throw(RangeError, /"kind" must be one of i2c, spi, sensor, gpio, test, got uart/);
  });

  it('gives every check a rule the kit knows and a unique id per kind', function () {
    for (const kind of ['i2c', 'spi', 'sensor', 'gpio', 'test'] as const) {
      const ids = conformanceChecks(kind).map((c) => c.id);
      expect(new Set(ids).size, kind).to.equal(ids.length);
      for (const c of conformanceChecks(kind)) expect(RULE_IDS, c.id).to.include(c.rule);
    }
    expect(Object.keys(RULES)).to.deep.equal([...RULE_IDS]);
  });

  it('has a built-in probe for every part of the reference board and the worked example', function () {
    const parts = [...REFERENCE_IODEVS, RTC_IODEV_INFO].map((i) => i.part);
    for (const part of parts) expect(REFERENCE_PROBES, String(part)).to.have.property(String(part));
  });

  it('finds the bus kind from the kind, the bus name or the option', function () {
    const imu = REFERENCE_IODEVS.find((i) => i.name === 'imu0')!;
    expect(busKindOf('sensor', imu)).to.equal('i2c');
    expect(busKindOf('spi', imu)).to.equal('spi');
    expect(busKindOf('sensor', { ...imu, bus: 'twi1' })).to.equal(null);
    expect(busKindOf('sensor', { ...imu, bus: 'twi1' }, 'i2c')).to.equal('i2c');
  });

  it('takes the largest transfer from the option, the agent\'s hello, else its default', function () {
    expect(maxTransferBytes(target)).to.equal(CONFORMANCE_DEFAULT_MAX_TRANSFER_BYTES);
    expect(maxTransferBytes(target, { maxTransferBytes: 64 })).to.equal(64);
    expect(maxTransferBytes(Object.assign(withCapabilities(target, []), { hello: { maxBufferBytes: 512 } }))).to.equal(512);
    expect(() => maxTransferBytes(target, { maxTransferBytes: 4 })).to.throw(RangeError, /"maxTransferBytes" must be an integer >= 8, got 4/);
  });

  describe('streams paced in real time', function () {
    // Ten edges from one write: the GPIO delivers them in one burst, and the ninth finds the
    // eight pool blocks taken by shots the kit has not consumed yet, so the stream ends -ENOMEM.
    const burst = Uint8Array.from({ length: 20 }, (_, i) => (i % 4 === 1 ? 1 : 0));
    const gpio = REFERENCE_PROBES['gpio-8']!;
    const probe = { ...gpio, stream: { ...gpio.stream!, stimulus: (i: number) => (i === 0 ? burst : Uint8Array.of(0, i % 2)) } };
    const multishot = conformanceChecks('gpio').find((c) => c.id === 'invariant.multishot')!;

    it('are started again after a burst ends them, on a target without virtual time', async function () {
      const realTime = withCapabilities(target, ['fault-injection', 'sync-cancel']);
      const result = await runConformanceCheck(multishot, realTime, 'gpio0', 'gpio', { probe });
      expect(result.status, String(result.error)).to.equal('passed');
    });

    it('but a stream ending on a virtual clock, where the kit keeps pace, is a broken multishot', async function () {
      const result = await runConformanceCheck(multishot, target, 'gpio0', 'gpio', { probe });
      expect((result.error as { rule?: string }).rule).to.equal('multishot');
      expect(String((result.error as Error).message)).to.match(/shot 9 of 10 completed with -ENOMEM/);
    });
  });

  describe('reports', function () {
    it('a CQE nobody waited for as a broken one-cqe-per-sqe', async function () {
      const result = await runConformanceCheck(custom(async (ctx) => {
        sqePrepNop(ctx.acquire(), null, 'unexpected');
        await ctx.submit();
      }), target, 'test0', 'test');
      expect(result.status).to.equal('failed');
      expect(isConformanceFailure(result.error)).to.equal(true);
      expect(String((result.error as Error).message)).to.match(/rule "one-cqe-per-sqe".*1 CQE\(s\) after every SQE of the check had completed: "unexpected"=0/);
    });

    it('an SQE left in the pool after a run as a broken no-leak', async function () {
      const result = await runConformanceCheck(custom(async (ctx) => {
        ctx.acquire();
      }), target, 'test0', 'test');
      expect(result.status).to.equal('failed');
      expect((result.error as { rule?: string }).rule).to.equal('no-leak');
      expect(String((result.error as Error).message)).to.match(/SQEs back in the pool/);
    });

    it('a completion that never comes as the rule the check names, within the completion bound', async function () {
      const result = await runConformanceCheck(custom(async (ctx) => {
        await ctx.collect(['never'], 'failure-completes');
      }), target, 'test0', 'test', { completionTimeoutMs: 50 });
      expect((result.error as { rule?: string }).rule).to.equal('failure-completes');
      expect(String((result.error as Error).message)).to.match(/no CQE for "never" within 50 ms \(nothing completed\)/);
    });

    it('a broken rule on a target whose link had failed, naming the link\'s error', async function () {
      const failing = custom((ctx) => Promise.resolve(ctx.fail('byte-counts', 'got w=-ENOTCONN')));
      const linkLost = Object.assign(new Error('no acknowledgement for 3000 ms'), { name: 'LinkTimeoutError' });
      const remote = Object.assign(Object.create(Object.getPrototypeOf(target) as object) as Target, target, { hello: {}, lastError: linkLost });
      const lost = await runConformanceCheck(failing, remote, 'test0', 'test');
      expect((lost.error as { detail?: string }).detail)
        .to.equal("got w=-ENOTCONN (the target's link had failed: LinkTimeoutError: no acknowledgement for 3000 ms)");
      const healthy = await runConformanceCheck(failing, Object.assign(remote, { lastError: null }), 'test0', 'test');
      expect((healthy.error as { detail?: string }).detail).to.equal('got w=-ENOTCONN');
    });

    it('an error that is not a broken rule as itself', async function () {
      const boom = new TypeError('a bug in the check');
      const result = await runConformanceCheck(custom(async () => {
        throw boom;
      }), target, 'test0', 'test');
      expect(result).to.deep.include({ status: 'failed', error: boom });
    });

    it('a passing check as passed, and clears the faults it armed', async function () {
      const result = await runConformanceCheck(custom(async (ctx) => {
        ctx.target.injectFault('test0', { kind: 'delay', ms: 1 }, Infinity);
        ctx.rx('read', 2);
        await ctx.run1(['read']);
      }), target, 'test0', 'test');
      expect(result.status, String(result.error)).to.equal('passed');
      expect(target.board.iodevs.get('test0')!.faults.armed).to.equal(0);
    });
  });
});
