/**
 * One measurement of bench/link, run in a process of its own (variant.ts): rtio-hil on a board's
 * agent, or serialport on the raw echo peer of the same kind, moving frames of the same sizes.
 */
import { RTIO_PRIO_NORM, Rtio, sqePrepNop, sqePrepRead } from '../../harness';
import { openSerialTransport } from '../../harness/link/serial-transport';
import type { SerialIo } from '../../harness/link/serial-transport';
import type { Transport } from '../../harness/link/transport';
import { NO_TURNS } from '../turns';
import type { Turn } from '../turns';
import { openBenchTarget, startEcho } from './targets';
import { echoFrame, shapedRequest, wireShapes } from './wire-shapes';
import type { WireShapes } from './wire-shapes';

/** Sequential round trips measured (after warm-up) for each latency figure. */
export const RTT_SAMPLES = 2000;
/** The round trips are measured in this many blocks of RTT_SAMPLES / RTT_BLOCKS, each a turn of its own (see {@link Turn}). */
export const RTT_BLOCKS = 10;

/*
 * A variant waits for its turn (../turns.ts) before the warm-up, before each of the
 * RTT_BLOCKS blocks of round trips, before the pipelined run (rtio; the echoes have none: their
 * turn is empty) and before each of the BULK_BLOCKS bulk blocks: bench/link gives the variants of
 * a round turns in rotation (variant.ts --turns), each process idle while another measures.
 */
/** Round trips run first and not measured: the JIT settles (CPU per round trip halves twice over the first 6000) and QEMU's pty gets past its ~0.9 s first exchange. */
export const WARMUP = 3000;
/** Wall time of each throughput measurement, in ms. */
export const RUN_MS = 2000;
/** The bulk runs are measured in this many blocks of RUN_MS / BULK_BLOCKS, each a turn of its own, drained at its end. */
export const BULK_BLOCKS = 10;
/** Reads (or shaped requests) kept in flight in the bulk runs, each refilled as it completes. */
export const IN_FLIGHT = 8;
/** SQEs kept in flight in the pipelined NOP run. */
export const NOP_DEPTH = 64;
/** Largest bulk read: 512 B, or the agent's buffer limit when smaller. */
export const BULK_READ_BYTES = 512;

/** What a run of rtio-hil on the agent measured. */
export interface RtioFigures {
  readonly buildId: string;
  readonly shapes: WireShapes;
  /** NOP SQE → CQE round trips, µs. */
  readonly rttP50Us: number;
  readonly rttP99Us: number;
  /** Every measured NOP round trip, µs, sorted (for the histogram plot). */
  readonly rttsUs: readonly number[];
  readonly pipelinedNopsPerSec: number;
  /** Bulk reads completed per second, and their frames' bytes per second in the data direction. */
  readonly bulkReadsPerSec: number;
  readonly bulkWireBytesPerSec: number;
  /** This process's CPU time (user + system) per NOP round trip, pipelined NOP and bulk read, µs: what the host spends, whatever the load. */
  readonly hostCpuUsPerRtt: number;
  readonly hostCpuUsPerNop: number;
  readonly hostCpuUsPerRead: number;
}

/** What a run of serialport on the echo measured. */
export interface EchoFigures {
  /** Round trips of a frame the size of a NOP's Submit, µs. */
  readonly rttP50Us: number;
  /** Shaped replies (a Complete's size, for a Submit-sized request) per second, and their bytes per second. */
  readonly bulkRepliesPerSec: number;
  readonly bulkWireBytesPerSec: number;
}

const cpuUs = (u: NodeJS.CpuUsage): number => u.user + u.system;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** rtio-hil on the board's agent: NOP round trips, pipelined NOPs, bulk reads with continuous refill. */
export async function measureRtio(board: string, turn: Turn = NO_TURNS, onShapes?: (s: WireShapes) => void): Promise<RtioFigures> {
  const target = await openBenchTarget(board);
  try {
    const test0 = target.iodev('test0');
    const readLen = Math.min(BULK_READ_BYTES, target.hello.maxBufferBytes);
    const shapes = wireShapes(readLen);
    onShapes?.(shapes);
    const r = new Rtio({ sqSize: NOP_DEPTH, cqSize: 2 * NOP_DEPTH });
    const roundTrip = async (i: number): Promise<number> => {
      const t0 = performance.now();
      sqePrepNop(r.sqeAcquire()!, test0, i);
      await r.submit(1);
      const c = r.cqeConsume()!;
      if (c.result !== 0) throw new Error(`NOP failed: ${c.result}`);
      r.cqeRelease(c);
      return (performance.now() - t0) * 1000;
    };
    const { rtts, cpuUs: rttCpuUs } = await timedRoundTrips(turn, roundTrip);
    const hostCpuUsPerRtt = rttCpuUs / RTT_SAMPLES;

    await turn();
    let nops = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    while (performance.now() - t0 < RUN_MS) {
      while (r.sqeAcquirable() > 0) sqePrepNop(r.sqeAcquire()!, test0, 0);
      await r.submit(NOP_DEPTH / 2);
      for (let c = r.cqeConsume(); c !== null; c = r.cqeConsume()) {
        r.cqeRelease(c);
        nops++;
      }
    }
    const pipelinedNopsPerSec = nops / ((performance.now() - t0) / 1000);
    const hostCpuUsPerNop = cpuUs(process.cpuUsage(cpu0)) / nops;
    await target.settle();
    r.flushCompletionQueue();

    // Continuous refill: each completed read's buffer goes straight back in a new read.
    const bufs = Array.from({ length: IN_FLIGHT }, () => new Uint8Array(readLen));
    const bulk = await timedBlocks(turn, async (ms) => {
      for (const b of bufs) sqePrepRead(r.sqeAcquire()!, test0, RTIO_PRIO_NORM, b, readLen, b);
      let reads = 0;
      const start = performance.now();
      let elapsed: number;
      for (;;) {
        await r.submit(1);
        elapsed = performance.now() - start;
        for (let c = r.cqeConsume(); c !== null; c = r.cqeConsume()) {
          if (c.result !== readLen) throw new Error(`bulk read returned ${c.result}`);
          reads++;
          const b = c.userdata as Uint8Array;
          r.cqeRelease(c);
          if (elapsed < ms) sqePrepRead(r.sqeAcquire()!, test0, RTIO_PRIO_NORM, b, readLen, b);
        }
        if (elapsed >= ms) break;
      }
      await target.settle(); // the reads still in flight complete, uncounted
      r.flushCompletionQueue();
      return { count: reads, elapsedMs: elapsed };
    });
    const hostCpuUsPerRead = bulk.cpuUs / bulk.count;
    const bulkReadsPerSec = bulk.count / (bulk.elapsedMs / 1000);
    return {
      buildId: target.hello.buildId, shapes,
      rttP50Us: percentile(rtts, 50), rttP99Us: percentile(rtts, 99), rttsUs: rtts.map((us) => Math.round(us * 10) / 10), pipelinedNopsPerSec,
      bulkReadsPerSec, bulkWireBytesPerSec: bulkReadsPerSec * shapes.readCompleteBytes, hostCpuUsPerRtt, hostCpuUsPerNop, hostCpuUsPerRead,
    };
  } finally {
    await target.close();
  }
}

/**
 * The warm-up, then {@link RTT_SAMPLES} round trips in {@link RTT_BLOCKS} blocks, each after its
 * turn: the round trips in µs, sorted, and this process's CPU time over the measured ones, µs.
 */
async function timedRoundTrips(turn: Turn, roundTrip: (i: number) => Promise<number>): Promise<{ rtts: number[]; cpuUs: number }> {
  await turn();
  for (let i = 0; i < WARMUP; i++) await roundTrip(i);
  const rtts: number[] = [];
  let cpu = 0;
  const perBlock = Math.ceil(RTT_SAMPLES / RTT_BLOCKS);
  while (rtts.length < RTT_SAMPLES) {
    await turn();
    const cpu0 = process.cpuUsage();
    for (let k = 0; k < perBlock && rtts.length < RTT_SAMPLES; k++) rtts.push(await roundTrip(WARMUP + rtts.length));
    cpu += cpuUs(process.cpuUsage(cpu0));
  }
  rtts.sort((a, b) => a - b);
  return { rtts, cpuUs: cpu };
}

/**
 * A throughput run in {@link BULK_BLOCKS} blocks of RUN_MS / BULK_BLOCKS, each after its turn
 * and drained before the next: what `block(ms)` counted and the ms it counted over, summed, and
 * this process's CPU time over the blocks, µs.
 */
async function timedBlocks(turn: Turn, block: (ms: number) => Promise<{ count: number; elapsedMs: number }>): Promise<{ count: number; elapsedMs: number; cpuUs: number }> {
  let count = 0;
  let elapsedMs = 0;
  let cpu = 0;
  for (let i = 0; i < BULK_BLOCKS; i++) {
    await turn();
    const cpu0 = process.cpuUsage();
    const got = await block(RUN_MS / BULK_BLOCKS);
    cpu += cpuUs(process.cpuUsage(cpu0));
    count += got.count;
    elapsedMs += got.elapsedMs;
  }
  return { count, elapsedMs, cpuUs: cpu };
}

/** Each call resolves once `n` more bytes (counted after the previous calls' bytes) have arrived on `t`. */
function receiver(t: Transport): (n: number) => Promise<void> {
  let got = 0;
  let want = 0;
  const waiting: { at: number; wake: () => void }[] = [];
  t.onData((chunk) => {
    got += chunk.length;
    while (waiting.length > 0 && waiting[0]!.at <= got) waiting.shift()!.wake();
  });
  return (n: number) => {
    want += n;
    if (got >= want) return Promise.resolve();
    const at = want;
    return new Promise<void>((wake) => waiting.push({ at, wake }));
  };
}

/**
 * serialport on the board's echo peer, moving bytes as `io` says (serialport's own stream, or
 * the event-loop path rtio-hil's serial transport takes by default): round trips of a frame the
 * size of a NOP's Submit, and bulk as a bulk read moves it: a request the size of a read's Submit
 * answered by a frame the size of its Complete, {@link IN_FLIGHT} in flight, each refilled as it
 * completes.
 */
export async function measureEcho(board: string, shapes: WireShapes, io: SerialIo, turn: Turn = NO_TURNS): Promise<EchoFigures> {
  const echo = await startEcho(board);
  const t = await openSerialTransport({ path: echo.path, io });
  try {
    const expect = receiver(t);
    const small = echoFrame(shapes.nopSubmitBytes);
    const { rtts } = await timedRoundTrips(turn, async () => {
      const t0 = performance.now();
      await t.write(small);
      await expect(small.length);
      return (performance.now() - t0) * 1000;
    });
    await turn(); // rtio's pipelined run: nothing to measure here
    const request = shapedRequest(shapes.readSubmitBytes, shapes.readCompleteBytes);
    const bulk = await timedBlocks(turn, async (ms) => {
      let replies = 0;
      const start = performance.now();
      let elapsed = 0;
      const lanes = Array.from({ length: IN_FLIGHT }, async () => {
        while (elapsed < ms) {
          await t.write(request);
          await expect(shapes.readCompleteBytes);
          replies++;
          elapsed = performance.now() - start;
        }
      });
      await Promise.all(lanes);
      return { count: replies, elapsedMs: elapsed };
    });
    const bulkRepliesPerSec = bulk.count / (bulk.elapsedMs / 1000);
    return { rttP50Us: percentile(rtts, 50), bulkRepliesPerSec, bulkWireBytesPerSec: bulkRepliesPerSec * shapes.readCompleteBytes };
  } finally {
    await t.close();
    await echo.stop();
  }
}
