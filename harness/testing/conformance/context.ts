/**
 * @file What a conformance check sees while it runs: the target, the iodev, its table row and
 * probe, a fresh context, and helpers to queue operations and to wait, within a bound, for the
 * completions they must produce.
 */
import {
  resultName, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION, sqePrepDelay, sqePrepRead,
  sqePrepTransceive, sqePrepWrite,
} from '../../rtio';
import type { CqeData, Iodev, Rtio, RtioOptions, Sqe } from '../../rtio';
import type { IodevCapability, TargetCapability } from '../../target/capabilities';
import type { IodevInfo, Target } from '../../target/target';
import type { ExpectedByte, IodevProbe } from './probes';
import type { RuleId } from './rules';
import { ConformanceFailure } from './rules';

/** The bus kinds checks can be specific to. */
export type BusKind = 'i2c' | 'spi';

/** One check of the kit: a table row the runner turns into a test. */
export interface ConformanceCheck {
  /** Stable id, e.g. `'i2c.write-read-transaction'`. */
  readonly id: string;
  /** What it shows, as a test title. */
  readonly title: string;
  /** The rule a failure most likely breaks (a check may name another in its failure). */
  readonly rule: RuleId;
  /** Iodev capabilities (from the iodev table) the check needs; a missing one is a skip. */
  readonly needs?: readonly IodevCapability[];
  /** Target capabilities the check needs, e.g. `'fault-injection'`. */
  readonly needsTarget?: readonly TargetCapability[];
  /** Only for iodevs on this kind of bus (from the table's `bus`, e.g. `'i2c0'`). */
  readonly bus?: BusKind;
  /** Probe fields the check needs; a missing one is a skip naming it. */
  readonly needsProbe?: readonly (keyof IodevProbe)[];
  /** Probe fields of which the check needs at least one. */
  readonly needsAnyProbe?: readonly (keyof IodevProbe)[];
  /** The check streams the device's events (probe.stream): a stream made from outside needs the target's backplane. */
  readonly usesStream?: boolean;
  /** Context geometry, when the suite default does not fit. */
  readonly context?: Partial<Omit<RtioOptions, 'clock'>>;
  /**
   * Runs once per repeat, on a context fresh for the check and kept across its repeats; throws a
   * ConformanceFailure when a rule is broken.
   */
  run(ctx: CheckContext): Promise<void>;
}

/** What the runner gives a check besides its context. */
export interface CheckEnv {
  /** The target the iodev lives on. */
  readonly target: Target;
  /** The iodev's name in the table. */
  readonly iodevName: string;
  /** The iodev under test. */
  readonly iodev: Iodev;
  /** Its row of the iodev table. */
  readonly info: IodevInfo;
  /** How to observe it. */
  readonly probe: IodevProbe;
  /** Largest transfer to try, bytes. */
  readonly maxTransferBytes: number;
  /** Longest wait for a completion that must come, ms of the context's clock. */
  readonly completionTimeoutMs: number;
  /** The check's id. */
  readonly checkId: string;
}

/** Completions collected by {@link CheckContext.collect}, by userdata and in arrival order. */
export class Completions {
  /** Userdata in the order their CQEs arrived. */
  readonly order: string[] = [];
  private readonly byUd = new Map<string, CqeData>();

  /** @internal */
  add(ud: string, c: CqeData): void {
    this.order.push(ud);
    this.byUd.set(ud, c);
  }

  /** The CQE of `ud`; throws if none was collected (a bug in the check). */
  get(ud: string): CqeData {
    const c = this.byUd.get(ud);
    if (c === undefined) throw new Error(`no completion collected for "${ud}"`);
    return c;
  }

  /** The result of `ud`. */
  result(ud: string): number {
    return this.get(ud).result;
  }

  /** `ud=result` for each of `uds`, as messages show them. */
  show(uds: readonly string[] = this.order): string {
    return uds.map((u) => `${u}=${this.byUd.has(u) ? resultName(this.result(u)) : 'none'}`).join(', ');
  }
}

/** `bytes` as hex, e.g. `[60 a0]`. */
export function hex(bytes: ArrayLike<number>): string {
  return `[${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')}]`;
}

/** True when `got` starts with `want` (null bytes of `want` match anything). */
export function bytesMatch(got: ArrayLike<number>, want: readonly ExpectedByte[] | Uint8Array): boolean {
  if (got.length < want.length) return false;
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    if (w !== null && w !== undefined && got[i] !== w) return false;
  }
  return true;
}

/** `want` as hex with `..` for ignored bytes. */
export function showExpected(want: readonly ExpectedByte[] | Uint8Array): string {
  return `[${Array.from(want as ArrayLike<ExpectedByte>, (b) => (b === null ? '..' : b.toString(16).padStart(2, '0'))).join(' ')}]`;
}

/**
 * A check's view of one run: the context `r` (fresh for the check, reused across its repeats),
 * the iodev and helpers. Every wait is bounded by `completionTimeoutMs` on the context's clock,
 * so a driver that never completes fails the check instead of hanging it.
 */
export class CheckContext {
  /** The target the iodev lives on. */
  readonly target: Target;
  /** The iodev under test. */
  readonly iodev: Iodev;
  /** Its row of the iodev table. */
  readonly info: IodevInfo;
  /** How to observe it. */
  readonly probe: IodevProbe;

  constructor(readonly env: CheckEnv, readonly r: Rtio, readonly run: number) {
    this.target = env.target;
    this.iodev = env.iodev;
    this.info = env.info;
    this.probe = env.probe;
  }

  /** Bytes of the plain reads used as a harmless operation. */
  get readLen(): number {
    return this.probe.readLen ?? 2;
  }

  /** Throws the {@link ConformanceFailure} of `rule`. */
  fail(rule: RuleId, detail: string): never {
    throw new ConformanceFailure(rule, this.env.iodevName, this.env.checkId, detail);
  }

  /** Fails `rule` with `detail` unless `cond`. */
  expect(rule: RuleId, cond: boolean, detail: string | (() => string)): void {
    if (!cond) this.fail(rule, typeof detail === 'string' ? detail : detail());
  }

  /** Acquires an SQE; fails (a bug of the check, or a leak) when the SQ is full. */
  acquire(): Sqe {
    const sqe = this.r.sqeAcquire();
    if (sqe === null) this.fail('no-leak', `no free SQE (${this.r.sqSize} in the pool, ${this.r.inflight} in flight)`);
    return sqe;
  }

  /** Queues a read of `len` bytes on the iodev; returns the SQE and its buffer. */
  rx(ud: string, len: number, iodevFlags = 0): { sqe: Sqe; buf: Uint8Array } {
    const buf = new Uint8Array(len);
    const sqe = this.acquire();
    sqePrepRead(sqe, this.iodev, RTIO_PRIO_NORM, buf, len, ud);
    sqe.iodevFlags = iodevFlags;
    return { sqe, buf };
  }

  /** Queues a write of `bytes` on the iodev. */
  tx(ud: string, bytes: Uint8Array): Sqe {
    const sqe = this.acquire();
    sqePrepWrite(sqe, this.iodev, RTIO_PRIO_NORM, bytes, bytes.length, ud);
    return sqe;
  }

  /** Queues a full-duplex transfer of `tx`; returns the SQE and the receive buffer. */
  txrx(ud: string, tx: Uint8Array): { sqe: Sqe; buf: Uint8Array } {
    const buf = new Uint8Array(tx.length);
    const sqe = this.acquire();
    sqePrepTransceive(sqe, this.iodev, RTIO_PRIO_NORM, tx, buf, tx.length, ud);
    return { sqe, buf };
  }

  /** Queues a DELAY of `ms` on the context's clock. */
  delay(ud: string, ms: number): Sqe {
    const sqe = this.acquire();
    sqePrepDelay(sqe, ms, ud);
    return sqe;
  }

  /**
   * Queues a write-then-read as one transaction (`<ud>:w` writes `tx`, `<ud>:r` reads `len`
   * bytes), or a plain read `<ud>:r` when `tx` is empty. Returns the SQEs (head first) and the
   * read's buffer.
   */
  writeRead(ud: string, tx: Uint8Array, len: number): { head: Sqe; last: Sqe; buf: Uint8Array; uds: string[] } {
    if (tx.length === 0) {
      const { sqe, buf } = this.rx(`${ud}:r`, len);
      return { head: sqe, last: sqe, buf, uds: [`${ud}:r`] };
    }
    const head = this.tx(`${ud}:w`, tx);
    head.flags |= RTIO_SQE_TRANSACTION;
    const { sqe, buf } = this.rx(`${ud}:r`, len);
    return { head, last: sqe, buf, uds: [`${ud}:w`, `${ud}:r`] };
  }

  /** Links `sqes` into one chain (CHAINED on every SQE but the last). */
  chain(...sqes: Sqe[]): void {
    for (const sqe of sqes.slice(0, -1)) sqe.flags |= RTIO_SQE_CHAINED;
  }

  /** Submits what is queued without waiting. */
  async submit(): Promise<void> {
    await this.r.submit(0);
  }

  /**
   * Waits for exactly one CQE for each of `uds` (in any order), within the completion bound.
   * A missing CQE fails `missingRule` (default `one-cqe-per-sqe`) naming the SQEs that never
   * completed; a second CQE for one SQE, or one nobody expected, fails `one-cqe-per-sqe`.
   */
  async collect(uds: readonly string[], missingRule: RuleId = 'one-cqe-per-sqe'): Promise<Completions> {
    const want = new Set(uds);
    const got = new Completions();
    const clock = this.r.clock;
    const limit = this.env.completionTimeoutMs;
    const deadline = clock.now() + limit;
    while (got.order.length < want.size) {
      const left = Math.max(0, deadline - clock.now());
      const [c] = await this.r.cqeCopyOut(1, left);
      if (c === undefined) {
        const missing = uds.filter((u) => !got.order.includes(u));
        this.fail(missingRule, `no CQE for ${missing.map((u) => `"${u}"`).join(', ')} within ${limit} ms` +
          (got.order.length > 0 ? ` (completed: ${got.show()})` : ' (nothing completed)') +
          '; the iodev never completed it');
      }
      const ud = String(c.userdata);
      if (!want.has(ud)) this.fail('one-cqe-per-sqe', `a CQE for "${ud}", which this check did not expect now (result ${resultName(c.result)})`);
      if (got.order.includes(ud)) {
        this.fail('one-cqe-per-sqe', `"${ud}" completed twice (${resultName(got.result(ud))}, then ${resultName(c.result)})`);
      }
      got.add(ud, c);
    }
    return got;
  }

  /**
   * The next CQE, whoever it is for, within the completion bound (for streams, whose CQEs share
   * one userdata); none fails `rule` naming `what` was awaited.
   */
  async next(rule: RuleId, what: string): Promise<CqeData> {
    const limit = this.env.completionTimeoutMs;
    const [c] = await this.r.cqeCopyOut(1, limit);
    if (c === undefined) this.fail(rule, `no CQE for ${what} within ${limit} ms; the iodev never completed it`);
    return c;
  }

  /** Submits what is queued and collects the CQEs of `uds`; see {@link CheckContext.collect}. */
  async run1(uds: readonly string[], missingRule?: RuleId): Promise<Completions> {
    await this.submit();
    return this.collect(uds, missingRule);
  }

  /** Fails `rule` unless the CQEs of `uds` arrived in that order. */
  expectOrder(rule: RuleId, got: Completions, uds: readonly string[], what: string): void {
    const seen = got.order.filter((u) => uds.includes(u));
    this.expect(rule, seen.join(',') === uds.join(','), () => `${what}: CQEs came as ${seen.join(', ')}, not ${uds.join(', ')}`);
  }

  /** Fails `rule` unless each `[ud, result]` pair matches. */
  expectResults(rule: RuleId, got: Completions, want: readonly (readonly [string, number])[], what: string): void {
    const bad = want.filter(([u, res]) => got.result(u) !== res);
    this.expect(rule, bad.length === 0, () => `${what}: got ${got.show(want.map(([u]) => u))}, ` +
      `expected ${want.map(([u, res]) => `${u}=${resultName(res)}`).join(', ')}`);
  }
}
