/**
 * The emulator's backplane: the reference board's device models, reached in process. temp0's
 * temperature is pinned on its model, gpio0's inputs are driven and its outputs read on the GPIO
 * lines, and eeprom0's and flash0's contents are read from their arrays. Events happen at the
 * board's current virtual time.
 */
import { EEPROM_24C32_SIZE } from './devices/eeprom-24c32';
import { GpioLines } from './devices/gpio-lines';
import { FLASH_SIZE } from './devices/nor-flash';
import type { ReferenceBoard } from './board';
import { BackplaneBase, BackplaneUnsupportedError } from '../target/backplane';
import type { BackplaneCapability, MagneticField } from '../target/backplane';

/** What the emulator's backplane offers, per iodev of the reference board. */
export const EMULATOR_BACKPLANE: ReadonlyMap<string, readonly BackplaneCapability[]> = new Map<string, readonly BackplaneCapability[]>([
  ['temp0', ['temperature']],
  ['gpio0', ['gpio-input', 'gpio-output']],
  ['eeprom0', ['eeprom-contents']],
  ['flash0', ['flash-contents']],
]);

/** The backplane of an emulated reference board. */
export class EmulatorBackplane extends BackplaneBase {
  constructor(targetId: string, private readonly board: ReferenceBoard) {
    super(targetId, EMULATOR_BACKPLANE);
  }

  async setTemperature(iodev: string, celsius: number): Promise<void> {
    this.require('temperature', iodev);
    this.board.devices.temp.setTemperature(celsius);
  }

  async setMagneticField(iodev: string, field: MagneticField): Promise<void> {
    void field;
    this.require('magnetometer', iodev);
  }

  async driveInput(iodev: string, line: number, level: 0 | 1): Promise<void> {
    this.require('gpio-input', iodev);
    if (!GpioLines.isInput(line)) throw new BackplaneUnsupportedError(this.targetId, iodev, 'gpio-input', `line ${line} is not an input (inputs: 4..7)`);
    this.board.devices.gpio.drive(line, level);
  }

  async readOutput(iodev: string, line: number): Promise<0 | 1> {
    this.require('gpio-output', iodev);
    if (!GpioLines.isOutput(line)) throw new BackplaneUnsupportedError(this.targetId, iodev, 'gpio-output', `line ${line} is not an output (outputs: 0..3)`);
    return this.board.devices.gpio.get(line) === 0 ? 0 : 1;
  }

  async readEeprom(iodev: string): Promise<Uint8Array> {
    this.require('eeprom-contents', iodev);
    return this.board.devices.eeprom.peek(0, EEPROM_24C32_SIZE);
  }

  async readFlash(iodev: string): Promise<Uint8Array> {
    this.require('flash-contents', iodev);
    return this.board.devices.flash.peek(0, FLASH_SIZE);
  }

  rtcStart(iodev: string): Date {
    this.require('rtc-start', iodev);
    throw new Error('unreachable');
  }
}
