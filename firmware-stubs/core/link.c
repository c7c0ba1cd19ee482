/**
 * @file
 * @brief The agent's reliable link; see link.h.
 */
#include "link.h"

#include "iodev.h"

/* Packet.seq, Packet.ack and Packet.rej: fields 1, 2 and 15, wire type 0 (varint). */
#define TAG_SEQ 0x08u
#define TAG_ACK 0x10u
#define TAG_REJ 0x78u

static size_t put_varint(uint8_t *dst, uint32_t v)
{
	size_t n = 0u;

	while (v >= 0x80u) {
		dst[n++] = (uint8_t)(v | 0x80u);
		v >>= 7;
	}
	dst[n++] = (uint8_t)v;
	return n;
}

/* Encodes the seq, ack and rej fields (each left out when 0, as proto3 does) into @p dst. */
static size_t put_header(uint8_t *dst, uint32_t seq, uint32_t ack, bool rej)
{
	size_t n = 0u;

	if (seq != 0u) {
		dst[n++] = TAG_SEQ;
		n += put_varint(dst + n, seq);
	}
	if (ack != 0u) {
		dst[n++] = TAG_ACK;
		n += put_varint(dst + n, ack);
	}
	if (rej) {
		dst[n++] = TAG_REJ;
		dst[n++] = 1u;
	}
	return n;
}

static uint32_t unacked(const struct agent_link *link)
{
	return link->tx_next - 1u - link->tx_acked;
}

static struct agent_link_packet *slot_for(struct agent_link *link, uint32_t seq)
{
	return &link->window[(seq - 1u) % AGENT_WINDOW];
}

void agent_link_init(struct agent_link *link, void (*write)(void *ctx, const uint8_t *data, size_t len),
		     void *ctx, uint32_t retransmit_us, uint32_t ack_delay_us)
{
	link->write = write;
	link->ctx = ctx;
	link->rto_us = retransmit_us != 0u ? retransmit_us : AGENT_RETRANSMIT_US;
	link->srtt_us = 0u;
	link->rttvar_us = 0u;
	link->ack_delay_us = ack_delay_us;
	link->stats = (struct agent_link_stats){ 0 };
	agent_link_reset(link);
}

void agent_link_reset(struct agent_link *link)
{
	size_t i;

	link->tx_next = 1u;
	link->tx_acked = 0u;
	link->rx_last = 0u;
	link->retransmit_at = AGENT_NEVER;
	link->ack_at = AGENT_NEVER;
	link->ack_pending = false;
	link->rej_pending = false;
	link->rejected_at = UINT32_MAX;
	link->rejected_time = 0u;
	link->fast_hold_until = 0u;
	for (i = 0u; i < AGENT_WINDOW; i++) {
		struct agent_link_packet *p = &link->window[i];

		p->seq = 0u;
		p->len = 0u;
		p->sent = false;
		p->resent = false;
		p->sent_at = 0u;
	}
}

size_t agent_link_window_free(const struct agent_link *link)
{
	return AGENT_WINDOW - unacked(link);
}

uint8_t *agent_link_body(struct agent_link *link)
{
	if (agent_link_window_free(link) == 0u) {
		return NULL;
	}
	return slot_for(link, link->tx_next)->buf + AGENT_LINK_HDR_MAX;
}

void agent_link_commit(struct agent_link *link, size_t len)
{
	struct agent_link_packet *p;

	if (agent_link_window_free(link) == 0u || len > AGENT_LINK_BODY_MAX) {
		return;
	}
	p = slot_for(link, link->tx_next);
	p->seq = link->tx_next;
	p->len = (uint16_t)len;
	p->sent = false;
	p->resent = false;
	link->tx_next++;
}

static uint32_t clamp_rto(uint64_t us)
{
	if (us < AGENT_RTO_MIN_US) {
		return AGENT_RTO_MIN_US;
	}
	return us > AGENT_RTO_MAX_US ? AGENT_RTO_MAX_US : (uint32_t)us;
}

/* RFC 6298 with the usual gains (1/8, 1/4): SRTT, RTTVAR, RTO = SRTT + 4 RTTVAR. */
static void sample_rtt(struct agent_link *link, uint64_t rtt)
{
	uint32_t r = rtt > AGENT_RTO_MAX_US ? AGENT_RTO_MAX_US : (uint32_t)rtt;

	if (link->srtt_us == 0u) {
		link->srtt_us = r > 0u ? r : 1u;
		link->rttvar_us = r / 2u;
	} else {
		uint32_t diff = link->srtt_us > r ? link->srtt_us - r : r - link->srtt_us;

		link->rttvar_us = (3u * link->rttvar_us + diff) / 4u;
		link->srtt_us = (7u * link->srtt_us + r) / 8u;
		if (link->srtt_us == 0u) {
			link->srtt_us = 1u;
		}
	}
	link->rto_us = clamp_rto((uint64_t)link->srtt_us + 4u * (uint64_t)link->rttvar_us);
}

/* A round trip as the link reckons it for holding back repeats: the smoothed RTT, at least AGENT_RTO_MIN_US. */
static uint32_t round_trip_us(const struct agent_link *link)
{
	return link->srtt_us > AGENT_RTO_MIN_US ? link->srtt_us : AGENT_RTO_MIN_US;
}

static void resend_all(struct agent_link *link, uint64_t now_us);

bool agent_link_on_ack(struct agent_link *link, uint32_t ack, bool rej, uint64_t now_us)
{
	struct agent_link_packet *newest;
	bool progressed = false;

	if (ack >= link->tx_next && ack > link->tx_acked) {
		link->stats.bad_acks++;
	} else if (ack > link->tx_acked) {
		newest = slot_for(link, ack);
		if (!newest->resent && newest->sent && now_us >= newest->sent_at) {
			sample_rtt(link, now_us - newest->sent_at);
		}
		link->tx_acked = ack;
		link->retransmit_at = unacked(link) > 0u ? now_us + link->rto_us : AGENT_NEVER;
		progressed = true;
	}
	if (rej && unacked(link) > 0u && now_us >= link->fast_hold_until) {
		/* The peer got a packet after a gap: the one after ack is lost. */
		link->stats.fast_retransmits++;
		link->fast_hold_until = now_us + round_trip_us(link);
		resend_all(link, now_us);
	}
	return progressed;
}

/* When an owed ack goes out if no packet carries it first. */
enum ack_due {
	ACK_AT_ONCE,     /* a duplicate or a gap: the peer needs to hear now */
	ACK_AFTER_DELAY, /* in order: the ack delay gives a reply the chance to carry it */
};

static void owe_ack(struct agent_link *link, uint64_t now_us, enum ack_due due)
{
	if (!link->ack_pending || due == ACK_AT_ONCE) {
		link->ack_pending = true;
		link->ack_at = due == ACK_AT_ONCE ? now_us : now_us + link->ack_delay_us;
	}
}

enum agent_link_rx agent_link_classify(struct agent_link *link, uint32_t seq, uint64_t now_us)
{
	if (seq <= link->rx_last) {
		link->stats.duplicates++;
		owe_ack(link, now_us, ACK_AT_ONCE);
		return AGENT_LINK_DUPLICATE;
	}
	if (seq != link->rx_last + 1u) {
		link->stats.out_of_order++;
		if (link->rejected_at != link->rx_last ||
		    now_us - link->rejected_time >= round_trip_us(link)) {
			/* The first after a gap: REJ at once (again only a round trip later). */
			link->rejected_at = link->rx_last;
			link->rejected_time = now_us;
			link->rej_pending = true;
			owe_ack(link, now_us, ACK_AT_ONCE);
		}
		return AGENT_LINK_OUT_OF_ORDER;
	}
	owe_ack(link, now_us, ACK_AFTER_DELAY);
	return AGENT_LINK_DELIVER;
}

void agent_link_accept(struct agent_link *link, uint32_t seq)
{
	if (seq == link->rx_last + 1u) {
		link->rx_last = seq;
	}
}

/* Frames and writes one packet: header (seq, current ack) then the stored body. */
static void send_packet(struct agent_link *link, struct agent_link_packet *p, uint64_t now_us)
{
	uint8_t hdr[AGENT_LINK_HDR_MAX];
	size_t n = put_header(hdr, p->seq, link->rx_last, link->rej_pending);
	uint8_t *payload = p->buf + AGENT_LINK_HDR_MAX - n;
	size_t i;

	for (i = 0u; i < n; i++) {
		payload[i] = hdr[i];
	}
	(void)agent_link_send_raw(link, payload, n + p->len);
	p->sent = true;
	p->sent_at = now_us;
	link->ack_pending = false;
	link->rej_pending = false;
	link->ack_at = AGENT_NEVER;
}

bool agent_link_send_raw(struct agent_link *link, const uint8_t *payload, size_t len)
{
	struct agent_frame_result r = agent_frame_encode(link->frame, sizeof(link->frame), payload, len);

	if (r.status != AGENT_FRAME_OK) {
		return false;
	}
	link->write(link->ctx, link->frame, r.out_len);
	link->stats.frames_sent++;
	return true;
}

void agent_link_flush(struct agent_link *link, uint64_t now_us)
{
	uint32_t seq;

	for (seq = link->tx_acked + 1u; seq < link->tx_next; seq++) {
		struct agent_link_packet *p = slot_for(link, seq);

		if (!p->sent) {
			if (link->retransmit_at == AGENT_NEVER) {
				link->retransmit_at = now_us + link->rto_us;
			}
			send_packet(link, p, now_us);
		}
	}
	if (link->ack_pending && now_us >= link->ack_at) {
		uint8_t hdr[AGENT_LINK_HDR_MAX];
		size_t n = put_header(hdr, 0u, link->rx_last, link->rej_pending);

		(void)agent_link_send_raw(link, hdr, n);
		link->ack_pending = false;
		link->rej_pending = false;
		link->ack_at = AGENT_NEVER;
	}
}

/* Go-back-N: every unacknowledged packet again, in order, with the current ack. */
static void resend_all(struct agent_link *link, uint64_t now_us)
{
	uint32_t seq;

	for (seq = link->tx_acked + 1u; seq < link->tx_next; seq++) {
		struct agent_link_packet *p = slot_for(link, seq);

		if (p->sent) {
			link->stats.retransmits++;
			p->resent = true;
		}
		send_packet(link, p, now_us);
	}
	link->retransmit_at = now_us + link->rto_us;
}

void agent_link_poll(struct agent_link *link, uint64_t now_us)
{
	if (unacked(link) == 0u || now_us < link->retransmit_at) {
		agent_link_flush(link, now_us); /* an owed pure ack may be due */
		return;
	}
	/* A timeout: back off, then go back N. */
	link->rto_us = clamp_rto(2u * (uint64_t)link->rto_us);
	resend_all(link, now_us);
}

uint64_t agent_link_next_due_us(const struct agent_link *link)
{
	uint64_t due = unacked(link) > 0u ? link->retransmit_at : AGENT_NEVER;

	return link->ack_pending && link->ack_at < due ? link->ack_at : due;
}

const struct agent_link_stats *agent_link_stats(const struct agent_link *link)
{
	return &link->stats;
}

uint32_t agent_link_rto_us(const struct agent_link *link)
{
	return link->rto_us;
}
