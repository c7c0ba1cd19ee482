/** @file The board variants the project's own conformance runs use. */
import { PCF8563_ADDRESS, Pcf8563 } from '../../emulator/devices/pcf8563';
import { TMP102_DEFAULT_ADDRESS } from '../../emulator/devices/tmp102';
import {
  DoubleCompleteI2cIodev, DropOnErrorI2cIodev, EagerCompleteI2cIodev, HeldCsSpiIodev, ShortAsFullI2cIodev,
} from '../../emulator/iodevs/broken';
import { FLASH_CS, REFERENCE_IODEVS } from '../../emulator/board';
import { RtcIodev } from '../../emulator/iodevs/rtc-iodev';
import type { IodevInfo } from '../../target/target';
import type { BoardVariant } from './board-variant';

/** The reference board's table row of `name`, renamed to `as` (a twin on the same device). */
function twinOf(name: string, as: string): IodevInfo {
  const row = REFERENCE_IODEVS.find((i) => i.name === name);
  if (row === undefined) throw new RangeError(`the reference board has no iodev "${name}"`);
  return { ...row, name: as };
}

/**
 * The reference board plus one broken twin per rule, each driving a real device of the board:
 * `temp0-double` (completes every unit twice), `temp0-eager` (completes writes before doing
 * them), `temp0-drop` (never completes a failing unit), `temp0-short` (reports short reads as
 * full) on the TMP102, and `flash0-held` (holds chip select between units) on the flash.
 */
export const BROKEN_VARIANT: BoardVariant = {
  id: 'emulator+broken',
  extend(board) {
    const { clock } = board;
    const { i2c0, spi0 } = board.devices;
    return [
      { info: twinOf('temp0', 'temp0-double'), iodev: new DoubleCompleteI2cIodev('temp0-double', clock, i2c0, TMP102_DEFAULT_ADDRESS) },
      { info: twinOf('temp0', 'temp0-eager'), iodev: new EagerCompleteI2cIodev('temp0-eager', clock, i2c0, TMP102_DEFAULT_ADDRESS) },
      { info: twinOf('temp0', 'temp0-drop'), iodev: new DropOnErrorI2cIodev('temp0-drop', clock, i2c0, TMP102_DEFAULT_ADDRESS) },
      { info: twinOf('temp0', 'temp0-short'), iodev: new ShortAsFullI2cIodev('temp0-short', clock, i2c0, TMP102_DEFAULT_ADDRESS) },
      { info: twinOf('flash0', 'flash0-held'), iodev: new HeldCsSpiIodev('flash0-held', clock, spi0, FLASH_CS) },
    ];
  },
};

/** The row of the worked example's RTC in an iodev table (docs/driver-guide.md). */
export const RTC_IODEV_INFO: IodevInfo = {
  name: 'rtc0',
  kind: 'sensor',
  bus: 'i2c0',
  address: PCF8563_ADDRESS,
  part: 'pcf8563',
  capabilities: ['transaction', 'chain', 'cancel', 'timeout', 'await', 'mempool', 'multishot'],
};

/**
 * The reference board plus the driver guide's worked example: `rtc0`, a PCF8563-style RTC at
 * 0x51 on i2c0 with its tick-reading iodev. Adds nothing once the reference board has `rtc0`.
 */
export const RTC_VARIANT: BoardVariant = {
  id: 'emulator+rtc',
  extend(board) {
    if (board.iodevs.has(RTC_IODEV_INFO.name)) return [];
    const rtc = new Pcf8563(board.devices.i2c0);
    board.devices.i2c0.attach(rtc);
    return [{ info: RTC_IODEV_INFO, iodev: new RtcIodev('rtc0', board.clock, board.devices.i2c0, rtc) }];
  },
};
