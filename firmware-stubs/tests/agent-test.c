/*
 * The agent fed packets byte by byte, as a host would over a serial line: every case encodes
 * host packets with nanopb, frames them, pushes the bytes one at a time through
 * agent_rx_byte(), drives time with agent_poll(), and decodes every frame the agent writes.
 * The iodevs are unit-test fakes (below), scripted per SQE through iodev_flags or driven by
 * hand. Runs on tests/check.h.
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "check.h"
#include "test-wire.h"

/* ---------------------------------------------------------------- the fake iodev */

/* iodev_flags script of the fake: */
#define FAKE_ERRNO(e) ((uint32_t)(e) & 0xffu)          /* fail the member with -e */
#define FAKE_HANG (1u << 8)                            /* never complete by itself */
#define FAKE_SHORT(n) ((((uint32_t)(n) & 0xffu) << 16) | (1u << 24)) /* an RX moves n bytes */
#define FAKE_POOL_LEN 16u                              /* bytes a mempool RX reads */
#define FAKE_PATTERN 0xa5u                             /* RX byte i is FAKE_PATTERN + i */

struct fake {
	struct agent_iodev dev;
	struct agent_sqe *queue[128];
	size_t n;
	unsigned int submits;
	unsigned int dropped;
	bool manual;         /* poll completes nothing: the test does */
	bool refuse_cancel;  /* the cancel hook never drops anything */
	bool drop_queued;    /* the cancel hook also drops units that are not hanging */
	bool paced;          /* poll runs one unit per new now_us (a device with a data rate) */
	uint64_t last_run_us;
	uint8_t tx_seen[AGENT_MAX_BUFFER_BYTES];
	uint32_t tx_seen_len;
};

static bool fake_hanging(const struct agent_sqe *head)
{
	const struct agent_sqe *m;

	for (m = head; m != NULL; m = agent_txn_next(m)) {
		if ((m->iodev_flags & FAKE_HANG) != 0u) {
			return true;
		}
		if (m->op == AGENT_OP_AWAIT && !agent_sqe_signaled(m)) {
			return true;
		}
	}
	return false;
}

static int32_t fake_member(struct fake *f, struct agent_sqe *m)
{
	uint8_t *buf;
	uint32_t len;
	uint32_t i;
	uint32_t n;

	switch (m->op) {
	case AGENT_OP_NOP:
	case AGENT_OP_AWAIT:
		return 0;
	case AGENT_OP_TX:
	case AGENT_OP_TINY_TX:
		memcpy(f->tx_seen, m->buf, m->buf_len);
		f->tx_seen_len = m->buf_len;
		return (int32_t)m->buf_len;
	case AGENT_OP_TXRX:
		memcpy(f->tx_seen, m->buf, m->buf_len);
		f->tx_seen_len = m->buf_len;
		memcpy(m->rx_buf, m->buf, m->buf_len);
		return (int32_t)m->buf_len;
	case AGENT_OP_RX:
		len = (m->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u ? FAKE_POOL_LEN : m->buf_len;
		if (agent_sqe_rx_buf(m, len, len, &buf, &len) != 0) {
			return -AGENT_ENOMEM;
		}
		n = (m->iodev_flags & (1u << 24)) != 0u ? ((m->iodev_flags >> 16) & 0xffu) : len;
		for (i = 0u; i < n; i++) {
			buf[i] = (uint8_t)(FAKE_PATTERN + i);
		}
		return (int32_t)n;
	default:
		return -AGENT_ENOTSUP;
	}
}

/* Runs the unit headed by @p head to its end, as a driver's poll() would. */
static void fake_run(struct fake *f, struct agent_sqe *head)
{
	struct agent_sqe *m;
	int32_t head_result = 0;

	for (m = head; m != NULL; m = agent_txn_next(m)) {
		int32_t r;

		if ((m->iodev_flags & 0xffu) != 0u) {
			agent_sqe_err(m, -(int32_t)(m->iodev_flags & 0xffu));
			return;
		}
		r = fake_member(f, m);
		if (r < 0) {
			agent_sqe_err(m, r);
			return;
		}
		if (m == head) {
			head_result = r;
		}
		agent_txn_set_result(m, r);
	}
	agent_sqe_ok(head, head_result);
}

static struct agent_sqe *fake_pop(struct fake *f)
{
	struct agent_sqe *head = f->queue[0];

	memmove(f->queue, f->queue + 1, (f->n - 1u) * sizeof(f->queue[0]));
	f->n--;
	return head;
}

static void fake_submit(struct agent_iodev *dev, struct agent_sqe *sqe)
{
	struct fake *f = dev->data;

	f->submits++;
	if (f->n < sizeof(f->queue) / sizeof(f->queue[0])) {
		f->queue[f->n++] = sqe;
	}
}

static bool fake_cancel(struct agent_iodev *dev, struct agent_sqe *sqe)
{
	struct fake *f = dev->data;
	size_t i;

	if (f->refuse_cancel) {
		return false;
	}
	for (i = 0u; i < f->n; i++) {
		if (f->queue[i] == sqe && (f->drop_queued || fake_hanging(sqe))) {
			memmove(f->queue + i, f->queue + i + 1u, (f->n - i - 1u) * sizeof(f->queue[0]));
			f->n--;
			f->dropped++;
			return true;
		}
	}
	return false;
}

static void fake_poll(struct agent_iodev *dev, uint64_t now_us)
{
	struct fake *f = dev->data;
	size_t todo = f->n;

	if (f->manual || (f->paced && now_us == f->last_run_us)) {
		return;
	}
	if (f->paced) {
		f->last_run_us = now_us;
		todo = 1u;
	}
	/* Only the units present now: a multishot re-arms itself from inside fake_run(). */
	while (todo-- > 0u && f->n > 0u && !fake_hanging(f->queue[0])) {
		fake_run(f, fake_pop(f));
	}
}

static uint64_t fake_next_due(const struct agent_iodev *dev)
{
	const struct fake *f = dev->data;

	if (f->manual || f->n == 0u || fake_hanging(f->queue[0])) {
		return AGENT_NEVER;
	}
	return f->paced ? f->last_run_us + 1u : 0u;
}

static const struct agent_iodev_api fake_api = {
	.submit = fake_submit,
	.cancel = fake_cancel,
	.poll = fake_poll,
	.next_due_us = fake_next_due,
};
static const char *const fake_caps[] = { "transaction", "multishot", "await", NULL };

/* Completes the oldest unit of @p f by hand (agent_sqe_ok with @p result, or err when < 0). */
static void fake_complete(struct fake *f, int32_t result)
{
	struct agent_sqe *head;

	if (f->n == 0u) {
		return;
	}
	head = fake_pop(f);
	if (result < 0) {
		agent_sqe_err(head, result);
	} else {
		agent_sqe_ok(head, result);
	}
}

/* ---------------------------------------------------------------- the host */

#define OUT_CAP (1u << 20)
#define MAX_CQES 4096u

struct rec_cqe {
	uint32_t id;
	int32_t result;
	uint32_t flags;
	uint32_t len;
	uint32_t seq;
	uint8_t data[AGENT_MAX_BUFFER_BYTES];
};

struct host {
	uint8_t out[OUT_CAP];
	size_t out_len;
	size_t out_parsed;
	struct agent_frame_decoder dec;
	uint8_t dec_buf[AGENT_FRAME_DECODER_BUF_LEN];
	uint64_t now;
	uint32_t tx_seq;        /* last seq the host sent */
	uint32_t rx_seq;        /* highest agent seq received in order */
	bool auto_ack;          /* answer new agent packets with a pure ack */
	bool withhold;          /* send ack_value instead of rx_seq */
	uint32_t ack_value;
	unsigned int reset_calls;
	struct rec_cqe cqes[MAX_CQES];
	size_t n_cqes;
	uint32_t cancel_ids[64];
	int32_t cancel_results[64];
	size_t n_cancel;
	int32_t statuses[64];
	size_t n_status;
	char logs[16][TW_STR * 2u];
	uint32_t log_levels[16];
	size_t n_logs;
	struct tw_packet hello;
	bool have_hello;
	unsigned int frames;
	unsigned int complete_packets;
	unsigned int pure_acks;
	unsigned int dup_packets;
	unsigned int gap_packets;
	unsigned int bad_frames;
	uint32_t last_ack;
	bool last_rej;
};

static struct host h;
static struct agent agent;
static struct tw_packet pk;      /* host packet being built */
static struct tw_packet rx_pk;   /* agent packet being decoded */
static struct tw_packet ack_pk;  /* the host's pure acks */
static struct fake fakes[2];
static struct agent_iodev *table[2];
static uint8_t payload[AGENT_MAX_PAYLOAD_BYTES * 2u];
static uint32_t ack_delay_us; /* agent_config.ack_delay_us of the next setup */
static uint8_t wire[AGENT_FRAME_WIRE_LEN_MAX(AGENT_MAX_PAYLOAD_BYTES * 2u)];

/* Appends to pk an RX of @p len bytes on @p iodev (a fake) scripted by @p script (FAKE_*; 0: as asked). */
static rtiohil_Sqe *add_rx(uint32_t id, uint32_t flags, uint32_t iodev, uint32_t len, uint32_t script)
{
	rtiohil_Sqe *q = tw_add_sqe(&pk, id, AGENT_OP_RX, flags, iodev);

	q->len = len;
	q->iodev_flags = script;
	return q;
}

/* Appends to pk a DELAY of @p us. */
static void add_delay(uint32_t id, uint32_t flags, uint32_t us)
{
	tw_add_sqe(&pk, id, AGENT_OP_DELAY, flags, 0u)->delay_us = us;
}

static void host_write(void *ctx, const uint8_t *data, size_t len)
{
	(void)ctx;
	if (h.out_len + len > OUT_CAP) {
		CHECK_MSG(h.out_len + len <= OUT_CAP, "the agent wrote more than %u bytes", OUT_CAP);
		return;
	}
	memcpy(h.out + h.out_len, data, len);
	h.out_len += len;
}

static uint64_t host_now(void *ctx)
{
	(void)ctx;
	return h.now;
}

static void host_reset_hook(void *ctx)
{
	(void)ctx;
	h.reset_calls++;
}

static void record(const struct tw_packet *p)
{
	uint32_t i;

	switch (p->p.which_body) {
	case rtiohil_Packet_complete_tag:
		h.complete_packets++;
		for (i = 0u; i < p->n_cqes && h.n_cqes < MAX_CQES; i++) {
			struct rec_cqe *c = &h.cqes[h.n_cqes++];

			c->id = p->cqes[i].m.id;
			c->result = p->cqes[i].m.result;
			c->flags = p->cqes[i].m.flags;
			c->len = p->cqes[i].data.len;
			c->seq = p->p.seq;
			if (c->len > sizeof(c->data)) {
				c->len = sizeof(c->data);
			}
			memcpy(c->data, tw_bytes(p, p->cqes[i].data), c->len);
		}
		break;
	case rtiohil_Packet_cancel_reply_tag:
		h.cancel_ids[h.n_cancel] = p->p.body.cancel_reply.id;
		h.cancel_results[h.n_cancel++] = p->p.body.cancel_reply.result;
		break;
	case rtiohil_Packet_status_tag:
		h.statuses[h.n_status++] = p->p.body.status.result;
		break;
	case rtiohil_Packet_log_tag:
		h.log_levels[h.n_logs] = p->p.body.log.level;
		snprintf(h.logs[h.n_logs++], sizeof(h.logs[0]), "%s", p->log_text);
		break;
	default:
		break;
	}
}

static void host_feed(const struct tw_packet *p);

/* Decodes every frame the agent wrote since the last call; acks when asked to. */
static void host_parse(void)
{
	for (;;) {
		uint32_t before = h.rx_seq;

		while (h.out_parsed < h.out_len) {
			struct agent_frame_result r = agent_frame_decoder_push(&h.dec, h.out[h.out_parsed++]);

			if (r.status == AGENT_FRAME_NEED_MORE) {
				continue;
			}
			if (r.status != AGENT_FRAME_OK || !tw_decode(h.dec_buf, r.out_len, &rx_pk)) {
				h.bad_frames++;
				continue;
			}
			h.frames++;
			h.last_ack = rx_pk.p.ack;
			h.last_rej = rx_pk.p.rej;
			if (rx_pk.p.seq == 0u) {
				if (rx_pk.p.which_body == rtiohil_Packet_hello_reply_tag) {
					h.hello = rx_pk;
					h.have_hello = true;
				} else if (rx_pk.p.which_body == 0u) {
					h.pure_acks++;
				}
				continue;
			}
			if (rx_pk.p.seq == h.rx_seq + 1u) {
				h.rx_seq = rx_pk.p.seq;
				record(&rx_pk);
			} else if (rx_pk.p.seq <= h.rx_seq) {
				h.dup_packets++;
			} else {
				h.gap_packets++;
			}
		}
		if (!h.auto_ack || h.withhold || h.rx_seq == before) {
			return;
		}
		tw_init(&ack_pk);
		ack_pk.p.ack = h.rx_seq;
		host_feed(&ack_pk); /* a pure ack; the agent may send more now */
	}
}

/* Encodes, frames and feeds @p p to the agent one byte at a time (seq and ack as set). */
static void host_feed(const struct tw_packet *p)
{
	size_t n = tw_encode(p, payload, sizeof(payload));
	size_t w;
	size_t i;

	CHECK_MSG(n > 0u || p->p.which_body == 0u, "the test could not encode its packet");
	w = tw_frame(payload, n, wire, sizeof(wire));
	CHECK_MSG(w > 0u, "the test could not frame its packet");
	for (i = 0u; i < w; i++) {
		agent_rx_byte(&agent, wire[i]);
	}
}

static void host_send_raw(const uint8_t *bytes, size_t len)
{
	size_t i;

	for (i = 0u; i < len; i++) {
		agent_rx_byte(&agent, bytes[i]);
	}
	host_parse();
}

static uint32_t host_ack(void)
{
	return h.withhold ? h.ack_value : h.rx_seq;
}

/* Sends @p p as the next sequenced packet. */
static void host_send(struct tw_packet *p)
{
	p->p.seq = ++h.tx_seq;
	p->p.ack = host_ack();
	host_feed(p);
	host_parse();
}

/* Sends @p p with a given seq (duplicates, gaps). */
static void host_send_seq(struct tw_packet *p, uint32_t seq)
{
	p->p.seq = seq;
	p->p.ack = host_ack();
	host_feed(p);
	host_parse();
}

static void host_hello(uint32_t version, uint32_t nonce)
{
	tw_init(&pk);
	pk.p.which_body = rtiohil_Packet_hello_tag;
	pk.p.body.hello.protocol_version = version;
	pk.p.body.hello.host_nonce = nonce;
	h.tx_seq = 0u;
	h.rx_seq = 0u;
	h.have_hello = false;
	host_feed(&pk);
	host_parse();
}

static void host_poll(uint64_t advance_us)
{
	h.now += advance_us;
	agent_poll(&agent, h.now);
	host_parse();
}

/* Checks that the agent's next due time is @p us from now, then polls to one µs before it. */
static void poll_to_just_before_due(uint64_t us)
{
	CHECK_MSG(agent_next_due_us(&agent) == h.now + us, "next due %llu, now %llu",
		  (unsigned long long)agent_next_due_us(&agent), (unsigned long long)h.now);
	host_poll(us - 1u);
}

/* Polls until the agent has nothing due now (bounded). */
static void host_settle(void)
{
	int i;

	for (i = 0; i < 64 && agent_next_due_us(&agent) <= h.now; i++) {
		host_poll(0u);
	}
}

/* Sends @p p as the next sequenced packet and lets the agent run until nothing is due. */
static void host_run(struct tw_packet *p)
{
	host_send(p);
	host_settle();
}

static void host_cancel(uint32_t id)
{
	tw_init(&pk);
	pk.p.which_body = rtiohil_Packet_cancel_tag;
	pk.p.body.cancel.id = id;
	host_send(&pk);
}

static void host_signal(uint32_t id)
{
	tw_init(&pk);
	pk.p.which_body = rtiohil_Packet_signal_tag;
	pk.p.body.signal.id = id;
	host_send(&pk);
}

static const struct rec_cqe *cqe_of(uint32_t id)
{
	size_t i;

	for (i = 0u; i < h.n_cqes; i++) {
		if (h.cqes[i].id == id) {
			return &h.cqes[i];
		}
	}
	return NULL;
}

static unsigned int cqes_of(uint32_t id)
{
	unsigned int n = 0u;
	size_t i;

	for (i = 0u; i < h.n_cqes; i++) {
		n += h.cqes[i].id == id;
	}
	return n;
}

/* Index of the CQE of @p id in arrival order, or -1. */
static int order_of(uint32_t id)
{
	size_t i;

	for (i = 0u; i < h.n_cqes; i++) {
		if (h.cqes[i].id == id) {
			return (int)i;
		}
	}
	return -1;
}

static int32_t result_of(uint32_t id)
{
	const struct rec_cqe *c = cqe_of(id);

	return c == NULL ? 12345 : c->result;
}

static bool pattern_ok(const struct rec_cqe *c, uint32_t len)
{
	uint32_t i;

	if (c == NULL || c->len != len) {
		return false;
	}
	for (i = 0u; i < len; i++) {
		if (c->data[i] != (uint8_t)(FAKE_PATTERN + i)) {
			return false;
		}
	}
	return true;
}

static struct agent_stats stats(void)
{
	struct agent_stats s;

	agent_get_stats(&agent, &s);
	return s;
}

static void setup_with(void (*reset)(void *), uint32_t nonce)
{
	struct agent_config cfg;
	int i;

	memset(&h, 0, sizeof(h));
	agent_frame_decoder_init(&h.dec, h.dec_buf, sizeof(h.dec_buf));
	h.now = 1000000u;
	h.auto_ack = true;
	memset(fakes, 0, sizeof(fakes));
	for (i = 0; i < 2; i++) {
		struct agent_iodev *d = &fakes[i].dev;

		d->api = &fake_api;
		d->data = &fakes[i];
		d->id = (uint32_t)(i + 1);
		d->name = i == 0 ? "fake0" : "fake1";
		d->kind = i == 0 ? AGENT_IODEV_KIND_I2C : AGENT_IODEV_KIND_TEST;
		d->bus = i == 0 ? "i2c0" : "";
		d->address = i == 0 ? 0x50u : 0u;
		d->part = i == 0 ? "24c32" : "";
		d->capabilities = i == 0 ? fake_caps : NULL;
		table[i] = d;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.write = host_write;
	cfg.now_us = host_now;
	cfg.reset = reset;
	cfg.boot_nonce = nonce;
	cfg.iodevs = table;
	cfg.iodev_count = 2u;
	cfg.build_id = "agent-test";
	cfg.ack_delay_us = ack_delay_us;
	CHECK_MSG(agent_init(&agent, &cfg) == 0, "agent_init failed");
}

static void setup(void)
{
	setup_with(NULL, 0x1234u);
	host_hello(AGENT_PROTOCOL_VERSION, 0xabcu);
	CHECK_MSG(h.have_hello, "no HelloReply");
}

/* Nothing left behind: no slot, no arena byte, no CQE waiting. */
static void check_idle(void)
{
	CHECK_MSG(exec_slots_used(&agent.ex) == 0u, "%zu slots still used", exec_slots_used(&agent.ex));
	CHECK_MSG(exec_arena_used(&agent.ex) == 0u, "%zu arena bytes still used", exec_arena_used(&agent.ex));
	CHECK_MSG(exec_cqe_count(&agent.ex) == 0u, "%zu CQEs still waiting", exec_cqe_count(&agent.ex));
}

/* ---------------------------------------------------------------- cases */

static void test_handshake(void)
{
	struct agent_stats s;

	setup_with(NULL, 0x1234u);
	/* No session yet: a Submit runs nothing and is answered with an unsolicited HelloReply. */
	tw_init(&pk);
	tw_add_sqe(&pk, 1u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	s = stats();
	CHECK_MSG(h.have_hello && h.hello.p.body.hello_reply.host_nonce == 0u &&
	      h.hello.p.body.hello_reply.boot_nonce == 0x1234u, "no unsolicited HelloReply before any Hello");
	CHECK_MSG(h.n_cqes == 0u && s.sqes_run == 0u, "a Submit ran outside a session");
	CHECK_MSG(s.no_session == 1u, "no_session %u", s.no_session);

	host_hello(AGENT_PROTOCOL_VERSION, 0xabcu);
	CHECK_MSG(h.have_hello, "no HelloReply");
	CHECK_MSG(h.hello.p.seq == 0u && h.hello.p.ack == 0u, "HelloReply seq %u ack %u", h.hello.p.seq, h.hello.p.ack);
	CHECK_MSG(h.hello.p.body.hello_reply.protocol_version == AGENT_PROTOCOL_VERSION, "protocol %u",
	      h.hello.p.body.hello_reply.protocol_version);
	CHECK_MSG(h.hello.p.body.hello_reply.boot_nonce == 0x1234u, "nonce %x", h.hello.p.body.hello_reply.boot_nonce);
	CHECK_MSG(h.hello.p.body.hello_reply.host_nonce == 0xabcu, "host nonce %x", h.hello.p.body.hello_reply.host_nonce);
	CHECK_MSG(h.hello.p.body.hello_reply.max_frame_bytes == 1033u, "max frame %u", h.hello.p.body.hello_reply.max_frame_bytes);
	CHECK_MSG(h.hello.p.body.hello_reply.window == AGENT_WINDOW, "window %u", h.hello.p.body.hello_reply.window);
	CHECK_MSG(h.hello.p.body.hello_reply.max_sqes == AGENT_MAX_SQES, "max sqes %u", h.hello.p.body.hello_reply.max_sqes);
	CHECK_MSG(h.hello.p.body.hello_reply.max_buffer_bytes == AGENT_MAX_BUFFER_BYTES, "max buffer %u",
	      h.hello.p.body.hello_reply.max_buffer_bytes);
	CHECK_MSG(strcmp(h.hello.build_id, "agent-test") == 0, "build id \"%s\"", h.hello.build_id);
	CHECK_MSG(h.hello.n_iodevs == 2u, "%u iodevs", h.hello.n_iodevs);
	CHECK_MSG(h.hello.iodevs[0].m.id == 1u && strcmp(h.hello.iodevs[0].name, "fake0") == 0 &&
	      h.hello.iodevs[0].m.kind == rtiohil_IodevKind_IODEV_KIND_I2C &&
	      strcmp(h.hello.iodevs[0].bus, "i2c0") == 0 && h.hello.iodevs[0].m.address == 0x50u &&
	      strcmp(h.hello.iodevs[0].part, "24c32") == 0, "row 0: id %u name %s", h.hello.iodevs[0].m.id,
	      h.hello.iodevs[0].name);
	CHECK_MSG(h.hello.iodevs[0].n_caps == 3u && strcmp(h.hello.iodevs[0].caps[1], "multishot") == 0,
	      "row 0: %u capabilities", h.hello.iodevs[0].n_caps);
	CHECK_MSG(h.hello.iodevs[1].m.id == 2u && strcmp(h.hello.iodevs[1].name, "fake1") == 0 &&
	      h.hello.iodevs[1].m.kind == rtiohil_IodevKind_IODEV_KIND_TEST && h.hello.iodevs[1].n_caps == 0u,
	      "row 1: id %u name %s", h.hello.iodevs[1].m.id, h.hello.iodevs[1].name);
	CHECK_MSG(agent_in_session(&agent), "no session after Hello");

	/* The same Hello again (our reply was lost): answered, the session goes on. */
	tw_init(&pk);
	add_delay(2u, 0u, 100u);
	host_send(&pk);
	tw_init(&pk);
	pk.p.which_body = rtiohil_Packet_hello_tag;
	pk.p.body.hello.protocol_version = AGENT_PROTOCOL_VERSION;
	pk.p.body.hello.host_nonce = 0xabcu;
	h.have_hello = false;
	host_feed(&pk);
	host_parse();
	CHECK_MSG(h.have_hello && h.hello.p.body.hello_reply.host_nonce == 0xabcu, "a repeated Hello got no reply");
	host_poll(100u);
	CHECK_MSG(result_of(2u) == 0, "a repeated Hello reset the session (DELAY: %d)", result_of(2u));

	/* Another protocol version: answered, but no session. */
	host_hello(AGENT_PROTOCOL_VERSION + 1u, 0x55u);
	CHECK_MSG(h.have_hello && h.hello.p.body.hello_reply.host_nonce == 0x55u, "no HelloReply to a newer version's Hello");
	CHECK_MSG(!agent_in_session(&agent), "a newer version's Hello started a session");

	/* An invalid config is refused. */
	{
		struct agent_config bad;
		static struct agent other;

		memset(&bad, 0, sizeof(bad));
		bad.now_us = host_now;
		CHECK_MSG(agent_init(&other, &bad) == -AGENT_EINVAL, "agent_init accepted a config without write");
		bad.write = host_write;
		bad.iodevs = table;
		bad.iodev_count = 2u;
		fakes[1].dev.id = 1u;
		CHECK_MSG(agent_init(&other, &bad) == -AGENT_EINVAL, "agent_init accepted two iodevs with id 1");
		fakes[1].dev.id = 2u;
	}
}

static void test_nop(void)
{
	struct agent_stats s;

	setup();
	h.auto_ack = false;
	tw_init(&pk);
	tw_add_sqe(&pk, 7u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	CHECK_MSG(h.n_cqes == 1u && h.cqes[0].id == 7u && h.cqes[0].result == 0 && h.cqes[0].flags == 0u &&
	      h.cqes[0].len == 0u, "%zu CQEs, first id %u result %d", h.n_cqes, h.cqes[0].id, h.cqes[0].result);
	CHECK_MSG(h.cqes[0].seq == 1u, "the Complete has seq %u", h.cqes[0].seq);
	CHECK_MSG(h.last_ack == 1u, "the Complete acks %u", h.last_ack);
	CHECK_MSG(h.pure_acks == 0u, "%u pure acks: the ack should ride on the Complete", h.pure_acks);

	/* A NOP on an iodev completes as the iodev decides: at its poll, which the agent runs
	 * before it looks at the next packet. */
	tw_init(&pk);
	tw_add_sqe(&pk, 8u, AGENT_OP_NOP, 0u, 1u);
	host_send(&pk);
	CHECK_MSG(result_of(8u) == 0, "iodev NOP result %d", result_of(8u));
	CHECK_MSG(h.pure_acks == 0u && h.last_ack == 2u, "%u pure acks, ack %u: the Complete carries the ack", h.pure_acks,
	      h.last_ack);
	s = stats();
	CHECK_MSG(s.sqes_run == 2u && s.cqes_sent == 2u, "sqes_run %u cqes_sent %u", s.sqes_run, s.cqes_sent);
	check_idle();
}

static void test_chain_failure(void)
{
	uint8_t ab[2] = { 'a', 'b' };
	rtiohil_Sqe *q;

	setup();
	tw_init(&pk);
	add_rx(1u, AGENT_SQE_CHAINED, 1u, 4u, 0u);
	q = tw_add_sqe(&pk, 2u, AGENT_OP_TX, AGENT_SQE_CHAINED, 1u);
	q->iodev_flags = FAKE_ERRNO(AGENT_EIO);
	tw_set_tx(&pk, 1u, ab, 2u);
	tw_add_sqe(&pk, 3u, AGENT_OP_NOP, AGENT_SQE_CHAINED, 0u);
	add_rx(4u, 0u, 1u, 2u, 0u);
	host_run(&pk);
	CHECK_MSG(h.n_cqes == 4u, "%zu CQEs", h.n_cqes);
	CHECK_MSG(order_of(1u) == 0 && order_of(2u) == 1 && order_of(3u) == 2 && order_of(4u) == 3, "CQEs out of chain order");
	CHECK_MSG(result_of(1u) == 4 && pattern_ok(cqe_of(1u), 4u), "RX: result %d", result_of(1u));
	CHECK_MSG(result_of(2u) == -AGENT_EIO, "TX: %d", result_of(2u));
	CHECK_MSG(result_of(3u) == -AGENT_ECANCELED && result_of(4u) == -AGENT_ECANCELED, "rest: %d %d",
	      result_of(3u), result_of(4u));
	CHECK_MSG(fakes[0].submits == 2u, "the fake ran %u units; the cancelled ones must not start", fakes[0].submits);
	check_idle();

	/* A short transfer ends the chain like an error, keeping its count. */
	tw_init(&pk);
	add_rx(10u, AGENT_SQE_CHAINED, 1u, 8u, FAKE_SHORT(3));
	tw_add_sqe(&pk, 11u, AGENT_OP_NOP, 0u, 0u);
	host_run(&pk);
	CHECK_MSG(result_of(10u) == 3 && pattern_ok(cqe_of(10u), 3u), "short RX: %d", result_of(10u));
	CHECK_MSG(result_of(11u) == -AGENT_ECANCELED, "after a short RX: %d", result_of(11u));
	check_idle();
}

static void test_transaction(void)
{
	uint8_t xyz[3] = { 'x', 'y', 'z' };

	setup();
	tw_init(&pk);
	tw_add_sqe(&pk, 1u, AGENT_OP_TX, AGENT_SQE_TRANSACTION, 1u);
	tw_set_tx(&pk, 0u, xyz, 3u);
	add_rx(2u, AGENT_SQE_TRANSACTION, 1u, 4u, 0u);
	add_rx(3u, AGENT_SQE_CHAINED, 1u, 2u, 0u);
	tw_add_sqe(&pk, 4u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	CHECK_MSG(fakes[0].submits == 1u, "the transaction reached the iodev as %u units", fakes[0].submits);
	host_settle();
	CHECK_MSG(h.n_cqes == 4u, "%zu CQEs", h.n_cqes);
	CHECK_MSG(order_of(1u) == 0 && order_of(2u) == 1 && order_of(3u) == 2 && order_of(4u) == 3, "CQEs out of order");
	CHECK_MSG(result_of(1u) == 3 && result_of(2u) == 4 && result_of(3u) == 2 && result_of(4u) == 0,
	      "results %d %d %d %d", result_of(1u), result_of(2u), result_of(3u), result_of(4u));
	CHECK_MSG(pattern_ok(cqe_of(2u), 4u) && pattern_ok(cqe_of(3u), 2u), "member data");
	CHECK_MSG(fakes[0].tx_seen_len == 3u && memcmp(fakes[0].tx_seen, "xyz", 3u) == 0, "the TX member sent the wrong bytes");
	check_idle();

	/* A failing member carries the error; earlier members succeed; the rest is cancelled. */
	tw_init(&pk);
	tw_add_sqe(&pk, 11u, AGENT_OP_TX, AGENT_SQE_TRANSACTION, 1u);
	tw_set_tx(&pk, 0u, xyz, 3u);
	add_rx(12u, AGENT_SQE_TRANSACTION, 1u, 4u, FAKE_ERRNO(AGENT_EIO));
	add_rx(13u, AGENT_SQE_CHAINED, 1u, 2u, 0u);
	tw_add_sqe(&pk, 14u, AGENT_OP_NOP, 0u, 0u);
	host_run(&pk);
	CHECK_MSG(result_of(11u) == 3, "member before the failure: %d", result_of(11u));
	CHECK_MSG(result_of(12u) == -AGENT_EIO, "failing member: %d", result_of(12u));
	CHECK_MSG(result_of(13u) == -AGENT_ECANCELED && result_of(14u) == -AGENT_ECANCELED, "after: %d %d",
	      result_of(13u), result_of(14u));
	CHECK_MSG(order_of(11u) < order_of(12u) && order_of(12u) < order_of(13u) && order_of(13u) < order_of(14u),
	      "CQEs out of order");
	check_idle();
}

static void test_multishot_cancel(void)
{
	const struct rec_cqe *last = NULL;
	unsigned int more = 0u;
	size_t i;
	int k;

	setup();
	fakes[0].paced = true;
	tw_init(&pk);
	tw_add_sqe(&pk, 5u, AGENT_OP_RX, AGENT_SQE_MEMPOOL_BUFFER | AGENT_SQE_MULTISHOT, 1u);
	host_send(&pk);
	for (k = 0; k < 3; k++) {
		host_poll(10u);
	}
	CHECK_MSG(cqes_of(5u) >= 3u, "%u shots after 3 polls", cqes_of(5u));
	host_cancel(5u);
	CHECK_MSG(h.n_cancel == 1u && h.cancel_ids[0] == 5u && h.cancel_results[0] == -AGENT_EALREADY,
	      "CancelReply %u: %d", h.cancel_ids[0], h.cancel_results[0]);
	host_settle();
	host_poll(10u);
	for (i = 0u; i < h.n_cqes; i++) {
		if (h.cqes[i].id != 5u) {
			continue;
		}
		if (last != NULL) {
			CHECK_MSG((last->flags & AGENT_CQE_FLAG_MORE) != 0u, "a CQE without MORE before the last");
			CHECK_MSG(last->result == (int32_t)FAKE_POOL_LEN && pattern_ok(last, FAKE_POOL_LEN), "shot result %d len %u",
			      last->result, last->len);
			more++;
		}
		last = &h.cqes[i];
	}
	CHECK_MSG(last != NULL && last->flags == 0u && last->result == -AGENT_ECANCELED && last->len == 0u,
	      "final CQE: flags %u result %d", last ? last->flags : 99u, last ? last->result : 99);
	CHECK_MSG(more >= 3u, "%u CQEs with MORE", more);
	check_idle();

	/* A cancel hook that drops the queued shot: 0, and the final CQE at once. */
	fakes[0].paced = false;
	fakes[0].manual = true;
	fakes[0].drop_queued = true;
	tw_init(&pk);
	tw_add_sqe(&pk, 6u, AGENT_OP_RX, AGENT_SQE_MEMPOOL_BUFFER | AGENT_SQE_MULTISHOT, 1u);
	host_send(&pk);
	host_cancel(6u);
	CHECK_MSG(h.n_cancel == 2u && h.cancel_results[1] == 0, "CancelReply %d", h.cancel_results[1]);
	CHECK_MSG(cqes_of(6u) == 1u && result_of(6u) == -AGENT_ECANCELED, "%u CQEs, %d", cqes_of(6u), result_of(6u));
	check_idle();
}

static void test_multishot_stops_when_full(void)
{
	unsigned int total;
	unsigned int with_more = 0u;
	size_t i;
	int k;

	setup();
	fakes[0].paced = true;
	h.withhold = true; /* the host acks nothing: the agent's window and ring fill up */
	h.ack_value = 0u;
	tw_init(&pk);
	tw_add_sqe(&pk, 9u, AGENT_OP_RX, AGENT_SQE_MEMPOOL_BUFFER | AGENT_SQE_MULTISHOT, 1u);
	host_send(&pk);
	for (k = 0; k < 1000 && fakes[0].n > 0u; k++) {
		host_poll(10u);
	}
	CHECK_MSG(fakes[0].n == 0u, "the multishot never ended");
	CHECK_MSG(exec_slots_used(&agent.ex) == 0u, "the multishot still holds its slot");
	/* It ended when its CQE took the last entry of the ring; the window holds the rest. */
	CHECK_MSG(exec_cqe_count(&agent.ex) == AGENT_CQE_RING && h.rx_seq == AGENT_WINDOW,
	      "%zu CQEs waiting, %u packets sent", exec_cqe_count(&agent.ex), h.rx_seq);
	/* Now acknowledge everything and collect the rest. */
	h.withhold = false;
	for (k = 0; k < 64 && exec_cqe_count(&agent.ex) > 0u; k++) {
		tw_init(&pk);
		pk.p.ack = h.rx_seq;
		host_feed(&pk);
		host_parse();
	}
	total = cqes_of(9u);
	for (i = 0u; i < h.n_cqes; i++) {
		if (h.cqes[i].id == 9u && (h.cqes[i].flags & AGENT_CQE_FLAG_MORE) != 0u) {
			with_more++;
		}
	}
	CHECK_MSG(total > 1u && with_more == total - 1u, "%u CQEs, %u with MORE", total, with_more);
	CHECK_MSG(h.cqes[h.n_cqes - 1u].id == 9u && h.cqes[h.n_cqes - 1u].flags == 0u &&
	      h.cqes[h.n_cqes - 1u].result == (int32_t)FAKE_POOL_LEN,
	      "the final CQE carries its shot's result without MORE (%d, flags %u)", h.cqes[h.n_cqes - 1u].result,
	      h.cqes[h.n_cqes - 1u].flags);
	check_idle();
}

static void test_timeout(void)
{
	rtiohil_Sqe *q;
	struct agent_stats s;

	setup();
	tw_init(&pk);
	q = add_rx(1u, AGENT_SQE_CHAINED, 1u, 4u, FAKE_HANG);
	q->timeout_us = 1000u;
	tw_add_sqe(&pk, 2u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	host_poll(0u);
	poll_to_just_before_due(1000u);
	CHECK_MSG(h.n_cqes == 0u, "completed before its timeout");
	host_poll(1u);
	CHECK_MSG(result_of(1u) == -AGENT_ETIMEDOUT && result_of(2u) == -AGENT_ECANCELED, "%d %d", result_of(1u),
	      result_of(2u));
	CHECK_MSG(fakes[0].dropped == 1u, "the cancel hook was not asked to drop the timed-out unit");
	check_idle();

	/* A driver that keeps the unit: its slot stays reserved until it lets go, silently. */
	fakes[0].refuse_cancel = true;
	tw_init(&pk);
	q = add_rx(3u, 0u, 1u, 4u, FAKE_HANG);
	q->timeout_us = 500u;
	host_send(&pk);
	host_poll(500u);
	CHECK_MSG(result_of(3u) == -AGENT_ETIMEDOUT, "%d", result_of(3u));
	CHECK_MSG(exec_slots_used(&agent.ex) == 1u, "%zu slots used: the timed-out unit's must stay reserved",
	      exec_slots_used(&agent.ex));
	fake_complete(&fakes[0], 4);
	host_poll(0u);
	CHECK_MSG(cqes_of(3u) == 1u, "the late completion posted a CQE");
	s = stats();
	CHECK_MSG(s.late_completions == 1u && s.stray_completions == 0u, "late %u stray %u", s.late_completions,
	      s.stray_completions);
	check_idle();

	/* A DELAY with a shorter timeout times out. */
	tw_init(&pk);
	add_delay(4u, 0u, 5000u);
	q->timeout_us = 100u;
	host_send(&pk);
	host_poll(100u);
	CHECK_MSG(result_of(4u) == -AGENT_ETIMEDOUT, "DELAY with a timeout: %d", result_of(4u));
	check_idle();
}

static void test_duplicate_submit(void)
{
	struct agent_stats s;
	unsigned int acks;

	setup();
	tw_init(&pk);
	add_rx(1u, 0u, 1u, 4u, 0u);
	host_send_seq(&pk, 1u);
	acks = h.pure_acks;
	host_send_seq(&pk, 1u); /* the host retransmits: its ack was lost */
	CHECK_MSG(h.pure_acks == acks + 1u && h.last_ack == 1u, "the duplicate was not acknowledged again (ack %u)",
	      h.last_ack);
	host_settle();
	s = stats();
	CHECK_MSG(fakes[0].submits == 1u, "the duplicate Submit ran again (%u units)", fakes[0].submits);
	CHECK_MSG(cqes_of(1u) == 1u, "%u CQEs", cqes_of(1u));
	CHECK_MSG(s.duplicates == 1u, "duplicates %u", s.duplicates);

	/* A gap: seq 3 while 2 is expected is dropped and the agent acks 1 again. */
	tw_init(&pk);
	tw_add_sqe(&pk, 2u, AGENT_OP_NOP, 0u, 0u);
	host_send_seq(&pk, 3u);
	s = stats();
	CHECK_MSG(s.out_of_order == 1u && cqe_of(2u) == NULL, "out_of_order %u", s.out_of_order);
	CHECK_MSG(h.last_ack == 1u, "ack %u after a gap", h.last_ack);
	host_send_seq(&pk, 2u);
	CHECK_MSG(result_of(2u) == 0, "seq 2 after the gap: %d", result_of(2u));
	check_idle();
}

static void test_bad_frames(void)
{
	static uint8_t junk[1200];
	uint8_t good[AGENT_FRAME_WIRE_LEN_MAX(16u)];
	uint8_t truncated_payload[1] = { 0x08 }; /* a seq tag without its value */
	const uint8_t bad_cobs[] = { 0x05, 0x11, 0x22, 0x00 };
	const uint8_t short_frame[] = { 0x03, 0x11, 0x22, 0x00 };
	struct agent_stats s;
	size_t n;
	size_t i;

	setup();
	/* Garbage that decodes to a wrong CRC. */
	for (i = 0u; i < 40u; i++) {
		junk[i] = (uint8_t)(i * 37u + 1u) | 1u;
	}
	junk[40] = 0x00;
	host_send_raw(junk, 41u);
	/* A good frame cut short: its last code byte runs past its end. */
	tw_init(&pk);
	tw_add_sqe(&pk, 1u, AGENT_OP_NOP, 0u, 0u);
	pk.p.seq = 1u;
	n = tw_encode(&pk, payload, sizeof(payload));
	n = tw_frame(payload, n, good, sizeof(good));
	good[n - 3u] = 0x00;
	host_send_raw(good, n - 2u);
	host_send_raw(bad_cobs, sizeof(bad_cobs));
	host_send_raw(short_frame, sizeof(short_frame));
	/* Longer than max_frame_bytes (1033 encoded bytes). */
	memset(junk, 0x42, sizeof(junk));
	junk[sizeof(junk) - 1u] = 0x00;
	host_send_raw(junk, sizeof(junk));
	/* A good frame whose payload is not a Packet. */
	n = tw_frame(truncated_payload, 1u, good, sizeof(good));
	host_send_raw(good, n);
	s = stats();
	CHECK_MSG(s.crc_errors == 1u, "crc_errors %u", s.crc_errors);
	CHECK_MSG(s.cobs_errors == 2u, "cobs_errors %u (the cut frame and the bad one)", s.cobs_errors);
	CHECK_MSG(s.too_short == 1u, "too_short %u", s.too_short);
	CHECK_MSG(s.too_long == 1u, "too_long %u", s.too_long);
	CHECK_MSG(s.decode_errors == 1u, "decode_errors %u", s.decode_errors);
	CHECK_MSG(h.n_cqes == 0u, "a bad frame ran something");
	/* The next good frame is served. */
	tw_init(&pk);
	tw_add_sqe(&pk, 1u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	CHECK_MSG(result_of(1u) == 0, "the good frame after the bad ones: %d", result_of(1u));
	CHECK_MSG(stats().frames_ok == 4u, "frames_ok %u (Hello, the bad Packet, the Submit, an ack)", stats().frames_ok);
	check_idle();
}

static void test_invalid_sqes(void)
{
	static const uint8_t big[600];
	uint8_t eight[8] = { 0 };
	rtiohil_Sqe *q;

	setup();
	tw_init(&pk);
	tw_add_sqe(&pk, 1u, 13u, 0u, 0u);                                  /* unknown op */
	tw_add_sqe(&pk, 2u, AGENT_OP_CALLBACK, 0u, 0u);                    /* cannot cross the wire */
	add_rx(3u, 0u, 99u, 4u, 0u);                                       /* unknown iodev */
	add_rx(4u, 0u, 0u, 4u, 0u);                                        /* no iodev */
	tw_add_sqe(&pk, 5u, AGENT_OP_RX, 0u, 1u);                          /* RX of 0 bytes */
	add_rx(6u, 0u, 1u, 2000u, 0u);                                     /* too large */
	tw_add_sqe(&pk, 7u, AGENT_OP_TX, 0u, 1u);                          /* TX data too large */
	tw_set_tx(&pk, 6u, big, sizeof(big));
	tw_add_sqe(&pk, 8u, AGENT_OP_NOP, AGENT_SQE_CHAINED | AGENT_SQE_TRANSACTION, 0u); /* contradictory */
	tw_add_sqe(&pk, 9u, AGENT_OP_NOP, 0u, 0u);                         /* (the rest of 8's chain) */
	add_rx(10u, AGENT_SQE_MULTISHOT, 1u, 4u, 0u);                      /* multishot without mempool */
	tw_add_sqe(&pk, 11u, AGENT_OP_NOP, 1u << 7, 0u);                   /* unknown flag */
	tw_add_sqe(&pk, 12u, AGENT_OP_TINY_TX, 0u, 1u);                    /* TINY_TX of 8 bytes */
	tw_set_tx(&pk, 11u, eight, 8u);
	q = tw_add_sqe(&pk, 13u, AGENT_OP_TX, 0u, 1u);                     /* a region the Submit lacks */
	q->tx_region = 5u;
	q->len = 2u;
	tw_add_sqe(&pk, 14u, AGENT_OP_NOP, AGENT_SQE_MEMPOOL_BUFFER, 0u);  /* mempool on a NOP */
	host_run(&pk);
	CHECK_MSG(result_of(1u) == -AGENT_EINVAL, "unknown op: %d", result_of(1u));
	CHECK_MSG(result_of(2u) == -AGENT_EINVAL, "CALLBACK: %d", result_of(2u));
	CHECK_MSG(result_of(3u) == -AGENT_ENODEV, "unknown iodev: %d", result_of(3u));
	CHECK_MSG(result_of(4u) == -AGENT_ENODEV, "RX without iodev: %d", result_of(4u));
	CHECK_MSG(result_of(5u) == -AGENT_EINVAL, "RX of 0: %d", result_of(5u));
	CHECK_MSG(result_of(6u) == -AGENT_EMSGSIZE, "RX of 2000: %d", result_of(6u));
	CHECK_MSG(result_of(7u) == -AGENT_EMSGSIZE, "TX of 600: %d", result_of(7u));
	CHECK_MSG(result_of(8u) == -AGENT_EINVAL && result_of(9u) == -AGENT_ECANCELED, "CHAINED|TRANSACTION: %d, then %d",
	      result_of(8u), result_of(9u));
	CHECK_MSG(result_of(10u) == -AGENT_EINVAL, "multishot without mempool: %d", result_of(10u));
	CHECK_MSG(result_of(11u) == -AGENT_EINVAL, "unknown flag: %d", result_of(11u));
	CHECK_MSG(result_of(12u) == -AGENT_EINVAL, "TINY_TX of 8: %d", result_of(12u));
	CHECK_MSG(result_of(13u) == -AGENT_EINVAL, "missing region: %d", result_of(13u));
	CHECK_MSG(result_of(14u) == -AGENT_EINVAL, "mempool NOP: %d", result_of(14u));
	CHECK_MSG(h.n_cqes == 14u && fakes[0].submits == 0u, "%zu CQEs, %u units ran", h.n_cqes, fakes[0].submits);
	check_idle();

	/* A bad member inside a chain: it carries the error, the others -ECANCELED, in order. */
	h.n_cqes = 0u;
	tw_init(&pk);
	tw_add_sqe(&pk, 20u, AGENT_OP_NOP, AGENT_SQE_CHAINED, 0u);
	add_rx(21u, AGENT_SQE_CHAINED, 99u, 1u, 0u);
	tw_add_sqe(&pk, 22u, AGENT_OP_NOP, AGENT_SQE_CHAINED, 0u);
	tw_add_sqe(&pk, 23u, AGENT_OP_NOP, 0u, 0u);
	tw_add_sqe(&pk, 24u, AGENT_OP_NOP, 0u, 0u);                        /* the next chain runs */
	tw_add_sqe(&pk, 25u, AGENT_OP_NOP, AGENT_SQE_CHAINED, 0u);         /* links to nothing */
	tw_add_sqe(&pk, 26u, AGENT_OP_NOP, AGENT_SQE_CHAINED, 0u);
	host_send(&pk);
	CHECK_MSG(result_of(20u) == -AGENT_ECANCELED && result_of(21u) == -AGENT_ENODEV &&
	      result_of(22u) == -AGENT_ECANCELED && result_of(23u) == -AGENT_ECANCELED,
	      "chain: %d %d %d %d", result_of(20u), result_of(21u), result_of(22u), result_of(23u));
	CHECK_MSG(order_of(20u) < order_of(21u) && order_of(21u) < order_of(22u) && order_of(22u) < order_of(23u),
	      "chain CQEs out of order");
	CHECK_MSG(result_of(24u) == 0, "independent chain: %d", result_of(24u));
	CHECK_MSG(result_of(25u) == -AGENT_ECANCELED && result_of(26u) == -AGENT_EINVAL, "dangling chain: %d %d",
	      result_of(25u), result_of(26u));
	check_idle();
}

static void test_capacity(void)
{
	unsigned int ok = 0u;
	unsigned int busy = 0u;
	uint32_t i;

	setup();
	tw_init(&pk);
	for (i = 0u; i < AGENT_MAX_SQES + 2u; i++) {
		tw_add_sqe(&pk, 100u + i, AGENT_OP_NOP, 0u, 0u);
	}
	host_send(&pk);
	for (i = 0u; i < h.n_cqes; i++) {
		ok += h.cqes[i].result == 0;
		busy += h.cqes[i].result == -AGENT_EBUSY;
	}
	CHECK_MSG(h.n_cqes == AGENT_MAX_SQES + 2u, "%zu CQEs", h.n_cqes);
	CHECK_MSG(ok == AGENT_MAX_SQES && busy == 2u, "%u ok, %u -EBUSY", ok, busy);
	check_idle();

	/* The arena runs out: -ENOMEM for what does not fit. */
	h.n_cqes = 0u;
	fakes[0].manual = true;
	tw_init(&pk);
	for (i = 0u; i < 8u; i++) {
		add_rx(200u + i, 0u, 1u, AGENT_MAX_BUFFER_BYTES, 0u);
	}
	host_send(&pk);
	CHECK_MSG(h.n_cqes == 1u && h.cqes[0].id == 207u && h.cqes[0].result == -AGENT_ENOMEM,
	      "%zu CQEs; first id %u result %d", h.n_cqes, h.cqes[0].id, h.cqes[0].result);
	CHECK_MSG(fakes[0].n == 7u, "%zu units at the iodev", fakes[0].n);
	while (fakes[0].n > 0u) {
		fake_complete(&fakes[0], (int32_t)AGENT_MAX_BUFFER_BYTES);
	}
	host_poll(0u);
	CHECK_MSG(h.n_cqes == 8u && result_of(200u) == (int32_t)AGENT_MAX_BUFFER_BYTES, "%zu CQEs", h.n_cqes);
	CHECK_MSG(h.complete_packets >= 8u, "%u Complete packets for 7 full buffers: one CQE of %u bytes per packet",
	      h.complete_packets, AGENT_MAX_BUFFER_BYTES);
	check_idle();
}

/* Submits an AWAIT on @p iodev (0: the executor's), checks that it waits @p wait_us, then signals it. */
static void await_then_signal(uint32_t id, uint32_t iodev, uint64_t wait_us)
{
	tw_init(&pk);
	tw_add_sqe(&pk, id, AGENT_OP_AWAIT, 0u, iodev);
	host_send(&pk);
	host_poll(wait_us);
	CHECK_MSG(cqe_of(id) == NULL, "AWAIT %u on iodev %u completed without a Signal", id, iodev);
	host_signal(id);
}

static void test_delay_await_cancel(void)
{
	setup();
	/* DELAY then NOP. */
	tw_init(&pk);
	add_delay(1u, AGENT_SQE_CHAINED, 500u);
	tw_add_sqe(&pk, 2u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	host_poll(499u);
	CHECK_MSG(h.n_cqes == 0u, "DELAY ended early");
	host_poll(1u);
	CHECK_MSG(result_of(1u) == 0 && result_of(2u) == 0, "DELAY %d, NOP %d", result_of(1u), result_of(2u));

	/* An executor AWAIT completes on Signal; a Signal before it is reached also counts. */
	await_then_signal(3u, 0u, 1000u);
	CHECK_MSG(result_of(3u) == 0, "AWAIT after Signal: %d", result_of(3u));
	tw_init(&pk);
	add_delay(4u, AGENT_SQE_CHAINED, 100u);
	tw_add_sqe(&pk, 5u, AGENT_OP_AWAIT, 0u, 0u);
	host_send(&pk);
	host_signal(5u);
	host_poll(100u);
	CHECK_MSG(result_of(4u) == 0 && result_of(5u) == 0, "pre-signalled AWAIT: %d", result_of(5u));

	/* An AWAIT held by an iodev: the driver sees agent_sqe_signaled(). */
	await_then_signal(6u, 1u, 10u);
	host_poll(0u);
	CHECK_MSG(result_of(6u) == 0, "iodev AWAIT: %d", result_of(6u));

	/* Signal of nothing: a warning in the log. */
	host_signal(77u);
	CHECK_MSG(h.n_logs == 1u && h.log_levels[0] == AGENT_LOG_WRN, "%zu logs", h.n_logs);

	/* Cancel: a running DELAY (0, -ECANCELED now), a pending NOP (0, -ECANCELED when reached),
	 * a running iodev unit (-EALREADY), nothing (-ENOENT). */
	fakes[0].manual = true;
	tw_init(&pk);
	add_delay(10u, AGENT_SQE_CHAINED, 1000u);
	tw_add_sqe(&pk, 11u, AGENT_OP_NOP, 0u, 0u);
	add_rx(12u, 0u, 1u, 1u, 0u);
	host_send(&pk);
	host_cancel(11u);
	host_cancel(12u);
	host_cancel(99u);
	CHECK_MSG(h.n_cancel == 3u && h.cancel_results[0] == 0 && h.cancel_results[1] == -AGENT_EALREADY &&
	      h.cancel_results[2] == -AGENT_ENOENT, "CancelReplies %d %d %d", h.cancel_results[0], h.cancel_results[1],
	      h.cancel_results[2]);
	host_cancel(10u);
	CHECK_MSG(h.cancel_results[3] == 0 && result_of(10u) == -AGENT_ECANCELED && result_of(11u) == -AGENT_ECANCELED,
	      "cancelled DELAY %d, then NOP %d", result_of(10u), result_of(11u));
	host_cancel(10u);
	CHECK_MSG(h.cancel_results[4] == -AGENT_ENOENT, "cancel of a completed SQE: %d", h.cancel_results[4]);
	fake_complete(&fakes[0], 1);
	host_poll(0u);
	CHECK_MSG(result_of(12u) == 1, "the running RX completes as the device decides: %d", result_of(12u));
	check_idle();
}

static void test_retransmit_and_window(void)
{
	struct agent_stats s;
	uint32_t i;

	setup();
	h.withhold = true;
	h.ack_value = 0u;
	tw_init(&pk);
	tw_add_sqe(&pk, 1u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	CHECK_MSG(h.rx_seq == 1u && result_of(1u) == 0, "no Complete");
	host_poll(AGENT_RETRANSMIT_US - 1u);
	CHECK_MSG(h.dup_packets == 0u, "retransmitted early");
	host_poll(1u);
	CHECK_MSG(h.dup_packets == 1u, "not retransmitted after %u us", AGENT_RETRANSMIT_US);
	s = stats();
	CHECK_MSG(s.retransmits == 1u, "retransmits %u", s.retransmits);
	CHECK_MSG(h.last_ack == 1u, "the retransmission acks %u", h.last_ack);

	/* The window: AGENT_WINDOW packets unacknowledged, then CQEs wait. */
	for (i = 0u; i < AGENT_WINDOW + 2u; i++) {
		tw_init(&pk);
		tw_add_sqe(&pk, 10u + i, AGENT_OP_NOP, 0u, 0u);
		host_send(&pk);
	}
	CHECK_MSG(h.rx_seq == AGENT_WINDOW, "%u packets sent with %u unacknowledged allowed", h.rx_seq, AGENT_WINDOW);
	CHECK_MSG(exec_cqe_count(&agent.ex) == 3u, "%zu CQEs waiting", exec_cqe_count(&agent.ex));
	h.withhold = false;
	tw_init(&pk);
	pk.p.ack = h.rx_seq;
	host_feed(&pk);
	host_parse();
	CHECK_MSG(exec_cqe_count(&agent.ex) == 0u && h.n_cqes == AGENT_WINDOW + 3u, "%zu CQEs received", h.n_cqes);
	host_poll(10u * AGENT_RETRANSMIT_US);
	s = stats();
	CHECK_MSG(s.retransmits == 1u, "retransmitted acknowledged packets (%u)", s.retransmits);
	CHECK_MSG(s.bad_acks == 0u, "bad acks %u", s.bad_acks);
	tw_init(&pk);
	pk.p.ack = 1000u; /* never sent */
	host_feed(&pk);
	CHECK_MSG(stats().bad_acks == 1u, "bad acks %u", stats().bad_acks);
	check_idle();
}

/* Pure ack with @p ack (no seq, no body), a REJ with @p rej. */
static void host_pure_ack(uint32_t ack, bool rej)
{
	tw_init(&ack_pk);
	ack_pk.p.ack = ack;
	ack_pk.p.rej = rej;
	host_feed(&ack_pk);
	host_parse();
}

static void test_link_recovery(void)
{
	uint32_t i;
	uint32_t dups;
	uint32_t rto;
	uint32_t acks;

	/* A boot announces itself: an unsolicited HelloReply, before any Hello. */
	setup_with(NULL, 0x4321u);
	host_parse();
	CHECK_MSG(h.have_hello && h.hello.p.body.hello_reply.host_nonce == 0u && h.hello.p.body.hello_reply.boot_nonce == 0x4321u,
	      "no boot announcement (HelloReply host nonce %u)", h.hello.p.body.hello_reply.host_nonce);
	host_hello(AGENT_PROTOCOL_VERSION, 0xabcu);

	/* Round trips of 200 us bring the retransmission timeout down from its start to the floor. */
	h.withhold = true;
	for (i = 0u; i < 12u; i++) {
		tw_init(&pk);
		tw_add_sqe(&pk, 1u + i, AGENT_OP_NOP, 0u, 0u);
		host_send(&pk);
		host_poll(200u);
		h.ack_value = h.rx_seq;
		host_pure_ack(h.ack_value, false);
	}
	rto = agent_link_rto_us(&agent.link);
	CHECK_MSG(rto < AGENT_RETRANSMIT_US && rto >= AGENT_RTO_MIN_US, "RTO %u us after 200 us round trips", rto);

	/* A REJ sends the window again at once, not after the timeout; once per round trip. A plain
	 * duplicate ack does not. */
	tw_init(&pk);
	tw_add_sqe(&pk, 50u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	dups = h.dup_packets;
	host_pure_ack(h.ack_value, false);
	CHECK_MSG(h.dup_packets == dups && stats().fast_retransmits == 0u, "a duplicate ack without REJ resent");
	host_pure_ack(h.ack_value, true);
	CHECK_MSG(h.dup_packets == dups + 1u && stats().fast_retransmits == 1u, "a REJ: %u resent, %u fast rounds",
	      h.dup_packets - dups, stats().fast_retransmits);
	host_pure_ack(h.ack_value, true);
	CHECK_MSG(h.dup_packets == dups + 1u, "a second REJ in the same round trip resent again");

	/* Each timeout doubles the retransmission timeout (up to its ceiling). */
	rto = agent_link_rto_us(&agent.link);
	host_poll(rto);
	CHECK_MSG(agent_link_rto_us(&agent.link) == (2u * rto < AGENT_RTO_MAX_US ? 2u * rto : AGENT_RTO_MAX_US), "RTO %u after %u",
	      agent_link_rto_us(&agent.link), rto);
	h.ack_value = h.rx_seq;
	host_pure_ack(h.ack_value, false);

	/* The first out-of-order packet after a gap is answered at once with a REJ; the next is not. */
	acks = h.pure_acks;
	tw_init(&pk);
	tw_add_sqe(&pk, 60u, AGENT_OP_NOP, 0u, 0u);
	host_send_seq(&pk, h.tx_seq + 2u);
	CHECK_MSG(h.pure_acks == acks + 1u && h.last_rej, "an out-of-order packet was not answered at once with a REJ");
	CHECK_MSG(result_of(60u) == 12345, "the out-of-order packet ran");
	tw_init(&pk);
	tw_add_sqe(&pk, 61u, AGENT_OP_NOP, 0u, 0u);
	host_send_seq(&pk, h.tx_seq + 3u);
	CHECK_MSG(h.pure_acks == acks + 1u, "a second REJ for the same gap");
	h.withhold = false;
	host_settle();
	check_idle();
}

static void test_hello_drops_session(void)
{
	setup();
	h.withhold = true;
	tw_init(&pk);
	add_rx(1u, 0u, 1u, 4u, FAKE_HANG);
	add_delay(2u, 0u, 100u);
	tw_add_sqe(&pk, 3u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	CHECK_MSG(result_of(3u) == 0, "NOP %d", result_of(3u));
	h.withhold = false;
	host_hello(AGENT_PROTOCOL_VERSION, 7u);
	host_poll(1000u);
	CHECK_MSG(cqes_of(1u) == 0u && cqes_of(2u) == 0u, "a new session completed SQEs of the old one");
	CHECK_MSG(fakes[0].dropped == 1u, "the driver was not asked to drop its unit");
	host_poll(10u * AGENT_RETRANSMIT_US);
	CHECK_MSG(h.dup_packets == 0u, "packets of the old session were retransmitted");
	check_idle();

	/* Sequence numbers restart: seq 1 is new again. */
	tw_init(&pk);
	tw_add_sqe(&pk, 4u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	CHECK_MSG(result_of(4u) == 0 && h.cqes[h.n_cqes - 1u].seq == 1u, "after a new Hello: %d", result_of(4u));

	/* A driver that keeps its unit across a Hello: reserved until it lets go, no CQE. */
	fakes[0].refuse_cancel = true;
	tw_init(&pk);
	add_rx(5u, 0u, 1u, 4u, FAKE_HANG);
	host_send(&pk);
	host_hello(AGENT_PROTOCOL_VERSION, 8u);
	CHECK_MSG(exec_slots_used(&agent.ex) == 1u, "%zu slots", exec_slots_used(&agent.ex));
	fake_complete(&fakes[0], 4);
	host_poll(0u);
	CHECK_MSG(cqes_of(5u) == 0u, "the old session's SQE completed on the new session");
	check_idle();
}

static void test_reset(void)
{
	tw_init(&pk);
	setup();
	pk.p.which_body = rtiohil_Packet_reset_tag;
	host_feed(&pk);
	CHECK_MSG(!agent_in_session(&agent), "still in session after Reset");
	CHECK_MSG(agent_boot_nonce(&agent) != 0x1234u, "the boot nonce did not change");
	/* The host, unaware, sends on: the unsolicited HelloReply carries the new nonce. */
	h.have_hello = false;
	tw_init(&pk);
	tw_add_sqe(&pk, 1u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	CHECK_MSG(h.have_hello && h.hello.p.body.hello_reply.host_nonce == 0u &&
	      h.hello.p.body.hello_reply.boot_nonce == agent_boot_nonce(&agent) && h.n_cqes == 0u,
	      "no unsolicited HelloReply after a reset");
	host_hello(AGENT_PROTOCOL_VERSION, 9u);
	CHECK_MSG(h.have_hello && h.hello.p.body.hello_reply.boot_nonce != 0x1234u, "HelloReply nonce %x",
	      h.hello.p.body.hello_reply.boot_nonce);

	/* With a port hook: the port re-initialises; until then input is ignored. */
	setup_with(host_reset_hook, 0x77u);
	host_hello(AGENT_PROTOCOL_VERSION, 1u);
	tw_init(&pk);
	pk.p.which_body = rtiohil_Packet_reset_tag;
	host_feed(&pk);
	CHECK_MSG(h.reset_calls == 1u && agent_reset_pending(&agent), "reset hook calls %u", h.reset_calls);
	host_hello(AGENT_PROTOCOL_VERSION, 2u);
	CHECK_MSG(!h.have_hello, "answered while a reset is pending");
}

static void test_faults(void)
{
	struct agent_fault f;
	uint32_t i;

	setup();
	tw_init(&pk);
	pk.p.which_body = rtiohil_Packet_inject_fault_tag;
	pk.p.body.inject_fault.iodev = 1u;
	pk.p.body.inject_fault.kind = rtiohil_FaultKind_FAULT_KIND_NACK;
	pk.p.body.inject_fault.at_byte = 2u;
	pk.p.body.inject_fault.count = 1u;
	host_send(&pk);
	CHECK_MSG(h.n_status == 1u && h.statuses[0] == 0, "Status %d", h.statuses[0]);
	CHECK_MSG(fakes[0].dev.faults.len == 1u && fakes[0].dev.faults.queue[0].kind == AGENT_FAULT_NACK &&
	      fakes[0].dev.faults.queue[0].at_byte == 2u, "fault not armed");
	f = agent_fault_take(&fakes[0].dev.faults);
	CHECK_MSG(f.kind == AGENT_FAULT_NACK && fakes[0].dev.faults.len == 0u, "take: kind %d, %u left", f.kind,
	      fakes[0].dev.faults.len);
	f = agent_fault_take(&fakes[0].dev.faults);
	CHECK_MSG(f.kind == AGENT_FAULT_NONE, "take from nothing: %d", f.kind);

	pk.p.body.inject_fault.iodev = 99u;
	host_send(&pk);
	pk.p.body.inject_fault.iodev = 2u;
	pk.p.body.inject_fault.kind = rtiohil_FaultKind_FAULT_KIND_UNSPECIFIED;
	host_send(&pk);
	CHECK_MSG(h.statuses[1] == -AGENT_ENODEV && h.statuses[2] == -AGENT_EINVAL, "Status %d %d", h.statuses[1],
	      h.statuses[2]);
	pk.p.body.inject_fault.kind = rtiohil_FaultKind_FAULT_KIND_SHORT_READ;
	pk.p.body.inject_fault.bytes = 3u;
	pk.p.body.inject_fault.count = 0u; /* until cleared */
	for (i = 0u; i < AGENT_FAULTS_MAX + 1u; i++) {
		host_send(&pk);
	}
	CHECK_MSG(h.n_status == 3u + AGENT_FAULTS_MAX + 1u && h.statuses[h.n_status - 1u] == -AGENT_ENOMEM,
	      "a full fault queue: %d", h.statuses[h.n_status - 1u]);
	f = agent_fault_take(&fakes[1].dev.faults);
	f = agent_fault_take(&fakes[1].dev.faults);
	CHECK_MSG(f.kind == AGENT_FAULT_SHORT_READ && f.bytes == 3u && fakes[1].dev.faults.len == AGENT_FAULTS_MAX,
	      "a count-0 fault was used up");
	tw_init(&pk);
	pk.p.which_body = rtiohil_Packet_clear_faults_tag;
	host_send(&pk);
	CHECK_MSG(h.statuses[h.n_status - 1u] == 0 && fakes[1].dev.faults.len == 0u, "ClearFaults");
}

static void test_log(void)
{
	setup_with(NULL, 1u);
	CHECK_MSG(agent_log(&agent, AGENT_LOG_INF, "x") == -AGENT_ENOTCONN, "log without a session");
	host_hello(AGENT_PROTOCOL_VERSION, 1u);
	CHECK_MSG(agent_log(&agent, 0u, "x") == -AGENT_EINVAL && agent_log(&agent, 5u, "x") == -AGENT_EINVAL &&
	      agent_log(&agent, 1u, NULL) == -AGENT_EINVAL, "bad log arguments accepted");
	CHECK_MSG(agent_log(&agent, AGENT_LOG_INF, "eeprom0 ready in 5 \xc2\xb5s") == 0, "agent_log failed");
	host_parse();
	CHECK_MSG(h.n_logs == 1u && h.log_levels[0] == AGENT_LOG_INF && strcmp(h.logs[0], "eeprom0 ready in 5 \xc2\xb5s") == 0,
	      "log \"%s\"", h.logs[0]);
}

static void test_regions_and_buffers(void)
{
	static const uint8_t abcd[4] = { 'a', 'b', 'c', 'd' };
	static const uint8_t init[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	rtiohil_Sqe *q;

	setup();
	/* RX on fake0 into region 1, then TX of region 1 to fake1: the data moves device to device. */
	tw_init(&pk);
	tw_add_region_sqe(&pk, 1u, AGENT_OP_RX, AGENT_SQE_CHAINED, 1u, 4u, 1u, 0u);
	tw_add_region_sqe(&pk, 2u, AGENT_OP_TX, 0u, 2u, 4u, 1u, 0u);
	tw_add_region(&pk, 4u, NULL, 0u);
	host_run(&pk);
	CHECK_MSG(result_of(1u) == 4 && result_of(2u) == 4, "RX %d TX %d", result_of(1u), result_of(2u));
	CHECK_MSG(fakes[1].tx_seen_len == 4u && fakes[1].tx_seen[0] == FAKE_PATTERN && fakes[1].tx_seen[3] == FAKE_PATTERN + 3u,
	      "the TX sent %u bytes, first %02x", fakes[1].tx_seen_len, fakes[1].tx_seen[0]);
	check_idle();

	/*
	 * Two chains in one Submit, regions numbered within it: the second chain's TX sends a slice
	 * of its own region (what its RX read, around bytes the host already had), not the first's.
	 */
	tw_init(&pk);
	tw_add_region_sqe(&pk, 3u, AGENT_OP_RX, AGENT_SQE_CHAINED, 1u, 2u, 1u, 0u);
	tw_add_region_sqe(&pk, 4u, AGENT_OP_TX, 0u, 1u, 2u, 1u, 0u);
	tw_add_region_sqe(&pk, 5u, AGENT_OP_RX, AGENT_SQE_CHAINED, 1u, 2u, 2u, 3u);
	tw_add_region_sqe(&pk, 6u, AGENT_OP_TX, 0u, 2u, 4u, 2u, 2u);
	tw_add_region(&pk, 2u, NULL, 0u);
	tw_add_region(&pk, 8u, init, 8u);
	host_run(&pk);
	CHECK_MSG(result_of(5u) == 2 && result_of(6u) == 4, "RX %d TX %d", result_of(5u), result_of(6u));
	CHECK_MSG(fakes[1].tx_seen_len == 4u && fakes[1].tx_seen[0] == 3u && fakes[1].tx_seen[1] == FAKE_PATTERN &&
	      fakes[1].tx_seen[2] == FAKE_PATTERN + 1u && fakes[1].tx_seen[3] == 6u,
	      "the TX sent %02x %02x %02x %02x", fakes[1].tx_seen[0], fakes[1].tx_seen[1], fakes[1].tx_seen[2], fakes[1].tx_seen[3]);
	check_idle();

	/* Inside one transaction the TX sees what the driver put in the region before it. */
	memset(fakes[0].tx_seen, 0, sizeof(fakes[0].tx_seen));
	tw_init(&pk);
	tw_add_region_sqe(&pk, 7u, AGENT_OP_RX, AGENT_SQE_TRANSACTION, 1u, 2u, 1u, 0u);
	tw_add_region_sqe(&pk, 8u, AGENT_OP_TXRX, 0u, 1u, 2u, 1u, 0u);
	tw_add_region(&pk, 2u, NULL, 0u);
	host_run(&pk);
	CHECK_MSG(result_of(7u) == 2 && result_of(8u) == 2 && pattern_ok(cqe_of(8u), 2u), "TXRX from the RX's region: %d",
	      result_of(8u));
	check_idle();

	/* Regions ahead of the SQEs on the wire: the field order of a message is free. */
	tw_init(&pk);
	pk.regions_first = true;
	tw_add_region_sqe(&pk, 9u, AGENT_OP_TX, 0u, 2u, 3u, 1u, 5u);
	tw_add_region(&pk, 8u, init, 8u);
	host_run(&pk);
	CHECK_MSG(result_of(9u) == 3 && fakes[1].tx_seen_len == 3u && fakes[1].tx_seen[0] == 6u && fakes[1].tx_seen[2] == 8u,
	      "TX from a region sent first: %d, %u bytes", result_of(9u), fakes[1].tx_seen_len);
	check_idle();

	/* Bad regions: a range outside one, one too large, an init of another length. */
	tw_init(&pk);
	tw_add_region_sqe(&pk, 10u, AGENT_OP_TX, 0u, 2u, 3u, 1u, 6u);
	tw_add_region_sqe(&pk, 11u, AGENT_OP_RX, 0u, 1u, 4u, 2u, 0u);
	tw_add_region_sqe(&pk, 12u, AGENT_OP_RX, 0u, 1u, 4u, 3u, 0u);
	tw_add_region(&pk, 8u, init, 8u);
	tw_add_region(&pk, AGENT_MAX_BUFFER_BYTES + 1u, NULL, 0u);
	tw_add_region(&pk, 6u, init, 8u);
	host_run(&pk);
	CHECK_MSG(result_of(10u) == -AGENT_EINVAL, "a range past the region: %d", result_of(10u));
	CHECK_MSG(result_of(11u) == -AGENT_EMSGSIZE, "a region over the limit: %d", result_of(11u));
	CHECK_MSG(result_of(12u) == -AGENT_EINVAL, "an init of another length: %d", result_of(12u));
	check_idle();

	/* TXRX with its own data; a single mempool RX. */
	tw_init(&pk);
	q = tw_add_sqe(&pk, 15u, AGENT_OP_TXRX, 0u, 1u);
	q->len = 4u;
	tw_set_tx(&pk, 0u, abcd, 4u);
	tw_add_sqe(&pk, 16u, AGENT_OP_RX, AGENT_SQE_MEMPOOL_BUFFER, 1u);
	host_run(&pk);
	CHECK_MSG(result_of(15u) == 4 && cqe_of(15u) != NULL && memcmp(cqe_of(15u)->data, "abcd", 4u) == 0, "TXRX %d",
	      result_of(15u));
	CHECK_MSG(result_of(16u) == (int32_t)FAKE_POOL_LEN && pattern_ok(cqe_of(16u), FAKE_POOL_LEN) &&
	      cqe_of(16u)->flags == 0u, "mempool RX %d", result_of(16u));

	/* Many small CQEs share one Complete packet. */
	h.complete_packets = 0u;
	h.n_cqes = 0u;
	tw_init(&pk);
	for (q = NULL; pk.n_sqes < 30u;) {
		q = tw_add_sqe(&pk, 100u + pk.n_sqes, AGENT_OP_NOP, 0u, 0u);
	}
	(void)q;
	host_send(&pk);
	CHECK_MSG(h.n_cqes == 30u && h.complete_packets == 1u, "%zu CQEs in %u packets", h.n_cqes, h.complete_packets);
	check_idle();
}

static void test_ack_delay(void)
{

	ack_delay_us = 10000u;
	setup();
	ack_delay_us = 0u;
	/* A completion within the delay carries the ack: no pure ack. */
	tw_init(&pk);
	add_rx(1u, 0u, 1u, 2u, 0u);
	host_send(&pk);
	host_poll(100u);
	CHECK_MSG(result_of(1u) == 2 && h.pure_acks == 0u && h.last_ack == 1u, "pure acks %u, ack %u", h.pure_acks, h.last_ack);
	/* Nothing to carry it: a pure ack once the delay has passed. */
	tw_init(&pk);
	add_rx(2u, 0u, 1u, 2u, FAKE_HANG);
	host_send(&pk);
	host_poll(0u);
	poll_to_just_before_due(10000u);
	CHECK_MSG(h.pure_acks == 0u, "pure ack before the delay");
	host_poll(1u);
	CHECK_MSG(h.pure_acks == 1u && h.last_ack == 2u, "pure acks %u, ack %u", h.pure_acks, h.last_ack);
	tw_init(&pk);
	host_hello(AGENT_PROTOCOL_VERSION, 5u); /* drops the hanging RX */
	check_idle();
}

/* ---------------------------------------------------------------- main */

static const struct check_test all[] = {
	{ "handshake", test_handshake },
	{ "nop", test_nop },
	{ "chain failure cascade", test_chain_failure },
	{ "transaction", test_transaction },
	{ "multishot until cancel", test_multishot_cancel },
	{ "multishot ends when the ring is nearly full", test_multishot_stops_when_full },
	{ "timeout", test_timeout },
	{ "duplicate submit", test_duplicate_submit },
	{ "bad frames", test_bad_frames },
	{ "invalid sqes", test_invalid_sqes },
	{ "capacity", test_capacity },
	{ "delay, await, cancel", test_delay_await_cancel },
	{ "retransmission and window", test_retransmit_and_window },
	{ "link recovery", test_link_recovery },
	{ "hello drops the session", test_hello_drops_session },
	{ "reset", test_reset },
	{ "faults", test_faults },
	{ "log", test_log },
	{ "regions and buffers", test_regions_and_buffers },
	{ "ack delay", test_ack_delay },
};

int main(void)
{
	printf("agent: sizeof(struct agent) = %zu bytes (executor %zu, link %zu, arena %u)\n", sizeof(struct agent),
	       sizeof(struct executor), sizeof(struct agent_link), AGENT_ARENA_BYTES);
	return check_run("agent-test", all, sizeof(all) / sizeof(all[0]));
}
