import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TsAgent } from '../agent/ts-agent';
import type { AgentLink, AgentPacket, HostPacket } from '../agent/ts-agent';
import { Link } from '../link/link';
import type { Packet } from '../../protocol/messages';
import type { LinkLimits } from '../link/link';
import { createMemoryPair } from '../link/memory-transport';
import type { MemoryDeviceTransport } from '../link/memory-transport';
import { openSerialTransport } from '../link/serial-transport';
import type { Transport } from '../link/transport';
import type { AgentHello, AgentBody, HostBody, PacketLink, RemoteTargetOptions } from './remote-target';
import type { BoardLink } from '../boards/board-file';
import { RemoteTarget } from './remote-target';
import { startAgentProcess } from './agent-process';
import { PACKAGE_ROOT } from '../package-root';

const ROOT = PACKAGE_ROOT;
/** Where `make -C firmware-stubs posix` puts the native agent. */
export const NATIVE_AGENT_BINARY = join(ROOT, 'build', 'firmware-stubs', 'rtio-agent-posix');
/** Arguments that make the native agent a raw byte echo on the same kind of pty (bench/link's baseline). */
export const ECHO_ARGS: readonly string[] = ['--echo'];

/** Capabilities of a target served by an agent of this project (it simulates faults). */
export const AGENT_CAPABILITIES: readonly string[] = ['fault-injection'];

/**
 * The link limits a board file's `link` block sets (its deadline allowance is the remote
 * target's, see {@link RemoteTargetOptions.deadlineAllowanceMs}).
 */
export function boardLinkLimits(link: BoardLink): Partial<LinkLimits> {
  const { deadlineAllowanceMs: _allowance, ...limits } = link;
  return limits;
}

/** The host end of an open link, as a RemoteTarget uses it. */
export function hostPacketLink(link: Link): PacketLink {
  return {
    send: (body: HostBody) => link.send(body as Parameters<Link['send']>[0]),
    setKeepalive: (on: boolean) => link.setKeepalive(on),
    retransmits: () => link.stats.retransmits,
    onPacket: (cb: (body: AgentBody) => void) => link.onPacket((p: Packet) => cb(p as AgentBody)),
    onError: (cb: (err: Error) => void) => link.onError(cb),
    close: () => link.close(),
  };
}

/** The agent end of a link, as the TS agent uses it. */
export function agentPacketLink(link: Link): AgentLink {
  return {
    send: (body: AgentPacket) => link.send(body as Parameters<Link['send']>[0]),
    onPacket: (cb: (body: HostPacket) => void) => link.onPacket((p: Packet) => cb(p as HostPacket)),
    restart: () => link.restart(),
  };
}

/** Opens a host link on `transport` and wraps it in a RemoteTarget called `id`. */
export async function openRemoteTarget(id: string, transport: Transport, onClose?: () => Promise<void>): Promise<RemoteTarget> {
  const link = new Link(transport, { role: 'host' });
  let hello: AgentHello;
  try {
    hello = await link.open();
  } catch (e) {
    await link.close();
    await onClose?.();
    throw e;
  }
  return new RemoteTarget(id, hostPacketLink(link), hello, {
    capabilities: AGENT_CAPABILITIES,
    ...(onClose === undefined ? {} : { onClose }),
  });
}

/** The pieces of an emulator-wire target, for tests that reach into the device end. */
export interface EmulatorWireParts {
  readonly target: RemoteTarget;
  readonly agent: TsAgent;
  readonly device: MemoryDeviceTransport;
  readonly hostLink: Link;
  readonly agentLink: Link;
}

/**
 * The emulated reference board behind the wire: a TS agent serving it on one end of an
 * in-memory transport pair, the frame codec, link layer and RemoteTarget on the other, exactly
 * as for a board on a serial port.
 */
export async function openEmulatorWireParts(
  id: string, seed: number, limits: Partial<LinkLimits> = {}, targetOpts: Pick<RemoteTargetOptions, 'deadlineAllowanceMs' | 'settleTimeoutMs'> = {},
): Promise<EmulatorWireParts> {
  const pair = createMemoryPair({ name: id });
  let agent: TsAgent | null = null;
  const agentLink = new Link(pair.device, {
    ...limits,
    role: 'agent',
    helloReply: () => {
      const h = agent!.hello();
      return { ...h, iodevs: h.iodevs.map((d) => ({ ...d })) };
    },
  });
  agent = new TsAgent(agentPacketLink(agentLink), { seed });
  const hostLink = new Link(pair.host, { ...limits, role: 'host' });
  const onClose = async (): Promise<void> => {
    agent?.stop();
    await agentLink.close();
  };
  let hello: AgentHello;
  try {
    hello = await hostLink.open();
  } catch (e) {
    await hostLink.close();
    await onClose();
    throw e;
  }
  const target = new RemoteTarget(id, hostPacketLink(hostLink), hello, { ...targetOpts, capabilities: AGENT_CAPABILITIES, onClose });
  return { target, agent, device: pair.device, hostLink, agentLink };
}

/** {@link openEmulatorWireParts}, returning just the target. */
export async function openEmulatorWire(id: string, seed: number): Promise<RemoteTarget> {
  return (await openEmulatorWireParts(id, seed)).target;
}

/** Opens a serial port (a pty of the native agent, a USB board) and the target behind it. */
export async function openSerialTarget(id: string, path: string, onClose?: () => Promise<void>): Promise<RemoteTarget> {
  const transport = await openSerialTransport({ path });
  return openRemoteTarget(id, transport, onClose);
}

/** The native agent cannot be built here: a tool it needs is not installed. */
export class PrerequisiteMissingError extends Error {
  override readonly name = 'PrerequisiteMissingError';
  constructor(readonly missing: string, readonly hint: string) {
    super(`${missing} is not installed (${hint})`);
  }
}

/** What building the native agent needs, with how to get it (.ci/run installs them). */
export const NATIVE_PREREQUISITES: readonly { path: string; hint: string }[] = [
  { path: '/usr/bin/nanopb_generator.py', hint: 'apt-get install nanopb libnanopb-dev protobuf-compiler' },
];

let built: Promise<void> | null = null;

/** Builds the native agent once per process (make is incremental); rejects with make's output. */
export function buildNativeAgent(): Promise<void> {
  for (const p of NATIVE_PREREQUISITES) {
    if (!existsSync(p.path)) return Promise.reject(new PrerequisiteMissingError(p.path, p.hint));
  }
  built ??= promisify(execFile)('make', ['-s', '-C', join(ROOT, 'firmware-stubs'), 'posix'], { maxBuffer: 16 << 20 })
    .then(() => undefined, (e: { stdout?: string; stderr?: string; message: string }) => {
      built = null;
      const out = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
      throw new Error(`building the native agent failed (make -C firmware-stubs posix):\n${out || e.message}`);
    });
  return built;
}

/**
 * The C agent as a Linux process on a pseudo-terminal: built if needed, launched, opened with
 * SerialPort like a USB board, and stopped by its pid when the target closes.
 */
export async function openNative(id: string, seed: number): Promise<RemoteTarget> {
  await buildNativeAgent();
  const proc = await startAgentProcess(NATIVE_AGENT_BINARY, ['--seed', String(seed)]);
  try {
    return await openSerialTarget(id, proc.path, () => proc.stop());
  } catch (e) {
    await proc.stop();
    throw e;
  }
}
