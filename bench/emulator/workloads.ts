/**
 * The emulator bench's workloads, one per process (index.ts runs them): RTIO's chained I2C pairs,
 * the naive baseline on the same models, NOPs, and the heap an in-flight SQE costs. Rates are per
 * CPU-second of this process (user + system, GC threads included), measured after a warm-up, so
 * that another process busy on the same cores slows the wall clock, not the figure. Given turns
 * (../turns.ts), a workload measures in {@link TURN_BLOCKS} blocks, one per turn.
 */
import { TMP102_DEFAULT_ADDRESS } from '../../harness/emulator/devices/tmp102';
import { testIodevScript } from '../../harness/emulator/iodevs/test-iodev';
// The modules themselves, as for the naive workload: CommonJS re-exports through the barrels are
// getters that an ES module import (what a user's code gets) does not pay on every call.
import { RTIO_PRIO_NORM, RTIO_SQE_CHAINED } from '../../harness/rtio/constants';
import { Rtio } from '../../harness/rtio/context';
import { sqePrepNop, sqePrepRead, sqePrepTinyWrite } from '../../harness/rtio/prep';
import { EmulatorTarget } from '../../harness/emulator/emulator-target';
import type { Turn } from '../turns';

/** SQEs per submit in the NOP workload. */
export const NOP_BATCH = 64;
/** Chains (pointer write → 2-byte read) per submit in the chained workload. */
export const PAIR_BATCH = 16;
/** SQEs held in flight for the heap measurement. */
export const INFLIGHT = 50_000;
/** Wall ms each workload runs before it measures (the JIT settles). */
export const WARMUP_MS = 300;
/** Blocks a workload given turns measures in, each in a turn of its own. */
export const TURN_BLOCKS = 10;

/** What one workload process reports: named figures. */
export type Figures = Record<string, number>;

/**
 * Runs `batch` (which returns how many operations it did) for `ms` of wall time after a warm-up,
 * in {@link TURN_BLOCKS} blocks each after `turn` when given one; operations per CPU-second.
 */
async function perCpuSecond(ms: number, batch: () => Promise<number>, turn: Turn | null): Promise<number> {
  for (const t0 = performance.now(); performance.now() - t0 < WARMUP_MS;) await batch();
  const blocks = turn === null ? 1 : TURN_BLOCKS;
  let ops = 0;
  let cpuUs = 0;
  for (let b = 0; b < blocks; b++) {
    if (turn !== null) await turn();
    const c0 = process.cpuUsage();
    for (const t0 = performance.now(); performance.now() - t0 < ms / blocks;) ops += await batch();
    const cpu = process.cpuUsage(c0);
    cpuUs += cpu.user + cpu.system;
  }
  return Math.round(ops / (cpuUs / 1e6));
}

/** NOP SQE → CQE through the public API, {@link NOP_BATCH} per submit. */
async function nop(ms: number, turn: Turn | null): Promise<Figures> {
  const r = new Rtio({ sqSize: NOP_BATCH, cqSize: NOP_BATCH });
  const perSec = await perCpuSecond(ms, async () => {
    for (let i = 0; i < NOP_BATCH; i++) sqePrepNop(r.sqeAcquire()!, null, i);
    await r.submit(NOP_BATCH);
    let n = 0;
    for (let c = r.cqeConsume(); c !== null; c = r.cqeConsume()) {
      if (c.result !== 0) throw new Error(`NOP failed: ${c.result}`);
      r.cqeRelease(c);
      n++;
    }
    return n;
  }, turn);
  return { nopPerCpuSec: perSec };
}

/** TMP102 pointer write chained to a 2-byte read on temp0, {@link PAIR_BATCH} chains per submit. */
async function rtioPairs(ms: number, turn: Turn | null): Promise<Figures> {
  const target = new EmulatorTarget();
  const temp = target.iodev('temp0');
  const r = new Rtio({ sqSize: 2 * PAIR_BATCH, cqSize: 2 * PAIR_BATCH, clock: target.clock });
  const ptr = Uint8Array.of(0);
  const bufs = Array.from({ length: PAIR_BATCH }, () => new Uint8Array(2));
  const perSec = await perCpuSecond(ms, async () => {
    for (let i = 0; i < PAIR_BATCH; i++) {
      const w = r.sqeAcquire()!;
      sqePrepTinyWrite(w, temp, RTIO_PRIO_NORM, ptr, 1, i);
      w.flags |= RTIO_SQE_CHAINED;
      sqePrepRead(r.sqeAcquire()!, temp, RTIO_PRIO_NORM, bufs[i]!, 2, i);
    }
    await r.submit(2 * PAIR_BATCH);
    for (let c = r.cqeConsume(); c !== null; c = r.cqeConsume()) {
      if (c.result < 0) throw new Error(`chain failed: ${c.result}`);
      r.cqeRelease(c);
    }
    return PAIR_BATCH;
  }, turn);
  return { pairsPerCpuSec: perSec };
}

/**
 * The baseline: the same pointer write and read on the same bus, device model and virtual clock,
 * each transfer one awaited promise that the clock's timer resolves (what a user would write
 * without RTIO).
 */
async function naivePairs(ms: number, turn: Turn | null): Promise<Figures> {
  const target = new EmulatorTarget();
  const { i2c0 } = target.board.devices;
  const clock = target.clock;
  const transfer = (read: boolean, buf: Uint8Array): Promise<number> =>
    new Promise<number>((resolve) => {
      const res = i2c0.transfer(TMP102_DEFAULT_ADDRESS, [{ read, buf, len: buf.length }]);
      clock.setTimer(clock.now() + res.durationMs, resolve, res.status);
      clock.step();
    });
  const ptr = Uint8Array.of(0);
  const buf = new Uint8Array(2);
  const perSec = await perCpuSecond(ms, async () => {
    for (let i = 0; i < PAIR_BATCH; i++) {
      if ((await transfer(false, ptr)) !== 0 || (await transfer(true, buf)) !== 0) throw new Error('naive transfer failed');
    }
    return PAIR_BATCH;
  }, turn);
  return { naivePairsPerCpuSec: perSec };
}

/** Heap per in-flight SQE: {@link INFLIGHT} of them held by the test iodev, SQE and CQE pools included. */
async function heap(): Promise<Figures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:emulator does)');
  const target = new EmulatorTarget();
  const test0 = target.iodev('test0');
  const hang = testIodevScript({ hang: true });
  gc();
  const before = process.memoryUsage().heapUsed;
  const r = new Rtio({ sqSize: INFLIGHT, cqSize: INFLIGHT, clock: target.clock });
  for (let i = 0; i < INFLIGHT; i++) {
    const sqe = r.sqeAcquire()!;
    sqePrepNop(sqe, test0, i);
    sqe.iodevFlags = hang;
  }
  await r.submit(0);
  target.clock.runUntilIdle();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (r.inflight !== INFLIGHT) throw new Error(`expected ${INFLIGHT} in flight, have ${r.inflight}`);
  return { bytesPerInflightSqe: Math.round((after - before) / INFLIGHT) };
}

/** What a 10 ms device delay costs: 10 ms of virtual time, and the wall time of one submit. */
async function delay(): Promise<Figures> {
  const target = new EmulatorTarget();
  const r = new Rtio({ sqSize: 1, cqSize: 1, clock: target.clock });
  const sqe = r.sqeAcquire()!;
  sqePrepNop(sqe, target.iodev('test0'), 'delay');
  sqe.iodevFlags = testIodevScript({ delayMs: 10 });
  const v0 = target.clock.now();
  const w0 = performance.now();
  await r.submit(1);
  return { delayVirtualMs: target.clock.now() - v0, delayWallMs: Math.round((performance.now() - w0) * 1000) / 1000 };
}

/** The workloads by name; each takes the wall ms to measure for and, to measure in turns, its turns (the rest ignore them). */
export const WORKLOADS: Readonly<Record<string, (ms: number, turn: Turn | null) => Promise<Figures>>> = {
  naive: naivePairs,
  pairs: rtioPairs,
  nop,
  heap,
  delay,
};
