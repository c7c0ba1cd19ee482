/**
 * Records what suites do on a target as golden-trace lines (./format.ts): every target opened,
 * every program submitted (SQEs with their bytes), every completion (results, flags, bytes
 * read), cancels, signals and injected faults, each under the test it came from.
 */
import { Rtio, RTIO_CQE_FLAG_MEMPOOL_BUFFER, RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT, RTIO_CQE_FLAG_MEMPOOL_GET_BLK_IDX, RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_OP_TX, RTIO_OP_TXRX } from '../rtio';
import type { Clock } from '../clock';
import type { IodevSqe, Sqe } from '../rtio';
import type { RtioObserver } from '../rtio/observer';
import { SlotState } from '../rtio/sqe';
import type { Fault } from '../target/faults';
import type { TargetRecord } from '../target/registry';
import type { Target } from '../target/target';
import { toHex } from './format';
import type { RecordedBuf, RecordedRegion, RecordedSqe, RecordingLine } from './format';

/** Where a submitted SQE's slot was recorded. */
interface SlotId {
  readonly ctx: number;
  readonly id: number;
}

/** CQE flag bits kept in a recording: the mempool block index and count say where, not what. */
const KEPT_CQE_FLAGS = 0xff;

/** Builds the regions of one submit: one per distinct host buffer, covering every SQE's part of it. */
class RegionTable {
  private readonly spans = new Map<ArrayBufferLike, { start: number; end: number; index: number }>();
  private readonly order: ArrayBufferLike[] = [];
  private readonly refs: { view: Uint8Array; set: (b: RecordedBuf) => void }[] = [];

  /** Notes `view` (the first `len` bytes of it) and calls `set` with its place once the regions are known. */
  add(view: Uint8Array | null, len: number, set: (b: RecordedBuf) => void): void {
    if (view === null) return;
    const part = view.subarray(0, Math.min(len, view.length));
    const span = this.spans.get(part.buffer);
    if (span === undefined) {
      this.spans.set(part.buffer, { start: part.byteOffset, end: part.byteOffset + part.length, index: this.order.length });
      this.order.push(part.buffer);
    } else {
      span.start = Math.min(span.start, part.byteOffset);
      span.end = Math.max(span.end, part.byteOffset + part.length);
    }
    this.refs.push({ view: part, set });
  }

  /** The regions, each with its bytes now; places every SQE buffer noted. */
  finish(): RecordedRegion[] {
    for (const { view, set } of this.refs) {
      const span = this.spans.get(view.buffer)!;
      set({ region: span.index, offset: view.byteOffset - span.start });
    }
    return this.order.map((b) => {
      const { start, end } = this.spans.get(b)!;
      return { len: end - start, init: toHex(new Uint8Array(b, start, end - start)) };
    });
  }
}

/** The recorded form of `sqe`, buffers placed in `regions`. */
function recordSqe(sqe: Sqe, id: number, regions: RegionTable): RecordedSqe {
  const out: { -readonly [K in keyof RecordedSqe]: RecordedSqe[K] } = { id, op: sqe.op };
  if (sqe.iodev !== null) out.iodev = sqe.iodev.name;
  if (sqe.flags !== 0) out.flags = sqe.flags;
  if (sqe.iodevFlags !== 0) out.iodevFlags = sqe.iodevFlags;
  if (sqe.prio !== 0) out.prio = sqe.prio;
  if (sqe.bufLen !== 0) out.bufLen = sqe.bufLen;
  if (sqe.delayMs !== 0) out.delayMs = sqe.delayMs;
  if (sqe.timeoutMs !== 0) out.timeoutMs = sqe.timeoutMs;
  if (sqe.i2cConfig !== 0) out.i2cConfig = sqe.i2cConfig;
  if (sqe.op === RTIO_OP_RX || sqe.op === RTIO_OP_TX || sqe.op === RTIO_OP_TINY_TX) {
    regions.add(sqe.buf, sqe.bufLen, (b) => (out.buf = b));
  } else if (sqe.op === RTIO_OP_TXRX) {
    regions.add(sqe.txBuf, sqe.bufLen, (b) => (out.txBuf = b));
    regions.add(sqe.rxBuf, sqe.bufLen, (b) => (out.rxBuf = b));
  }
  return out;
}

/** The bytes a completion of `sqe` with `result` and `flags` received, or null when it received none. */
export function receivedBytes(r: Rtio, sqe: Sqe, result: number, flags: number): Uint8Array | null {
  if (result < 0) return null;
  if (sqe.op === RTIO_OP_TXRX) return sqe.rxBuf?.subarray(0, sqe.bufLen) ?? null;
  if (sqe.op !== RTIO_OP_RX) return null;
  if (flags & RTIO_CQE_FLAG_MEMPOOL_BUFFER) {
    if (r.mempool === null) return null;
    return r.mempool.view(RTIO_CQE_FLAG_MEMPOOL_GET_BLK_IDX(flags), RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT(flags)).subarray(0, result);
  }
  return sqe.buf?.subarray(0, result) ?? null;
}

/** An {@link RtioObserver} that turns what it sees into recording lines, passed to `emit` as they happen. */
export class Recorder implements RtioObserver {
  private readonly contexts = new WeakMap<object, number>();
  private readonly slots = new Map<IodevSqe, SlotId>();
  private readonly early = new Set<IodevSqe>();
  /** Per context, the SQE each handed-out mempool block (by first block index) came from. */
  private readonly blocks = new WeakMap<object, Map<number, SlotId>>();
  private nextCtx = 1;
  private nextSqe = 1;
  private session = 0;
  private clock: Clock | null = null;
  private t0 = 0;

  /** `emit` receives each line; `seed` is the device-value seed the targets were opened with. */
  constructor(private readonly emit: (line: RecordingLine) => void, private readonly seed: number) {}

  /** A target was opened: starts a session and watches its fault injection. */
  targetOpened(record: TargetRecord, target: Target): void {
    this.slots.clear();
    this.clock = target.clock;
    this.t0 = target.clock.now();
    this.emit({
      kind: 'session', session: ++this.session, board: record.boardId, boardName: record.boardName,
      build: record.facts.hello?.buildId ?? null, seed: this.seed,
      iodevs: target.iodevs.map((i) => ({ ...i, capabilities: [...i.capabilities] })),
    });
    const inject = target.injectFault.bind(target);
    const clear = target.clearFaults.bind(target);
    target.injectFault = (name: string, fault: Fault, count?: number): void => {
      inject(name, fault, count);
      const n = count ?? 1;
      this.emit({ kind: 'fault', iodev: name, fault: { ...fault }, count: Number.isFinite(n) ? n : null, at: this.at() });
    };
    target.clearFaults = (): void => {
      clear();
      this.emit({ kind: 'clear-faults', at: this.at() });
    };
  }

  /** Test `title` begins. */
  test(title: string): void {
    this.emit({ kind: 'test', title });
  }

  submitted(r: object, sq: readonly IodevSqe[]): void {
    if (!(r instanceof Rtio)) return;
    const ctx = this.contextId(r);
    const regions = new RegionTable();
    const sqes = sq.map((s) => {
      const id = this.nextSqe++;
      this.slots.set(s, { ctx, id });
      return recordSqe(s.sqe, id, regions);
    });
    this.emit({ kind: 'submit', ctx, sqes, regions: regions.finish(), at: this.at() });
    for (const s of sq) {
      if (!this.early.delete(s)) continue;
      const at = this.slots.get(s)!;
      this.emit({ kind: 'signal', ctx: at.ctx, sqe: at.id, at: this.at() });
    }
  }

  started(): void {
    // a recording keeps what was submitted and what came back, not when
  }

  completed(r: object, s: IodevSqe | null, result: number, flags: number): void {
    const at = s === null ? undefined : this.slots.get(s);
    if (at === undefined || !(r instanceof Rtio)) return;
    const data = receivedBytes(r, s!.sqe, result, flags);
    if (flags & RTIO_CQE_FLAG_MEMPOOL_BUFFER && RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT(flags) > 0) {
      let m = this.blocks.get(r);
      if (m === undefined) this.blocks.set(r, (m = new Map()));
      m.set(RTIO_CQE_FLAG_MEMPOOL_GET_BLK_IDX(flags), at);
    }
    this.emit({ kind: 'cqe', ctx: at.ctx, sqe: at.id, result, flags: flags & KEPT_CQE_FLAGS, ...(data === null ? {} : { data: toHex(data) }) });
  }

  canceled(_r: object, s: IodevSqe, result: number): void {
    const at = this.slots.get(s);
    if (at !== undefined) this.emit({ kind: 'cancel', ctx: at.ctx, sqe: at.id, result, at: this.at() });
  }

  signaled(s: IodevSqe): void {
    const at = s.state === SlotState.Queued ? undefined : this.slots.get(s);
    if (at === undefined) this.early.add(s);
    else this.emit({ kind: 'signal', ctx: at.ctx, sqe: at.id, at: this.at() });
  }

  released(r: object, buf: Uint8Array): void {
    if (!(r instanceof Rtio) || r.mempool === null) return;
    const where = r.mempool.locate(buf);
    const m = this.blocks.get(r);
    const at = where === null ? undefined : m?.get(where.index);
    if (at === undefined) return;
    m!.delete(where!.index);
    this.emit({ kind: 'release', ctx: at.ctx, sqe: at.id, at: this.at() });
  }

  acquired(): void {
    // an SQE counts once it is submitted
  }

  consumed(): void {
    // consumption order is the test's business, not the target's
  }

  /** Now, in ms since the session's target opened, to the µs. */
  private at(): number {
    return this.clock === null ? 0 : Math.round((this.clock.now() - this.t0) * 1000) / 1000;
  }

  private contextId(r: Rtio): number {
    let ctx = this.contexts.get(r);
    if (ctx === undefined) {
      ctx = this.nextCtx++;
      this.contexts.set(r, ctx);
      const pool = r.mempool === null ? null : { blockSize: r.mempool.blockSize, blockCount: r.mempool.blockCount };
      this.emit({ kind: 'context', ctx, sqSize: r.sqSize, cqSize: r.cqSize, mempool: pool });
    }
    return ctx;
  }
}
