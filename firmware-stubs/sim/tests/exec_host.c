/* The host end of the real executor for the sim tests; see exec_host.h. */
#include "exec_watch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SAME_TIME_STEPS_MAX 10000u

/* The host the wrapped agent_* functions and the iodev hooks report to (they have no context). */
struct host *host_current;

void host_violation(const char *fmt, ...)
{
	va_list ap;

	host_current->violations++;
	if (host_current->quiet) {
		return;
	}
	printf("VIOLATION at %llu us: ", (unsigned long long)host_current->now_us);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static uint64_t host_now(void *ctx)
{
	return ((const struct host *)ctx)->now_us;
}

/* ------------------------------------------------------------------ the pool */

/* Zephyr's rtio_block_pool_alloc: max_len, then one block less at a time down to min_len. */
bool host_pool_lend(struct host *h, uint32_t min_len, uint32_t max_len, uint16_t *first, uint16_t *count)
{
	uint32_t bs = h->block_size;
	uint32_t lo = min_len == 0u ? 1u : (min_len + bs - 1u) / bs;
	uint32_t nb;

	for (nb = (max_len + bs - 1u) / bs; nb >= lo && nb > 0u; nb--) {
		uint32_t i;

		for (i = 0; i + nb <= h->block_count; i++) {
			uint32_t k = 0u;

			while (k < nb && !h->used[i + k]) {
				k++;
			}
			if (k == nb) {
				memset(&h->used[i], 1, nb);
				*first = (uint16_t)i;
				*count = (uint16_t)nb;
				return true;
			}
		}
	}
	return false;
}

void host_pool_return(struct host *h, uint32_t first, uint32_t n)
{
	uint32_t i;

	for (i = first; i < first + n; i++) {
		if (!h->used[i]) {
			host_violation("mempool block %u released twice", i);
		}
		h->used[i] = false;
	}
}

static void pool_give_back(struct host *h, struct host_sqe *s)
{
	host_pool_return(h, s->pool_first, s->pool_count);
	s->pool_count = 0u;
}

struct host_sqe *host_sqe_by_id(struct host *h, uint32_t id)
{
	return id >= 1u && id <= h->n_sqes ? &h->sqes[id - 1u] : NULL;
}

/* ------------------------------------------------------------------ completions */

/* Records a CQE the executor posted: its time, its data, and the mempool blocks it keeps. */
static void record(struct host *h, const struct exec_cqe *e)
{
	struct host_sqe *s = host_sqe_by_id(h, e->id);
	bool pooled = s != NULL && s->op == AGENT_OP_RX && (s->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u;
	struct host_cqe *c;

	if (s == NULL) {
		host_violation("CQE for unknown SQE id %u", e->id);
		return;
	}
	if ((s->flags & AGENT_SQE_NO_RESPONSE) != 0u) {
		if (pooled && s->pool_count > 0u) {
			pool_give_back(h, s);
		}
		return;
	}
	if (h->n_cqes >= HOST_CQES) {
		host_violation("more than %u CQEs", HOST_CQES);
		return;
	}
	c = &h->cqes[h->n_cqes++];
	memset(c, 0, sizeof(*c));
	c->sqe = s;
	c->result = e->result;
	c->flags = e->flags;
	c->at_us = h->now_us;
	c->len = e->len;
	if (pooled && e->result >= 0) {
		uint16_t keep = (uint16_t)((e->len + h->block_size - 1u) / h->block_size);

		c->flags |= HOST_CQE_MEMPOOL;
		if (keep > s->pool_count) {
			host_violation("sqe %u read %u bytes into %u blocks", s->id, e->len, s->pool_count);
			keep = s->pool_count;
		}
		if (keep > 0u) {
			c->buf = h->pool + (size_t)s->pool_first * h->block_size;
			c->buf_len = keep * h->block_size;
			memcpy(c->buf, e->data, e->len);
		}
		host_pool_return(h, s->pool_first + keep, s->pool_count - keep);
		s->pool_count = 0u;
	} else if (pooled && s->pool_count > 0u && !host_unit_held(h, s->id)) {
		/* A failed read; one that timed out keeps its blocks until its driver lets go. */
		pool_give_back(h, s);
	} else if (s->rx != NULL && e->data != NULL && e->len <= s->len) {
		memcpy(s->rx, e->data, e->len);
	}
}

/* Records the CQEs the executor posted since the last call; without hold_ring, takes them out. */
void host_collect(struct host *h)
{
	size_t n = exec_cqe_count(&h->ex);

	for (; h->ring_seen < n; h->ring_seen++) {
		record(h, exec_cqe_peek(&h->ex, h->ring_seen));
	}
	if (!h->hold_ring) {
		exec_cqe_pop(&h->ex, n);
		h->ring_seen = 0u;
	}
}

void host_consume(struct host *h, uint32_t n)
{
	while (n > 0u && exec_cqe_count(&h->ex) > 0u) {
		const struct host_sqe *s = host_sqe_by_id(h, exec_cqe_peek(&h->ex, 0u)->id);

		if (s == NULL || (s->flags & AGENT_SQE_NO_RESPONSE) == 0u) {
			n--;
		}
		exec_cqe_pop(&h->ex, 1u);
		h->ring_seen = h->ring_seen > 0u ? h->ring_seen - 1u : 0u;
	}
	if (n > 0u) {
		host_violation("consumed %u CQEs more than the ring holds", n);
	}
}

/* ------------------------------------------------------------------ setup and SQEs */

void host_init(struct host *h, uint32_t block_size, uint32_t block_count)
{
	memset(h, 0, sizeof(*h));
	host_current = h;
	h->block_size = block_size;
	h->block_count = block_count;
	if (block_size == 0u || block_size * block_count > HOST_POOL_MAX || block_count > HOST_BLOCKS_MAX) {
		host_violation("host_init: pool of %u x %u bytes does not fit", block_count, block_size);
		h->block_count = 0u;
		h->block_size = 1u;
	}
	exec_init(&h->ex, h->iodevs, 0u, host_now, h);
}

void host_add_iodev(struct host *h, struct agent_iodev *dev)
{
	if (h->n_iodevs >= HOST_IODEVS || h->n_sqes > 0u || dev->api == &host_watch_api) {
		host_violation("host_add_iodev: more than %u iodevs, after SQEs, or added twice", HOST_IODEVS);
		return;
	}
	if (dev->id == 0u) {
		dev->id = (uint32_t)h->n_iodevs + 1u;
	}
	h->inner[h->n_iodevs] = dev->api;
	dev->api = &host_watch_api;
	h->iodevs[h->n_iodevs++] = dev;
	exec_init(&h->ex, h->iodevs, h->n_iodevs, host_now, h);
}

struct host_sqe *host_sqe(struct host *h)
{
	struct host_sqe *s;

	host_current = h;
	if (h->n_sqes >= HOST_SQES) {
		host_violation("test ran out of SQEs");
		return &h->sqes[HOST_SQES - 1u];
	}
	s = &h->sqes[h->n_sqes++];
	memset(s, 0, sizeof(*s));
	s->id = h->n_sqes;
	s->state = HOST_SQE_PREPARED;
	return s;
}

static struct host_sqe *prep(struct host *h, struct agent_iodev *dev, uint8_t op, uint32_t len)
{
	struct host_sqe *s = host_sqe(h);

	s->op = op;
	s->iodev = dev;
	s->len = len;
	return s;
}

struct host_sqe *host_read(struct host *h, struct agent_iodev *dev, uint8_t *buf, uint32_t len)
{
	struct host_sqe *s = prep(h, dev, AGENT_OP_RX, len);

	s->rx = buf;
	return s;
}

struct host_sqe *host_read_pool(struct host *h, struct agent_iodev *dev)
{
	struct host_sqe *s = prep(h, dev, AGENT_OP_RX, 0u);

	s->flags = AGENT_SQE_MEMPOOL_BUFFER;
	return s;
}

struct host_sqe *host_write(struct host *h, struct agent_iodev *dev, const uint8_t *buf, uint32_t len)
{
	struct host_sqe *s = prep(h, dev, AGENT_OP_TX, len);

	s->tx = buf;
	return s;
}

struct host_sqe *host_tiny_write(struct host *h, struct agent_iodev *dev, const uint8_t *buf, uint32_t len)
{
	struct host_sqe *s = prep(h, dev, AGENT_OP_TINY_TX, len);

	s->tx = buf;
	return s;
}

struct host_sqe *host_txrx(struct host *h, struct agent_iodev *dev, const uint8_t *tx, uint8_t *rx, uint32_t len)
{
	struct host_sqe *s = prep(h, dev, AGENT_OP_TXRX, len);

	s->tx = tx;
	s->rx = rx;
	return s;
}

struct host_sqe *host_op(struct host *h, struct agent_iodev *dev, uint8_t op)
{
	return prep(h, dev, op, 0u);
}

struct host_sqe *host_delay(struct host *h, uint32_t delay_us)
{
	struct host_sqe *s = prep(h, NULL, AGENT_OP_DELAY, 0u);

	s->delay_us = delay_us;
	return s;
}

/* ------------------------------------------------------------------ submit, cancel, signal */

/* Ships one SQE as the agent decodes it from a Submit: TX bytes into the arena. */
static void ship(struct host *h, struct host_sqe *s)
{
	struct exec_sqe_desc d;
	bool sends = s->op == AGENT_OP_TX || s->op == AGENT_OP_TINY_TX || s->op == AGENT_OP_TXRX;
	uint8_t *tx = NULL;
	uint32_t tx_len = 0u;
	int32_t tx_err = 0;

	memset(&d, 0, sizeof(d));
	d.id = s->id;
	d.op = s->op;
	d.flags = s->flags;
	d.iodev = s->iodev != NULL ? s->iodev->id : 0u;
	d.iodev_flags = s->iodev_flags;
	d.prio = s->prio;
	d.len = s->op == AGENT_OP_RX || s->op == AGENT_OP_TXRX ? s->len : 0u;
	d.timeout_us = s->timeout_us;
	d.delay_us = s->delay_us;
	d.i2c_config = s->i2c_config;
	if (sends && s->tx != NULL && s->len > 0u) {
		tx_len = s->len;
		tx = exec_arena_alloc(&h->ex, tx_len);
		if (tx == NULL) {
			tx_err = -AGENT_ENOMEM;
		} else {
			memcpy(tx, s->tx, tx_len);
		}
	}
	exec_submit_sqe(&h->ex, &d, tx, tx_len, tx_err);
	s->state = HOST_SQE_SUBMITTED;
}

void host_submit(struct host *h)
{
	uint32_t from = h->first_unsubmitted;
	uint32_t i;

	host_current = h;
	exec_submit_begin(&h->ex);
	for (i = from; i < h->n_sqes; i++) {
		ship(h, &h->sqes[i]);
	}
	h->first_unsubmitted = h->n_sqes;
	exec_submit_end(&h->ex);
	host_collect(h);
	for (i = from; i < h->n_sqes; i++) {
		if (h->sqes[i].signal_pending) {
			h->sqes[i].signal_pending = false;
			(void)exec_signal(&h->ex, h->sqes[i].id);
		}
	}
	host_collect(h);
}

int32_t host_cancel(struct host *h, struct host_sqe *sqe)
{
	int32_t rc;

	host_current = h;
	if (sqe->state == HOST_SQE_PREPARED) {
		sqe->flags = (uint16_t)(sqe->flags | AGENT_SQE_CANCELED);
		return 0;
	}
	rc = exec_cancel(&h->ex, sqe->id);
	host_collect(h);
	return rc;
}

void host_signal(struct host *h, struct host_sqe *sqe)
{
	host_current = h;
	if (sqe->state == HOST_SQE_PREPARED) {
		sqe->signal_pending = true;
		return;
	}
	if (exec_signal(&h->ex, sqe->id) != 0) {
		host_violation("signal of sqe %u, which is no waiting AWAIT", sqe->id);
	}
	host_collect(h);
}

void host_inject(struct agent_iodev *dev, enum agent_fault_kind kind, uint32_t at_byte, uint32_t bytes,
		 uint32_t delay_us, uint32_t count)
{
	struct agent_fault *f;

	if (dev->faults.len >= AGENT_FAULTS_MAX) {
		host_violation("too many faults");
		return;
	}
	f = &dev->faults.queue[dev->faults.len++];
	f->kind = kind;
	f->at_byte = at_byte;
	f->bytes = bytes;
	f->delay_us = delay_us;
	f->count = count;
}

/* ------------------------------------------------------------------ time */

static uint64_t next_event(const struct host *h)
{
	uint64_t t = exec_next_due_us(&h->ex);
	size_t i;

	for (i = 0; i < h->n_iodevs; i++) {
		uint64_t due = h->iodevs[i]->api->next_due_us(h->iodevs[i]);

		t = due < t ? due : t;
	}
	return t;
}

/* One event time, as the agent's poll: every iodev's poll hook, then the executor's timers. */
static bool step(struct host *h, uint64_t until_us)
{
	uint64_t t = next_event(h);
	size_t i;

	if (t == AGENT_NEVER) {
		return false;
	}
	t = t < h->now_us ? h->now_us : t;
	if (t > until_us) {
		return false;
	}
	if (t == h->now_us && ++h->same_steps > SAME_TIME_STEPS_MAX) {
		host_violation("no progress: iodevs stay due at %llu us", (unsigned long long)t);
		h->same_steps = 0u;
		return false;
	}
	if (t != h->now_us) {
		h->same_steps = 0u;
	}
	h->now_us = t;
	for (i = 0; i < h->n_iodevs; i++) {
		h->iodevs[i]->api->poll(h->iodevs[i], t);
	}
	exec_run_timers(&h->ex, t);
	host_collect(h);
	return true;
}

void host_run_until(struct host *h, uint64_t until_us)
{
	host_current = h;
	while (step(h, until_us)) {
	}
	if (until_us != AGENT_NEVER && h->now_us < until_us) {
		h->now_us = until_us;
		h->same_steps = 0u;
	}
}

void host_submit_idle(struct host *h)
{
	host_submit(h);
	host_run_idle(h);
}

void host_run_cqes(struct host *h, uint32_t n)
{
	host_current = h;
	while (h->n_cqes < n && step(h, AGENT_NEVER)) {
	}
}

void host_run_idle(struct host *h)
{
	host_current = h;
	while (step(h, AGENT_NEVER)) {
	}
}

/* ------------------------------------------------------------------ the rest */

void host_recycle(struct host *h)
{
	host_current = h;
	if (host_inflight(h) != 0u || h->first_unsubmitted != h->n_sqes) {
		host_violation("host_recycle with SQEs in flight or unsubmitted");
		return;
	}
	h->n_sqes = 0u;
	h->first_unsubmitted = 0u;
	h->n_cqes = 0u;
}

void host_release(struct host *h, const struct host_cqe *cqe)
{
	if (cqe != NULL && cqe->buf != NULL) {
		host_pool_return(h, (uint32_t)(cqe->buf - h->pool) / h->block_size, cqe->buf_len / h->block_size);
	}
}

uint32_t host_pool_free(const struct host *h)
{
	uint32_t n = 0u;
	uint32_t i;

	for (i = 0; i < h->block_count; i++) {
		n += h->used[i] ? 0u : 1u;
	}
	return n;
}

uint32_t host_inflight(const struct host *h)
{
	return (uint32_t)exec_slots_used(&h->ex);
}

const struct host_cqe *host_cqe_of(const struct host *h, const struct host_sqe *sqe, unsigned k)
{
	uint32_t i;

	for (i = 0; i < h->n_cqes; i++) {
		if (h->cqes[i].sqe == sqe && k-- == 0u) {
			return &h->cqes[i];
		}
	}
	return NULL;
}
