/**
 * Emulator benchmark: RTIO throughput through the public API against a naive
 * promise-per-operation baseline on the same device models, measured in the same run.
 * Run: npm run bench:emulator. Prints figures, then one JSON line.
 */
import { TMP102_DEFAULT_ADDRESS } from '../../harness/emulator/devices/tmp102';
import { testIodevScript } from '../../harness/emulator/iodevs/test-iodev';
import {
  RTIO_PRIO_NORM, RTIO_SQE_CHAINED, Rtio, sqePrepNop, sqePrepRead, sqePrepTinyWrite,
} from '../../harness';
import { EmulatorTarget } from '../../harness/emulator/emulator-target';
import { plotEmulatorBench } from '../../harness/plot/benches';

/** Wall time each throughput measurement runs for, in ms. */
const RUN_MS = 1500;
/** SQEs per submit in the NOP run. */
const NOP_BATCH = 64;
/** Chains (pointer write → 2-byte read) per submit in the chained run. */
const PAIR_BATCH = 16;
/** SQEs held in flight for the heap measurement. */
const INFLIGHT = 50_000;

function rate(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

async function nopPerSec(): Promise<number> {
  const r = new Rtio({ sqSize: NOP_BATCH, cqSize: NOP_BATCH });
  let done = 0;
  const t0 = performance.now();
  let now = t0;
  while (now - t0 < RUN_MS) {
    for (let i = 0; i < NOP_BATCH; i++) sqePrepNop(r.sqeAcquire()!, null, i);
    await r.submit(NOP_BATCH);
    for (let c = r.cqeConsume(); c !== null; c = r.cqeConsume()) {
      if (c.result !== 0) throw new Error(`NOP failed: ${c.result}`);
      r.cqeRelease(c);
      done++;
    }
    now = performance.now();
  }
  return rate(done, now - t0);
}

async function chainedPairsPerSec(): Promise<number> {
  const target = new EmulatorTarget();
  const temp = target.iodev('temp0');
  const r = new Rtio({ sqSize: 2 * PAIR_BATCH, cqSize: 2 * PAIR_BATCH, clock: target.clock });
  const ptr = Uint8Array.of(0);
  const bufs = Array.from({ length: PAIR_BATCH }, () => new Uint8Array(2));
  let pairs = 0;
  const t0 = performance.now();
  let now = t0;
  while (now - t0 < RUN_MS) {
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
    pairs += PAIR_BATCH;
    now = performance.now();
  }
  return rate(pairs, now - t0);
}

/** The same pointer-write + read, each as one awaited promise on the same bus and device models. */
async function naiveOpsPerSec(): Promise<number> {
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
  let ops = 0;
  const t0 = performance.now();
  let now = t0;
  while (now - t0 < RUN_MS) {
    for (let i = 0; i < PAIR_BATCH; i++) {
      if ((await transfer(false, ptr)) !== 0 || (await transfer(true, buf)) !== 0) throw new Error('naive transfer failed');
      ops += 2;
    }
    now = performance.now();
  }
  return rate(ops, now - t0);
}

async function bytesPerInflightSqe(): Promise<number> {
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
  return Math.round((after - before) / INFLIGHT);
}

async function delayWallMs(): Promise<{ virtualMs: number; wallMs: number }> {
  const target = new EmulatorTarget();
  const r = new Rtio({ sqSize: 1, cqSize: 1, clock: target.clock });
  const sqe = r.sqeAcquire()!;
  sqePrepNop(sqe, target.iodev('test0'), 'delay');
  sqe.iodevFlags = testIodevScript({ delayMs: 10 });
  const v0 = target.clock.now();
  const t0 = performance.now();
  await r.submit(1);
  return { virtualMs: target.clock.now() - v0, wallMs: performance.now() - t0 };
}

async function main(): Promise<void> {
  const naive = await naiveOpsPerSec();
  const nop = await nopPerSec();
  const pairs = await chainedPairsPerSec();
  const bytes = await bytesPerInflightSqe();
  const delay = await delayWallMs();
  const speedup = Math.round(((2 * pairs) / naive) * 100) / 100;
  console.log(`NOP SQE->CQE through the public API, batch ${NOP_BATCH}: ${nop.toLocaleString('en')} /s (target >= 1,000,000)`);
  console.log(`chained I2C pointer write + 2-byte read on temp0, ${PAIR_BATCH} chains per submit: ${pairs.toLocaleString('en')} pairs/s (target >= 500,000)`);
  console.log(`naive baseline, one awaited promise per transfer on the same models: ${naive.toLocaleString('en')} ops/s = ${(naive / 2).toLocaleString('en')} pairs/s`);
  console.log(`RTIO chained pairs vs naive: ${speedup}x`);
  console.log(`heap per in-flight SQE (SQE and CQE pools included, ${INFLIGHT.toLocaleString('en')} in flight): ${bytes} bytes (target <= 512)`);
  console.log(`a 10 ms device delay: ${delay.virtualMs.toFixed(3)} ms virtual, ${delay.wallMs.toFixed(3)} ms wall`);
  console.log(JSON.stringify({
    nopPerSec: nop, chainedPairsPerSec: pairs, bytesPerInflightSqe: bytes, naiveOpsPerSec: naive, speedupVsNaive: speedup,
  }));
  for (const f of plotEmulatorBench({ nopPerSec: nop, chainedPairsPerSec: pairs, naiveOpsPerSec: naive })) console.log(`plot: ${f}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
