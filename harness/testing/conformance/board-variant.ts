/**
 * @file Board variants: the emulated reference board plus iodevs of one's own (a new driver, a
 * broken one), served in process as a Target, so the kit can run on a driver before it is on any
 * board file.
 */
import { createReferenceBoard } from '../../emulator/board';
import type { ReferenceBoard } from '../../emulator/board';
import type { QueuedIodev } from '../../emulator/iodevs/queued-iodev';
import { EmulatorTarget } from '../../emulator/emulator-target';
import type { IodevInfo } from '../../target/target';

/** One iodev a variant adds: its table row and the emulated iodev. */
export interface VariantIodev {
  /** Its row of the iodev table (name, kind, bus, address, part, capabilities). */
  readonly info: IodevInfo;
  /** The iodev, on the board's clock. */
  readonly iodev: QueuedIodev;
}

/** A variant of the reference board. */
export interface BoardVariant {
  /** Target id, e.g. `'emulator+rtc'`. */
  readonly id: string;
  /**
   * Adds device models and iodevs to `board`, a fresh reference board (attach models to its
   * buses in `board.devices`, run iodevs on `board.clock`); returns the iodevs to add. Called
   * once per opened target.
   */
  extend(board: ReferenceBoard): readonly VariantIodev[];
}

/** An emulated board: what a {@link BoardTarget} serves (the reference board, possibly extended). */
export type EmulatedBoard = ReferenceBoard;

/** Options of {@link openBoardVariant}. */
export interface BoardVariantOptions {
  /** Seed of the reference board's sensors. Default 1. */
  readonly seed?: number;
}

/** Builds the reference board extended by `variant`. Throws `RangeError` when an added iodev's name is taken. */
export function createBoardVariant(variant: BoardVariant, opts: BoardVariantOptions = {}): EmulatedBoard {
  const board = createReferenceBoard({ seed: opts.seed ?? 1 });
  const iodevs = new Map<string, QueuedIodev>(board.iodevs);
  const info = [...board.info];
  for (const add of variant.extend(board)) {
    if (iodevs.has(add.info.name)) throw new RangeError(`variant "${variant.id}" adds iodev "${add.info.name}", which the board already has`);
    if (add.iodev.name !== add.info.name) {
      throw new RangeError(`variant "${variant.id}": iodev "${add.iodev.name}" is described as "${add.info.name}"`);
    }
    iodevs.set(add.info.name, add.iodev);
    info.push(add.info);
  }
  return { ...board, iodevs, info };
}

/**
 * An {@link EmulatedBoard} as a Target: the emulator target serving that board (virtual time,
 * fault injection, the executor's state visible to `sqeCancel`).
 */
export class BoardTarget extends EmulatorTarget {
  constructor(id: string, board: EmulatedBoard) {
    super(id, { board });
  }
}

/** Opens `variant` in process: the reference board plus the variant's iodevs, on a fresh virtual clock. */
export function openBoardVariant(variant: BoardVariant, opts: BoardVariantOptions = {}): BoardTarget {
  return new BoardTarget(variant.id, createBoardVariant(variant, opts));
}
