/*
 * agent-test's host; see agent-fixture.h.
 */
#include "agent-fixture.h"

struct host h;
struct agent agent;
struct tw_packet pk;      /* host packet being built */
static struct tw_packet rx_pk;   /* agent packet being decoded */
struct tw_packet ack_pk;  /* the host's pure acks */
struct fake fakes[2];
struct agent_iodev *table[2];
uint8_t payload[AGENT_MAX_PAYLOAD_BYTES * 2u];
uint32_t ack_delay_us; /* agent_config.ack_delay_us of the next setup */
static uint8_t wire[AGENT_FRAME_WIRE_LEN_MAX(AGENT_MAX_PAYLOAD_BYTES * 2u)];

/* Appends to pk an RX of @p len bytes on @p iodev (a fake) scripted by @p script (FAKE_*; 0: as asked). */
rtiohil_Sqe *add_rx(uint32_t id, uint32_t flags, uint32_t iodev, uint32_t len, uint32_t script)
{
	rtiohil_Sqe *q = tw_add_sqe(&pk, id, AGENT_OP_RX, flags, iodev);

	q->len = len;
	q->iodev_flags = script;
	return q;
}

/* Appends to pk a DELAY of @p us. */
void add_delay(uint32_t id, uint32_t flags, uint32_t us)
{
	tw_add_sqe(&pk, id, AGENT_OP_DELAY, flags, 0u)->delay_us = us;
}

void host_write(void *ctx, const uint8_t *data, size_t len)
{
	(void)ctx;
	if (h.out_len + len > OUT_CAP) {
		CHECK_MSG(h.out_len + len <= OUT_CAP, "the agent wrote more than %u bytes", OUT_CAP);
		return;
	}
	memcpy(h.out + h.out_len, data, len);
	h.out_len += len;
}

uint64_t host_now(void *ctx)
{
	(void)ctx;
	return h.now;
}

void host_reset_hook(void *ctx)
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
			c->timed = p->cqes[i].m.has_start_us && p->cqes[i].m.has_end_us;
			c->start_us = p->cqes[i].m.start_us;
			c->end_us = p->cqes[i].m.end_us;
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

/* Decodes every frame the agent wrote since the last call; acks when asked to. */
void host_parse(void)
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
void host_feed(const struct tw_packet *p)
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

void host_send_raw(const uint8_t *bytes, size_t len)
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
void host_send(struct tw_packet *p)
{
	p->p.seq = ++h.tx_seq;
	p->p.ack = host_ack();
	host_feed(p);
	host_parse();
}

/* Sends @p p with a given seq (duplicates, gaps). */
void host_send_seq(struct tw_packet *p, uint32_t seq)
{
	p->p.seq = seq;
	p->p.ack = host_ack();
	host_feed(p);
	host_parse();
}

void host_hello(uint32_t version, uint32_t nonce)
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

void host_poll(uint64_t advance_us)
{
	h.now += advance_us;
	agent_poll(&agent, h.now);
	host_parse();
}

/* Checks that the agent's next due time is @p us from now, then polls to one µs before it. */
void poll_to_just_before_due(uint64_t us)
{
	CHECK_MSG(agent_next_due_us(&agent) == h.now + us, "next due %llu, now %llu",
		  (unsigned long long)agent_next_due_us(&agent), (unsigned long long)h.now);
	host_poll(us - 1u);
}

/* Polls until the agent has nothing due now (bounded). */
void host_settle(void)
{
	int i;

	for (i = 0; i < 64 && agent_next_due_us(&agent) <= h.now; i++) {
		host_poll(0u);
	}
}

/* Sends @p p as the next sequenced packet and lets the agent run until nothing is due. */
void host_run(struct tw_packet *p)
{
	host_send(p);
	host_settle();
}

void host_cancel(uint32_t id)
{
	tw_init(&pk);
	pk.p.which_body = rtiohil_Packet_cancel_tag;
	pk.p.body.cancel.id = id;
	host_send(&pk);
}

void host_signal(uint32_t id)
{
	tw_init(&pk);
	pk.p.which_body = rtiohil_Packet_signal_tag;
	pk.p.body.signal.id = id;
	host_send(&pk);
}

const struct rec_cqe *cqe_of(uint32_t id)
{
	size_t i;

	for (i = 0u; i < h.n_cqes; i++) {
		if (h.cqes[i].id == id) {
			return &h.cqes[i];
		}
	}
	return NULL;
}

unsigned int cqes_of(uint32_t id)
{
	unsigned int n = 0u;
	size_t i;

	for (i = 0u; i < h.n_cqes; i++) {
		n += h.cqes[i].id == id;
	}
	return n;
}

/* Index of the CQE of @p id in arrival order, or -1. */
int order_of(uint32_t id)
{
	size_t i;

	for (i = 0u; i < h.n_cqes; i++) {
		if (h.cqes[i].id == id) {
			return (int)i;
		}
	}
	return -1;
}

int32_t result_of(uint32_t id)
{
	const struct rec_cqe *c = cqe_of(id);

	return c == NULL ? 12345 : c->result;
}

bool pattern_ok(const struct rec_cqe *c, uint32_t len)
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

struct agent_stats stats(void)
{
	struct agent_stats s;

	agent_get_stats(&agent, &s);
	return s;
}

void setup_with(void (*reset)(void *), uint32_t nonce)
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

void setup(void)
{
	setup_with(NULL, 0x1234u);
	host_hello(AGENT_PROTOCOL_VERSION, 0xabcu);
	CHECK_MSG(h.have_hello, "no HelloReply");
}

/* Nothing left behind: no slot, no arena byte, no CQE waiting. */
void check_idle(void)
{
	CHECK_MSG(exec_slots_used(&agent.ex) == 0u, "%zu slots still used", exec_slots_used(&agent.ex));
	CHECK_MSG(exec_arena_used(&agent.ex) == 0u, "%zu arena bytes still used", exec_arena_used(&agent.ex));
	CHECK_MSG(exec_cqe_count(&agent.ex) == 0u, "%zu CQEs still waiting", exec_cqe_count(&agent.ex));
}
