/*
 * The fixture agent-test's cases share: fake iodevs scripted per SQE through iodev_flags (or driven
 * by hand), and a host that encodes packets with nanopb, frames them, feeds them to one agent byte
 * by byte, drives its time and decodes every frame it writes. Test code: it uses libc freely.
 */
#ifndef TESTS_AGENT_FIXTURE_H
#define TESTS_AGENT_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "check.h"
#include "test-wire.h"

/* ---------------------------------------------------------------- the fake iodev (agent-fake.c) */

/* iodev_flags script of the fake: */
#define FAKE_ERRNO(e) ((uint32_t)(e) & 0xffu)          /* fail the member with -e */
#define FAKE_HANG (1u << 8)                            /* never complete by itself */
#define FAKE_SHORT(n) ((((uint32_t)(n) & 0xffu) << 16) | (1u << 24)) /* an RX moves n bytes */
#define FAKE_POOL_LEN 16u                              /* bytes a mempool RX reads */
#define FAKE_PATTERN 0xa5u                             /* RX byte i is FAKE_PATTERN + i */

struct fake {
	struct agent_iodev dev;
	struct agent_sqe *queue[128];
	size_t n;
	unsigned int submits;
	unsigned int dropped;
	bool manual;         /* poll completes nothing: the test does */
	bool refuse_cancel;  /* the cancel hook never drops anything */
	bool drop_queued;    /* the cancel hook also drops units that are not hanging */
	bool paced;          /* poll runs one unit per new now_us (a device with a data rate) */
	uint64_t last_run_us;
	uint8_t tx_seen[AGENT_MAX_BUFFER_BYTES];
	uint32_t tx_seen_len;
};

/* The fakes' driver and their capabilities ("transaction", "multishot", "await"). */
extern const struct agent_iodev_api fake_api;
extern const char *const fake_caps[];

/* Completes the oldest unit of @p f by hand (agent_sqe_ok with @p result, or err when < 0). */
void fake_complete(struct fake *f, int32_t result);

/* ---------------------------------------------------------------- the host (agent-host.c) */

#define OUT_CAP (1u << 20)
#define MAX_CQES 4096u

struct rec_cqe {
	uint32_t id;
	int32_t result;
	uint32_t flags;
	uint32_t len;
	uint32_t seq;
	bool timed; /* it carried device times (start_us, end_us) */
	uint32_t start_us;
	uint32_t end_us;
	uint8_t data[AGENT_MAX_BUFFER_BYTES];
};

struct host {
	uint8_t out[OUT_CAP];
	size_t out_len;
	size_t out_parsed;
	struct agent_frame_decoder dec;
	uint8_t dec_buf[AGENT_FRAME_DECODER_BUF_LEN];
	uint64_t now;
	uint32_t tx_seq;        /* last seq the host sent */
	uint32_t rx_seq;        /* highest agent seq received in order */
	bool auto_ack;          /* answer new agent packets with a pure ack */
	bool withhold;          /* send ack_value instead of rx_seq */
	uint32_t ack_value;
	unsigned int reset_calls;
	struct rec_cqe cqes[MAX_CQES];
	size_t n_cqes;
	uint32_t cancel_ids[64];
	int32_t cancel_results[64];
	size_t n_cancel;
	int32_t statuses[64];
	size_t n_status;
	char logs[16][TW_STR * 2u];
	uint32_t log_levels[16];
	size_t n_logs;
	struct tw_packet hello;
	bool have_hello;
	unsigned int frames;
	unsigned int complete_packets;
	unsigned int pure_acks;
	unsigned int dup_packets;
	unsigned int gap_packets;
	unsigned int bad_frames;
	uint32_t last_ack;
	bool last_rej;
};

extern struct host h;
extern struct agent agent;
extern struct tw_packet pk;                                /* host packet being built */
extern struct tw_packet ack_pk;                            /* the host's pure acks */
extern struct fake fakes[2];                               /* iodevs 1 (an I2C EEPROM) and 2 */
extern struct agent_iodev *table[2];                       /* the agent's iodev table: the fakes */
extern uint8_t payload[AGENT_MAX_PAYLOAD_BYTES * 2u];      /* scratch for encoding a packet */
extern uint32_t ack_delay_us;                              /* agent_config.ack_delay_us of the next setup */

/* The agent_config hooks of the host: the wire the agent writes, the host's clock, a reset hook that counts. */
void host_write(void *ctx, const uint8_t *data, size_t len);
uint64_t host_now(void *ctx);
void host_reset_hook(void *ctx);

/* Appends to pk an RX of @p len bytes on @p iodev (a fake) scripted by @p script (FAKE_*; 0: as asked). */
rtiohil_Sqe *add_rx(uint32_t id, uint32_t flags, uint32_t iodev, uint32_t len, uint32_t script);

/* Appends to pk a DELAY of @p us. */
void add_delay(uint32_t id, uint32_t flags, uint32_t us);

/* Decodes every frame the agent wrote since the last call; acks when asked to. */
void host_parse(void);

/* Encodes, frames and feeds @p p to the agent one byte at a time (seq and ack as set). */
void host_feed(const struct tw_packet *p);

/* Feeds raw bytes to the agent, then reads what it wrote. */
void host_send_raw(const uint8_t *bytes, size_t len);

/* Sends @p p as the next sequenced packet. */
void host_send(struct tw_packet *p);

/* Sends @p p with a given seq (duplicates, gaps). */
void host_send_seq(struct tw_packet *p, uint32_t seq);

/* Sends Hello (protocol @p version, host nonce @p nonce): sequence numbers restart. */
void host_hello(uint32_t version, uint32_t nonce);

/* Advances time by @p advance_us, polls the agent, reads what it wrote. */
void host_poll(uint64_t advance_us);

/* Checks that the agent's next due time is @p us from now, then polls to one µs before it. */
void poll_to_just_before_due(uint64_t us);

/* Polls until the agent has nothing due now (bounded). */
void host_settle(void);

/* Sends @p p as the next sequenced packet and lets the agent run until nothing is due. */
void host_run(struct tw_packet *p);

/* Sends Cancel, or Signal, for SQE @p id. */
void host_cancel(uint32_t id);
void host_signal(uint32_t id);

/* The first CQE of @p id, or NULL; how many CQEs @p id got. */
const struct rec_cqe *cqe_of(uint32_t id);
unsigned int cqes_of(uint32_t id);

/* Index of the CQE of @p id in arrival order, or -1. */
int order_of(uint32_t id);

/* The result of the first CQE of @p id (12345 when none came). */
int32_t result_of(uint32_t id);

/* @p c carries @p len bytes of the fakes' RX pattern. */
bool pattern_ok(const struct rec_cqe *c, uint32_t len);

/* The agent's counters now. */
struct agent_stats stats(void);

/* A fresh agent on the fakes (reset hook @p reset, boot nonce @p nonce), not in a session yet. */
void setup_with(void (*reset)(void *), uint32_t nonce);

/* A fresh agent in a session. */
void setup(void);

/* Nothing left behind: no slot, no arena byte, no CQE waiting. */
void check_idle(void);

#endif /* TESTS_AGENT_FIXTURE_H */
