/*
 * The agent fed packets byte by byte, as a host would over a serial line (agent-fixture.h): the
 * cases of agent-link-cases.c and agent-exec-cases.c, run on tests/check.h.
 */
#include "agent-cases.h"

static const struct check_test all[] = {
	{ "handshake", test_handshake },
	{ "nop", test_nop },
	{ "chain failure cascade", test_chain_failure },
	{ "transaction", test_transaction },
	{ "multishot until cancel", test_multishot_cancel },
	{ "multishot ends when the ring is nearly full", test_multishot_stops_when_full },
	{ "timeout", test_timeout },
	{ "duplicate submit", test_duplicate_submit },
	{ "bad frames", test_bad_frames },
	{ "invalid sqes", test_invalid_sqes },
	{ "capacity", test_capacity },
	{ "delay, await, cancel", test_delay_await_cancel },
	{ "retransmission and window", test_retransmit_and_window },
	{ "link recovery", test_link_recovery },
	{ "hello drops the session", test_hello_drops_session },
	{ "reset", test_reset },
	{ "faults", test_faults },
	{ "log", test_log },
	{ "regions and buffers", test_regions_and_buffers },
	{ "ack delay", test_ack_delay },
};

int main(void)
{
	printf("agent: sizeof(struct agent) = %zu bytes (executor %zu, link %zu, arena %u)\n", sizeof(struct agent),
	       sizeof(struct executor), sizeof(struct agent_link), AGENT_ARENA_BYTES);
	return check_run("agent-test", all, sizeof(all) / sizeof(all[0]));
}
