/**
 * @file Iodevs broken on purpose, one rule each, for the conformance kit's own tests (each must
 * fail the kit with a message naming its rule). Never put them on a real board.
 */
export { DoubleCompleteI2cIodev } from './double-complete';
export { EagerCompleteI2cIodev } from './eager-complete';
export { DropOnErrorI2cIodev } from './drop-on-error';
export { ShortAsFullI2cIodev } from './short-as-full';
export { CsHoldingSpiBus, HeldCsSpiIodev, HELD_CS_IDLE_RELEASE_MS } from './held-cs';
