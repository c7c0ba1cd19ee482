import { VirtualClock } from '../clock';
import type { IodevInfo } from '../target/target';
import { I2cBus } from './bus/i2c-bus';
import { SpiBus } from './bus/spi-bus';
import { EEPROM_24C32_DEFAULT_ADDRESS, Eeprom24c32 } from './devices/eeprom-24c32';
import { GpioLines } from './devices/gpio-lines';
import { Icm42688 } from './devices/icm42688';
import { NorFlash } from './devices/nor-flash';
import { PCF8563_ADDRESS, Pcf8563 } from './devices/pcf8563';
import { TMP102_DEFAULT_ADDRESS, Tmp102 } from './devices/tmp102';
import { GpioIodev } from './iodevs/gpio-iodev';
import { I2cIodev } from './iodevs/i2c-iodev';
import { ImuIodev } from './iodevs/imu-iodev';
import type { QueuedIodev } from './iodevs/queued-iodev';
import { RtcIodev } from './iodevs/rtc-iodev';
import { SpiIodev } from './iodevs/spi-iodev';
import { TestIodev } from './iodevs/test-iodev';

/** I2C address of the reference board's IMU. */
export const IMU_ADDRESS = 0x68;
/** SPI chip select of the reference board's flash. */
export const FLASH_CS = 0;

/** Options of {@link createReferenceBoard}. */
export interface ReferenceBoardOptions {
  /** Seed of the sensors' pseudo-random values. Default 1. */
  readonly seed?: number;
}

/** The emulated reference board: its clock, buses, device models and iodevs. */
export interface ReferenceBoard {
  /** The board's virtual clock; every device and iodev runs on it. */
  readonly clock: VirtualClock;
  /** Iodevs by name. */
  readonly iodevs: ReadonlyMap<string, QueuedIodev>;
  /** The iodev table, as in boards/emulator.json. */
  readonly info: readonly IodevInfo[];
  /** Device models, for tests of the emulator itself. */
  readonly devices: {
    readonly i2c0: I2cBus;
    readonly spi0: SpiBus;
    readonly eeprom: Eeprom24c32;
    readonly temp: Tmp102;
    readonly imu: Icm42688;
    readonly flash: NorFlash;
    readonly gpio: GpioLines;
    readonly rtc: Pcf8563;
  };
}

/** Capabilities every iodev of the reference board has. */
const COMMON = ['transaction', 'chain', 'cancel', 'timeout', 'await'] as const;

/**
 * What the 24C32 model does as the datasheet says, named so that tests needing it skip on boards
 * whose part (or model of it) does not: a page write wraps within its 32-byte page
 * (`eeprom.page-wrap`); the device NACKs its address during the 5 ms write cycle
 * (`eeprom.write-cycle`). QEMU's at24c-eeprom, for one, does neither.
 */
export const EEPROM_24C32_SEMANTICS = ['eeprom.page-wrap', 'eeprom.write-cycle'] as const;
/**
 * The W25Q80 model's datasheet behaviours, named likewise: BUSY (WIP) is set while a program or
 * erase runs (`flash.busy`); WEL clears when it ends (`flash.wel-autoclear`); a page program wraps
 * within its 256-byte page (`flash.page-wrap`). QEMU's m25p80 family does none of them.
 */
export const W25Q80_SEMANTICS = ['flash.busy', 'flash.wel-autoclear', 'flash.page-wrap'] as const;

/** The iodev table of the reference board (also in boards/emulator.json, checked by a test). */
export const REFERENCE_IODEVS: readonly IodevInfo[] = [
  { name: 'eeprom0', kind: 'i2c', bus: 'i2c0', address: EEPROM_24C32_DEFAULT_ADDRESS, part: '24c32', capabilities: [...COMMON, 'mempool', ...EEPROM_24C32_SEMANTICS] },
  { name: 'temp0', kind: 'i2c', bus: 'i2c0', address: TMP102_DEFAULT_ADDRESS, part: 'tmp102', capabilities: [...COMMON, 'mempool'] },
  { name: 'imu0', kind: 'sensor', bus: 'i2c0', address: IMU_ADDRESS, part: 'icm42688', capabilities: [...COMMON, 'mempool', 'multishot'] },
  { name: 'flash0', kind: 'spi', bus: 'spi0', address: FLASH_CS, part: 'w25q80', capabilities: [...COMMON, 'mempool', 'txrx', ...W25Q80_SEMANTICS] },
  { name: 'gpio0', kind: 'gpio', part: 'gpio-8', capabilities: [...COMMON, 'mempool', 'multishot', 'edge-events'] },
  { name: 'test0', kind: 'test', part: 'rtio-iodev-test', capabilities: [...COMMON, 'mempool', 'multishot', 'txrx'] },
  { name: 'rtc0', kind: 'sensor', bus: 'i2c0', address: PCF8563_ADDRESS, part: 'pcf8563', capabilities: [...COMMON, 'mempool', 'multishot'] },
];

/** Builds the reference board on a fresh virtual clock at time 0. */
export function createReferenceBoard(opts: ReferenceBoardOptions = {}): ReferenceBoard {
  const seed = opts.seed ?? 1;
  const clock = new VirtualClock();
  const i2c0 = new I2cBus({ clock });
  const eeprom = new Eeprom24c32(i2c0);
  const temp = new Tmp102(i2c0, { seed });
  const imu = new Icm42688(i2c0, { seed });
  i2c0.attach(eeprom);
  i2c0.attach(temp);
  i2c0.attach(imu);
  const rtc = new Pcf8563(i2c0);
  i2c0.attach(rtc);
  const spi0 = new SpiBus({ clock });
  const flash = new NorFlash({ now: () => spi0.now() });
  spi0.attach(FLASH_CS, flash);
  const gpio = new GpioLines({ now: () => clock.now() });
  const iodevs = new Map<string, QueuedIodev>([
    ['eeprom0', new I2cIodev('eeprom0', clock, i2c0, EEPROM_24C32_DEFAULT_ADDRESS)],
    ['temp0', new I2cIodev('temp0', clock, i2c0, TMP102_DEFAULT_ADDRESS)],
    ['imu0', new ImuIodev('imu0', clock, i2c0, imu)],
    ['flash0', new SpiIodev('flash0', clock, spi0, FLASH_CS)],
    ['gpio0', new GpioIodev('gpio0', clock, gpio)],
    ['test0', new TestIodev('test0', clock)],
    ['rtc0', new RtcIodev('rtc0', clock, i2c0, rtc)],
  ]);
  return { clock, iodevs, info: REFERENCE_IODEVS, devices: { i2c0, spi0, eeprom, temp, imu, flash, gpio, rtc } };
}
