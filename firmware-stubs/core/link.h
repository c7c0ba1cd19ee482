/**
 * @file
 * @brief The agent's end of the reliable link, the mirror of the host's (harness/link):
 *        sequence numbers, cumulative acknowledgements, a send window kept for
 *        retransmission (go-back-N, recovered in round trips), pure acks, and frame output.
 *
 * Recovery, as the host's: a duplicate is acknowledged again at once; the first out-of-order
 * packet after a gap is answered at once with a REJ (Packet.rej: resend from ack + 1; another
 * for the same gap only a round trip later), and a REJ
 * from the peer sends the window again at once (at most once per smoothed round trip), as
 * HDLC's REJ does; the retransmission timeout follows
 * the round trips measured on packets sent once (RFC 6298), within AGENT_RTO_MIN_US and
 * AGENT_RTO_MAX_US, and doubles after each timeout. The agent never gives up: the host does.
 *
 * Every packet is a protocol/rtio.proto Packet in one frame (core/frame.h). Sequenced packets
 * carry seq 1, 2, ... per direction and per session; every packet carries `ack`, the highest
 * seq received in order from the peer. Packets are kept here as their encoded body (the Packet
 * without seq and ack, which proto3 leaves out when zero), so a retransmission carries the
 * current ack. Nothing here allocates; struct agent_link lives inside struct agent.
 */
#ifndef AGENT_LINK_H
#define AGENT_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

#ifndef AGENT_WINDOW
/** @brief Sequenced packets either side may have unacknowledged (HelloReply.window). Default 4. */
#define AGENT_WINDOW 4u
#endif

#ifndef AGENT_RETRANSMIT_US
/** @brief Retransmission timeout before a round trip is measured, µs (the host's retransmitMs). */
#define AGENT_RETRANSMIT_US 100000u
#endif

#ifndef AGENT_RTO_MIN_US
/** @brief Floor of the adaptive retransmission timeout, µs. Default 5 ms. */
#define AGENT_RTO_MIN_US 5000u
#endif

#ifndef AGENT_RTO_MAX_US
/** @brief Ceiling of the adaptive retransmission timeout (after backing off), µs. Default 250 ms. */
#define AGENT_RTO_MAX_US 250000u
#endif

/** @brief Suggested pure-ack delay, µs: the host link's ackDelayMs default (10 ms). */
#define AGENT_ACK_DELAY_US 10000u

/** @brief Room before a body for its seq, ack and rej fields: 2 × (tag + 5-byte varint) + 2. */
#define AGENT_LINK_HDR_MAX 14u

/** @brief Largest encoded body of one sequenced packet. */
#define AGENT_LINK_BODY_MAX (AGENT_MAX_PAYLOAD_BYTES - AGENT_LINK_HDR_MAX)

#if AGENT_WINDOW < 1u || AGENT_WINDOW > 64u
#error "AGENT_WINDOW must be 1..64"
#endif

/** @brief What to do with a received sequenced packet. */
enum agent_link_rx {
	AGENT_LINK_DELIVER,      /**< the next in order: process it, then agent_link_accept() */
	AGENT_LINK_DUPLICATE,    /**< seen before: drop it (it is acknowledged again) */
	AGENT_LINK_OUT_OF_ORDER, /**< a gap before it: drop it (go-back-N; acknowledged again) */
};

/** @brief Link counters (part of the agent's stats). */
struct agent_link_stats {
	uint32_t frames_sent;  /**< every frame written, retransmissions and pure acks included */
	uint32_t retransmits;  /**< packets sent again (after a timeout or a duplicate ack) */
	uint32_t fast_retransmits; /**< go-back-N rounds started by a REJ from the peer */
	uint32_t duplicates;   /**< sequenced packets received again (dropped, re-acked) */
	uint32_t out_of_order; /**< sequenced packets received after a gap (dropped, re-acked) */
	uint32_t bad_acks;     /**< acks of packets never sent (ignored) */
};

/** @cond ignore */
struct agent_link_packet {
	uint32_t seq;
	uint64_t sent_at; /* when last sent */
	uint16_t len;  /* body bytes, at buf + AGENT_LINK_HDR_MAX */
	bool sent;
	bool resent; /* sent more than once: its ack measures no round trip (Karn) */
	uint8_t buf[AGENT_LINK_HDR_MAX + AGENT_LINK_BODY_MAX];
};
/** @endcond */

/** @brief The link state. Fields are private. */
struct agent_link {
	/** @cond ignore */
	void (*write)(void *ctx, const uint8_t *data, size_t len);
	void *ctx;
	uint32_t rto_us;
	uint32_t srtt_us;
	uint32_t rttvar_us;
	uint64_t fast_hold_until;
	uint32_t ack_delay_us;
	uint32_t tx_next;
	uint32_t tx_acked;
	uint32_t rx_last;
	uint64_t retransmit_at;
	uint64_t ack_at;
	bool ack_pending;
	bool rej_pending;       /* the next packet carries rej */
	uint32_t rejected_at;   /* rx_last when the last REJ was owed, or UINT32_MAX ... */
	uint64_t rejected_time; /* ... and when: one per gap and round trip */
	struct agent_link_stats stats;
	struct agent_link_packet window[AGENT_WINDOW];
	uint8_t frame[AGENT_FRAME_WIRE_LEN_MAX(AGENT_MAX_PAYLOAD_BYTES)];
	/** @endcond */
};

/**
 * @brief Sets up @p link with no session state.
 * @param write         Writes @p len bytes to the wire; must take them all (or drop them).
 * @param ctx           Passed to @p write.
 * @param retransmit_us Retransmission timeout until a round trip is measured; 0 means
 *                      AGENT_RETRANSMIT_US.
 * @param ack_delay_us  How long an owed ack waits for a packet to ride on before a pure ack is
 *                      sent; 0: at once.
 */
void agent_link_init(struct agent_link *link, void (*write)(void *ctx, const uint8_t *data, size_t len),
		     void *ctx, uint32_t retransmit_us, uint32_t ack_delay_us);

/** @brief Starts a session: forgets every packet either way; sequence numbers restart at 1. */
void agent_link_reset(struct agent_link *link);

/** @brief Free places in the send window (sequenced packets that can be queued now). */
size_t agent_link_window_free(const struct agent_link *link);

/**
 * @brief Where to encode the body of the next sequenced packet, AGENT_LINK_BODY_MAX bytes,
 *        or NULL when the window is full. Valid until agent_link_commit() or another call.
 */
uint8_t *agent_link_body(struct agent_link *link);

/** @brief Queues the body written at agent_link_body() (@p len bytes) under the next seq. */
void agent_link_commit(struct agent_link *link, size_t len);

/**
 * @brief Takes the peer's cumulative @p ack: packets up to it are done. Acks of packets never
 *        sent are counted and ignored. With @p rej (the peer got a packet after a gap) the
 *        window is sent again now (fast retransmit), at most once per smoothed round trip.
 * @retval true  the ack acknowledged something new.
 * @retval false it did not.
 */
bool agent_link_on_ack(struct agent_link *link, uint32_t ack, bool rej, uint64_t now_us);

/**
 * @brief Classifies a received sequenced packet (@p seq > 0) at @p now_us. Every outcome makes
 *        an ack due: a duplicate at once, the first out-of-order packet after a gap at once
 *        with a REJ, the next one after the ack delay if nothing else carries it before.
 * @retval AGENT_LINK_DELIVER      seq is the next expected; call agent_link_accept() once
 *                                 it is processed (or drop it without, as if lost).
 * @retval AGENT_LINK_DUPLICATE    already delivered; counted.
 * @retval AGENT_LINK_OUT_OF_ORDER later than the next expected; counted.
 */
enum agent_link_rx agent_link_classify(struct agent_link *link, uint32_t seq, uint64_t now_us);

/** @brief Marks @p seq (just classified AGENT_LINK_DELIVER) delivered. */
void agent_link_accept(struct agent_link *link, uint32_t seq);

/**
 * @brief Sends queued packets not yet sent (they carry the ack), then a pure ack (seq 0, no
 *        body) if one is owed and its delay has passed.
 */
void agent_link_flush(struct agent_link *link, uint64_t now_us);

/** @brief Retransmits every unacknowledged packet (go-back-N) when their time has come, and
 *         sends an owed pure ack whose delay has passed. */
void agent_link_poll(struct agent_link *link, uint64_t now_us);

/** @brief When agent_link_poll() next has work, or AGENT_NEVER. */
uint64_t agent_link_next_due_us(const struct agent_link *link);

/**
 * @brief Frames and writes an unsequenced packet already encoded (seq 0, ack included by the
 *        caller if wanted). @p payload must not be inside the link.
 * @retval true  written.
 * @retval false longer than AGENT_MAX_PAYLOAD_BYTES; nothing written.
 */
bool agent_link_send_raw(struct agent_link *link, const uint8_t *payload, size_t len);

/** @brief The link's counters. */
const struct agent_link_stats *agent_link_stats(const struct agent_link *link);

/** @brief The retransmission timeout in force, µs. */
uint32_t agent_link_rto_us(const struct agent_link *link);

#endif /* AGENT_LINK_H */
