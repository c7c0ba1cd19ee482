/*
 * agent-test: chains shipped and run (the executor behind the wire: chains, transactions, multishot,
 * timeouts, cancel, AWAIT, submit-time errors, capacity, faults, regions).
 */
#include "agent-cases.h"

void test_nop(void)
{
	struct agent_stats s;

	setup();
	h.auto_ack = false;
	tw_init(&pk);
	tw_add_sqe(&pk, 7u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	CHECK_MSG(h.n_cqes == 1u && h.cqes[0].id == 7u && h.cqes[0].result == 0 && h.cqes[0].flags == 0u &&
	      h.cqes[0].len == 0u, "%zu CQEs, first id %u result %d", h.n_cqes, h.cqes[0].id, h.cqes[0].result);
	CHECK_MSG(h.cqes[0].seq == 1u, "the Complete has seq %u", h.cqes[0].seq);
	CHECK_MSG(h.last_ack == 1u, "the Complete acks %u", h.last_ack);
	CHECK_MSG(h.pure_acks == 0u, "%u pure acks: the ack should ride on the Complete", h.pure_acks);

	/* A NOP on an iodev completes as the iodev decides: at its poll, which the agent runs
	 * before it looks at the next packet. */
	tw_init(&pk);
	tw_add_sqe(&pk, 8u, AGENT_OP_NOP, 0u, 1u);
	host_send(&pk);
	CHECK_MSG(result_of(8u) == 0, "iodev NOP result %d", result_of(8u));
	CHECK_MSG(h.pure_acks == 0u && h.last_ack == 2u, "%u pure acks, ack %u: the Complete carries the ack", h.pure_acks,
	      h.last_ack);
	s = stats();
	CHECK_MSG(s.sqes_run == 2u && s.cqes_sent == 2u, "sqes_run %u cqes_sent %u", s.sqes_run, s.cqes_sent);
	check_idle();
}

void test_chain_failure(void)
{
	uint8_t ab[2] = { 'a', 'b' };
	rtiohil_Sqe *q;

	setup();
	tw_init(&pk);
	add_rx(1u, AGENT_SQE_CHAINED, 1u, 4u, 0u);
	q = tw_add_sqe(&pk, 2u, AGENT_OP_TX, AGENT_SQE_CHAINED, 1u);
	q->iodev_flags = FAKE_ERRNO(AGENT_EIO);
	tw_set_tx(&pk, 1u, ab, 2u);
	tw_add_sqe(&pk, 3u, AGENT_OP_NOP, AGENT_SQE_CHAINED, 0u);
	add_rx(4u, 0u, 1u, 2u, 0u);
	host_run(&pk);
	CHECK_MSG(h.n_cqes == 4u, "%zu CQEs", h.n_cqes);
	CHECK_MSG(order_of(1u) == 0 && order_of(2u) == 1 && order_of(3u) == 2 && order_of(4u) == 3, "CQEs out of chain order");
	CHECK_MSG(result_of(1u) == 4 && pattern_ok(cqe_of(1u), 4u), "RX: result %d", result_of(1u));
	CHECK_MSG(result_of(2u) == -AGENT_EIO, "TX: %d", result_of(2u));
	CHECK_MSG(result_of(3u) == -AGENT_ECANCELED && result_of(4u) == -AGENT_ECANCELED, "rest: %d %d",
	      result_of(3u), result_of(4u));
	CHECK_MSG(fakes[0].submits == 2u, "the fake ran %u units; the cancelled ones must not start", fakes[0].submits);
	check_idle();

	/* A short transfer ends the chain like an error, keeping its count. */
	tw_init(&pk);
	add_rx(10u, AGENT_SQE_CHAINED, 1u, 8u, FAKE_SHORT(3));
	tw_add_sqe(&pk, 11u, AGENT_OP_NOP, 0u, 0u);
	host_run(&pk);
	CHECK_MSG(result_of(10u) == 3 && pattern_ok(cqe_of(10u), 3u), "short RX: %d", result_of(10u));
	CHECK_MSG(result_of(11u) == -AGENT_ECANCELED, "after a short RX: %d", result_of(11u));
	check_idle();
}

void test_transaction(void)
{
	uint8_t xyz[3] = { 'x', 'y', 'z' };

	setup();
	tw_init(&pk);
	tw_add_sqe(&pk, 1u, AGENT_OP_TX, AGENT_SQE_TRANSACTION, 1u);
	tw_set_tx(&pk, 0u, xyz, 3u);
	add_rx(2u, AGENT_SQE_TRANSACTION, 1u, 4u, 0u);
	add_rx(3u, AGENT_SQE_CHAINED, 1u, 2u, 0u);
	tw_add_sqe(&pk, 4u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	CHECK_MSG(fakes[0].submits == 1u, "the transaction reached the iodev as %u units", fakes[0].submits);
	host_settle();
	CHECK_MSG(h.n_cqes == 4u, "%zu CQEs", h.n_cqes);
	CHECK_MSG(order_of(1u) == 0 && order_of(2u) == 1 && order_of(3u) == 2 && order_of(4u) == 3, "CQEs out of order");
	CHECK_MSG(result_of(1u) == 3 && result_of(2u) == 4 && result_of(3u) == 2 && result_of(4u) == 0,
	      "results %d %d %d %d", result_of(1u), result_of(2u), result_of(3u), result_of(4u));
	CHECK_MSG(pattern_ok(cqe_of(2u), 4u) && pattern_ok(cqe_of(3u), 2u), "member data");
	CHECK_MSG(fakes[0].tx_seen_len == 3u && memcmp(fakes[0].tx_seen, "xyz", 3u) == 0, "the TX member sent the wrong bytes");
	check_idle();

	/* A failing member carries the error; earlier members succeed; the rest is cancelled. */
	tw_init(&pk);
	tw_add_sqe(&pk, 11u, AGENT_OP_TX, AGENT_SQE_TRANSACTION, 1u);
	tw_set_tx(&pk, 0u, xyz, 3u);
	add_rx(12u, AGENT_SQE_TRANSACTION, 1u, 4u, FAKE_ERRNO(AGENT_EIO));
	add_rx(13u, AGENT_SQE_CHAINED, 1u, 2u, 0u);
	tw_add_sqe(&pk, 14u, AGENT_OP_NOP, 0u, 0u);
	host_run(&pk);
	CHECK_MSG(result_of(11u) == 3, "member before the failure: %d", result_of(11u));
	CHECK_MSG(result_of(12u) == -AGENT_EIO, "failing member: %d", result_of(12u));
	CHECK_MSG(result_of(13u) == -AGENT_ECANCELED && result_of(14u) == -AGENT_ECANCELED, "after: %d %d",
	      result_of(13u), result_of(14u));
	CHECK_MSG(order_of(11u) < order_of(12u) && order_of(12u) < order_of(13u) && order_of(13u) < order_of(14u),
	      "CQEs out of order");
	check_idle();
}

void test_multishot_cancel(void)
{
	const struct rec_cqe *last = NULL;
	unsigned int more = 0u;
	size_t i;
	int k;

	setup();
	fakes[0].paced = true;
	tw_init(&pk);
	tw_add_sqe(&pk, 5u, AGENT_OP_RX, AGENT_SQE_MEMPOOL_BUFFER | AGENT_SQE_MULTISHOT, 1u);
	host_send(&pk);
	for (k = 0; k < 3; k++) {
		host_poll(10u);
	}
	CHECK_MSG(cqes_of(5u) >= 3u, "%u shots after 3 polls", cqes_of(5u));
	host_cancel(5u);
	CHECK_MSG(h.n_cancel == 1u && h.cancel_ids[0] == 5u && h.cancel_results[0] == -AGENT_EALREADY,
	      "CancelReply %u: %d", h.cancel_ids[0], h.cancel_results[0]);
	host_settle();
	host_poll(10u);
	for (i = 0u; i < h.n_cqes; i++) {
		if (h.cqes[i].id != 5u) {
			continue;
		}
		if (last != NULL) {
			CHECK_MSG((last->flags & AGENT_CQE_FLAG_MORE) != 0u, "a CQE without MORE before the last");
			CHECK_MSG(last->result == (int32_t)FAKE_POOL_LEN && pattern_ok(last, FAKE_POOL_LEN), "shot result %d len %u",
			      last->result, last->len);
			more++;
		}
		last = &h.cqes[i];
	}
	CHECK_MSG(last != NULL && last->flags == 0u && last->result == -AGENT_ECANCELED && last->len == 0u,
	      "final CQE: flags %u result %d", last ? last->flags : 99u, last ? last->result : 99);
	CHECK_MSG(more >= 3u, "%u CQEs with MORE", more);
	check_idle();

	/* A cancel hook that drops the queued shot: 0, and the final CQE at once. */
	fakes[0].paced = false;
	fakes[0].manual = true;
	fakes[0].drop_queued = true;
	tw_init(&pk);
	tw_add_sqe(&pk, 6u, AGENT_OP_RX, AGENT_SQE_MEMPOOL_BUFFER | AGENT_SQE_MULTISHOT, 1u);
	host_send(&pk);
	host_cancel(6u);
	CHECK_MSG(h.n_cancel == 2u && h.cancel_results[1] == 0, "CancelReply %d", h.cancel_results[1]);
	CHECK_MSG(cqes_of(6u) == 1u && result_of(6u) == -AGENT_ECANCELED, "%u CQEs, %d", cqes_of(6u), result_of(6u));
	check_idle();
}

void test_multishot_stops_when_full(void)
{
	unsigned int total;
	unsigned int with_more = 0u;
	size_t i;
	int k;

	setup();
	fakes[0].paced = true;
	h.withhold = true; /* the host acks nothing: the agent's window and ring fill up */
	h.ack_value = 0u;
	tw_init(&pk);
	tw_add_sqe(&pk, 9u, AGENT_OP_RX, AGENT_SQE_MEMPOOL_BUFFER | AGENT_SQE_MULTISHOT, 1u);
	host_send(&pk);
	for (k = 0; k < 1000 && fakes[0].n > 0u; k++) {
		host_poll(10u);
	}
	CHECK_MSG(fakes[0].n == 0u, "the multishot never ended");
	CHECK_MSG(exec_slots_used(&agent.ex) == 0u, "the multishot still holds its slot");
	/* It ended when its CQE took the last entry of the ring; the window holds the rest. */
	CHECK_MSG(exec_cqe_count(&agent.ex) == AGENT_CQE_RING && h.rx_seq == AGENT_WINDOW,
	      "%zu CQEs waiting, %u packets sent", exec_cqe_count(&agent.ex), h.rx_seq);
	/* Now acknowledge everything and collect the rest. */
	h.withhold = false;
	for (k = 0; k < 64 && exec_cqe_count(&agent.ex) > 0u; k++) {
		tw_init(&pk);
		pk.p.ack = h.rx_seq;
		host_feed(&pk);
		host_parse();
	}
	total = cqes_of(9u);
	for (i = 0u; i < h.n_cqes; i++) {
		if (h.cqes[i].id == 9u && (h.cqes[i].flags & AGENT_CQE_FLAG_MORE) != 0u) {
			with_more++;
		}
	}
	CHECK_MSG(total > 1u && with_more == total - 1u, "%u CQEs, %u with MORE", total, with_more);
	CHECK_MSG(h.cqes[h.n_cqes - 1u].id == 9u && h.cqes[h.n_cqes - 1u].flags == 0u &&
	      h.cqes[h.n_cqes - 1u].result == (int32_t)FAKE_POOL_LEN,
	      "the final CQE carries its shot's result without MORE (%d, flags %u)", h.cqes[h.n_cqes - 1u].result,
	      h.cqes[h.n_cqes - 1u].flags);
	check_idle();
}

void test_timeout(void)
{
	rtiohil_Sqe *q;
	struct agent_stats s;

	setup();
	tw_init(&pk);
	q = add_rx(1u, AGENT_SQE_CHAINED, 1u, 4u, FAKE_HANG);
	q->timeout_us = 1000u;
	tw_add_sqe(&pk, 2u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	host_poll(0u);
	poll_to_just_before_due(1000u);
	CHECK_MSG(h.n_cqes == 0u, "completed before its timeout");
	host_poll(1u);
	CHECK_MSG(result_of(1u) == -AGENT_ETIMEDOUT && result_of(2u) == -AGENT_ECANCELED, "%d %d", result_of(1u),
	      result_of(2u));
	CHECK_MSG(fakes[0].dropped == 1u, "the cancel hook was not asked to drop the timed-out unit");
	check_idle();

	/* A driver that keeps the unit: its slot stays reserved until it lets go, silently. */
	fakes[0].refuse_cancel = true;
	tw_init(&pk);
	q = add_rx(3u, 0u, 1u, 4u, FAKE_HANG);
	q->timeout_us = 500u;
	host_send(&pk);
	host_poll(500u);
	CHECK_MSG(result_of(3u) == -AGENT_ETIMEDOUT, "%d", result_of(3u));
	CHECK_MSG(exec_slots_used(&agent.ex) == 1u, "%zu slots used: the timed-out unit's must stay reserved",
	      exec_slots_used(&agent.ex));
	fake_complete(&fakes[0], 4);
	host_poll(0u);
	CHECK_MSG(cqes_of(3u) == 1u, "the late completion posted a CQE");
	s = stats();
	CHECK_MSG(s.late_completions == 1u && s.stray_completions == 0u, "late %u stray %u", s.late_completions,
	      s.stray_completions);
	check_idle();

	/* A DELAY with a shorter timeout times out. */
	tw_init(&pk);
	add_delay(4u, 0u, 5000u);
	q->timeout_us = 100u;
	host_send(&pk);
	host_poll(100u);
	CHECK_MSG(result_of(4u) == -AGENT_ETIMEDOUT, "DELAY with a timeout: %d", result_of(4u));
	check_idle();
}

void test_invalid_sqes(void)
{
	static const uint8_t big[600];
	uint8_t eight[8] = { 0 };
	rtiohil_Sqe *q;

	setup();
	tw_init(&pk);
	tw_add_sqe(&pk, 1u, 13u, 0u, 0u);                                  /* unknown op */
	tw_add_sqe(&pk, 2u, AGENT_OP_CALLBACK, 0u, 0u);                    /* cannot cross the wire */
	add_rx(3u, 0u, 99u, 4u, 0u);                                       /* unknown iodev */
	add_rx(4u, 0u, 0u, 4u, 0u);                                        /* no iodev */
	tw_add_sqe(&pk, 5u, AGENT_OP_RX, 0u, 1u);                          /* RX of 0 bytes */
	add_rx(6u, 0u, 1u, 2000u, 0u);                                     /* too large */
	tw_add_sqe(&pk, 7u, AGENT_OP_TX, 0u, 1u);                          /* TX data too large */
	tw_set_tx(&pk, 6u, big, sizeof(big));
	tw_add_sqe(&pk, 8u, AGENT_OP_NOP, AGENT_SQE_CHAINED | AGENT_SQE_TRANSACTION, 0u); /* contradictory */
	tw_add_sqe(&pk, 9u, AGENT_OP_NOP, 0u, 0u);                         /* (the rest of 8's chain) */
	add_rx(10u, AGENT_SQE_MULTISHOT, 1u, 4u, 0u);                      /* multishot without mempool */
	tw_add_sqe(&pk, 11u, AGENT_OP_NOP, 1u << 7, 0u);                   /* unknown flag */
	tw_add_sqe(&pk, 12u, AGENT_OP_TINY_TX, 0u, 1u);                    /* TINY_TX of 8 bytes */
	tw_set_tx(&pk, 11u, eight, 8u);
	q = tw_add_sqe(&pk, 13u, AGENT_OP_TX, 0u, 1u);                     /* a region the Submit lacks */
	q->tx_region = 5u;
	q->len = 2u;
	tw_add_sqe(&pk, 14u, AGENT_OP_NOP, AGENT_SQE_MEMPOOL_BUFFER, 0u);  /* mempool on a NOP */
	host_run(&pk);
	CHECK_MSG(result_of(1u) == -AGENT_EINVAL, "unknown op: %d", result_of(1u));
	CHECK_MSG(result_of(2u) == -AGENT_EINVAL, "CALLBACK: %d", result_of(2u));
	CHECK_MSG(result_of(3u) == -AGENT_ENODEV, "unknown iodev: %d", result_of(3u));
	CHECK_MSG(result_of(4u) == -AGENT_ENODEV, "RX without iodev: %d", result_of(4u));
	CHECK_MSG(result_of(5u) == -AGENT_EINVAL, "RX of 0: %d", result_of(5u));
	CHECK_MSG(result_of(6u) == -AGENT_EMSGSIZE, "RX of 2000: %d", result_of(6u));
	CHECK_MSG(result_of(7u) == -AGENT_EMSGSIZE, "TX of 600: %d", result_of(7u));
	CHECK_MSG(result_of(8u) == -AGENT_EINVAL && result_of(9u) == -AGENT_ECANCELED, "CHAINED|TRANSACTION: %d, then %d",
	      result_of(8u), result_of(9u));
	CHECK_MSG(result_of(10u) == -AGENT_EINVAL, "multishot without mempool: %d", result_of(10u));
	CHECK_MSG(result_of(11u) == -AGENT_EINVAL, "unknown flag: %d", result_of(11u));
	CHECK_MSG(result_of(12u) == -AGENT_EINVAL, "TINY_TX of 8: %d", result_of(12u));
	CHECK_MSG(result_of(13u) == -AGENT_EINVAL, "missing region: %d", result_of(13u));
	CHECK_MSG(result_of(14u) == -AGENT_EINVAL, "mempool NOP: %d", result_of(14u));
	CHECK_MSG(h.n_cqes == 14u && fakes[0].submits == 0u, "%zu CQEs, %u units ran", h.n_cqes, fakes[0].submits);
	check_idle();

	/* A bad member inside a chain: it carries the error, the others -ECANCELED, in order. */
	h.n_cqes = 0u;
	tw_init(&pk);
	tw_add_sqe(&pk, 20u, AGENT_OP_NOP, AGENT_SQE_CHAINED, 0u);
	add_rx(21u, AGENT_SQE_CHAINED, 99u, 1u, 0u);
	tw_add_sqe(&pk, 22u, AGENT_OP_NOP, AGENT_SQE_CHAINED, 0u);
	tw_add_sqe(&pk, 23u, AGENT_OP_NOP, 0u, 0u);
	tw_add_sqe(&pk, 24u, AGENT_OP_NOP, 0u, 0u);                        /* the next chain runs */
	tw_add_sqe(&pk, 25u, AGENT_OP_NOP, AGENT_SQE_CHAINED, 0u);         /* links to nothing */
	tw_add_sqe(&pk, 26u, AGENT_OP_NOP, AGENT_SQE_CHAINED, 0u);
	host_send(&pk);
	CHECK_MSG(result_of(20u) == -AGENT_ECANCELED && result_of(21u) == -AGENT_ENODEV &&
	      result_of(22u) == -AGENT_ECANCELED && result_of(23u) == -AGENT_ECANCELED,
	      "chain: %d %d %d %d", result_of(20u), result_of(21u), result_of(22u), result_of(23u));
	CHECK_MSG(order_of(20u) < order_of(21u) && order_of(21u) < order_of(22u) && order_of(22u) < order_of(23u),
	      "chain CQEs out of order");
	CHECK_MSG(result_of(24u) == 0, "independent chain: %d", result_of(24u));
	CHECK_MSG(result_of(25u) == -AGENT_ECANCELED && result_of(26u) == -AGENT_EINVAL, "dangling chain: %d %d",
	      result_of(25u), result_of(26u));
	check_idle();
}

void test_capacity(void)
{
	unsigned int ok = 0u;
	unsigned int busy = 0u;
	uint32_t i;

	setup();
	tw_init(&pk);
	for (i = 0u; i < AGENT_MAX_SQES + 2u; i++) {
		tw_add_sqe(&pk, 100u + i, AGENT_OP_NOP, 0u, 0u);
	}
	host_send(&pk);
	for (i = 0u; i < h.n_cqes; i++) {
		ok += h.cqes[i].result == 0;
		busy += h.cqes[i].result == -AGENT_EBUSY;
	}
	CHECK_MSG(h.n_cqes == AGENT_MAX_SQES + 2u, "%zu CQEs", h.n_cqes);
	CHECK_MSG(ok == AGENT_MAX_SQES && busy == 2u, "%u ok, %u -EBUSY", ok, busy);
	check_idle();

	/* The arena runs out: -ENOMEM for what does not fit. */
	h.n_cqes = 0u;
	fakes[0].manual = true;
	tw_init(&pk);
	for (i = 0u; i < 8u; i++) {
		add_rx(200u + i, 0u, 1u, AGENT_MAX_BUFFER_BYTES, 0u);
	}
	host_send(&pk);
	CHECK_MSG(h.n_cqes == 1u && h.cqes[0].id == 207u && h.cqes[0].result == -AGENT_ENOMEM,
	      "%zu CQEs; first id %u result %d", h.n_cqes, h.cqes[0].id, h.cqes[0].result);
	CHECK_MSG(fakes[0].n == 7u, "%zu units at the iodev", fakes[0].n);
	while (fakes[0].n > 0u) {
		fake_complete(&fakes[0], (int32_t)AGENT_MAX_BUFFER_BYTES);
	}
	host_poll(0u);
	CHECK_MSG(h.n_cqes == 8u && result_of(200u) == (int32_t)AGENT_MAX_BUFFER_BYTES, "%zu CQEs", h.n_cqes);
	CHECK_MSG(h.complete_packets >= 8u, "%u Complete packets for 7 full buffers: one CQE of %u bytes per packet",
	      h.complete_packets, AGENT_MAX_BUFFER_BYTES);
	check_idle();
}

/* Submits an AWAIT on @p iodev (0: the executor's), checks that it waits @p wait_us, then signals it. */
static void await_then_signal(uint32_t id, uint32_t iodev, uint64_t wait_us)
{
	tw_init(&pk);
	tw_add_sqe(&pk, id, AGENT_OP_AWAIT, 0u, iodev);
	host_send(&pk);
	host_poll(wait_us);
	CHECK_MSG(cqe_of(id) == NULL, "AWAIT %u on iodev %u completed without a Signal", id, iodev);
	host_signal(id);
}

void test_delay_await_cancel(void)
{
	setup();
	/* DELAY then NOP. */
	tw_init(&pk);
	add_delay(1u, AGENT_SQE_CHAINED, 500u);
	tw_add_sqe(&pk, 2u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	host_poll(499u);
	CHECK_MSG(h.n_cqes == 0u, "DELAY ended early");
	host_poll(1u);
	CHECK_MSG(result_of(1u) == 0 && result_of(2u) == 0, "DELAY %d, NOP %d", result_of(1u), result_of(2u));
	/* Device times: the DELAY ran its 500 µs of the clock, and the NOP started when it ended. */
	CHECK(cqe_of(1u)->timed && cqe_of(2u)->timed);
	CHECK_MSG(cqe_of(1u)->end_us - cqe_of(1u)->start_us == 500u, "DELAY ran %u..%u", cqe_of(1u)->start_us,
		  cqe_of(1u)->end_us);
	CHECK_MSG(cqe_of(2u)->start_us == cqe_of(1u)->end_us && cqe_of(2u)->end_us == cqe_of(2u)->start_us,
		  "NOP ran %u..%u", cqe_of(2u)->start_us, cqe_of(2u)->end_us);

	/* An executor AWAIT completes on Signal; a Signal before it is reached also counts. */
	await_then_signal(3u, 0u, 1000u);
	CHECK_MSG(result_of(3u) == 0, "AWAIT after Signal: %d", result_of(3u));
	tw_init(&pk);
	add_delay(4u, AGENT_SQE_CHAINED, 100u);
	tw_add_sqe(&pk, 5u, AGENT_OP_AWAIT, 0u, 0u);
	host_send(&pk);
	host_signal(5u);
	host_poll(100u);
	CHECK_MSG(result_of(4u) == 0 && result_of(5u) == 0, "pre-signalled AWAIT: %d", result_of(5u));

	/* An AWAIT held by an iodev: the driver sees agent_sqe_signaled(). */
	await_then_signal(6u, 1u, 10u);
	host_poll(0u);
	CHECK_MSG(result_of(6u) == 0, "iodev AWAIT: %d", result_of(6u));

	/* Signal of nothing: a warning in the log. */
	host_signal(77u);
	CHECK_MSG(h.n_logs == 1u && h.log_levels[0] == AGENT_LOG_WRN, "%zu logs", h.n_logs);

	/* Cancel: a running DELAY (0, -ECANCELED now), a pending NOP (0, -ECANCELED when reached),
	 * a running iodev unit (-EALREADY), nothing (-ENOENT). */
	fakes[0].manual = true;
	tw_init(&pk);
	add_delay(10u, AGENT_SQE_CHAINED, 1000u);
	tw_add_sqe(&pk, 11u, AGENT_OP_NOP, 0u, 0u);
	add_rx(12u, 0u, 1u, 1u, 0u);
	host_send(&pk);
	host_cancel(11u);
	host_cancel(12u);
	host_cancel(99u);
	CHECK_MSG(h.n_cancel == 3u && h.cancel_results[0] == 0 && h.cancel_results[1] == -AGENT_EALREADY &&
	      h.cancel_results[2] == -AGENT_ENOENT, "CancelReplies %d %d %d", h.cancel_results[0], h.cancel_results[1],
	      h.cancel_results[2]);
	host_cancel(10u);
	CHECK_MSG(h.cancel_results[3] == 0 && result_of(10u) == -AGENT_ECANCELED && result_of(11u) == -AGENT_ECANCELED,
	      "cancelled DELAY %d, then NOP %d", result_of(10u), result_of(11u));
	CHECK_MSG(cqe_of(10u)->timed && !cqe_of(11u)->timed, "device times: the DELAY ran, the NOP never did");
	host_cancel(10u);
	CHECK_MSG(h.cancel_results[4] == -AGENT_ENOENT, "cancel of a completed SQE: %d", h.cancel_results[4]);
	fake_complete(&fakes[0], 1);
	host_poll(0u);
	CHECK_MSG(result_of(12u) == 1, "the running RX completes as the device decides: %d", result_of(12u));
	check_idle();
}

void test_faults(void)
{
	struct agent_fault f;
	uint32_t i;

	setup();
	tw_init(&pk);
	pk.p.which_body = rtiohil_Packet_inject_fault_tag;
	pk.p.body.inject_fault.iodev = 1u;
	pk.p.body.inject_fault.kind = rtiohil_FaultKind_FAULT_KIND_NACK;
	pk.p.body.inject_fault.at_byte = 2u;
	pk.p.body.inject_fault.count = 1u;
	host_send(&pk);
	CHECK_MSG(h.n_status == 1u && h.statuses[0] == 0, "Status %d", h.statuses[0]);
	CHECK_MSG(fakes[0].dev.faults.len == 1u && fakes[0].dev.faults.queue[0].kind == AGENT_FAULT_NACK &&
	      fakes[0].dev.faults.queue[0].at_byte == 2u, "fault not armed");
	f = agent_fault_take(&fakes[0].dev.faults);
	CHECK_MSG(f.kind == AGENT_FAULT_NACK && fakes[0].dev.faults.len == 0u, "take: kind %d, %u left", f.kind,
	      fakes[0].dev.faults.len);
	f = agent_fault_take(&fakes[0].dev.faults);
	CHECK_MSG(f.kind == AGENT_FAULT_NONE, "take from nothing: %d", f.kind);

	pk.p.body.inject_fault.iodev = 99u;
	host_send(&pk);
	pk.p.body.inject_fault.iodev = 2u;
	pk.p.body.inject_fault.kind = rtiohil_FaultKind_FAULT_KIND_UNSPECIFIED;
	host_send(&pk);
	CHECK_MSG(h.statuses[1] == -AGENT_ENODEV && h.statuses[2] == -AGENT_EINVAL, "Status %d %d", h.statuses[1],
	      h.statuses[2]);
	pk.p.body.inject_fault.kind = rtiohil_FaultKind_FAULT_KIND_SHORT_READ;
	pk.p.body.inject_fault.bytes = 3u;
	pk.p.body.inject_fault.count = 0u; /* until cleared */
	for (i = 0u; i < AGENT_FAULTS_MAX + 1u; i++) {
		host_send(&pk);
	}
	CHECK_MSG(h.n_status == 3u + AGENT_FAULTS_MAX + 1u && h.statuses[h.n_status - 1u] == -AGENT_ENOMEM,
	      "a full fault queue: %d", h.statuses[h.n_status - 1u]);
	f = agent_fault_take(&fakes[1].dev.faults);
	f = agent_fault_take(&fakes[1].dev.faults);
	CHECK_MSG(f.kind == AGENT_FAULT_SHORT_READ && f.bytes == 3u && fakes[1].dev.faults.len == AGENT_FAULTS_MAX,
	      "a count-0 fault was used up");
	tw_init(&pk);
	pk.p.which_body = rtiohil_Packet_clear_faults_tag;
	host_send(&pk);
	CHECK_MSG(h.statuses[h.n_status - 1u] == 0 && fakes[1].dev.faults.len == 0u, "ClearFaults");
}

void test_regions_and_buffers(void)
{
	static const uint8_t abcd[4] = { 'a', 'b', 'c', 'd' };
	static const uint8_t init[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	rtiohil_Sqe *q;

	setup();
	/* RX on fake0 into region 1, then TX of region 1 to fake1: the data moves device to device. */
	tw_init(&pk);
	tw_add_region_sqe(&pk, 1u, AGENT_OP_RX, AGENT_SQE_CHAINED, 1u, 4u, 1u, 0u);
	tw_add_region_sqe(&pk, 2u, AGENT_OP_TX, 0u, 2u, 4u, 1u, 0u);
	tw_add_region(&pk, 4u, NULL, 0u);
	host_run(&pk);
	CHECK_MSG(result_of(1u) == 4 && result_of(2u) == 4, "RX %d TX %d", result_of(1u), result_of(2u));
	CHECK_MSG(fakes[1].tx_seen_len == 4u && fakes[1].tx_seen[0] == FAKE_PATTERN && fakes[1].tx_seen[3] == FAKE_PATTERN + 3u,
	      "the TX sent %u bytes, first %02x", fakes[1].tx_seen_len, fakes[1].tx_seen[0]);
	check_idle();

	/*
	 * Two chains in one Submit, regions numbered within it: the second chain's TX sends a slice
	 * of its own region (what its RX read, around bytes the host already had), not the first's.
	 */
	tw_init(&pk);
	tw_add_region_sqe(&pk, 3u, AGENT_OP_RX, AGENT_SQE_CHAINED, 1u, 2u, 1u, 0u);
	tw_add_region_sqe(&pk, 4u, AGENT_OP_TX, 0u, 1u, 2u, 1u, 0u);
	tw_add_region_sqe(&pk, 5u, AGENT_OP_RX, AGENT_SQE_CHAINED, 1u, 2u, 2u, 3u);
	tw_add_region_sqe(&pk, 6u, AGENT_OP_TX, 0u, 2u, 4u, 2u, 2u);
	tw_add_region(&pk, 2u, NULL, 0u);
	tw_add_region(&pk, 8u, init, 8u);
	host_run(&pk);
	CHECK_MSG(result_of(5u) == 2 && result_of(6u) == 4, "RX %d TX %d", result_of(5u), result_of(6u));
	CHECK_MSG(fakes[1].tx_seen_len == 4u && fakes[1].tx_seen[0] == 3u && fakes[1].tx_seen[1] == FAKE_PATTERN &&
	      fakes[1].tx_seen[2] == FAKE_PATTERN + 1u && fakes[1].tx_seen[3] == 6u,
	      "the TX sent %02x %02x %02x %02x", fakes[1].tx_seen[0], fakes[1].tx_seen[1], fakes[1].tx_seen[2], fakes[1].tx_seen[3]);
	check_idle();

	/* Inside one transaction the TX sees what the driver put in the region before it. */
	memset(fakes[0].tx_seen, 0, sizeof(fakes[0].tx_seen));
	tw_init(&pk);
	tw_add_region_sqe(&pk, 7u, AGENT_OP_RX, AGENT_SQE_TRANSACTION, 1u, 2u, 1u, 0u);
	tw_add_region_sqe(&pk, 8u, AGENT_OP_TXRX, 0u, 1u, 2u, 1u, 0u);
	tw_add_region(&pk, 2u, NULL, 0u);
	host_run(&pk);
	CHECK_MSG(result_of(7u) == 2 && result_of(8u) == 2 && pattern_ok(cqe_of(8u), 2u), "TXRX from the RX's region: %d",
	      result_of(8u));
	check_idle();

	/* Regions ahead of the SQEs on the wire: the field order of a message is free. */
	tw_init(&pk);
	pk.regions_first = true;
	tw_add_region_sqe(&pk, 9u, AGENT_OP_TX, 0u, 2u, 3u, 1u, 5u);
	tw_add_region(&pk, 8u, init, 8u);
	host_run(&pk);
	CHECK_MSG(result_of(9u) == 3 && fakes[1].tx_seen_len == 3u && fakes[1].tx_seen[0] == 6u && fakes[1].tx_seen[2] == 8u,
	      "TX from a region sent first: %d, %u bytes", result_of(9u), fakes[1].tx_seen_len);
	check_idle();

	/* Bad regions: a range outside one, one too large, an init of another length. */
	tw_init(&pk);
	tw_add_region_sqe(&pk, 10u, AGENT_OP_TX, 0u, 2u, 3u, 1u, 6u);
	tw_add_region_sqe(&pk, 11u, AGENT_OP_RX, 0u, 1u, 4u, 2u, 0u);
	tw_add_region_sqe(&pk, 12u, AGENT_OP_RX, 0u, 1u, 4u, 3u, 0u);
	tw_add_region(&pk, 8u, init, 8u);
	tw_add_region(&pk, AGENT_MAX_BUFFER_BYTES + 1u, NULL, 0u);
	tw_add_region(&pk, 6u, init, 8u);
	host_run(&pk);
	CHECK_MSG(result_of(10u) == -AGENT_EINVAL, "a range past the region: %d", result_of(10u));
	CHECK_MSG(result_of(11u) == -AGENT_EMSGSIZE, "a region over the limit: %d", result_of(11u));
	CHECK_MSG(result_of(12u) == -AGENT_EINVAL, "an init of another length: %d", result_of(12u));
	check_idle();

	/* TXRX with its own data; a single mempool RX. */
	tw_init(&pk);
	q = tw_add_sqe(&pk, 15u, AGENT_OP_TXRX, 0u, 1u);
	q->len = 4u;
	tw_set_tx(&pk, 0u, abcd, 4u);
	tw_add_sqe(&pk, 16u, AGENT_OP_RX, AGENT_SQE_MEMPOOL_BUFFER, 1u);
	host_run(&pk);
	CHECK_MSG(result_of(15u) == 4 && cqe_of(15u) != NULL && memcmp(cqe_of(15u)->data, "abcd", 4u) == 0, "TXRX %d",
	      result_of(15u));
	CHECK_MSG(result_of(16u) == (int32_t)FAKE_POOL_LEN && pattern_ok(cqe_of(16u), FAKE_POOL_LEN) &&
	      cqe_of(16u)->flags == 0u, "mempool RX %d", result_of(16u));

	/* Many small CQEs share one Complete packet. */
	h.complete_packets = 0u;
	h.n_cqes = 0u;
	tw_init(&pk);
	for (q = NULL; pk.n_sqes < 30u;) {
		q = tw_add_sqe(&pk, 100u + pk.n_sqes, AGENT_OP_NOP, 0u, 0u);
	}
	(void)q;
	host_send(&pk);
	CHECK_MSG(h.n_cqes == 30u && h.complete_packets == 1u, "%zu CQEs in %u packets", h.n_cqes, h.complete_packets);
	check_idle();
}
