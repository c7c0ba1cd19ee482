/**
 * @file
 * @brief The seams between the executor's files (executor.h is what the agent and drivers see):
 *        the buffer arena (exec_arena.c), the completion ring (exec_cq.c), the SQE slots and the
 *        ready queue (exec_slots.c), the executor proper (executor.c: chains, transactions,
 *        cancel, timeouts, multishot, mempool) and the Submit intake (exec_submit.c). Not for
 *        drivers or the agent.
 */
#ifndef AGENT_EXECUTOR_INTERNAL_H
#define AGENT_EXECUTOR_INTERNAL_H

#include "executor.h"

/** @brief Where an SQE slot is in its life, as SLOT_* in harness/rtio/iodev.ts (agent_sqe.state). */
enum exec_slot_state {
	EXEC_SLOT_FREE = 0,
	EXEC_SLOT_PENDING = 2,  /**< submitted, waiting for its chain predecessor */
	EXEC_SLOT_INFLIGHT = 3, /**< started: at its iodev or in an executor op */
	EXEC_SLOT_ZOMBIE = 4,   /**< completed by a timeout (or a new session) while its driver holds it */
};

/** @brief Where the slots of a unit that completed go. */
enum exec_slot_fate {
	EXEC_RELEASE, /**< back to the pool (rtio.ts release) */
	EXEC_RETIRE,  /**< kept as zombies until the driver completes the unit (rtio.ts retire) */
};

/** @brief txn_result when no per-member result was recorded (NO_RESULT on the host). */
#define EXEC_NO_RESULT INT32_MAX

/** @brief The flags that link an SQE to the next: CHAINED, TRANSACTION. */
#define EXEC_LINK_FLAGS (AGENT_SQE_CHAINED | AGENT_SQE_TRANSACTION)

/* ------------------------------------------------------------------ exec_arena.c */

/** @brief Empties the arena. */
void arena_init(struct exec_arena *arena);

/**
 * @brief A buffer of @p len bytes (1..AGENT_MAX_BUFFER_BYTES) with one reference, or NULL when
 *        @p len is out of range or no run of free blocks is long enough.
 */
uint8_t *arena_alloc(struct exec_arena *arena, uint32_t len);

/** @brief One more reference to the buffer @p buf points into (anywhere in it); NULL and outside pointers are ignored. */
void arena_ref(struct exec_arena *arena, const uint8_t *buf);

/** @brief One reference less to the buffer @p buf points into; the last frees it. NULL and outside pointers are ignored. */
void arena_unref(struct exec_arena *arena, const uint8_t *buf);

/** @brief Bytes in use, headers and rounding included. */
size_t arena_used(const struct exec_arena *arena);

/* ------------------------------------------------------------------ exec_cq.c */

/** @brief Empties the ring and drops every reservation. */
void cq_init(struct exec_cq *cq);

/**
 * @brief Queues a CQE, taking its own arena reference to @p data (@p len bytes of it are sent).
 * @retval true  queued.
 * @retval false the ring is full: the CQE is dropped and counted (stats.cqes_dropped).
 */
bool cq_post(struct executor *ex, uint32_t id, int32_t result, uint32_t flags, uint8_t *data, uint32_t len);

/** @brief True while an entry is neither used nor reserved for the terminal CQE of a live SQE. */
bool cq_has_spare(const struct exec_cq *cq);

/* ------------------------------------------------------------------ exec_slots.c */

/** @brief The slot of @p sqe (sqe is the first member of struct exec_slot). */
struct exec_slot *slot_of(struct agent_sqe *sqe);

/** @brief The next member of @p s's chain or transaction, or NULL. */
struct exec_slot *slot_next(const struct exec_slot *s);

/** @brief The next member of @p s's transaction, or NULL (also at a chain link). */
struct exec_slot *slot_txn_next(const struct exec_slot *s);

/** @brief The head of the unit @p s belongs to (itself when it heads one). */
struct exec_slot *slot_unit_head(struct exec_slot *s);

/** @brief Sets up every slot free and the ready queue empty. */
void slots_init(struct executor *ex);

/**
 * @brief A free slot, PENDING, holding a completion-ring reservation for its terminal CQE; NULL
 *        when no slot is free or the ring has no spare entry to reserve.
 */
struct exec_slot *slot_alloc(struct executor *ex);

/** @brief Gives back the ring reservation of @p s, if it holds one (its CQE is posted or dropped). */
void slot_unreserve(struct executor *ex, struct exec_slot *s);

/** @brief Ends @p s as @p fate says: back to the pool (its buffers unreferenced) or a zombie. */
void slot_end(struct executor *ex, struct exec_slot *s, enum exec_slot_fate fate);

/** @brief Frees the zombie slots of the unit @p s belongs to: its driver let go of it at last. */
void slot_reap_zombies(struct executor *ex, struct exec_slot *s);

/** @brief Queues the unit headed by @p s to start (a unit is queued at most once). */
void ready_push(struct executor *ex, struct exec_slot *s);

/** @brief The next unit to start, or NULL. */
struct exec_slot *ready_shift(struct executor *ex);

/** @brief Empties the ready queue. */
void ready_clear(struct executor *ex);

/* ------------------------------------------------------------------ executor.c */

/**
 * @brief Posts the CQEs of the unit headed by @p head and moves its chain on (rtio.ts finish).
 * @param result  The unit's result: bytes moved (>= 0, success) or a negative errno.
 * @param fail_at On a failure, the member the driver failed; NULL: the head.
 * @param fate    Where the unit's slots go.
 */
void exec_finish(struct executor *ex, struct exec_slot *head, int32_t result, struct exec_slot *fail_at,
		 enum exec_slot_fate fate);

/** @brief Starts the units queued ready, unless a drain is already running further up the stack. */
void exec_drain(struct executor *ex);

/* ------------------------------------------------------------------ exec_submit.c */

/** @brief Forgets the Submit being decoded: its staged chain and its regions (their references dropped). */
void submit_reset(struct executor *ex);

#endif /* AGENT_EXECUTOR_INTERNAL_H */
