/** rtio-hil's public API: Zephyr's RTIO on the host, the targets it runs on, and their clocks. */
export * from './rtio';
export { SystemClock, systemClock, VirtualClock } from './clock';
export type { Clock, TimerFn, TimerId } from './clock';
export { openTarget, KNOWN_TARGETS } from './boards/open-target';
export type { OpenTargetOptions } from './boards/open-target';
export type { Target, IodevInfo, IodevKind } from './target/target';
export { BACKPLANE_CAPABILITIES, BackplaneUnsupportedError, backplaneOf } from './target/backplane';
export type { Backplane, BackplaneCapability, MagneticField } from './target/backplane';
export { QmpError, QmpConnectionError } from './qemu/qmp';
export type { Fault } from './target/faults';
export { testIodevScript } from './emulator/iodevs/test-iodev';
