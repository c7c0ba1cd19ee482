import { EmulatorTarget } from './emulator-target';
import { openEmulatorWire, openNative } from './wire-targets';
import type { Target } from './target';

/** Options of {@link openTarget}. */
export interface OpenTargetOptions {
  /** Seed of the emulator's pseudo-random device values. Default: `RTIO_SEED`, else 1. */
  readonly seed?: number;
}

/** Board ids `openTarget` knows. */
export const KNOWN_TARGETS: readonly string[] = ['emulator', 'emulator-wire', 'native'];

/**
 * Opens the target `id` (default: the `RTIO_BOARD` environment variable, else `'emulator'`).
 * Throws `RangeError` listing the known boards when `id` is not one of them.
 */
export async function openTarget(id?: string, opts: OpenTargetOptions = {}): Promise<Target> {
  const board = id ?? process.env.RTIO_BOARD ?? 'emulator';
  const envSeed = process.env.RTIO_SEED === undefined ? undefined : Number(process.env.RTIO_SEED);
  const seed = opts.seed ?? envSeed ?? 1;
  if (!Number.isInteger(seed)) throw new RangeError(`"seed" must be an integer, got ${String(seed)} (RTIO_SEED?)`);
  switch (board) {
    case 'emulator':
      return new EmulatorTarget('emulator', { seed });
    case 'emulator-wire':
      return openEmulatorWire('emulator-wire', seed);
    case 'native':
      return openNative('native', seed);
    default:
      throw new RangeError(`unknown board "${board}"; known boards: ${KNOWN_TARGETS.join(', ')}`);
  }
}
