/**
 * @file
 * @brief Received Packets through nanopb, and a Submit's regions and SQEs into the executor.
 *
 * Decoding never copies a Submit into a static message: Submit.sqes, Submit.regions, Sqe.tx and
 * Region.init are nanopb callbacks (protocol/rtio.options), so SQEs are taken one at a time from
 * the received frame and TX bytes (and regions' bytes) go straight into the executor's arena. A
 * first pass checks the whole Packet and reads seq, ack and the body kind without side effects
 * (and counts the regions); only a Submit that is the next in sequence is decoded again, twice:
 * its regions (when it has any), then its SQEs, which name the regions wherever they sit in the
 * message.
 */
#include "agent_internal.h"

/* The bytes of a bytes field (Sqe.tx, Region.init), taken into an arena buffer on pass @p pass. */
struct capture {
	struct agent *a;
	enum agent_decode_pass pass;
	uint8_t *buf;  /* the bytes, or NULL (none, or an error) */
	uint32_t len;  /* bytes in buf */
	int32_t err;   /* 0, -AGENT_EMSGSIZE (over AGENT_MAX_BUFFER_BYTES) or -AGENT_ENOMEM (no room) */
};

static bool dec_capture(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	struct capture *cap = (struct capture *)*arg;
	size_t n = stream->bytes_left;

	(void)field;
	if (cap->a->decode_pass != cap->pass) {
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

/*
 * Decodes a submessage @p msg (@p fields) whose bytes field @p bytes goes to @p cap on pass
 * @p pass. True when it decoded and this is its pass: the caller hands it to the executor.
 */
static bool decode_captured(pb_istream_t *stream, struct agent *a, enum agent_decode_pass pass, const pb_msgdesc_t *fields,
			    void *msg, pb_callback_t *bytes, struct capture *cap, bool *ok)
{
	*cap = (struct capture){ .a = a, .pass = pass };
	bytes->funcs.decode = dec_capture;
	bytes->arg = cap;
	*ok = pb_decode(stream, fields, msg);
	if (!*ok) {
		exec_arena_unref(&a->ex, cap->buf);
		return false;
	}
	return a->decode_pass == pass;
}

/*
 * Reads one Sqe's fields by hand: every field but tx is a uint32 varint, and the generic
 * pb_decode() (field iteration, defaults, descriptors) cost more than the rest of a NOP's trip
 * through the agent. Keeps nanopb's rules: the last occurrence of a field counts, unknown fields
 * are skipped, a known field of the wrong wire type or a value over 32 bits is an error.
 */
static bool read_sqe(pb_istream_t *stream, rtiohil_Sqe *m, struct capture *tx)
{
	uint32_t *const by_tag[16] = {
		NULL, &m->id, &m->op, &m->flags, &m->iodev, &m->iodev_flags, &m->prio, NULL, &m->len,
		&m->tx_region, &m->timeout_us, &m->delay_us, &m->i2c_config, &m->tx_offset, &m->rx_region,
		&m->rx_offset,
	};

	while (stream->bytes_left > 0u) {
		pb_wire_type_t wt;
		uint32_t tag;
		bool eof;
		uint64_t v;

		if (!pb_decode_tag(stream, &wt, &tag, &eof)) {
			return false;
		}
		if (tag == rtiohil_Sqe_tx_tag) {
			pb_istream_t sub;
			void *arg = tx;

			if (wt != PB_WT_STRING || !pb_make_string_substream(stream, &sub)) {
				return false;
			}
			if (!dec_capture(&sub, NULL, &arg)) {
				return false;
			}
			if (!pb_close_string_substream(stream, &sub)) {
				return false;
			}
		} else if (tag < 16u && by_tag[tag] != NULL) {
			if (wt != PB_WT_VARINT || !pb_decode_varint(stream, &v) || v > UINT32_MAX) {
				return false;
			}
			*by_tag[tag] = (uint32_t)v;
		} else if (!pb_skip_field(stream, wt)) {
			return false;
		}
	}
	return true;
}

static bool dec_sqe(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	struct agent *a = (struct agent *)*arg;
	struct capture tx = { .a = a, .pass = AGENT_PASS_SQES };
	rtiohil_Sqe m = rtiohil_Sqe_init_zero;

	(void)field;
	if (!read_sqe(stream, &m, &tx)) {
		exec_arena_unref(&a->ex, tx.buf);
		return false;
	}
	if (a->decode_pass == AGENT_PASS_SQES) {
		const struct exec_sqe_desc d = {
			.id = m.id,
			.op = m.op,
			.flags = m.flags,
			.iodev = m.iodev,
			.iodev_flags = m.iodev_flags,
			.prio = m.prio,
			.len = m.len,
			.tx_region = m.tx_region,
			.tx_offset = m.tx_offset,
			.rx_region = m.rx_region,
			.rx_offset = m.rx_offset,
			.timeout_us = m.timeout_us,
			.delay_us = m.delay_us,
			.i2c_config = m.i2c_config,
		};

		exec_submit_sqe(&a->ex, &d, tx.buf, tx.len, tx.err);
	}
	return true;
}

/* The errno a region of @p len bytes with @p init (its bytes as sent) carries, or 0. */
static int32_t region_error(uint32_t len, const struct capture *init)
{
	if (init->err != 0) {
		return init->err;
	}
	if (len == 0u) {
		return -AGENT_EINVAL;
	}
	if (len > AGENT_MAX_BUFFER_BYTES) {
		return -AGENT_EMSGSIZE;
	}
	if (init->len != 0u && init->len != len) {
		return -AGENT_EINVAL; /* init is all of the region or nothing */
	}
	return 0;
}

/* Region.init's bytes go straight into an arena buffer of their own; without init it is zeroed. */
static bool dec_region(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	struct agent *a = (struct agent *)*arg;
	struct capture init;
	rtiohil_Region m;
	int32_t err;
	uint32_t i;
	bool ok;

	(void)field;
	if (!decode_captured(stream, a, AGENT_PASS_REGIONS, rtiohil_Region_fields, &m, &m.init, &init, &ok)) {
		if (ok && a->decode_pass == AGENT_PASS_SCAN) {
			a->scanned_regions++;
		}
		return ok;
	}
	err = region_error(m.len, &init);
	if (err == 0 && init.buf == NULL) {
		init.buf = exec_arena_alloc(&a->ex, m.len);
		if (init.buf == NULL) {
			err = -AGENT_ENOMEM;
		}
		for (i = 0u; init.buf != NULL && i < m.len; i++) {
			init.buf[i] = 0u;
		}
	}
	exec_submit_region(&a->ex, init.buf, m.len, err);
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

bool agent_decode_packet(struct agent *a, const uint8_t *buf, size_t len, enum agent_decode_pass pass,
			 rtiohil_Packet *pkt)
{
	pb_istream_t is = pb_istream_from_buffer(buf, len);

	a->decode_pass = pass;
	if (pass == AGENT_PASS_SCAN) {
		a->scanned_regions = 0u;
	}
	pkt->cb_body.funcs.decode = dec_body;
	pkt->cb_body.arg = a;
	return pb_decode(&is, rtiohil_Packet_fields, pkt);
}

void agent_take_submit(struct agent *a, const uint8_t *buf, size_t len)
{
	rtiohil_Packet pkt;

	/* Regions first, wherever they are in the message: SQEs name them. The scan pass counted
	 * them: a Submit without any (most) is not decoded a third time for nothing. */
	exec_submit_begin(&a->ex);
	if ((a->scanned_regions > 0u && !agent_decode_packet(a, buf, len, AGENT_PASS_REGIONS, &pkt)) ||
	    !agent_decode_packet(a, buf, len, AGENT_PASS_SQES, &pkt)) {
		a->stats.decode_errors++; /* cannot happen: the first pass decoded it */
	}
	exec_submit_end(&a->ex);
}
