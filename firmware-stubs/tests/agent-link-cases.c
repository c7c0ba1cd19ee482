/*
 * agent-test: the link and the session, as a host meets them (handshake, sequence numbers, acks and
 * recovery, Hello and Reset, Log).
 */
#include "agent-cases.h"

void test_handshake(void)
{
	struct agent_stats s;

	setup_with(NULL, 0x1234u);
	/* No session yet: a Submit runs nothing and is answered with an unsolicited HelloReply. */
	tw_init(&pk);
	tw_add_sqe(&pk, 1u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	s = stats();
	CHECK_MSG(h.have_hello && h.hello.p.body.hello_reply.host_nonce == 0u &&
	      h.hello.p.body.hello_reply.boot_nonce == 0x1234u, "no unsolicited HelloReply before any Hello");
	CHECK_MSG(h.n_cqes == 0u && s.sqes_run == 0u, "a Submit ran outside a session");
	CHECK_MSG(s.no_session == 1u, "no_session %u", s.no_session);

	host_hello(AGENT_PROTOCOL_VERSION, 0xabcu);
	CHECK_MSG(h.have_hello, "no HelloReply");
	CHECK_MSG(h.hello.p.seq == 0u && h.hello.p.ack == 0u, "HelloReply seq %u ack %u", h.hello.p.seq, h.hello.p.ack);
	CHECK_MSG(h.hello.p.body.hello_reply.protocol_version == AGENT_PROTOCOL_VERSION, "protocol %u",
	      h.hello.p.body.hello_reply.protocol_version);
	CHECK_MSG(h.hello.p.body.hello_reply.boot_nonce == 0x1234u, "nonce %x", h.hello.p.body.hello_reply.boot_nonce);
	CHECK_MSG(h.hello.p.body.hello_reply.host_nonce == 0xabcu, "host nonce %x", h.hello.p.body.hello_reply.host_nonce);
	CHECK_MSG(h.hello.p.body.hello_reply.max_frame_bytes == 1033u, "max frame %u", h.hello.p.body.hello_reply.max_frame_bytes);
	CHECK_MSG(h.hello.p.body.hello_reply.window == AGENT_WINDOW, "window %u", h.hello.p.body.hello_reply.window);
	CHECK_MSG(h.hello.p.body.hello_reply.max_sqes == AGENT_MAX_SQES, "max sqes %u", h.hello.p.body.hello_reply.max_sqes);
	CHECK_MSG(h.hello.p.body.hello_reply.max_buffer_bytes == AGENT_MAX_BUFFER_BYTES, "max buffer %u",
	      h.hello.p.body.hello_reply.max_buffer_bytes);
	CHECK_MSG(strcmp(h.hello.build_id, "agent-test") == 0, "build id \"%s\"", h.hello.build_id);
	CHECK_MSG(h.hello.n_iodevs == 2u, "%u iodevs", h.hello.n_iodevs);
	CHECK_MSG(h.hello.iodevs[0].m.id == 1u && strcmp(h.hello.iodevs[0].name, "fake0") == 0 &&
	      h.hello.iodevs[0].m.kind == rtiohil_IodevKind_IODEV_KIND_I2C &&
	      strcmp(h.hello.iodevs[0].bus, "i2c0") == 0 && h.hello.iodevs[0].m.address == 0x50u &&
	      strcmp(h.hello.iodevs[0].part, "24c32") == 0, "row 0: id %u name %s", h.hello.iodevs[0].m.id,
	      h.hello.iodevs[0].name);
	CHECK_MSG(h.hello.iodevs[0].n_caps == 3u && strcmp(h.hello.iodevs[0].caps[1], "multishot") == 0,
	      "row 0: %u capabilities", h.hello.iodevs[0].n_caps);
	CHECK_MSG(h.hello.iodevs[1].m.id == 2u && strcmp(h.hello.iodevs[1].name, "fake1") == 0 &&
	      h.hello.iodevs[1].m.kind == rtiohil_IodevKind_IODEV_KIND_TEST && h.hello.iodevs[1].n_caps == 0u,
	      "row 1: id %u name %s", h.hello.iodevs[1].m.id, h.hello.iodevs[1].name);
	CHECK_MSG(agent_in_session(&agent), "no session after Hello");

	/* The same Hello again (our reply was lost): answered, the session goes on. */
	tw_init(&pk);
	add_delay(2u, 0u, 100u);
	host_send(&pk);
	tw_init(&pk);
	pk.p.which_body = rtiohil_Packet_hello_tag;
	pk.p.body.hello.protocol_version = AGENT_PROTOCOL_VERSION;
	pk.p.body.hello.host_nonce = 0xabcu;
	h.have_hello = false;
	host_feed(&pk);
	host_parse();
	CHECK_MSG(h.have_hello && h.hello.p.body.hello_reply.host_nonce == 0xabcu, "a repeated Hello got no reply");
	host_poll(100u);
	CHECK_MSG(result_of(2u) == 0, "a repeated Hello reset the session (DELAY: %d)", result_of(2u));

	/* Another protocol version: answered, but no session. */
	host_hello(AGENT_PROTOCOL_VERSION + 1u, 0x55u);
	CHECK_MSG(h.have_hello && h.hello.p.body.hello_reply.host_nonce == 0x55u, "no HelloReply to a newer version's Hello");
	CHECK_MSG(!agent_in_session(&agent), "a newer version's Hello started a session");

	/* An invalid config is refused. */
	{
		struct agent_config bad;
		static struct agent other;

		memset(&bad, 0, sizeof(bad));
		bad.now_us = host_now;
		CHECK_MSG(agent_init(&other, &bad) == -AGENT_EINVAL, "agent_init accepted a config without write");
		bad.write = host_write;
		bad.iodevs = table;
		bad.iodev_count = 2u;
		fakes[1].dev.id = 1u;
		CHECK_MSG(agent_init(&other, &bad) == -AGENT_EINVAL, "agent_init accepted two iodevs with id 1");
		fakes[1].dev.id = 2u;
	}
}

void test_duplicate_submit(void)
{
	struct agent_stats s;
	unsigned int acks;

	setup();
	tw_init(&pk);
	add_rx(1u, 0u, 1u, 4u, 0u);
	host_send_seq(&pk, 1u);
	acks = h.pure_acks;
	host_send_seq(&pk, 1u); /* the host retransmits: its ack was lost */
	CHECK_MSG(h.pure_acks == acks + 1u && h.last_ack == 1u, "the duplicate was not acknowledged again (ack %u)",
	      h.last_ack);
	host_settle();
	s = stats();
	CHECK_MSG(fakes[0].submits == 1u, "the duplicate Submit ran again (%u units)", fakes[0].submits);
	CHECK_MSG(cqes_of(1u) == 1u, "%u CQEs", cqes_of(1u));
	CHECK_MSG(s.duplicates == 1u, "duplicates %u", s.duplicates);

	/* A gap: seq 3 while 2 is expected is dropped and the agent acks 1 again. */
	tw_init(&pk);
	tw_add_sqe(&pk, 2u, AGENT_OP_NOP, 0u, 0u);
	host_send_seq(&pk, 3u);
	s = stats();
	CHECK_MSG(s.out_of_order == 1u && cqe_of(2u) == NULL, "out_of_order %u", s.out_of_order);
	CHECK_MSG(h.last_ack == 1u, "ack %u after a gap", h.last_ack);
	host_send_seq(&pk, 2u);
	CHECK_MSG(result_of(2u) == 0, "seq 2 after the gap: %d", result_of(2u));
	check_idle();
}

void test_bad_frames(void)
{
	static uint8_t junk[1200];
	uint8_t good[AGENT_FRAME_WIRE_LEN_MAX(16u)];
	uint8_t truncated_payload[1] = { 0x08 }; /* a seq tag without its value */
	const uint8_t bad_cobs[] = { 0x05, 0x11, 0x22, 0x00 };
	const uint8_t short_frame[] = { 0x03, 0x11, 0x22, 0x00 };
	struct agent_stats s;
	size_t n;
	size_t i;

	setup();
	/* Garbage that decodes to a wrong CRC. */
	for (i = 0u; i < 40u; i++) {
		junk[i] = (uint8_t)(i * 37u + 1u) | 1u;
	}
	junk[40] = 0x00;
	host_send_raw(junk, 41u);
	/* A good frame cut short: its last code byte runs past its end. */
	tw_init(&pk);
	tw_add_sqe(&pk, 1u, AGENT_OP_NOP, 0u, 0u);
	pk.p.seq = 1u;
	n = tw_encode(&pk, payload, sizeof(payload));
	n = tw_frame(payload, n, good, sizeof(good));
	good[n - 3u] = 0x00;
	host_send_raw(good, n - 2u);
	host_send_raw(bad_cobs, sizeof(bad_cobs));
	host_send_raw(short_frame, sizeof(short_frame));
	/* Longer than max_frame_bytes (1033 encoded bytes). */
	memset(junk, 0x42, sizeof(junk));
	junk[sizeof(junk) - 1u] = 0x00;
	host_send_raw(junk, sizeof(junk));
	/* A good frame whose payload is not a Packet. */
	n = tw_frame(truncated_payload, 1u, good, sizeof(good));
	host_send_raw(good, n);
	s = stats();
	CHECK_MSG(s.crc_errors == 1u, "crc_errors %u", s.crc_errors);
	CHECK_MSG(s.cobs_errors == 2u, "cobs_errors %u (the cut frame and the bad one)", s.cobs_errors);
	CHECK_MSG(s.too_short == 1u, "too_short %u", s.too_short);
	CHECK_MSG(s.too_long == 1u, "too_long %u", s.too_long);
	CHECK_MSG(s.decode_errors == 1u, "decode_errors %u", s.decode_errors);
	CHECK_MSG(h.n_cqes == 0u, "a bad frame ran something");
	/* The next good frame is served. */
	tw_init(&pk);
	tw_add_sqe(&pk, 1u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	CHECK_MSG(result_of(1u) == 0, "the good frame after the bad ones: %d", result_of(1u));
	CHECK_MSG(stats().frames_ok == 4u, "frames_ok %u (Hello, the bad Packet, the Submit, an ack)", stats().frames_ok);
	check_idle();
}

void test_retransmit_and_window(void)
{
	struct agent_stats s;
	uint32_t i;

	setup();
	h.withhold = true;
	h.ack_value = 0u;
	tw_init(&pk);
	tw_add_sqe(&pk, 1u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	CHECK_MSG(h.rx_seq == 1u && result_of(1u) == 0, "no Complete");
	host_poll(AGENT_RETRANSMIT_US - 1u);
	CHECK_MSG(h.dup_packets == 0u, "retransmitted early");
	host_poll(1u);
	CHECK_MSG(h.dup_packets == 1u, "not retransmitted after %u us", AGENT_RETRANSMIT_US);
	s = stats();
	CHECK_MSG(s.retransmits == 1u, "retransmits %u", s.retransmits);
	CHECK_MSG(h.last_ack == 1u, "the retransmission acks %u", h.last_ack);

	/* The window: AGENT_WINDOW packets unacknowledged, then CQEs wait. */
	for (i = 0u; i < AGENT_WINDOW + 2u; i++) {
		tw_init(&pk);
		tw_add_sqe(&pk, 10u + i, AGENT_OP_NOP, 0u, 0u);
		host_send(&pk);
	}
	CHECK_MSG(h.rx_seq == AGENT_WINDOW, "%u packets sent with %u unacknowledged allowed", h.rx_seq, AGENT_WINDOW);
	CHECK_MSG(exec_cqe_count(&agent.ex) == 3u, "%zu CQEs waiting", exec_cqe_count(&agent.ex));
	h.withhold = false;
	tw_init(&pk);
	pk.p.ack = h.rx_seq;
	host_feed(&pk);
	host_parse();
	CHECK_MSG(exec_cqe_count(&agent.ex) == 0u && h.n_cqes == AGENT_WINDOW + 3u, "%zu CQEs received", h.n_cqes);
	host_poll(10u * AGENT_RETRANSMIT_US);
	s = stats();
	CHECK_MSG(s.retransmits == 1u, "retransmitted acknowledged packets (%u)", s.retransmits);
	CHECK_MSG(s.bad_acks == 0u, "bad acks %u", s.bad_acks);
	tw_init(&pk);
	pk.p.ack = 1000u; /* never sent */
	host_feed(&pk);
	CHECK_MSG(stats().bad_acks == 1u, "bad acks %u", stats().bad_acks);
	check_idle();
}

/* Pure ack with @p ack (no seq, no body), a REJ with @p rej. */
static void host_pure_ack(uint32_t ack, bool rej)
{
	tw_init(&ack_pk);
	ack_pk.p.ack = ack;
	ack_pk.p.rej = rej;
	host_feed(&ack_pk);
	host_parse();
}

void test_link_recovery(void)
{
	uint32_t i;
	uint32_t dups;
	uint32_t rto;
	uint32_t acks;

	/* A boot announces itself: an unsolicited HelloReply, before any Hello. */
	setup_with(NULL, 0x4321u);
	host_parse();
	CHECK_MSG(h.have_hello && h.hello.p.body.hello_reply.host_nonce == 0u && h.hello.p.body.hello_reply.boot_nonce == 0x4321u,
	      "no boot announcement (HelloReply host nonce %u)", h.hello.p.body.hello_reply.host_nonce);
	host_hello(AGENT_PROTOCOL_VERSION, 0xabcu);

	/* Round trips of 200 us bring the retransmission timeout down from its start to the floor. */
	h.withhold = true;
	for (i = 0u; i < 12u; i++) {
		tw_init(&pk);
		tw_add_sqe(&pk, 1u + i, AGENT_OP_NOP, 0u, 0u);
		host_send(&pk);
		host_poll(200u);
		h.ack_value = h.rx_seq;
		host_pure_ack(h.ack_value, false);
	}
	rto = agent_link_rto_us(&agent.link);
	CHECK_MSG(rto < AGENT_RETRANSMIT_US && rto >= AGENT_RTO_MIN_US, "RTO %u us after 200 us round trips", rto);

	/* A REJ sends the window again at once, not after the timeout; once per round trip. A plain
	 * duplicate ack does not. */
	tw_init(&pk);
	tw_add_sqe(&pk, 50u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	dups = h.dup_packets;
	host_pure_ack(h.ack_value, false);
	CHECK_MSG(h.dup_packets == dups && stats().fast_retransmits == 0u, "a duplicate ack without REJ resent");
	host_pure_ack(h.ack_value, true);
	CHECK_MSG(h.dup_packets == dups + 1u && stats().fast_retransmits == 1u, "a REJ: %u resent, %u fast rounds",
	      h.dup_packets - dups, stats().fast_retransmits);
	host_pure_ack(h.ack_value, true);
	CHECK_MSG(h.dup_packets == dups + 1u, "a second REJ in the same round trip resent again");

	/* Each timeout doubles the retransmission timeout (up to its ceiling). */
	rto = agent_link_rto_us(&agent.link);
	host_poll(rto);
	CHECK_MSG(agent_link_rto_us(&agent.link) == (2u * rto < AGENT_RTO_MAX_US ? 2u * rto : AGENT_RTO_MAX_US), "RTO %u after %u",
	      agent_link_rto_us(&agent.link), rto);
	h.ack_value = h.rx_seq;
	host_pure_ack(h.ack_value, false);

	/* The first out-of-order packet after a gap is answered at once with a REJ; the next is not. */
	acks = h.pure_acks;
	tw_init(&pk);
	tw_add_sqe(&pk, 60u, AGENT_OP_NOP, 0u, 0u);
	host_send_seq(&pk, h.tx_seq + 2u);
	CHECK_MSG(h.pure_acks == acks + 1u && h.last_rej, "an out-of-order packet was not answered at once with a REJ");
	CHECK_MSG(result_of(60u) == 12345, "the out-of-order packet ran");
	tw_init(&pk);
	tw_add_sqe(&pk, 61u, AGENT_OP_NOP, 0u, 0u);
	host_send_seq(&pk, h.tx_seq + 3u);
	CHECK_MSG(h.pure_acks == acks + 1u, "a second REJ for the same gap");
	h.withhold = false;
	host_settle();
	check_idle();
}

void test_hello_drops_session(void)
{
	setup();
	h.withhold = true;
	tw_init(&pk);
	add_rx(1u, 0u, 1u, 4u, FAKE_HANG);
	add_delay(2u, 0u, 100u);
	tw_add_sqe(&pk, 3u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	CHECK_MSG(result_of(3u) == 0, "NOP %d", result_of(3u));
	h.withhold = false;
	host_hello(AGENT_PROTOCOL_VERSION, 7u);
	host_poll(1000u);
	CHECK_MSG(cqes_of(1u) == 0u && cqes_of(2u) == 0u, "a new session completed SQEs of the old one");
	CHECK_MSG(fakes[0].dropped == 1u, "the driver was not asked to drop its unit");
	host_poll(10u * AGENT_RETRANSMIT_US);
	CHECK_MSG(h.dup_packets == 0u, "packets of the old session were retransmitted");
	check_idle();

	/* Sequence numbers restart: seq 1 is new again. */
	tw_init(&pk);
	tw_add_sqe(&pk, 4u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	CHECK_MSG(result_of(4u) == 0 && h.cqes[h.n_cqes - 1u].seq == 1u, "after a new Hello: %d", result_of(4u));

	/* A driver that keeps its unit across a Hello: reserved until it lets go, no CQE. */
	fakes[0].refuse_cancel = true;
	tw_init(&pk);
	add_rx(5u, 0u, 1u, 4u, FAKE_HANG);
	host_send(&pk);
	host_hello(AGENT_PROTOCOL_VERSION, 8u);
	CHECK_MSG(exec_slots_used(&agent.ex) == 1u, "%zu slots", exec_slots_used(&agent.ex));
	fake_complete(&fakes[0], 4);
	host_poll(0u);
	CHECK_MSG(cqes_of(5u) == 0u, "the old session's SQE completed on the new session");
	check_idle();
}

void test_reset(void)
{
	tw_init(&pk);
	setup();
	pk.p.which_body = rtiohil_Packet_reset_tag;
	host_feed(&pk);
	CHECK_MSG(!agent_in_session(&agent), "still in session after Reset");
	CHECK_MSG(agent_boot_nonce(&agent) != 0x1234u, "the boot nonce did not change");
	/* The host, unaware, sends on: the unsolicited HelloReply carries the new nonce. */
	h.have_hello = false;
	tw_init(&pk);
	tw_add_sqe(&pk, 1u, AGENT_OP_NOP, 0u, 0u);
	host_send(&pk);
	CHECK_MSG(h.have_hello && h.hello.p.body.hello_reply.host_nonce == 0u &&
	      h.hello.p.body.hello_reply.boot_nonce == agent_boot_nonce(&agent) && h.n_cqes == 0u,
	      "no unsolicited HelloReply after a reset");
	host_hello(AGENT_PROTOCOL_VERSION, 9u);
	CHECK_MSG(h.have_hello && h.hello.p.body.hello_reply.boot_nonce != 0x1234u, "HelloReply nonce %x",
	      h.hello.p.body.hello_reply.boot_nonce);

	/* With a port hook: the port re-initialises; until then input is ignored. */
	setup_with(host_reset_hook, 0x77u);
	host_hello(AGENT_PROTOCOL_VERSION, 1u);
	tw_init(&pk);
	pk.p.which_body = rtiohil_Packet_reset_tag;
	host_feed(&pk);
	CHECK_MSG(h.reset_calls == 1u && agent_reset_pending(&agent), "reset hook calls %u", h.reset_calls);
	host_hello(AGENT_PROTOCOL_VERSION, 2u);
	CHECK_MSG(!h.have_hello, "answered while a reset is pending");
}

void test_log(void)
{
	setup_with(NULL, 1u);
	CHECK_MSG(agent_log(&agent, AGENT_LOG_INF, "x") == -AGENT_ENOTCONN, "log without a session");
	host_hello(AGENT_PROTOCOL_VERSION, 1u);
	CHECK_MSG(agent_log(&agent, 0u, "x") == -AGENT_EINVAL && agent_log(&agent, 5u, "x") == -AGENT_EINVAL &&
	      agent_log(&agent, 1u, NULL) == -AGENT_EINVAL, "bad log arguments accepted");
	CHECK_MSG(agent_log(&agent, AGENT_LOG_INF, "eeprom0 ready in 5 \xc2\xb5s") == 0, "agent_log failed");
	host_parse();
	CHECK_MSG(h.n_logs == 1u && h.log_levels[0] == AGENT_LOG_INF && strcmp(h.logs[0], "eeprom0 ready in 5 \xc2\xb5s") == 0,
	      "log \"%s\"", h.logs[0]);
}

void test_ack_delay(void)
{

	ack_delay_us = 10000u;
	setup();
	ack_delay_us = 0u;
	/* A completion within the delay carries the ack: no pure ack. */
	tw_init(&pk);
	add_rx(1u, 0u, 1u, 2u, 0u);
	host_send(&pk);
	host_poll(100u);
	CHECK_MSG(result_of(1u) == 2 && h.pure_acks == 0u && h.last_ack == 1u, "pure acks %u, ack %u", h.pure_acks, h.last_ack);
	/* Nothing to carry it: a pure ack once the delay has passed. */
	tw_init(&pk);
	add_rx(2u, 0u, 1u, 2u, FAKE_HANG);
	host_send(&pk);
	host_poll(0u);
	poll_to_just_before_due(10000u);
	CHECK_MSG(h.pure_acks == 0u, "pure ack before the delay");
	host_poll(1u);
	CHECK_MSG(h.pure_acks == 1u && h.last_ack == 2u, "pure acks %u, ack %u", h.pure_acks, h.last_ack);
	tw_init(&pk);
	host_hello(AGENT_PROTOCOL_VERSION, 5u); /* drops the hanging RX */
	check_idle();
}
