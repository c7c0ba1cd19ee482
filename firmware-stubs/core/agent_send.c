/**
 * @file
 * @brief What the agent sends in a session, through the link's send window: replies (CancelReply,
 *        Status) first, then the completion ring in Complete packets, and Log lines.
 */
#include "agent_internal.h"

bool agent_queue_packet(struct agent *a, const rtiohil_Packet *pkt)
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

/*
 * Moves as many waiting CQEs as fit into one Complete packet. False when the window has no room
 * for it (nothing moved); true when CQEs left the ring (sent, or dropped and counted).
 */
static bool queue_completions(struct agent *a)
{
	struct agent_cqe_batch batch = { .ex = &a->ex, .count = 0u };
	rtiohil_Packet pkt;
	size_t total = exec_cqe_count(&a->ex);
	uint32_t budget = complete_budget(a);
	uint32_t inner = 0u;

	while (batch.count < total) {
		uint32_t next = inner + agent_cqe_size(exec_cqe_peek(&a->ex, batch.count));

		if (agent_body_size(next) > (batch.count == 0u ? AGENT_LINK_BODY_MAX : budget)) {
			break;
		}
		inner = next;
		batch.count++;
	}
	if (a->lossy_packets > 0u && batch.count > 0u) {
		a->lossy_packets--;
	}
	if (batch.count == 0u) {
		/* Cannot happen: AGENT_MAX_BUFFER_BYTES leaves room for one CQE. */
		a->stats.encode_errors++;
		exec_cqe_pop(&a->ex, 1u);
		return true;
	}
	agent_packet_complete(&pkt, &batch);
	if (agent_link_window_free(&a->link) == 0u) {
		return false;
	}
	if (agent_queue_packet(a, &pkt)) {
		a->stats.cqes_sent += (uint32_t)batch.count;
	} else {
		a->stats.cqes_dropped += (uint32_t)batch.count; /* an encoding failure (a bug): never spin on it */
	}
	exec_cqe_pop(&a->ex, batch.count);
	return true;
}

void agent_flush(struct agent *a)
{
	rtiohil_Packet pkt;

	if (!a->session || a->halted) {
		return;
	}
	while (a->reply_len > 0u && agent_link_window_free(&a->link) > 0u) {
		agent_packet_reply(&pkt, &a->replies[a->reply_head]);
		if (!agent_queue_packet(a, &pkt)) {
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
	agent_link_flush(&a->link, agent_now(a));
}

void agent_add_reply(struct agent *a, enum agent_reply_kind kind, uint32_t id, int32_t result)
{
	if (a->reply_len >= AGENT_REPLY_QUEUE) {
		return; /* checked before the packet was accepted */
	}
	a->replies[(a->reply_head + a->reply_len) % AGENT_REPLY_QUEUE] =
		(struct agent_reply){ .kind = kind, .id = id, .result = result };
	a->reply_len++;
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
	agent_packet_log(&pkt, level, text);
	if (!agent_queue_packet(agent, &pkt)) {
		agent->stats.logs_dropped++;
		return -AGENT_EBUSY;
	}
	agent_link_flush(&agent->link, agent_now(agent));
	return 0;
}
