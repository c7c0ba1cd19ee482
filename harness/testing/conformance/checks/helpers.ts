/** @file Steps several checks share: running setup writes, draining stale events, streaming shots. */
import {
  ECANCELED, EALREADY, ENOENT, ENOMEM, ETIMEDOUT, resultName, RTIO_CQE_FLAG_GET, RTIO_CQE_FLAG_MEMPOOL_BUFFER,
  RTIO_CQE_FLAG_MORE, RTIO_PRIO_NORM, sqePrepReadMultishot, sqePrepReadWithPool,
} from '../../../rtio';
import type { CqeData, Sqe } from '../../../rtio';
import type { CheckContext } from '../context';

/** Most stale events {@link drainEvents} takes before it gives up. */
export const DRAIN_MAX_EVENTS = 64;
/** How long one drain read waits for a stale event, ms. */
export const DRAIN_WAIT_MS = 1;
/** Context geometry of the stream checks: 8 blocks of 64 bytes (a 256-byte IMU batch fits twice). */
export const STREAM_CONTEXT = { sqSize: 16, cqSize: 16, mempool: { blockSize: 64, blockCount: 8 } } as const;

/** Whether a CQE carries `RTIO_CQE_FLAG_MORE`. */
export function hasMore(c: CqeData): boolean {
  return (RTIO_CQE_FLAG_GET(c.flags) & RTIO_CQE_FLAG_MORE) !== 0;
}

/** Whether a CQE carries a mempool buffer. */
export function hasBuffer(c: CqeData): boolean {
  return (RTIO_CQE_FLAG_GET(c.flags) & RTIO_CQE_FLAG_MEMPOOL_BUFFER) !== 0;
}

/** Runs `txs` as one chain of writes on the iodev; each must complete with its length. */
export async function runWrites(ctx: CheckContext, tag: string, txs: readonly Uint8Array[]): Promise<void> {
  if (txs.length === 0) return;
  const uds = txs.map((_, i) => `${tag}${i}`);
  ctx.chain(...txs.map((b, i) => ctx.tx(uds[i]!, b)));
  const got = await ctx.run1(uds);
  ctx.expectResults('byte-counts', got, txs.map((b, i) => [uds[i]!, b.length] as const), `the ${tag} writes`);
}

/** Waits `ms` on the context's clock (a DELAY SQE), when `ms` > 0. */
export async function settle(ctx: CheckContext, ms: number | undefined): Promise<void> {
  if (ms === undefined || ms <= 0) return;
  ctx.delay('settle', ms);
  await ctx.run1(['settle']);
}

/**
 * Takes events a device queued before the check (GPIO edges from earlier checks): reads with
 * `iodevFlags` and a short timeout until one times out. A queued event is delivered at the time
 * the read starts, before its timeout fires on the same clock, so the timeout only says that the
 * queue is empty; it assumes nothing about how fast the device is.
 */
export async function drainEvents(ctx: CheckContext, iodevFlags: number): Promise<void> {
  for (let i = 0; i < DRAIN_MAX_EVENTS; i++) {
    const { sqe } = ctx.rx('drain', 16, iodevFlags);
    sqe.timeoutMs = DRAIN_WAIT_MS;
    const got = await ctx.run1(['drain']);
    if (got.result('drain') === -ETIMEDOUT) return;
  }
  ctx.fail('multishot', `events kept coming: ${DRAIN_MAX_EVENTS} reads with iodevFlags 0x${iodevFlags.toString(16)} each found one`);
}

/**
 * Mempool reads of the device's events (probe.stream): a one-shot read, or a multishot read for
 * `blockCount + 2` shots (so a stream that did not recycle its buffers would run out), each
 * buffer released before the next shot, then cancelled down to its final CQE.
 *
 * On a target without virtual time the device paces the stream in real time, so a burst of shots
 * can take every block (or the last free CQE) before the kit consumes them, and the stream then
 * ends, as semantics §5 says. There, and only there, the kit checks that the pool is whole once
 * the burst is consumed and starts the stream again, counting shots across the restarts.
 */
export async function streamShots(ctx: CheckContext, multishot: boolean): Promise<void> {
  const r = ctx.r;
  const pool = r.mempool!;
  const st = ctx.probe.stream ?? {};
  const rule = multishot ? 'multishot' : 'mempool';
  const realTime = !ctx.target.has('virtual-time');
  await runWrites(ctx, 'setup', st.setup ?? []);
  if (st.stimulus !== undefined || st.external !== undefined) await drainEvents(ctx, st.iodevFlags ?? 0);
  const shots = multishot ? pool.blockCount + 2 : 1;
  const arm = async (): Promise<Sqe> => {
    const sqe = ctx.acquire();
    (multishot ? sqePrepReadMultishot : sqePrepReadWithPool)(sqe, ctx.iodev, RTIO_PRIO_NORM, 'shot');
    sqe.iodevFlags = st.iodevFlags ?? 0;
    await ctx.submit();
    return sqe;
  };
  const stimuli = new Map<string, number>();
  let sent = 0;
  /** The stream's next CQE, checking the stimulus writes that complete meanwhile. */
  const nextShot = async (what: string): Promise<CqeData> => {
    for (;;) {
      const c = await ctx.next(rule, what);
      const ud = String(c.userdata);
      if (ud === 'shot') return c;
      const len = stimuli.get(ud);
      if (len === undefined) ctx.fail('one-cqe-per-sqe', `a CQE for "${ud}", which this check did not expect now (result ${resultName(c.result)})`);
      stimuli.delete(ud);
      ctx.expect('byte-counts', c.result === len, `the stimulus write "${ud}" completed with ${resultName(c.result)}, not ${String(len)}`);
    }
  };
  let sqe = await arm();
  let armed = true;
  let restarts = 0;
  for (let i = 0; i < shots;) {
    if (st.external !== undefined) {
      await st.external.stimulus(ctx.target.backplane!, ctx.env.iodevName, sent++);
    } else if (st.stimulus !== undefined) {
      const bytes = st.stimulus(sent);
      const ud = `stimulus${sent++}`;
      ctx.tx(ud, bytes);
      stimuli.set(ud, bytes.length);
      await ctx.submit();
    }
    const c = await nextShot(`shot ${i + 1} of ${shots}`);
    if (multishot && !hasMore(c) && realTime && (c.result === -ENOMEM || c.result > 0)) {
      if (c.result > 0) {
        r.releaseBuffer(r.cqeGetMempoolBuffer(c));
        i++;
      }
      ctx.expect('mempool', pool.free === pool.blockCount, () => `the stream ended with ${resultName(c.result)} and ` +
        `${pool.blockCount - pool.free} of ${pool.blockCount} blocks were still taken once every buffer was released`);
      ctx.expect(rule, ++restarts <= shots, `the stream ended ${restarts} times before ${shots} shots`);
      if (i < shots) sqe = await arm();
      else armed = false;
      continue;
    }
    ctx.expect(rule, c.result > 0, `shot ${i + 1} of ${shots} completed with ${resultName(c.result)}` +
      (multishot ? ' though every earlier buffer was released' : ''));
    ctx.expect('mempool', hasBuffer(c), `shot ${i + 1} completed with ${c.result} bytes but its CQE carries no mempool buffer (flags 0x${c.flags.toString(16)})`);
    const buf = r.cqeGetMempoolBuffer(c);
    ctx.expect('mempool', buf.length >= c.result, `shot ${i + 1}: ${c.result} bytes in a ${buf.length}-byte buffer`);
    r.releaseBuffer(buf);
    if (multishot) ctx.expect('multishot', hasMore(c), `shot ${i + 1} of ${shots} lacks RTIO_CQE_FLAG_MORE: the stream ended before it was cancelled`);
    else ctx.expect('mempool', !hasMore(c), 'a one-shot mempool read carries RTIO_CQE_FLAG_MORE');
    i++;
  }
  if (multishot && armed) {
    const rc = r.sqeCancel(sqe);
    // In real time shots go on arriving while this check consumes: the pool may have run dry, or
    // a shot taken the last free CQE (§5), after the last shot counted. The stream's end is then
    // already queued and there is nothing left to cancel.
    const endedFirst = realTime && rc === -ENOENT;
    ctx.expect('multishot', rc === 0 || rc === -EALREADY || endedFirst, `sqeCancel of the running multishot returned ${resultName(rc)}`);
    // Buffers are held until the final CQE, so the pool, not the time the cancel takes to reach
    // the device, bounds how many shots a stream still delivers once cancelled.
    const held: Uint8Array[] = [];
    for (let extra = 0; ; extra++) {
      ctx.expect('multishot', extra <= shots + (realTime ? pool.blockCount : 0), `the multishot kept producing after it was cancelled (${extra} more CQEs)`);
      const c = await nextShot('the final CQE of the cancelled multishot');
      if (hasBuffer(c) && c.result > 0) held.push(r.cqeGetMempoolBuffer(c));
      if (!hasMore(c)) {
        if (endedFirst) ctx.expect('multishot', c.result === -ENOMEM || c.result > 0, `the stream was no longer running when cancelled, yet ended with ${resultName(c.result)}`);
        break;
      }
    }
    for (const buf of held) r.releaseBuffer(buf);
  }
  if (stimuli.size > 0) {
    const left = [...stimuli];
    const got = await ctx.collect(left.map(([ud]) => ud), 'byte-counts');
    ctx.expectResults('byte-counts', got, left, 'the stimulus writes');
  }
  await runWrites(ctx, 'teardown', st.teardown ?? []);
}

/**
 * Arms a `nack` at the iodev's address byte and runs a read chained to another: the read must
 * fail and `next` must be cancelled (rule failure-completes). Returns the read's result, for the
 * caller's own rule on which errno.
 */
export async function nackedReadFails(ctx: CheckContext, what: string): Promise<number> {
  ctx.target.injectFault(ctx.env.iodevName, { kind: 'nack', atByte: 0 });
  ctx.chain(ctx.rx('read', ctx.readLen).sqe, ctx.rx('next', ctx.readLen).sqe);
  const got = await ctx.run1(['read', 'next'], 'failure-completes');
  ctx.expectResults('failure-completes', got, [['next', -ECANCELED]], `the member after ${what}`);
  return got.result('read');
}
