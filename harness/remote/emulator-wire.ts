/**
 * The emulated reference board behind the wire: the TS agent serving it on one end of an
 * in-memory transport pair, the frame codec, link layer and remote target on the other, exactly
 * as for a board on a serial port.
 */
import { TsAgent } from '../agent/ts-agent';
import { AgentLink } from '../link/agent';
import type { HostLink } from '../link/host';
import type { LinkLimits } from '../link/limits';
import { createMemoryPair } from '../link/memory-transport';
import type { MemoryDeviceTransport } from '../link/memory-transport';
import { openRemote } from './open-remote';
import type { OpenRemoteOptions } from './open-remote';
import type { RemoteTarget } from './remote-target';

/** The pieces of an emulator-wire target, for tests that reach into the device end. */
export interface EmulatorWireParts {
  readonly target: RemoteTarget;
  readonly agent: TsAgent;
  readonly device: MemoryDeviceTransport;
  readonly hostLink: HostLink;
  readonly agentLink: AgentLink;
}

/** Opens the emulator behind the wire with sensor seed `seed`; `opts.link` applies to both ends. */
export async function openEmulatorWireParts(id: string, seed: number, opts: OpenRemoteOptions = {}): Promise<EmulatorWireParts> {
  const pair = createMemoryPair({ name: id });
  const limits: Partial<LinkLimits> = opts.link ?? {};
  let agent: TsAgent | null = null;
  const agentLink = new AgentLink(pair.device, { ...limits, helloReply: () => agent!.hello() });
  agent = new TsAgent(agentLink, { seed });
  const { target, link } = await openRemote(id, pair.host, {
    ...opts,
    onClose: async () => {
      agent?.stop();
      await agentLink.close();
      await opts.onClose?.();
    },
  });
  return { target, agent, device: pair.device, hostLink: link, agentLink };
}

/** {@link openEmulatorWireParts}, returning just the target. */
export async function openEmulatorWire(id: string, seed: number): Promise<RemoteTarget> {
  return (await openEmulatorWireParts(id, seed)).target;
}
