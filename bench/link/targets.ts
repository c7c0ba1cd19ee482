/**
 * What bench/link runs against for a board: the agent's target, and the raw echo peer of the same
 * kind (the native agent's --echo, or the echo image of a QEMU board's port) as its baseline.
 */
import { openTarget } from '../../harness/boards/open-target';
import { QEMU_FIRMWARE, openQemu, startQemu } from '../../harness/qemu';
import type { QemuFirmware } from '../../harness/qemu';
import type { RemoteTarget } from '../../harness/remote';
import { ECHO_ARGS, NATIVE_AGENT_BINARY, buildNativeAgent, startAgentProcess } from '../../harness/remote';

/** A raw byte echo on a pty (firmware-stubs/core/echo.h): the baseline peer. */
export interface EchoPeer {
  readonly path: string;
  stop(): Promise<void>;
}

/** `qemu-<machine>` for a machine with firmware here ({@link QEMU_FIRMWARE}): its images; else undefined. */
function qemuBoard(board: string): QemuFirmware | undefined {
  return board.startsWith('qemu-') ? QEMU_FIRMWARE[board.slice('qemu-'.length)] : undefined;
}

/** The board's target: a QEMU board's agent image, else whatever openTarget opens. */
export async function openBenchTarget(board: string): Promise<RemoteTarget> {
  const q = qemuBoard(board);
  if (q === undefined) return (await openTarget(board)) as RemoteTarget;
  return openQemu(board, 1, { machine: q.machine, image: q.agentImage, build: q.makeTarget });
}

/** The raw echo peer for the board: the echo image of a QEMU board's port, else the native agent's --echo. */
export async function startEcho(board: string): Promise<EchoPeer> {
  const q = qemuBoard(board);
  if (q !== undefined) return startQemu({ machine: q.machine, image: q.echoImage, build: q.makeTarget });
  await buildNativeAgent();
  return startAgentProcess(NATIVE_AGENT_BINARY, ECHO_ARGS);
}
