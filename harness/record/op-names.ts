/** Zephyr's names of RTIO op codes, for reports and timelines. */
import {
  RTIO_OP_AWAIT, RTIO_OP_CALLBACK, RTIO_OP_DELAY, RTIO_OP_I2C_CONFIGURE, RTIO_OP_I2C_RECOVER, RTIO_OP_I3C_CCC,
  RTIO_OP_I3C_CONFIGURE, RTIO_OP_I3C_RECOVER, RTIO_OP_NOP, RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_OP_TX, RTIO_OP_TXRX,
} from '../rtio';

const NAMES: ReadonlyMap<number, string> = new Map([
  [RTIO_OP_NOP, 'NOP'], [RTIO_OP_RX, 'RX'], [RTIO_OP_TX, 'TX'], [RTIO_OP_TINY_TX, 'TINY_TX'],
  [RTIO_OP_CALLBACK, 'CALLBACK'], [RTIO_OP_TXRX, 'TXRX'], [RTIO_OP_DELAY, 'DELAY'],
  [RTIO_OP_I2C_RECOVER, 'I2C_RECOVER'], [RTIO_OP_I2C_CONFIGURE, 'I2C_CONFIGURE'], [RTIO_OP_I3C_RECOVER, 'I3C_RECOVER'],
  [RTIO_OP_I3C_CONFIGURE, 'I3C_CONFIGURE'], [RTIO_OP_I3C_CCC, 'I3C_CCC'], [RTIO_OP_AWAIT, 'AWAIT'],
]);

/** `'RX'` for `RTIO_OP_RX` (the name without `RTIO_OP_`); `'op 42'` for a code rtio-hil does not know. */
export function opName(op: number): string {
  return NAMES.get(op) ?? `op ${op}`;
}
