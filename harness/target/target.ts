import type { Clock } from '../clock';
import type { Fault } from './faults';
import type { Iodev } from '../rtio';
import type { Backplane } from './backplane';
import type { IodevCapability, TargetCapability } from './capabilities';

/** Bus or device class of an iodev, as board files name them. */
export type IodevKind = 'i2c' | 'spi' | 'gpio' | 'sensor' | 'test';

/** One row of a target's iodev table (from its board file, or the agent's hello). */
export interface IodevInfo {
  /** Name used with `target.iodev(name)`, e.g. `'eeprom0'`. */
  readonly name: string;
  /** What kind of device it is. */
  readonly kind: IodevKind;
  /** The bus it sits on, e.g. `'i2c0'`; absent for on-chip devices. */
  readonly bus?: string;
  /** Bus address (I2C 7-bit address, SPI chip select). */
  readonly address?: number;
  /** The part attached, e.g. `'24c32'`. */
  readonly part?: string;
  /** What the iodev can do, e.g. `'multishot'`, `'transaction'`; suites skip what is missing. */
  readonly capabilities: readonly IodevCapability[];
}

/**
 * Where chains execute: the in-process emulator, or a board's agent. Suites get one from
 * `openTarget()` and use only this interface, so they run unchanged on every target.
 */
export interface Target {
  /** Board file id, e.g. `'emulator'`. */
  readonly id: string;
  /** The target's time base; virtual for the emulator. Pass it to `new Rtio({ clock })`. */
  readonly clock: Clock;
  /** The iodev table. */
  readonly iodevs: readonly IodevInfo[];
  /** Target-level capabilities, e.g. `'fault-injection'`, `'virtual-time'`. */
  readonly capabilities: readonly TargetCapability[];
  /**
   * What a test can do to the world around the devices and see of it (temperatures, GPIO inputs
   * driven from outside, an EEPROM's contents): see ./backplane. Absent when the target has none.
   */
  readonly backplane?: Backplane;
  /** The iodev called `name`. Throws `RangeError` listing the iodevs that exist. */
  iodev(name: string): Iodev;
  /** True when the target has `capability`. */
  has(capability: TargetCapability): boolean;
  /** True when its iodev `name` has `capability` (false for an iodev it does not have). */
  has(capability: IodevCapability, name: string): boolean;
  /**
   * Arms `fault` on iodev `name` for its next `count` operations (default 1; `Infinity` until
   * cleared). Throws `RangeError` when the target lacks `'fault-injection'` or the iodev is unknown.
   */
  injectFault(name: string, fault: Fault, count?: number): void;
  /** Disarms every injected fault. */
  clearFaults(): void;
  /**
   * Lets every started operation finish (runs the virtual clock until idle, or waits for the
   * agent), so a test can check that nothing leaked.
   */
  settle(): Promise<void>;
  /** Releases the target (stops processes, closes ports). Idempotent. */
  close(): Promise<void>;
}

/** Thrown by `target.iodev(name)` for a name the target does not have. */
export function unknownIodev(target: string, name: string, iodevs: readonly IodevInfo[]): RangeError {
  const known = iodevs.map((i) => i.name).join(', ');
  return new RangeError(`target "${target}" has no iodev "${name}"; it has: ${known}`);
}

/** What {@link Target.has} answers, from the target's tables: shared by the targets' implementations. */
export function targetHas(t: Pick<Target, 'capabilities' | 'iodevs'>, capability: TargetCapability | IodevCapability, name?: string): boolean {
  if (name === undefined) return (t.capabilities as readonly string[]).includes(capability);
  return (t.iodevs.find((i) => i.name === name)?.capabilities as readonly string[] | undefined)?.includes(capability) ?? false;
}
