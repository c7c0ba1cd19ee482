/*
 * Runs protocol/vectors/messages.json (via the generated messages.h) against the nanopb code the
 * agent uses: every case's bytes decode to exactly its packet (compared as canonical text,
 * rendered here from the decoded structs) and encode back to exactly its bytes; every
 * decodeErrors payload is rejected by nanopb and, framed and sent to an agent in session, is
 * counted as a decode error and ignored. Also checks the agent's own packet header encoding
 * against the pure-ack vector. Runs on tests/check.h; every vector case is counted.
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "check.h"
#include "messages.h"
#include "pb_common.h"
#include "test-wire.h"

/* ---------------------------------------------------------------- canonical text */

struct text {
	char buf[16384];
	size_t len;
	bool first;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1u > sizeof(t->buf)) {
		return;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void puts_(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

static void key(struct text *t, const char *k)
{
	if (!t->first) {
		puts_(t, ",");
	}
	t->first = false;
	puts_(t, "\"");
	puts_(t, k);
	puts_(t, "\":");
}

static void open_obj(struct text *t, const char *k)
{
	if (k != NULL) {
		key(t, k);
	}
	puts_(t, "{");
	t->first = true;
}

static void close_obj(struct text *t)
{
	puts_(t, "}");
	t->first = false;
}

/* A number field with explicit presence, under key @p k even when 0. */
static void present_u32(struct text *t, const char *k, uint32_t v)
{
	char num[16];

	key(t, k);
	snprintf(num, sizeof(num), "%u", v);
	puts_(t, num);
}

static void u32(struct text *t, const char *k, uint32_t v)
{
	if (v != 0u) {
		present_u32(t, k, v);
	}
}

static void s32(struct text *t, const char *k, int32_t v)
{
	char num[16];

	if (v != 0) {
		key(t, k);
		snprintf(num, sizeof(num), "%d", v);
		puts_(t, num);
	}
}

/* A JSON string as JSON.stringify writes it: only ", \ and control characters escaped. */
static void json_str(struct text *t, const char *s, size_t n)
{
	size_t i;

	puts_(t, "\"");
	for (i = 0u; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];

		switch (c) {
		case '"': puts_(t, "\\\""); break;
		case '\\': puts_(t, "\\\\"); break;
		case '\b': puts_(t, "\\b"); break;
		case '\f': puts_(t, "\\f"); break;
		case '\n': puts_(t, "\\n"); break;
		case '\r': puts_(t, "\\r"); break;
		case '\t': puts_(t, "\\t"); break;
		default:
			if (c < 0x20u) {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				puts_(t, esc);
			} else {
				put(t, (const char *)&s[i], 1u);
			}
		}
	}
	puts_(t, "\"");
}

static void str(struct text *t, const char *k, const char *s)
{
	if (s[0] != '\0') {
		key(t, k);
		json_str(t, s, strlen(s));
	}
}

static void b64(struct text *t, const char *k, const uint8_t *d, size_t n)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	if (n == 0u) {
		return;
	}
	key(t, k);
	puts_(t, "\"");
	for (i = 0u; i < n; i += 3u) {
		uint32_t v = (uint32_t)d[i] << 16 | (i + 1u < n ? (uint32_t)d[i + 1u] << 8 : 0u) |
			     (i + 2u < n ? (uint32_t)d[i + 2u] : 0u);
		char q[4];

		q[0] = alphabet[(v >> 18) & 63u];
		q[1] = alphabet[(v >> 12) & 63u];
		q[2] = i + 1u < n ? alphabet[(v >> 6) & 63u] : '=';
		q[3] = i + 2u < n ? alphabet[v & 63u] : '=';
		put(t, q, 4u);
	}
	puts_(t, "\"");
}

static void enum_name(struct text *t, const char *k, const char *const *names, size_t count, uint32_t v)
{
	char num[16];

	if (v == 0u) {
		return;
	}
	key(t, k);
	if (v < count) {
		json_str(t, names[v], strlen(names[v]));
	} else {
		snprintf(num, sizeof(num), "%u", v);
		puts_(t, num);
	}
}

static const char *const iodev_kinds[] = {
	"IODEV_KIND_UNSPECIFIED", "IODEV_KIND_I2C", "IODEV_KIND_SPI", "IODEV_KIND_GPIO", "IODEV_KIND_SENSOR",
	"IODEV_KIND_TEST",
};
static const char *const fault_kinds[] = {
	"FAULT_KIND_UNSPECIFIED", "FAULT_KIND_NACK", "FAULT_KIND_SHORT_READ", "FAULT_KIND_BUS_TIMEOUT", "FAULT_KIND_DELAY",
};

/* How a message renders: its fields' JSON names by tag, and its enum field's tag and value names (if any). */
struct names {
	const char *const *by_tag;
	size_t tags;
	pb_size_t enum_tag;
	const char *const *enum_values;
	size_t enum_count;
};

#define NAMES(by_tag) { by_tag, sizeof(by_tag) / sizeof(by_tag[0]), 0u, NULL, 0u }
#define NAMES_ENUM(by_tag, tag, values) \
	{ by_tag, sizeof(by_tag) / sizeof(by_tag[0]), tag, values, sizeof(values) / sizeof(values[0]) }

static const char *const iodev_desc_tags[] = { NULL, "id", "name", "kind", "bus", "address", "part", "capabilities" };
static const char *const hello_tags[] = { NULL, "protocolVersion", "hostNonce" };
static const char *const hello_reply_tags[] = { NULL, "protocolVersion", "buildId", "bootNonce", "maxFrameBytes", "window",
					       "maxSqes", "iodevs", "hostNonce", "maxBufferBytes" };
static const char *const sqe_tags[] = { NULL, "id", "op", "flags", "iodev", "iodevFlags", "prio", "tx", "len", "txRegion",
				       "timeoutUs", "delayUs", "i2cConfig", "txOffset", "rxRegion", "rxOffset" };
static const char *const region_tags[] = { NULL, "len", "init" };
static const char *const submit_tags[] = { NULL, "sqes", "regions" };
static const char *const cqe_tags[] = { NULL, "id", "result", "flags", "data", "startUs", "endUs" };
static const char *const complete_tags[] = { NULL, "cqes" };
static const char *const id_tags[] = { NULL, "id" };
static const char *const cancel_reply_tags[] = { NULL, "id", "result" };
static const char *const log_tags[] = { NULL, "level", "text" };
static const char *const no_tags[] = { NULL };
static const char *const inject_fault_tags[] = { NULL, "iodev", "kind", "atByte", "bytes", "delayUs", "count" };
static const char *const status_tags[] = { NULL, "result" };

static const struct names iodev_desc_names = NAMES_ENUM(iodev_desc_tags, 3u, iodev_kinds);
static const struct names sqe_names = NAMES(sqe_tags);
static const struct names region_names = NAMES(region_tags);
static const struct names cqe_names = NAMES(cqe_tags);

/* Renders callback field @p tag (its content lives in the tw_packet: @p ctx says where) under key @p k. */
typedef void (*content_fn)(struct text *t, const char *k, pb_size_t tag, const void *ctx);

/*
 * The fields of the decoded message @p msg in declaration order, each under its JSON name, zeros
 * left out as proto3's JSON does: numbers and enums from the message (nanopb's descriptor @p desc
 * says where they are), callback fields (bytes, strings, lists) by @p content.
 */
static void fields(struct text *t, const pb_msgdesc_t *desc, const void *msg, const struct names *n, content_fn content,
		   const void *ctx)
{
	pb_field_iter_t it;

	if (!pb_field_iter_begin_const(&it, desc, msg)) {
		return;
	}
	do {
		const char *k = it.tag < n->tags ? n->by_tag[it.tag] : NULL;
		uint32_t v = 0u;

		if (k == NULL) {
			continue;
		}
		if (PB_ATYPE(it.type) == PB_ATYPE_CALLBACK) {
			content(t, k, it.tag, ctx);
			continue;
		}
		CHECK_MSG(it.data_size == sizeof(v), "field %s: %u bytes, not a 32-bit number", k, (unsigned)it.data_size);
		memcpy(&v, it.pData, sizeof(v));
		if (PB_HTYPE(it.type) == PB_HTYPE_OPTIONAL && it.pSize != NULL) {
			/* proto3 `optional` (Cqe.start_us, end_us): present even when 0 */
			if (*(const bool *)it.pSize) {
				present_u32(t, k, v);
			}
		} else if (it.tag == n->enum_tag) {
			enum_name(t, k, n->enum_values, n->enum_count, v);
		} else if (PB_LTYPE(it.type) == PB_LTYPE_SVARINT) {
			s32(t, k, (int32_t)v);
		} else {
			u32(t, k, v);
		}
	} while (pb_field_iter_next(&it));
}

/* An array under key @p k of @p n elements (left out when empty), each from @p item. */
static void array(struct text *t, const char *k, uint32_t n, void (*item)(struct text *t, const void *list, uint32_t i),
		  const void *list)
{
	uint32_t i;

	if (n == 0u) {
		return;
	}
	key(t, k);
	puts_(t, "[");
	for (i = 0u; i < n; i++) {
		if (i > 0u) {
			puts_(t, ",");
		}
		item(t, list, i);
	}
	puts_(t, "]");
	t->first = false;
}

/* A message with one bytes field kept in the packet's pool (Sqe.tx, Region.init, Cqe.data). */
struct with_bytes {
	const struct tw_packet *pk;
	struct tw_slice bytes;
};

static void bytes_content(struct text *t, const char *k, pb_size_t tag, const void *ctx)
{
	const struct with_bytes *w = ctx;

	(void)tag;
	b64(t, k, tw_bytes(w->pk, w->bytes), w->bytes.len);
}

/* Element @p i of a list of messages with a bytes field: @p m, described by @p desc and @p n. */
static void object_with_bytes(struct text *t, const struct tw_packet *pk, const pb_msgdesc_t *desc, const void *m,
			      const struct names *n, struct tw_slice bytes)
{
	const struct with_bytes w = { pk, bytes };

	open_obj(t, NULL);
	fields(t, desc, m, n, bytes_content, &w);
	close_obj(t);
}

static void sqe(struct text *t, const void *list, uint32_t i)
{
	const struct tw_sqe *s = &((const struct tw_packet *)list)->sqes[i];

	object_with_bytes(t, list, rtiohil_Sqe_fields, &s->m, &sqe_names, s->tx);
}

static void region(struct text *t, const void *list, uint32_t i)
{
	const struct tw_region *g = &((const struct tw_packet *)list)->regions[i];

	object_with_bytes(t, list, rtiohil_Region_fields, &g->m, &region_names, g->init);
}

static void cqe(struct text *t, const void *list, uint32_t i)
{
	const struct tw_cqe *c = &((const struct tw_packet *)list)->cqes[i];

	object_with_bytes(t, list, rtiohil_Cqe_fields, &c->m, &cqe_names, c->data);
}

static void capability(struct text *t, const void *list, uint32_t i)
{
	const struct tw_iodev *d = list;

	json_str(t, d->caps[i], strlen(d->caps[i]));
}

static void iodev_content(struct text *t, const char *k, pb_size_t tag, const void *ctx)
{
	const struct tw_iodev *d = ctx;

	switch (tag) {
	case 2u:
		str(t, k, d->name);
		break;
	case 4u:
		str(t, k, d->bus);
		break;
	case 6u:
		str(t, k, d->part);
		break;
	default:
		array(t, k, d->n_caps, capability, d);
		break;
	}
}

static void iodev(struct text *t, const void *list, uint32_t i)
{
	const struct tw_iodev *d = &((const struct tw_packet *)list)->iodevs[i];

	open_obj(t, NULL);
	fields(t, rtiohil_IodevDesc_fields, &d->m, &iodev_desc_names, iodev_content, d);
	close_obj(t);
}

/* The callback fields of a Packet's body, which the tw_packet @p ctx holds. */
static void body_content(struct text *t, const char *k, pb_size_t tag, const void *ctx)
{
	const struct tw_packet *pk = ctx;

	switch (pk->p.which_body) {
	case rtiohil_Packet_hello_reply_tag:
		if (tag == 2u) {
			str(t, k, pk->build_id);
		} else {
			array(t, k, pk->n_iodevs, iodev, pk);
		}
		break;
	case rtiohil_Packet_submit_tag:
		if (tag == 1u) {
			array(t, k, pk->n_sqes, sqe, pk);
		} else {
			array(t, k, pk->n_regions, region, pk);
		}
		break;
	case rtiohil_Packet_complete_tag:
		array(t, k, pk->n_cqes, cqe, pk);
		break;
	case rtiohil_Packet_log_tag:
		str(t, k, pk->log_text);
		break;
	default:
		break;
	}
}

/* A body of Packet: its tag, its JSON name, its message. */
struct body {
	pb_size_t tag;
	const char *key;
	const pb_msgdesc_t *desc;
	struct names names;
};

static const struct body bodies[] = {
	{ rtiohil_Packet_hello_tag, "hello", rtiohil_Hello_fields, NAMES(hello_tags) },
	{ rtiohil_Packet_hello_reply_tag, "helloReply", rtiohil_HelloReply_fields, NAMES(hello_reply_tags) },
	{ rtiohil_Packet_submit_tag, "submit", rtiohil_Submit_fields, NAMES(submit_tags) },
	{ rtiohil_Packet_complete_tag, "complete", rtiohil_Complete_fields, NAMES(complete_tags) },
	{ rtiohil_Packet_cancel_tag, "cancel", rtiohil_Cancel_fields, NAMES(id_tags) },
	{ rtiohil_Packet_cancel_reply_tag, "cancelReply", rtiohil_CancelReply_fields, NAMES(cancel_reply_tags) },
	{ rtiohil_Packet_signal_tag, "signal", rtiohil_Signal_fields, NAMES(id_tags) },
	{ rtiohil_Packet_log_tag, "log", rtiohil_Log_fields, NAMES(log_tags) },
	{ rtiohil_Packet_reset_tag, "reset", rtiohil_Reset_fields, NAMES(no_tags) },
	{ rtiohil_Packet_inject_fault_tag, "injectFault", rtiohil_InjectFault_fields, NAMES_ENUM(inject_fault_tags, 2u, fault_kinds) },
	{ rtiohil_Packet_clear_faults_tag, "clearFaults", rtiohil_ClearFaults_fields, NAMES(no_tags) },
	{ rtiohil_Packet_status_tag, "status", rtiohil_Status_fields, NAMES(status_tags) },
};

/* @p pk as the vectors' canonical text: JSON with proto3's JSON names, zeros left out. */
static void render(const struct tw_packet *pk, struct text *t)
{
	size_t i;

	t->len = 0u;
	t->buf[0] = '\0';
	open_obj(t, NULL);
	u32(t, "seq", pk->p.seq);
	u32(t, "ack", pk->p.ack);
	for (i = 0u; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		if (bodies[i].tag == pk->p.which_body) {
			open_obj(t, bodies[i].key);
			fields(t, bodies[i].desc, &pk->p.body, &bodies[i].names, body_content, pk);
			close_obj(t);
		}
	}
	if (pk->p.rej) {
		key(t, "rej");
		puts_(t, "true");
		t->first = false;
	}
	close_obj(t);
}

/* ---------------------------------------------------------------- an agent to feed */

static struct agent agent;
static uint8_t agent_out[1u << 16];
static size_t agent_out_len;

static void agent_write(void *ctx, const uint8_t *data, size_t len)
{
	(void)ctx;
	if (agent_out_len + len <= sizeof(agent_out)) {
		memcpy(agent_out + agent_out_len, data, len);
		agent_out_len += len;
	}
}

static uint64_t agent_now(void *ctx)
{
	(void)ctx;
	return 0u;
}

static void feed(const uint8_t *payload, size_t len)
{
	uint8_t wire[AGENT_FRAME_WIRE_LEN_MAX(256u)];
	size_t n = tw_frame(payload, len, wire, sizeof(wire));
	size_t i;

	for (i = 0u; i < n; i++) {
		agent_rx_byte(&agent, wire[i]);
	}
}

/* The payload of the last frame the agent wrote. */
static size_t last_payload(uint8_t *dst, size_t cap)
{
	static uint8_t buf[AGENT_FRAME_DECODER_BUF_LEN];
	struct agent_frame_decoder dec;
	size_t out = 0u;
	size_t i;

	agent_frame_decoder_init(&dec, buf, sizeof(buf));
	for (i = 0u; i < agent_out_len; i++) {
		struct agent_frame_result r = agent_frame_decoder_push(&dec, agent_out[i]);

		if (r.status == AGENT_FRAME_OK && r.out_len <= cap) {
			memcpy(dst, buf, r.out_len);
			out = r.out_len;
		}
	}
	return out;
}

static void start_agent(void)
{
	static const uint8_t hello[] = { 0x1a, 0x02, 0x08, (uint8_t)AGENT_PROTOCOL_VERSION }; /* Hello { protocol_version } */
	struct agent_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.write = agent_write;
	cfg.now_us = agent_now;
	cfg.boot_nonce = 1u;
	CHECK_MSG(agent_init(&agent, &cfg) == 0, "agent_init failed");
	feed(hello, sizeof(hello));
	agent_out_len = 0u;
}

/* ---------------------------------------------------------------- main */

static struct tw_packet pk;
static struct text text;
static uint8_t encoded[4096];

/* Every case's bytes decode to its packet and encode back to its bytes. */
static void test_cases(void)
{
	static const uint8_t none[1];
	size_t i;

	for (i = 0u; i < MSG_CASE_COUNT; i++) {
		const struct msg_case *c = &msg_cases[i];
		size_t n;

		check_vector_case();
		if (!CHECK_MSG(tw_decode(c->bytes != NULL ? c->bytes : none, c->len, &pk), "case \"%s\": nanopb cannot decode it",
			       c->description)) {
			continue;
		}
		render(&pk, &text);
		CHECK_MSG(strcmp(text.buf, c->canonical) == 0, "case \"%s\": decoded as\n  %s\nexpected\n  %s", c->description,
			  text.buf, c->canonical);
		n = tw_encode(&pk, encoded, sizeof(encoded));
		CHECK_MSG(n == c->len && (n == 0u || memcmp(encoded, c->bytes, n) == 0),
			  "case \"%s\": encodes to %zu other bytes (expected %zu)", c->description, n, c->len);
	}
}

/* Every decodeErrors payload is rejected by nanopb, and counted and dropped by an agent in session. */
static void test_decode_errors(void)
{
	size_t i;

	start_agent();
	for (i = 0u; i < MSG_ERROR_COUNT; i++) {
		const struct msg_error *e = &msg_errors[i];
		struct agent_stats before;
		struct agent_stats after;

		check_vector_case();
		CHECK_MSG(!tw_decode(e->bytes, e->len, &pk), "decodeErrors \"%s\": nanopb accepts it", e->description);
		agent_get_stats(&agent, &before);
		agent_out_len = 0u;
		feed(e->bytes, e->len);
		agent_get_stats(&agent, &after);
		CHECK_MSG(after.decode_errors == before.decode_errors + 1u && agent_out_len == 0u,
			  "decodeErrors \"%s\": the agent did not count and drop it (decode_errors %u, wrote %zu bytes)",
			  e->description, after.decode_errors - before.decode_errors, agent_out_len);
	}
}

/* The agent's own encoding of a pure ack with ack 300 is the vector's. */
static void test_pure_ack(void)
{
	uint8_t payload[64];
	size_t n;
	size_t i;

	start_agent();
	for (i = 1u; i <= 300u; i++) {
		uint8_t empty_seq[8];
		size_t k = 0u;
		uint32_t v = (uint32_t)i;

		empty_seq[k++] = 0x08u; /* seq, no body */
		while (v >= 0x80u) {
			empty_seq[k++] = (uint8_t)(v | 0x80u);
			v >>= 7;
		}
		empty_seq[k++] = (uint8_t)v;
		feed(empty_seq, k);
	}
	n = last_payload(payload, sizeof(payload));
	for (i = 0u; i < MSG_CASE_COUNT; i++) {
		if (strcmp(msg_cases[i].canonical, "{\"ack\":300}") == 0) {
			CHECK_MSG(n == msg_cases[i].len && memcmp(payload, msg_cases[i].bytes, n) == 0,
				  "the agent's pure ack for 300 is %zu other bytes", n);
			return;
		}
	}
	CHECK_MSG(i < MSG_CASE_COUNT, "no pure-ack vector (ack 300) in messages.json");
}

#define T(fn) { #fn, fn }

int main(void)
{
	static const struct check_test tests[] = { T(test_cases), T(test_decode_errors), T(test_pure_ack) };

	return check_run("messages-test", tests, sizeof(tests) / sizeof(tests[0]));
}
