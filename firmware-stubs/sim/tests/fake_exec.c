/* The driver tests' fake executor; see fake_exec.h. */
#include "fake_exec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { ST_FREE, ST_PREPARED, ST_PENDING, ST_AT_IODEV, ST_EXEC, ST_DONE, ST_ZOMBIE };

#define NO_RESULT INT32_MIN
#define SAME_TIME_STEPS_MAX 10000u

struct fx *fx_current;

static void violation(const char *fmt, ...)
{
	va_list ap;

	fx_current->violations++;
	if (fx_current->quiet) {
		return;
	}
	printf("VIOLATION at %llu us: ", (unsigned long long)fx_current->now_us);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void fx_init(struct fx *fx, uint32_t block_size, uint32_t block_count)
{
	memset(fx, 0, sizeof(*fx));
	fx->block_size = block_size;
	fx->block_count = block_count;
	if (block_size * block_count > FX_POOL_MAX || block_count > FX_BLOCKS_MAX) {
		printf("fx_init: pool too large\n");
		fx->block_count = 0u;
	}
	fx_current = fx;
}

void fx_add_iodev(struct fx *fx, struct agent_iodev *dev)
{
	fx->iodevs[fx->n_iodevs++] = dev;
}

struct agent_sqe *fx_sqe(struct fx *fx)
{
	struct agent_sqe *s;

	if (fx->n_sqes >= FX_SQES) {
		violation("test ran out of SQEs");
		return &fx->sqes[FX_SQES - 1u];
	}
	s = &fx->sqes[fx->n_sqes++];
	memset(s, 0, sizeof(*s));
	s->id = (uint32_t)(s - fx->sqes) + 1u;
	s->state = ST_PREPARED;
	s->timer_us = AGENT_NEVER;
	s->txn_result = NO_RESULT;
	return s;
}

static struct agent_sqe *prep(struct fx *fx, struct agent_iodev *dev, uint8_t op, uint8_t *buf, uint32_t len)
{
	struct agent_sqe *s = fx_sqe(fx);

	s->op = op;
	s->iodev = dev;
	s->buf = buf;
	s->buf_len = len;
	return s;
}

struct agent_sqe *fx_read(struct fx *fx, struct agent_iodev *dev, uint8_t *buf, uint32_t len)
{
	return prep(fx, dev, AGENT_OP_RX, buf, len);
}

struct agent_sqe *fx_read_pool(struct fx *fx, struct agent_iodev *dev)
{
	struct agent_sqe *s = prep(fx, dev, AGENT_OP_RX, NULL, 0u);

	s->flags = AGENT_SQE_MEMPOOL_BUFFER;
	return s;
}

struct agent_sqe *fx_write(struct fx *fx, struct agent_iodev *dev, const uint8_t *buf, uint32_t len)
{
	return prep(fx, dev, AGENT_OP_TX, (uint8_t *)(uintptr_t)buf, len);
}

struct agent_sqe *fx_tiny_write(struct fx *fx, struct agent_iodev *dev, const uint8_t *buf, uint32_t len)
{
	return prep(fx, dev, AGENT_OP_TINY_TX, (uint8_t *)(uintptr_t)buf, len);
}

struct agent_sqe *fx_txrx(struct fx *fx, struct agent_iodev *dev, const uint8_t *tx, uint8_t *rx, uint32_t len)
{
	struct agent_sqe *s = prep(fx, dev, AGENT_OP_TXRX, (uint8_t *)(uintptr_t)tx, len);

	s->rx_buf = rx;
	return s;
}

struct agent_sqe *fx_op(struct fx *fx, struct agent_iodev *dev, uint8_t op)
{
	return prep(fx, dev, op, NULL, 0u);
}

struct agent_sqe *fx_delay(struct fx *fx, uint32_t delay_us)
{
	struct agent_sqe *s = prep(fx, NULL, AGENT_OP_DELAY, NULL, 0u);

	s->delay_us = delay_us;
	return s;
}

/* ---- mempool ---- */

static void release_blocks(uint8_t *buf, uint32_t len)
{
	struct fx *fx = fx_current;
	uint32_t first = (uint32_t)(buf - fx->pool) / fx->block_size;
	uint32_t n = len / fx->block_size;
	uint32_t i;

	for (i = first; i < first + n; i++) {
		if (!fx->used[i]) {
			violation("mempool block %u released twice", i);
		}
		fx->used[i] = false;
	}
}

void fx_release(struct fx *fx, const struct fx_cqe *cqe)
{
	(void)fx;
	if (cqe != NULL && cqe->buf != NULL) {
		release_blocks(cqe->buf, cqe->buf_len);
	}
}

uint32_t fx_pool_free(const struct fx *fx)
{
	uint32_t n = 0u;
	uint32_t i;

	for (i = 0; i < fx->block_count; i++) {
		n += fx->used[i] ? 0u : 1u;
	}
	return n;
}

/* Zephyr's rtio_block_pool_alloc: max_len, then one block less at a time down to min_len. */
static int pool_alloc(uint32_t min_len, uint32_t max_len, uint8_t **buf, uint32_t *len)
{
	struct fx *fx = fx_current;
	uint32_t bs = fx->block_size;
	uint32_t lo = (min_len + bs - 1u) / bs;
	uint32_t nb;

	if (lo == 0u) {
		lo = 1u;
	}
	for (nb = (max_len + bs - 1u) / bs; nb >= lo && nb > 0u; nb--) {
		uint32_t i;

		for (i = 0; i + nb <= fx->block_count; i++) {
			uint32_t k;
			bool free_run = true;

			for (k = 0; k < nb; k++) {
				free_run = free_run && !fx->used[i + k];
			}
			if (free_run) {
				for (k = 0; k < nb; k++) {
					fx->used[i + k] = true;
				}
				*buf = fx->pool + i * bs;
				*len = nb * bs;
				return 0;
			}
		}
	}
	return -AGENT_ENOMEM;
}

/* ---- completion ---- */

static struct agent_sqe *unit_next(const struct agent_sqe *m)
{
	return (m->flags & AGENT_SQE_TRANSACTION) != 0u ? m->next : NULL;
}

static struct agent_sqe *unit_last(struct agent_sqe *head)
{
	struct agent_sqe *m = head;

	while (unit_next(m) != NULL) {
		m = unit_next(m);
	}
	return m;
}

static bool is_short(const struct agent_sqe *m, int32_t res)
{
	bool transfer = m->op == AGENT_OP_TX || m->op == AGENT_OP_TINY_TX || m->op == AGENT_OP_TXRX ||
			(m->op == AGENT_OP_RX && (m->flags & AGENT_SQE_MEMPOOL_BUFFER) == 0u);

	return transfer && res >= 0 && (uint32_t)res < m->buf_len;
}

static void post(struct agent_sqe *m, int32_t res, uint32_t flags)
{
	struct fx *fx = fx_current;
	struct fx_cqe *c;

	if (fx->n_cqes >= FX_CQES) {
		violation("CQ full");
		return;
	}
	c = &fx->cqes[fx->n_cqes++];
	c->sqe = m;
	c->result = res;
	c->flags = flags;
	c->at_us = fx->now_us;
	c->buf = NULL;
	c->buf_len = 0u;
	if ((m->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u && m->op == AGENT_OP_RX) {
		if (m->buf != NULL) {
			if (res >= 0) {
				c->flags |= FX_CQE_MEMPOOL;
				c->buf = m->buf;
				c->buf_len = m->buf_len;
			} else {
				release_blocks(m->buf, m->buf_len);
			}
		}
		m->buf = NULL;
		m->buf_len = 0u;
	}
}

static void start_unit(struct agent_sqe *head);

/* Completes s and every SQE linked after it with -ECANCELED, without starting them. */
static void cancel_from(struct agent_sqe *s)
{
	while (s != NULL) {
		struct agent_sqe *next = (s->flags & (AGENT_SQE_CHAINED | AGENT_SQE_TRANSACTION)) != 0u ? s->next : NULL;

		post(s, -AGENT_ECANCELED, 0u);
		s->state = ST_DONE;
		s = next;
	}
}

static void continue_chain(struct agent_sqe *last, bool ok)
{
	if ((last->flags & AGENT_SQE_CHAINED) == 0u || last->next == NULL) {
		return;
	}
	if (ok) {
		start_unit(last->next);
	} else {
		cancel_from(last->next);
	}
}

static void submit_to_iodev(struct agent_sqe *head)
{
	struct fx *fx = fx_current;
	bool was = fx->in_submit;
	struct agent_sqe *m;

	for (m = head; m != NULL; m = unit_next(m)) {
		m->state = ST_AT_IODEV;
		m->txn_result = NO_RESULT;
		if ((m->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u) {
			m->buf = NULL;
			m->buf_len = 0u;
		}
	}
	head->timer_us = head->timeout_us != 0u ? fx->now_us + head->timeout_us : AGENT_NEVER;
	fx->in_submit = true;
	head->iodev->api->submit(head->iodev, head);
	fx->in_submit = was;
}

static void start_unit(struct agent_sqe *head)
{
	struct fx *fx = fx_current;

	if (head->cancel_requested) {
		cancel_from(head);
		return;
	}
	if (head->iodev == NULL) {
		if (head->op == AGENT_OP_DELAY) {
			head->state = ST_EXEC;
			head->timer_us = fx->now_us + head->delay_us;
			return;
		}
		post(head, head->op == AGENT_OP_NOP ? 0 : -AGENT_EINVAL, 0u);
		head->state = ST_DONE;
		continue_chain(head, head->op == AGENT_OP_NOP);
		return;
	}
	submit_to_iodev(head);
}

static void finish_unit(struct agent_sqe *head, struct agent_sqe *failed, int32_t r)
{
	bool unit_ok = failed == NULL;
	bool multishot = (head->flags & AGENT_SQE_MULTISHOT) != 0u;
	bool final_cancel = multishot && head->cancel_requested;
	bool after_fail = false;
	bool short_seen = false;
	struct agent_sqe *m;

	if (multishot) {
		int32_t res = unit_ok ? (final_cancel ? -AGENT_ECANCELED : r) : r;

		if (unit_ok && !final_cancel) {
			post(head, res, FX_CQE_MORE);
			submit_to_iodev(head);
			return;
		}
		post(head, res, 0u);
		head->state = ST_DONE;
		return;
	}
	for (m = head; m != NULL; m = unit_next(m)) {
		int32_t res;

		if (unit_ok) {
			res = m == head ? r : (m->txn_result != NO_RESULT ? m->txn_result : r);
		} else if (m == failed) {
			res = r;
			after_fail = true;
		} else if (after_fail) {
			res = -AGENT_ECANCELED;
		} else {
			res = m->txn_result != NO_RESULT ? m->txn_result : 0;
		}
		short_seen = short_seen || is_short(m, res);
		post(m, res, 0u);
		m->state = ST_DONE;
	}
	continue_chain(unit_last(head), unit_ok && !short_seen);
}

static void complete(struct agent_sqe *s, int32_t r, bool ok)
{
	struct fx *fx = fx_current;
	struct agent_sqe *head;
	struct agent_sqe *m;

	if (s < fx->sqes || s >= fx->sqes + FX_SQES) {
		violation("completion of an SQE the executor does not own");
		return;
	}
	if (fx->in_submit) {
		violation("sqe %u completed from inside submit()", s->id);
	}
	head = s->txn_head != NULL ? s->txn_head : s;
	if (head->state == ST_ZOMBIE) {
		for (m = head; m != NULL; m = unit_next(m)) {
			m->state = ST_DONE;
			if ((m->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u && m->buf != NULL) {
				release_blocks(m->buf, m->buf_len);
				m->buf = NULL;
			}
		}
		return;
	}
	if (head->state != ST_AT_IODEV || s->state != ST_AT_IODEV) {
		violation("stray completion of sqe %u (state %u): completed twice, never submitted or dropped", s->id, s->state);
		return;
	}
	if (ok && s != head) {
		violation("agent_sqe_ok on transaction member sqe %u", s->id);
	}
	finish_unit(head, ok ? NULL : s, r);
}

void agent_sqe_ok(struct agent_sqe *sqe, int32_t result)
{
	if (result < 0) {
		complete(sqe, result, false);
	} else {
		complete(sqe, result, true);
	}
}

void agent_sqe_err(struct agent_sqe *sqe, int32_t result)
{
	complete(sqe, result < 0 ? result : -AGENT_EIO, false);
}

struct agent_sqe *agent_txn_next(const struct agent_sqe *sqe)
{
	return unit_next(sqe);
}

void agent_txn_set_result(struct agent_sqe *member, int32_t result)
{
	if (member->state != ST_AT_IODEV) {
		violation("txn_set_result on sqe %u that is not running", member->id);
	}
	member->txn_result = result;
}

int agent_sqe_rx_buf(struct agent_sqe *sqe, uint32_t min_len, uint32_t max_len, uint8_t **buf, uint32_t *len)
{
	int rc;

	if (sqe->state != ST_AT_IODEV || sqe->op != AGENT_OP_RX) {
		violation("rx_buf for sqe %u that is not a running RX", sqe->id);
		return -AGENT_ENOMEM;
	}
	if (fx_current->in_submit) {
		violation("rx_buf for sqe %u from inside submit()", sqe->id);
	}
	if ((sqe->flags & AGENT_SQE_MEMPOOL_BUFFER) == 0u || sqe->buf != NULL) {
		if (sqe->buf_len < min_len) {
			return -AGENT_ENOMEM;
		}
		*buf = sqe->buf;
		*len = sqe->buf_len;
		return 0;
	}
	rc = pool_alloc(min_len, max_len, buf, len);
	if (rc == 0) {
		sqe->buf = *buf;
		sqe->buf_len = *len;
	}
	return rc;
}

bool agent_sqe_signaled(const struct agent_sqe *sqe)
{
	return sqe->signaled != 0u;
}

struct agent_fault agent_fault_take(struct agent_faults *faults)
{
	struct agent_fault none = { AGENT_FAULT_NONE, 0u, 0u, 0u, 0u };
	struct agent_fault f;

	if (fx_current->in_submit) {
		violation("fault taken from inside submit()");
	}
	if (faults->len == 0u) {
		return none;
	}
	f = faults->queue[0];
	if (faults->queue[0].count != 0u && --faults->queue[0].count == 0u) {
		uint8_t i;

		for (i = 1; i < faults->len; i++) {
			faults->queue[i - 1u] = faults->queue[i];
		}
		faults->len--;
	}
	return f;
}

void fx_inject(struct agent_iodev *dev, enum agent_fault_kind kind, uint32_t at_byte, uint32_t bytes, uint32_t delay_us,
	       uint32_t count)
{
	struct agent_fault *f;

	if (dev->faults.len >= AGENT_FAULTS_MAX) {
		violation("too many faults");
		return;
	}
	f = &dev->faults.queue[dev->faults.len++];
	f->kind = kind;
	f->at_byte = at_byte;
	f->bytes = bytes;
	f->delay_us = delay_us;
	f->count = count;
}

/* ---- submit, cancel, signal ---- */

void fx_submit(struct fx *fx)
{
	uint32_t from = fx->first_unsubmitted;
	uint32_t n = fx->n_sqes;
	uint32_t i;

	fx_current = fx;
	for (i = from; i < n; i++) {
		struct agent_sqe *s = &fx->sqes[i];
		bool linked = (s->flags & (AGENT_SQE_CHAINED | AGENT_SQE_TRANSACTION)) != 0u;

		if (linked && i + 1u >= n) {
			violation("test bug: sqe %u links past the last queued SQE", s->id);
		}
		s->next = linked && i + 1u < n ? &fx->sqes[i + 1u] : NULL;
		s->txn_head = i > from && (fx->sqes[i - 1u].flags & AGENT_SQE_TRANSACTION) != 0u ? fx->sqes[i - 1u].txn_head : s;
		s->state = ST_PENDING;
	}
	fx->first_unsubmitted = n;
	for (i = from; i < n; i++) {
		bool head = i == from || (fx->sqes[i - 1u].flags & (AGENT_SQE_CHAINED | AGENT_SQE_TRANSACTION)) == 0u;

		if (head) {
			start_unit(&fx->sqes[i]);
		}
	}
}

int fx_cancel(struct fx *fx, struct agent_sqe *sqe)
{
	struct agent_sqe *head = sqe->txn_head != NULL ? sqe->txn_head : sqe;

	fx_current = fx;
	switch (head->state) {
	case ST_PENDING:
		head->cancel_requested = 1u;
		return 0;
	case ST_EXEC:
		post(head, -AGENT_ECANCELED, 0u);
		head->state = ST_DONE;
		continue_chain(head, false);
		return 0;
	case ST_AT_IODEV:
		if (head->iodev->api->cancel != NULL && head->iodev->api->cancel(head->iodev, head)) {
			struct agent_sqe *m;

			for (m = head; m != NULL; m = unit_next(m)) {
				post(m, -AGENT_ECANCELED, 0u);
				m->state = ST_DONE;
			}
			continue_chain(unit_last(head), false);
			return 0;
		}
		head->cancel_requested = 1u;
		return -AGENT_EALREADY;
	default:
		return -AGENT_ENOENT;
	}
}

void fx_signal(struct agent_sqe *sqe)
{
	sqe->signaled = 1u;
}

/* ---- time ---- */

static uint64_t next_event(const struct fx *fx)
{
	uint64_t t = AGENT_NEVER;
	size_t i;

	for (i = 0; i < fx->n_iodevs; i++) {
		const struct agent_iodev *d = fx->iodevs[i];
		uint64_t due = d->api->next_due_us != NULL ? d->api->next_due_us(d) : AGENT_NEVER;

		t = due < t ? due : t;
	}
	for (i = 0; i < fx->n_sqes; i++) {
		const struct agent_sqe *s = &fx->sqes[i];

		if ((s->state == ST_EXEC || (s->state == ST_AT_IODEV && s->txn_head == s)) && s->timer_us < t) {
			t = s->timer_us;
		}
	}
	return t;
}

static void fire_timers(struct fx *fx)
{
	uint32_t i;

	for (i = 0; i < fx->n_sqes; i++) {
		struct agent_sqe *s = &fx->sqes[i];

		if (s->timer_us > fx->now_us) {
			continue;
		}
		if (s->state == ST_EXEC) {
			s->state = ST_DONE;
			post(s, 0, 0u);
			continue_chain(s, true);
		} else if (s->state == ST_AT_IODEV && s->txn_head == s) {
			struct agent_sqe *m;
			bool dropped;

			post(s, -AGENT_ETIMEDOUT, 0u);
			for (m = unit_next(s); m != NULL; m = unit_next(m)) {
				post(m, -AGENT_ECANCELED, 0u);
			}
			dropped = s->iodev->api->cancel != NULL && s->iodev->api->cancel(s->iodev, s);
			for (m = s; m != NULL; m = unit_next(m)) {
				m->state = dropped ? ST_DONE : ST_ZOMBIE;
			}
			continue_chain(unit_last(s), false);
		}
	}
}

/* One event time: returns false when nothing is due by until_us. */
static bool step(struct fx *fx, uint64_t until_us)
{
	uint64_t t = next_event(fx);
	size_t i;

	if (t == AGENT_NEVER) {
		return false;
	}
	if (t < fx->now_us) {
		t = fx->now_us;
	}
	if (t > until_us) {
		return false;
	}
	if (t == fx->last_step_us && fx->steps > 0u) {
		if (++fx->same_steps > SAME_TIME_STEPS_MAX) {
			violation("no progress: iodevs stay due at %llu us", (unsigned long long)t);
			fx->same_steps = 0u;
			return false;
		}
	} else {
		fx->same_steps = 0u;
		fx->last_step_us = t;
	}
	fx->now_us = t;
	fx->steps++;
	fire_timers(fx);
	for (i = 0; i < fx->n_iodevs; i++) {
		struct agent_iodev *d = fx->iodevs[i];

		if (d->api->poll != NULL) {
			d->api->poll(d, fx->now_us);
		}
	}
	return true;
}

void fx_run_until(struct fx *fx, uint64_t until_us)
{
	fx_current = fx;
	while (step(fx, until_us)) {
	}
	if (until_us != AGENT_NEVER && fx->now_us < until_us) {
		fx->now_us = until_us;
	}
}

void fx_run_cqes(struct fx *fx, uint32_t n)
{
	fx_current = fx;
	while (fx->n_cqes < n && step(fx, AGENT_NEVER)) {
	}
}

void fx_run_idle(struct fx *fx)
{
	fx_current = fx;
	while (step(fx, AGENT_NEVER)) {
	}
}

void fx_recycle(struct fx *fx)
{
	fx_current = fx;
	if (fx_inflight(fx) != 0u || fx->first_unsubmitted != fx->n_sqes) {
		violation("fx_recycle with SQEs in flight or unsubmitted");
		return;
	}
	fx->n_sqes = 0u;
	fx->first_unsubmitted = 0u;
	fx->n_cqes = 0u;
}

uint32_t fx_inflight(const struct fx *fx)
{
	uint32_t n = 0u;
	uint32_t i;

	for (i = 0; i < fx->n_sqes; i++) {
		uint8_t st = fx->sqes[i].state;

		n += (st == ST_PENDING || st == ST_AT_IODEV || st == ST_EXEC || st == ST_ZOMBIE) ? 1u : 0u;
	}
	return n;
}

const struct fx_cqe *fx_cqe_of(const struct fx *fx, const struct agent_sqe *sqe, unsigned k)
{
	uint32_t i;

	for (i = 0; i < fx->n_cqes; i++) {
		if (fx->cqes[i].sqe == sqe && k-- == 0u) {
			return &fx->cqes[i];
		}
	}
	return NULL;
}
