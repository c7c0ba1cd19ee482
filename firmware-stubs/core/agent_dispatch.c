/**
 * @file
 * @brief A received Packet, handled: the session and link rules of agent.h (Hello, packets outside
 *        a session, acks, Reset, sequence numbers), then its body: Submit to the executor, Cancel
 *        and Signal, InjectFault and ClearFaults (answered with a Status).
 */
#include "agent_internal.h"

/* InjectFault: the fault queued on its iodev. Returns 0, -AGENT_ENODEV (no such iodev) or agent_faults_push()'s errno. */
static int32_t inject_fault(struct agent *a, const rtiohil_InjectFault *m)
{
	struct agent_iodev *dev = exec_iodev(&a->ex, m->iodev);
	const struct agent_fault f = {
		.kind = (enum agent_fault_kind)m->kind,
		.at_byte = m->at_byte,
		.bytes = m->bytes,
		.delay_us = m->delay_us,
		.count = m->count,
	};

	return dev == NULL ? -AGENT_ENODEV : agent_faults_push(&dev->faults, &f);
}

/* Bodies that are answered with a reply: each needs room in the reply queue to be taken. */
static bool needs_reply(pb_size_t body)
{
	return body == rtiohil_Packet_cancel_tag || body == rtiohil_Packet_inject_fault_tag ||
	       body == rtiohil_Packet_clear_faults_tag;
}

/* The body of a sequenced packet delivered in order. */
static void handle_body(struct agent *a, const rtiohil_Packet *pkt, const uint8_t *buf, size_t len)
{
	switch (pkt->which_body) {
	case rtiohil_Packet_submit_tag:
		agent_take_submit(a, buf, len);
		break;
	case rtiohil_Packet_cancel_tag:
		agent_add_reply(a, AGENT_REPLY_CANCEL, pkt->body.cancel.id, exec_cancel(&a->ex, pkt->body.cancel.id));
		break;
	case rtiohil_Packet_signal_tag:
		if (exec_signal(&a->ex, pkt->body.signal.id) != 0) {
			(void)agent_log(a, AGENT_LOG_WRN, "Signal: no waiting or running AWAIT has that id");
		}
		break;
	case rtiohil_Packet_inject_fault_tag:
		agent_add_reply(a, AGENT_REPLY_STATUS, 0u, inject_fault(a, &pkt->body.inject_fault));
		break;
	case rtiohil_Packet_clear_faults_tag:
		agent_clear_faults(a);
		agent_add_reply(a, AGENT_REPLY_STATUS, 0u, 0);
		break;
	case 0u:
		break; /* an empty sequenced packet: nothing to do */
	default:
		a->stats.unexpected++; /* a body only the agent sends */
		break;
	}
}

void agent_handle_payload(struct agent *a, const uint8_t *buf, size_t len)
{
	rtiohil_Packet pkt;

	if (!agent_decode_packet(a, buf, len, AGENT_PASS_SCAN, &pkt)) {
		a->stats.decode_errors++;
		return;
	}
	if (pkt.which_body == rtiohil_Packet_hello_tag) {
		agent_handle_hello(a, &pkt.body.hello);
		return;
	}
	if (!a->session) {
		/* We reset (or never had a session): our boot nonce tells the host. */
		a->stats.no_session++;
		agent_send_hello_reply(a, 0u);
		return;
	}
	agent_link_on_ack(&a->link, pkt.ack, pkt.rej, agent_now(a));
	if (pkt.which_body == rtiohil_Packet_reset_tag) {
		agent_handle_reset(a);
		return;
	}
	if (pkt.seq == 0u) {
		if (pkt.which_body != 0u) {
			a->stats.unexpected++; /* only Hello and Reset travel unsequenced */
		}
		return;
	}
	if (agent_link_classify(&a->link, pkt.seq, agent_now(a)) != AGENT_LINK_DELIVER) {
		return;
	}
	if (needs_reply(pkt.which_body) && a->reply_len >= AGENT_REPLY_QUEUE) {
		a->stats.refused++; /* not acknowledged: the host sends it again later */
		return;
	}
	agent_link_accept(&a->link, pkt.seq);
	handle_body(a, &pkt, buf, len);
}
