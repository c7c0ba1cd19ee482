/**
 * Link benchmark: rtio-hil over a real serial path against a raw echo of frames of the same
 * sizes on the same kind of pty, measured in the same run.
 * Run: npm run bench:link -- --board native. Prints figures, then one JSON line.
 *
 * --board qemu-lm3s6965evb (or qemu-mps2-an385) runs the agent's Cortex-M3 firmware under QEMU,
 * against the raw echo image of the same port (firmware-stubs/ports/lm3s6965evb/echo.c: same
 * startup, UART driver and QEMU + socat wiring, no agent) as its baseline.
 */
import { encodeFrame } from '../../protocol/frame';
import { encodePacket } from '../../protocol/messages';
import { RTIO_PRIO_NORM, Rtio, sqePrepNop, sqePrepRead } from '../../harness';
import { openSerialTransport } from '../../harness/link/serial-transport';
import type { Transport } from '../../harness/link/transport';
import { startAgentProcess } from '../../harness/remote/agent-process';
import { openTarget } from '../../harness/boards/open-target';
import { QEMU_FIRMWARE, openQemu, startQemu } from '../../harness/qemu';
import type { QemuFirmware } from '../../harness/qemu';
import type { RemoteTarget } from '../../harness/remote';
import { ECHO_ARGS, NATIVE_AGENT_BINARY, buildNativeAgent } from '../../harness/remote';
import { plotLinkBench } from '../../harness/plot/benches';

/** A raw byte echo on a pty: the baseline peer. */
interface EchoPeer {
  readonly path: string;
  stop(): Promise<void>;
}

/** `qemu-<machine>` for a machine with firmware here ({@link QEMU_FIRMWARE}): its images; else undefined. */
function qemuBoard(board: string): QemuFirmware | undefined {
  return board.startsWith('qemu-') ? QEMU_FIRMWARE[board.slice('qemu-'.length)] : undefined;
}

/** The board's target: a QEMU board's agent image, else whatever openTarget opens. */
async function openBenchTarget(board: string): Promise<RemoteTarget> {
  const q = qemuBoard(board);
  if (q === undefined) return (await openTarget(board)) as RemoteTarget;
  return openQemu(board, 1, { machine: q.machine, image: q.agentImage, build: q.makeTarget });
}

/** The raw echo peer for the board: the echo image of a QEMU board's port, else the native agent's --echo. */
async function startEcho(board: string): Promise<EchoPeer> {
  const q = qemuBoard(board);
  if (q !== undefined) return startQemu({ machine: q.machine, image: q.echoImage, build: q.makeTarget });
  await buildNativeAgent();
  return startAgentProcess(NATIVE_AGENT_BINARY, ECHO_ARGS);
}

/** Sequential round trips measured (after warm-up) for each latency figure. */
const RTT_SAMPLES = 2000;
/** Round trips run first and not measured. */
const WARMUP = 100;
/** Wall time of each throughput measurement, in ms. */
const RUN_MS = 2000;
/** Frames or reads kept in flight in the throughput runs (8 × 512 B fits the posix agent's 16 KiB buffer arena). */
const IN_FLIGHT = 8;
/** SQEs kept in flight in the pipelined NOP run. */
const NOP_DEPTH = 64;

/** Progress lines on stderr, so the last stdout line stays the JSON. */
function progress(what: string): void {
  process.stderr.write(`bench:link: ${what}\n`);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A frame of `bytes` encoded bytes (no zeros), delimiter included: what the echo peer returns. */
function rawFrame(bytes: number): Uint8Array {
  const f = new Uint8Array(bytes);
  for (let i = 0; i < bytes - 1; i++) f[i] = 1 + (i % 250);
  f[bytes - 1] = 0;
  return f;
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

async function rawBaseline(board: string, nopFrameBytes: number, bulkFrameBytes: number): Promise<{ rttUs: number; bytesPerSec: number }> {
  const echo = await startEcho(board);
  const t = await openSerialTransport({ path: echo.path });
  try {
    const expect = receiver(t);
    const small = rawFrame(nopFrameBytes);
    const rtts: number[] = [];
    for (let i = 0; i < WARMUP + RTT_SAMPLES; i++) {
      const t0 = performance.now();
      await t.write(small);
      await expect(small.length);
      if (i >= WARMUP) rtts.push((performance.now() - t0) * 1000);
    }
    rtts.sort((a, b) => a - b);
    const big = rawFrame(bulkFrameBytes);
    let done = 0;
    const t0 = performance.now();
    const lanes = Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() - t0 < RUN_MS) {
        await t.write(big);
        await expect(big.length);
        done += big.length;
      }
    });
    await Promise.all(lanes);
    return { rttUs: percentile(rtts, 50), bytesPerSec: Math.round(done / ((performance.now() - t0) / 1000)) };
  } finally {
    await t.close();
    await echo.stop();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--board');
  const board = at >= 0 ? args[at + 1] ?? 'native' : 'native';
  const target = await openBenchTarget(board);
  try {
    const test0 = target.iodev('test0');
    const bulkLen = Math.min(1024, target.hello.maxBufferBytes);
    const nopFrameBytes = encodeFrame(encodePacket({ seq: 100, ack: 100, submit: { sqes: [{ id: 100, iodev: 6 }] } })).length;
    const bulkFrameBytes = encodeFrame(encodePacket({
      seq: 100, ack: 100, complete: { cqes: [{ id: 100, result: bulkLen, data: new Uint8Array(bulkLen).fill(0xa5) }] },
    })).length;
    const r = new Rtio({ sqSize: NOP_DEPTH, cqSize: 2 * NOP_DEPTH });

    const rtts: number[] = [];
    for (let i = 0; i < WARMUP + RTT_SAMPLES; i++) {
      const t0 = performance.now();
      sqePrepNop(r.sqeAcquire()!, test0, i);
      await r.submit(1);
      const c = r.cqeConsume()!;
      if (c.result !== 0) throw new Error(`NOP failed: ${c.result}`);
      r.cqeRelease(c);
      if (i >= WARMUP) rtts.push((performance.now() - t0) * 1000);
    }
    rtts.sort((a, b) => a - b);

    progress('NOP round trips done');
    let nops = 0;
    let t0 = performance.now();
    while (performance.now() - t0 < RUN_MS) {
      while (r.sqeAcquirable() > 0) sqePrepNop(r.sqeAcquire()!, test0, 0);
      await r.submit(NOP_DEPTH / 2);
      for (let c = r.cqeConsume(); c !== null; c = r.cqeConsume()) {
        r.cqeRelease(c);
        nops++;
      }
    }
    const pipelined = Math.round(nops / ((performance.now() - t0) / 1000));
    await target.settle();
    r.flushCompletionQueue();

    progress('pipelined NOPs done');
    const bufs = Array.from({ length: IN_FLIGHT }, () => new Uint8Array(bulkLen));
    let bytes = 0;
    t0 = performance.now();
    while (performance.now() - t0 < RUN_MS) {
      for (const b of bufs) sqePrepRead(r.sqeAcquire()!, test0, RTIO_PRIO_NORM, b, bulkLen, 0);
      await r.submit(IN_FLIGHT);
      for (let c = r.cqeConsume(); c !== null; c = r.cqeConsume()) {
        if (c.result !== bulkLen) throw new Error(`bulk read returned ${c.result}`);
        bytes += c.result;
        r.cqeRelease(c);
      }
    }
    const bulk = Math.round(bytes / ((performance.now() - t0) / 1000));
    await target.close();

    progress('bulk reads done');
    const raw = await rawBaseline(board, nopFrameBytes, bulkFrameBytes);
    const p50 = Math.round(percentile(rtts, 50));
    const p99 = Math.round(percentile(rtts, 99));
    const rttRatio = Math.round((p50 / raw.rttUs) * 100) / 100;
    const bulkRatio = Math.round((bulk / raw.bytesPerSec) * 100) / 100;
    console.log(`board ${board}: ${target.hello.buildId}`);
    console.log(`raw echo of a ${nopFrameBytes}-byte frame on the same kind of pty: ${Math.round(raw.rttUs)} µs round trip (median)`);
    console.log(`NOP SQE -> CQE round trip: p50 ${p50} µs, p99 ${p99} µs; ${rttRatio}x the raw echo (target <= 1.5x)`);
    console.log(`pipelined NOPs, ${NOP_DEPTH} in flight: ${pipelined.toLocaleString('en')} /s (target >= 50,000)`);
    console.log(`bulk RX of ${bulkLen}-byte reads, ${IN_FLIGHT} in flight: ${bulk.toLocaleString('en')} B/s; raw echo of ${bulkFrameBytes}-byte frames: ${raw.bytesPerSec.toLocaleString('en')} B/s; ${bulkRatio}x (target >= 0.8)`);
    console.log(`NOP SQE frame on the wire: ${nopFrameBytes} bytes (target <= 24)`);
    console.log(JSON.stringify({
      rawRttUs: Math.round(raw.rttUs), nopRttP50Us: p50, nopRttP99Us: p99, rttRatio, pipelinedNopPerSec: pipelined,
      bulkReadBytesPerSec: bulk, rawEchoBytesPerSec: raw.bytesPerSec, bulkRatio, nopFrameBytes,
    }));
    for (const f of plotLinkBench({ board, nopRttsUs: rtts, rawRttUs: raw.rttUs, pipelinedNopPerSec: pipelined, bulkReadBytesPerSec: bulk, rawEchoBytesPerSec: raw.bytesPerSec })) console.log(`plot: ${f}`);
  } finally {
    await target.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
