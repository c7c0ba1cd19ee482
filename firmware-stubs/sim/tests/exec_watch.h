/*
 * What the two halves of the test host share (exec_host.c: SQEs, time, CQEs and the pool;
 * exec_watch.c: the watch of the driver contract). Not for tests: they use exec_host.h.
 */
#ifndef SIM_TEST_EXEC_WATCH_H
#define SIM_TEST_EXEC_WATCH_H

#include "exec_host.h"

/* The host the wrapped agent_* functions and the iodev hooks report to (they have no context). */
extern struct host *host_current;

/* The iodev hooks host_add_iodev() puts in front of a driver's: they watch, then call the driver's. */
extern const struct agent_iodev_api host_watch_api;

/* Counts a breach of the contract in host_current->violations and prints it unless quiet. */
void host_violation(const char *fmt, ...);

/* Lends blocks of the pool for a read of min_len..max_len bytes (Zephyr's rtio_block_pool_alloc); false when none fit. */
bool host_pool_lend(struct host *h, uint32_t min_len, uint32_t max_len, uint16_t *first, uint16_t *count);

/* Gives n blocks from first back to the pool. */
void host_pool_return(struct host *h, uint32_t first, uint32_t n);

/* Records the CQEs the executor posted since the last call (and takes them out without hold_ring). */
void host_collect(struct host *h);

/* The SQE with wire id id, or NULL. */
struct host_sqe *host_sqe_by_id(struct host *h, uint32_t id);

/* True while a driver holds a unit with a member of wire id id. */
bool host_unit_held(const struct host *h, uint32_t id);

#endif
