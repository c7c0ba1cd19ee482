/** @file GPIO: levels set and read back through a loopback, edge events. */
import type { ConformanceCheck } from '../context';
import { bytesMatch, hex, showExpected } from '../context';
import { drainEvents, runWrites } from './helpers';

/** Bytes of the edge read: one edge record. */
const EDGE_READ_LEN = 8;

const setGet: ConformanceCheck = {
  id: 'gpio.set-get',
  title: 'a write sets an output level that a read returns, on the output and on the input wired to it',
  rule: 'gpio-levels',
  needs: ['chain'],
  needsProbe: ['loopback'],
  async run(ctx) {
    const lb = ctx.probe.loopback!;
    for (const level of [1, 0]) {
      const set = ctx.tx(`set${level}`, Uint8Array.of(lb.output, level));
      const { sqe: get, buf } = ctx.rx(`get${level}`, lb.lineCount);
      ctx.chain(set, get);
      const got = await ctx.run1([`set${level}`, `get${level}`]);
      ctx.expectResults('byte-counts', got, [[`set${level}`, 2], [`get${level}`, lb.lineCount]], `set line ${lb.output}, read ${lb.lineCount} lines`);
      ctx.expect('gpio-levels', buf[lb.output] === level && buf[lb.input] === level, () => `after setting output ${lb.output} to ` +
        `${level} a read returned ${hex(buf)}: line ${lb.output} = ${buf[lb.output]}, line ${lb.input} = ${buf[lb.input]}`);
    }
  },
};

const edge: ConformanceCheck = {
  id: 'gpio.edge',
  title: 'an edge read completes with the edge an output change makes on the input wired to it',
  rule: 'gpio-edges',
  needs: ['edge-events'],
  needsProbe: ['loopback'],
  async run(ctx) {
    const lb = ctx.probe.loopback!;
    await runWrites(ctx, 'low', [Uint8Array.of(lb.output, 0)]);
    await drainEvents(ctx, lb.edgeFlags);
    for (const level of [1, 0]) {
      const { buf } = ctx.rx(`edge${level}`, EDGE_READ_LEN, lb.edgeFlags);
      ctx.tx(`set${level}`, Uint8Array.of(lb.output, level));
      const got = await ctx.run1([`edge${level}`, `set${level}`], 'gpio-edges');
      ctx.expectResults('gpio-edges', got, [[`edge${level}`, EDGE_READ_LEN], [`set${level}`, 2]], `an edge read, then output ${lb.output} set to ${level}`);
      ctx.expect('gpio-edges', bytesMatch(buf, lb.edgeRecord(level)), () => `the edge read returned ${hex(buf)}, not ${showExpected(lb.edgeRecord(level))}`);
    }
  },
};

/** GPIO checks. */
export const GPIO_CHECKS: readonly ConformanceCheck[] = [setGet, edge];
