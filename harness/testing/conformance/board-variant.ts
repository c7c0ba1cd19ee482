/**
 * @file Board variants: the emulated reference board plus iodevs of one's own (a new driver, a
 * broken one), served in process as a Target, so the kit can run on a driver before it is on any
 * board file.
 */
import type { VirtualClock } from '../../clock';
import { createReferenceBoard } from '../../emulator/board';
import type { ReferenceBoard } from '../../emulator/board';
import type { Fault } from '../../emulator/faults';
import type { QueuedIodev } from '../../emulator/iodevs/queued-iodev';
import type { Iodev } from '../../rtio/iodev';
import type { IodevInfo, Target } from '../../target/target';
import { unknownIodev } from '../../target/target';

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

/** An emulated board: what a {@link BoardTarget} serves. */
export interface EmulatedBoard {
  /** The board's virtual clock. */
  readonly clock: VirtualClock;
  /** Iodevs by name. */
  readonly iodevs: ReadonlyMap<string, QueuedIodev>;
  /** The iodev table, in wire-id order. */
  readonly info: readonly IodevInfo[];
  /** Buses and device models by name (`i2c0`, `spi0`, ...), for tests that look inside. */
  readonly devices: Readonly<Record<string, unknown>>;
}

/** Options of {@link openBoardVariant}. */
export interface BoardVariantOptions {
  /** Seed of the reference board's sensors. Default 1. */
  readonly seed?: number;
}

/** Most virtual-clock steps `settle()` runs (as the emulator target's). */
const SETTLE_MAX_STEPS = 1_000_000;

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
  return { clock: board.clock, iodevs, info, devices: { ...board.devices } };
}

/**
 * An {@link EmulatedBoard} as a Target, exactly like the emulator target (virtual time, fault
 * injection, the executor's state visible to `sqeCancel`).
 */
export class BoardTarget implements Target {
  readonly clock: VirtualClock;
  readonly iodevs: readonly IodevInfo[];
  readonly capabilities: readonly string[] = ['virtual-time', 'fault-injection', 'sync-cancel'];

  constructor(readonly id: string, readonly board: EmulatedBoard) {
    this.clock = board.clock;
    this.iodevs = board.info;
  }

  iodev(name: string): Iodev {
    const dev = this.board.iodevs.get(name);
    if (dev === undefined) throw unknownIodev(this.id, name, this.iodevs);
    return dev;
  }

  has(capability: string, name?: string): boolean {
    if (name === undefined) return this.capabilities.includes(capability);
    return this.iodevs.find((i) => i.name === name)?.capabilities.includes(capability) ?? false;
  }

  injectFault(name: string, fault: Fault, count = 1): void {
    const dev = this.board.iodevs.get(name);
    if (dev === undefined) throw unknownIodev(this.id, name, this.iodevs);
    dev.faults.inject(fault, count);
  }

  clearFaults(): void {
    for (const dev of this.board.iodevs.values()) dev.faults.clear();
  }

  async settle(): Promise<void> {
    this.clock.runUntilIdle(SETTLE_MAX_STEPS);
  }

  async close(): Promise<void> {
    this.clearFaults();
  }
}

/** Opens `variant` in process: the reference board plus the variant's iodevs, on a fresh virtual clock. */
export function openBoardVariant(variant: BoardVariant, opts: BoardVariantOptions = {}): BoardTarget {
  return new BoardTarget(variant.id, createBoardVariant(variant, opts));
}
