/**
 * One recorded session replayed on one target: the SQEs as resubmitted, the recorded completions
 * each still owes, and the comparison of each replayed completion with its recorded one
 * (the rules are in docs/recording.md).
 */
import { VirtualClock } from '../clock';
import { Rtio, RTIO_CQE_FLAG_MEMPOOL_BUFFER, RTIO_CQE_FLAG_MORE, RTIO_OP_CALLBACK, RTIO_OP_RX, RTIO_OP_TXRX, RTIO_SQE_MULTISHOT, resultName, sqeSignal } from '../rtio';
import type { Sqe } from '../rtio';
import type { Target } from '../target/target';
import { fromHex, toHex } from './format';
import type { ContextLine, CqeLine, RecordedBuf, RecordedSqe, SubmitLine } from './format';
import { opName } from './op-names';

/** Most timers one jump of the virtual clock runs while taking completions as they come. */
export const REPLAY_REACH_MAX_STEPS = 100_000;

/** What differed first. */
export interface Mismatch {
  /** `'result'`, `'flags'`, `'data'`, `'missing'` (recorded, never came), `'extra'` (came, never recorded), `'submit'` (it failed). */
  readonly what: 'result' | 'flags' | 'data' | 'missing' | 'extra' | 'submit';
  /** Mocha's full title of the test the operation came from, or null. */
  readonly test: string | null;
  readonly session: number;
  /** SQE id in the recording. */
  readonly sqe: number;
  /** Iodev name, or null for an executor op. */
  readonly iodev: string | null;
  /** Op name, e.g. `'RX'`. */
  readonly op: string;
  /** Recorded and replayed value, as text. */
  readonly recorded: string;
  readonly replayed: string;
  /** One sentence naming all of the above. */
  readonly message: string;
}

/** A recorded SQE as replayed: the handle to cancel or signal it, and where it came from. */
interface Replayed {
  readonly rec: RecordedSqe;
  readonly sqe: Sqe;
  /** Where an RX or TXRX receives (null for a mempool read: its CQE names the block). */
  readonly rx: Uint8Array | null;
  readonly ctx: Ctx;
  readonly test: string | null;
  readonly recorded: CqeLine[];
  readonly got: { result: number; flags: number; data: string | undefined; block: Uint8Array | null }[];
  /** Mempool blocks its completions carried, held until the recording releases them. */
  readonly blocks: Uint8Array[];
  /** It was cancelled: how many more shots a multishot gets is the target's timing, not compared. */
  canceled: boolean;
  /** Mempool blocks the recorded user held for it so far: its recorded shots' blocks not yet released. */
  recordedHeld: number;
}

interface Ctx {
  readonly r: Rtio;
  /** Recorded completions not yet matched by a replayed one. */
  owed: number;
}

const doesNothing = (): void => undefined;
const throwsLikeRecorded = (): never => {
  throw new Error('replayed CALLBACK: the recorded one threw');
};

/** Thrown inside a replay to stop it at the first difference. */
export class Differs extends Error {
  constructor(readonly mismatch: Mismatch) {
    super(mismatch.message);
  }
}

function mismatch(what: Mismatch['what'], s: Replayed, session: number, recorded: string, replayed: string, detail: string): Differs {
  const iodev = s.rec.iodev ?? null;
  const op = opName(s.rec.op);
  const where = `${op}${iodev === null ? '' : ` on ${iodev}`} (SQE #${s.rec.id})`;
  const test = s.test === null ? '' : ` in test "${s.test}"`;
  return new Differs({
    what, test: s.test, session, sqe: s.rec.id, iodev, op, recorded, replayed,
    message: `${where}${test}: ${detail}: recorded ${recorded}, replayed ${replayed}`,
  });
}

function firstByteDiff(a: string, b: string): string {
  for (let i = 0; i < Math.max(a.length, b.length); i += 2) {
    if (a.slice(i, i + 2) !== b.slice(i, i + 2)) return `data differ at byte ${i / 2}`;
  }
  return 'data differ';
}

/** One session's replay on one target. */
export class SessionReplay {
  readonly contexts = new Map<number, Ctx>();
  readonly sqes = new Map<number, Replayed>();
  test: string | null = null;
  submits = 0;
  matched = 0;

  private readonly t0: number;

  /**
   * `throwing`: the CALLBACK SQEs whose recorded callbacks threw. `waitMs`: see
   * {@link ReplayOptions.waitMs}; `timeDriven`: {@link ReplayOptions.timeDriven}.
   */
  constructor(
    readonly target: Target, readonly session: number, private readonly waitMs: number,
    private readonly timeDriven: ReadonlySet<string>, private readonly throwing: ReadonlySet<number>,
  ) {
    this.t0 = target.clock.now();
  }

  /**
   * Brings the target's clock to `at` ms after the session began, as recorded: a virtual clock
   * jumps there (running what falls due), a real one is waited for. Never goes back.
   */
  async reach(at: number | undefined): Promise<void> {
    if (at === undefined) return;
    const clock = this.target.clock;
    const ahead = this.t0 + at - clock.now();
    if (ahead <= 0) return;
    if (clock instanceof VirtualClock) {
      // One timer at a time, taking completions as they come, as the recorded user did.
      // (Up to a bound: a stream that re-arms at the same instant would never let time pass;
      // past it, its CQEs pile up until the CQ ends it, as they would for a user who waits.)
      const until = clock.now() + ahead;
      for (let n = 0; n < REPLAY_REACH_MAX_STEPS && clock.nextAt() <= until; n++) {
        clock.step();
        this.drainReady();
      }
      clock.advance(Math.max(0, until - clock.now()));
    } else {
      await new Promise<void>((done) => clock.setTimer(clock.now() + ahead, done, undefined));
    }
    this.drainReady();
  }

  /** Takes every completion that is ready now. */
  private drainReady(): void {
    for (const ctx of this.contexts.values()) {
      for (let c = ctx.r.cqeConsume(); c !== null; c = ctx.r.cqeConsume()) {
        this.take(ctx, c.result, c.flags, c.userdata);
        ctx.r.cqeRelease(c);
      }
    }
  }

  addContext(line: ContextLine): void {
    const r = new Rtio({
      sqSize: line.sqSize, cqSize: line.cqSize, clock: this.target.clock,
      ...(line.mempool === null ? {} : { mempool: line.mempool }),
    });
    this.contexts.set(line.ctx, { r, owed: 0 });
  }

  async submit(line: SubmitLine): Promise<void> {
    const ctx = this.ctxOf(line.ctx);
    const regions = line.regions.map((g) => (g.init === '' ? new Uint8Array(g.len) : fromHex(g.init)));
    const view = (b: RecordedBuf | undefined, len: number): Uint8Array | null =>
      b === undefined ? null : regions[b.region]!.subarray(b.offset, b.offset + len);
    for (const rec of line.sqes) {
      const sqe = ctx.r.sqeAcquire();
      if (sqe === null) throw new RangeError(`recording submits more SQEs than its context holds (${ctx.r.sqSize})`);
      sqe.op = rec.op;
      sqe.iodev = rec.iodev === undefined ? null : this.target.iodev(rec.iodev);
      sqe.flags = rec.flags ?? 0;
      sqe.iodevFlags = rec.iodevFlags ?? 0;
      sqe.prio = rec.prio ?? 0;
      sqe.bufLen = rec.bufLen ?? 0;
      sqe.buf = view(rec.buf, sqe.bufLen);
      sqe.txBuf = view(rec.txBuf, sqe.bufLen);
      sqe.rxBuf = view(rec.rxBuf, sqe.bufLen);
      sqe.delayMs = rec.delayMs ?? 0;
      sqe.timeoutMs = rec.timeoutMs ?? 0;
      sqe.i2cConfig = rec.i2cConfig ?? 0;
      // A recording cannot hold a function: a CALLBACK replays as one that does nothing, or
      // throws when the recorded one did (its CQE says -EIO): it is host code, not the device's.
      if (rec.op === RTIO_OP_CALLBACK) sqe.callback = this.throwing.has(rec.id) ? throwsLikeRecorded : doesNothing;
      sqe.userdata = rec.id;
      this.sqes.set(rec.id, { rec, sqe, rx: rec.op === RTIO_OP_TXRX ? sqe.rxBuf : sqe.buf, ctx, test: this.test, recorded: [], got: [], blocks: [], canceled: false, recordedHeld: 0 });
    }
    const rc = await ctx.r.submit(0);
    this.submits++;
    if (rc !== 0) throw mismatch('submit', this.sqes.get(line.sqes[0]!.id)!, this.session, '0', resultName(rc), 'the submit failed');
  }

  /** A recorded completion: owed until the replay's own arrives. */
  expect(line: CqeLine): void {
    const s = this.sqeOf(line.sqe);
    if (line.flags & RTIO_CQE_FLAG_MEMPOOL_BUFFER && line.result > 0) s.recordedHeld++;
    if (this.shotsUncounted(s) && line.flags & RTIO_CQE_FLAG_MORE) return;
    s.recorded.push(line);
    s.ctx.owed++;
    this.match(s);
  }

  /**
   * Cancels SQE `id`. What `sqeCancel` answers is not compared: whether a target cancels
   * synchronously is a capability of the target ('sync-cancel'), and the CQEs that follow say
   * what the cancel did.
   */
  cancel(id: number): void {
    const s = this.sqeOf(id);
    s.canceled = true;
    s.ctx.r.sqeCancel(s.sqe);
  }

  /** Gives back the oldest mempool block SQE `id` still holds, as the recorded user did. */
  release(id: number): void {
    const s = this.sqeOf(id);
    s.recordedHeld = Math.max(0, s.recordedHeld - 1);
    const block = s.blocks.shift();
    if (block !== undefined) s.ctx.r.releaseBuffer(block);
  }

  signal(id: number): void {
    sqeSignal(this.sqeOf(id).sqe);
  }

  /** Waits until every recorded completion so far has its replayed counterpart. */
  async catchUp(): Promise<void> {
    for (const ctx of this.contexts.values()) {
      const deadline = this.target.clock.now() + this.waitMs;
      while (ctx.owed > 0) {
        const left = deadline - this.target.clock.now();
        const c = left > 0 ? await ctx.r.cqeConsumeBlock(left) : null;
        if (c === null) {
          const s = [...this.sqes.values()].find((x) => x.ctx === ctx && x.recorded.length > 0)!;
          const want = s.recorded[0]!;
          throw mismatch('missing', s, this.session, `a completion (${resultName(want.result)})`, 'none', `no completion within ${this.waitMs} ms`);
        }
        this.take(ctx, c.result, c.flags, c.userdata);
        ctx.r.cqeRelease(c);
      }
    }
  }

  /** After the last recorded line: lets the target settle, then any completion left is one the recording lacks. */
  async finish(): Promise<void> {
    await this.catchUp();
    await this.target.settle();
    this.drainReady();
    for (const s of this.sqes.values()) {
      for (const b of s.blocks.splice(0)) s.ctx.r.releaseBuffer(b);
      const extra = s.got[0];
      if (extra !== undefined) throw mismatch('extra', s, this.session, 'no completion', resultName(extra.result), 'a completion the recording does not have');
    }
  }

  private take(ctx: Ctx, result: number, flags: number, userdata: unknown): void {
    const s = this.sqes.get(userdata as number);
    if (s === undefined) return;
    let data: Uint8Array | null = null;
    let block: Uint8Array | null = null;
    if (result >= 0 && flags & RTIO_CQE_FLAG_MEMPOOL_BUFFER) {
      block = ctx.r.cqeGetMempoolBuffer({ result, flags, userdata });
      data = block.slice(0, result);
      // A block is held while the recorded user held as many (then its release line gives it
      // back), else given back at once: a stream's surplus shots must not starve its pool.
      if (block.length > 0 && s.blocks.length < s.recordedHeld) s.blocks.push(block);
      else if (block.length > 0) ctx.r.releaseBuffer(block);
      block = null;
    } else if (result >= 0 && s.rx !== null && (s.rec.op === RTIO_OP_RX || s.rec.op === RTIO_OP_TXRX)) {
      data = s.rx.subarray(0, s.rec.op === RTIO_OP_RX ? result : s.rx.length);
    }
    if (this.shotsUncounted(s) && flags & RTIO_CQE_FLAG_MORE) {
      // One shot of a time-driven or cancelled stream: how many come depends on the clock.
      for (const b of s.blocks.splice(0)) ctx.r.releaseBuffer(b);
      this.matched++;
      return;
    }
    s.got.push({ result, flags: flags & 0xff, data: data === null ? undefined : toHex(data), block });
    this.match(s);
  }

  private shotsUncounted(s: Replayed): boolean {
    return s.canceled || this.isTimeDriven(s);
  }

  private isTimeDriven(s: Replayed): boolean {
    return s.rec.iodev !== undefined && this.timeDriven.has(s.rec.iodev);
  }

  private match(s: Replayed): void {
    const stream = ((s.rec.flags ?? 0) & RTIO_SQE_MULTISHOT) !== 0;
    while (s.recorded.length > 0 && s.got.length > 0) {
      const wantMore = (s.recorded[0]!.flags & RTIO_CQE_FLAG_MORE) !== 0;
      const gotMore = (s.got[0]!.flags & RTIO_CQE_FLAG_MORE) !== 0;
      // How many shots a stream gets before its end is the target's pace: a shot one side has
      // and the other lacks is passed over (it succeeded, or it would not carry MORE).
      if (stream && gotMore && !wantMore) {
        const { block } = s.got.shift()!;
        const held = block === null ? -1 : s.blocks.indexOf(block);
        if (held >= 0) s.ctx.r.releaseBuffer(s.blocks.splice(held, 1)[0]!);
        continue;
      }
      if (stream && wantMore && !gotMore) {
        s.recorded.shift();
        s.ctx.owed--;
        continue;
      }
      const want = s.recorded.shift()!;
      const got = s.got.shift()!;
      s.ctx.owed--;
      const exact = !this.isTimeDriven(s);
      const outcome = (r: number): number => (exact || r < 0 ? r : 0);
      if (outcome(want.result) !== outcome(got.result)) throw mismatch('result', s, this.session, resultName(want.result), resultName(got.result), 'results differ');
      if (want.flags !== got.flags) throw mismatch('flags', s, this.session, `0x${want.flags.toString(16)}`, `0x${got.flags.toString(16)}`, 'CQE flags differ');
      if (exact && (want.data ?? '') !== (got.data ?? '')) {
        throw mismatch('data', s, this.session, want.data ?? '(none)', got.data ?? '(none)', firstByteDiff(want.data ?? '', got.data ?? ''));
      }
      this.matched++;
    }
  }

  private ctxOf(ctx: number): Ctx {
    const c = this.contexts.get(ctx);
    if (c === undefined) throw new RangeError(`recording uses context ${ctx} before its "context" line`);
    return c;
  }

  private sqeOf(id: number): Replayed {
    const s = this.sqes.get(id);
    if (s === undefined) throw new RangeError(`recording names SQE #${id} before submitting it`);
    return s;
  }
}
