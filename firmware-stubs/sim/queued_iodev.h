/**
 * @file
 * @brief The shared core of the simulated iodevs, the C twin of
 *        harness/emulator/iodevs/queued-iodev.ts: a FIFO of submitted units run one at a time,
 *        each completing at a due time that poll() checks.
 *
 * A driver embeds struct sim_qdev as its FIRST member, fills a struct sim_qdev_ops and gives its
 * iodev the hooks sim_qdev_api (sim_qdev_submit / _cancel / _poll / _next_due_us). The helper:
 * - submit() only queues (it is given no time). poll(now_us) starts units and completes the
 *   ones that are due, so nothing ever completes inside submit().
 * - Start time of a unit: the exact model end of the previous unit on this iodev, or, for a
 *   unit submitted since the last poll (or right after a dropped waiting unit), no earlier than
 *   the poll that first sees it. Bus models further delay a transfer until their bus is free.
 * - Completion: at sim_ns_to_due_us(end): the first whole µs at or after the model's end time.
 * - NOP (unless the driver begins NOPs itself) completes with 0 at its start; AWAIT holds the
 *   iodev until agent_sqe_signaled() and then completes with 0. Neither takes a fault.
 * - Every other unit takes one fault with agent_fault_take() and goes to ops->begin, which
 *   either returns its outcome (result, end time, failing member) or makes it wait (an IMU
 *   batch waiting for its watermark, a hanging test unit) until a wake time, when ops->resume
 *   is called, or until cancelled. A DELAY fault lengthens the outcome, whichever path gives it.
 * - cancel(): a queued unit, or a waiting one (AWAIT, waiting, hanging), is dropped (true); a
 *   unit whose outcome is scheduled is running (false) and completes as the model decided.
 *
 * Capacity: SIM_QDEV_QUEUE_LEN units may wait behind the running one; it defaults to
 * AGENT_MAX_SQES when that is defined (pass the same -DAGENT_MAX_SQES to sim/), else 32, the
 * executor's default pool, so an iodev can always hold every SQE the executor has. A submit
 * beyond it (a smaller SIM_QDEV_QUEUE_LEN) is completed with -AGENT_EBUSY by the next poll
 * (SIM_QDEV_REJECT_LEN of them at once; past that the SQE cannot be held and is counted in `lost`,
 * which a port should treat as fatal).
 */
#ifndef SIM_QUEUED_IODEV_H
#define SIM_QUEUED_IODEV_H

#include "sim_common.h"

#ifndef SIM_QDEV_QUEUE_LEN
#ifdef AGENT_MAX_SQES
#define SIM_QDEV_QUEUE_LEN AGENT_MAX_SQES
#else
/** @brief Units one iodev holds queued behind the running one (build-time). */
#define SIM_QDEV_QUEUE_LEN 32u
#endif
#endif
#if SIM_QDEV_QUEUE_LEN < 1 || SIM_QDEV_QUEUE_LEN > 1000
#error "SIM_QDEV_QUEUE_LEN must be 1..1000"
#endif
#ifndef SIM_QDEV_REJECT_LEN
/** @brief Submits beyond the queue held for a -EBUSY completion (build-time). */
#define SIM_QDEV_REJECT_LEN 4u
#endif

/** @brief How a unit ended: its result, when, and which member failed. */
struct sim_outcome {
	int32_t result;            /**< head result: bytes moved or 0, or a negative errno */
	uint64_t end_ns;           /**< model time of completion */
	struct agent_sqe *fail_at; /**< on failure, the member that failed; NULL: the head */
};

/** @brief What ops->begin / ops->resume did. */
enum sim_begin_status {
	SIM_BEGIN_DONE = 0,  /**< *out holds the outcome */
	SIM_BEGIN_WAIT = 1,  /**< the unit waits; q->wake_ns says until when (SIM_NEVER_NS: until cancelled) */
};

struct sim_qdev;

/** @brief A driver's part. */
struct sim_qdev_ops {
	/**
	 * @brief Runs the unit headed by @p head from @p start_ns with @p fault (kind NONE for none):
	 *        fills *out and returns SIM_BEGIN_DONE, or sets q->wake_ns and returns SIM_BEGIN_WAIT.
	 *        Required. Must not complete SQEs itself except through after_begin's contract.
	 */
	enum sim_begin_status (*begin)(struct sim_qdev *q, struct agent_sqe *head, const struct agent_fault *fault,
				       uint64_t start_ns, struct sim_outcome *out);
	/** @brief A waiting unit's wake time has come (@p at_ns): as begin. Required if begin waits. */
	enum sim_begin_status (*resume)(struct sim_qdev *q, struct agent_sqe *head, const struct agent_fault *fault,
					uint64_t at_ns, struct sim_outcome *out);
	/** @brief Called after each begin (from poll): may complete SQEs of its own (GPIO edge reads). Optional. */
	void (*after_begin)(struct sim_qdev *q, uint64_t start_ns);
	/** @brief NOPs go to begin like other ops (the test iodev scripts its NOPs). */
	bool begins_nop;
};

/** @brief Phase of the current unit. */
enum sim_qdev_phase {
	SIM_QDEV_IDLE = 0,
	SIM_QDEV_RUNNING = 1,   /**< outcome scheduled */
	SIM_QDEV_WAITING = 2,   /**< begin/resume said WAIT */
	SIM_QDEV_AWAITING = 3,  /**< an AWAIT waiting for its signal */
};

/** @brief The helper's state. */
struct sim_qdev {
	const struct sim_qdev_ops *ops;
	struct agent_iodev *dev;
	struct agent_sqe *queue[SIM_QDEV_QUEUE_LEN];
	struct agent_sqe *reject[SIM_QDEV_REJECT_LEN];
	struct agent_sqe *current;
	struct agent_fault fault;   /**< the fault the current unit took */
	struct sim_outcome outcome; /**< RUNNING: what completes at outcome.end_ns */
	uint64_t start_ns;          /**< when the current unit started */
	uint64_t wake_ns;           /**< WAITING: when to call resume */
	uint64_t prev_end_ns;       /**< model end of the last unit */
	uint64_t poll_ns;           /**< time of the current or last poll */
	uint16_t q_first;
	uint16_t q_len;
	uint16_t q_fresh;           /**< the last q_fresh queued units were submitted since the last poll */
	uint8_t reject_len;
	uint8_t phase;              /**< enum sim_qdev_phase */
	bool in_poll;
	bool floor_at_poll;         /**< the next unit starts no earlier than the poll that starts it */
	/* Counters. */
	uint32_t submitted;         /**< submit calls */
	uint32_t dropped;           /**< units dropped by cancel */
	uint32_t max_depth;         /**< most units held at once */
	uint32_t overflows;         /**< submits completed with -AGENT_EBUSY for want of room */
	uint32_t lost;              /**< submits that could not even be held for that */
};

/**
 * @brief The iodev hooks of every driver built on this helper: dev->data points to the driver's
 *        state, whose first member is its struct sim_qdev; each hook is the sim_qdev_* call below.
 */
extern const struct agent_iodev_api sim_qdev_api;

/** @brief Initialises @p q for the driver @p ops of iodev @p dev (faults come from dev->faults). */
void sim_qdev_init(struct sim_qdev *q, const struct sim_qdev_ops *ops, struct agent_iodev *dev);

/** @brief Queues the unit headed by @p sqe. */
void sim_qdev_submit(struct sim_qdev *q, struct agent_sqe *sqe);

/** @brief Drops @p sqe if queued or waiting: true; false if running or unknown. */
bool sim_qdev_cancel(struct sim_qdev *q, struct agent_sqe *sqe);

/** @brief Starts and completes what is due at @p now_us. */
void sim_qdev_poll(struct sim_qdev *q, uint64_t now_us);

/** @brief When poll() next has work: 0 for "now", AGENT_NEVER when idle or only waiting for a cancel. */
uint64_t sim_qdev_next_due_us(const struct sim_qdev *q);

/** @brief Units queued or running. */
uint32_t sim_qdev_depth(const struct sim_qdev *q);

/** @brief Holds @p sqe for a -AGENT_EBUSY completion by the next poll (for a driver's own lists that are full). */
void sim_qdev_reject(struct sim_qdev *q, struct agent_sqe *sqe);

#endif /* SIM_QUEUED_IODEV_H */
