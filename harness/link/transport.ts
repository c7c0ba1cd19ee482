/**
 * The contract every byte transport keeps (serial port, TCP socket, in-memory pair), in the
 * manner of serialport's bindings-interface: a few promise-returning methods whose rules are
 * written here, so the link layer needs nothing else. A transport moves bytes, not frames; the
 * link frames them.
 */
import type { DisconnectedError } from './errors';

/** Receives the bytes a transport read, in order. */
export type DataListener = (chunk: Uint8Array) => void;

/**
 * Told once when a transport closes: `null` when {@link Transport.close} closed it, a
 * {@link DisconnectedError} when it went away by itself (device unplugged, peer hung up).
 */
export type CloseListener = (err: DisconnectedError | null) => void;

/**
 * A duplex byte stream to one peer, open from the moment it is handed out (opening is each
 * implementation's own function, e.g. `openSerialTransport`).
 *
 * Ordering: bytes arrive at the peer in the order of the `write` calls, unchanged (transports are
 * FIFO and transparent; the link relies on it), but chunk boundaries are not preserved.
 */
export interface Transport {
  /**
   * Names the port for people and error messages: a device path (`'/dev/ttyACM0'`), an address
   * (`'tcp:127.0.0.1:4444'`) or a memory pair's name. Fixed for the transport's life.
   */
  readonly description: string;

  /**
   * Queues `bytes` for sending; the caller may reuse the array once this returns. Resolves when
   * the bytes have been handed on (to the OS for a port or socket, to the peer's listeners for
   * a memory pair). Rejects with a {@link DisconnectedError} when the transport is closed or
   * goes away first; never writes part of `bytes` and then reports success.
   */
  write(bytes: Uint8Array): Promise<void>;

  /**
   * Registers a listener for received bytes; every listener gets every chunk, in registration
   * order, never synchronously inside a `write` on either end. Chunks have arbitrary boundaries
   * (a frame may come in pieces, several frames in one chunk) and belong to the listeners: the
   * transport never reuses them. Bytes that arrive while no listener is registered are dropped.
   */
  onData(listener: DataListener): void;

  /**
   * Registers a listener told exactly once when the transport closes (see {@link CloseListener}).
   * A listener registered after the close is told on the next turn of the event loop.
   */
  onClose(listener: CloseListener): void;

  /**
   * Closes the transport: pending and later writes reject with a {@link DisconnectedError},
   * close listeners get `null`. Idempotent; resolves once the port, socket or pair is released.
   */
  close(): Promise<void>;
}
