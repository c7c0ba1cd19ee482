/*
 * The test host's watch of the driver contract (core/iodev.h); see exec_host.h. It sees a driver
 * from both sides: the iodev hooks the executor calls (host_watch_api, which host_add_iodev()
 * puts in front of the driver's own), and the agent_* functions the driver calls, wrapped at
 * link time (-Wl,--wrap=..., sim/sim.mk): each checks the call against the units the driver
 * holds, then calls the executor's own.
 */
#include "exec_watch.h"

#include <string.h>

/* ------------------------------------------------------------------ units the drivers hold */

static int unit_find(const struct host *h, const struct agent_sqe *sqe)
{
	size_t i;

	for (i = 0; i < AGENT_MAX_SQES; i++) {
		const struct agent_sqe *m;

		for (m = h->units[i]; m != NULL; m = agent_txn_next(m)) {
			if (m == sqe) {
				return (int)i;
			}
		}
	}
	return -1;
}

bool host_unit_held(const struct host *h, uint32_t id)
{
	size_t i;

	for (i = 0; i < AGENT_MAX_SQES; i++) {
		const struct agent_sqe *m;

		for (m = h->units[i]; m != NULL; m = agent_txn_next(m)) {
			if (m->id == id) {
				return true;
			}
		}
	}
	return false;
}

/* ------------------------------------------------------------------ the driver contract */

/* The agent_* functions drivers call, wrapped at link time (-Wl,--wrap=...): check, then call the executor's. */
void __real_agent_sqe_ok(struct agent_sqe *sqe, int32_t result);
void __real_agent_sqe_err(struct agent_sqe *sqe, int32_t result);
int __real_agent_sqe_rx_buf(struct agent_sqe *sqe, uint32_t min_len, uint32_t max_len, uint8_t **buf, uint32_t *len);
struct agent_fault __real_agent_fault_take(struct agent_faults *faults);
void __real_agent_txn_set_result(struct agent_sqe *member, int32_t result);
void __wrap_agent_sqe_ok(struct agent_sqe *sqe, int32_t result);
void __wrap_agent_sqe_err(struct agent_sqe *sqe, int32_t result);
int __wrap_agent_sqe_rx_buf(struct agent_sqe *sqe, uint32_t min_len, uint32_t max_len, uint8_t **buf, uint32_t *len);
struct agent_fault __wrap_agent_fault_take(struct agent_faults *faults);
void __wrap_agent_txn_set_result(struct agent_sqe *member, int32_t result);

/* The wire ids of a unit's members, taken before the executor clears their slots. */
struct unit_ids {
	uint32_t id[AGENT_MAX_SQES];
	size_t n;
};

/* A driver completes sqe: checks it may, and forgets the unit. */
static void completing(struct agent_sqe *sqe, bool ok, struct unit_ids *ids)
{
	struct host *h = host_current;
	int u = unit_find(h, sqe);
	const struct agent_sqe *m;

	ids->n = 0u;
	if (h->in_submit) {
		host_violation("sqe %u completed from inside submit()", sqe->id);
	}
	if (u < 0) {
		host_violation("stray completion of sqe %u: completed twice, never submitted or dropped", sqe->id);
		return;
	}
	if (ok && h->units[u] != sqe) {
		host_violation("agent_sqe_ok on transaction member sqe %u", sqe->id);
	}
	for (m = h->units[u]; m != NULL && ids->n < AGENT_MAX_SQES; m = agent_txn_next(m)) {
		ids->id[ids->n++] = m->id;
	}
	h->units[u] = NULL;
}

/* After a completion: records its CQEs; a read whose completion posted none (it had timed out) gives its blocks back. */
static void completed(const struct unit_ids *ids)
{
	struct host *h = host_current;
	size_t i;

	host_collect(h);
	for (i = 0; i < ids->n; i++) {
		struct host_sqe *s = host_sqe_by_id(h, ids->id[i]);

		if (s != NULL && s->pool_count > 0u) {
			host_pool_return(h, s->pool_first, s->pool_count);
			s->pool_count = 0u;
		}
	}
}

void __wrap_agent_sqe_ok(struct agent_sqe *sqe, int32_t result)
{
	struct unit_ids ids;

	completing(sqe, true, &ids);
	__real_agent_sqe_ok(sqe, result);
	completed(&ids);
}

void __wrap_agent_sqe_err(struct agent_sqe *sqe, int32_t result)
{
	struct unit_ids ids;

	completing(sqe, false, &ids);
	__real_agent_sqe_err(sqe, result);
	completed(&ids);
}

int __wrap_agent_sqe_rx_buf(struct agent_sqe *sqe, uint32_t min_len, uint32_t max_len, uint8_t **buf, uint32_t *len)
{
	struct host *h = host_current;
	struct host_sqe *s = host_sqe_by_id(h, sqe->id);
	uint16_t first;
	uint16_t count;
	uint32_t cap;
	int rc;

	if (h->in_submit) {
		host_violation("buffer for sqe %u asked from inside submit()", sqe->id);
	}
	if (unit_find(h, sqe) < 0 || sqe->op != AGENT_OP_RX || s == NULL) {
		host_violation("buffer for sqe %u that is not a running RX", sqe->id);
		return -AGENT_ENOMEM;
	}
	if ((sqe->flags & AGENT_SQE_MEMPOOL_BUFFER) == 0u || sqe->buf != NULL) {
		return __real_agent_sqe_rx_buf(sqe, min_len, max_len, buf, len);
	}
	if (!host_pool_lend(h, min_len, max_len, &first, &count)) {
		return -AGENT_ENOMEM;
	}
	cap = (uint32_t)count * h->block_size;
	rc = __real_agent_sqe_rx_buf(sqe, min_len, max_len < cap ? max_len : cap, buf, len);
	if (rc != 0) {
		host_pool_return(h, first, count);
		return rc;
	}
	s->pool_first = first;
	s->pool_count = count;
	return 0;
}

struct agent_fault __wrap_agent_fault_take(struct agent_faults *faults)
{
	if (host_current->in_submit) {
		host_violation("fault taken from inside submit()");
	}
	return __real_agent_fault_take(faults);
}

void __wrap_agent_txn_set_result(struct agent_sqe *member, int32_t result)
{
	if (unit_find(host_current, member) < 0) {
		host_violation("txn_set_result on sqe %u that is not running", member->id);
	}
	__real_agent_txn_set_result(member, result);
}

/* The iodev hooks as the executor calls them: through the watch, to the driver's. */
static size_t dev_index(const struct host *h, const struct agent_iodev *dev)
{
	size_t i;

	for (i = 0; i < h->n_iodevs && h->iodevs[i] != dev; i++) {
	}
	return i;
}

static void watch_submit(struct agent_iodev *dev, struct agent_sqe *sqe)
{
	struct host *h = host_current;
	size_t i;

	for (i = 0; i < AGENT_MAX_SQES && h->units[i] != NULL; i++) {
	}
	if (i < AGENT_MAX_SQES) {
		h->units[i] = sqe;
	}
	h->in_submit = true;
	h->inner[dev_index(h, dev)]->submit(dev, sqe);
	h->in_submit = false;
}

static bool watch_cancel(struct agent_iodev *dev, struct agent_sqe *sqe)
{
	struct host *h = host_current;
	const struct agent_iodev_api *api = h->inner[dev_index(h, dev)];
	int u;

	if (api->cancel == NULL || !api->cancel(dev, sqe)) {
		return false;
	}
	u = unit_find(h, sqe);
	if (u < 0) {
		host_violation("cancel hook dropped sqe %u, which it did not hold", sqe->id);
	} else {
		h->units[u] = NULL;
	}
	return true;
}

static void watch_poll(struct agent_iodev *dev, uint64_t now_us)
{
	const struct agent_iodev_api *api = host_current->inner[dev_index(host_current, dev)];

	if (api->poll != NULL) {
		api->poll(dev, now_us);
	}
}

static uint64_t watch_next_due_us(const struct agent_iodev *dev)
{
	const struct agent_iodev_api *api = host_current->inner[dev_index(host_current, dev)];

	return api->next_due_us != NULL ? api->next_due_us(dev) : AGENT_NEVER;
}

const struct agent_iodev_api host_watch_api = { watch_submit, watch_cancel, watch_poll, watch_next_due_us };
