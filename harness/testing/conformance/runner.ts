/**
 * @file Runs conformance checks as plain async functions: each check on a fresh context,
 * repeated and leak-checked by rtio-fixture's onContext, its outcome a value (passed, failed with
 * the broken rule, or skipped with the reason). The mocha registration (mocha.ts) wraps these.
 */
import { resultName } from '../../rtio';
import type { Rtio } from '../../rtio';
import { remoteFacts } from '../../target/registry';
import type { IodevInfo, IodevKind, Target } from '../../target/target';
import { onContext } from '../rtio-fixture';
import { conformanceChecks } from './checks';
import { CheckContext } from './context';
import type { BusKind, CheckEnv, ConformanceCheck } from './context';
import { probeFor } from './probes';
import type { IodevProbe } from './probes';
import { ConformanceFailure, isConformanceFailure } from './rules';

/** Where the kit gets its target: called before each check; return the open target (the kit never closes it). */
export type TargetSource = () => Target | Promise<Target>;

/** Largest transfer the kit tries when neither the options nor the target say: the TS agent's buffer. */
export const CONFORMANCE_DEFAULT_MAX_TRANSFER_BYTES = 1024;
/** Default bound of a wait for a completion that must come, ms of the target's clock. */
export const CONFORMANCE_COMPLETION_TIMEOUT_MS = 2000;

/** Options of the kit. */
export interface ConformanceOptions {
  /** How to observe the device. Default: the built-in probe for its part (see REFERENCE_PROBES). */
  readonly probe?: IodevProbe;
  /**
   * Largest transfer to try, bytes. Default: the agent's `maxBufferBytes` when the target is
   * remote, else {@link CONFORMANCE_DEFAULT_MAX_TRANSFER_BYTES}.
   */
  readonly maxTransferBytes?: number;
  /**
   * Longest wait for a completion that must come, ms of the target's clock (default
   * {@link CONFORMANCE_COMPLETION_TIMEOUT_MS}): a liveness bound, so that a driver that never
   * completes fails instead of hanging; on a virtual clock it costs no wall time.
   */
  readonly completionTimeoutMs?: number;
  /** Run only the checks with these ids (default: every check of the kind). */
  readonly only?: readonly string[];
  /**
   * Checks to skip, by id, each with its reason (a known bug being fixed elsewhere): the test is
   * still registered, and its title says why it is skipped.
   */
  readonly skip?: Readonly<Record<string, string>>;
  /**
   * The bus kind of a `sensor` iodev: registers only that bus's checks (default: both, the
   * other skipped at run time from the table's `bus` name, `i2c0`, `spi1`).
   */
  readonly bus?: BusKind;
}

/** The outcome of one check. */
export interface CheckResult {
  /** The check. */
  readonly check: ConformanceCheck;
  /** What happened. */
  readonly status: 'passed' | 'failed' | 'skipped';
  /** Why it was skipped. */
  readonly reason?: string;
  /** What failed it: a {@link ConformanceFailure} when a rule was broken, else the error thrown. */
  readonly error?: unknown;
}

/** The outcome of the kit on one iodev. */
export interface ConformanceReport {
  /** The iodev. */
  readonly iodev: string;
  /** The kind it was checked as. */
  readonly kind: IodevKind;
  /** One result per check, in table order. */
  readonly results: readonly CheckResult[];
  /** The rule failures, in table order. */
  readonly failures: readonly ConformanceFailure[];
  /** True when no check failed. */
  readonly passed: boolean;
}

/** The bus kind of an iodev: its kind for `i2c`/`spi`, else from its bus name (`i2c0`, `spi1`), else null. */
export function busKindOf(kind: IodevKind, info: IodevInfo, override?: BusKind): BusKind | null {
  if (kind === 'i2c' || kind === 'spi') return kind;
  if (override !== undefined) return override;
  const bus = info.bus ?? '';
  if (bus.startsWith('i2c')) return 'i2c';
  if (bus.startsWith('spi')) return 'spi';
  return null;
}

/** The table row of iodev `name`; throws the target's RangeError listing the iodevs when there is none. */
export function iodevInfo(target: Target, name: string): IodevInfo {
  target.iodev(name);
  const info = target.iodevs.find((i) => i.name === name);
  if (info === undefined) throw new RangeError(`target "${target.id}" has no table row for iodev "${name}"`);
  return info;
}

/** Why `check` cannot run on iodev `name` of `target` (a capability or probe field it lacks), or null. */
export function skipReason(check: ConformanceCheck, target: Target, name: string, kind: IodevKind, opts: ConformanceOptions = {}): string | null {
  const info = iodevInfo(target, name);
  const known = opts.skip?.[check.id];
  if (known !== undefined) return `known issue: ${known}`;
  if (check.bus !== undefined) {
    const bus = busKindOf(kind, info, opts.bus);
    if (bus !== check.bus) return `iodev "${name}" is not on an ${check.bus.toUpperCase()} bus (bus "${info.bus ?? 'none'}")`;
  }
  for (const cap of check.needsTarget ?? []) {
    if (!target.has(cap)) return `target "${target.id}" lacks "${cap}"`;
  }
  for (const cap of check.needs ?? []) {
    if (!target.has(cap, name)) return `iodev "${name}" of "${target.id}" lacks "${cap}"`;
  }
  const probe = probeFor(info, opts.probe);
  for (const field of check.needsProbe ?? []) {
    if (probe[field] === undefined) return `the probe for part "${info.part ?? '?'}" has no "${field}" (pass opts.probe)`;
  }
  const external = check.usesStream === true ? probe.stream?.external : undefined;
  if (external !== undefined && target.backplane?.has(external.capability, name) !== true) {
    return `the stream of part "${info.part ?? '?'}" is made from outside the board, and the backplane of "${target.id}" lacks "${external.capability}" for "${name}"`;
  }
  const any = check.needsAnyProbe ?? [];
  if (any.length > 0 && any.every((f) => probe[f] === undefined)) {
    return `the probe for part "${info.part ?? '?'}" has none of ${any.map((f) => `"${f}"`).join(', ')} (pass opts.probe)`;
  }
  return null;
}

/** The largest transfer to try on `target`: see {@link ConformanceOptions.maxTransferBytes}. */
export function maxTransferBytes(target: Target, opts: ConformanceOptions = {}): number {
  if (opts.maxTransferBytes !== undefined) {
    if (!Number.isInteger(opts.maxTransferBytes) || opts.maxTransferBytes < 8) {
      throw new RangeError(`"maxTransferBytes" must be an integer >= 8, got ${String(opts.maxTransferBytes)}`);
    }
    return opts.maxTransferBytes;
  }
  // A RemoteTarget carries its agent's hello; the Target interface has no limits field yet.
  const agent = (target as { hello?: { maxBufferBytes?: unknown } }).hello?.maxBufferBytes;
  return typeof agent === 'number' && agent >= 8 ? agent : CONFORMANCE_DEFAULT_MAX_TRANSFER_BYTES;
}

/** Completions for SQE ids not in flight that a remote target counted (its `strayCqes`), else 0. */
function remoteStrays(target: Target): number {
  const n = (target as { strayCqes?: unknown }).strayCqes;
  return typeof n === 'number' ? n : 0;
}

/** After a run: nothing completed twice or late, nothing stray. */
async function postconditions(ctx: CheckContext, r: Rtio, strays0: number, remote0: number): Promise<void> {
  await ctx.target.settle();
  const extra = await r.cqeCopyOut(r.cqReady + r.cqOverflowPending, 0);
  ctx.expect('one-cqe-per-sqe', extra.length === 0, () => `${extra.length} CQE(s) after every SQE of the check had completed: ` +
    extra.map((c) => `"${String(c.userdata)}"=${resultName(c.result)}`).join(', '));
  const strays = r.strayCompletions - strays0;
  ctx.expect('one-cqe-per-sqe', strays === 0, `the iodev completed ${strays} SQE(s) that were not running ` +
    '(r.strayCompletions): it completed an SQE twice, or one it was never given');
  const remote = remoteStrays(ctx.target) - remote0;
  ctx.expect('one-cqe-per-sqe', remote === 0, `the agent sent ${remote} CQE(s) for SQEs not in flight (target.strayCqes)`);
}

/**
 * Runs `check` on iodev `name` of `target`: rtio-fixture's TEST_REPEATS times on one fresh context,
 * each followed by the kit's postconditions and rtio-fixture's leak check. Never throws for a
 * broken rule: the result says. Faults left armed are cleared afterwards.
 */
export async function runConformanceCheck(
  check: ConformanceCheck, target: Target, name: string, kind: IodevKind, opts: ConformanceOptions = {},
): Promise<CheckResult> {
  const reason = skipReason(check, target, name, kind, opts);
  if (reason !== null) return { check, status: 'skipped', reason };
  const info = iodevInfo(target, name);
  const env: CheckEnv = {
    target,
    iodevName: name,
    iodev: target.iodev(name),
    info,
    probe: probeFor(info, opts.probe),
    maxTransferBytes: maxTransferBytes(target, opts),
    completionTimeoutMs: opts.completionTimeoutMs ?? CONFORMANCE_COMPLETION_TIMEOUT_MS,
    checkId: check.id,
  };
  let fromBody = false;
  try {
    await onContext(target, async (r, run) => {
      const strays0 = r.strayCompletions;
      const remote0 = remoteStrays(target);
      const ctx = new CheckContext(env, r, run);
      try {
        await check.run(ctx);
        await postconditions(ctx, r, strays0, remote0);
      } catch (e) {
        fromBody = true;
        throw e;
      }
    }, check.context);
    return { check, status: 'passed' };
  } catch (e) {
    if (fromBody || isConformanceFailure(e)) return { check, status: 'failed', error: withLinkFailure(e, target) };
    // What onContext's expectNoLeak found after a run that passed.
    const detail = e instanceof Error ? e.message : String(e);
    return { check, status: 'failed', error: new ConformanceFailure('no-leak', name, check.id, detail) };
  } finally {
    if (target.has('fault-injection')) target.clearFaults();
  }
}

/**
 * The checks the kit runs for `kind`, narrowed to `opts.only`; with `opts.bus`, without the
 * checks of other buses (a sensor's table has both I2C and SPI checks).
 */
export function selectChecks(kind: IodevKind, opts: ConformanceOptions = {}): readonly ConformanceCheck[] {
  const bus = opts.bus;
  const all = conformanceChecks(kind).filter((c) => bus === undefined || c.bus === undefined || c.bus === bus);
  if (opts.only === undefined) return all;
  const unknown = opts.only.filter((id) => !all.some((c) => c.id === id));
  if (unknown.length > 0) {
    throw new RangeError(`"only" names checks the kit has not for kind "${kind}": ${unknown.join(', ')}; it has: ${all.map((c) => c.id).join(', ')}`);
  }
  return all.filter((c) => opts.only!.includes(c.id));
}

/**
 * Runs every check of `kind` (or `opts.only`) on iodev `name`, one after the other, and returns
 * the report. `source` is called before each check.
 */
export async function runIodevConformance(
  source: TargetSource, name: string, kind: IodevKind, opts: ConformanceOptions = {},
): Promise<ConformanceReport> {
  const results: CheckResult[] = [];
  for (const check of selectChecks(kind, opts)) results.push(await runConformanceCheck(check, await source(), name, kind, opts));
  const failures = results.flatMap((r) => (r.status === 'failed' && isConformanceFailure(r.error) ? [r.error] : []));
  return { iodev: name, kind, results, failures, passed: results.every((r) => r.status !== 'failed') };
}

/**
 * `e`, saying also how the target's link had failed when it had: every result it cut off reads
 * `-ENOTCONN` or `-ECONNRESET`, which says nothing about the iodev under test.
 */
function withLinkFailure(e: unknown, target: Target): unknown {
  const link = remoteFacts(target).lastError;
  if (link === null || link === undefined || !isConformanceFailure(e)) return e;
  return new ConformanceFailure(e.rule, e.iodev, e.check, `${e.detail} (the target's link had failed: ${link.name}: ${link.message})`);
}
