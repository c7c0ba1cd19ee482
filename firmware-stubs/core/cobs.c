/**
 * @file
 * @brief COBS encoder and decoder; see cobs.h.
 */
#include "cobs.h"

static struct agent_cobs_result cobs_result(enum agent_cobs_status status, size_t out_len)
{
	struct agent_cobs_result r;

	r.status = status;
	r.out_len = status == AGENT_COBS_OK ? out_len : 0u;
	return r;
}

void agent_cobs_encoder_init(struct agent_cobs_encoder *enc, uint8_t *dst, size_t dst_len)
{
	enc->dst = dst;
	enc->dst_len = dst_len;
	enc->code_at = 0u;
	enc->out_len = 1u;
	enc->code = 1u;
	enc->block_open = true;
	enc->overflow = dst_len == 0u;
}

/* Reserves the next output byte for a code; false once dst is full. */
static bool cobs_open_block(struct agent_cobs_encoder *enc)
{
	if (enc->out_len >= enc->dst_len) {
		enc->overflow = true;
		return false;
	}
	enc->code_at = enc->out_len++;
	enc->code = 1u;
	enc->block_open = true;
	return true;
}

void agent_cobs_encoder_put(struct agent_cobs_encoder *enc, const uint8_t *src, size_t src_len)
{
	size_t i;

	for (i = 0u; i < src_len && !enc->overflow; i++) {
		/*
		 * A full block is closed as soon as it fills, but the next one is opened only
		 * when more input comes: a full block that ends the input gets no code after it.
		 */
		if (!enc->block_open && !cobs_open_block(enc)) {
			return;
		}
		if (src[i] == 0u) {
			enc->dst[enc->code_at] = enc->code;
			(void)cobs_open_block(enc);
			continue;
		}
		if (enc->out_len >= enc->dst_len) {
			enc->overflow = true;
			return;
		}
		enc->dst[enc->out_len++] = src[i];
		enc->code++;
		if (enc->code == 0xffu) {
			enc->dst[enc->code_at] = enc->code;
			enc->block_open = false;
		}
	}
}

struct agent_cobs_result agent_cobs_encoder_finish(struct agent_cobs_encoder *enc)
{
	if (enc->overflow) {
		return cobs_result(AGENT_COBS_DST_TOO_SMALL, 0u);
	}
	if (enc->block_open) {
		enc->dst[enc->code_at] = enc->code;
	}
	return cobs_result(AGENT_COBS_OK, enc->out_len);
}

struct agent_cobs_result agent_cobs_encode(uint8_t *dst, size_t dst_len,
					   const uint8_t *src, size_t src_len)
{
	struct agent_cobs_encoder enc;

	agent_cobs_encoder_init(&enc, dst, dst_len);
	agent_cobs_encoder_put(&enc, src, src_len);
	return agent_cobs_encoder_finish(&enc);
}

struct agent_cobs_result agent_cobs_decode(uint8_t *dst, size_t dst_len,
					   const uint8_t *src, size_t src_len)
{
	size_t i;
	size_t out = 0u;

	for (i = 0u; i < src_len; i++) {
		if (src[i] == 0u) {
			return cobs_result(AGENT_COBS_ZERO_BYTE, 0u);
		}
	}
	/*
	 * In place (dst == src) is safe: every block writes its data one byte behind where it
	 * reads it, and its trailing zero over its own code byte's position or later ones
	 * already read.
	 */
	i = 0u;
	while (i < src_len) {
		size_t code = src[i];
		size_t end = i + code;
		size_t k;

		if (end > src_len) {
			return cobs_result(AGENT_COBS_CODE_OVERRUN, 0u);
		}
		if (code - 1u > dst_len - out) {
			return cobs_result(AGENT_COBS_DST_TOO_SMALL, 0u);
		}
		for (k = i + 1u; k < end; k++) {
			dst[out++] = src[k];
		}
		i = end;
		if (code != 0xffu && i < src_len) {
			if (out >= dst_len) {
				return cobs_result(AGENT_COBS_DST_TOO_SMALL, 0u);
			}
			dst[out++] = 0u;
		}
	}
	return cobs_result(AGENT_COBS_OK, out);
}
