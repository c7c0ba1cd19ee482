/*
 * A small executor for the driver tests, implementing the agent_* functions of core/iodev.h for
 * the test binary only (the real one is core/executor.c). It follows docs/semantics.md closely
 * enough to run the TS iodev tests' scenarios: chains (failure and short transfers cancel the
 * rest), transactions (one CQE per member, own results), DELAY, multishot mempool reads,
 * cancel (§8) and timeouts (§9), and a block mempool like Zephyr's.
 *
 * It also polices the driver contract of iodev.h and counts every breach in fx.violations
 * (printing each): a completion from inside submit(), a completion of an SQE that is not running
 * at an iodev (twice, never submitted, or dropped by cancel), agent_sqe_ok() on a member, a
 * buffer request outside a running RX, and a poll loop that makes no progress.
 *
 * Time: fx_run_until() jumps the clock to the earliest of the iodevs' next_due_us() and the
 * executor's own timers, fires those timers, then polls every iodev at that time.
 */
#ifndef SIM_TEST_FAKE_EXEC_H
#define SIM_TEST_FAKE_EXEC_H

#include "../../core/iodev.h"

#define FX_SQES 48u
#define FX_CQES 512u
#define FX_POOL_MAX 8192u
#define FX_BLOCKS_MAX 256u

/* One completion as the test sees it. */
struct fx_cqe {
	struct agent_sqe *sqe;
	int32_t result;
	uint32_t flags;        /* FX_CQE_* */
	uint64_t at_us;        /* executor time when it was posted */
	uint8_t *buf;          /* mempool buffer (NULL if none) */
	uint32_t buf_len;      /* its block-rounded length */
};

#define FX_CQE_MEMPOOL 1u
#define FX_CQE_MORE AGENT_CQE_FLAG_MORE

struct fx {
	uint64_t now_us;
	struct agent_iodev *iodevs[8];
	size_t n_iodevs;
	struct agent_sqe sqes[FX_SQES];
	uint32_t n_sqes;             /* acquired so far */
	uint32_t first_unsubmitted;  /* sqes[first_unsubmitted..n_sqes) are prepared, not submitted */
	struct fx_cqe cqes[FX_CQES];
	uint32_t n_cqes;
	uint8_t pool[FX_POOL_MAX];
	uint32_t block_size;
	uint32_t block_count;
	bool used[FX_BLOCKS_MAX];
	unsigned violations;
	unsigned steps;
	uint64_t last_step_us;
	unsigned same_steps;
	bool in_submit;
	bool quiet;                  /* count violations without printing them (tests of the fake) */
};

/* The one fake (the agent_* functions have no context argument). */
extern struct fx *fx_current;

/* Starts a fresh fake at time 0 with a mempool of block_count blocks of block_size bytes. */
void fx_init(struct fx *fx, uint32_t block_size, uint32_t block_count);

/* Adds an iodev to poll (in order). */
void fx_add_iodev(struct fx *fx, struct agent_iodev *dev);

/* A cleared SQE; id is its index + 1. */
struct agent_sqe *fx_sqe(struct fx *fx);

/* Preps: each clears the SQE's public fields first, like Zephyr's rtio_sqe_prep_*. */
struct agent_sqe *fx_read(struct fx *fx, struct agent_iodev *dev, uint8_t *buf, uint32_t len);
struct agent_sqe *fx_read_pool(struct fx *fx, struct agent_iodev *dev);
struct agent_sqe *fx_write(struct fx *fx, struct agent_iodev *dev, const uint8_t *buf, uint32_t len);
struct agent_sqe *fx_tiny_write(struct fx *fx, struct agent_iodev *dev, const uint8_t *buf, uint32_t len);
struct agent_sqe *fx_txrx(struct fx *fx, struct agent_iodev *dev, const uint8_t *tx, uint8_t *rx, uint32_t len);
struct agent_sqe *fx_op(struct fx *fx, struct agent_iodev *dev, uint8_t op);
struct agent_sqe *fx_delay(struct fx *fx, uint32_t delay_us);

/* Submits every SQE prepared since the last submit (chains and transactions as flagged). */
void fx_submit(struct fx *fx);

/* Runs events until now_us would pass until_us; the clock ends at until_us (unless AGENT_NEVER). */
void fx_run_until(struct fx *fx, uint64_t until_us);

/* Runs until at least n CQEs have been posted in all, or nothing is left to do. */
void fx_run_cqes(struct fx *fx, uint32_t n);

/* Runs until nothing is due (bounded); the clock stays at the last event. */
void fx_run_idle(struct fx *fx);

/* rtio_sqe_cancel: 0, -AGENT_EALREADY or -AGENT_ENOENT (docs/semantics.md §8). */
int fx_cancel(struct fx *fx, struct agent_sqe *sqe);

/* rtio_sqe_signal. */
void fx_signal(struct agent_sqe *sqe);

/* Forgets every SQE and CQE (nothing may be in flight) so a long test can go on. */
void fx_recycle(struct fx *fx);

/* Releases a CQE's mempool buffer. */
void fx_release(struct fx *fx, const struct fx_cqe *cqe);

/* Free mempool blocks. */
uint32_t fx_pool_free(const struct fx *fx);

/* SQEs still running (at an iodev, in the executor, or held by an iodev after a timeout). */
uint32_t fx_inflight(const struct fx *fx);

/* Arms a fault on dev (count 0: until cleared). */
void fx_inject(struct agent_iodev *dev, enum agent_fault_kind kind, uint32_t at_byte, uint32_t bytes, uint32_t delay_us,
	       uint32_t count);

/* The CQE of sqe posted k-th for it (0 = first), or NULL. */
const struct fx_cqe *fx_cqe_of(const struct fx *fx, const struct agent_sqe *sqe, unsigned k);

#endif
