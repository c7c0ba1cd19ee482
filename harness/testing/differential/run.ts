/**
 * @file Runs a differential program on a target with the public RTIO API, exactly as a test
 * author would, and records a canonical trace: per SQE its CQEs (result, flags without the
 * block index, the bytes it read), the result a CALLBACK was passed and what `sqeCancel`
 * returned; plus every broken rule (a CQE missing or duplicated, chain order, a leak).
 * Nothing about wall-clock time is recorded.
 */
import {
  resultName, Rtio, RTIO_CQE_FLAG_GET, RTIO_CQE_FLAG_MEMPOOL_BUFFER,
  RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT, RTIO_CQE_FLAG_MORE, RTIO_PRIO_NORM, RTIO_SQE_CHAINED,
  RTIO_SQE_NO_RESPONSE, RTIO_SQE_TRANSACTION, sqePrepAwait, sqePrepCallback, sqePrepDelay,
  sqePrepNop, sqePrepRead, sqePrepReadMultishot, sqePrepReadWithPool, sqePrepTinyWrite,
  sqePrepTransceive, sqePrepWrite, sqeSignal,
} from '../../rtio';
import type { Cqe, Sqe } from '../../rtio';
import { testIodevScript } from '../../emulator/iodevs/test-iodev';
import type { Target } from '../../target/target';
import type { BufRange, Chain, Program, SqeSpec, Step } from './program';
import { chainSqes, isRange, literalBytes, stepSqes } from './program';

/** One CQE as the differential test compares it. */
export interface CqeRecord {
  readonly result: number;
  /** `RTIO_CQE_FLAG_*` bits and the mempool block count; the block index is left out. */
  readonly flags: number;
  /** The bytes a successful RX or TXRX read (the first `result` of them). */
  readonly data?: readonly number[];
}

/** What one SQE did. */
export interface SqeTrace {
  readonly cqes: CqeRecord[];
  /** CALLBACK: the result it was passed. */
  callbackResult?: number;
  /** What `sqeCancel` returned after submit. */
  cancelResult?: number;
}

/** Everything a run of a program produced. */
export interface Trace {
  readonly sqes: ReadonlyMap<number, SqeTrace>;
  /** Rules the run broke: a missing CQE, CQEs out of chain order, a leak, an exception. */
  readonly problems: readonly string[];
}

/** Options of {@link runProgram}. */
export interface RunOptions {
  /** Byte address of flash slot `slot` (a page no earlier program of this target used). */
  readonly flashBase: (slot: number) => number;
  /** Longest a step waits for its CQEs, in ms of the target's clock. */
  readonly waitMs: number;
}

/** Default of {@link RunOptions.waitMs}: far beyond what any step takes. */
export const DIFFERENTIAL_WAIT_MS = 5_000;

class Recorder {
  readonly sqes = new Map<number, SqeTrace>();
  readonly problems: string[] = [];
  /** Per SQE id, the position of its terminal CQE among all terminal CQEs. */
  readonly arrival = new Map<number, number>();
  private arrivals = 0;

  trace(id: number): SqeTrace {
    let t = this.sqes.get(id);
    if (t === undefined) {
      t = { cqes: [] };
      this.sqes.set(id, t);
    }
    return t;
  }

  cqe(id: number, rec: CqeRecord): void {
    this.trace(id).cqes.push(rec);
    if (!(rec.flags & RTIO_CQE_FLAG_MORE)) this.arrival.set(id, this.arrivals++);
  }
}

/** Runs `p` on `target` and returns its trace. Never throws for what the target does. */
export async function runProgram(target: Target, p: Program, opts: RunOptions): Promise<Trace> {
  const rec = new Recorder();
  const bufs = p.buffers.map((b) => Uint8Array.from(b.init));
  const r = new Rtio({ sqSize: p.sqSize, cqSize: p.cqSize, mempool: p.mempool, clock: target.clock });
  const faults = p.steps.some((s) => s.kind === 'chains' && s.faults !== undefined);
  if (faults) target.clearFaults();
  for (const [i, step] of p.steps.entries()) {
    const where = `step ${i + 1}`;
    try {
      if (step.kind === 'chains') {
        for (const f of step.faults ?? []) target.injectFault(f.iodev, f.fault, f.count);
        await runChains(target, r, step.chains, bufs, rec, opts, where);
      }
      else await runMultishot(target, step, rec, opts, where);
    } catch (e) {
      rec.problems.push(`${where}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      return { sqes: rec.sqes, problems: rec.problems };
    }
    await checkIdle(target, r, rec, where);
    if (rec.problems.length > 0) break;
  }
  if (faults) target.clearFaults();
  return { sqes: rec.sqes, problems: rec.problems };
}

async function runChains(
  target: Target, r: Rtio, chains: readonly Chain[], bufs: Uint8Array[], rec: Recorder, opts: RunOptions, where: string,
): Promise<void> {
  const handles = new Map<number, Sqe>();
  const view = (x: BufRange): Uint8Array => bufs[x.buf]!.subarray(x.off, x.off + x.len);
  for (const chain of chains) {
    const units = chain.flatMap((b) => b.units);
    units.forEach((unit, u) => {
      unit.forEach((spec, m) => {
        const sqe = r.sqeAcquire();
        if (sqe === null) throw new Error(`the SQ (sqSize ${r.sqSize}) is full at sqe ${spec.id}`);
        prep(target, sqe, spec, view, rec, opts);
        if (m < unit.length - 1) sqe.flags |= RTIO_SQE_TRANSACTION;
        else if (u < units.length - 1) sqe.flags |= RTIO_SQE_CHAINED;
        handles.set(spec.id, sqe);
      });
    });
  }
  const specs = chains.flatMap((c) => chainSqes(c));
  for (const s of specs) {
    if (s.op.kind === 'await' && s.op.signal === 'before') sqeSignal(handles.get(s.id)!);
    if (s.cancel === 'before-submit') {
      const ret = r.sqeCancel(handles.get(s.id)!);
      if (ret !== 0) rec.problems.push(`${where}: sqeCancel of queued sqe ${s.id} returned ${ret}, not 0`);
    }
  }
  const submitted = await r.submit(0);
  if (submitted !== 0) throw new Error(`submit resolved ${submitted}`);
  for (const s of specs) {
    if (s.op.kind === 'await' && s.op.signal === 'after') {
      // Signalling an AWAIT whose chain already failed is a TypeError on a context that saw
      // it complete; whether it has depends on timing, so it is not compared.
      try {
        sqeSignal(handles.get(s.id)!);
      } catch (e) {
        if (!(e instanceof TypeError)) throw e;
      }
    }
    if (s.cancel === 'after-submit') rec.trace(s.id).cancelResult = r.sqeCancel(handles.get(s.id)!);
  }
  const expected = specs.filter((s) => !s.noResponse);
  await collect(r, expected, bufs, rec, opts, where, specs);
  // SQEs with RTIO_SQE_NO_RESPONSE post nothing: the context says when they are done.
  if (!(await r.waitIdle(opts.waitMs))) rec.problems.push(`${where}: ${r.inflight} SQEs still in flight ${opts.waitMs} ms after the last CQE`);
  for (const chain of chains) checkChainOrder(chain, rec, where);
}

function prep(target: Target, sqe: Sqe, s: SqeSpec, view: (x: BufRange) => Uint8Array, rec: Recorder, opts: RunOptions): void {
  const op = s.op;
  const dev = (name: string | null): ReturnType<Target['iodev']> | null => (name === null ? null : target.iodev(name));
  switch (op.kind) {
    case 'nop':
      sqePrepNop(sqe, dev(op.iodev), s.id);
      break;
    case 'delay':
      sqePrepDelay(sqe, op.ms, s.id);
      break;
    case 'callback': {
      const fill = op.fill;
      sqePrepCallback(sqe, (_r, _s, result) => {
        rec.trace(s.id).callbackResult = result;
        if (fill !== undefined) view(fill.to).fill(fill.byte);
      }, null, s.id);
      break;
    }
    case 'await':
      sqePrepAwait(sqe, dev(op.iodev), RTIO_PRIO_NORM, s.id);
      break;
    case 'rx':
      sqePrepRead(sqe, target.iodev(op.iodev), RTIO_PRIO_NORM, view(op.into), op.into.len, s.id);
      break;
    case 'rx-pool':
      sqePrepReadWithPool(sqe, target.iodev(op.iodev), RTIO_PRIO_NORM, s.id);
      break;
    case 'tx':
      sqePrepWrite(sqe, target.iodev(op.iodev), RTIO_PRIO_NORM, view(op.from), op.from.len, s.id);
      break;
    case 'tx-literal': {
      const bytes = literalBytes(op.data, opts.flashBase);
      sqePrepWrite(sqe, target.iodev(op.iodev), RTIO_PRIO_NORM, bytes, bytes.length, s.id);
      break;
    }
    case 'tiny-tx': {
      const bytes = literalBytes(op.data, opts.flashBase);
      sqePrepTinyWrite(sqe, target.iodev(op.iodev), RTIO_PRIO_NORM, bytes, bytes.length, s.id);
      break;
    }
    case 'txrx': {
      const tx = isRange(op.tx) ? view(op.tx) : literalBytes(op.tx, opts.flashBase);
      sqePrepTransceive(sqe, target.iodev(op.iodev), RTIO_PRIO_NORM, tx, view(op.rx), op.rx.len, s.id);
      break;
    }
  }
  if (s.script !== undefined) sqe.iodevFlags = testIodevScript(s.script);
  if (s.timeoutMs !== undefined) sqe.timeoutMs = s.timeoutMs;
  if (s.noResponse === true) sqe.flags |= RTIO_SQE_NO_RESPONSE;
}

/** Consumes CQEs until every SQE in `expected` has its terminal one, recording each. */
async function collect(
  r: Rtio, expected: readonly SqeSpec[], bufs: Uint8Array[], rec: Recorder, opts: RunOptions, where: string,
  all: readonly SqeSpec[],
): Promise<void> {
  const byId = new Map(all.map((s) => [s.id, s]));
  const waiting = new Set(expected.map((s) => s.id));
  const deadline = r.clock.now() + opts.waitMs;
  while (waiting.size > 0) {
    const left = deadline - r.clock.now();
    const c = left > 0 ? await r.cqeConsumeBlock(left) : r.cqeConsume();
    if (c === null) {
      rec.problems.push(`${where}: no CQE within ${opts.waitMs} ms for sqe ${[...waiting].join(', ')}`);
      return;
    }
    const id = c.userdata as number;
    const spec = byId.get(id);
    if (spec === undefined) {
      rec.problems.push(`${where}: a CQE with unknown userdata ${String(c.userdata)}`);
    } else {
      if (spec.noResponse) rec.problems.push(`${where}: sqe ${id} has RTIO_SQE_NO_RESPONSE but posted a CQE`);
      if (!waiting.has(id) && !spec.noResponse) rec.problems.push(`${where}: sqe ${id} completed twice`);
      rec.cqe(id, record(r, c, spec, bufs));
      if (!(c.flags & RTIO_CQE_FLAG_MORE)) waiting.delete(id);
    }
    if (RTIO_CQE_FLAG_GET(c.flags) & RTIO_CQE_FLAG_MEMPOOL_BUFFER) r.releaseBuffer(r.cqeGetMempoolBuffer(c));
    r.cqeRelease(c);
  }
}

function record(r: Rtio, c: Cqe, spec: SqeSpec, bufs: readonly Uint8Array[]): CqeRecord {
  const flags = (RTIO_CQE_FLAG_GET(c.flags) | (RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT(c.flags) << 20)) >>> 0;
  if (c.result <= 0) return { result: c.result, flags };
  const op = spec.op;
  let data: Uint8Array | null = null;
  if (RTIO_CQE_FLAG_GET(c.flags) & RTIO_CQE_FLAG_MEMPOOL_BUFFER) data = r.cqeGetMempoolBuffer(c);
  else if (op.kind === 'rx') data = bufs[op.into.buf]!.subarray(op.into.off, op.into.off + op.into.len);
  else if (op.kind === 'txrx') data = bufs[op.rx.buf]!.subarray(op.rx.off, op.rx.off + op.rx.len);
  if (data === null) return { result: c.result, flags };
  return { result: c.result, flags, data: [...data.subarray(0, c.result)] };
}

function checkChainOrder(chain: Chain, rec: Recorder, where: string): void {
  let last = -1;
  let lastId = 0;
  for (const s of chainSqes(chain)) {
    const at = rec.arrival.get(s.id);
    if (at === undefined) continue;
    if (at < last) rec.problems.push(`${where}: sqe ${s.id} completed before sqe ${lastId}, which comes earlier in its chain`);
    last = at;
    lastId = s.id;
  }
}

async function runMultishot(target: Target, step: Extract<Step, { kind: 'multishot' }>, rec: Recorder, opts: RunOptions, where: string): Promise<void> {
  const s = step.sqe;
  const geometry = step.end === 'pool' ? { cqSize: step.shots + 3, blockCount: step.shots } :
    step.end === 'cq' ? { cqSize: step.shots, blockCount: 64 } : { cqSize: 4, blockCount: 4 };
  const r = new Rtio({ sqSize: 2, cqSize: geometry.cqSize, mempool: { blockSize: 16, blockCount: geometry.blockCount }, clock: target.clock });
  const sqe = r.sqeAcquire()!;
  if (s.op.kind !== 'rx-pool') throw new Error(`a multishot step needs an rx-pool SQE, got ${s.op.kind}`);
  sqePrepReadMultishot(sqe, target.iodev(s.op.iodev), RTIO_PRIO_NORM, s.id);
  if (s.script !== undefined) sqe.iodevFlags = testIodevScript(s.script);
  const wait = step.end === 'pool' ? step.shots + 1 : step.end === 'cq' ? step.shots : 0;
  const got = await r.submit(wait, opts.waitMs);
  if (got !== 0) {
    rec.problems.push(`${where}: the multishot read did not post ${wait} CQEs within ${opts.waitMs} ms (${resultName(got)})`);
    return;
  }
  if (step.end === 'cancel') rec.trace(s.id).cancelResult = r.sqeCancel(sqe);
  const held: Uint8Array[] = [];
  const deadline = r.clock.now() + opts.waitMs;
  for (;;) {
    const left = deadline - r.clock.now();
    const c = left > 0 ? await r.cqeConsumeBlock(left) : r.cqeConsume();
    if (c === null) {
      rec.problems.push(`${where}: the multishot read has no final CQE within ${opts.waitMs} ms`);
      break;
    }
    rec.cqe(s.id, record(r, c, s, []));
    if (RTIO_CQE_FLAG_GET(c.flags) & RTIO_CQE_FLAG_MEMPOOL_BUFFER) held.push(r.cqeGetMempoolBuffer(c));
    const last = !(c.flags & RTIO_CQE_FLAG_MORE);
    r.cqeRelease(c);
    if (last) break;
  }
  for (const b of held) r.releaseBuffer(b);
  await checkIdle(target, r, rec, where);
}

/** Lets the target finish, then records every leak of `r` as a problem. */
async function checkIdle(target: Target, r: Rtio, rec: Recorder, where: string): Promise<void> {
  try {
    await target.settle();
  } catch (e) {
    rec.problems.push(`after ${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const leaks: string[] = [];
  if (r.inflight !== 0) leaks.push(`${r.inflight} SQEs still in flight`);
  if (r.cqOverflowPending !== 0) leaks.push(`${r.cqOverflowPending} completions left in the overflow list`);
  if (r.cqReady !== 0) leaks.push(`${r.cqReady} CQEs left unconsumed`);
  if (r.strayCompletions !== 0) leaks.push(`${r.strayCompletions} stray completions`);
  if (r.sqeAcquirable() !== r.sqSize) leaks.push(`${r.sqSize - r.sqeAcquirable()} SQEs not back in the pool`);
  if (r.mempool !== null && r.mempool.free !== r.mempool.blockCount) leaks.push(`${r.mempool.blockCount - r.mempool.free} mempool blocks not returned`);
  for (const l of leaks) rec.problems.push(`after ${where}: ${l}`);
}

/** The SQEs of `p`'s steps with the step each belongs to (1-based). */
export function sqeSteps(p: Program): Map<number, number> {
  const out = new Map<number, number>();
  p.steps.forEach((s, i) => stepSqes(s).forEach((x) => out.set(x.id, i + 1)));
  return out;
}
