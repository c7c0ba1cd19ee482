/**
 * A board's serial port served over the network: what a farm engine hands out (labgrid's
 * `NetworkSerialPort` resource, LAVA's connection command, an `rfc2217` board file) and how it
 * is opened, RFC 2217 or raw TCP, with the board file's reset sequence run over it.
 */
import { ComPortUnavailableError, openRfc2217Transport } from '../link/rfc2217-transport';
import type { LineLevelsRequest } from '../link/rfc2217-transport';
import { openTcpTransport } from '../link/tcp-transport';
import type { Transport } from '../link/transport';

/** Where a serial port is served and how: labgrid's `NetworkSerialPort` fields. */
export interface NetworkSerialPort {
  /** `'rfc2217'`: telnet with COM-PORT-OPTION (plain telnet too, without line control); `'raw'`: bytes over TCP. */
  readonly protocol: 'rfc2217' | 'raw';
  /** Host name or address. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
}

/** Options of {@link openNetworkSerialPort}. */
export interface OpenNetworkSerialPortOptions {
  /** Line rate to ask an RFC 2217 server for, bit/s (default 115200). */
  readonly baudRate?: number;
  /**
   * Resets the board once the port is open (RFC 2217 only), driving DTR/RTS through `setLines`,
   * e.g. a board file's `resetSequence`. A raw port cannot: asking it is an error.
   */
  readonly reset?: (setLines: (levels: LineLevelsRequest) => Promise<void>) => Promise<void>;
  /** TCP connection timeout, ms (default 3000). */
  readonly connectTimeoutMs?: number;
}

/**
 * Opens `where`: an RFC 2217 transport (described `rfc2217:<host>:<port>`) with the baud rate
 * set and `o.reset` run over it, or a raw TCP one (`tcp:<host>:<port>`). Rejects with
 * `PortOpenError` when nothing answers, with {@link ComPortUnavailableError} when a reset is
 * asked of a raw port or of a server that refused COM-PORT-OPTION, and with the reset's own
 * error; the transport is closed again on every rejection.
 */
export async function openNetworkSerialPort(where: NetworkSerialPort, o: OpenNetworkSerialPortOptions = {}): Promise<Transport> {
  const connect = o.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: o.connectTimeoutMs };
  if (where.protocol === 'raw') {
    const transport = await openTcpTransport({ host: where.host, port: where.port, ...connect });
    if (o.reset !== undefined) {
      await transport.close();
      throw new ComPortUnavailableError(transport.description, 'refused');
    }
    return transport;
  }
  const transport = await openRfc2217Transport({ host: where.host, port: where.port, ...connect, ...(o.baudRate === undefined ? {} : { baudRate: o.baudRate }) });
  if (o.reset === undefined) return transport;
  try {
    await o.reset((levels) => transport.setLines(levels));
  } catch (e) {
    await transport.close();
    throw (e as Error).cause ?? e;
  }
  return transport;
}
