/** The pictures each bench draws from its own figures (the same ones its JSON line prints). */
import { barChartSvg, histogramSvg } from './svg';
import { writePlots } from './write';

/** The figures of `bench:link` that it plots (medians over its rounds, unless said). */
export interface LinkFigures {
  readonly board: string;
  /** Every NOP SQE → CQE round trip of one round, µs. */
  readonly nopRttsUs: readonly number[];
  /** serialport's own echo of a NOP-sized frame on the same kind of port, µs. */
  readonly echoRttUs: number;
  readonly pipelinedNopPerSec: number;
  /** Target for pipelined NOPs per second. */
  readonly pipelinedTarget: number;
  /** Bulk reads per second, and the echo's shaped replies per second (the same bytes on the wire). */
  readonly bulkReadsPerSec: number;
  readonly echoRepliesPerSec: number;
  /** Target for bulk as a fraction of the echo. */
  readonly bulkTargetRatio: number;
}

/** `bench:link`'s latency histogram and throughput bars, written as SVG; returns the files. */
export function plotLinkBench(f: LinkFigures): string[] {
  return writePlots({
    'link-nop-latency': histogramSvg(f.nopRttsUs, { title: `NOP SQE → CQE round trip on ${f.board} (serialport echo ${Math.round(f.echoRttUs)} µs)`, xLabel: 'round trip (µs)' }),
    'link-throughput': barChartSvg(`Link throughput on ${f.board}`, 'per second', [
      { label: 'pipelined NOPs /s', value: f.pipelinedNopPerSec, target: f.pipelinedTarget },
      { label: 'bulk reads /s', value: f.bulkReadsPerSec, target: f.bulkTargetRatio * f.echoRepliesPerSec },
      { label: 'echo replies /s', value: f.echoRepliesPerSec },
    ], true),
  });
}

/** The figures of `bench:emulator` that it plots: medians per CPU-second. */
export interface EmulatorFigures {
  readonly nopPerCpuSec: number;
  readonly nopTarget: number;
  readonly pairsPerCpuSec: number;
  readonly naivePairsPerCpuSec: number;
  /** Target for chained pairs as a multiple of the naive baseline. */
  readonly pairsTargetVsNaive: number;
}

/** `bench:emulator`'s throughput bars, written as SVG; returns the files. */
export function plotEmulatorBench(f: EmulatorFigures): string[] {
  return writePlots({
    'emulator-throughput': barChartSvg('Emulator throughput (per CPU-second)', 'per CPU-second', [
      { label: 'NOP SQE → CQE /s', value: f.nopPerCpuSec, target: f.nopTarget },
      { label: 'chained I2C pairs /s', value: f.pairsPerCpuSec, target: f.pairsTargetVsNaive * f.naivePairsPerCpuSec },
      { label: 'naive awaited pairs /s', value: f.naivePairsPerCpuSec },
    ], true),
  });
}

/** One condition of `bench:soak`: its throughput as a fraction of the clean run, and the floor for it, if any. */
export interface SoakBar {
  readonly condition: string;
  readonly ratioToClean: number;
  readonly target?: number;
}

/** `bench:soak`'s throughput per condition as a fraction of the clean run, written as SVG; returns the files. */
export function plotSoakBench(board: string, bars: readonly SoakBar[]): string[] {
  return writePlots({
    'soak-throughput': barChartSvg(`Throughput under a bad cable on ${board}, vs. the clean run`, 'x clean', bars.map((b) => ({
      label: b.condition, value: b.ratioToClean, ...(b.target === undefined ? {} : { target: b.target }),
    }))),
  });
}
