/**
 * Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): removes every 0x00 from a byte
 * string so that 0x00 can delimit frames. Pure functions; the agent's twin is
 * firmware-stubs/core/cobs.h.
 */

/**
 * Why {@link cobsDecode} rejected its input:
 * - `'zero-byte'`: the input holds a 0x00, which no encoding contains (the first one is reported,
 *   before the structure is checked);
 * - `'code-overrun'`: a code byte announces more bytes than remain in the input.
 */
export type CobsErrorReason = 'zero-byte' | 'code-overrun';

/** A decoding failure, returned (not thrown) by {@link cobsDecode}. */
export interface CobsError {
  /** Discriminant, always `'cobs-error'`. */
  readonly kind: 'cobs-error';
  /** What is wrong with the input. */
  readonly reason: CobsErrorReason;
  /** Index in the encoded input of the offending byte: the 0x00, or the code byte that overruns. */
  readonly offset: number;
}

/** True when {@link cobsDecode} returned an error rather than decoded bytes. */
export function isCobsError(result: Uint8Array | CobsError): result is CobsError {
  return !(result instanceof Uint8Array);
}

/**
 * The most bytes {@link cobsEncode} returns for an input of `length` bytes:
 * `length + ceil(length / 254)`, and 1 for an empty input (one code byte).
 * Throws `RangeError` when `length` is not a non-negative integer.
 */
export function cobsMaxEncodedLength(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`"length" must be a non-negative integer; got ${length}`);
  }
  return length === 0 ? 1 : length + Math.ceil(length / 254);
}

/**
 * Encodes `data` with COBS. The result holds no 0x00 and does not include a delimiter. A block
 * of 254 non-zero bytes gets code 0xff; when such a block ends the input, no code follows it.
 */
export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMaxEncodedLength(data.length));
  let codeAt = 0;
  let code = 1;
  let blockOpen = true;
  let o = 1;
  for (const byte of data) {
    if (!blockOpen) {
      codeAt = o++;
      code = 1;
      blockOpen = true;
    }
    if (byte === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
      continue;
    }
    out[o++] = byte;
    code++;
    if (code === 0xff) {
      out[codeAt] = code;
      blockOpen = false;
    }
  }
  if (blockOpen) out[codeAt] = code;
  return out.subarray(0, o);
}

/** Runs of at most this many bytes (code included) are copied byte by byte, longer ones with `set`. */
const SHORT_RUN = 16;

/**
 * Decodes COBS `data` (without its delimiter) into a new array, or returns a {@link CobsError}.
 * Besides every output of {@link cobsEncode} it accepts the empty input (decodes to nothing) and
 * a redundant 0x01 code after a final 254-byte block, which some encoders emit.
 */
export function cobsDecode(data: Uint8Array): Uint8Array | CobsError {
  const zeroAt = data.indexOf(0);
  if (zeroAt !== -1) return cobsError('zero-byte', zeroAt);
  const out = new Uint8Array(Math.max(0, data.length - 1));
  let o = 0;
  let i = 0;
  while (i < data.length) {
    const code = data[i]!;
    const end = i + code;
    if (end > data.length) return cobsError('code-overrun', i);
    if (code > SHORT_RUN) {
      out.set(data.subarray(i + 1, end), o);
      o += code - 1;
    } else {
      for (let k = i + 1; k < end; k++) out[o++] = data[k]!; // a short run: no view to allocate
    }
    i = end;
    if (code !== 0xff && i < data.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}

function cobsError(reason: CobsErrorReason, offset: number): CobsError {
  return { kind: 'cobs-error', reason, offset };
}
