/**
 * QEMU's own device models on a QEMU board, as its board file's `launch.peripherals` describes
 * them: the command-line arguments that attach them (with their backing files made fresh for the
 * run), and the backplane that reaches them over QMP and through those files.
 *
 * Each model gets the QOM id of its iodev (`-device tmp105,id=temp0,...`), so its path is
 * `/machine/peripheral/<iodev>` whatever the argument order (QEMU's anonymous paths are not
 * stable). What the backplane offers follows from the model: a temperature for `tmp105` (and
 * `lsm303dlhc_mag`'s sensor), the field of `lsm303dlhc_mag`, the contents of a model with a
 * backing file, the RTC's start time from `rtcBase`, and each GPIO line's pin.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackplaneBase, BackplaneUnsupportedError } from '../target/backplane';
import type { BackplaneCapability, MagneticField } from '../target/backplane';
import type { QmpClient } from './qmp';

/** A device model on the command line, serving one iodev. */
export interface QemuModelSpec {
  /** The iodev it serves; also its QOM id. */
  readonly iodev: string;
  /** The `-device` type, e.g. `tmp105`; absent for a flash on the machine's own SPI controller (`mtd`). */
  readonly device?: string;
  /** The bus, e.g. `aspeed.i2c.bus.2`. */
  readonly bus?: string;
  /** The I2C address. */
  readonly address?: number;
  /** More `-device` properties, e.g. `{ "rom-size": 4096 }`. */
  readonly properties?: Readonly<Record<string, string | number | boolean>>;
  /** The flash on the machine's controller backed by `-drive if=mtd,index=<mtd>` (ast1030-evb: 2 is SPI1 CS0). */
  readonly mtd?: number;
  /** A backing file made fresh for each run: `bytes` long, every byte `fill`. */
  readonly file?: { readonly bytes: number; readonly fill: number };
  /** What the model is, for the backplane: an EEPROM or a flash (contents), else from `device`. */
  readonly contents?: 'eeprom' | 'flash';
}

/** One GPIO line of an iodev and the machine's pin behind it. */
export interface QemuGpioLineSpec {
  readonly line: number;
  /** The pin's boolean QOM property, e.g. `gpioA4`. */
  readonly pin: string;
  readonly direction: 'input' | 'output';
}

/** The machine's own GPIO controller as an iodev's lines. */
export interface QemuGpioSpec {
  readonly iodev: string;
  /** QOM path of the controller, e.g. `/machine/soc/gpio`. */
  readonly path: string;
  readonly lines: readonly QemuGpioLineSpec[];
}

/** A QEMU board's devices (board file `launch.peripherals`). */
export interface QemuPeripheralsSpec {
  /** `-rtc base=<rtcBase>,clock=vm` (UTC, `YYYY-MM-DDTHH:MM:SS`): RTC models start there. */
  readonly rtcBase?: string;
  /** The RTC iodev `rtcBase` is for. */
  readonly rtc?: string;
  readonly models?: readonly QemuModelSpec[];
  readonly gpio?: readonly QemuGpioSpec[];
}

/** The arguments and the backing files of `spec` for a run in folder `dir`. */
export interface QemuPeripheralArgs {
  readonly args: string[];
  /** Iodev → its backing file. */
  readonly files: ReadonlyMap<string, string>;
}

function property(v: string | number | boolean): string {
  return typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v);
}

/** Writes the backing files of `spec` into `dir` and returns QEMU's arguments for its models. */
export async function peripheralArgs(spec: QemuPeripheralsSpec, dir: string): Promise<QemuPeripheralArgs> {
  const args: string[] = [];
  const files = new Map<string, string>();
  if (spec.rtcBase !== undefined) args.push('-rtc', `base=${spec.rtcBase},clock=vm`);
  for (const m of spec.models ?? []) {
    let drive: string | null = null;
    if (m.file !== undefined) {
      const file = join(dir, `${m.iodev}.bin`);
      await writeFile(file, new Uint8Array(m.file.bytes).fill(m.file.fill));
      files.set(m.iodev, file);
      if (m.mtd !== undefined) args.push('-drive', `if=mtd,index=${m.mtd},file=${file},format=raw`);
      else {
        drive = `drive-${m.iodev}`;
        args.push('-drive', `if=none,id=${drive},file=${file},format=raw`);
      }
    }
    if (m.device === undefined) continue;
    const props = [`${m.device}`, `id=${m.iodev}`];
    if (m.bus !== undefined) props.push(`bus=${m.bus}`);
    if (m.address !== undefined) props.push(`address=0x${m.address.toString(16)}`);
    for (const [k, v] of Object.entries(m.properties ?? {})) props.push(`${k}=${property(v)}`);
    if (drive !== null) props.push(`drive=${drive}`);
    args.push('-device', props.join(','));
  }
  return { args, files };
}

/** What each model offers the backplane. */
function modelCapabilities(m: QemuModelSpec, spec: QemuPeripheralsSpec): BackplaneCapability[] {
  const caps: BackplaneCapability[] = [];
  if (m.device === 'tmp105' || m.device === 'lsm303dlhc_mag') caps.push('temperature');
  if (m.device === 'lsm303dlhc_mag') caps.push('magnetometer');
  if (m.file !== undefined && (m.contents ?? (m.mtd !== undefined ? 'flash' : 'eeprom')) === 'eeprom') caps.push('eeprom-contents');
  if (m.file !== undefined && (m.contents ?? (m.mtd !== undefined ? 'flash' : 'eeprom')) === 'flash') caps.push('flash-contents');
  if (spec.rtcBase !== undefined && spec.rtc === m.iodev) caps.push('rtc-start');
  return caps;
}

/** The capability table of `spec`. */
export function peripheralCapabilities(spec: QemuPeripheralsSpec): Map<string, BackplaneCapability[]> {
  const out = new Map<string, BackplaneCapability[]>();
  const add = (iodev: string, caps: readonly BackplaneCapability[]): void => {
    const have = out.get(iodev) ?? [];
    for (const c of caps) if (!have.includes(c)) have.push(c);
    out.set(iodev, have);
  };
  for (const m of spec.models ?? []) add(m.iodev, modelCapabilities(m, spec));
  for (const g of spec.gpio ?? []) {
    const caps: BackplaneCapability[] = [];
    if (g.lines.some((l) => l.direction === 'input')) caps.push('gpio-input');
    if (g.lines.some((l) => l.direction === 'output')) caps.push('gpio-output');
    add(g.iodev, caps);
  }
  return out;
}

/** Milli-units QEMU's sensor properties take, from a value in whole units. */
function milli(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`"${what}" must be a finite number, got ${String(value)}`);
  return Math.round(value * 1000);
}

/** The backplane of a QEMU board: QMP for sensors and GPIO pins, the backing files for contents. */
export class QemuBackplane extends BackplaneBase {
  constructor(targetId: string, private readonly spec: QemuPeripheralsSpec, private readonly qmp: QmpClient, private readonly files: ReadonlyMap<string, string>) {
    super(targetId, peripheralCapabilities(spec));
  }

  /** Sets the model's `temperature` property (milli-°C): tmp105 keeps 1/256 °C, lsm303dlhc_mag 1/8 °C. */
  async setTemperature(iodev: string, celsius: number): Promise<void> {
    this.require('temperature', iodev);
    await this.qmp.execute('qom-set', { path: `/machine/peripheral/${iodev}`, property: 'temperature', value: milli(celsius, 'celsius') });
  }

  /** Sets mag-x, mag-y, mag-z (milli-µT); the model converts with the gain its CRB register selects. */
  async setMagneticField(iodev: string, field: MagneticField): Promise<void> {
    this.require('magnetometer', iodev);
    for (const axis of ['x', 'y', 'z'] as const) {
      await this.qmp.execute('qom-set', { path: `/machine/peripheral/${iodev}`, property: `mag-${axis}`, value: milli(field[axis], axis) });
    }
  }

  async driveInput(iodev: string, line: number, level: 0 | 1): Promise<void> {
    this.require('gpio-input', iodev);
    const { path, pin } = this.pin(iodev, line, 'input');
    await this.qmp.execute('qom-set', { path, property: pin, value: level === 1 });
  }

  async readOutput(iodev: string, line: number): Promise<0 | 1> {
    this.require('gpio-output', iodev);
    const { path, pin } = this.pin(iodev, line, 'output');
    return (await this.qmp.execute<boolean>('qom-get', { path, property: pin })) ? 1 : 0;
  }

  /** The backing file: the EEPROM model writes it at each STOP, so it holds every completed write. */
  async readEeprom(iodev: string): Promise<Uint8Array> {
    this.require('eeprom-contents', iodev);
    return new Uint8Array(await readFile(this.files.get(iodev)!));
  }

  /**
   * The backing file, read with the machine paused: the flash model writes its file
   * asynchronously, and stopping the machine drains and flushes every block device, so the file
   * then holds every program that completed. A running machine is resumed after the read.
   */
  async readFlash(iodev: string): Promise<Uint8Array> {
    this.require('flash-contents', iodev);
    const status = await this.qmp.execute<{ running: boolean }>('query-status');
    if (status.running) await this.qmp.execute('stop');
    try {
      return new Uint8Array(await readFile(this.files.get(iodev)!));
    } finally {
      if (status.running) await this.qmp.execute('cont');
    }
  }

  rtcStart(iodev: string): Date {
    this.require('rtc-start', iodev);
    return new Date(`${this.spec.rtcBase!}Z`);
  }

  private pin(iodev: string, line: number, direction: 'input' | 'output'): { path: string; pin: string } {
    for (const g of this.spec.gpio ?? []) {
      if (g.iodev !== iodev) continue;
      const l = g.lines.find((x) => x.line === line && x.direction === direction);
      if (l !== undefined) return { path: g.path, pin: l.pin };
      const lines = g.lines.filter((x) => x.direction === direction).map((x) => x.line).join(', ');
      throw new BackplaneUnsupportedError(this.targetId, iodev, direction === 'input' ? 'gpio-input' : 'gpio-output',
        `line ${line} is not an ${direction} (${direction}s: ${lines})`);
    }
    throw new BackplaneUnsupportedError(this.targetId, iodev, direction === 'input' ? 'gpio-input' : 'gpio-output', 'no GPIO lines');
  }
}
