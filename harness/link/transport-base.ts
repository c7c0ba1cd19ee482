/** What every {@link Transport} keeps the same way: its listeners, and a close told exactly once. */
import type { DisconnectedError } from './errors';
import type { CloseListener, DataListener, Transport } from './transport';

/**
 * The listener bookkeeping of a {@link Transport}: data listeners in registration order, and
 * close listeners told exactly once, those registered after the close on the next turn of the
 * event loop. An implementation calls {@link TransportBase.emitData} for what it reads and
 * {@link TransportBase.markClosed} when it closes.
 */
export abstract class TransportBase implements Transport {
  abstract readonly description: string;
  readonly #data: DataListener[] = [];
  readonly #closeListeners: CloseListener[] = [];
  #closed: { readonly err: DisconnectedError | null } | undefined;

  abstract write(bytes: Uint8Array): Promise<void>;
  abstract close(): Promise<void>;

  /** True once the transport is closed (its close listeners may not have been told yet). */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  onData(listener: DataListener): void {
    this.#data.push(listener);
  }

  onClose(listener: CloseListener): void {
    const closed = this.#closed;
    if (closed !== undefined) setImmediate(() => listener(closed.err));
    else this.#closeListeners.push(listener);
  }

  /**
   * Hands a chunk to every data listener: the first gets `chunk` itself (the caller gives it up),
   * each other one its own copy, so that every listener owns what it gets.
   */
  protected emitData(chunk: Uint8Array): void {
    const listeners = [...this.#data];
    for (let i = 0; i < listeners.length; i++) listeners[i]!(i === 0 ? chunk : chunk.slice());
  }

  /**
   * Marks the transport closed: `err` null when `close()` closed it, a DisconnectedError when it
   * went away. Returns the close listeners to tell, now or later, each once; undefined when it
   * was closed already.
   */
  protected markClosed(err: DisconnectedError | null): CloseListener[] | undefined {
    if (this.#closed !== undefined) return undefined;
    this.#closed = { err };
    return this.#closeListeners.splice(0);
  }
}
