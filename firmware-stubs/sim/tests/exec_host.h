/*
 * The host end of the agent's real executor (core/executor.h), for the sim tests: the tests
 * prepare SQEs much as the host does, and this file ships them to the executor with
 * exec_submit_*() as the agent does a Submit, runs the iodevs' poll hooks and the executor's
 * timers on a clock it steps, and records every CQE with the time it was posted.
 *
 * What it plays of the host:
 * - TX bytes are copied into the executor's arena at host_submit(); received bytes come back in
 *   the CQE and are copied to the SQE's rx buffer, or, for a mempool read, into blocks of a
 *   block pool like the host context's mempool (`block_size` x `block_count`).
 * - That pool lends the blocks when the driver asks for a buffer (agent_sqe_rx_buf), as the
 *   emulator's mempool does: a read that finds no free blocks fails there with -ENOMEM, so a
 *   driver's exhaustion path runs. A CQE keeps the blocks covering the bytes it read until
 *   host_release() (docs/semantics.md §6); a failed or NO_RESPONSE read gives them back.
 * - NO_RESPONSE SQEs post nothing (the executor answers every SQE; the host drops those CQEs).
 * - Cancel or signal of an SQE not yet submitted marks it, as the remote target does.
 *
 * It also polices the driver contract of core/iodev.h, counting every breach in
 * `violations` (and printing it unless `quiet`): a completion from inside submit(), a
 * completion of a unit its driver does not hold (completed twice, never submitted, or dropped by
 * its cancel hook), agent_sqe_ok() on a transaction member, a buffer request, a fault taken or a
 * member result recorded outside a running unit, and a poll loop that makes no progress. It
 * watches the driver from both sides (exec_watch.c): host_add_iodev() wraps the iodev's hooks,
 * and the test binary links with -Wl,--wrap= for the agent_* functions drivers call
 * (sim/sim.mk), which check and then call the executor's own.
 *
 * The executor's sizes come from the -D flags the test is built with (AGENT_MAX_SQES, ...).
 */
#ifndef SIM_TEST_EXEC_HOST_H
#define SIM_TEST_EXEC_HOST_H

#include "../../core/executor.h"

#define HOST_SQES 64u
#define HOST_CQES 512u
#define HOST_POOL_MAX 8192u
#define HOST_BLOCKS_MAX 256u
#define HOST_IODEVS 8u

/* host_sqe.state */
#define HOST_SQE_PREPARED 1u
#define HOST_SQE_SUBMITTED 2u

/* An SQE as a test prepares it; the fields a test may set are struct agent_sqe's. */
struct host_sqe {
	uint32_t id;             /* wire id: index in host.sqes + 1 */
	uint8_t op;
	uint8_t prio;
	uint16_t flags;
	uint32_t iodev_flags;
	struct agent_iodev *iodev;
	const uint8_t *tx;       /* TX, TINY_TX, TXRX: the bytes to send, copied at host_submit() */
	uint8_t *rx;             /* RX, TXRX: where received bytes go; NULL for a mempool read */
	uint32_t len;
	uint32_t timeout_us;
	uint32_t delay_us;
	uint32_t i2c_config;
	uint8_t state;
	bool signal_pending;     /* signalled before it was submitted */
	uint16_t pool_first;     /* blocks lent to its running read */
	uint16_t pool_count;
};

/* A completion as the test sees it. */
struct host_cqe {
	struct host_sqe *sqe;
	int32_t result;
	uint32_t flags;          /* HOST_CQE_* */
	uint64_t at_us;          /* when it was posted */
	uint8_t *buf;            /* mempool buffer in host.pool, NULL if none */
	uint32_t buf_len;        /* its block-rounded length */
	uint32_t len;            /* bytes received */
};

#define HOST_CQE_MEMPOOL 1u
#define HOST_CQE_MORE AGENT_CQE_FLAG_MORE

struct host {
	struct executor ex;
	uint64_t now_us;
	struct agent_iodev *iodevs[HOST_IODEVS];
	const struct agent_iodev_api *inner[HOST_IODEVS];
	size_t n_iodevs;
	struct host_sqe sqes[HOST_SQES];
	uint32_t n_sqes;              /* prepared so far */
	uint32_t first_unsubmitted;   /* sqes[first_unsubmitted..n_sqes) are prepared, not submitted */
	struct host_cqe cqes[HOST_CQES];
	uint32_t n_cqes;
	bool hold_ring;               /* leave CQEs in the executor's ring until host_consume() */
	size_t ring_seen;             /* ring entries already recorded */
	uint8_t pool[HOST_POOL_MAX];
	uint32_t block_size;
	uint32_t block_count;
	bool used[HOST_BLOCKS_MAX];
	/* Units the drivers hold (submitted, not completed or dropped). */
	struct agent_sqe *units[AGENT_MAX_SQES];
	bool in_submit;
	unsigned violations;
	bool quiet;                   /* count violations without printing them (tests of the policing) */
	unsigned same_steps;
};

/* Starts a fresh host at time 0, with a pool of block_count blocks of block_size bytes. */
void host_init(struct host *h, uint32_t block_size, uint32_t block_count);

/* Adds an iodev to the executor's table (an id of 0 becomes its position + 1) and watches its hooks. */
void host_add_iodev(struct host *h, struct agent_iodev *dev);

/* A cleared SQE; the preps set op, iodev and buffers like Zephyr's rtio_sqe_prep_*. */
struct host_sqe *host_sqe(struct host *h);
struct host_sqe *host_read(struct host *h, struct agent_iodev *dev, uint8_t *buf, uint32_t len);
struct host_sqe *host_read_pool(struct host *h, struct agent_iodev *dev);
struct host_sqe *host_write(struct host *h, struct agent_iodev *dev, const uint8_t *buf, uint32_t len);
struct host_sqe *host_tiny_write(struct host *h, struct agent_iodev *dev, const uint8_t *buf, uint32_t len);
struct host_sqe *host_txrx(struct host *h, struct agent_iodev *dev, const uint8_t *tx, uint8_t *rx, uint32_t len);
struct host_sqe *host_op(struct host *h, struct agent_iodev *dev, uint8_t op);
struct host_sqe *host_delay(struct host *h, uint32_t delay_us);

/* Submits every SQE prepared since the last submit (chains and transactions as flagged). */
void host_submit(struct host *h);

/* host_submit(), then host_run_idle(). */
void host_submit_idle(struct host *h);

/* Runs events due up to until_us; the clock ends at until_us (unless AGENT_NEVER). */
void host_run_until(struct host *h, uint64_t until_us);

/* Runs until at least n CQEs have been recorded in all, or nothing is left to do. */
void host_run_cqes(struct host *h, uint32_t n);

/* Runs until nothing is due; the clock stays at the last event. */
void host_run_idle(struct host *h);

/* rtio_sqe_cancel: 0, -AGENT_EALREADY or -AGENT_ENOENT (docs/semantics.md §8). */
int32_t host_cancel(struct host *h, struct host_sqe *sqe);

/* rtio_sqe_signal. */
void host_signal(struct host *h, struct host_sqe *sqe);

/* Arms a fault on dev (count 0: until cleared). */
void host_inject(struct agent_iodev *dev, enum agent_fault_kind kind, uint32_t at_byte, uint32_t bytes,
		 uint32_t delay_us, uint32_t count);

/* With hold_ring: takes the n oldest CQEs out of the executor's ring (the test consumed them). */
void host_consume(struct host *h, uint32_t n);

/* Forgets every SQE and CQE (nothing may be in flight) so a long test can go on. */
void host_recycle(struct host *h);

/* Gives a CQE's mempool blocks back. */
void host_release(struct host *h, const struct host_cqe *cqe);

/* Free pool blocks. */
uint32_t host_pool_free(const struct host *h);

/* SQEs the executor holds (waiting, running, or timed out and still held by a driver). */
uint32_t host_inflight(const struct host *h);

/* The k-th CQE (0 = first) posted for sqe, or NULL. */
const struct host_cqe *host_cqe_of(const struct host *h, const struct host_sqe *sqe, unsigned k);

#endif
