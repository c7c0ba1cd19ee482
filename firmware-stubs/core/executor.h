/**
 * @file
 * @brief The agent's RTIO executor: the C twin of harness/rtio/rtio.ts, with exactly its
 *        semantics (docs/semantics.md). It owns a static pool of SQE slots (exec_slots.c), a
 *        buffer arena (exec_arena.c) and a ring of completions waiting to be sent (exec_cq.c);
 *        it never allocates. Submits come in through exec_submit.c, the rest is executor.c.
 *
 * The agent (agent.c) feeds it the SQEs of a Submit one at a time (exec_submit_begin(),
 * exec_submit_sqe() per SQE, exec_submit_end()), forwards Cancel and Signal messages, runs its
 * timers from agent_poll(), and drains its completion ring into Complete packets.
 *
 * What differs from the host executor, because the agent is the far end of a wire:
 * - Submit-time mistakes are not exceptions but CQEs: the first SQE of a chain that cannot be
 *   accepted carries a negative errno (-EINVAL bad op or flags, -ENODEV unknown or missing
 *   iodev, -EMSGSIZE a buffer above AGENT_MAX_BUFFER_BYTES, -EBUSY no free slot, -ENOMEM no
 *   room in the arena) and every other member of its chain completes with -ECANCELED; nothing
 *   of that chain runs.
 * - CQEs carry RX data (exec_cqe.data) instead of filling host buffers, and no mempool block
 *   numbers: a mempool read's data is `result` bytes long; the host puts it in its own pool.
 * - The completion ring plays the host's CQ: a multishot ends (its CQE without
 *   AGENT_CQE_FLAG_MORE) when its completion would take the last unreserved ring entry.
 *   Every accepted SQE reserves one entry for its terminal CQE, so terminal CQEs always fit.
 * - CALLBACK ops cannot cross the wire: -EINVAL.
 * - Every SQE gets its CQEs, RTIO_SQE_NO_RESPONSE or not: the host keeps that flag to itself
 *   (harness/target/remote-target.ts strips it) and needs each CQE to free its slot.
 * - A Submit's regions (memory its members share: an earlier member receives into it, a later
 *   one transmits from it) are taken with exec_submit_region() before its SQEs; SQEs name
 *   ranges of them (tx_region/tx_offset, rx_region/rx_offset) and share those bytes, as the
 *   host's members share its buffers. A region lives while an SQE or a CQE names it.
 */
#ifndef AGENT_EXECUTOR_H
#define AGENT_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iodev.h"

#ifndef AGENT_MAX_SQES
/** @brief SQE slots: SQEs the agent holds at once (HelloReply.max_sqes). Default 32. */
#define AGENT_MAX_SQES 32u
#endif

#ifndef AGENT_CQE_SPARE
/**
 * @brief Completion-ring entries beyond one per SQE slot: room for multishot CQEs and for the
 *        error CQEs of SQEs rejected for lack of a slot. Default 16.
 */
#define AGENT_CQE_SPARE 16u
#endif

/** @brief Entries of the completion ring. */
#define AGENT_CQE_RING (AGENT_MAX_SQES + AGENT_CQE_SPARE)

#ifndef AGENT_ARENA_BYTES
/** @brief Size of the buffer arena (TX data, RX buffers, mempool reads), bytes. Default 4096. */
#define AGENT_ARENA_BYTES 4096u
#endif

#ifndef AGENT_MAX_BUFFER_BYTES
/** @brief Largest RX length or TX data of one SQE (HelloReply.max_buffer_bytes). Default 512. */
#define AGENT_MAX_BUFFER_BYTES 512u
#endif

/** @brief Arena allocation unit, bytes; each allocation also spends 4 bytes on a header. */
#define AGENT_ARENA_BLOCK 16u

/** @brief Arena blocks. */
#define AGENT_ARENA_BLOCKS (AGENT_ARENA_BYTES / AGENT_ARENA_BLOCK)

/** @brief Largest TINY_TX payload, as RTIO_TINY_TX_MAX. */
#define AGENT_TINY_TX_MAX 7u

#ifndef AGENT_MAX_REGIONS
/**
 * @brief Regions one Submit may carry. Default AGENT_MAX_SQES: every region has an SQE that
 *        receives into it first, and a Submit carries at most AGENT_MAX_SQES SQEs.
 */
#define AGENT_MAX_REGIONS AGENT_MAX_SQES
#endif

#if AGENT_MAX_SQES < 1u || AGENT_MAX_SQES > 1000u
#error "AGENT_MAX_SQES must be 1..1000"
#endif
#if AGENT_ARENA_BYTES % AGENT_ARENA_BLOCK != 0u || AGENT_ARENA_BLOCKS < 2u || AGENT_ARENA_BLOCKS > 65535u
#error "AGENT_ARENA_BYTES must be a multiple of AGENT_ARENA_BLOCK, 32 .. 1 MiB"
#endif
#if AGENT_MAX_BUFFER_BYTES + 4u > AGENT_ARENA_BYTES
#error "AGENT_MAX_BUFFER_BYTES must fit the arena"
#endif

/** @brief One SQE as it arrives in a Submit (the wire's Sqe, without its TX bytes). */
struct exec_sqe_desc {
	uint32_t id;
	uint32_t op;
	uint32_t flags;
	uint32_t iodev;       /**< wire id; 0: none */
	uint32_t iodev_flags;
	uint32_t prio;
	uint32_t len;         /**< RX / TXRX length; a TX from a region: its length */
	uint32_t tx_region;   /**< 1 + index of the region holding the TX data (TX, TXRX); 0: none */
	uint32_t tx_offset;   /**< where in that region the TX data starts */
	uint32_t rx_region;   /**< 1 + index of the region received bytes land in (RX, TXRX); 0: none */
	uint32_t rx_offset;   /**< where in that region they land */
	uint32_t timeout_us;
	uint32_t delay_us;
	uint32_t i2c_config;
};

/** @brief A completion waiting to be sent. */
struct exec_cqe {
	uint32_t id;
	int32_t result;
	uint32_t flags;       /**< AGENT_CQE_FLAG_MORE or 0 */
	uint8_t *data;        /**< arena buffer (one reference held), or NULL */
	uint32_t len;         /**< bytes of data to send */
	bool timed;           /**< start_us and end_us are set: the SQE's unit ran on the device */
	uint32_t start_us;    /**< the clock (µs, modulo 2^32) when the unit started */
	uint32_t end_us;      /**< the clock (µs, modulo 2^32) when this CQE was posted */
};

/** @brief Executor-private state of one SQE slot; `sqe` comes first (drivers see only it). */
struct exec_slot {
	struct agent_sqe sqe;
	struct executor *ex;
	uint64_t timeout_at;        /**< AGENT_NEVER: none */
	uint64_t delay_at;          /**< DELAY expiry; AGENT_NEVER: none */
	uint64_t started_at;        /**< when its unit last started (the clock, µs); AGENT_NEVER: not yet */
	bool reserved;              /**< holds a completion-ring reservation */
};

/** @brief Executor counters (part of the agent's stats). */
struct exec_stats {
	uint32_t sqes_run;          /**< units and executor ops started (each multishot shot counts) */
	uint32_t sqes_rejected;     /**< SQEs completed at submit with an error or -ECANCELED */
	uint32_t stray_completions; /**< driver completions of SQEs not running: a driver bug */
	uint32_t cqes_dropped;      /**< completions lost because the ring was full (host broke max_sqes) */
	uint32_t late_completions;  /**< timed-out SQEs their driver finally let go of */
};

/** @cond ignore */
#define EXEC_ARENA_WORDS ((AGENT_ARENA_BLOCKS + 31u) / 32u)

/* The buffer arena (exec_arena.c): blocks in use, blocks that start a buffer, the bytes. */
struct exec_arena {
	uint32_t used[EXEC_ARENA_WORDS];
	uint32_t starts[EXEC_ARENA_WORDS];
	uint32_t words[AGENT_ARENA_BYTES / 4u];
};

/* The completion ring (exec_cq.c): entries head.. (len of them), and the entries live SQEs reserved. */
struct exec_cq {
	struct exec_cqe entries[AGENT_CQE_RING];
	uint16_t head;
	uint16_t len;
	uint16_t reserved;
};

/* Where the Submit being decoded is (exec_submit.c). */
enum exec_chain_state {
	EXEC_CHAIN_NONE,     /* no chain open: the next SQE starts one */
	EXEC_CHAIN_OPEN,     /* the last SQE linked on: the next one joins its chain */
	EXEC_CHAIN_REJECTED, /* as OPEN, but the chain was rejected: the rest completes -ECANCELED */
};

/* The Submit being decoded (exec_submit.c): the chain being built and the Submit's regions. */
struct exec_submit {
	struct exec_slot *chain_head;
	struct exec_slot *chain_tail;
	struct exec_slot *txn_head;
	enum exec_chain_state chain;
	uint16_t region_count;
	uint8_t *regions[AGENT_MAX_REGIONS];
	uint32_t region_len[AGENT_MAX_REGIONS];
	int32_t region_err[AGENT_MAX_REGIONS];
};
/** @endcond */

/** @brief The executor. Place it (inside struct agent) and set it up with exec_init(). */
struct executor {
	/** @cond ignore */
	struct exec_slot slots[AGENT_MAX_SQES];
	struct exec_slot *ready[AGENT_MAX_SQES]; /* units to start, a ring from ready_head */
	uint16_t ready_head;
	uint16_t ready_len;
	uint16_t live;                           /* slots in use */
	bool draining;
	struct exec_cq cq;
	struct exec_arena arena;
	struct exec_submit submit;
	struct agent_iodev *const *iodevs;
	size_t iodev_count;
	uint64_t (*now_us)(void *ctx);
	void *ctx;
	struct exec_stats stats;
	/** @endcond */
};

/**
 * @brief Sets up @p ex with no SQEs, an empty arena and an empty ring.
 * @param iodevs      The iodev table (wire ids are their `id` fields); kept, not copied.
 * @param iodev_count Entries in @p iodevs.
 * @param now_us      The port's clock, µs, monotonic; called when timers are armed.
 * @param ctx         Passed to @p now_us.
 */
void exec_init(struct executor *ex, struct agent_iodev *const *iodevs, size_t iodev_count,
	       uint64_t (*now_us)(void *ctx), void *ctx);

/**
 * @brief Forgets every SQE and completion silently (a new session): SQEs waiting are freed,
 *        drivers are asked to drop running units with their cancel hook, and units a driver
 *        keeps stay reserved, without a CQE, until it completes them. Pending CQEs are dropped.
 */
void exec_reset(struct executor *ex);

/** @brief Starts decoding a Submit. */
void exec_submit_begin(struct executor *ex);

/**
 * @brief Takes the next region of the Submit begun with exec_submit_begin() (they come before
 *        its SQEs, in order: the first is region 1).
 * @param buf The region's bytes in an arena buffer from exec_arena_alloc() (ownership passes
 *            to the executor), or NULL with @p err.
 * @param len Bytes in the region.
 * @param err 0, or the negative errno met while storing it (-EMSGSIZE over
 *            AGENT_MAX_BUFFER_BYTES, -ENOMEM no room in the arena, -EINVAL init of another
 *            length); SQEs that name the region complete with it. A region beyond
 *            AGENT_MAX_REGIONS is dropped: SQEs that name it complete with -EINVAL.
 */
void exec_submit_region(struct executor *ex, uint8_t *buf, uint32_t len, int32_t err);

/**
 * @brief Takes the next SQE of the Submit begun with exec_submit_begin().
 * @param d      The SQE's fields.
 * @param tx     Its TX bytes in an arena buffer from exec_arena_alloc() (ownership passes to
 *               the executor), or NULL.
 * @param tx_len Bytes in @p tx.
 * @param tx_err 0, or the negative errno met while storing TX bytes (-EMSGSIZE, -ENOMEM).
 */
void exec_submit_sqe(struct executor *ex, const struct exec_sqe_desc *d, uint8_t *tx,
		     uint32_t tx_len, int32_t tx_err);

/** @brief Ends the Submit: rejects a chain left dangling (-EINVAL) and starts what is ready. */
void exec_submit_end(struct executor *ex);

/**
 * @brief Cancels the SQE with wire id @p id, as the host's sqeCancel.
 * @retval 0               not started (it and the rest of its chain complete with -ECANCELED),
 *                         or a running executor op, or a unit its driver dropped.
 * @retval -AGENT_EALREADY running on an iodev; it completes as the device decides (a
 *                         multishot ends after the running shot, with -ECANCELED).
 * @retval -AGENT_ENOENT   no SQE with that id is waiting or running.
 */
int32_t exec_cancel(struct executor *ex, uint32_t id);

/**
 * @brief Signals the AWAIT with wire id @p id (rtio sqeSignal): completes an executor AWAIT
 *        that waits, or lets one complete as soon as it is reached; an AWAIT held by a driver
 *        sees agent_sqe_signaled() turn true.
 * @retval 0             signalled.
 * @retval -AGENT_ENOENT no waiting or running AWAIT has that id.
 */
int32_t exec_signal(struct executor *ex, uint32_t id);

/** @brief Runs the DELAY and timeout timers due at @p now_us. */
void exec_run_timers(struct executor *ex, uint64_t now_us);

/** @brief Earliest DELAY or timeout expiry, or AGENT_NEVER. */
uint64_t exec_next_due_us(const struct executor *ex);

/** @brief Completions waiting in the ring. */
size_t exec_cqe_count(const struct executor *ex);

/** @brief The @p i th oldest waiting completion (i < exec_cqe_count()). */
const struct exec_cqe *exec_cqe_peek(const struct executor *ex, size_t i);

/** @brief Removes the @p n oldest completions (after they were encoded), releasing their data. */
void exec_cqe_pop(struct executor *ex, size_t n);

/**
 * @brief A buffer of @p len bytes (1..AGENT_MAX_BUFFER_BYTES) from the arena, with one
 *        reference, or NULL when the arena has no room.
 */
uint8_t *exec_arena_alloc(struct executor *ex, uint32_t len);

/**
 * @brief Drops one reference to the arena buffer @p buf points into (NULL and pointers outside
 *        the arena are ignored); the last one frees it.
 */
void exec_arena_unref(struct executor *ex, uint8_t *buf);

/** @brief Arena bytes in use, headers and rounding included. */
size_t exec_arena_used(const struct executor *ex);

/** @brief SQE slots in use (waiting, running, or timed out and still held by a driver). */
size_t exec_slots_used(const struct executor *ex);

/** @brief The iodev with wire id @p id, or NULL. */
struct agent_iodev *exec_iodev(const struct executor *ex, uint32_t id);

#endif /* AGENT_EXECUTOR_H */
