/* The cases of agent-test (agent-link-cases.c, agent-exec-cases.c), on agent-fixture.h. */
#ifndef TESTS_AGENT_CASES_H
#define TESTS_AGENT_CASES_H

#include "agent-fixture.h"

void test_handshake(void);
void test_duplicate_submit(void);
void test_bad_frames(void);
void test_retransmit_and_window(void);
void test_link_recovery(void);
void test_hello_drops_session(void);
void test_reset(void);
void test_log(void);
void test_ack_delay(void);
void test_nop(void);
void test_chain_failure(void);
void test_transaction(void);
void test_multishot_cancel(void);
void test_multishot_stops_when_full(void);
void test_timeout(void);
void test_invalid_sqes(void);
void test_capacity(void);
void test_delay_await_cancel(void);
void test_faults(void);
void test_regions_and_buffers(void);

#endif /* TESTS_AGENT_CASES_H */
