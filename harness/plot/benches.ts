/** The pictures each bench draws from its own figures (the same ones its JSON line prints). */
import { barChartSvg, histogramSvg } from './svg';
import { writePlots } from './write';

/** The figures of `bench:link` that it plots. */
export interface LinkFigures {
  readonly board: string;
  /** Every NOP SQE → CQE round trip measured, µs. */
  readonly nopRttsUs: readonly number[];
  readonly rawRttUs: number;
  readonly pipelinedNopPerSec: number;
  readonly bulkReadBytesPerSec: number;
  readonly rawEchoBytesPerSec: number;
}

/** `bench:link`'s latency histogram and throughput bars, written as SVG; returns the files. */
export function plotLinkBench(f: LinkFigures): string[] {
  return writePlots({
    'link-nop-latency': histogramSvg(f.nopRttsUs, { title: `NOP SQE → CQE round trip on ${f.board} (raw echo ${Math.round(f.rawRttUs)} µs)`, xLabel: 'round trip (µs)' }),
    'link-throughput': barChartSvg(`Link throughput on ${f.board}`, 'per second', [
      { label: 'pipelined NOPs /s', value: f.pipelinedNopPerSec, target: 50_000 },
      { label: 'bulk RX bytes /s', value: f.bulkReadBytesPerSec, target: 0.8 * f.rawEchoBytesPerSec },
    ], true),
  });
}

/** The figures of `bench:emulator` that it plots. */
export interface EmulatorFigures {
  readonly nopPerSec: number;
  readonly chainedPairsPerSec: number;
  readonly naiveOpsPerSec: number;
}

/** `bench:emulator`'s throughput bars, written as SVG; returns the files. */
export function plotEmulatorBench(f: EmulatorFigures): string[] {
  return writePlots({
    'emulator-throughput': barChartSvg('Emulator throughput (wall clock)', 'per second', [
      { label: 'NOP SQE → CQE /s', value: f.nopPerSec, target: 1_000_000 },
      { label: 'chained I2C pairs /s', value: f.chainedPairsPerSec, target: 500_000 },
      { label: 'naive awaited pairs /s', value: f.naiveOpsPerSec / 2 },
    ], true),
  });
}
