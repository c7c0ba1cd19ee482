/**
 * A {@link Transport} over TCP: a board behind ser2net (`tcp(nodelay=true)`, `chardelay: false`)
 * or QEMU's TCP chardev (`server=on,nodelay=on`). Nagle is off (`setNoDelay(true)`): without it a
 * small frame waits for the peer's delayed ACK, ~40 ms per round trip.
 */
import { Socket } from 'node:net';
import { DisconnectedError, PortOpenError } from './errors';
import type { PortOpenReason } from './errors';
import type { Transport } from './transport';
import { StreamTransport } from './stream-transport';

/** Defaults of {@link TcpTransportOptions}. */
export const TCP_DEFAULTS = Object.freeze({
  /** Time allowed for the TCP connection to be established, in milliseconds: 3000. */
  connectTimeoutMs: 3000,
});

/** Options of {@link openTcpTransport}. */
export interface TcpTransportOptions {
  /** Host name or address, e.g. `'127.0.0.1'`. */
  host: string;
  /** TCP port, 1..65535. */
  port: number;
  /** Connection timeout in milliseconds. Default {@link TCP_DEFAULTS}.connectTimeoutMs (3000). */
  connectTimeoutMs?: number;
}

/**
 * Connects to `host:port` and returns the transport, described as `'tcp:<host>:<port>'`. Rejects
 * with {@link PortOpenError}: `'missing'` when nothing listens or the host is unknown
 * (ECONNREFUSED, ENOTFOUND, EHOSTUNREACH, ENETUNREACH), `'permission'` (EACCES, EPERM), `'other'`
 * otherwise, including the connect timeout. Throws `RangeError` for a bad port or timeout.
 */
export async function openTcpTransport(options: TcpTransportOptions): Promise<Transport> {
  const { host, port, connectTimeoutMs = TCP_DEFAULTS.connectTimeoutMs } = options;
  if (!Number.isSafeInteger(port) || port < 1 || port > 65535) throw new RangeError(`"port" must be an integer in 1..65535; got ${port}`);
  if (!Number.isSafeInteger(connectTimeoutMs) || connectTimeoutMs < 1) {
    throw new RangeError(`"connectTimeoutMs" must be a positive integer; got ${connectTimeoutMs}`);
  }
  const description = `tcp:${host}:${port}`;
  const socket = new Socket();
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new PortOpenError(description, connectFailureReason(err), err));
    };
    const timer = setTimeout(() => fail(new Error(`no connection within ${connectTimeoutMs} ms`)), connectTimeoutMs);
    socket.once('error', fail);
    socket.connect({ host, port }, () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve();
    });
  });
  return tcpTransportFromSocket(socket, description);
}

/**
 * Wraps an already connected socket, e.g. one a `net.Server` accepted (a TCP agent, or a test's
 * device end). Turns Nagle off. `description` defaults to `'tcp:<remote address>:<remote port>'`.
 */
export function tcpTransportFromSocket(socket: Socket, description?: string): Transport {
  return new TcpTransport(socket, description ?? `tcp:${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`);
}

function connectFailureReason(err: Error): PortOpenReason {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'missing';
  if (code === 'EACCES' || code === 'EPERM') return 'permission';
  return 'other';
}

class TcpTransport extends StreamTransport {
  #lastError: Error | undefined;

  constructor(socket: Socket, description: string) {
    super(description, {
      get writable() {
        return !socket.destroyed;
      },
      write: (bytes, done) => socket.write(bytes, done),
      end: () => socket.destroy(),
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.emitData(chunk));
    socket.on('error', (err) => {
      this.#lastError = err;
    });
    socket.on('close', () => {
      this.streamClosed(this.closing ? null : new DisconnectedError(this.description, this.#lastError ?? 'the peer closed the connection'));
    });
    if (socket.destroyed) this.streamClosed(new DisconnectedError(this.description, 'closed before use'));
  }
}
