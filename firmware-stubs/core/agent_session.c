/**
 * @file
 * @brief The agent's session (agent.h's link rules): a Hello opens one and is answered with the
 *        HelloReply that also announces every boot; a Reset ends it. Opening or ending a session
 *        drops everything in flight silently.
 */
#include "agent_internal.h"

void agent_send_hello_reply(struct agent *a, uint32_t host_nonce)
{
	/* The received frame is decoded already: its buffer is free until the next byte comes. */
	uint8_t *buf = a->rx_buf;
	rtiohil_Packet pkt;
	pb_ostream_t os;

	agent_packet_hello_reply(&pkt, a, host_nonce);
	os = pb_ostream_from_buffer(buf, AGENT_MAX_PAYLOAD_BYTES);
	if (!pb_encode(&os, rtiohil_Packet_fields, &pkt)) {
		a->stats.encode_errors++;
		return;
	}
	(void)agent_link_send_raw(&a->link, buf, os.bytes_written);
}

void agent_clear_faults(struct agent *a)
{
	size_t i;

	for (i = 0u; i < a->cfg.iodev_count; i++) {
		agent_faults_clear(&a->cfg.iodevs[i]->faults);
	}
}

/* Drops everything in flight and every packet either way, silently. */
static void drop_session(struct agent *a)
{
	exec_reset(&a->ex);
	agent_link_reset(&a->link);
	a->reply_head = 0u;
	a->reply_len = 0u;
	agent_clear_faults(a);
}

void agent_handle_hello(struct agent *a, const rtiohil_Hello *h)
{
	if (a->session && h->host_nonce != 0u && h->host_nonce == a->host_nonce) {
		agent_send_hello_reply(a, h->host_nonce); /* the host did not get our reply: same session */
		return;
	}
	drop_session(a);
	a->session = h->protocol_version == AGENT_PROTOCOL_VERSION;
	a->host_nonce = h->host_nonce;
	agent_send_hello_reply(a, h->host_nonce);
}

void agent_handle_reset(struct agent *a)
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
