/*
 * Test-side protocol helpers; see test-wire.h.
 */
#include "test-wire.h"

#include <string.h>

#include "frame.h"
#include "iodev.h"

/* ---------------------------------------------------------------- decoding */

/* Reads the field's bytes into the pool at *@p slice. False when they do not fit (an overflow). */
static bool pool_take(struct tw_packet *pk, pb_istream_t *stream, struct tw_slice *slice)
{
	size_t n = stream->bytes_left;

	if (pk->pool_used + n > TW_POOL) {
		pk->overflow = true;
		return false;
	}
	*slice = (struct tw_slice){ pk->pool_used, (uint32_t)n };
	pk->pool_used += (uint32_t)n;
	return pb_read(stream, pk->pool + slice->off, n);
}

static bool read_str(pb_istream_t *stream, char *dst, size_t cap)
{
	size_t n = stream->bytes_left;

	if (n + 1u > cap) {
		return false;
	}
	if (!pb_read(stream, (pb_byte_t *)dst, n)) {
		return false;
	}
	dst[n] = '\0';
	return true;
}

/* Where a bytes field being decoded goes: the packet's pool, at a slice of one of its elements. */
struct slice_ctx {
	struct tw_packet *pk;
	struct tw_slice *slice;
};

static bool dec_slice(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	struct slice_ctx *c = *arg;

	(void)field;
	return pool_take(c->pk, stream, c->slice);
}

/*
 * Decodes the next element of one of the packet's lists (its @p n of @p max taken) into @p msg
 * (@p fields), its bytes field @p bytes into the pool at @p slice; counts it in *@p n. A full list
 * is an overflow: the callers then pass element 0, which is not touched.
 */
static bool dec_element(pb_istream_t *stream, struct tw_packet *pk, uint32_t *n, uint32_t max, const pb_msgdesc_t *fields,
			void *msg, pb_callback_t *bytes, struct tw_slice *slice)
{
	struct slice_ctx c = { pk, slice };

	if (*n >= max) {
		pk->overflow = true;
		return false;
	}
	*slice = (struct tw_slice){ 0u, 0u };
	bytes->funcs.decode = dec_slice;
	bytes->arg = &c;
	if (!pb_decode(stream, fields, msg)) {
		return false;
	}
	(*n)++;
	return true;
}

static bool dec_sqes(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	struct tw_packet *pk = *arg;
	struct tw_sqe *s = &pk->sqes[pk->n_sqes < TW_MAX_SQES ? pk->n_sqes : 0u];

	(void)field;
	return dec_element(stream, pk, &pk->n_sqes, TW_MAX_SQES, rtiohil_Sqe_fields, &s->m, &s->m.tx, &s->tx);
}

static bool dec_regions(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	struct tw_packet *pk = *arg;
	struct tw_region *g = &pk->regions[pk->n_regions < TW_MAX_SQES ? pk->n_regions : 0u];

	(void)field;
	return dec_element(stream, pk, &pk->n_regions, TW_MAX_SQES, rtiohil_Region_fields, &g->m, &g->m.init, &g->init);
}

static bool dec_cqes(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	struct tw_packet *pk = *arg;
	struct tw_cqe *c = &pk->cqes[pk->n_cqes < TW_MAX_CQES ? pk->n_cqes : 0u];

	(void)field;
	return dec_element(stream, pk, &pk->n_cqes, TW_MAX_CQES, rtiohil_Cqe_fields, &c->m, &c->m.data, &c->data);
}

static bool dec_str_field(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	(void)field;
	return read_str(stream, *arg, TW_STR);
}

static bool dec_caps(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	struct tw_iodev *d = *arg;

	(void)field;
	if (d->n_caps >= TW_MAX_CAPS) {
		return false;
	}
	return read_str(stream, d->caps[d->n_caps++], TW_STR);
}

static bool dec_iodevs(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	struct tw_packet *pk = *arg;
	struct tw_iodev *d;

	(void)field;
	if (pk->n_iodevs >= TW_MAX_IODEVS) {
		pk->overflow = true;
		return false;
	}
	d = &pk->iodevs[pk->n_iodevs];
	memset(d, 0, sizeof(*d));
	d->m.name.funcs.decode = dec_str_field;
	d->m.name.arg = d->name;
	d->m.bus.funcs.decode = dec_str_field;
	d->m.bus.arg = d->bus;
	d->m.part.funcs.decode = dec_str_field;
	d->m.part.arg = d->part;
	d->m.capabilities.funcs.decode = dec_caps;
	d->m.capabilities.arg = d;
	if (!pb_decode(stream, rtiohil_IodevDesc_fields, &d->m)) {
		return false;
	}
	pk->n_iodevs++;
	return true;
}

static bool dec_log_text(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	(void)field;
	return read_str(stream, *arg, TW_STR * 2u);
}

static bool dec_body(pb_istream_t *stream, const pb_field_t *field, void **arg)
{
	struct tw_packet *pk = *arg;

	(void)stream;
	switch (field->tag) {
	case rtiohil_Packet_submit_tag: {
		rtiohil_Submit *s = field->pData;

		s->sqes.funcs.decode = dec_sqes;
		s->sqes.arg = pk;
		s->regions.funcs.decode = dec_regions;
		s->regions.arg = pk;
		break;
	}
	case rtiohil_Packet_complete_tag: {
		rtiohil_Complete *c = field->pData;

		c->cqes.funcs.decode = dec_cqes;
		c->cqes.arg = pk;
		break;
	}
	case rtiohil_Packet_hello_reply_tag: {
		rtiohil_HelloReply *h = field->pData;

		h->build_id.funcs.decode = dec_str_field;
		h->build_id.arg = pk->build_id;
		h->iodevs.funcs.decode = dec_iodevs;
		h->iodevs.arg = pk;
		break;
	}
	case rtiohil_Packet_log_tag: {
		rtiohil_Log *l = field->pData;

		l->text.funcs.decode = dec_log_text;
		l->text.arg = pk->log_text;
		break;
	}
	default:
		break;
	}
	return true;
}

void tw_init(struct tw_packet *pk)
{
	memset(pk, 0, sizeof(*pk));
}

bool tw_decode(const uint8_t *buf, size_t len, struct tw_packet *pk)
{
	pb_istream_t is = pb_istream_from_buffer(buf, len);

	tw_init(pk);
	pk->p.cb_body.funcs.decode = dec_body;
	pk->p.cb_body.arg = pk;
	return pb_decode(&is, rtiohil_Packet_fields, &pk->p) && !pk->overflow;
}

/* ---------------------------------------------------------------- encoding */

/* A bytes field to encode: the content of a slice of the pool. */
struct bytes_out {
	const uint8_t *data;
	uint32_t len;
};

static bool enc_bytes(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	const struct bytes_out *b = *arg;

	return b->len == 0u || (pb_encode_tag_for_field(stream, field) && pb_encode_string(stream, b->data, b->len));
}

/* Encodes one element of a list as field @p field: @p msg (@p fields, a copy) with its bytes field @p bytes from @p slice. */
static bool enc_element(pb_ostream_t *stream, const pb_field_t *field, const struct tw_packet *pk, const pb_msgdesc_t *fields,
			void *msg, pb_callback_t *bytes, struct tw_slice slice)
{
	struct bytes_out b = { tw_bytes(pk, slice), slice.len };

	bytes->funcs.encode = enc_bytes;
	bytes->arg = &b;
	return pb_encode_tag_for_field(stream, field) && pb_encode_submessage(stream, fields, msg);
}

static bool enc_cstr(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	const char *s = *arg;
	size_t n = strlen(s);

	return n == 0u ||
	       (pb_encode_tag_for_field(stream, field) && pb_encode_string(stream, (const pb_byte_t *)s, n));
}

static bool enc_sqes(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	const struct tw_packet *pk = *arg;
	uint32_t i;

	for (i = 0u; i < pk->n_sqes; i++) {
		rtiohil_Sqe m = pk->sqes[i].m;

		if (!enc_element(stream, field, pk, rtiohil_Sqe_fields, &m, &m.tx, pk->sqes[i].tx)) {
			return false;
		}
	}
	return true;
}

static bool enc_regions(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	const struct tw_packet *pk = *arg;
	uint32_t i;

	for (i = 0u; i < pk->n_regions; i++) {
		rtiohil_Region m = pk->regions[i].m;

		if (!enc_element(stream, field, pk, rtiohil_Region_fields, &m, &m.init, pk->regions[i].init)) {
			return false;
		}
	}
	return true;
}

/* A Submit with its regions ahead of its SQEs: the same message, fields in another order. */
static bool encode_submit_regions_first(pb_ostream_t *os, const struct tw_packet *pk)
{
	pb_ostream_t sizer = PB_OSTREAM_SIZING;
	rtiohil_Submit regions;
	rtiohil_Submit sqes;

	regions.sqes.funcs.encode = NULL;
	regions.regions.funcs.encode = enc_regions;
	regions.regions.arg = (void *)pk;
	sqes.sqes.funcs.encode = enc_sqes;
	sqes.sqes.arg = (void *)pk;
	sqes.regions.funcs.encode = NULL;
	if (!pb_encode(&sizer, rtiohil_Submit_fields, &regions)) {
		return false;
	}
	{
		size_t a = sizer.bytes_written;
		pb_ostream_t sizer2 = PB_OSTREAM_SIZING;

		if (!pb_encode(&sizer2, rtiohil_Submit_fields, &sqes)) {
			return false;
		}
		return pb_encode_tag(os, PB_WT_STRING, rtiohil_Packet_submit_tag) &&
		       pb_encode_varint(os, a + sizer2.bytes_written) &&
		       pb_encode(os, rtiohil_Submit_fields, &regions) &&
		       pb_encode(os, rtiohil_Submit_fields, &sqes);
	}
}

static bool enc_cqes(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	const struct tw_packet *pk = *arg;
	uint32_t i;

	for (i = 0u; i < pk->n_cqes; i++) {
		rtiohil_Cqe m = pk->cqes[i].m;

		if (!enc_element(stream, field, pk, rtiohil_Cqe_fields, &m, &m.data, pk->cqes[i].data)) {
			return false;
		}
	}
	return true;
}

static bool enc_caps(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	const struct tw_iodev *d = *arg;
	uint32_t i;

	for (i = 0u; i < d->n_caps; i++) {
		if (!pb_encode_tag_for_field(stream, field) ||
		    !pb_encode_string(stream, (const pb_byte_t *)d->caps[i], strlen(d->caps[i]))) {
			return false;
		}
	}
	return true;
}

static bool enc_iodevs(pb_ostream_t *stream, const pb_field_t *field, void *const *arg)
{
	const struct tw_packet *pk = *arg;
	uint32_t i;

	for (i = 0u; i < pk->n_iodevs; i++) {
		const struct tw_iodev *d = &pk->iodevs[i];
		rtiohil_IodevDesc m = d->m;

		m.name.funcs.encode = enc_cstr;
		m.name.arg = (void *)d->name;
		m.bus.funcs.encode = enc_cstr;
		m.bus.arg = (void *)d->bus;
		m.part.funcs.encode = enc_cstr;
		m.part.arg = (void *)d->part;
		m.capabilities.funcs.encode = enc_caps;
		m.capabilities.arg = (void *)d;
		if (!pb_encode_tag_for_field(stream, field) ||
		    !pb_encode_submessage(stream, rtiohil_IodevDesc_fields, &m)) {
			return false;
		}
	}
	return true;
}

size_t tw_encode(const struct tw_packet *pk, uint8_t *out, size_t cap)
{
	rtiohil_Packet p = pk->p;
	pb_ostream_t os = pb_ostream_from_buffer(out, cap);

	p.cb_body.funcs.encode = NULL; /* nanopb calls it on encode too */
	switch (p.which_body) {
	case rtiohil_Packet_submit_tag:
		if (pk->regions_first) {
			/* seq and ack, then the body by hand */
			p.which_body = 0u;
			if (!pb_encode(&os, rtiohil_Packet_fields, &p) || !encode_submit_regions_first(&os, pk)) {
				return 0u;
			}
			return os.bytes_written;
		}
		p.body.submit.sqes.funcs.encode = enc_sqes;
		p.body.submit.sqes.arg = (void *)pk;
		p.body.submit.regions.funcs.encode = enc_regions;
		p.body.submit.regions.arg = (void *)pk;
		break;
	case rtiohil_Packet_complete_tag:
		p.body.complete.cqes.funcs.encode = enc_cqes;
		p.body.complete.cqes.arg = (void *)pk;
		break;
	case rtiohil_Packet_hello_reply_tag:
		p.body.hello_reply.build_id.funcs.encode = enc_cstr;
		p.body.hello_reply.build_id.arg = (void *)pk->build_id;
		p.body.hello_reply.iodevs.funcs.encode = enc_iodevs;
		p.body.hello_reply.iodevs.arg = (void *)pk;
		break;
	case rtiohil_Packet_log_tag:
		p.body.log.text.funcs.encode = enc_cstr;
		p.body.log.text.arg = (void *)pk->log_text;
		break;
	default:
		break;
	}
	if (!pb_encode(&os, rtiohil_Packet_fields, &p)) {
		return 0u;
	}
	return os.bytes_written;
}

size_t tw_frame(const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
	struct agent_frame_result r = agent_frame_encode(out, cap, payload, len);

	return r.status == AGENT_FRAME_OK ? r.out_len : 0u;
}

rtiohil_Sqe *tw_add_sqe(struct tw_packet *pk, uint32_t id, uint32_t op, uint32_t flags, uint32_t iodev)
{
	struct tw_sqe *s;

	pk->p.which_body = rtiohil_Packet_submit_tag;
	if (pk->n_sqes >= TW_MAX_SQES) {
		pk->overflow = true;
		return &pk->sqes[TW_MAX_SQES - 1u].m;
	}
	s = &pk->sqes[pk->n_sqes++];
	memset(s, 0, sizeof(*s));
	s->m.id = id;
	s->m.op = op;
	s->m.flags = flags;
	s->m.iodev = iodev;
	return &s->m;
}

rtiohil_Sqe *tw_add_region_sqe(struct tw_packet *pk, uint32_t id, uint32_t op, uint32_t flags, uint32_t iodev,
			       uint32_t len, uint32_t region, uint32_t offset)
{
	rtiohil_Sqe *q = tw_add_sqe(pk, id, op, flags, iodev);

	q->len = len;
	if (op == AGENT_OP_RX) {
		q->rx_region = region;
		q->rx_offset = offset;
	} else {
		q->tx_region = region;
		q->tx_offset = offset;
	}
	return q;
}

/* Copies @p len bytes into the pool at *@p slice; an overflow when they do not fit. */
static void pool_put(struct tw_packet *pk, const uint8_t *bytes, uint32_t len, struct tw_slice *slice)
{
	if (pk->pool_used + len > TW_POOL) {
		pk->overflow = true;
		return;
	}
	memcpy(pk->pool + pk->pool_used, bytes, len);
	*slice = (struct tw_slice){ pk->pool_used, len };
	pk->pool_used += len;
}

void tw_add_region(struct tw_packet *pk, uint32_t len, const uint8_t *init, uint32_t init_len)
{
	struct tw_region *g;

	pk->p.which_body = rtiohil_Packet_submit_tag;
	if (pk->n_regions >= TW_MAX_SQES) {
		pk->overflow = true;
		return;
	}
	g = &pk->regions[pk->n_regions++];
	memset(g, 0, sizeof(*g));
	g->m.len = len;
	if (init_len > 0u) {
		pool_put(pk, init, init_len, &g->init);
	}
}

void tw_set_tx(struct tw_packet *pk, uint32_t index, const uint8_t *tx, uint32_t len)
{
	pool_put(pk, tx, len, &pk->sqes[index].tx);
}

const uint8_t *tw_bytes(const struct tw_packet *pk, struct tw_slice slice)
{
	return pk->pool + slice.off;
}
