/**
 * The capabilities a target or an iodev can have: a closed vocabulary, so that a misspelt one is
 * a compile error in a suite and a schema error in a board file (boards/board.schema.json lists
 * the same names; a test holds the two together), never a test skipped on every target for ever.
 * Suites skip, with the reason, a test whose target or iodev lacks what it needs.
 */

/**
 * What a whole target can do:
 * - `fault-injection`: `injectFault()` arms faults on its iodevs (the emulator and this project's agents);
 * - `virtual-time`: its clock is virtual, so device times are exact and runs repeat to the tick;
 * - `sync-cancel`: `sqeCancel()` of a queued operation takes effect before it returns (in-process only).
 */
export const TARGET_CAPABILITIES = ['fault-injection', 'virtual-time', 'sync-cancel'] as const;

/** One of {@link TARGET_CAPABILITIES}. */
export type TargetCapability = (typeof TARGET_CAPABILITIES)[number];

/**
 * What one iodev can do, as its row of the iodev table says:
 * - `chain`, `transaction`, `cancel`, `timeout`, `await`, `mempool`: it takes part in chains and
 *   transactions, can be cancelled, honours `timeoutMs`, runs AWAITs, reads into mempool blocks;
 * - `multishot`: a mempool read re-arms after each completion (streaming parts);
 * - `txrx`: full-duplex transceive (SPI);
 * - `edge-events`: GPIO edge events as a multishot read;
 * - `eeprom.page-wrap`, `eeprom.write-cycle`: a 24Cxx EEPROM's page wrap and its NACK during the
 *   write cycle;
 * - `flash.busy`, `flash.wel-autoclear`, `flash.page-wrap`: a SPI NOR flash's BUSY bit while
 *   programming, WEL cleared when that ends, and page-program wrap within a page.
 */
export const IODEV_CAPABILITIES = [
  'chain', 'transaction', 'cancel', 'timeout', 'await', 'mempool', 'multishot', 'txrx', 'edge-events',
  'eeprom.page-wrap', 'eeprom.write-cycle', 'flash.busy', 'flash.wel-autoclear', 'flash.page-wrap',
] as const;

/** One of {@link IODEV_CAPABILITIES}. */
export type IodevCapability = (typeof IODEV_CAPABILITIES)[number];

/** True when `name` is a target capability of the vocabulary. */
export function isTargetCapability(name: string): name is TargetCapability {
  return (TARGET_CAPABILITIES as readonly string[]).includes(name);
}

/** True when `name` is an iodev capability of the vocabulary. */
export function isIodevCapability(name: string): name is IodevCapability {
  return (IODEV_CAPABILITIES as readonly string[]).includes(name);
}
