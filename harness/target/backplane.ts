/**
 * The backplane: what a test can do to the world around a board's devices and see of what they
 * did, beside the RTIO operations it runs on them. On a test rig that is the bench equipment (a
 * heat gun, a signal generator, a logic analyser); on QEMU it is QMP and the devices' backing
 * files; on the emulator it is the device models themselves. A target that has one exposes it as
 * `target.backplane`; each verb is offered per iodev (`has(capability, iodev)`), and a test that
 * needs one skips, naming it, where it is missing.
 */

/**
 * What a backplane can do for an iodev:
 * - `temperature`: set the temperature a sensor measures ({@link Backplane.setTemperature});
 * - `magnetometer`: set the magnetic field a magnetometer measures ({@link Backplane.setMagneticField});
 * - `gpio-input`: drive an input line from outside ({@link Backplane.driveInput});
 * - `gpio-output`: read the level an output line drives ({@link Backplane.readOutput});
 * - `eeprom-contents`: read what an EEPROM stores ({@link Backplane.readEeprom});
 * - `flash-contents`: read what a flash stores ({@link Backplane.readFlash});
 * - `rtc-start`: the time an RTC was started at ({@link Backplane.rtcStart}).
 */
export type BackplaneCapability =
  | 'temperature' | 'magnetometer' | 'gpio-input' | 'gpio-output' | 'eeprom-contents' | 'flash-contents' | 'rtc-start';

/** Every {@link BackplaneCapability}. */
export const BACKPLANE_CAPABILITIES: readonly BackplaneCapability[] = [
  'temperature', 'magnetometer', 'gpio-input', 'gpio-output', 'eeprom-contents', 'flash-contents', 'rtc-start',
];

/** A magnetic field, µT along each axis. */
export interface MagneticField {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** The world around a board's devices, as a test sees it. */
export interface Backplane {
  /** Iodev name → the capabilities offered for it. */
  readonly capabilities: ReadonlyMap<string, readonly BackplaneCapability[]>;
  /** True when `capability` is offered for iodev `iodev`. */
  has(capability: BackplaneCapability, iodev: string): boolean;
  /** Sets the temperature sensor `iodev` measures, °C. */
  setTemperature(iodev: string, celsius: number): Promise<void>;
  /** Sets the magnetic field magnetometer `iodev` measures, µT per axis. */
  setMagneticField(iodev: string, field: MagneticField): Promise<void>;
  /** Drives input `line` of GPIO iodev `iodev` to `level` from outside the board. */
  driveInput(iodev: string, line: number, level: 0 | 1): Promise<void>;
  /** The level output `line` of GPIO iodev `iodev` drives. */
  readOutput(iodev: string, line: number): Promise<0 | 1>;
  /** Everything EEPROM `iodev` stores, from address 0. */
  readEeprom(iodev: string): Promise<Uint8Array>;
  /** Everything flash `iodev` stores, from address 0. */
  readFlash(iodev: string): Promise<Uint8Array>;
  /** When RTC `iodev` was started: the time it read at power-up. */
  rtcStart(iodev: string): Date;
}

/**
 * A backplane verb the target does not offer for that iodev (or a line it does not have). Names
 * the target, the iodev, the capability and what the iodev does offer.
 */
export class BackplaneUnsupportedError extends RangeError {
  override readonly name = 'BackplaneUnsupportedError';

  constructor(readonly target: string, readonly iodev: string, readonly capability: BackplaneCapability, detail: string) {
    super(`target "${target}": the backplane offers no "${capability}" for iodev "${iodev}" (${detail})`);
  }
}

/** A backplane's capability table, and the check every verb starts with. */
export abstract class BackplaneBase implements Backplane {
  constructor(readonly targetId: string, readonly capabilities: ReadonlyMap<string, readonly BackplaneCapability[]>) {}

  has(capability: BackplaneCapability, iodev: string): boolean {
    return this.capabilities.get(iodev)?.includes(capability) ?? false;
  }

  /** Throws {@link BackplaneUnsupportedError} unless `capability` is offered for `iodev`. */
  protected require(capability: BackplaneCapability, iodev: string): void {
    if (this.has(capability, iodev)) return;
    const offered = this.capabilities.get(iodev);
    throw new BackplaneUnsupportedError(this.targetId, iodev, capability,
      offered === undefined ? 'the backplane knows no such iodev' : `it offers: ${offered.join(', ') || 'nothing'}`);
  }

  abstract setTemperature(iodev: string, celsius: number): Promise<void>;
  abstract setMagneticField(iodev: string, field: MagneticField): Promise<void>;
  abstract driveInput(iodev: string, line: number, level: 0 | 1): Promise<void>;
  abstract readOutput(iodev: string, line: number): Promise<0 | 1>;
  abstract readEeprom(iodev: string): Promise<Uint8Array>;
  abstract readFlash(iodev: string): Promise<Uint8Array>;
  abstract rtcStart(iodev: string): Date;
}

/** The backplane of a target, or null when it has none. */
export function backplaneOf(target: object): Backplane | null {
  return (target as { backplane?: Backplane }).backplane ?? null;
}
