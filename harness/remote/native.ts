/**
 * The native agent: the C agent built for Linux (`make -C firmware-stubs posix`), run as a
 * process on a pseudo-terminal and opened with SerialPort like a USB board.
 */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root';
import { startAgentProcess } from './agent-process';
import { NATIVE_PREREQUISITES, buildOnce } from './make';
import { openSerialRemote } from './open-remote';
import type { OpenRemoteOptions, OpenedRemote } from './open-remote';

/** Where `make -C firmware-stubs posix` puts the native agent. */
export const NATIVE_AGENT_BINARY = join(PACKAGE_ROOT, 'build', 'firmware-stubs', 'rtio-agent-posix');
/** Arguments that make the native agent a raw byte echo on the same kind of pty (bench/link's baseline). */
export const ECHO_ARGS: readonly string[] = ['--echo'];

/** Builds the native agent once per process (make is incremental); rejects with make's output. */
export function buildNativeAgent(): Promise<void> {
  return buildOnce('posix', 'the native agent', NATIVE_PREREQUISITES);
}

/**
 * Starts `command` (default: the native agent, built if needed) with `args` and opens the target
 * it serves; the process is stopped by its pid when the target closes or opening fails.
 */
export async function openNativeParts(
  id: string, command: string | null, args: readonly string[], opts: OpenRemoteOptions = {},
): Promise<OpenedRemote> {
  if (command === null) await buildNativeAgent();
  const proc = await startAgentProcess(command ?? NATIVE_AGENT_BINARY, args);
  const onClose = async (): Promise<void> => {
    await proc.stop();
    await opts.onClose?.();
  };
  return openSerialRemote(id, proc.path, { ...opts, onClose });
}

/** The native agent with sensor seed `seed`, as a target. */
export async function openNative(id: string, seed: number): Promise<OpenedRemote['target']> {
  return (await openNativeParts(id, null, ['--seed', String(seed)])).target;
}
