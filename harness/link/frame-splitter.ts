/**
 * Splits a byte stream into frames at the 0x00 delimiter, delimiter kept, as
 * `@serialport/parser-delimiter` does for the serial transport's threadpool path, without a
 * stream around it: the serial transport's event-loop path (serial-direct.ts) calls it on every
 * read.
 */
import { FRAME_DELIMITER } from '../../protocol/frame';

/**
 * Hands each whole frame (up to and including a delimiter) to `emit` as an array of its own. A
 * partial frame waits for the next chunk, at most `maxBufferedBytes` of it: a longer run (noise,
 * or a frame far over any limit) is passed on as it is, where the link's frame decoder counts it
 * as one too-long frame without storing it.
 */
export class FrameSplitter {
  #partial: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly maxBufferedBytes: number,
    private readonly emit: (frame: Uint8Array) => void,
  ) {}

  /** Takes the next bytes read (a plain Uint8Array, not a Buffer); `chunk` may be reused by the caller once this returns. */
  push(chunk: Uint8Array): void {
    let start = 0;
    let end = chunk.indexOf(FRAME_DELIMITER);
    if (this.#partial.length > 0 && end >= 0) {
      const frame = new Uint8Array(this.#partial.length + end + 1);
      frame.set(this.#partial);
      frame.set(chunk.subarray(0, end + 1), this.#partial.length);
      this.#partial = new Uint8Array(0);
      this.emit(frame);
      start = end + 1;
      end = chunk.indexOf(FRAME_DELIMITER, start);
    }
    while (end >= 0) {
      this.emit(chunk.slice(start, end + 1));
      start = end + 1;
      end = chunk.indexOf(FRAME_DELIMITER, start);
    }
    if (start >= chunk.length) return;
    const rest = chunk.subarray(start);
    const partial = new Uint8Array(this.#partial.length + rest.length);
    partial.set(this.#partial);
    partial.set(rest, this.#partial.length);
    this.#partial = partial;
    if (partial.length > this.maxBufferedBytes) {
      this.#partial = new Uint8Array(0);
      this.emit(partial);
    }
  }
}
