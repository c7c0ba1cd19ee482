/**
 * The frames bench/link compares: what rtio-hil puts on the wire for a NOP and for a bulk read,
 * and the raw frames of its baseline of the same sizes (firmware-stubs/core/echo.h: plain echo,
 * or a shaped request answered with a frame of the length asked for).
 */
import { encodeFrame } from '../../protocol/frame';
import { encodePacket } from '../../protocol/messages';
import { RTIO_OP_RX } from '../../harness/rtio';

/** First byte of a shaped request (ECHO_SHAPED_REQUEST in firmware-stubs/core/echo.h). */
const ECHO_SHAPED_REQUEST = 0xfe;
/** Sequence numbers in the frames measured: mid-session sizes (one-byte varints would flatter). */
const SEQ = 1000;

/** The sizes, in encoded bytes with the delimiter, of the frames a run moves. */
export interface WireShapes {
  /** A Submit of one NOP, and the Complete that answers it (seq and ack set). */
  readonly nopSubmitBytes: number;
  readonly nopCompleteBytes: number;
  /** A Submit of one read of `readLen` bytes, and its Complete carrying the data. */
  readonly readSubmitBytes: number;
  readonly readCompleteBytes: number;
  readonly readLen: number;
}

/** The frame sizes of a NOP and of a read of `readLen` bytes from iodev `iodev`. */
export function wireShapes(readLen: number, iodev = 6): WireShapes {
  const frame = (p: Parameters<typeof encodePacket>[0]): number => encodeFrame(encodePacket(p)).length;
  return {
    nopSubmitBytes: frame({ seq: SEQ, ack: SEQ, submit: { sqes: [{ id: SEQ, iodev }] } }),
    nopCompleteBytes: frame({ seq: SEQ, ack: SEQ, complete: { cqes: [{ id: SEQ }] } }),
    readSubmitBytes: frame({ seq: SEQ, ack: SEQ, submit: { sqes: [{ id: SEQ, iodev, op: RTIO_OP_RX, len: readLen }] } }),
    readCompleteBytes: frame({ seq: SEQ, ack: SEQ, complete: { cqes: [{ id: SEQ, result: readLen, data: new Uint8Array(readLen).fill(0xa5) }] } }),
    readLen,
  };
}

/** A frame of `bytes` encoded bytes (non-zero filler, delimiter last): the echo sends it back as it is. */
export function echoFrame(bytes: number): Uint8Array {
  const f = new Uint8Array(bytes);
  for (let i = 0; i < bytes - 1; i++) f[i] = 1 + (i % 250);
  return f;
}

/**
 * A shaped request of `bytes` bytes (delimiter included, at least 4) asking the echo for a frame of
 * `replyBytes` bytes (1..4096), as a Submit of one read asks the agent for a Complete.
 */
export function shapedRequest(bytes: number, replyBytes: number): Uint8Array {
  if (bytes < 4 || !Number.isInteger(bytes)) throw new RangeError(`"bytes" must be an integer >= 4; got ${bytes}`);
  if (replyBytes < 1 || replyBytes > 4096 || !Number.isInteger(replyBytes)) {
    throw new RangeError(`"replyBytes" must be an integer in 1..4096; got ${replyBytes}`);
  }
  const f = echoFrame(bytes);
  f[0] = ECHO_SHAPED_REQUEST;
  f[1] = 1 + Math.floor((replyBytes - 1) / 255);
  f[2] = replyBytes - (f[1] - 1) * 255;
  return f;
}
