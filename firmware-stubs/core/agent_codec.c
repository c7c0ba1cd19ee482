/**
 * @file
 * @brief What goes into each Packet the agent sends (protocol/rtio.proto through nanopb): the
 *        HelloReply with its iodev table, Complete batches, CancelReply and Status, Log. Strings,
 *        repeated fields and CQE data are nanopb encode callbacks over the agent's own storage,
 *        so nothing is copied into a static message.
 */
#include "agent_internal.h"

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

/* A string field of at most @p max bytes, left out when empty (as proto3 does). */
static bool put_string(pb_ostream_t *stream, const pb_field_t *field, const char *s, size_t max)
{
	size_t n = s == NULL ? 0u : str_len(s, max);

	return n == 0u || (pb_encode_tag_for_field(stream, field) && pb_encode_string(stream, (const pb_byte_t *)s, n));
}

static bool enc_string(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	return put_string(stream, field, (const char *)*arg, AGENT_LINK_BODY_MAX);
}

static bool enc_log_text(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	return put_string(stream, field, (const char *)*arg, AGENT_LOG_TEXT_MAX);
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
		rtiohil_IodevDesc d = {
			.id = dev->id,
			.name = { .funcs.encode = enc_string, .arg = unconst(dev->name) },
			.kind = (rtiohil_IodevKind)dev->kind,
			.bus = { .funcs.encode = enc_string, .arg = unconst(dev->bus) },
			.address = dev->address,
			.part = { .funcs.encode = enc_string, .arg = unconst(dev->part) },
			.capabilities = { .funcs.encode = enc_capabilities, .arg = unconst(dev->capabilities) },
		};

		if (!pb_encode_tag_for_field(stream, field) || !pb_encode_submessage(stream, rtiohil_IodevDesc_fields, &d)) {
			return false;
		}
	}
	return true;
}

/* Bytes of a CQE's fields inside its submessage (zeros left out, as proto3 does). */
static uint32_t cqe_fields_size(const struct exec_cqe *c)
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
	if (c->timed) { /* present even when 0: they are proto3 `optional` */
		n += 2u + varint_size(c->start_us) + varint_size(c->end_us);
	}
	return n;
}

/*
 * One CQE, field by field: its size is known (cqe_fields_size), so it needs neither
 * pb_encode_submessage()'s sizing pass nor the generic field loop (the whole Complete is still
 * encoded twice by nanopb, once to size it).
 */
static bool put_cqe(pb_ostream_t *stream, const pb_field_t *field, const struct exec_cqe *c)
{
	uint32_t inner = cqe_fields_size(c);

	return pb_encode_tag_for_field(stream, field) && pb_encode_varint(stream, inner) &&
	       (c->id == 0u || (pb_encode_tag(stream, PB_WT_VARINT, rtiohil_Cqe_id_tag) && pb_encode_varint(stream, c->id))) &&
	       (c->result == 0 ||
		(pb_encode_tag(stream, PB_WT_VARINT, rtiohil_Cqe_result_tag) && pb_encode_svarint(stream, c->result))) &&
	       (c->flags == 0u ||
		(pb_encode_tag(stream, PB_WT_VARINT, rtiohil_Cqe_flags_tag) && pb_encode_varint(stream, c->flags))) &&
	       (c->len == 0u ||
		(pb_encode_tag(stream, PB_WT_STRING, rtiohil_Cqe_data_tag) && pb_encode_string(stream, c->data, c->len))) &&
	       (!c->timed ||
		(pb_encode_tag(stream, PB_WT_VARINT, rtiohil_Cqe_start_us_tag) && pb_encode_varint(stream, c->start_us) &&
		 pb_encode_tag(stream, PB_WT_VARINT, rtiohil_Cqe_end_us_tag) && pb_encode_varint(stream, c->end_us)));
}

static bool enc_cqes(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	const struct agent_cqe_batch *b = (const struct agent_cqe_batch *)*arg;
	size_t i;

	for (i = 0u; i < b->count; i++) {
		if (!put_cqe(stream, field, exec_cqe_peek(b->ex, i))) {
			return false;
		}
	}
	return true;
}

uint32_t agent_cqe_size(const struct exec_cqe *c)
{
	uint32_t n = cqe_fields_size(c);

	return 1u + varint_size(n) + n;
}

uint32_t agent_body_size(uint32_t inner)
{
	return 1u + varint_size(inner) + inner;
}

void agent_packet_start(rtiohil_Packet *pkt, pb_size_t which)
{
	pkt->seq = 0u;
	pkt->ack = 0u;
	pkt->rej = false;
	pkt->cb_body.funcs.encode = NULL; /* nanopb calls it on encode too */
	pkt->cb_body.arg = NULL;
	pkt->which_body = which;
}

void agent_packet_hello_reply(rtiohil_Packet *pkt, const struct agent *a, uint32_t host_nonce)
{
	agent_packet_start(pkt, rtiohil_Packet_hello_reply_tag);
	pkt->body.hello_reply = (rtiohil_HelloReply){
		.protocol_version = AGENT_PROTOCOL_VERSION,
		.build_id = { .funcs.encode = enc_string, .arg = unconst(a->cfg.build_id) },
		.boot_nonce = a->boot_nonce,
		.max_frame_bytes = (uint32_t)AGENT_FRAME_DECODER_BUF_LEN,
		.window = AGENT_WINDOW,
		.max_sqes = AGENT_MAX_SQES,
		.iodevs = { .funcs.encode = enc_iodevs, .arg = unconst(a) },
		.host_nonce = host_nonce,
		.max_buffer_bytes = AGENT_MAX_BUFFER_BYTES,
	};
}

void agent_packet_complete(rtiohil_Packet *pkt, const struct agent_cqe_batch *batch)
{
	agent_packet_start(pkt, rtiohil_Packet_complete_tag);
	pkt->body.complete.cqes.funcs.encode = enc_cqes;
	pkt->body.complete.cqes.arg = unconst(batch);
}

void agent_packet_reply(rtiohil_Packet *pkt, const struct agent_reply *r)
{
	if (r->kind == AGENT_REPLY_CANCEL) {
		agent_packet_start(pkt, rtiohil_Packet_cancel_reply_tag);
		pkt->body.cancel_reply.id = r->id;
		pkt->body.cancel_reply.result = r->result;
	} else {
		agent_packet_start(pkt, rtiohil_Packet_status_tag);
		pkt->body.status.result = r->result;
	}
}

void agent_packet_log(rtiohil_Packet *pkt, uint32_t level, const char *text)
{
	agent_packet_start(pkt, rtiohil_Packet_log_tag);
	pkt->body.log.level = level;
	pkt->body.log.text.funcs.encode = enc_log_text;
	pkt->body.log.text.arg = unconst(text);
}
