/**
 * @file
 * @brief Wire frames, the agent's twin of protocol/frame.ts; both are held to
 *        protocol/vectors/frames.json.
 *
 * A frame is `COBS(payload || CRC-32(payload) as 4 bytes little-endian)` followed by one 0x00
 * delimiter. Nothing here allocates or keeps state: the caller supplies every buffer and owns
 * the decoder.
 */
#ifndef AGENT_FRAME_H
#define AGENT_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cobs.h"

#ifndef AGENT_MAX_PAYLOAD_BYTES
/**
 * @brief Largest payload agent_frame_encode() accepts, in bytes. Default 1024, the same as
 *        MAX_PAYLOAD_BYTES on the host; override with -DAGENT_MAX_PAYLOAD_BYTES=n.
 */
#define AGENT_MAX_PAYLOAD_BYTES 1024u
#endif

/** @brief Bytes of CRC-32 after the payload inside each frame: 4, little-endian. */
#define AGENT_FRAME_CRC_BYTES 4u

/** @brief The byte that ends every frame; COBS guarantees it appears nowhere else. */
#define AGENT_FRAME_DELIMITER 0x00u

/**
 * @brief The most encoded bytes a frame with a @p payload_len byte payload has between
 *        delimiters (delimiter excluded). Host twin: frameMaxEncodedLength().
 */
#define AGENT_FRAME_ENCODED_LEN_MAX(payload_len) \
	AGENT_COBS_ENCODED_LEN_MAX((size_t)(payload_len) + AGENT_FRAME_CRC_BYTES)

/**
 * @brief The most bytes agent_frame_encode() writes for a @p payload_len byte payload,
 *        delimiter included: the dst size that always suffices.
 */
#define AGENT_FRAME_WIRE_LEN_MAX(payload_len) (AGENT_FRAME_ENCODED_LEN_MAX(payload_len) + 1u)

/**
 * @brief Decoder buffer size that accepts every frame of up to AGENT_MAX_PAYLOAD_BYTES:
 *        1033 bytes by default, the host's DEFAULT_MAX_FRAME_BYTES.
 */
#define AGENT_FRAME_DECODER_BUF_LEN AGENT_FRAME_ENCODED_LEN_MAX(AGENT_MAX_PAYLOAD_BYTES)

/** @brief Outcome of encoding a frame or of feeding the decoder one byte. */
enum agent_frame_status {
	/** Encoder: the frame is written. Decoder: a frame ended and passed its CRC. */
	AGENT_FRAME_OK = 0,
	/** Decoder: the byte was taken and no frame ended (an empty frame is skipped this way). */
	AGENT_FRAME_NEED_MORE,
	/** Decoder: a frame decoded, but its last 4 bytes are not the CRC-32 of the rest. */
	AGENT_FRAME_CRC_MISMATCH,
	/** Decoder: a frame is not valid COBS (a code byte runs past its end). */
	AGENT_FRAME_COBS_ERROR,
	/** Decoder: a frame had more encoded bytes than the decoder's buffer holds. */
	AGENT_FRAME_TOO_LONG,
	/** Decoder: a frame decoded to fewer than 4 bytes, so it cannot even hold a CRC. */
	AGENT_FRAME_TOO_SHORT,
	/** Encoder: the payload is longer than AGENT_MAX_PAYLOAD_BYTES. */
	AGENT_FRAME_PAYLOAD_TOO_LONG,
	/** Encoder: dst is too small for this frame. */
	AGENT_FRAME_DST_TOO_SMALL,
};

/** @brief Status and length of a frame operation. */
struct agent_frame_result {
	/** What happened. */
	enum agent_frame_status status;
	/** Encoder: bytes written. Decoder, on AGENT_FRAME_OK: payload length. Otherwise 0. */
	size_t out_len;
};

/**
 * @brief Encodes @p payload as one frame, delimiter included.
 *
 * @param dst         Output; AGENT_FRAME_WIRE_LEN_MAX(payload_len) bytes always suffice.
 * @param dst_len     Size of @p dst in bytes.
 * @param payload     Payload; may be NULL when @p payload_len is 0. Must not overlap @p dst.
 * @param payload_len Payload length in bytes.
 *
 * @retval AGENT_FRAME_OK               out_len bytes of @p dst hold the frame, ending in 0x00.
 * @retval AGENT_FRAME_PAYLOAD_TOO_LONG @p payload_len > AGENT_MAX_PAYLOAD_BYTES; nothing written.
 * @retval AGENT_FRAME_DST_TOO_SMALL    @p dst_len is too small; @p dst holds a partial frame.
 */
struct agent_frame_result agent_frame_encode(uint8_t *dst, size_t dst_len,
					     const uint8_t *payload, size_t payload_len);

/**
 * @brief Incremental frame decoder, fed one byte at a time. Owned and placed by the caller,
 *        set up with agent_frame_decoder_init(); its fields are private.
 *
 * It stores a frame's encoded bytes in the caller's buffer until the delimiter, then decodes
 * them in place. Once a frame fills the buffer its further bytes are dropped, not stored, and
 * it is reported AGENT_FRAME_TOO_LONG at the next delimiter, where decoding resyncs. Every bad
 * frame is reported once, at its delimiter; the next frame decodes normally.
 */
struct agent_frame_decoder {
	/** @cond ignore */
	uint8_t *buf;
	size_t buf_len;
	size_t len;
	bool overflow;
	/** @endcond */
};

/**
 * @brief Sets up @p dec to decode into @p buf.
 *
 * @param buf     Buffer the decoder owns until it is set up again.
 * @param buf_len Largest frame accepted, in encoded bytes between delimiters (the host's
 *                maxFrameBytes); AGENT_FRAME_DECODER_BUF_LEN fits every frame of up to
 *                AGENT_MAX_PAYLOAD_BYTES. Must be at least 1.
 */
void agent_frame_decoder_init(struct agent_frame_decoder *dec, uint8_t *buf, size_t buf_len);

/**
 * @brief Feeds the decoder the next byte of the stream.
 *
 * Only a 0x00 can end a frame, so every other byte returns AGENT_FRAME_NEED_MORE.
 *
 * @retval AGENT_FRAME_NEED_MORE    no frame ended, or an empty frame (a lone delimiter) ended.
 * @retval AGENT_FRAME_OK           a frame ended and passed its CRC; its payload is the first
 *                                  out_len bytes of buf, valid until the next call.
 * @retval AGENT_FRAME_CRC_MISMATCH a frame ended with a wrong CRC; it is dropped.
 * @retval AGENT_FRAME_COBS_ERROR   a frame ended that is not valid COBS; it is dropped.
 * @retval AGENT_FRAME_TOO_LONG     a frame ended with more than buf_len encoded bytes; dropped.
 * @retval AGENT_FRAME_TOO_SHORT    a frame ended that decodes to fewer than 4 bytes; dropped.
 */
struct agent_frame_result agent_frame_decoder_push(struct agent_frame_decoder *dec, uint8_t byte);

#endif /* AGENT_FRAME_H */
