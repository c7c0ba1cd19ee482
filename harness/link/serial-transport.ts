/**
 * A {@link Transport} over a serial port (a USB CDC board, a pty of the native agent or of QEMU)
 * with serialport 13. Received bytes are split into frames at 0x00 with the delimiter kept, so the
 * link's frame decoder sees whole frames. serialport opens, locks, configures and closes the
 * port; the bytes move on the event loop's thread (serial-direct.ts) where serialport's binding
 * is a unix one, else through serialport's stream and `@serialport/parser-delimiter` (each read
 * and write a round trip through libuv's threadpool). Never calls `SerialPort.list()`: it
 * crashes the process where there is no udev.
 */
import { DelimiterParser } from '@serialport/parser-delimiter';
import type { TransformCallback } from 'node:stream';
import { SerialPort } from 'serialport';
import { FRAME_DELIMITER } from '../../protocol/frame';
import { DisconnectedError, PortOpenError } from './errors';
import type { PortOpenReason } from './errors';
import type { Transport } from './transport';
import { StreamTransport } from './stream-transport';
import { DirectSerialTransport, unixBindingOf } from './serial-direct';

/** Defaults of {@link SerialTransportOptions}. */
export const SERIAL_DEFAULTS = Object.freeze({
  /** Line rate in bit/s: 115200. Ignored by ptys and USB CDC, which run at their own speed. */
  baudRate: 115200,
  /**
   * Most bytes the delimiter parser holds while waiting for a delimiter: 4096. A longer run
   * (noise, or a frame far over any limit) is passed on in pieces, where the link's frame
   * decoder counts it as one too-long frame without storing it.
   */
  maxBufferedBytes: 4096,
  /** How bytes move: on the event loop where the platform allows it. */
  io: 'event-loop' as SerialIo,
});

/**
 * How a serial transport moves bytes: `'event-loop'`, non-blocking reads and writes on the
 * port's descriptor from the event loop (unix; elsewhere it falls back to the other); or
 * `'threadpool'`, serialport's own stream, a threadpool round trip per read and per write.
 */
export type SerialIo = 'event-loop' | 'threadpool';

/** Options of {@link openSerialTransport}. */
export interface SerialTransportOptions {
  /** Device path, e.g. `'/dev/ttyACM0'` or a pty link. Also the transport's description. */
  path: string;
  /** Line rate in bit/s. Default {@link SERIAL_DEFAULTS}.baudRate (115200). */
  baudRate?: number;
  /** Bound of the buffer of a partial frame, in bytes. Default {@link SERIAL_DEFAULTS}.maxBufferedBytes (4096). */
  maxBufferedBytes?: number;
  /** How bytes move (see {@link SerialIo}). Default {@link SERIAL_DEFAULTS}.io (`'event-loop'`). */
  io?: SerialIo;
}

/** `DelimiterParser` whose buffer never exceeds a limit: past it, the partial run is passed on. */
class BoundedDelimiterParser extends DelimiterParser {
  readonly #max: number;

  constructor(max: number) {
    super({ delimiter: [FRAME_DELIMITER], includeDelimiter: true });
    this.#max = max;
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, cb: TransformCallback): void {
    super._transform(chunk, encoding, (err) => {
      if (err === undefined || err === null) {
        if (this.buffer.length > this.#max) {
          this.push(this.buffer);
          this.buffer = Buffer.alloc(0);
        }
      }
      cb(err);
    });
  }
}

/**
 * Opens `options.path` in raw mode (8N1, no flow control, exclusive lock), discards whatever the
 * OS buffered before (stale output of an earlier session), and returns the transport. Rejects
 * with {@link PortOpenError} naming the path and a reason: `'missing'` (no such file),
 * `'permission'`, `'busy'` (another process holds the port's lock) or `'other'` (e.g. not a
 * tty). Throws `RangeError` for a bad `baudRate` or `maxBufferedBytes`.
 */
export async function openSerialTransport(options: SerialTransportOptions): Promise<Transport> {
  const { path, baudRate = SERIAL_DEFAULTS.baudRate, maxBufferedBytes = SERIAL_DEFAULTS.maxBufferedBytes, io = SERIAL_DEFAULTS.io } = options;
  if (typeof path !== 'string' || path === '') throw new TypeError(`"path" must be a non-empty string; got ${String(path)}`);
  if (!Number.isSafeInteger(baudRate) || baudRate < 1) throw new RangeError(`"baudRate" must be a positive integer; got ${baudRate}`);
  if (!Number.isSafeInteger(maxBufferedBytes) || maxBufferedBytes < 1) {
    throw new RangeError(`"maxBufferedBytes" must be a positive integer; got ${maxBufferedBytes}`);
  }
  if (io !== 'event-loop' && io !== 'threadpool') throw new RangeError(`"io" must be 'event-loop' or 'threadpool'; got ${String(io)}`);
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  try {
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    throw new PortOpenError(path, openFailureReason(err), err);
  }
  try {
    await new Promise<void>((resolve, reject) => port.flush((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    await new Promise<void>((resolve) => port.close(() => resolve()));
    throw new PortOpenError(path, 'other', err);
  }
  const binding = io === 'event-loop' ? unixBindingOf(port) : undefined;
  if (binding !== undefined) return new DirectSerialTransport(port, binding, path, maxBufferedBytes);
  return new SerialTransport(port, path, maxBufferedBytes);
}

/** Maps serialport's open error (its message carries strerror's text) to a reason. */
function openFailureReason(err: unknown): PortOpenReason {
  const text = `${err instanceof Error ? err.message : String(err)} ${(err as { code?: unknown } | null)?.code ?? ''}`;
  if (/No such file or directory|ENOENT|No such device|ENODEV|ENXIO/.test(text)) return 'missing';
  if (/Permission denied|EACCES|EPERM|Operation not permitted/.test(text)) return 'permission';
  if (/Cannot lock port|Resource temporarily unavailable|Device or resource busy|EBUSY|EAGAIN/.test(text)) return 'busy';
  return 'other';
}

class SerialTransport extends StreamTransport {
  constructor(port: SerialPort, path: string, maxBufferedBytes: number) {
    super(path, {
      get writable() {
        return port.isOpen;
      },
      write: (bytes, done) => port.write(bytes, done),
      end: () => {
        if (port.isOpen) port.close();
      },
    });
    const parser = port.pipe(new BoundedDelimiterParser(maxBufferedBytes));
    parser.on('data', (chunk: Buffer) => this.emitData(chunk));
    // Errors also surface as write rejections or as a 'close' carrying a disconnect.
    port.on('error', () => undefined);
    port.on('close', (err: unknown) => {
      this.streamClosed(this.closing && err === null ? null : new DisconnectedError(this.description, err ?? 'closed'));
    });
  }
}
