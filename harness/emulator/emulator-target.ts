import type { VirtualClock } from '../clock';
import type { ReferenceBoard } from './board';
import { createReferenceBoard } from './board';
import type { Fault } from '../target/faults';
import type { Iodev } from '../rtio';
import { EmulatorBackplane } from './emulator-backplane';
import type { IodevInfo, Target } from '../target/target';
import { targetHas, unknownIodev } from '../target/target';
import type { IodevCapability, TargetCapability } from '../target/capabilities';

/** Options of the emulator target. */
export interface EmulatorTargetOptions {
  /** Seed of every pseudo-random device value (sensor noise, IMU samples). Default 1. */
  readonly seed?: number;
  /** A board to serve instead of a fresh reference board (a variant with iodevs of one's own); `seed` is then unused. */
  readonly board?: ReferenceBoard;
}

/** Most virtual-clock steps `settle()` runs before it gives up (something re-arms forever). */
export const EMULATOR_SETTLE_MAX_STEPS = 1_000_000;

/** The reference board emulated in this process, on a virtual clock. */
export class EmulatorTarget implements Target {
  readonly id: string;
  readonly clock: VirtualClock;
  readonly iodevs: readonly IodevInfo[];
  readonly capabilities: readonly TargetCapability[] = ['virtual-time', 'fault-injection', 'sync-cancel'];
  /** The board's device models, for tests of the emulator itself. */
  readonly board: ReferenceBoard;
  /** The device models as a backplane: temperature, GPIO inputs and outputs, EEPROM and flash contents. */
  readonly backplane: EmulatorBackplane;

  constructor(id = 'emulator', opts: EmulatorTargetOptions = {}) {
    this.id = id;
    this.board = opts.board ?? createReferenceBoard({ seed: opts.seed ?? 1 });
    this.clock = this.board.clock;
    this.iodevs = this.board.info;
    this.backplane = new EmulatorBackplane(id, this.board);
  }

  iodev(name: string): Iodev {
    const dev = this.board.iodevs.get(name);
    if (dev === undefined) throw unknownIodev(this.id, name, this.iodevs);
    return dev;
  }

  has(capability: TargetCapability | IodevCapability, name?: string): boolean {
    return targetHas(this, capability, name);
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
    this.clock.runUntilIdle(EMULATOR_SETTLE_MAX_STEPS);
  }

  async close(): Promise<void> {
    this.clearFaults();
  }
}
