/** The wire's framing layer: COBS, CRC-32 and frames. */
export { cobsDecode, cobsEncode, cobsMaxEncodedLength, isCobsError } from './cobs';
export type { CobsError, CobsErrorReason } from './cobs';
export { crc32 } from './crc32';
export {
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_CRC_BYTES,
  FRAME_DELIMITER,
  FrameDecoder,
  MAX_PAYLOAD_BYTES,
  encodeFrame,
  frameMaxEncodedLength,
} from './frame';
export type {
  DecodedFrame,
  EncodeFrameOptions,
  FrameDecoderOptions,
  FrameDecoderStats,
  FrameError,
  FrameErrorStatus,
  FrameOk,
  FrameStatus,
} from './frame';
export { PROTOCOL_VERSION, decodePacket, encodePacket, isDecodeError, packetBodyKind } from './messages';
export type { DecodeError, DecodeErrorReason, Packet, PacketBody, PacketInit } from './messages';
