/**
 * @file
 * @brief The agent: frames in, Packets decoded (nanopb), link rules, dispatch to the executor,
 *        completions batched into Complete packets; see agent.h.
 *
 * Decoding never copies a Submit into a static message: Submit.sqes and Sqe.tx are nanopb
 * callbacks (protocol/rtio.options), so SQEs are taken one at a time from the received frame
 * and TX bytes (and regions' bytes) go straight into the executor's arena. A first pass checks
 * the whole Packet and reads seq, ack and the body kind without side effects; only a Submit
 * that is the next in sequence is decoded again, twice: its regions, then its SQEs, which
 * name the regions wherever they sit in the message.
 */
#include "agent.h"

#include "pb_decode.h"
#include "pb_encode.h"
#include "rtio.pb.h"

#define MODE_SCAN 0u    /* first pass: check only */
#define MODE_REGIONS 1u /* second pass: hand a Submit's regions to the executor */
#define MODE_LOAD 2u    /* third pass: hand its SQEs to the executor */

#define REPLY_CANCEL 1u
#define REPLY_STATUS 2u

/* Encoded size of a Packet's body field (tag 3..14 is one byte) around @p inner bytes. */
#define BODY_FIELD_SIZE(inner) (1u + varint_size((uint32_t)(inner)) + (inner))

static uint32_t varint_size(uint32_t v)
{
	uint32_t n = 1u;

	while (v >= 0x80u) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint32_t zigzag(int32_t v)
{
	return v < 0 ? ((~(uint32_t)v) << 1) | 1u : (uint32_t)v << 1;
}

static size_t str_len(const char *s, size_t max)
{
	size_t n = 0u;

	while (n < max && s[n] != '\0') {
		n++;
	}
	return n;
}

static void *unconst(const void *p)
{
	return (void *)(uintptr_t)p;
}

static uint64_t now(const struct agent *a)
{
	return a->cfg.now_us(a->cfg.ctx);
}

/* ------------------------------------------------------------------ encoding callbacks */

static bool enc_string(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	const char *s = (const char *)*arg;
	size_t n = s == NULL ? 0u : str_len(s, AGENT_LINK_BODY_MAX);

	if (n == 0u) {
		return true; /* proto3 leaves empty strings out */
	}
	return pb_encode_tag_for_field(stream, field) &&
	       pb_encode_string(stream, (const pb_byte_t *)s, n);
}

static bool enc_log_text(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	const char *s = (const char *)*arg;
	size_t n = str_len(s, AGENT_LOG_TEXT_MAX);

	return n == 0u || (pb_encode_tag_for_field(stream, field) &&
			   pb_encode_string(stream, (const pb_byte_t *)s, n));
}

static bool enc_capabilities(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	const char *const *caps = (const char *const *)*arg;
	size_t i;

	for (i = 0u; caps != NULL && caps[i] != NULL; i++) {
		if (!pb_encode_tag_for_field(stream, field) ||
		    !pb_encode_string(stream, (const pb_byte_t *)caps[i], str_len(caps[i], 64u))) {
			return false;
		}
	}
	return true;
}

static bool enc_iodevs(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	const struct agent *a = (const struct agent *)*arg;
	size_t i;

	for (i = 0u; i < a->cfg.iodev_count; i++) {
		const struct agent_iodev *dev = a->cfg.iodevs[i];
		rtiohil_IodevDesc d;

		d.id = dev->id;
		d.name.funcs.encode = enc_string;
		d.name.arg = unconst(dev->name);
		d.kind = (rtiohil_IodevKind)dev->kind;
		d.bus.funcs.encode = enc_string;
		d.bus.arg = unconst(dev->bus);
		d.address = dev->address;
		d.part.funcs.encode = enc_string;
		d.part.arg = unconst(dev->part);
		d.capabilities.funcs.encode = enc_capabilities;
		d.capabilities.arg = unconst(dev->capabilities);
		if (!pb_encode_tag_for_field(stream, field) ||
		    !pb_encode_submessage(stream, rtiohil_IodevDesc_fields, &d)) {
			return false;
		}
	}
	return true;
}

static bool enc_cqe_data(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	const struct exec_cqe *c = (const struct exec_cqe *)*arg;

	return c->len == 0u || (pb_encode_tag_for_field(stream, field) &&
				pb_encode_string(stream, c->data, c->len));
}

struct cqe_batch {
	const struct executor *ex;
	size_t count;
};

static bool enc_cqes(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	const struct cqe_batch *b = (const struct cqe_batch *)*arg;
	size_t i;

	for (i = 0u; i < b->count; i++) {
		const struct exec_cqe *c = exec_cqe_peek(b->ex, i);
		rtiohil_Cqe m;

		m.id = c->id;
		m.result = c->result;
		m.flags = c->flags;
		m.data.funcs.encode = enc_cqe_data;
		m.data.arg = unconst(c);
		if (!pb_encode_tag_for_field(stream, field) ||
		    !pb_encode_submessage(stream, rtiohil_Cqe_fields, &m)) {
			return false;
		}
	}
	return true;
}

/* Bytes a Cqe takes inside Complete: tag, length, fields (zeros left out). */
static uint32_t cqe_field_size(const struct exec_cqe *c)
{
	uint32_t n = 0u;

	if (c->id != 0u) {
		n += 1u + varint_size(c->id);
	}
	if (c->result != 0) {
		n += 1u + varint_size(zigzag(c->result));
	}
	if (c->flags != 0u) {
		n += 1u + varint_size(c->flags);
	}
	if (c->len != 0u) {
		n += 1u + varint_size(c->len) + c->len;
	}
	return 1u + varint_size(n) + n;
}

/* ------------------------------------------------------------------ sending */

/*
 * Starts an outgoing Packet with body @p which: seq, ack and rej 0 (the link adds them), and no
 * cb_body (nanopb calls it on encode too).
 */
static void packet_start(rtiohil_Packet *pkt, pb_size_t which)
{
	pkt->seq = 0u;
	pkt->ack = 0u;
	pkt->rej = false;
	pkt->cb_body.funcs.encode = NULL;
	pkt->cb_body.arg = NULL;
	pkt->which_body = which;
}

/* Encodes @p pkt (seq and ack 0) as the body of the next sequenced packet. */
static bool queue_packet(struct agent *a, const rtiohil_Packet *pkt)
{
	uint8_t *body = agent_link_body(&a->link);
	pb_ostream_t os;

	if (body == NULL) {
		return false;
	}
	os = pb_ostream_from_buffer(body, AGENT_LINK_BODY_MAX);
	if (!pb_encode(&os, rtiohil_Packet_fields, pkt)) {
		a->stats.encode_errors++;
		return false;
	}
	agent_link_commit(&a->link, os.bytes_written);
	return true;
}

/* Moves as many waiting CQEs as fit into one Complete packet. */
/*
 * Bytes of CQEs one Complete may carry: all a packet holds, or AGENT_LOSSY_BODY_BYTES for the
 * AGENT_LOSSY_PACKETS packets after a retransmission, so that on a noisy line a lost packet
 * costs less and the next ones are less likely to be hit (one CQE always goes, however big).
 */
static uint32_t complete_budget(struct agent *a)
{
	uint32_t retransmits = agent_link_stats(&a->link)->retransmits;

	if (retransmits != a->seen_retransmits) {
		a->seen_retransmits = retransmits;
		a->lossy_packets = AGENT_LOSSY_PACKETS;
	}
	return a->lossy_packets > 0u ? AGENT_LOSSY_BODY_BYTES : AGENT_LINK_BODY_MAX;
}

static bool queue_completions(struct agent *a)
{
	struct cqe_batch batch;
	rtiohil_Packet pkt;
	size_t total = exec_cqe_count(&a->ex);
	uint32_t budget = complete_budget(a);
	uint32_t inner = 0u;
	size_t n = 0u;

	while (n < total) {
		uint32_t next = inner + cqe_field_size(exec_cqe_peek(&a->ex, n));

		if (BODY_FIELD_SIZE(next) > (n == 0u ? AGENT_LINK_BODY_MAX : budget)) {
			break;
		}
		inner = next;
		n++;
	}
	if (a->lossy_packets > 0u && n > 0u) {
		a->lossy_packets--;
	}
	if (n == 0u) {
		/* Cannot happen: AGENT_MAX_BUFFER_BYTES leaves room for one CQE. */
		a->stats.encode_errors++;
		exec_cqe_pop(&a->ex, 1u);
		return true;
	}
	batch.ex = &a->ex;
	batch.count = n;
	packet_start(&pkt, rtiohil_Packet_complete_tag);
	pkt.body.complete.cqes.funcs.encode = enc_cqes;
	pkt.body.complete.cqes.arg = &batch;
	if (agent_link_window_free(&a->link) == 0u) {
		return false;
	}
	if (queue_packet(a, &pkt)) {
		a->stats.cqes_sent += (uint32_t)n;
	} else {
		a->stats.cqes_dropped += (uint32_t)n; /* an encoding failure (a bug): never spin on it */
	}
	exec_cqe_pop(&a->ex, n);
	return true;
}

static bool queue_reply(struct agent *a, const struct agent_reply *r)
{
	rtiohil_Packet pkt;

	if (r->kind == REPLY_CANCEL) {
		packet_start(&pkt, rtiohil_Packet_cancel_reply_tag);
		pkt.body.cancel_reply.id = r->id;
		pkt.body.cancel_reply.result = r->result;
	} else {
		packet_start(&pkt, rtiohil_Packet_status_tag);
		pkt.body.status.result = r->result;
	}
	return queue_packet(a, &pkt);
}

/* Sends what is ready: replies, then completions, as the window allows; then a pure ack. */
static void flush(struct agent *a)
{
	if (!a->session || a->halted) {
		return;
	}
	while (a->reply_len > 0u && agent_link_window_free(&a->link) > 0u) {
		if (!queue_reply(a, &a->replies[a->reply_head])) {
			break;
		}
		a->reply_head = (uint8_t)((a->reply_head + 1u) % AGENT_REPLY_QUEUE);
		a->reply_len--;
	}
	while (exec_cqe_count(&a->ex) > 0u && agent_link_window_free(&a->link) > 0u) {
		if (!queue_completions(a)) {
			break;
		}
	}
	agent_link_flush(&a->link, now(a));
}

static void add_reply(struct agent *a, uint8_t kind, uint32_t id, int32_t result)
{
	struct agent_reply *r;

	if (a->reply_len >= AGENT_REPLY_QUEUE) {
		return; /* checked before the packet was accepted */
	}
	r = &a->replies[(a->reply_head + a->reply_len) % AGENT_REPLY_QUEUE];
	r->kind = kind;
	r->id = id;
	r->result = result;
	a->reply_len++;
}

/* Sends HelloReply for @p host_nonce (0: unsolicited). Only while a received packet is handled. */
static void send_hello_reply(struct agent *a, uint32_t host_nonce)
{
	/* The received frame is decoded already: its buffer is free until the next byte comes. */
	uint8_t *buf = a->rx_buf;
	rtiohil_Packet pkt;
	rtiohil_HelloReply *h = &pkt.body.hello_reply;
	pb_ostream_t os;

	packet_start(&pkt, rtiohil_Packet_hello_reply_tag);
	h->protocol_version = AGENT_PROTOCOL_VERSION;
	h->build_id.funcs.encode = enc_string;
	h->build_id.arg = unconst(a->cfg.build_id);
	h->boot_nonce = a->boot_nonce;
	h->max_frame_bytes = (uint32_t)AGENT_FRAME_DECODER_BUF_LEN;
	h->window = AGENT_WINDOW;
	h->max_sqes = AGENT_MAX_SQES;
	h->iodevs.funcs.encode = enc_iodevs;
	h->iodevs.arg = a;
	h->host_nonce = host_nonce;
	h->max_buffer_bytes = AGENT_MAX_BUFFER_BYTES;
	os = pb_ostream_from_buffer(buf, AGENT_MAX_PAYLOAD_BYTES);
	if (!pb_encode(&os, rtiohil_Packet_fields, &pkt)) {
		a->stats.encode_errors++;
		return;
	}
	(void)agent_link_send_raw(&a->link, buf, os.bytes_written);
}

int agent_log(struct agent *agent, uint32_t level, const char *text)
{
	rtiohil_Packet pkt;

	if (level < AGENT_LOG_ERR || level > AGENT_LOG_DBG || text == NULL) {
		return -AGENT_EINVAL;
	}
	if (!agent->session || agent->halted) {
		return -AGENT_ENOTCONN;
	}
	packet_start(&pkt, rtiohil_Packet_log_tag);
	pkt.body.log.level = level;
	pkt.body.log.text.funcs.encode = enc_log_text;
	pkt.body.log.text.arg = unconst(text);
	if (!queue_packet(agent, &pkt)) {
		agent->stats.logs_dropped++;
		return -AGENT_EBUSY;
	}
	agent_link_flush(&agent->link, now(agent));
	return 0;
}

/* ------------------------------------------------------------------ decoding callbacks */

struct tx_capture {
	struct agent *a;
	uint8_t *buf;
	uint32_t len;
	int32_t err;
};

static bool dec_tx(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	struct tx_capture *cap = (struct tx_capture *)*arg;
	size_t n = stream->bytes_left;

	(void)field;
	if (cap->a->decode_mode != MODE_LOAD) {
		return pb_read(stream, NULL, n);
	}
	exec_arena_unref(&cap->a->ex, cap->buf); /* a repeated field: the last one counts */
	cap->buf = NULL;
	cap->len = 0u;
	cap->err = 0;
	if (n == 0u) {
		return true;
	}
	if (n > AGENT_MAX_BUFFER_BYTES) {
		cap->err = -AGENT_EMSGSIZE;
		return pb_read(stream, NULL, n);
	}
	cap->buf = exec_arena_alloc(&cap->a->ex, (uint32_t)n);
	if (cap->buf == NULL) {
		cap->err = -AGENT_ENOMEM;
		return pb_read(stream, NULL, n);
	}
	cap->len = (uint32_t)n;
	return pb_read(stream, cap->buf, n);
}

static bool dec_sqe(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	struct agent *a = (struct agent *)*arg;
	struct tx_capture cap;
	struct exec_sqe_desc d;
	rtiohil_Sqe m;

	(void)field;
	cap.a = a;
	cap.buf = NULL;
	cap.len = 0u;
	cap.err = 0;
	m.tx.funcs.decode = dec_tx;
	m.tx.arg = &cap;
	if (!pb_decode(stream, rtiohil_Sqe_fields, &m)) {
		exec_arena_unref(&a->ex, cap.buf);
		return false;
	}
	if (a->decode_mode != MODE_LOAD) {
		return true;
	}
	d.id = m.id;
	d.op = m.op;
	d.flags = m.flags;
	d.iodev = m.iodev;
	d.iodev_flags = m.iodev_flags;
	d.prio = m.prio;
	d.len = m.len;
	d.tx_region = m.tx_region;
	d.tx_offset = m.tx_offset;
	d.rx_region = m.rx_region;
	d.rx_offset = m.rx_offset;
	d.timeout_us = m.timeout_us;
	d.delay_us = m.delay_us;
	d.i2c_config = m.i2c_config;
	exec_submit_sqe(&a->ex, &d, cap.buf, cap.len, cap.err);
	return true;
}

/* Region.init: the region's bytes go straight into an arena buffer of their own. */
static bool dec_region_init(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	struct tx_capture *cap = (struct tx_capture *)*arg;
	size_t n = stream->bytes_left;

	(void)field;
	if (cap->a->decode_mode != MODE_REGIONS) {
		return pb_read(stream, NULL, n);
	}
	exec_arena_unref(&cap->a->ex, cap->buf); /* a repeated field: the last one counts */
	cap->buf = NULL;
	cap->len = (uint32_t)n;
	cap->err = 0;
	if (n == 0u) {
		return true;
	}
	if (n > AGENT_MAX_BUFFER_BYTES) {
		cap->err = -AGENT_EMSGSIZE;
		return pb_read(stream, NULL, n);
	}
	cap->buf = exec_arena_alloc(&cap->a->ex, (uint32_t)n);
	if (cap->buf == NULL) {
		cap->err = -AGENT_ENOMEM;
		return pb_read(stream, NULL, n);
	}
	return pb_read(stream, cap->buf, n);
}

static bool dec_region(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	struct agent *a = (struct agent *)*arg;
	struct tx_capture cap;
	rtiohil_Region m;
	int32_t err;
	uint32_t i;

	(void)field;
	cap.a = a;
	cap.buf = NULL;
	cap.len = 0u;
	cap.err = 0;
	m.init.funcs.decode = dec_region_init;
	m.init.arg = &cap;
	if (!pb_decode(stream, rtiohil_Region_fields, &m)) {
		exec_arena_unref(&a->ex, cap.buf);
		return false;
	}
	if (a->decode_mode != MODE_REGIONS) {
		return true;
	}
	err = cap.err;
	if (err == 0 && (m.len == 0u || m.len > AGENT_MAX_BUFFER_BYTES)) {
		err = m.len == 0u ? -AGENT_EINVAL : -AGENT_EMSGSIZE;
	}
	if (err == 0 && cap.len != 0u && cap.len != m.len) {
		err = -AGENT_EINVAL; /* init is all of the region or nothing */
	}
	if (err == 0 && cap.buf == NULL) {
		cap.buf = exec_arena_alloc(&a->ex, m.len);
		if (cap.buf == NULL) {
			err = -AGENT_ENOMEM;
		}
		for (i = 0u; cap.buf != NULL && i < m.len; i++) {
			cap.buf[i] = 0u;
		}
	}
	exec_submit_region(&a->ex, cap.buf, m.len, err);
	return true;
}

/* Packet.cb_body: called before a body is decoded, to set the callbacks inside it. */
static bool dec_body(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	(void)stream;
	if (field->tag == rtiohil_Packet_submit_tag) {
		rtiohil_Submit *s = (rtiohil_Submit *)field->pData;

		s->sqes.funcs.decode = dec_sqe;
		s->sqes.arg = *arg;
		s->regions.funcs.decode = dec_region;
		s->regions.arg = *arg;
	}
	return true;
}

static bool decode_packet(struct agent *a, const uint8_t *buf, size_t len, uint8_t mode,
			  rtiohil_Packet *pkt)
{
	pb_istream_t is = pb_istream_from_buffer(buf, len);

	a->decode_mode = mode;
	pkt->cb_body.funcs.decode = dec_body;
	pkt->cb_body.arg = a;
	return pb_decode(&is, rtiohil_Packet_fields, pkt);
}

/* ------------------------------------------------------------------ handling */

static void clear_faults(struct agent *a)
{
	size_t i;

	for (i = 0u; i < a->cfg.iodev_count; i++) {
		a->cfg.iodevs[i]->faults.len = 0u;
	}
}

static int32_t inject_fault(struct agent *a, const rtiohil_InjectFault *m)
{
	struct agent_iodev *dev = exec_iodev(&a->ex, m->iodev);
	struct agent_fault *f;

	if (dev == NULL) {
		return -AGENT_ENODEV;
	}
	if (m->kind < rtiohil_FaultKind_FAULT_KIND_NACK || m->kind > rtiohil_FaultKind_FAULT_KIND_DELAY) {
		return -AGENT_EINVAL;
	}
	if (dev->faults.len >= AGENT_FAULTS_MAX) {
		return -AGENT_ENOMEM;
	}
	f = &dev->faults.queue[dev->faults.len];
	f->kind = (enum agent_fault_kind)m->kind;
	f->at_byte = m->at_byte;
	f->bytes = m->bytes;
	f->delay_us = m->delay_us;
	f->count = m->count;
	dev->faults.len++;
	return 0;
}

/* Drops everything in flight and every packet either way, silently. */
static void drop_session(struct agent *a)
{
	exec_reset(&a->ex);
	agent_link_reset(&a->link);
	a->reply_head = 0u;
	a->reply_len = 0u;
	clear_faults(a);
}

static void handle_hello(struct agent *a, const rtiohil_Hello *h)
{
	if (a->session && h->host_nonce != 0u && h->host_nonce == a->host_nonce) {
		send_hello_reply(a, h->host_nonce); /* the host did not get our reply: same session */
		return;
	}
	drop_session(a);
	a->session = h->protocol_version == AGENT_PROTOCOL_VERSION;
	a->host_nonce = h->host_nonce;
	send_hello_reply(a, h->host_nonce);
}

static void handle_reset(struct agent *a)
{
	drop_session(a);
	a->session = false;
	if (a->cfg.reset != NULL) {
		a->halted = true;
		a->cfg.reset(a->cfg.ctx);
		return;
	}
	/* No port hook: reset in place, with a new nonce (an LCG step: never the same). */
	a->boot_nonce = a->boot_nonce * 1664525u + 1013904223u;
}

static void handle_payload(struct agent *a, const uint8_t *buf, size_t len)
{
	rtiohil_Packet pkt;
	int32_t r;

	if (!decode_packet(a, buf, len, MODE_SCAN, &pkt)) {
		a->stats.decode_errors++;
		return;
	}
	if (pkt.which_body == rtiohil_Packet_hello_tag) {
		handle_hello(a, &pkt.body.hello);
		return;
	}
	if (!a->session) {
		/* We reset (or never had a session): our boot nonce tells the host. */
		a->stats.no_session++;
		send_hello_reply(a, 0u);
		return;
	}
	agent_link_on_ack(&a->link, pkt.ack, pkt.rej, now(a));
	if (pkt.which_body == rtiohil_Packet_reset_tag) {
		handle_reset(a);
		return;
	}
	if (pkt.seq == 0u) {
		if (pkt.which_body != 0u) {
			a->stats.unexpected++; /* only Hello and Reset travel unsequenced */
		}
		return;
	}
	if (agent_link_classify(&a->link, pkt.seq, now(a)) != AGENT_LINK_DELIVER) {
		return;
	}
	if ((pkt.which_body == rtiohil_Packet_cancel_tag ||
	     pkt.which_body == rtiohil_Packet_inject_fault_tag ||
	     pkt.which_body == rtiohil_Packet_clear_faults_tag) &&
	    a->reply_len >= AGENT_REPLY_QUEUE) {
		a->stats.refused++; /* not acknowledged: the host sends it again later */
		return;
	}
	agent_link_accept(&a->link, pkt.seq);
	switch (pkt.which_body) {
	case rtiohil_Packet_submit_tag:
		/* Regions first, wherever they are in the message: SQEs name them. */
		exec_submit_begin(&a->ex);
		if (!decode_packet(a, buf, len, MODE_REGIONS, &pkt) ||
		    !decode_packet(a, buf, len, MODE_LOAD, &pkt)) {
			a->stats.decode_errors++; /* cannot happen: the first pass decoded it */
		}
		exec_submit_end(&a->ex);
		break;
	case rtiohil_Packet_cancel_tag:
		r = exec_cancel(&a->ex, pkt.body.cancel.id);
		add_reply(a, REPLY_CANCEL, pkt.body.cancel.id, r);
		break;
	case rtiohil_Packet_signal_tag:
		if (exec_signal(&a->ex, pkt.body.signal.id) != 0) {
			(void)agent_log(a, AGENT_LOG_WRN, "Signal: no waiting or running AWAIT has that id");
		}
		break;
	case rtiohil_Packet_inject_fault_tag:
		add_reply(a, REPLY_STATUS, 0u, inject_fault(a, &pkt.body.inject_fault));
		break;
	case rtiohil_Packet_clear_faults_tag:
		clear_faults(a);
		add_reply(a, REPLY_STATUS, 0u, 0);
		break;
	case 0u:
		break; /* an empty sequenced packet: nothing to do */
	default:
		a->stats.unexpected++; /* a body only the agent sends */
		break;
	}
}

/* ------------------------------------------------------------------ API */

int agent_init(struct agent *agent, const struct agent_config *config)
{
	size_t i;
	size_t j;

	agent->halted = true;
	if (config == NULL || config->write == NULL || config->now_us == NULL ||
	    (config->iodev_count > 0u && config->iodevs == NULL)) {
		return -AGENT_EINVAL;
	}
	for (i = 0u; i < config->iodev_count; i++) {
		const struct agent_iodev *dev = config->iodevs[i];

		if (dev == NULL || dev->id == 0u || dev->api == NULL || dev->api->submit == NULL) {
			return -AGENT_EINVAL;
		}
		for (j = 0u; j < i; j++) {
			if (config->iodevs[j]->id == dev->id) {
				return -AGENT_EINVAL;
			}
		}
	}
	agent->cfg = *config;
	agent->stats = (struct agent_stats){0};
	agent_frame_decoder_init(&agent->dec, agent->rx_buf, sizeof(agent->rx_buf));
	agent_link_init(&agent->link, config->write, config->ctx, config->retransmit_us, config->ack_delay_us);
	exec_init(&agent->ex, config->iodevs, config->iodev_count, config->now_us, config->ctx);
	agent->boot_nonce = config->boot_nonce;
	agent->host_nonce = 0u;
	agent->reply_head = 0u;
	agent->reply_len = 0u;
	agent->decode_mode = MODE_SCAN;
	agent->seen_retransmits = 0u;
	agent->lossy_packets = 0u;
	agent->session = false;
	agent->halted = false;
	clear_faults(agent);
	/* Announce the (re)boot: a host that had a session learns of the reset at once. */
	send_hello_reply(agent, 0u);
	return 0;
}

static void run_due(struct agent *a, uint64_t now_us);

void agent_rx_byte(struct agent *agent, uint8_t byte)
{
	struct agent_frame_result r;

	if (agent->halted) {
		return;
	}
	r = agent_frame_decoder_push(&agent->dec, byte);
	switch (r.status) {
	case AGENT_FRAME_NEED_MORE:
		return;
	case AGENT_FRAME_OK:
		agent->stats.frames_ok++;
		handle_payload(agent, agent->rx_buf, r.out_len);
		/* Units just submitted start now, before the next packet (a Cancel) is looked at. */
		run_due(agent, now(agent));
		flush(agent);
		return;
	case AGENT_FRAME_CRC_MISMATCH:
		agent->stats.crc_errors++;
		return;
	case AGENT_FRAME_COBS_ERROR:
		agent->stats.cobs_errors++;
		return;
	case AGENT_FRAME_TOO_LONG:
		agent->stats.too_long++;
		return;
	case AGENT_FRAME_TOO_SHORT:
	case AGENT_FRAME_PAYLOAD_TOO_LONG:
	case AGENT_FRAME_DST_TOO_SMALL:
	default:
		agent->stats.too_short++;
		return;
	}
}

/* Something is due at @p now_us among drivers and executor timers. */
static bool work_due(const struct agent *a, uint64_t now_us)
{
	size_t i;

	if (exec_next_due_us(&a->ex) <= now_us) {
		return true;
	}
	for (i = 0u; i < a->cfg.iodev_count; i++) {
		const struct agent_iodev *dev = a->cfg.iodevs[i];

		if (dev->api->next_due_us != NULL && dev->api->next_due_us(dev) <= now_us) {
			return true;
		}
	}
	return false;
}

/* Runs iodev poll hooks and executor timers; a completion may start the next unit at once, so
 * it goes round while work is due, a few times. */
static void run_due(struct agent *a, uint64_t now_us)
{
	unsigned int round;
	size_t i;

	if (a->halted) {
		return;
	}
	for (round = 0u; round < 8u; round++) {
		for (i = 0u; i < a->cfg.iodev_count; i++) {
			struct agent_iodev *dev = a->cfg.iodevs[i];

			if (dev->api->poll != NULL) {
				dev->api->poll(dev, now_us);
			}
		}
		exec_run_timers(&a->ex, now_us);
		if (!work_due(a, now_us)) {
			break;
		}
	}
}

void agent_poll(struct agent *agent, uint64_t now_us)
{
	if (agent->halted) {
		return;
	}
	run_due(agent, now_us);
	agent_link_poll(&agent->link, now_us);
	flush(agent);
}

uint64_t agent_next_due_us(const struct agent *agent)
{
	uint64_t due;
	uint64_t t;
	size_t i;

	if (agent->halted) {
		return AGENT_NEVER;
	}
	if (agent->session && exec_cqe_count(&agent->ex) > 0u &&
	    agent_link_window_free(&agent->link) > 0u) {
		return 0u;
	}
	due = exec_next_due_us(&agent->ex);
	t = agent_link_next_due_us(&agent->link);
	if (t < due) {
		due = t;
	}
	for (i = 0u; i < agent->cfg.iodev_count; i++) {
		const struct agent_iodev *dev = agent->cfg.iodevs[i];

		if (dev->api->next_due_us != NULL) {
			t = dev->api->next_due_us(dev);
			if (t < due) {
				due = t;
			}
		}
	}
	return due;
}

void agent_get_stats(const struct agent *agent, struct agent_stats *out)
{
	const struct agent_link_stats *l = agent_link_stats(&agent->link);

	*out = agent->stats;
	out->duplicates = l->duplicates;
	out->out_of_order = l->out_of_order;
	out->retransmits = l->retransmits;
	out->fast_retransmits = l->fast_retransmits;
	out->frames_sent = l->frames_sent;
	out->bad_acks = l->bad_acks;
	out->sqes_run = agent->ex.stats.sqes_run;
	out->sqes_rejected = agent->ex.stats.sqes_rejected;
	out->cqes_dropped = agent->stats.cqes_dropped + agent->ex.stats.cqes_dropped;
	out->stray_completions = agent->ex.stats.stray_completions;
	out->late_completions = agent->ex.stats.late_completions;
}

bool agent_reset_pending(const struct agent *agent)
{
	return agent->halted;
}

bool agent_in_session(const struct agent *agent)
{
	return agent->session;
}

uint32_t agent_boot_nonce(const struct agent *agent)
{
	return agent->boot_nonce;
}
