/**
 * @file
 * @brief The seams between the agent's files (agent.h is what a port sees): the Packet codec
 *        (agent_codec.c: what goes into each packet the agent sends), decoding and the Submit
 *        intake (agent_submit.c), sending (agent_send.c: replies, completions, logs into the
 *        link's window), the session (agent_session.c: Hello, HelloReply, Reset) and the dispatch
 *        of received packets (agent_dispatch.c). agent.c holds the API. Not for ports.
 */
#ifndef AGENT_AGENT_INTERNAL_H
#define AGENT_AGENT_INTERNAL_H

#include "agent.h"

#include "pb_decode.h"
#include "pb_encode.h"
#include "rtio.pb.h"

/** @brief The port's clock, µs. */
uint64_t agent_now(const struct agent *a);

/* ------------------------------------------------------------------ agent_codec.c */

/** @brief The first CQEs of the ring that one Complete packet carries. */
struct agent_cqe_batch {
	const struct executor *ex;
	size_t count;
};

/** @brief Starts @p pkt with body @p which: seq, ack and rej 0 (the link adds them), no callbacks set. */
void agent_packet_start(rtiohil_Packet *pkt, pb_size_t which);

/** @brief @p pkt as the HelloReply of @p a (its limits and iodev table) for @p host_nonce. */
void agent_packet_hello_reply(rtiohil_Packet *pkt, const struct agent *a, uint32_t host_nonce);

/** @brief @p pkt as a Complete carrying @p batch (which must outlive the encoding). */
void agent_packet_complete(rtiohil_Packet *pkt, const struct agent_cqe_batch *batch);

/** @brief @p pkt as the CancelReply or Status that @p r describes. */
void agent_packet_reply(rtiohil_Packet *pkt, const struct agent_reply *r);

/** @brief @p pkt as a Log of @p level with @p text (cut at AGENT_LOG_TEXT_MAX; it must outlive the encoding). */
void agent_packet_log(rtiohil_Packet *pkt, uint32_t level, const char *text);

/** @brief Bytes CQE @p c takes inside a Complete: tag, length, its fields (zeros left out). */
uint32_t agent_cqe_size(const struct exec_cqe *c);

/** @brief Bytes a Packet's body field takes around @p inner bytes of body (tags 3..15: one byte). */
uint32_t agent_body_size(uint32_t inner);

/* ------------------------------------------------------------------ agent_submit.c */

/**
 * @brief Decodes @p len bytes as a Packet into @p pkt, making pass @p pass: a Submit's regions
 *        or SQEs go to the executor on their passes only.
 * @retval true  a well-formed Packet.
 * @retval false nanopb rejected it (for AGENT_PASS_SCAN: a decode error to count).
 */
bool agent_decode_packet(struct agent *a, const uint8_t *buf, size_t len, enum agent_decode_pass pass,
			 rtiohil_Packet *pkt);

/** @brief Runs the Submit in @p buf (already scanned): its regions, then its SQEs, into the executor. */
void agent_take_submit(struct agent *a, const uint8_t *buf, size_t len);

/* ------------------------------------------------------------------ agent_send.c */

/**
 * @brief Encodes @p pkt as the next sequenced packet, in the link's send window.
 * @retval true  queued (the link sends it at its next flush).
 * @retval false the window is full, or it did not encode (counted: stats.encode_errors).
 */
bool agent_queue_packet(struct agent *a, const rtiohil_Packet *pkt);

/** @brief Queues a CancelReply or Status to go out as the window allows (room was checked on receipt). */
void agent_add_reply(struct agent *a, enum agent_reply_kind kind, uint32_t id, int32_t result);

/** @brief Sends what is ready (replies, then completions, as the window allows), then an owed pure ack. */
void agent_flush(struct agent *a);

/* ------------------------------------------------------------------ agent_session.c */

/** @brief Sends HelloReply for @p host_nonce (0: unsolicited); only while no received frame is pending. */
void agent_send_hello_reply(struct agent *a, uint32_t host_nonce);

/** @brief Hello: a new session (everything in flight dropped), or a repeated one answered again. */
void agent_handle_hello(struct agent *a, const rtiohil_Hello *h);

/** @brief Reset: the session ends, then the port's reset hook runs, or the agent resets in place. */
void agent_handle_reset(struct agent *a);

/** @brief Disarms every fault on every iodev. */
void agent_clear_faults(struct agent *a);

/* ------------------------------------------------------------------ agent_dispatch.c */

/** @brief Handles one received frame's payload: the link's rules, then its body. */
void agent_handle_payload(struct agent *a, const uint8_t *buf, size_t len);

#endif /* AGENT_AGENT_INTERNAL_H */
