/**
 * @file The soak's workload: a mix of SQEs kept in flight on a target for a while, each result
 * checked: NOPs, reads of test0's pattern (some of 256 bytes: long frames), TMP102 and flash
 * identity transactions, EEPROM
 * write-then-verify chains, cancels and timeouts. It counts what a bad link could do to them:
 * completions lost, duplicated, wrong or late, and sessions lost (the target is then reopened).
 */
import {
  ECANCELED, ECONNRESET, ENOTCONN, ETIMEDOUT, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION, Rtio,
  sqePrepDelay, sqePrepNop, sqePrepRead, sqePrepTinyWrite, sqePrepWrite,
} from '../../harness';
import type { Sqe } from '../../harness';
import { testIodevPattern, testIodevScript } from '../../harness/emulator/iodevs/test-iodev';
import { Rand } from '../../harness/testing/differential/random';
import type { Target } from '../../harness/target/target';

/**
 * SQEs the workload keeps in flight (fewer when the agent holds fewer: SQEs waiting on the host
 * for room on the agent have not started, and their timeouts with them).
 */
export const SOAK_IN_FLIGHT = 48;

/** What a run of the workload saw. */
export interface SoakCounts {
  /** SQEs completed as expected. */
  ops: number;
  /** SQEs that never completed (after the drain at the end). */
  lost: number;
  /** CQEs for an SQE that had already completed. */
  duplicated: number;
  /** Completions with the wrong result or data. */
  wrong: number;
  /** Completions after their deadline (their timeout plus the allowance). */
  late: number;
  /** How far past its deadline the latest of them came, ms (0 when none was late). */
  maxLateMs: number;
  /** Sessions that ended (a reset, a link timeout); the target was opened again. */
  sessionsLost: number;
  /** SQEs that ended with the session (-ECONNRESET or -ENOTCONN): counted apart, not wrong. */
  endedWithSession: number;
  /** Wall seconds the run took, drain excluded. */
  seconds: number;
  /** For each {@link WorkloadOptions.markReset} call: ms until the SQEs in flight ended with the session. */
  resetToEndMs: number[];
}

/** One job: a chain of SQEs and how to check it. */
interface Job {
  readonly kind: string;
  readonly sqes: Sqe[];
  readonly expect: (results: readonly number[]) => string | null;
  /** Host time by which every SQE must have completed, or Infinity. */
  readonly deadline: number;
  readonly results: number[];
  done: number;
  readonly start: number;
}

/** Options of {@link runWorkload}. */
export interface WorkloadOptions {
  /** Seconds of workload. */
  readonly seconds: number;
  readonly seed: number;
  /** Opens the target (again, after a lost session). */
  readonly open: () => Promise<Target>;
  /** Allowance beyond an SQE's timeout before its completion counts as late, ms. */
  readonly allowanceMs: number;
  /** Called as the workload runs (at least every 100 ms), to act on the link: a reset, a stall. */
  readonly during?: (elapsedMs: number, markReset: () => void) => void;
}

const EEPROM_SLOTS = 64;

/** Runs the workload; see the file comment. */
export async function runWorkload(opts: WorkloadOptions): Promise<SoakCounts> {
  const counts: SoakCounts = { ops: 0, lost: 0, duplicated: 0, wrong: 0, late: 0, maxLateMs: 0, sessionsLost: 0, endedWithSession: 0, seconds: 0, resetToEndMs: [] };
  let resetAt: number | null = null;
  const markReset = (): void => {
    resetAt = performance.now();
  };
  const rand = new Rand(opts.seed);
  let target = await opts.open();
  const inFlight = (): number => Math.min(SOAK_IN_FLIGHT, (target as { hello?: { maxSqes: number } }).hello?.maxSqes ?? SOAK_IN_FLIGHT);
  let r = new Rtio({ sqSize: 128, cqSize: 128, mempool: { blockSize: 16, blockCount: 64 } });
  const jobs = new Set<Job>();
  let eepromBusy = false;
  let eepromSlot = 0;
  const started = performance.now();
  const wrong = (job: Job, why: string): void => {
    counts.wrong++;
    if (counts.wrong <= 5) console.error(`soak: wrong ${job.kind}: ${why}`);
  };

  const submitJob = async (): Promise<void> => {
    const kind = rand.weighted({ nop: 40, read: 15, bulk: 5, temp: 15, jedec: 10, eeprom: eepromBusy ? 0 : 5, cancel: 5, timeout: 5 });
    const sqes: Sqe[] = [];
    const now = performance.now();
    const add = (prep: (s: Sqe) => void, flags = 0): Sqe => {
      const s = r.sqeAcquire()!;
      prep(s);
      s.flags |= flags;
      sqes.push(s);
      return s;
    };
    let expect: Job['expect'];
    let deadline = Infinity;
    switch (kind) {
      case 'nop':
        add((s) => sqePrepNop(s, target.iodev('test0')));
        expect = (res) => (res[0] === 0 ? null : `result ${res[0]}`);
        break;
      case 'read': {
        const buf = new Uint8Array(16);
        add((s) => sqePrepRead(s, target.iodev('test0'), RTIO_PRIO_NORM, buf, 16));
        const want = testIodevPattern(16);
        expect = (res) => (res[0] !== 16 ? `result ${res[0]}` : buf.every((b, i) => b === want[i]) ? null : 'data');
        break;
      }
      case 'bulk': {
        // Long frames: a noisy line hits them most.
        const buf = new Uint8Array(256);
        add((s) => sqePrepRead(s, target.iodev('test0'), RTIO_PRIO_NORM, buf, 256));
        const want = testIodevPattern(256);
        expect = (res) => (res[0] !== 256 ? `result ${res[0]}` : buf.every((b, i) => b === want[i]) ? null : 'data');
        break;
      }
      case 'temp': {
        const buf = new Uint8Array(2);
        add((s) => sqePrepTinyWrite(s, target.iodev('temp0'), RTIO_PRIO_NORM, Uint8Array.of(1), 1), RTIO_SQE_TRANSACTION);
        add((s) => sqePrepRead(s, target.iodev('temp0'), RTIO_PRIO_NORM, buf, 2));
        expect = (res) => (res[0] !== 1 || res[1] !== 2 ? `results ${res.join(',')}` : buf[0] === 0x60 && buf[1] === 0xa0 ? null : 'config');
        break;
      }
      case 'jedec': {
        const buf = new Uint8Array(3);
        add((s) => sqePrepTinyWrite(s, target.iodev('flash0'), RTIO_PRIO_NORM, Uint8Array.of(0x9f), 1), RTIO_SQE_TRANSACTION);
        add((s) => sqePrepRead(s, target.iodev('flash0'), RTIO_PRIO_NORM, buf, 3));
        expect = (res) => (res[1] !== 3 ? `results ${res.join(',')}` : buf[0] === 0xef && buf[1] === 0x40 && buf[2] === 0x14 ? null : 'id');
        break;
      }
      case 'eeprom': {
        eepromBusy = true;
        const addr = 0x800 + 32 * (eepromSlot++ % EEPROM_SLOTS);
        const data = Uint8Array.from(rand.bytes(8));
        const back = new Uint8Array(8);
        add((s) => sqePrepWrite(s, target.iodev('eeprom0'), RTIO_PRIO_NORM, Uint8Array.of(addr >> 8, addr & 0xff, ...data), 10), RTIO_SQE_CHAINED);
        add((s) => sqePrepDelay(s, 6), RTIO_SQE_CHAINED);
        add((s) => sqePrepTinyWrite(s, target.iodev('eeprom0'), RTIO_PRIO_NORM, Uint8Array.of(addr >> 8, addr & 0xff), 2), RTIO_SQE_TRANSACTION);
        add((s) => sqePrepRead(s, target.iodev('eeprom0'), RTIO_PRIO_NORM, back, 8));
        expect = (res) => {
          eepromBusy = false;
          if (res.join(',') !== '10,0,2,8') return `results ${res.join(',')}`;
          return back.every((b, i) => b === data[i]) ? null : 'read back other bytes';
        };
        break;
      }
      case 'cancel': {
        const s = add((x) => sqePrepNop(x, target.iodev('test0')));
        s.iodevFlags = testIodevScript({ hang: true });
        expect = (res) => (res[0] === -ECANCELED ? null : `result ${res[0]}`);
        break;
      }
      default: {
        const s = add((x) => sqePrepNop(x, target.iodev('test0')));
        s.iodevFlags = testIodevScript({ hang: true });
        s.timeoutMs = 20;
        deadline = now + 20 + opts.allowanceMs;
        expect = (res) => (res[0] === -ETIMEDOUT ? null : `result ${res[0]}`);
      }
    }
    const job: Job = { kind, sqes, expect, deadline, results: sqes.map(() => NaN), done: 0, start: now };
    sqes.forEach((s, i) => {
      s.userdata = { job, i };
    });
    jobs.add(job);
    await r.submit(0);
    if (kind === 'cancel') r.sqeCancel(sqes[0]!);
  };

  const onCqe = (ud: { job: Job; i: number }, result: number): void => {
    const { job, i } = ud;
    if (!Number.isNaN(job.results[i]!)) {
      counts.duplicated++;
      return;
    }
    job.results[i] = result;
    if (resetAt !== null && (result === -ECONNRESET || result === -ENOTCONN)) {
      counts.resetToEndMs.push(performance.now() - resetAt);
      resetAt = null;
    }
    if (++job.done < job.sqes.length) return;
    jobs.delete(job);
    if (job.kind === 'eeprom') eepromBusy = false;
    const lateMs = performance.now() - job.deadline;
    if (lateMs > 0) {
      counts.late++;
      counts.maxLateMs = Math.max(counts.maxLateMs, lateMs);
    }
    if (job.results.some((x) => x === -ECONNRESET || x === -ENOTCONN)) {
      counts.endedWithSession += job.sqes.length;
      return;
    }
    const why = job.expect(job.results);
    if (why === null) counts.ops += job.sqes.length;
    else wrong(job, why);
  };

  const consume = async (ms: number): Promise<boolean> => {
    const c = await r.cqeConsumeBlock(ms);
    if (c === null) return false;
    onCqe(c.userdata as { job: Job; i: number }, c.result);
    r.cqeRelease(c);
    for (let x = r.cqeConsume(); x !== null; x = r.cqeConsume()) {
      onCqe(x.userdata as { job: Job; i: number }, x.result);
      r.cqeRelease(x);
    }
    return true;
  };

  const endMs = opts.seconds * 1000;
  while (performance.now() - started < endMs) {
    opts.during?.(performance.now() - started, markReset);
    const failed = (target as { lastError?: Error | null }).lastError;
    if (failed !== null && failed !== undefined) {
      // Everything in flight ended with the session; drain it, then carry on with a new one.
      while (r.inflight > 0 && (await consume(2000)));
      counts.sessionsLost++;
      await target.close();
      target = await opts.open();
      r = new Rtio({ sqSize: 128, cqSize: 128, mempool: { blockSize: 16, blockCount: 64 } });
      eepromBusy = false;
      jobs.clear();
      continue;
    }
    while (r.inflight + 4 <= inFlight() && r.sqeAcquirable() >= 4) await submitJob();
    await consume(100);
  }
  counts.seconds = (performance.now() - started) / 1000;
  // Drain: whatever is still out must come back.
  const drainUntil = performance.now() + 10_000;
  while (r.inflight > 0 && performance.now() < drainUntil) await consume(drainUntil - performance.now());
  for (const job of jobs) counts.lost += job.sqes.length - job.done;
  if (counts.lost > 0) console.error(`soak: lost ${[...jobs].map((j) => `${j.kind} (${j.done}/${j.sqes.length} done)`).join(', ')}`);
  await target.close();
  return counts;
}
