/**
 * @file
 * @brief The bench's echo peer: plain echo, or a reply shaped like a bulk read (echo.h).
 */
#include "echo.h"

void echo_init(struct echo_state *s)
{
	s->pos = 0u;
	s->shaped = false;
	s->len_a = 0u;
	s->len_b = 0u;
}

struct echo_answer echo_take(struct echo_state *s, uint8_t byte)
{
	struct echo_answer a = { false, 0u };
	uint32_t pos = s->pos;

	s->pos = byte == 0u ? 0u : pos + 1u;
	if (pos == 0u) {
		s->shaped = byte == ECHO_SHAPED_REQUEST;
		s->len_a = 0u;
		s->len_b = 0u;
	}
	if (!s->shaped) {
		a.echo = true;
		return a;
	}
	if (pos == 1u) {
		s->len_a = byte;
	} else if (pos == 2u) {
		s->len_b = byte;
	}
	if (byte == 0u) {
		s->shaped = false;
		if (s->len_a != 0u && s->len_b != 0u) {
			uint32_t len = ECHO_REPLY_LENGTH(s->len_a, s->len_b);

			a.reply = len > ECHO_REPLY_MAX_BYTES ? ECHO_REPLY_MAX_BYTES : len;
		}
	}
	return a;
}

uint8_t echo_reply_byte(uint32_t i, uint32_t len)
{
	return i + 1u >= len ? 0u : (uint8_t)(1u + i % 250u);
}
