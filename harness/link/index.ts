/** The host end of the wire: transports (serial, TCP, in-memory) and the link layer. */
import type { AgentLink } from './agent';
import type { HostLink } from './host';

/** Either end of a link, for code that needs only what both have (stats, transport, send, close). */
export type Link = HostLink | AgentLink;

export {
  AgentResetError,
  DisconnectedError,
  HandshakeTimeoutError,
  LinkError,
  LinkTimeoutError,
  PortOpenError,
  ProtocolVersionError,
  isLinkError,
} from './errors';
export type { AnyLinkError, LinkErrorName, PortOpenReason } from './errors';
export { AgentLink } from './agent';
export type { AgentLinkOptions, HelloReplyInit } from './agent';
export { HostLink } from './host';
export type { HostLinkOptions } from './host';
export { ACK_EVERY_PACKETS, LINK_DEFAULTS, SEQ_ACK_MAX_BYTES } from './limits';
export type { LinkLimits } from './limits';
export { LinkState } from './stats';
export type { LinkStats } from './stats';
export { createMemoryPair } from './memory-transport';
export type { MemoryDeviceTransport, MemoryDirection, MemoryPair, MemoryPairOptions, MemoryPairStats } from './memory-transport';
export { SERIAL_DEFAULTS, openSerialTransport } from './serial-transport';
export type { SerialIo, SerialTransportOptions } from './serial-transport';
export { TCP_DEFAULTS, openTcpTransport, tcpTransportFromSocket } from './tcp-transport';
export type { TcpTransportOptions } from './tcp-transport';
export type { CloseListener, DataListener, Transport } from './transport';
