/*
 * Runs protocol/vectors/{cobs,crc32,frames}.json (via the generated vectors.h) against
 * core/cobs, core/crc32 and core/frame, plus a few checks of their own: buffer bounds,
 * in-place decoding, a seeded round trip. Runs on tests/check.h; every vector case is counted.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cobs.h"
#include "crc32.h"
#include "frame.h"
#include "vectors.h"

#define SCRATCH_LEN 4096u
#define GUARD_LEN 16u
#define GUARD_BYTE 0xa5u
#define MAX_RESULTS 16u

static uint8_t scratch[SCRATCH_LEN + GUARD_LEN];
static uint8_t decoder_buf[SCRATCH_LEN + GUARD_LEN];

/* Fills scratch with the guard byte, so writes past a buffer's stated length show. */
static uint8_t *guarded(void)
{
	memset(scratch, GUARD_BYTE, sizeof(scratch));
	return scratch;
}

static int guard_intact(const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = len; i < len + GUARD_LEN; i++) {
		if (buf[i] != GUARD_BYTE) {
			return 0;
		}
	}
	return 1;
}

static int same_bytes(const uint8_t *a, size_t a_len, struct vec_bytes b)
{
	return a_len == b.len && (a_len == 0u || memcmp(a, b.data, a_len) == 0);
}

/* Whether @p len bytes fit the scratch buffer; a case that does not is a failure of the test. */
static int fits(const char *what, const char *description, size_t len)
{
	int ok = len + 1u <= SCRATCH_LEN;

	CHECK_MSG(ok, "%s \"%s\": %zu bytes do not fit the test's scratch buffer", what, description, len);
	return ok;
}

static const char *cobs_status_name(enum agent_cobs_status s)
{
	switch (s) {
	case AGENT_COBS_OK: return "ok";
	case AGENT_COBS_DST_TOO_SMALL: return "dst-too-small";
	case AGENT_COBS_ZERO_BYTE: return "zero-byte";
	case AGENT_COBS_CODE_OVERRUN: return "code-overrun";
	}
	return "?";
}

static const char *frame_status_name(enum agent_frame_status s)
{
	switch (s) {
	case AGENT_FRAME_OK: return "ok";
	case AGENT_FRAME_NEED_MORE: return "need-more";
	case AGENT_FRAME_CRC_MISMATCH: return "crc-mismatch";
	case AGENT_FRAME_COBS_ERROR: return "cobs-error";
	case AGENT_FRAME_TOO_LONG: return "too-long";
	case AGENT_FRAME_TOO_SHORT: return "too-short";
	case AGENT_FRAME_PAYLOAD_TOO_LONG: return "payload-too-long";
	case AGENT_FRAME_DST_TOO_SMALL: return "dst-too-small";
	}
	return "?";
}

/*
 * An encoder under test (COBS or frame) with its status as the vectors name it ("ok",
 * "dst-too-small") and its output length in *out_len.
 */
typedef const char *(*encode_fn)(uint8_t *dst, size_t dst_len, struct vec_bytes in, size_t *out_len);

static const char *cobs_encode_named(uint8_t *dst, size_t dst_len, struct vec_bytes in, size_t *out_len)
{
	struct agent_cobs_result r = agent_cobs_encode(dst, dst_len, in.data, in.len);

	*out_len = r.out_len;
	return cobs_status_name(r.status);
}

static const char *frame_encode_named(uint8_t *dst, size_t dst_len, struct vec_bytes in, size_t *out_len)
{
	struct agent_frame_result r = agent_frame_encode(dst, dst_len, in.data, in.len);

	*out_len = r.out_len;
	return frame_status_name(r.status);
}

/*
 * @p encode gives exactly @p want for @p in into a dst of want.len bytes, and dst-too-small into
 * one byte fewer; neither writes past its dst.
 */
static void check_encodes_exactly(const char *table, const char *description, encode_fn encode, struct vec_bytes in,
				  struct vec_bytes want)
{
	uint8_t *dst = guarded();
	size_t n = 0u;
	const char *status = encode(dst, want.len, in, &n);

	CHECK_MSG(strcmp(status, "ok") == 0 && same_bytes(dst, n, want) && guard_intact(dst, want.len),
		  "%s \"%s\": encode: %s, %zu bytes", table, description, status, n);
	dst = guarded();
	status = encode(dst, want.len - 1u, in, &n);
	CHECK_MSG(strcmp(status, "dst-too-small") == 0 && guard_intact(dst, want.len - 1u),
		  "%s \"%s\": encode into one byte too few: %s", table, description, status);
}

static void test_cobs_lengths(void)
{
	static uint8_t src[SCRATCH_LEN];
	size_t i;

	for (i = 0u; i < VEC_COBS_LEN_COUNT; i++) {
		const struct vec_cobs_len *c = &vec_cobs_len[i];
		struct vec_bytes in;
		size_t n = 0u;
		const char *status;

		check_vector_case();
		CHECK_MSG(AGENT_COBS_ENCODED_LEN_MAX(c->length) == c->max,
			  "cobs.encodedLengthMax \"%s\": AGENT_COBS_ENCODED_LEN_MAX(%zu) is %zu, expected %zu", c->description,
			  c->length, AGENT_COBS_ENCODED_LEN_MAX(c->length), c->max);
		if (!fits("cobs.encodedLengthMax", c->description, c->max)) {
			continue;
		}
		memset(src, 0x5a, c->length);
		in.data = src;
		in.len = c->length;
		status = cobs_encode_named(guarded(), c->max, in, &n);
		CHECK_MSG(strcmp(status, "ok") == 0 && n == c->max && guard_intact(scratch, c->max),
			  "cobs.encodedLengthMax \"%s\": %zu non-zero bytes into %zu: %s, %zu bytes", c->description,
			  c->length, c->max, status, n);
		status = cobs_encode_named(guarded(), c->max - 1u, in, &n);
		CHECK_MSG(strcmp(status, "dst-too-small") == 0 && guard_intact(scratch, c->max - 1u),
			  "cobs.encodedLengthMax \"%s\": %zu non-zero bytes into %zu: %s, expected dst-too-small",
			  c->description, c->length, c->max - 1u, status);
	}
}

static void check_cobs_decode(const char *table, const struct vec_cobs_bytes *c)
{
	struct agent_cobs_result r;
	uint8_t *dst = guarded();

	r = agent_cobs_decode(dst, c->decoded.len, c->encoded.data, c->encoded.len);
	CHECK_MSG(r.status == AGENT_COBS_OK && same_bytes(dst, r.out_len, c->decoded) && guard_intact(dst, c->decoded.len),
		  "%s \"%s\": decode: %s, %zu bytes", table, c->description, cobs_status_name(r.status), r.out_len);
	if (c->decoded.len > 0u) {
		r = agent_cobs_decode(guarded(), c->decoded.len - 1u, c->encoded.data, c->encoded.len);
		CHECK_MSG(r.status == AGENT_COBS_DST_TOO_SMALL, "%s \"%s\": decode into one byte too few: %s", table,
			  c->description, cobs_status_name(r.status));
	}
	if (c->encoded.len > 0u) {
		memcpy(decoder_buf, c->encoded.data, c->encoded.len);
	}
	r = agent_cobs_decode(decoder_buf, c->encoded.len, decoder_buf, c->encoded.len);
	CHECK_MSG(r.status == AGENT_COBS_OK && same_bytes(decoder_buf, r.out_len, c->decoded),
		  "%s \"%s\": decode in place: %s, %zu bytes", table, c->description, cobs_status_name(r.status), r.out_len);
}

static void test_cobs_bytes(void)
{
	size_t i;

	for (i = 0u; i < VEC_COBS_ROUND_TRIP_COUNT; i++) {
		const struct vec_cobs_bytes *c = &vec_cobs_round_trip[i];

		check_vector_case();
		if (fits("cobs.roundTrip", c->description, c->encoded.len)) {
			check_encodes_exactly("cobs.roundTrip", c->description, cobs_encode_named, c->decoded, c->encoded);
			check_cobs_decode("cobs.roundTrip", c);
		}
	}
	for (i = 0u; i < VEC_COBS_DECODE_ONLY_COUNT; i++) {
		const struct vec_cobs_bytes *c = &vec_cobs_decode_only[i];

		check_vector_case();
		if (fits("cobs.decodeOnly", c->description, c->encoded.len)) {
			check_cobs_decode("cobs.decodeOnly", c);
		}
	}
}

static void test_cobs_errors(void)
{
	size_t i;

	for (i = 0u; i < VEC_COBS_ERRORS_COUNT; i++) {
		const struct vec_cobs_error *c = &vec_cobs_errors[i];
		struct agent_cobs_result r = agent_cobs_decode(guarded(), SCRATCH_LEN, c->encoded.data, c->encoded.len);

		check_vector_case();
		CHECK_MSG(strcmp(cobs_status_name(r.status), c->reason) == 0 && r.out_len == 0u,
			  "cobs.decodeErrors \"%s\": %s, %zu bytes; expected %s", c->description, cobs_status_name(r.status),
			  r.out_len, c->reason);
	}
}

static void test_crc(void)
{
	size_t i;
	size_t k;

	for (i = 0u; i < VEC_CRC_COUNT; i++) {
		const struct vec_crc *c = &vec_crc[i];
		uint32_t crc = agent_crc32(c->data.data, c->data.len, c->seed);
		uint32_t bytewise = c->seed;

		check_vector_case();
		CHECK_MSG(crc == c->crc, "crc32.cases \"%s\": %08lx, expected %08lx", c->description, (unsigned long)crc,
			  (unsigned long)c->crc);
		for (k = 0u; k < c->data.len; k++) {
			bytewise = agent_crc32(c->data.data + k, 1u, bytewise);
		}
		CHECK_MSG(bytewise == c->crc, "crc32.cases \"%s\": one byte at a time: %08lx, expected %08lx", c->description,
			  (unsigned long)bytewise, (unsigned long)c->crc);
	}
}

static void test_frame_lengths(void)
{
	size_t i;

	CHECK_MSG(AGENT_MAX_PAYLOAD_BYTES == VEC_LIMIT_MAX_PAYLOAD_BYTES, "frames.limits: AGENT_MAX_PAYLOAD_BYTES is %lu, expected %lu",
		  (unsigned long)AGENT_MAX_PAYLOAD_BYTES, (unsigned long)VEC_LIMIT_MAX_PAYLOAD_BYTES);
	CHECK_MSG(AGENT_FRAME_DECODER_BUF_LEN == VEC_LIMIT_DEFAULT_MAX_FRAME_BYTES,
		  "frames.limits: AGENT_FRAME_DECODER_BUF_LEN is %zu, expected %lu", AGENT_FRAME_DECODER_BUF_LEN,
		  (unsigned long)VEC_LIMIT_DEFAULT_MAX_FRAME_BYTES);
	for (i = 0u; i < VEC_FRAME_LEN_COUNT; i++) {
		const struct vec_frame_len *c = &vec_frame_len[i];

		check_vector_case();
		CHECK_MSG(AGENT_FRAME_ENCODED_LEN_MAX(c->payload_length) == c->max &&
				  AGENT_FRAME_WIRE_LEN_MAX(c->payload_length) == c->max + 1u,
			  "frames.encodedLengthMax \"%s\": AGENT_FRAME_ENCODED_LEN_MAX(%zu) is %zu, expected %zu", c->description,
			  c->payload_length, AGENT_FRAME_ENCODED_LEN_MAX(c->payload_length), c->max);
	}
}

struct decoded {
	enum agent_frame_status status;
	uint8_t payload[AGENT_FRAME_DECODER_BUF_LEN];
	size_t payload_len;
};

static struct decoded results[MAX_RESULTS];

/* Feeds bytes one at a time; returns how many frames ended, or MAX_RESULTS + 1 if too many. */
static size_t feed(struct agent_frame_decoder *dec, const uint8_t *data, size_t len)
{
	size_t found = 0u;
	size_t i;

	for (i = 0u; i < len; i++) {
		struct agent_frame_result r = agent_frame_decoder_push(dec, data[i]);

		if (r.status == AGENT_FRAME_NEED_MORE) {
			if (r.out_len != 0u) { /* one check per byte would count a million */
				CHECK_MSG(r.out_len == 0u, "need-more with out_len %zu", r.out_len);
			}
			continue;
		}
		if (found == MAX_RESULTS) {
			return MAX_RESULTS + 1u;
		}
		results[found].status = r.status;
		results[found].payload_len = r.out_len;
		if (r.out_len > 0u) {
			memcpy(results[found].payload, decoder_buf, r.out_len);
		}
		found++;
	}
	return found;
}

/* One frame came out of @p data, and it is @p payload. */
static int decodes_to(struct agent_frame_decoder *dec, const uint8_t *data, size_t len, struct vec_bytes payload)
{
	return feed(dec, data, len) == 1u && results[0].status == AGENT_FRAME_OK &&
	       same_bytes(results[0].payload, results[0].payload_len, payload);
}

static void compare_results(const char *how, const struct vec_frame_decoding *c, size_t found)
{
	size_t k;

	if (!CHECK_MSG(found == c->expect_len, "frames.decoding \"%s\" (%s): %zu results, expected %zu", c->description,
		       how, found, c->expect_len)) {
		return;
	}
	for (k = 0u; k < found; k++) {
		const struct vec_expect *e = &c->expect[k];
		const struct decoded *got = &results[k];
		int status_ok = strcmp(frame_status_name(got->status), e->status) == 0;

		CHECK_MSG(status_ok, "frames.decoding \"%s\" (%s): result %zu is %s, expected %s", c->description, how, k,
			  frame_status_name(got->status), e->status);
		CHECK_MSG(!status_ok || (got->status == AGENT_FRAME_OK ? same_bytes(got->payload, got->payload_len, e->payload)
								 : got->payload_len == 0u),
			  "frames.decoding \"%s\" (%s): result %zu has the wrong payload (%zu bytes)", c->description, how, k,
			  got->payload_len);
	}
}

static void test_frame_encoding(void)
{
	size_t i;

	for (i = 0u; i < VEC_FRAME_ENCODING_COUNT; i++) {
		const struct vec_frame_encoding *c = &vec_frame_encoding[i];
		struct agent_frame_decoder dec;

		check_vector_case();
		if (!fits("frames.encoding", c->description, c->frame.len)) {
			continue;
		}
		check_encodes_exactly("frames.encoding", c->description, frame_encode_named, c->payload, c->frame);
		agent_frame_decoder_init(&dec, decoder_buf, AGENT_FRAME_DECODER_BUF_LEN);
		CHECK_MSG(decodes_to(&dec, c->frame.data, c->frame.len, c->payload),
			  "frames.encoding \"%s\": the decoder does not give the payload back", c->description);
	}
}

static void test_frame_decoding(void)
{
	size_t s;
	size_t i;

	for (s = 0u; s < VEC_DECODING_SECTIONS_COUNT; s++) {
		const struct vec_frame_section *section = &vec_decoding_sections[s];
		size_t limit = section->max_frame_bytes != 0u ? section->max_frame_bytes : AGENT_FRAME_DECODER_BUF_LEN;
		struct agent_frame_decoder reused;

		agent_frame_decoder_init(&reused, decoder_buf, limit);
		for (i = 0u; i < section->cases_len; i++) {
			const struct vec_frame_decoding *c = &section->cases[i];
			struct agent_frame_decoder fresh;
			const uint8_t delimiter = AGENT_FRAME_DELIMITER;

			check_vector_case();
			memset(decoder_buf + limit, GUARD_BYTE, GUARD_LEN);
			agent_frame_decoder_init(&fresh, decoder_buf, limit);
			compare_results("byte by byte", c, feed(&fresh, c->stream.data, c->stream.len));
			CHECK_MSG(guard_intact(decoder_buf, limit), "frames.decoding \"%s\": the decoder wrote past its buffer",
				  c->description);
			/* The same stream through a decoder that has run every earlier case. */
			compare_results("after the earlier cases", c, feed(&reused, c->stream.data, c->stream.len));
			(void)feed(&reused, &delimiter, 1u);
		}
	}
}

static void test_limits(void)
{
	static uint8_t payload[AGENT_MAX_PAYLOAD_BYTES + 1u];
	struct agent_frame_result r;
	struct agent_frame_decoder dec;
	const size_t limit = 16u;
	size_t i;

	r = agent_frame_encode(guarded(), SCRATCH_LEN, payload, AGENT_MAX_PAYLOAD_BYTES + 1u);
	CHECK_MSG(r.status == AGENT_FRAME_PAYLOAD_TOO_LONG && r.out_len == 0u && guard_intact(scratch, 0u),
		  "encoding AGENT_MAX_PAYLOAD_BYTES + 1: %s", frame_status_name(r.status));
	r = agent_frame_encode(guarded(), 0u, payload, 0u);
	CHECK_MSG(r.status == AGENT_FRAME_DST_TOO_SMALL && guard_intact(scratch, 0u), "encoding into an empty dst: %s",
		  frame_status_name(r.status));

	memset(decoder_buf, GUARD_BYTE, sizeof(decoder_buf));
	agent_frame_decoder_init(&dec, decoder_buf, limit);
	for (i = 0u; i < 10u * limit; i++) {
		r = agent_frame_decoder_push(&dec, 0xaau);
		if (!CHECK_MSG(r.status == AGENT_FRAME_NEED_MORE && guard_intact(decoder_buf, limit),
			       "a frame ten times too long: byte %zu: %s, or a write past the buffer", i, frame_status_name(r.status))) {
			return;
		}
	}
	r = agent_frame_decoder_push(&dec, AGENT_FRAME_DELIMITER);
	CHECK_MSG(r.status == AGENT_FRAME_TOO_LONG, "a frame ten times too long: %s at its delimiter", frame_status_name(r.status));
}

static uint32_t next_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static void test_random_round_trip(void)
{
	static uint8_t payload[AGENT_MAX_PAYLOAD_BYTES];
	static uint8_t frame[AGENT_FRAME_WIRE_LEN_MAX(AGENT_MAX_PAYLOAD_BYTES)];
	static const uint32_t zero_one_in[] = { 2u, 8u, 256u, 1000000u };
	uint32_t state = 0x5eed1234u;
	struct agent_frame_decoder dec;
	unsigned int n;

	agent_frame_decoder_init(&dec, decoder_buf, AGENT_FRAME_DECODER_BUF_LEN);
	for (n = 0u; n < 2000u; n++) {
		size_t len = n % 10u == 0u ? AGENT_MAX_PAYLOAD_BYTES : next_random(&state) % (AGENT_MAX_PAYLOAD_BYTES + 1u);
		struct agent_frame_result r;
		struct vec_bytes want;
		size_t i;

		for (i = 0u; i < len; i++) {
			payload[i] = next_random(&state) % zero_one_in[n % 4u] == 0u ? 0u : (uint8_t)(1u + next_random(&state) % 255u);
		}
		r = agent_frame_encode(frame, sizeof(frame), payload, len);
		if (!CHECK_MSG(r.status == AGENT_FRAME_OK && memchr(frame, 0, r.out_len) == frame + r.out_len - 1u,
			       "random payload %u (%zu bytes): encode: %s", n, len, frame_status_name(r.status))) {
			continue;
		}
		want.data = payload;
		want.len = len;
		CHECK_MSG(decodes_to(&dec, frame, r.out_len, want), "random payload %u (%zu bytes): does not decode back", n, len);
	}
}

#define T(fn) { #fn, fn }

int main(void)
{
	static const struct check_test tests[] = {
		T(test_cobs_lengths), T(test_cobs_bytes), T(test_cobs_errors), T(test_crc), T(test_frame_lengths),
		T(test_frame_encoding), T(test_frame_decoding), T(test_limits), T(test_random_round_trip),
	};

	return check_run("framing-test", tests, sizeof(tests) / sizeof(tests[0]));
}
