/** @file The kit's tables: which checks run for which kind of iodev. */
import type { IodevKind } from '../../../target/target';
import type { ConformanceCheck } from '../context';
import { GPIO_CHECKS } from './gpio';
import { I2C_CHECKS } from './i2c';
import { INVARIANT_CHECKS } from './invariants';
import { SPI_CHECKS, TXRX_CHECKS } from './spi';
import { TRANSFER_CHECKS, deviceErrorCheck } from './transfers';

/** The checks of each kind, in the order they run. A sensor gets the checks of the bus it sits on (the others skip). */
const TABLE: Readonly<Record<IodevKind, readonly ConformanceCheck[]>> = {
  i2c: [...INVARIANT_CHECKS, ...TRANSFER_CHECKS, ...I2C_CHECKS],
  spi: [...INVARIANT_CHECKS, ...TRANSFER_CHECKS, ...TXRX_CHECKS, ...SPI_CHECKS],
  sensor: [...INVARIANT_CHECKS, ...TRANSFER_CHECKS, ...I2C_CHECKS, ...TXRX_CHECKS, ...SPI_CHECKS],
  gpio: [...INVARIANT_CHECKS, ...GPIO_CHECKS],
  test: [...INVARIANT_CHECKS, ...TRANSFER_CHECKS, ...TXRX_CHECKS, deviceErrorCheck('test.device-error')],
};

/** The checks the kit runs for an iodev of `kind`, in order. Throws `RangeError` for an unknown kind. */
export function conformanceChecks(kind: IodevKind): readonly ConformanceCheck[] {
  const checks = TABLE[kind];
  if (checks === undefined) throw new RangeError(`"kind" must be one of ${Object.keys(TABLE).join(', ')}, got ${String(kind)}`);
  return checks;
}
