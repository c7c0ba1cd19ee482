/**
 * What a remote target needs of its link: send the host's bodies, receive the agent's, learn of
 * failures. A {@link HostLink} provides it through {@link hostPacketLink}; tests may give a
 * stand-in.
 */
import type { HostLink } from '../link/host';
import type { HostBody, HelloReply, Packet } from '../../protocol/messages';

/** What the agent said in its HelloReply. */
export type AgentHello = Omit<HelloReply, 'hostNonce'>;

/** The link a remote target talks through. */
export interface PacketLink {
  /** Sends a sequenced body (delivered once, in order). */
  send(body: HostBody): void;
  /** Probes the agent while the link is idle (see the Link's keepalive); a link without it may ignore this. */
  setKeepalive?(on: boolean): void;
  /** Packets sent again so far (the Link's `retransmits`): a sign of a noisy line. */
  retransmits?(): number;
  /** Subscribes to packets from the agent, in order, each once. */
  onPacket(cb: (packet: Packet) => void): void;
  /** Subscribes to link failures (reset, disconnect, timeout). */
  onError(cb: (err: Error) => void): void;
  /** Closes the link. */
  close(): Promise<void>;
}

/** The host end of an open link, as a remote target uses it. */
export function hostPacketLink(link: HostLink): PacketLink {
  return {
    send: (body) => link.send(body),
    setKeepalive: (on) => link.setKeepalive(on),
    retransmits: () => link.stats.retransmits,
    onPacket: (cb) => link.onPacket(cb),
    onError: (cb) => link.onError(cb),
    close: () => link.close(),
  };
}
