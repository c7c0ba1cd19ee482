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

/* An array under key @p k: open_array, then array_item before each element, then close_array. */
static void open_array(struct text *t, const char *k)
{
	key(t, k);
	puts_(t, "[");
}

static void array_item(struct text *t, uint32_t i)
{
	if (i > 0u) {
		puts_(t, ",");
	}
}

static void close_array(struct text *t)
{
	puts_(t, "]");
	t->first = false;
}

static void u32(struct text *t, const char *k, uint32_t v)
{
	char num[16];

	if (v != 0u) {
		key(t, k);
		snprintf(num, sizeof(num), "%u", v);
		puts_(t, num);
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

static void render(const struct tw_packet *pk, struct text *t)
{
	const rtiohil_Packet *p = &pk->p;
	uint32_t i;
	uint32_t j;

	t->len = 0u;
	t->buf[0] = '\0';
	open_obj(t, NULL);
	u32(t, "seq", p->seq);
	u32(t, "ack", p->ack);
	switch (p->which_body) {
	case rtiohil_Packet_hello_tag:
		open_obj(t, "hello");
		u32(t, "protocolVersion", p->body.hello.protocol_version);
		u32(t, "hostNonce", p->body.hello.host_nonce);
		close_obj(t);
		break;
	case rtiohil_Packet_hello_reply_tag: {
		const rtiohil_HelloReply *h = &p->body.hello_reply;

		open_obj(t, "helloReply");
		u32(t, "protocolVersion", h->protocol_version);
		str(t, "buildId", pk->build_id);
		u32(t, "bootNonce", h->boot_nonce);
		u32(t, "maxFrameBytes", h->max_frame_bytes);
		u32(t, "window", h->window);
		u32(t, "maxSqes", h->max_sqes);
		if (pk->n_iodevs > 0u) {
			open_array(t, "iodevs");
			for (i = 0u; i < pk->n_iodevs; i++) {
				const struct tw_iodev *d = &pk->iodevs[i];

				array_item(t, i);
				open_obj(t, NULL);
				u32(t, "id", d->m.id);
				str(t, "name", d->name);
				enum_name(t, "kind", iodev_kinds, 6u, (uint32_t)d->m.kind);
				str(t, "bus", d->bus);
				u32(t, "address", d->m.address);
				str(t, "part", d->part);
				if (d->n_caps > 0u) {
					open_array(t, "capabilities");
					for (j = 0u; j < d->n_caps; j++) {
						array_item(t, j);
						json_str(t, d->caps[j], strlen(d->caps[j]));
					}
					close_array(t);
				}
				close_obj(t);
			}
			close_array(t);
		}
		u32(t, "hostNonce", h->host_nonce);
		u32(t, "maxBufferBytes", h->max_buffer_bytes);
		close_obj(t);
		break;
	}
	case rtiohil_Packet_submit_tag:
		open_obj(t, "submit");
		if (pk->n_sqes > 0u) {
			open_array(t, "sqes");
			for (i = 0u; i < pk->n_sqes; i++) {
				const rtiohil_Sqe *s = &pk->sqes[i].m;

				array_item(t, i);
				open_obj(t, NULL);
				u32(t, "id", s->id);
				u32(t, "op", s->op);
				u32(t, "flags", s->flags);
				u32(t, "iodev", s->iodev);
				u32(t, "iodevFlags", s->iodev_flags);
				u32(t, "prio", s->prio);
				b64(t, "tx", tw_bytes(pk, pk->sqes[i].tx_off), pk->sqes[i].tx_len);
				u32(t, "len", s->len);
				u32(t, "txRegion", s->tx_region);
				u32(t, "timeoutUs", s->timeout_us);
				u32(t, "delayUs", s->delay_us);
				u32(t, "i2cConfig", s->i2c_config);
				u32(t, "txOffset", s->tx_offset);
				u32(t, "rxRegion", s->rx_region);
				u32(t, "rxOffset", s->rx_offset);
				close_obj(t);
			}
			close_array(t);
		}
		if (pk->n_regions > 0u) {
			open_array(t, "regions");
			for (i = 0u; i < pk->n_regions; i++) {
				array_item(t, i);
				open_obj(t, NULL);
				u32(t, "len", pk->regions[i].m.len);
				b64(t, "init", tw_bytes(pk, pk->regions[i].init_off), pk->regions[i].init_len);
				close_obj(t);
			}
			close_array(t);
		}
		close_obj(t);
		break;
	case rtiohil_Packet_complete_tag:
		open_obj(t, "complete");
		if (pk->n_cqes > 0u) {
			open_array(t, "cqes");
			for (i = 0u; i < pk->n_cqes; i++) {
				const rtiohil_Cqe *c = &pk->cqes[i].m;

				array_item(t, i);
				open_obj(t, NULL);
				u32(t, "id", c->id);
				s32(t, "result", c->result);
				u32(t, "flags", c->flags);
				b64(t, "data", tw_bytes(pk, pk->cqes[i].data_off), pk->cqes[i].data_len);
				close_obj(t);
			}
			close_array(t);
		}
		close_obj(t);
		break;
	case rtiohil_Packet_cancel_tag:
		open_obj(t, "cancel");
		u32(t, "id", p->body.cancel.id);
		close_obj(t);
		break;
	case rtiohil_Packet_cancel_reply_tag:
		open_obj(t, "cancelReply");
		u32(t, "id", p->body.cancel_reply.id);
		s32(t, "result", p->body.cancel_reply.result);
		close_obj(t);
		break;
	case rtiohil_Packet_signal_tag:
		open_obj(t, "signal");
		u32(t, "id", p->body.signal.id);
		close_obj(t);
		break;
	case rtiohil_Packet_log_tag:
		open_obj(t, "log");
		u32(t, "level", p->body.log.level);
		str(t, "text", pk->log_text);
		close_obj(t);
		break;
	case rtiohil_Packet_reset_tag:
		open_obj(t, "reset");
		close_obj(t);
		break;
	case rtiohil_Packet_inject_fault_tag: {
		const rtiohil_InjectFault *f = &p->body.inject_fault;

		open_obj(t, "injectFault");
		u32(t, "iodev", f->iodev);
		enum_name(t, "kind", fault_kinds, 5u, (uint32_t)f->kind);
		u32(t, "atByte", f->at_byte);
		u32(t, "bytes", f->bytes);
		u32(t, "delayUs", f->delay_us);
		u32(t, "count", f->count);
		close_obj(t);
		break;
	}
	case rtiohil_Packet_clear_faults_tag:
		open_obj(t, "clearFaults");
		close_obj(t);
		break;
	case rtiohil_Packet_status_tag:
		open_obj(t, "status");
		s32(t, "result", p->body.status.result);
		close_obj(t);
		break;
	default:
		break;
	}
	if (p->rej) {
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
