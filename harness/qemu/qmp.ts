/**
 * A small client of QMP, the QEMU Machine Protocol: JSON objects, one per line, on a unix socket
 * (`-qmp unix:PATH,server=on,wait=off`). The client reads QEMU's greeting, negotiates with
 * `qmp_capabilities`, then sends commands with an `id` each and matches replies by it; events are
 * handed to a listener. No npm package fit (the one QMP client on the registry is a single
 * release with a `*` dependency), and the protocol is small.
 */
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';

/** Longest wait for QEMU's greeting and for each reply, ms, unless the caller gives its own. */
export const QMP_TIMEOUT_MS = 5000;

/** QEMU refused a command: `qmpClass` is its error class (`GenericError`, `DeviceNotFound`, ...). */
export class QmpError extends Error {
  override readonly name = 'QmpError';

  constructor(readonly command: string, readonly qmpClass: string, readonly desc: string) {
    super(`QMP "${command}" failed: ${qmpClass}: ${desc}`);
  }
}

/** The QMP connection failed: the socket closed, QEMU sent something that is not QMP, or a reply did not come in time. */
export class QmpConnectionError extends Error {
  override readonly name = 'QmpConnectionError';

  /** `code` is the socket's error code (`ECONNREFUSED`, ...) when the socket itself failed. */
  constructor(readonly path: string, detail: string, readonly code?: string) {
    super(`QMP on ${path}: ${detail}`);
  }
}

/** An asynchronous event QEMU sent (`STOP`, `RESUME`, `RESET`, ...). */
export interface QmpEvent {
  readonly event: string;
  readonly data?: unknown;
  readonly timestamp?: { readonly seconds: number; readonly microseconds: number };
}

/** Options of {@link QmpClient.connect}. */
export interface QmpOptions {
  /** Longest wait for the greeting and each reply, ms. Default {@link QMP_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Receives every event. */
  readonly onEvent?: (event: QmpEvent) => void;
}

interface Pending {
  readonly command: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** One QMP session on a unix socket. */
export class QmpClient {
  private buffered = '';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedError: Error | null = null;
  private greeting: ((e: Error | null) => void) | null = null;

  private constructor(private readonly socket: Socket, readonly path: string, private readonly opts: QmpOptions) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => this.fail(new QmpConnectionError(path, e.message, e.code)));
    socket.on('close', () => this.fail(new QmpConnectionError(path, 'the socket closed')));
  }

  /**
   * Connects to the QMP socket at `path`, reads the greeting and leaves capabilities negotiation
   * mode. Rejects with {@link QmpConnectionError} when the socket cannot be reached, does not
   * greet as QMP, or is silent for `timeoutMs`.
   */
  static async connect(path: string, opts: QmpOptions = {}): Promise<QmpClient> {
    const socket = createConnection(path);
    const client = new QmpClient(socket, path, opts);
    const timeoutMs = opts.timeoutMs ?? QMP_TIMEOUT_MS;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new QmpConnectionError(path, `no greeting within ${timeoutMs} ms`)), timeoutMs);
        client.greeting = (e) => {
          clearTimeout(timer);
          if (e === null) resolve();
          else reject(e);
        };
      });
      await client.execute('qmp_capabilities');
    } catch (e) {
      socket.destroy();
      throw e;
    }
    return client;
  }

  /**
   * Runs `command` with `args` and resolves with its `return` value. Rejects with
   * {@link QmpError} when QEMU refuses it, {@link QmpConnectionError} when the connection fails or
   * the reply does not come within the timeout.
   */
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closedError !== null) return Promise.reject(this.closedError);
    const id = this.nextId++;
    const timeoutMs = this.opts.timeoutMs ?? QMP_TIMEOUT_MS;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new QmpConnectionError(this.path, `no reply to "${command}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      this.socket.write(`${JSON.stringify({ execute: command, ...(args === undefined ? {} : { arguments: args }), id })}\n`);
    });
  }

  /** Closes the connection; commands still waiting reject with {@link QmpConnectionError}. Idempotent. */
  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      this.socket.destroy();
    });
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
      const line = this.buffered.slice(0, nl).trim();
      this.buffered = this.buffered.slice(nl + 1);
      if (line !== '') this.onMessage(line);
    }
  }

  private onMessage(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.fail(new QmpConnectionError(this.path, `not JSON: ${line.slice(0, 80)}`));
      return;
    }
    if (this.greeting !== null) {
      const done = this.greeting;
      this.greeting = null;
      done('QMP' in msg ? null : new QmpConnectionError(this.path, `expected the QMP greeting, got ${line.slice(0, 80)}`));
      return;
    }
    if (typeof msg.event === 'string') {
      this.opts.onEvent?.(msg as unknown as QmpEvent);
      return;
    }
    const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
    if (p === undefined) return; // a reply nobody waits for any more (timed out)
    this.pending.delete(msg.id as number);
    clearTimeout(p.timer);
    const err = msg.error as { class?: unknown; desc?: unknown } | undefined;
    if (err !== undefined) p.reject(new QmpError(p.command, String(err.class), String(err.desc)));
    else p.resolve(msg.return);
  }

  private fail(e: Error): void {
    this.closedError ??= e;
    if (this.greeting !== null) {
      const done = this.greeting;
      this.greeting = null;
      done(e);
    }
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(this.closedError);
    }
  }
}
