import { DisconnectedError } from './errors';
import { TransportBase } from './transport-base';

/** What a {@link StreamTransport} needs from the stream under it (a serial port, a socket). */
export interface ByteStream {
  /** True while bytes can be written. */
  readonly writable: boolean;
  /** Writes `bytes`; `done` gets the error, if any, once they are handed to the OS. */
  write(bytes: Buffer, done: (err: Error | null | undefined) => void): void;
  /** Starts closing; the transport is told through {@link StreamTransport.streamClosed}. */
  end(): void;
}

/**
 * The bookkeeping every stream-backed {@link Transport} shares: listeners, pending writes that
 * reject with a {@link DisconnectedError} when the stream goes away, and a close that is told
 * exactly once. A subclass wires its stream's events to {@link TransportBase.emitData} and
 * {@link StreamTransport.streamClosed}.
 */
export abstract class StreamTransport extends TransportBase {
  readonly #pending = new Set<(err: DisconnectedError | null) => void>();
  /** True once `close()` was called: a close that follows is not a disconnect. */
  protected closing = false;

  constructor(readonly description: string, private readonly stream: ByteStream) {
    super();
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed || this.closing || !this.stream.writable) {
      return Promise.reject(new DisconnectedError(this.description, 'closed'));
    }
    return new Promise((resolve, reject) => {
      const settle = (err: DisconnectedError | null): void => {
        if (!this.#pending.delete(settle)) return;
        if (err === null) resolve();
        else reject(err);
      };
      this.#pending.add(settle);
      this.stream.write(Buffer.from(bytes), (err) => settle(err ? new DisconnectedError(this.description, err) : null));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.closing) {
      this.closing = true;
      this.stream.end();
    }
    await new Promise<void>((resolve) => this.onClose(() => resolve()));
  }

  /** The stream closed: `err` null after `close()`, a DisconnectedError otherwise. Idempotent. */
  protected streamClosed(err: DisconnectedError | null): void {
    const listeners = this.markClosed(err);
    if (listeners === undefined) return;
    const failure = err ?? new DisconnectedError(this.description, 'closed');
    for (const settle of [...this.#pending]) settle(failure);
    for (const listener of listeners) listener(err);
  }
}
