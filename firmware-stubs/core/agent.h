/**
 * @file
 * @brief The rtio-hil agent: the firmware end of the wire. It decodes frames (core/frame.h)
 *        carrying protocol/rtio.proto Packets, keeps the reliable link (core/link.h), runs
 *        shipped chains on its iodevs with the host's RTIO semantics (core/executor.h) and
 *        sends the completions back.
 *
 * Portable C99: no allocation, no OS, no libc calls (nanopb's runtime aside). The port owns the
 * storage (one struct agent, e.g. static), the wire and the clock, and drives the agent:
 *
 * @code
 * static struct agent agent;
 * agent_init(&agent, &config);                  // config: write, now_us, iodev table, ...
 * for (;;) {
 *     while (byte_available()) agent_rx_byte(&agent, read_byte());
 *     agent_poll(&agent, now_us());
 *     sleep_until(agent_next_due_us(&agent));   // or until a byte arrives
 * }
 * @endcode
 *
 * Link rules, the same as harness/link/link.ts in the agent role:
 * - Hello (unsequenced) with a new host nonce starts a session: everything in flight is
 *   dropped silently, sequence numbers restart, and the agent answers HelloReply (unsequenced)
 *   with its limits, its iodev table and the host's nonce. A repeated Hello (the session's
 *   nonce) is answered again without a reset. A Hello with another protocol_version is
 *   answered (with this agent's version, so the host can say what is wrong) but opens no session.
 * - At boot (agent_init()) the agent sends an unsolicited HelloReply, host nonce 0, and outside a
 *   session (after a reset) it answers every packet but a Hello with one: its boot nonce tells
 *   the host the agent reset (counted no_session).
 * - Sequenced packets: seq 1, 2, ... each way; `ack` is cumulative and rides on every packet
 *   but Hello and HelloReply. A duplicate (seq <= last delivered) is dropped and acknowledged
 *   again, so a retransmitted Submit never runs twice; a packet after a gap is dropped
 *   (go-back-N). The agent keeps up to AGENT_WINDOW unacknowledged packets and sends them all
 *   again after the retransmission timeout (it never gives up; the host does). An owed ack
 *   that no packet carries within the ack delay goes out as a pure ack: seq 0, no body.
 * - Reset (unsequenced, in a session): the port's reset hook runs and the agent ignores input
 *   until the port calls agent_init() again (with a new boot nonce); without a hook the agent
 *   resets itself in place and derives a new boot nonce from the old one.
 */
#ifndef AGENT_AGENT_H
#define AGENT_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "executor.h"
#include "frame.h"
#include "iodev.h"
#include "link.h"

/** @brief Wire protocol version (HelloReply.protocol_version); protocol/link's twin. */
#define AGENT_PROTOCOL_VERSION 2u

/** @brief ENOTCONN (newlib numbering): no session. */
#define AGENT_ENOTCONN 128

#ifndef AGENT_REPLY_QUEUE
/** @brief CancelReply / Status replies that can wait for a place in the send window. */
#define AGENT_REPLY_QUEUE 8u
#endif

#ifndef AGENT_LOSSY_BODY_BYTES
/**
 * @brief Bytes of CQEs a Complete carries for a while after the link had to retransmit (a noisy
 *        line): smaller packets are hit less often. Default 256.
 */
#define AGENT_LOSSY_BODY_BYTES 256u
#endif

#ifndef AGENT_LOSSY_PACKETS
/** @brief Complete packets kept to AGENT_LOSSY_BODY_BYTES after each retransmission. Default 32. */
#define AGENT_LOSSY_PACKETS 32u
#endif

/** @brief Longest Log text sent; longer text is cut. */
#define AGENT_LOG_TEXT_MAX 160u

/** @name Log levels (Zephyr's LOG_LEVEL_*) @{ */
#define AGENT_LOG_ERR 1u
#define AGENT_LOG_WRN 2u
#define AGENT_LOG_INF 3u
#define AGENT_LOG_DBG 4u
/** @} */

/* One CQE with a full data buffer must fit a Complete packet. */
#if AGENT_MAX_BUFFER_BYTES + 48u > AGENT_LINK_BODY_MAX
#error "AGENT_MAX_BUFFER_BYTES is too large for AGENT_MAX_PAYLOAD_BYTES"
#endif

/** @brief What the port gives the agent. Copied by agent_init(). */
struct agent_config {
	/** Writes @p len bytes to the wire. Required. Must not call into the agent. */
	void (*write)(void *ctx, const uint8_t *data, size_t len);
	/** Monotonic time in µs. Required. */
	uint64_t (*now_us)(void *ctx);
	/**
	 * Called on a Reset packet. Optional. The port then re-initialises its devices and calls
	 * agent_init() again with a new boot nonce, after the current agent call returns.
	 */
	void (*reset)(void *ctx);
	/** Passed to the callbacks above. */
	void *ctx;
	/** Random at every reset (HelloReply.boot_nonce): a change tells the host we reset. */
	uint32_t boot_nonce;
	/** The iodev table: wire ids 1.. unique; kept, not copied. NULL when iodev_count is 0. */
	struct agent_iodev *const *iodevs;
	/** Entries in @p iodevs. */
	size_t iodev_count;
	/** Build id for HelloReply, e.g. "posix 0.1.0 (gcc 12.2.0)"; kept, not copied. May be NULL. */
	const char *build_id;
	/** Retransmission timeout in µs; 0: AGENT_RETRANSMIT_US. */
	uint32_t retransmit_us;
	/**
	 * How long an owed ack waits for a packet to ride on before it goes out as a pure ack, µs;
	 * 0: at once. AGENT_ACK_DELAY_US matches the host's default.
	 */
	uint32_t ack_delay_us;
};

/** @brief Counters, from agent_get_stats(). All start at 0 at agent_init(). */
struct agent_stats {
	uint32_t frames_ok;        /**< frames that passed their CRC */
	uint32_t crc_errors;       /**< frames dropped: bad CRC */
	uint32_t cobs_errors;      /**< frames dropped: bad COBS */
	uint32_t too_long;         /**< frames dropped: longer than HelloReply.max_frame_bytes */
	uint32_t too_short;        /**< frames dropped: shorter than a CRC */
	uint32_t decode_errors;    /**< good frames whose payload is not a Packet */
	uint32_t duplicates;       /**< sequenced packets seen before (dropped, re-acked) */
	uint32_t out_of_order;     /**< sequenced packets after a gap (dropped, re-acked) */
	uint32_t retransmits;      /**< packets the agent sent again */
	uint32_t fast_retransmits; /**< go-back-N rounds a duplicate ack started (no timeout) */
	uint32_t frames_sent;      /**< frames written */
	uint32_t no_session;       /**< packets outside a session (answered with an unsolicited HelloReply) */
	uint32_t refused;          /**< packets dropped unacknowledged: no room for their reply */
	uint32_t unexpected;       /**< packets with a body the agent does not take (ignored) */
	uint32_t bad_acks;         /**< acks of packets never sent (ignored) */
	uint32_t sqes_run;         /**< units and executor ops started */
	uint32_t sqes_rejected;    /**< SQEs completed at submit (errno or -ECANCELED) */
	uint32_t cqes_sent;        /**< CQEs put into Complete packets */
	uint32_t cqes_dropped;     /**< CQEs lost: the host exceeded max_sqes by more than the spare */
	uint32_t stray_completions;/**< driver completions of SQEs not running */
	uint32_t late_completions; /**< timed-out SQEs their driver let go of */
	uint32_t logs_dropped;     /**< agent_log() calls that found the window full */
	uint32_t encode_errors;    /**< replies that did not fit a frame (a bug) */
};

/** @cond ignore */
/* A reply waiting for room in the send window (agent_dispatch.c). */
enum agent_reply_kind {
	AGENT_REPLY_CANCEL = 1, /* CancelReply { id, result } */
	AGENT_REPLY_STATUS = 2, /* Status { result }: to InjectFault and ClearFaults */
};

struct agent_reply {
	enum agent_reply_kind kind;
	uint32_t id;
	int32_t result;
};

/* Which pass over a received Packet nanopb is making (agent_submit.c). */
enum agent_decode_pass {
	AGENT_PASS_SCAN,    /* check the whole Packet, read seq, ack and the body kind; no side effects */
	AGENT_PASS_REGIONS, /* hand a Submit's regions to the executor */
	AGENT_PASS_SQES,    /* hand its SQEs to the executor */
};
/** @endcond */

/**
 * @brief The agent. The port provides the storage (sizeof(struct agent) bytes, see
 *        AGENT_MAX_SQES, AGENT_ARENA_BYTES, AGENT_WINDOW, AGENT_MAX_PAYLOAD_BYTES); fields are
 *        private.
 */
struct agent {
	/** @cond ignore */
	struct agent_config cfg;
	struct agent_stats stats;
	struct agent_frame_decoder dec;
	struct agent_link link;
	struct executor ex;
	struct agent_reply replies[AGENT_REPLY_QUEUE];
	uint32_t boot_nonce;
	uint32_t host_nonce;
	uint8_t reply_head;
	uint8_t reply_len;
	enum agent_decode_pass decode_pass;
	uint32_t scanned_regions; /* Regions the last AGENT_PASS_SCAN saw: none, no regions pass */
	uint32_t seen_retransmits;
	uint32_t lossy_packets;
	bool session;
	bool halted;
	uint8_t rx_buf[AGENT_FRAME_DECODER_BUF_LEN];
	/** @endcond */
};

/**
 * @brief Sets up @p agent: no session, nothing in flight, counters 0; then announces itself
 *        with an unsolicited HelloReply (host nonce 0), so that a host in a session with the
 *        agent before a reset learns of it at once. Call it at every boot.
 * @retval 0             ready.
 * @retval -AGENT_EINVAL @p config lacks write or now_us, or an iodev has id 0, a duplicate id
 *                       or no submit function; the agent is unusable.
 */
int agent_init(struct agent *agent, const struct agent_config *config);

/**
 * @brief Feeds one received byte. At a frame's end the frame is checked (bad ones are counted
 *        and dropped), its Packet handled, the work then due run (iodev poll hooks and timers,
 *        as agent_poll(): so units submitted by this packet have started before the next one
 *        is handled), and whatever is ready to send is sent.
 */
void agent_rx_byte(struct agent *agent, uint8_t byte);

/**
 * @brief Runs what is due at @p now_us: iodev poll hooks, DELAY and SQE timeouts,
 *        retransmissions; then sends completions.
 */
void agent_poll(struct agent *agent, uint64_t now_us);

/**
 * @brief When agent_poll() next has work (µs, the now_us clock), or AGENT_NEVER. A port may
 *        sleep until then or until a byte arrives.
 */
uint64_t agent_next_due_us(const struct agent *agent);

/**
 * @brief Sends a Log packet (sequenced). @p text is copied (cut at AGENT_LOG_TEXT_MAX).
 * @retval 0               queued and sent.
 * @retval -AGENT_EINVAL   @p level is not 1..4, or @p text is NULL.
 * @retval -AGENT_ENOTCONN no session: nobody to tell.
 * @retval -AGENT_EBUSY    the send window is full; the line is dropped (counted).
 */
int agent_log(struct agent *agent, uint32_t level, const char *text);

/** @brief Copies the counters into @p out. */
void agent_get_stats(const struct agent *agent, struct agent_stats *out);

/** @brief True after a Reset packet asked the port (reset hook) to re-initialise. */
bool agent_reset_pending(const struct agent *agent);

/** @brief True while a session (started by a Hello) is open. */
bool agent_in_session(const struct agent *agent);

/** @brief The boot nonce HelloReply reports. */
uint32_t agent_boot_nonce(const struct agent *agent);

#endif /* AGENT_AGENT_H */
