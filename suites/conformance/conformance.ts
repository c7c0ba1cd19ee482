import { expect } from 'chai';
import { boardIodevs } from '../../harness/boards/board-file';
import { loadBoard } from '../../harness/boards/load-boards';
import type { IodevInfo, Target } from '../../harness/target/target';
import { busKindOf, conformanceChecks, describeIodevConformance } from '../../harness/testing/conformance';
import { SuiteEnv } from '../rtio-api/env';
import { knownIssues } from './known-issues';

/** Options of {@link describeConformance}. */
export interface DescribeConformanceOptions {
  /** Opens the target (default: `openTarget(boardId)`, with the native agent's missing toolchain a skip). */
  readonly open?: () => Promise<Target> | Target;
  /** The iodevs to check (default: the board file's iodev table). */
  readonly iodevs?: readonly IodevInfo[];
}

/**
 * Registers the conformance kit for every iodev of board `boardId`, as its board file lists them
 * (so the run's test count is known before anything runs). The target is opened in a `before`
 * hook; its first test checks that the target reports every iodev the tests were registered for,
 * of the same kind.
 */
export function describeConformance(boardId: string, opts: DescribeConformanceOptions = {}): void {
  const table = opts.iodevs ?? boardIodevs(loadBoard(boardId));
  describe(`conformance on ${boardId}`, function () {
    const env = new SuiteEnv(boardId);
    let variant: Target | null = null;
    const target = (): Target => variant ?? env.target;

    before(async function () {
      if (opts.open === undefined) await env.open(this);
      else variant = await opts.open();
    });

    after(async function () {
      await variant?.close();
      await env.close();
    });

    it('the target reports the iodevs its board file lists, each of a kind the kit has checks for', function () {
      const reported = target().iodevs.map((i) => [i.name, i.kind]);
      for (const info of table) {
        expect(reported, `iodevs of "${target().id}"`).to.deep.include([info.name, info.kind]);
        expect(conformanceChecks(info.kind).length, `checks for ${info.name} (${info.kind})`).to.be.greaterThan(0);
      }
    });

    for (const info of table) {
      const bus = busKindOf(info.kind, info);
      describeIodevConformance(target, info.name, info.kind, { skip: knownIssues(boardId, info.name), ...(bus === null ? {} : { bus }) });
    }
  });
}
