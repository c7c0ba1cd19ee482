/**
 * Wire frames: `COBS(payload ‖ CRC-32(payload) as 4 bytes little-endian)` followed by one 0x00
 * delimiter. The agent's twin is firmware-stubs/core/frame.h; both are held to
 * protocol/vectors/frames.json.
 */
import { cobsDecode, cobsEncode, cobsMaxEncodedLength, isCobsError } from './cobs';
import { crc32 } from './crc32';

/**
 * Largest payload {@link encodeFrame} accepts by default, in bytes: 1024. Override it per call
 * with {@link EncodeFrameOptions.maxPayloadBytes}; the agent's value is `AGENT_MAX_PAYLOAD_BYTES`.
 */
export const MAX_PAYLOAD_BYTES = 1024;

/** Bytes of CRC-32 after the payload inside each frame: 4, little-endian. */
export const FRAME_CRC_BYTES = 4;

/** The byte that ends every frame, 0x00; COBS guarantees it appears nowhere else. */
export const FRAME_DELIMITER = 0x00;

/**
 * The most encoded bytes a frame with a `payloadLength`-byte payload has between delimiters
 * (delimiter excluded): `cobsMaxEncodedLength(payloadLength + 4)`. {@link encodeFrame} returns
 * at most one byte more. Throws `RangeError` when `payloadLength` is not a non-negative integer.
 */
export function frameMaxEncodedLength(payloadLength: number): number {
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0) {
    throw new RangeError(`"payloadLength" must be a non-negative integer; got ${payloadLength}`);
  }
  return cobsMaxEncodedLength(payloadLength + FRAME_CRC_BYTES);
}

/**
 * Default {@link FrameDecoderOptions.maxFrameBytes}: the largest frame a
 * {@link MAX_PAYLOAD_BYTES} payload can encode to, `frameMaxEncodedLength(1024)` = 1033 bytes.
 */
export const DEFAULT_MAX_FRAME_BYTES = frameMaxEncodedLength(MAX_PAYLOAD_BYTES);

/** Options of {@link encodeFrame}. */
export interface EncodeFrameOptions {
  /** Largest payload accepted, in bytes. Default {@link MAX_PAYLOAD_BYTES} (1024). */
  maxPayloadBytes?: number;
}

/**
 * Encodes one frame: `COBS(payload ‖ CRC-32 little-endian)` then 0x00, in a new array of at
 * most `frameMaxEncodedLength(payload.length) + 1` bytes. Throws `RangeError` naming the
 * argument when the payload is over the limit (`'"payload" is 2000 bytes; the limit is 1024
 * (MAX_PAYLOAD_BYTES)'`) or the limit is not a non-negative integer.
 */
export function encodeFrame(payload: Uint8Array, options: EncodeFrameOptions = {}): Uint8Array {
  const { maxPayloadBytes } = options;
  if (maxPayloadBytes !== undefined && (!Number.isSafeInteger(maxPayloadBytes) || maxPayloadBytes < 0)) {
    throw new RangeError(`"maxPayloadBytes" must be a non-negative integer; got ${maxPayloadBytes}`);
  }
  const limit = maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  if (payload.length > limit) {
    const name = maxPayloadBytes === undefined ? 'MAX_PAYLOAD_BYTES' : 'maxPayloadBytes';
    throw new RangeError(`"payload" is ${payload.length} bytes; the limit is ${limit} (${name})`);
  }
  const body = new Uint8Array(payload.length + FRAME_CRC_BYTES);
  body.set(payload);
  new DataView(body.buffer).setUint32(payload.length, crc32(payload), true);
  const encoded = cobsEncode(body);
  const frame = new Uint8Array(encoded.length + 1);
  frame.set(encoded);
  frame[encoded.length] = FRAME_DELIMITER;
  return frame;
}

/**
 * How a frame failed, reported as a value by {@link FrameDecoder.push}:
 * - `'crc-mismatch'`: it decoded, but the last 4 bytes are not the CRC-32 of the rest;
 * - `'cobs-error'`: it is not valid COBS (a code byte runs past the end);
 * - `'too-long'`: it had more than `maxFrameBytes` encoded bytes; only the first
 *   `maxFrameBytes` were kept;
 * - `'too-short'`: it decoded to fewer than 4 bytes, so it cannot even hold a CRC.
 */
export type FrameErrorStatus = 'crc-mismatch' | 'cobs-error' | 'too-long' | 'too-short';

/** Every status {@link FrameDecoder.push} reports: `'ok'` or a {@link FrameErrorStatus}. */
export type FrameStatus = 'ok' | FrameErrorStatus;

/** A frame that decoded and passed its CRC. */
export interface FrameOk {
  /** Discriminant. */
  readonly status: 'ok';
  /** The payload, CRC removed, in an array of its own. */
  readonly payload: Uint8Array;
}

/** A frame that was dropped; decoding resumed after its delimiter. */
export interface FrameError {
  /** Why it was dropped. */
  readonly status: FrameErrorStatus;
  /**
   * Its encoded bytes as received, delimiter excluded (for `'too-long'`, only the first
   * `maxFrameBytes`), in an array of their own.
   */
  readonly raw: Uint8Array;
}

/** One result of {@link FrameDecoder.push}, discriminated by `status`. */
export type DecodedFrame = FrameOk | FrameError;

/** Options of {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /**
   * Largest frame accepted, in encoded bytes between two delimiters (delimiter excluded); also
   * the most the decoder ever buffers. A longer frame is reported as `'too-long'`. Default
   * {@link DEFAULT_MAX_FRAME_BYTES} (1033, enough for a {@link MAX_PAYLOAD_BYTES} payload);
   * use `frameMaxEncodedLength(n)` for a payload limit of `n`. Must be an integer >= 1.
   */
  maxFrameBytes?: number;
}

/** Counters kept by a {@link FrameDecoder} since it was created. */
export interface FrameDecoderStats {
  /** Frames reported `'ok'`. */
  framesOk: number;
  /** Frames reported `'crc-mismatch'`. */
  crcErrors: number;
  /** Frames reported `'cobs-error'`. */
  cobsErrors: number;
  /** Frames reported `'too-long'`. */
  tooLong: number;
  /** Frames reported `'too-short'`. */
  tooShort: number;
  /**
   * Bytes of every dropped frame, its delimiter included, stored or not. Empty frames (a lone
   * delimiter) and a pending partial frame are not counted.
   */
  bytesDiscarded: number;
}

const STAT_OF: Record<FrameErrorStatus, Exclude<keyof FrameDecoderStats, 'framesOk' | 'bytesDiscarded'>> = {
  'crc-mismatch': 'crcErrors',
  'cobs-error': 'cobsErrors',
  'too-long': 'tooLong',
  'too-short': 'tooShort',
};

/**
 * Incremental frame decoder for a byte stream cut into arbitrary chunks. It keeps the partial
 * frame after the last delimiter between calls, and never buffers more than `maxFrameBytes`:
 * once a frame passes the limit its further bytes are counted, not stored, and it is reported
 * as `'too-long'` at the next delimiter, where decoding resyncs. Every bad frame is dropped,
 * counted and reported as a value, and the next frame decodes normally. Empty frames (two
 * delimiters in a row, e.g. a delimiter sent first to flush line noise) are skipped silently:
 * no result, no counter.
 */
export class FrameDecoder {
  /** The limit in force, in encoded bytes per frame (see {@link FrameDecoderOptions}). */
  readonly maxFrameBytes: number;
  readonly #buffer: Uint8Array;
  #stored = 0;
  #overflow = 0;
  readonly #stats: FrameDecoderStats = {
    framesOk: 0,
    crcErrors: 0,
    cobsErrors: 0,
    tooLong: 0,
    tooShort: 0,
    bytesDiscarded: 0,
  };

  /** Throws `RangeError` when `options.maxFrameBytes` is not an integer >= 1. */
  constructor(options: FrameDecoderOptions = {}) {
    const { maxFrameBytes = DEFAULT_MAX_FRAME_BYTES } = options;
    if (!Number.isSafeInteger(maxFrameBytes) || maxFrameBytes < 1) {
      throw new RangeError(`"maxFrameBytes" must be an integer >= 1; got ${maxFrameBytes}`);
    }
    this.maxFrameBytes = maxFrameBytes;
    this.#buffer = new Uint8Array(maxFrameBytes);
  }

  /** Bytes of the current partial frame held in the buffer; never more than `maxFrameBytes`. */
  get bufferedBytes(): number {
    return this.#stored;
  }

  /** A snapshot of the counters. */
  get stats(): FrameDecoderStats {
    return { ...this.#stats };
  }

  /**
   * Feeds the next chunk of the stream (any length, including 0) and returns the frames its
   * delimiters completed, in order: none, one or several. Never throws on bad input. The chunk
   * is not kept; results own their bytes.
   */
  push(chunk: Uint8Array): DecodedFrame[] {
    const frames: DecodedFrame[] = [];
    let start = 0;
    while (start < chunk.length) {
      const delimiterAt = chunk.indexOf(FRAME_DELIMITER, start);
      const end = delimiterAt === -1 ? chunk.length : delimiterAt;
      this.#store(chunk.subarray(start, end));
      if (delimiterAt === -1) break;
      const frame = this.#finishFrame();
      if (frame !== undefined) frames.push(frame);
      start = delimiterAt + 1;
    }
    return frames;
  }

  #store(bytes: Uint8Array): void {
    const kept = Math.min(bytes.length, this.maxFrameBytes - this.#stored);
    this.#buffer.set(bytes.subarray(0, kept), this.#stored);
    this.#stored += kept;
    this.#overflow += bytes.length - kept;
  }

  #finishFrame(): DecodedFrame | undefined {
    const stored = this.#stored;
    const overflow = this.#overflow;
    this.#stored = 0;
    this.#overflow = 0;
    if (stored === 0) return undefined;
    const encoded = this.#buffer.subarray(0, stored);
    if (overflow > 0) return this.#drop('too-long', encoded, overflow);
    const decoded = cobsDecode(encoded);
    if (isCobsError(decoded)) return this.#drop('cobs-error', encoded, 0);
    if (decoded.length < FRAME_CRC_BYTES) return this.#drop('too-short', encoded, 0);
    const payloadLength = decoded.length - FRAME_CRC_BYTES;
    const payload = decoded.slice(0, payloadLength);
    const c = payloadLength;
    const received = (decoded[c]! | (decoded[c + 1]! << 8) | (decoded[c + 2]! << 16) | (decoded[c + 3]! << 24)) >>> 0;
    if (crc32(payload) !== received) return this.#drop('crc-mismatch', encoded, 0);
    this.#stats.framesOk++;
    return { status: 'ok', payload };
  }

  #drop(status: FrameErrorStatus, encoded: Uint8Array, overflow: number): FrameError {
    this.#stats[STAT_OF[status]]++;
    this.#stats.bytesDiscarded += encoded.length + overflow + 1;
    return { status, raw: encoded.slice() };
  }
}
