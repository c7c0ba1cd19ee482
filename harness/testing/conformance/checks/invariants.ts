/** @file The promises every iodev keeps, whatever its kind: one CQE per SQE, order, cancel, timeouts, mempool. */
import {
  EALREADY, ECANCELED, ETIMEDOUT, resultName, RTIO_OP_I3C_CCC, RTIO_PRIO_NORM,
  sqePrepAwaitExecutor, sqePrepAwaitIodev, sqePrepNop, sqePrepRead, sqePrepTransceive,
  sqePrepWrite, sqeSignal,
} from '../../../rtio';
import type { CheckContext, ConformanceCheck } from '../context';
import { bytesMatch, hex, showExpected } from '../context';
import { STREAM_CONTEXT, streamShots } from './helpers';

/** `n` plain reads named `<tag>0..`, queued on the iodev. */
function reads(ctx: CheckContext, tag: string, n: number): string[] {
  const uds = Array.from({ length: n }, (_, i) => `${tag}${i}`);
  for (const ud of uds) ctx.rx(ud, ctx.readLen);
  return uds;
}

/** What `sqeCancel` returns for an SQE that has not started: 0 where the host sees the executor, else -EALREADY (semantics §8). */
function cancelOfUnstarted(ctx: CheckContext): number {
  return ctx.target.has('sync-cancel') ? 0 : -EALREADY;
}

/** A read after the check's main act: the iodev still works (it is not holding a dropped unit). */
async function stillWorks(ctx: CheckContext, rule: 'cancel' | 'timeout', after: string): Promise<void> {
  ctx.rx('again', ctx.readLen);
  const got = await ctx.run1(['again'], rule);
  ctx.expect(rule, got.result('again') === ctx.readLen, `a read after ${after} completed with ${resultName(got.result('again'))}`);
}

const oneCqe: ConformanceCheck = {
  id: 'invariant.one-cqe-per-sqe',
  title: 'independent operations each complete exactly once',
  rule: 'one-cqe-per-sqe',
  async run(ctx) {
    const uds = reads(ctx, 'read', 4);
    const got = await ctx.run1(uds);
    ctx.expectResults('byte-counts', got, uds.map((u) => [u, ctx.readLen] as const), 'plain reads');
  },
};

const fifo: ConformanceCheck = {
  id: 'invariant.fifo',
  title: 'operations on the iodev complete in submission order',
  rule: 'iodev-fifo',
  async run(ctx) {
    const uds = reads(ctx, 'read', 4);
    const got = await ctx.run1(uds);
    ctx.expectOrder('iodev-fifo', got, uds, 'four reads submitted together');
  },
};

const chainOrder: ConformanceCheck = {
  id: 'invariant.chain-order',
  title: 'a chain completes in chain order',
  rule: 'chain-order',
  needs: ['chain'],
  async run(ctx) {
    const uds = ['a', 'b', 'c', 'd'];
    ctx.chain(...uds.map((u) => ctx.rx(u, ctx.readLen).sqe));
    const got = await ctx.run1(uds);
    ctx.expectOrder('chain-order', got, uds, 'a chain of four reads');
    ctx.expectResults('byte-counts', got, uds.map((u) => [u, ctx.readLen] as const), 'a chain of four reads');
  },
};

const chainEffect: ConformanceCheck = {
  id: 'invariant.chain-effect',
  title: 'a chain member sees the effect of the member before it',
  rule: 'chain-order',
  needs: ['chain'],
  needsProbe: ['scratch'],
  async run(ctx) {
    const s = ctx.probe.scratch!;
    const [a, b] = s.values;
    const wa = ctx.tx('write-a', s.write(a));
    const da = (s.settleMs ?? 0) > 0 ? [ctx.delay('settle-a', s.settleMs!)] : [];
    const ra = ctx.writeRead('read-a', s.readTx, s.readLen);
    const wb = ctx.tx('write-b', s.write(b));
    const db = (s.settleMs ?? 0) > 0 ? [ctx.delay('settle-b', s.settleMs!)] : [];
    const rb = ctx.writeRead('read-b', s.readTx, s.readLen);
    ctx.chain(wa, ...da, ra.last, wb, ...db, rb.last);
    const uds = ['write-a', ...da.map(() => 'settle-a'), ...ra.uds, 'write-b', ...db.map(() => 'settle-b'), ...rb.uds];
    const got = await ctx.run1(uds);
    ctx.expectOrder('chain-order', got, uds, 'a chain write, read back, write, read back');
    const failed = uds.filter((u) => got.result(u) < 0);
    ctx.expect('chain-order', failed.length === 0, () => `the chain failed: ${got.show(uds)}`);
    const gotA = bytesMatch(ra.buf, s.expect(a));
    const gotB = bytesMatch(rb.buf, s.expect(b));
    if (gotA && gotB) return;
    const stale = (!gotB && bytesMatch(rb.buf, s.expect(a))) || (!gotA && ctx.run > 0 && bytesMatch(ra.buf, s.expect(b)));
    const which = gotA ? { buf: rb.buf, v: b } : { buf: ra.buf, v: a };
    if (stale) {
      ctx.fail('chain-order', `the read chained after the write of 0x${which.v.toString(16)} returned ${hex(which.buf)}, ` +
        `the value before that write, not ${showExpected(s.expect(which.v))}: the write had not taken effect when the next ` +
        'member started (did the iodev complete it before doing the work?)');
    }
    ctx.fail('data-integrity', `after writing 0x${which.v.toString(16)} the read-back returned ${hex(which.buf)}, not ${showExpected(s.expect(which.v))}`);
  },
};

const failureCascade: ConformanceCheck = {
  id: 'invariant.failure-cascade',
  title: 'an operation the iodev does not support fails, and the rest of its chain is cancelled',
  rule: 'failure-completes',
  needs: ['chain'],
  async run(ctx) {
    const bad = ctx.acquire();
    sqePrepNop(bad, ctx.iodev, 'unsupported');
    bad.op = RTIO_OP_I3C_CCC;
    ctx.chain(bad, ctx.rx('next', ctx.readLen).sqe, ctx.rx('last', ctx.readLen).sqe);
    const got = await ctx.run1(['unsupported', 'next', 'last'], 'failure-completes');
    ctx.expect('failure-completes', got.result('unsupported') < 0,
      `RTIO_OP_I3C_CCC, which no iodev of this kind does, completed with ${resultName(got.result('unsupported'))}`);
    ctx.expectResults('failure-completes', got, [['next', -ECANCELED], ['last', -ECANCELED]], 'the members after the failure');
    ctx.expectOrder('chain-order', got, ['unsupported', 'next', 'last'], 'a failed chain');
  },
};

const cancelQueued: ConformanceCheck = {
  id: 'invariant.cancel-queued',
  title: 'a unit queued behind an iodev AWAIT is dropped by sqeCancel, with the rest of its chain',
  rule: 'cancel',
  needs: ['cancel', 'await', 'chain'],
  async run(ctx) {
    const hold = ctx.acquire();
    sqePrepAwaitIodev(hold, ctx.iodev, RTIO_PRIO_NORM, 'hold');
    const queued = ctx.rx('queued', ctx.readLen).sqe;
    ctx.chain(queued, ctx.rx('after', ctx.readLen).sqe);
    await ctx.submit();
    const rc = ctx.r.sqeCancel(queued);
    ctx.expect('cancel', rc === cancelOfUnstarted(ctx), `sqeCancel of a unit waiting at the iodev returned ${resultName(rc)}, ` +
      `expected ${resultName(cancelOfUnstarted(ctx))}`);
    sqeSignal(hold);
    const got = await ctx.collect(['hold', 'queued', 'after'], 'cancel');
    ctx.expectResults('cancel', got, [['hold', 0], ['queued', -ECANCELED], ['after', -ECANCELED]],
      'an AWAIT, then a cancelled unit queued behind it (an iodev with "cancel" must drop a unit it has not started)');
    ctx.expectOrder('chain-order', got, ['queued', 'after'], 'a cancelled chain');
    await stillWorks(ctx, 'cancel', 'a cancelled unit');
  },
};

const cancelChain: ConformanceCheck = {
  id: 'invariant.cancel-chain',
  title: 'cancelling a chain member cascades to the rest of the chain',
  rule: 'cancel',
  needs: ['chain'],
  async run(ctx) {
    const gate = ctx.acquire();
    sqePrepAwaitExecutor(gate, RTIO_PRIO_NORM, 'gate');
    const x = ctx.rx('x', ctx.readLen).sqe;
    ctx.chain(gate, x, ctx.rx('y', ctx.readLen).sqe);
    await ctx.submit();
    const rc = ctx.r.sqeCancel(x);
    ctx.expect('cancel', rc === cancelOfUnstarted(ctx), `sqeCancel of a member not yet reached returned ${resultName(rc)}`);
    sqeSignal(gate);
    const got = await ctx.collect(['gate', 'x', 'y'], 'cancel');
    ctx.expectResults('cancel', got, [['gate', 0], ['x', -ECANCELED], ['y', -ECANCELED]], 'a gate, a cancelled member and the one after it');
    ctx.expectOrder('chain-order', got, ['gate', 'x', 'y'], 'a cancelled chain');
  },
};

const timeoutAwait: ConformanceCheck = {
  id: 'invariant.timeout-await',
  title: 'an iodev AWAIT past its timeoutMs times out, cancels its chain and frees the iodev',
  rule: 'timeout',
  needs: ['timeout', 'await', 'chain'],
  async run(ctx) {
    const hold = ctx.acquire();
    sqePrepAwaitIodev(hold, ctx.iodev, RTIO_PRIO_NORM, 'hold');
    hold.timeoutMs = 5;
    ctx.chain(hold, ctx.rx('after', ctx.readLen).sqe);
    const got = await ctx.run1(['hold', 'after'], 'timeout');
    ctx.expectResults('timeout', got, [['hold', -ETIMEDOUT], ['after', -ECANCELED]], 'an AWAIT nobody signals, with timeoutMs 5');
    await stillWorks(ctx, 'timeout', 'the timed-out AWAIT (the iodev must let go of it)');
  },
};

/** The `delay` fault of {@link timeoutRunning}, and its SQE's timeoutMs. */
const SLOW_MS = 40;
const SLOW_TIMEOUT_MS = 5;

const timeoutRunning: ConformanceCheck = {
  id: 'invariant.timeout-running',
  title: 'an operation slower than its timeoutMs completes with -ETIMEDOUT; the late completion posts nothing',
  rule: 'timeout',
  needs: ['timeout', 'chain'],
  needsTarget: ['fault-injection'],
  async run(ctx) {
    ctx.target.injectFault(ctx.env.iodevName, { kind: 'delay', ms: SLOW_MS });
    const slow = ctx.rx('slow', ctx.readLen).sqe;
    slow.timeoutMs = SLOW_TIMEOUT_MS;
    ctx.chain(slow, ctx.rx('after', ctx.readLen).sqe);
    const got = await ctx.run1(['slow', 'after'], 'timeout');
    ctx.expectResults('timeout', got, [['slow', -ETIMEDOUT], ['after', -ECANCELED]],
      `a read delayed by ${SLOW_MS} ms with timeoutMs ${SLOW_TIMEOUT_MS}`);
    await ctx.target.settle();
    await stillWorks(ctx, 'timeout', 'the timed-out read');
  },
};

const zeroLength: ConformanceCheck = {
  id: 'invariant.zero-length',
  title: 'zero-length transfers are refused with a RangeError before anything starts',
  rule: 'zero-length-rejected',
  async run(ctx) {
    const buf = new Uint8Array(4);
    const preps: [string, (sqe: ReturnType<CheckContext['acquire']>) => void][] = [
      ['sqePrepRead', (s) => sqePrepRead(s, ctx.iodev, RTIO_PRIO_NORM, buf, 0, 'zero')],
      ['sqePrepWrite', (s) => sqePrepWrite(s, ctx.iodev, RTIO_PRIO_NORM, buf, 0, 'zero')],
      ['sqePrepTransceive', (s) => sqePrepTransceive(s, ctx.iodev, RTIO_PRIO_NORM, buf, buf, 0, 'zero')],
    ];
    for (const [name, prep] of preps) {
      const sqe = ctx.acquire();
      let thrown: unknown = null;
      try {
        prep(sqe);
      } catch (e) {
        thrown = e;
      }
      ctx.r.sqeDropAll();
      ctx.expect('zero-length-rejected', thrown instanceof RangeError, `${name} with len 0 threw ${String(thrown)}, not a RangeError`);
    }
    const sqe = ctx.acquire();
    sqePrepRead(sqe, ctx.iodev, RTIO_PRIO_NORM, buf, 4, 'zero');
    sqe.bufLen = 0;
    let thrown: unknown = null;
    try {
      void ctx.r.submit(0);
    } catch (e) {
      thrown = e;
    }
    const queued = ctx.r.sqSize - ctx.r.sqeAcquirable();
    ctx.r.sqeDropAll();
    ctx.expect('zero-length-rejected', thrown instanceof RangeError, `submit of a read with bufLen 0 threw ${String(thrown)}, not a RangeError`);
    ctx.expect('zero-length-rejected', queued === 1, `after the refused submit ${queued} SQEs were queued, not the 1 refused`);
  },
};

const mempoolRead: ConformanceCheck = {
  id: 'invariant.mempool-read',
  title: 'a mempool read completes with a buffer from the context\'s pool',
  rule: 'mempool',
  needs: ['mempool'],
  usesStream: true,
  context: STREAM_CONTEXT,
  async run(ctx) {
    await streamShots(ctx, false);
  },
};

const multishot: ConformanceCheck = {
  id: 'invariant.multishot',
  title: 'a multishot read streams with recycled buffers until cancelled, MORE on every CQE but the last',
  rule: 'multishot',
  needs: ['mempool', 'multishot'],
  usesStream: true,
  context: STREAM_CONTEXT,
  async run(ctx) {
    await streamShots(ctx, true);
  },
};

/** Checks every iodev must pass, whatever its kind. */
export const INVARIANT_CHECKS: readonly ConformanceCheck[] = [
  oneCqe, fifo, chainOrder, chainEffect, failureCascade, cancelQueued, cancelChain, timeoutAwait, timeoutRunning,
  zeroLength, mempoolRead, multishot,
];

