/** The QEMU target: firmware images, launching QEMU, the target and its backplane. */
export {
  LM3S6965EVB_AGENT_IMAGE, LM3S6965EVB_ECHO_IMAGE, LM3S6965EVB_MAKE_TARGET, QEMU_FIRMWARE,
  buildFirmware, qemuMakeTarget,
} from './firmware';
export type { QemuFirmware } from './firmware';
export { QEMU_CONNECT_MS, QEMU_PREREQUISITES, qemuArgs, startQemu } from './launch';
export type { QemuArgsOptions, QemuOptions, QemuProcess } from './launch';
export { QEMU_TIMEOUTS, QemuTarget, openQemu, openQemuParts } from './qemu';
export type { OpenQemuOptions, QemuParts } from './qemu';
export { QmpClient, QmpConnectionError, QmpError } from './qmp';
export type { QemuPeripheralsSpec } from './peripherals';
