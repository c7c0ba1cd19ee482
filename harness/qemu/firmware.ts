/** The firmware this project builds for QEMU's machines (firmware-stubs/ports/<machine>). */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root';
import { FIRMWARE_PREREQUISITES, buildOnce } from '../remote/make';

/** The firmware for one QEMU machine. */
export interface QemuFirmware {
  /** The `-M` machine, also the make target and the images' suffix. */
  readonly machine: string;
  /** The agent serving the simulated reference board. */
  readonly agentImage: string;
  /** The raw byte echo of the same port: bench/link's baseline. */
  readonly echoImage: string;
  /** `make -C firmware-stubs <makeTarget>` builds both images. */
  readonly makeTarget: string;
  /** Address of the host mailbox, the last 8 bytes of the image's RAM (cortex-m/port.h). */
  readonly mailboxAddress: number;
}

function firmware(machine: string, mailboxAddress: number): QemuFirmware {
  const dir = join(PACKAGE_ROOT, 'build', 'firmware-stubs', machine);
  return { machine, agentImage: join(dir, `rtio-agent-${machine}.elf`), echoImage: join(dir, `rtio-echo-${machine}.elf`), makeTarget: machine, mailboxAddress };
}

/**
 * The QEMU machines with a port here: `lm3s6965evb` (TI LM3S6965, PL011 UART with a 16-byte FIFO:
 * the simulated reference board), `mps2-an385` (Arm MPS2, CMSDK UART with a 1-byte buffer: 5-7x
 * slower into the guest; proof that the port's generic half carries over) and `ast1030-evb`
 * (Aspeed AST1030, Cortex-M4, 16550 UART: the agent's real I2C, SPI and GPIO drivers on QEMU's
 * device models).
 */
export const QEMU_FIRMWARE: Readonly<Record<string, QemuFirmware>> = Object.freeze({
  lm3s6965evb: firmware('lm3s6965evb', 0x2000fff8),
  'mps2-an385': firmware('mps2-an385', 0x2000fff8),
  'ast1030-evb': firmware('ast1030-evb', 0x000bfff8),
});

/**
 * The make target a board file's `launch.build` names for a QEMU board
 * (`'firmware-stubs-<machine>'`, a machine of {@link QEMU_FIRMWARE}), or null for none.
 */
export function qemuMakeTarget(build: string | undefined): string | null {
  if (build === undefined || !build.startsWith('firmware-stubs-')) return null;
  return QEMU_FIRMWARE[build.slice('firmware-stubs-'.length)]?.makeTarget ?? null;
}

/** The agent image for QEMU's lm3s6965evb (the simulated reference board on a Cortex-M3). */
export const LM3S6965EVB_AGENT_IMAGE = QEMU_FIRMWARE.lm3s6965evb!.agentImage;
/** The raw echo image of the same port: bench/link's baseline. */
export const LM3S6965EVB_ECHO_IMAGE = QEMU_FIRMWARE.lm3s6965evb!.echoImage;
/** The make target (in firmware-stubs/) that builds both lm3s6965evb images. */
export const LM3S6965EVB_MAKE_TARGET = QEMU_FIRMWARE.lm3s6965evb!.makeTarget;

/**
 * Builds firmware with `make -C firmware-stubs <target>`, once per process and target (make is
 * incremental). Rejects with `PrerequisiteMissingError` when the cross compiler or nanopb
 * is missing, else with make's last lines.
 */
export function buildFirmware(target: string = LM3S6965EVB_MAKE_TARGET): Promise<void> {
  return buildOnce(target, 'the firmware', FIRMWARE_PREREQUISITES);
}
