/*
 * core/echo.c, bench/link's echo peer: plain bytes come back as they are; a shaped request is
 * answered with a frame of the length it asks for, and nothing of it is echoed.
 */
#include <string.h>

#include "check.h"
#include "echo.h"

/* Feeds @p in to a fresh echo and writes what it sends to @p out; returns how many bytes. */
static size_t run(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	struct echo_state s;
	size_t used = 0;
	size_t i;

	echo_init(&s);
	for (i = 0; i < n; i++) {
		struct echo_answer a = echo_take(&s, in[i]);
		uint32_t k;

		if (a.echo && used < cap) {
			out[used++] = in[i];
		}
		for (k = 0; k < a.reply && used < cap; k++) {
			out[used++] = echo_reply_byte(k, a.reply);
		}
	}
	return used;
}

static void test_plain_frames_echo(void)
{
	static const uint8_t in[] = { 0x01, 0x02, 0x00, 0x05, 0xfe, 0x00, 0x00, 0x07 };
	uint8_t out[16];
	size_t n = run(in, sizeof(in), out, sizeof(out));

	/* 0xfe in the middle of a frame is plain data. */
	CHECK_EQ(n, sizeof(in));
	CHECK(memcmp(out, in, sizeof(in)) == 0);
}

static void test_shaped_request_gets_its_length(void)
{
	/* (3 - 1) * 255 + 28 = 538 bytes asked for, after a plain frame; padding ignored. */
	static const uint8_t in[] = { 0x09, 0x00, 0xfe, 0x03, 0x1c, 0x11, 0x11, 0x00, 0x04, 0x00 };
	static uint8_t out[1024];
	size_t n = run(in, sizeof(in), out, sizeof(out));
	size_t zeros = 0;
	size_t i;

	CHECK_EQ(n, 2u + 538u + 2u);
	CHECK_BYTES(out, 2u, 0x09, 0x00);
	for (i = 2; i < 2u + 538u; i++) {
		zeros += out[i] == 0u;
	}
	CHECK_EQ(zeros, 1u);
	CHECK_EQ(out[2u + 537u], 0u);
	CHECK_BYTES(out + 2u + 538u, 2u, 0x04, 0x00);
	CHECK_EQ(ECHO_REPLY_LENGTH(1u, 1u), 1u);
	CHECK_EQ(ECHO_REPLY_LENGTH(255u, 255u), 254u * 255u + 255u);
}

static void test_bad_requests(void)
{
	/* Length bytes missing: no reply. Too long: cut to ECHO_REPLY_MAX_BYTES. */
	static const uint8_t short_req[] = { 0xfe, 0x03, 0x00 };
	static const uint8_t long_req[] = { 0xfe, 0xff, 0xff, 0x00 };
	static uint8_t out[8192];

	CHECK_EQ(run(short_req, sizeof(short_req), out, sizeof(out)), 0u);
	CHECK_EQ(run(long_req, sizeof(long_req), out, sizeof(out)), ECHO_REPLY_MAX_BYTES);
	CHECK_EQ(out[ECHO_REPLY_MAX_BYTES - 1u], 0u);
}

#define T(fn) { #fn, fn }

int main(void)
{
	static const struct check_test tests[] = {
		T(test_plain_frames_echo), T(test_shaped_request_gets_its_length), T(test_bad_requests),
	};

	return check_run("echo-test", tests, sizeof(tests) / sizeof(tests[0]));
}
