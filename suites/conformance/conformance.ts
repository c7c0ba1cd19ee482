import { expect } from 'chai';
import type { Target } from '../../harness/target/target';
import { addIodevConformance, busKindOf, conformanceChecks } from '../../harness/testing/conformance';
import { SuiteEnv } from '../rtio-api/env';
import { knownIssues } from './known-issues';

/** Options of {@link describeConformance}. */
export interface DescribeConformanceOptions {
  /** Opens the target (default: `openTarget(boardId)`, with the native agent's missing toolchain a skip). */
  readonly open?: () => Promise<Target> | Target;
  /** Only these iodevs (default: every iodev of the target's table). */
  readonly iodevs?: readonly string[];
}

/**
 * Registers the conformance kit for every iodev of board `boardId`: the target is opened in a
 * `before` hook, and one suite per iodev of its table (as the target reports it) is added then.
 */
export function describeConformance(boardId: string, opts: DescribeConformanceOptions = {}): void {
  describe(`conformance on ${boardId}`, function () {
    const env = new SuiteEnv(boardId);
    let variant: Target | null = null;
    const target = (): Target => variant ?? env.target;

    before(async function () {
      if (opts.open === undefined) await env.open(this);
      else variant = await opts.open();
      const suite = this.test?.parent;
      if (suite === undefined) throw new Error('the before hook has no suite');
      for (const info of target().iodevs) {
        if (opts.iodevs !== undefined && !opts.iodevs.includes(info.name)) continue;
        const bus = busKindOf(info.kind, info);
        addIodevConformance(suite, target, info.name, info.kind, { skip: knownIssues(boardId, info.name), ...(bus === null ? {} : { bus }) });
      }
    });

    after(async function () {
      await variant?.close();
      await env.close();
    });

    it('the target lists its iodevs, each of a kind the kit has checks for', function () {
      const t = target();
      const names = t.iodevs.map((i) => i.name);
      expect(names.length, `iodevs of "${t.id}"`).to.be.greaterThan(0);
      for (const name of opts.iodevs ?? []) expect(names, `iodevs of "${t.id}"`).to.include(name);
      for (const info of t.iodevs) expect(conformanceChecks(info.kind).length, `checks for ${info.name} (${info.kind})`).to.be.greaterThan(0);
    });
  });
}
