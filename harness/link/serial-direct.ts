/**
 * The serial transport's event-loop path: reads and writes on the descriptor serialport opened,
 * from the event loop's own thread, instead of a round trip through libuv's threadpool for
 * every read and write (serialport's stream path). serialport still opens the port (its path,
 * lock, raw mode and rate), watches the descriptor (its poller: libuv's uv_poll) and closes it;
 * only the bytes move differently: a non-blocking read(2) until EAGAIN when the poller says
 * readable, and a non-blocking write(2), the rest of a partial write once it says writable.
 */
import { readSync, writeSync } from 'node:fs';
import type { SerialPort } from 'serialport';
import { DisconnectedError } from './errors';
import { FrameSplitter } from './frame-splitter';
import { TransportBase } from './transport-base';

/** The part of serialport's unix binding (`port.port`) this path uses. */
interface UnixBinding {
  readonly fd: number | null;
  readonly poller: {
    on(event: 'readable' | 'writable', listener: (err: Error | null) => void): unknown;
    poll(events: number): void;
  };
}

/** serialport's poller event bits (libuv's UV_READABLE and UV_WRITABLE). */
const UV_READABLE = 1;
const UV_WRITABLE = 2;
/** Most bytes taken by one read(2). */
const READ_BYTES = 65536;

/** serialport's binding of an open `port` when it is a unix one with a descriptor and a poller; else undefined. */
export function unixBindingOf(port: SerialPort): UnixBinding | undefined {
  const b = port.port as Partial<UnixBinding> | undefined;
  if (b === undefined || typeof b.fd !== 'number' || typeof b.poller?.on !== 'function' || typeof b.poller.poll !== 'function') return undefined;
  return b as UnixBinding;
}

/** Bytes waiting for the descriptor to take them, and who waits for them. */
interface PendingWrite {
  bytes: Uint8Array;
  readonly done: (err: DisconnectedError | null) => void;
}

/** A {@link Transport} on an open serial port's descriptor, read and written from the event loop. */
export class DirectSerialTransport extends TransportBase {
  readonly #port: SerialPort;
  readonly #binding: UnixBinding;
  readonly #splitter: FrameSplitter;
  /** Where read(2) puts bytes; a plain Uint8Array, so that the splitter's slice() copies (a Buffer's would not). */
  readonly #scratch = new Uint8Array(READ_BYTES);
  readonly #queue: PendingWrite[] = [];
  #closing = false;
  /** Why the descriptor failed, when it did: the disconnect's cause. */
  #fault: unknown;

  constructor(port: SerialPort, binding: UnixBinding, readonly description: string, maxBufferedBytes: number) {
    super();
    this.#port = port;
    this.#binding = binding;
    this.#splitter = new FrameSplitter(maxBufferedBytes, (frame) => this.emitData(frame));
    port.on('error', () => undefined);
    port.on('close', () => this.#closed());
    // Listeners stay; poll() says which events are wanted (serialport's once() would poll for one only).
    binding.poller.on('readable', this.#onReadable);
    binding.poller.on('writable', this.#onWritable);
    this.#watch();
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed || this.#closing || !this.#port.isOpen) return Promise.reject(new DisconnectedError(this.description, 'closed'));
    if (this.#queue.length === 0) {
      const n = this.#writeNow(bytes);
      if (n === bytes.length) return Promise.resolve();
      if (n < 0) return Promise.reject(new DisconnectedError(this.description, this.#fault ?? 'closed'));
      bytes = bytes.slice(n);
    } else {
      bytes = bytes.slice();
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ bytes, done: (err) => (err === null ? resolve() : reject(err)) });
      if (this.#queue.length === 1) this.#watch();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.#closing) {
      this.#closing = true;
      if (this.#port.isOpen) this.#port.close();
      else this.#closed();
    }
    await new Promise<void>((resolve) => this.onClose(() => resolve()));
  }

  /** Writes what the descriptor takes now: the bytes written, or -1 after a failure (the port then closes). */
  #writeNow(bytes: Uint8Array): number {
    const fd = this.#binding.fd;
    if (fd === null) return -1;
    let off = 0;
    while (off < bytes.length) {
      try {
        off += writeSync(fd, bytes, off, bytes.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EINTR') continue;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') break;
        this.#fail(e);
        return -1;
      }
    }
    return off;
  }

  /**
   * Asks the poller for the events wanted now: readable always, writable while bytes wait. Called
   * after each event too: serialport's poller then polls for the events it did not report, which
   * are not always the ones wanted.
   */
  #watch(): void {
    if (this.#binding.fd === null || this.closed || this.#closing || this.#fault !== undefined) return;
    this.#binding.poller.poll(UV_READABLE | (this.#queue.length > 0 ? UV_WRITABLE : 0));
  }

  readonly #onWritable = (err: Error | null): void => {
    if (err !== null) {
      this.#pollFailed(err);
      return;
    }
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      const n = this.#writeNow(head.bytes);
      if (n < 0) return;
      if (n < head.bytes.length) {
        head.bytes = head.bytes.subarray(n);
        break;
      }
      this.#queue.shift();
      head.done(null);
    }
    this.#watch();
  };

  readonly #onReadable = (err: Error | null): void => {
    if (err !== null) {
      this.#pollFailed(err);
      return;
    }
    const fd = this.#binding.fd;
    if (fd === null) return;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, this.#scratch, 0, READ_BYTES, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EINTR') continue;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') break;
        this.#fail(e);
        return;
      }
      if (n === 0) break;
      this.#splitter.push(this.#scratch.subarray(0, n));
      if (this.closed || this.#closing || this.#fault !== undefined || this.#binding.fd === null) return;
      if (n < READ_BYTES) break;
    }
    this.#watch();
  };

  /**
   * The poller reported an error: serialport's cancellation when the port closes (its close
   * settles everything), else the descriptor's failure (libuv reports a hang-up as EBADF).
   */
  #pollFailed(err: Error): void {
    if ((err as { canceled?: unknown }).canceled === true) return;
    this.#fail(err);
  }

  /** The descriptor failed (the device went away): the port closes, and that is told as a disconnect. */
  #fail(cause: unknown): void {
    if (this.#fault !== undefined) return;
    this.#fault = cause;
    if (this.#port.isOpen) this.#port.close();
    else this.#closed();
  }

  #closed(): void {
    const err = this.#closing && this.#fault === undefined ? null : new DisconnectedError(this.description, this.#fault ?? 'closed');
    const listeners = this.markClosed(err);
    if (listeners === undefined) return;
    const failure = err ?? new DisconnectedError(this.description, 'closed');
    for (const w of this.#queue.splice(0)) w.done(failure);
    for (const listener of listeners) listener(err);
  }
}
