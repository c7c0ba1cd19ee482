/** The host end of the wire: transports (serial, TCP, in-memory) and the link layer. */
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
export { LINK_DEFAULTS, Link, SEQ_ACK_MAX_BYTES } from './link';
export type {
  AgentLinkOptions,
  HelloReplyInit,
  HostLinkOptions,
  LinkLimits,
  LinkOptions,
  LinkRole,
  LinkState,
  LinkStats,
} from './link';
export { createMemoryPair } from './memory-transport';
export type { MemoryDeviceTransport, MemoryDirection, MemoryPair, MemoryPairOptions, MemoryPairStats } from './memory-transport';
export { SERIAL_DEFAULTS, openSerialTransport } from './serial-transport';
export type { SerialTransportOptions } from './serial-transport';
export { TCP_DEFAULTS, openTcpTransport, tcpTransportFromSocket } from './tcp-transport';
export type { TcpTransportOptions } from './tcp-transport';
export type { CloseListener, DataListener, Transport } from './transport';
