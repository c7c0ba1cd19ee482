/**
 * @file
 * @brief The agent's API (agent.h): set-up and the boot announcement, bytes in, timers and
 *        polling, counters. What a packet holds, how it is decoded, sent and handled are the
 *        files agent_internal.h lists.
 */
#include "agent_internal.h"

uint64_t agent_now(const struct agent *a)
{
	return a->cfg.now_us(a->cfg.ctx);
}

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
	agent->decode_pass = AGENT_PASS_SCAN;
	agent->scanned_regions = 0u;
	agent->seen_retransmits = 0u;
	agent->lossy_packets = 0u;
	agent->session = false;
	agent->halted = false;
	agent_clear_faults(agent);
	/* Announce the (re)boot: a host that had a session learns of the reset at once. */
	agent_send_hello_reply(agent, 0u);
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
		agent_handle_payload(agent, agent->rx_buf, r.out_len);
		/* Units just submitted start now, before the next packet (a Cancel) is looked at. */
		run_due(agent, agent_now(agent));
		agent_flush(agent);
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
	agent_flush(agent);
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
