/**
 * @file
 * @brief Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999), the agent's twin of
 *        protocol/cobs.ts; both are held to protocol/vectors/cobs.json.
 *
 * COBS removes every 0x00 from a byte string so that 0x00 can delimit frames. A block of 254
 * non-zero bytes gets code 0xff; when such a block ends the input, no code follows it.
 * Nothing here allocates or keeps state: the caller supplies every buffer and its size.
 */
#ifndef AGENT_COBS_H
#define AGENT_COBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * @brief The most bytes agent_cobs_encode() writes for @p src_len input bytes:
 *        `src_len + ceil(src_len / 254)`, and 1 for an empty input. A constant expression
 *        when @p src_len is one, so it can size a buffer.
 */
#define AGENT_COBS_ENCODED_LEN_MAX(src_len) \
	((src_len) == 0u ? (size_t)1u : (size_t)(src_len) + ((size_t)(src_len) + 253u) / 254u)

/** @brief Outcome of a COBS operation. */
enum agent_cobs_status {
	/** Done; the result's out_len bytes of dst are valid. */
	AGENT_COBS_OK = 0,
	/** dst is too small for the output. */
	AGENT_COBS_DST_TOO_SMALL,
	/** Decoding: the input holds a 0x00, which no encoding contains. */
	AGENT_COBS_ZERO_BYTE,
	/** Decoding: a code byte announces more bytes than remain in the input. */
	AGENT_COBS_CODE_OVERRUN,
};

/**
 * @brief Status and output length of a COBS operation. On any status but AGENT_COBS_OK,
 *        out_len is 0 and dst holds unspecified bytes within its dst_len.
 */
struct agent_cobs_result {
	/** What happened. */
	enum agent_cobs_status status;
	/** Bytes written to dst when status is AGENT_COBS_OK, else 0. */
	size_t out_len;
};

/**
 * @brief Encodes @p src into @p dst, without a delimiter.
 *
 * @param dst     Output buffer; AGENT_COBS_ENCODED_LEN_MAX(src_len) bytes always suffice.
 * @param dst_len Size of @p dst in bytes.
 * @param src     Input; may be NULL when @p src_len is 0. Must not overlap @p dst.
 * @param src_len Input length in bytes.
 *
 * @retval AGENT_COBS_OK            out_len bytes of @p dst hold the encoding (at least 1).
 * @retval AGENT_COBS_DST_TOO_SMALL @p dst_len is too small for this input.
 */
struct agent_cobs_result agent_cobs_encode(uint8_t *dst, size_t dst_len,
					   const uint8_t *src, size_t src_len);

/**
 * @brief Decodes COBS @p src (without its delimiter) into @p dst.
 *
 * Besides every output of agent_cobs_encode() it accepts the empty input (decodes to nothing)
 * and a redundant 0x01 code after a final 254-byte block, which some encoders emit. Any 0x00
 * in the input is reported as AGENT_COBS_ZERO_BYTE before the structure is checked.
 *
 * @param dst     Output buffer; @p src_len bytes always suffice. May be the same pointer as
 *                @p src (decoding in place); no other overlap is allowed.
 * @param dst_len Size of @p dst in bytes.
 * @param src     Encoded input; may be NULL when @p src_len is 0.
 * @param src_len Input length in bytes.
 *
 * @retval AGENT_COBS_OK            out_len bytes of @p dst hold the decoded data.
 * @retval AGENT_COBS_ZERO_BYTE     @p src holds a 0x00.
 * @retval AGENT_COBS_CODE_OVERRUN  a code byte runs past the end of @p src.
 * @retval AGENT_COBS_DST_TOO_SMALL @p dst_len is too small for the decoded data.
 */
struct agent_cobs_result agent_cobs_decode(uint8_t *dst, size_t dst_len,
					   const uint8_t *src, size_t src_len);

/**
 * @brief Incremental COBS encoder writing into a caller-owned buffer, for output produced
 *        piecewise (a payload, then its CRC; a protobuf stream). Owned and placed by the
 *        caller; its fields are private.
 */
struct agent_cobs_encoder {
	/** @cond ignore */
	uint8_t *dst;
	size_t dst_len;
	size_t out_len;
	size_t code_at;
	uint8_t code;
	bool block_open;
	bool overflow;
	/** @endcond */
};

/**
 * @brief Starts an encoding into @p dst (@p dst_len bytes). Writes nothing yet.
 */
void agent_cobs_encoder_init(struct agent_cobs_encoder *enc, uint8_t *dst, size_t dst_len);

/**
 * @brief Encodes the next @p src_len bytes of input. Once @p dst has run out of room, input is
 *        ignored and agent_cobs_encoder_finish() reports AGENT_COBS_DST_TOO_SMALL.
 */
void agent_cobs_encoder_put(struct agent_cobs_encoder *enc, const uint8_t *src, size_t src_len);

/**
 * @brief Ends the encoding.
 *
 * @retval AGENT_COBS_OK            out_len bytes of dst hold the encoding of all input put.
 * @retval AGENT_COBS_DST_TOO_SMALL dst ran out of room.
 */
struct agent_cobs_result agent_cobs_encoder_finish(struct agent_cobs_encoder *enc);

#endif /* AGENT_COBS_H */
