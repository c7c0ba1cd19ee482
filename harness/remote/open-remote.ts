/**
 * The one way a remote target is opened: a host link on a transport, the handshake, the target
 * wrapped around the link, and on failure everything closed again (the link, then whatever
 * `onClose` stops: an agent process, QEMU) before the error is rethrown.
 */
import { HostLink } from '../link/host';
import type { LinkLimits } from '../link/limits';
import { openSerialTransport } from '../link/serial-transport';
import type { Transport } from '../link/transport';
import type { TargetCapability } from '../target/capabilities';
import { hostPacketLink } from './packet-link';
import type { AgentHello, PacketLink } from './packet-link';
import { RemoteTarget } from './remote-target';
import type { RemoteTargetOptions } from './remote-target';

/** Capabilities of a target served by an agent of this project (it simulates faults). */
export const AGENT_CAPABILITIES: readonly TargetCapability[] = ['fault-injection'];

/** Options of {@link openRemote}: the link's limits and the target's options. */
export interface OpenRemoteOptions extends RemoteTargetOptions {
  /** The host link's limits (handshake timeout, recovery); what is left out keeps the link's default. */
  readonly link?: Partial<LinkLimits>;
}

/** An open remote target and the host link under it (for statistics and tests). */
export interface OpenedRemote<T extends RemoteTarget = RemoteTarget> {
  readonly target: T;
  readonly link: HostLink;
}

/** Makes the target once the handshake is done (a subclass with a backplane, say). */
export type RemoteTargetFactory<T extends RemoteTarget> = (id: string, link: PacketLink, hello: AgentHello, opts: RemoteTargetOptions) => T;

const plainTarget: RemoteTargetFactory<RemoteTarget> = (id, link, hello, opts) => new RemoteTarget(id, link, hello, opts);

/**
 * Opens a host link on `transport`, waits for the agent's HelloReply and wraps the link in a
 * target called `id` (capabilities default to {@link AGENT_CAPABILITIES}). When the handshake
 * fails (HandshakeTimeoutError naming the port, ProtocolVersionError, …) it closes the link,
 * awaits `opts.onClose`, and rethrows.
 */
export async function openRemote<T extends RemoteTarget = RemoteTarget>(
  id: string, transport: Transport, opts: OpenRemoteOptions = {}, make?: RemoteTargetFactory<T>,
): Promise<OpenedRemote<T>> {
  const { link: limits, ...targetOpts } = opts;
  const link = new HostLink(transport, limits);
  try {
    const hello = await link.open();
    const factory = (make ?? plainTarget) as RemoteTargetFactory<T>;
    const target = factory(id, hostPacketLink(link), hello, { capabilities: AGENT_CAPABILITIES, ...targetOpts });
    return { target, link };
  } catch (e) {
    await link.close();
    await opts.onClose?.();
    throw e;
  }
}

/**
 * Opens the serial port at `path` (a pty, a USB board) and the remote target behind it (what
 * `make` makes, default a RemoteTarget); see `openRemote`.
 */
export async function openSerialRemote<T extends RemoteTarget = RemoteTarget>(
  id: string, path: string, opts: OpenRemoteOptions & { readonly baudRate?: number } = {}, make?: RemoteTargetFactory<T>,
): Promise<OpenedRemote<T>> {
  const { baudRate, ...rest } = opts;
  let transport: Transport;
  try {
    transport = await openSerialTransport({ path, ...(baudRate === undefined ? {} : { baudRate }) });
  } catch (e) {
    await opts.onClose?.();
    throw e;
  }
  return openRemote(id, transport, rest, make);
}
