/**
 * @file
 * @brief The bench's echo peer (bench/link's baseline), shared by the posix and Cortex-M echoes:
 *        every byte received goes straight back, except a shaped request, which is answered with
 *        a frame of the length it asks for, so the baseline moves data the way a bulk read does
 *        (a short request in, a long frame out).
 *
 * A shaped request is a frame (bytes up to a 0x00) whose first byte is ECHO_SHAPED_REQUEST
 * (0xFE), followed by two non-zero bytes @c a and @c b: the reply is
 * ECHO_REPLY_LENGTH(a, b) = (a - 1) * 255 + b bytes, the 0x00 delimiter included (the others
 * non-zero filler). The rest of the request is padding, so the request can be as long as the
 * packet it stands for. A reply longer than ECHO_REPLY_MAX_BYTES is cut to it. Nothing of a
 * shaped request is echoed. No other frame is touched: plain echo.
 *
 * Freestanding: no libc, no allocation.
 */
#ifndef RTIO_ECHO_H
#define RTIO_ECHO_H

#include <stdbool.h>
#include <stdint.h>

/** @brief First byte of a shaped request. */
#define ECHO_SHAPED_REQUEST 0xFEu
/** @brief Longest reply a shaped request gets, delimiter included. */
#define ECHO_REPLY_MAX_BYTES 4096u
/** @brief Reply length asked for by the two length bytes @p a and @p b (each 1..255). */
#define ECHO_REPLY_LENGTH(a, b) (((uint32_t)(a) - 1u) * 255u + (uint32_t)(b))

/** @brief Where the echo stands in the frame being received. Zero-initialise, or echo_init(). */
struct echo_state {
	uint32_t pos;     /**< bytes of the current frame received so far */
	bool shaped;      /**< the current frame is a shaped request */
	uint8_t len_a;    /**< its first length byte */
	uint8_t len_b;    /**< its second length byte */
};

/** @brief What to send for one received byte: the byte itself, and/or a reply of @c reply bytes. */
struct echo_answer {
	bool echo;      /**< send the received byte back */
	uint32_t reply; /**< then a reply of this many bytes (echo_reply_byte() gives each); 0 for none */
};

/** @brief Starts at a frame boundary. */
void echo_init(struct echo_state *s);

/** @brief Takes one received byte; says what to send for it. */
struct echo_answer echo_take(struct echo_state *s, uint8_t byte);

/** @brief Byte @p i of a reply of @p len bytes: non-zero filler, 0x00 last. */
uint8_t echo_reply_byte(uint32_t i, uint32_t len);

#endif /* RTIO_ECHO_H */
