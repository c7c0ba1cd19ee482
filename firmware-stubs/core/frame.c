/**
 * @file
 * @brief Frame encoder and decoder; see frame.h.
 */
#include "frame.h"

#include "crc32.h"

static struct agent_frame_result frame_result(enum agent_frame_status status, size_t out_len)
{
	struct agent_frame_result r;

	r.status = status;
	r.out_len = out_len;
	return r;
}

struct agent_frame_result agent_frame_encode(uint8_t *dst, size_t dst_len,
					     const uint8_t *payload, size_t payload_len)
{
	struct agent_cobs_encoder enc;
	struct agent_cobs_result encoded;
	uint8_t crc_le[AGENT_FRAME_CRC_BYTES];
	uint32_t crc;

	if (payload_len > AGENT_MAX_PAYLOAD_BYTES) {
		return frame_result(AGENT_FRAME_PAYLOAD_TOO_LONG, 0u);
	}
	if (dst_len == 0u) {
		return frame_result(AGENT_FRAME_DST_TOO_SMALL, 0u);
	}
	crc = agent_crc32(payload, payload_len, 0u);
	crc_le[0] = (uint8_t)crc;
	crc_le[1] = (uint8_t)(crc >> 8);
	crc_le[2] = (uint8_t)(crc >> 16);
	crc_le[3] = (uint8_t)(crc >> 24);

	agent_cobs_encoder_init(&enc, dst, dst_len - 1u);
	agent_cobs_encoder_put(&enc, payload, payload_len);
	agent_cobs_encoder_put(&enc, crc_le, sizeof(crc_le));
	encoded = agent_cobs_encoder_finish(&enc);
	if (encoded.status != AGENT_COBS_OK) {
		return frame_result(AGENT_FRAME_DST_TOO_SMALL, 0u);
	}
	dst[encoded.out_len] = AGENT_FRAME_DELIMITER;
	return frame_result(AGENT_FRAME_OK, encoded.out_len + 1u);
}

void agent_frame_decoder_init(struct agent_frame_decoder *dec, uint8_t *buf, size_t buf_len)
{
	dec->buf = buf;
	dec->buf_len = buf_len;
	dec->len = 0u;
	dec->overflow = false;
}

struct agent_frame_result agent_frame_decoder_push(struct agent_frame_decoder *dec, uint8_t byte)
{
	struct agent_cobs_result decoded;
	size_t len = dec->len;
	bool overflow = dec->overflow;
	size_t payload_len;
	uint32_t crc;
	const uint8_t *crc_le;

	if (byte != AGENT_FRAME_DELIMITER) {
		if (dec->len < dec->buf_len) {
			dec->buf[dec->len++] = byte;
		} else {
			dec->overflow = true;
		}
		return frame_result(AGENT_FRAME_NEED_MORE, 0u);
	}
	dec->len = 0u;
	dec->overflow = false;
	if (overflow) {
		return frame_result(AGENT_FRAME_TOO_LONG, 0u);
	}
	if (len == 0u) {
		return frame_result(AGENT_FRAME_NEED_MORE, 0u);
	}
	decoded = agent_cobs_decode(dec->buf, len, dec->buf, len);
	if (decoded.status != AGENT_COBS_OK) {
		return frame_result(AGENT_FRAME_COBS_ERROR, 0u);
	}
	if (decoded.out_len < AGENT_FRAME_CRC_BYTES) {
		return frame_result(AGENT_FRAME_TOO_SHORT, 0u);
	}
	payload_len = decoded.out_len - AGENT_FRAME_CRC_BYTES;
	crc_le = dec->buf + payload_len;
	crc = (uint32_t)crc_le[0] | (uint32_t)crc_le[1] << 8 | (uint32_t)crc_le[2] << 16 |
	      (uint32_t)crc_le[3] << 24;
	if (agent_crc32(dec->buf, payload_len, 0u) != crc) {
		return frame_result(AGENT_FRAME_CRC_MISMATCH, 0u);
	}
	return frame_result(AGENT_FRAME_OK, payload_len);
}
