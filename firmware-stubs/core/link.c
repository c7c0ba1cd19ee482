/**
 * @file
 * @brief The agent's reliable link; see link.h.
 */
#include "link.h"

#include "iodev.h"

/* Packet.seq and Packet.ack: field 1 and 2, wire type 0 (varint). */
#define TAG_SEQ 0x08u
#define TAG_ACK 0x10u

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

/* Encodes the seq and ack fields (each left out when 0, as proto3 does) into @p dst. */
static size_t put_header(uint8_t *dst, uint32_t seq, uint32_t ack)
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
	link->retransmit_us = retransmit_us != 0u ? retransmit_us : AGENT_RETRANSMIT_US;
	link->ack_delay_us = ack_delay_us;
	link->stats.frames_sent = 0u;
	link->stats.retransmits = 0u;
	link->stats.duplicates = 0u;
	link->stats.out_of_order = 0u;
	link->stats.bad_acks = 0u;
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
	for (i = 0u; i < AGENT_WINDOW; i++) {
		link->window[i].seq = 0u;
		link->window[i].len = 0u;
		link->window[i].sent = 0u;
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
	p->sent = 0u;
	link->tx_next++;
}

void agent_link_on_ack(struct agent_link *link, uint32_t ack, uint64_t now_us)
{
	if (ack <= link->tx_acked) {
		return; /* old news */
	}
	if (ack >= link->tx_next) {
		link->stats.bad_acks++;
		return;
	}
	link->tx_acked = ack;
	link->retransmit_at = unacked(link) > 0u ? now_us + link->retransmit_us : AGENT_NEVER;
}

static void owe_ack(struct agent_link *link, uint64_t now_us)
{
	if (!link->ack_pending) {
		link->ack_pending = true;
		link->ack_at = now_us + link->ack_delay_us;
	}
}

enum agent_link_rx agent_link_classify(struct agent_link *link, uint32_t seq, uint64_t now_us)
{
	owe_ack(link, now_us);
	if (seq <= link->rx_last) {
		link->stats.duplicates++;
		return AGENT_LINK_DUPLICATE;
	}
	if (seq != link->rx_last + 1u) {
		link->stats.out_of_order++;
		return AGENT_LINK_OUT_OF_ORDER;
	}
	return AGENT_LINK_DELIVER;
}

void agent_link_accept(struct agent_link *link, uint32_t seq)
{
	if (seq == link->rx_last + 1u) {
		link->rx_last = seq;
	}
}

/* Frames and writes one packet: header (seq, current ack) then the stored body. */
static void send_packet(struct agent_link *link, struct agent_link_packet *p)
{
	uint8_t hdr[AGENT_LINK_HDR_MAX];
	size_t n = put_header(hdr, p->seq, link->rx_last);
	uint8_t *payload = p->buf + AGENT_LINK_HDR_MAX - n;
	size_t i;

	for (i = 0u; i < n; i++) {
		payload[i] = hdr[i];
	}
	(void)agent_link_send_raw(link, payload, n + p->len);
	p->sent = 1u;
	link->ack_pending = false;
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

		if (p->sent == 0u) {
			if (link->retransmit_at == AGENT_NEVER) {
				link->retransmit_at = now_us + link->retransmit_us;
			}
			send_packet(link, p);
		}
	}
	if (link->ack_pending && now_us >= link->ack_at) {
		uint8_t hdr[AGENT_LINK_HDR_MAX];
		size_t n = put_header(hdr, 0u, link->rx_last);

		(void)agent_link_send_raw(link, hdr, n);
		link->ack_pending = false;
		link->ack_at = AGENT_NEVER;
	}
}

void agent_link_poll(struct agent_link *link, uint64_t now_us)
{
	uint32_t seq;

	if (unacked(link) == 0u || now_us < link->retransmit_at) {
		agent_link_flush(link, now_us); /* an owed pure ack may be due */
		return;
	}
	for (seq = link->tx_acked + 1u; seq < link->tx_next; seq++) {
		struct agent_link_packet *p = slot_for(link, seq);

		if (p->sent != 0u) {
			link->stats.retransmits++;
		}
		send_packet(link, p);
	}
	link->retransmit_at = now_us + link->retransmit_us;
}

uint64_t agent_link_next_due_us(const struct agent_link *link)
{
	uint64_t due = unacked(link) > 0u ? link->retransmit_at : AGENT_NEVER;

	return link->ack_pending && link->ack_at < due ? link->ack_at : due;
}

uint32_t agent_link_rx_last(const struct agent_link *link)
{
	return link->rx_last;
}

const struct agent_link_stats *agent_link_stats(const struct agent_link *link)
{
	return &link->stats;
}
