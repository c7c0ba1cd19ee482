/**
 * @file
 * @brief The agent's RTIO executor proper; see executor.h. Function for function the twin of
 *        harness/rtio/rtio.ts: units start (start), complete (exec_complete, finish,
 *        finish_multishot), fail their chain (cancel_chain), time out (timeout_fired), are
 *        cancelled (exec_cancel) and signalled (exec_signal); drivers reach it through iodev.h.
 *        The arena, the completion ring, the slots and the Submit intake are files of their own
 *        (executor_internal.h).
 */
#include "executor_internal.h"

/* Where finish() is in a unit that failed at one member. */
enum finish_phase {
	PHASE_SUCCEEDED,      /* the unit succeeded: every member completes with its own result */
	PHASE_BEFORE_FAILURE, /* members before the failing one: they succeeded */
	PHASE_AFTER_FAILURE,  /* members after it: -ECANCELED */
};

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

void exec_init(struct executor *ex, struct agent_iodev *const *iodevs, size_t iodev_count,
	       uint64_t (*now_us)(void *ctx), void *ctx)
{
	slots_init(ex);
	cq_init(&ex->cq);
	arena_init(&ex->arena);
	ex->submit.region_count = 0u;
	submit_reset(ex);
	ex->iodevs = iodevs;
	ex->iodev_count = iodev_count;
	ex->now_us = now_us;
	ex->ctx = ctx;
	ex->stats = (struct exec_stats){ 0 };
	ex->draining = false;
}

/* A transfer that moved fewer bytes than asked: it ends its chain like an error. */
static bool is_short(const struct exec_slot *s, int32_t r)
{
	switch (s->sqe.op) {
	case AGENT_OP_TX:
	case AGENT_OP_TINY_TX:
	case AGENT_OP_TXRX:
		return r < 0 || (uint32_t)r < s->sqe.buf_len;
	case AGENT_OP_RX:
		return (s->sqe.flags & AGENT_SQE_MEMPOOL_BUFFER) == 0u && (r < 0 || (uint32_t)r < s->sqe.buf_len);
	default:
		return false;
	}
}

/* The received bytes of @p s (an RX or TXRX), or NULL. */
static uint8_t *rx_data(const struct exec_slot *s)
{
	if (s->sqe.op == AGENT_OP_RX) {
		return s->sqe.buf;
	}
	if (s->sqe.op == AGENT_OP_TXRX) {
		return s->sqe.rx_buf;
	}
	return NULL;
}

/* Bytes of data a CQE with result @p r carries from a buffer of @p cap bytes. */
static uint32_t clamp_len(int32_t r, uint32_t cap)
{
	if (r <= 0) {
		return 0u;
	}
	return (uint32_t)r < cap ? (uint32_t)r : cap;
}

static void disarm(struct exec_slot *s)
{
	s->timeout_at = AGENT_NEVER;
	s->delay_at = AGENT_NEVER;
	s->sqe.timer_us = AGENT_NEVER;
	s->sqe.awaiting = false;
}

/*
 * Posts the CQE of @p s. NO_RESPONSE SQEs get one too: the flag is the host's business (its
 * remote target strips it before shipping), and the host needs every CQE to free its slot.
 */
static void post_for(struct executor *ex, const struct exec_slot *s, int32_t result, uint32_t flags, uint8_t *data,
		     uint32_t len)
{
	if (cq_post(ex, s->sqe.id, result, flags, data, len) && s->started_at != AGENT_NEVER) {
		struct exec_cqe *c = &ex->cq.entries[(ex->cq.head + ex->cq.len - 1u) % AGENT_CQE_RING];

		/* Device times (docs/wire.md): the wire carries the clock modulo 2^32. */
		c->timed = true;
		c->start_us = (uint32_t)s->started_at;
		c->end_us = (uint32_t)ex->now_us(ex->ctx);
	}
}

/* Completes @p first and every member linked after it with -ECANCELED: they never started. */
static void cancel_chain(struct executor *ex, struct exec_slot *first)
{
	struct exec_slot *cur = first;

	while (cur != NULL) {
		struct exec_slot *next = (cur->sqe.flags & EXEC_LINK_FLAGS) != 0u ? slot_next(cur) : NULL;

		post_for(ex, cur, -AGENT_ECANCELED, 0u, NULL, 0u);
		slot_end(ex, cur, EXEC_RELEASE);
		cur = next;
	}
}

/*
 * A multishot RX's shot ended with @p result: a CQE with AGENT_CQE_FLAG_MORE and the next shot
 * queued, or the terminal CQE when it failed, was cancelled or the ring has no spare entry.
 */
static void finish_multishot(struct executor *ex, struct exec_slot *s, int32_t result, enum exec_slot_fate fate)
{
	struct agent_sqe *q = &s->sqe;
	int32_t r = result;

	if (result >= 0 && !q->cancel_requested && cq_has_spare(&ex->cq)) {
		post_for(ex, s, result, AGENT_CQE_FLAG_MORE, q->buf, clamp_len(result, q->buf_len));
		arena_unref(&ex->arena, q->buf);
		q->buf = NULL;
		q->buf_len = 0u;
		q->last_result = result;
		ready_push(ex, s);
		return;
	}
	if (q->cancel_requested && result >= 0) {
		r = -AGENT_ECANCELED;
	}
	if (r >= 0) {
		post_for(ex, s, r, 0u, q->buf, clamp_len(r, q->buf_len));
	} else {
		post_for(ex, s, r, 0u, NULL, 0u);
	}
	slot_end(ex, s, fate);
}

void exec_finish(struct executor *ex, struct exec_slot *head, int32_t result, struct exec_slot *fail_at,
		 enum exec_slot_fate fate)
{
	bool ok = result >= 0;
	struct exec_slot *failing = ok ? NULL : (fail_at != NULL ? fail_at : head);
	struct exec_slot *cur = head;
	bool chain_ok = ok;
	enum finish_phase phase = ok ? PHASE_SUCCEEDED : PHASE_BEFORE_FAILURE;

	if ((head->sqe.flags & AGENT_SQE_MULTISHOT) != 0u) {
		finish_multishot(ex, head, result, fate);
		return;
	}
	for (;;) {
		struct agent_sqe *q = &cur->sqe;
		struct exec_slot *next = slot_next(cur);
		bool more = (q->flags & AGENT_SQE_TRANSACTION) != 0u && next != NULL;
		bool chained = (q->flags & AGENT_SQE_CHAINED) != 0u && next != NULL;
		uint8_t *data = NULL;
		uint32_t len = 0u;
		int32_t r;

		if (phase == PHASE_SUCCEEDED) {
			r = (cur == head || q->txn_result == EXEC_NO_RESULT) ? result : q->txn_result;
			if (is_short(cur, r)) {
				chain_ok = false;
			}
		} else if (phase == PHASE_BEFORE_FAILURE && cur != failing) {
			r = q->txn_result == EXEC_NO_RESULT ? 0 : q->txn_result;
		} else if (cur == failing) {
			r = result;
			phase = PHASE_AFTER_FAILURE;
		} else {
			r = -AGENT_ECANCELED;
		}
		if (r > 0 && phase != PHASE_AFTER_FAILURE && (ok || (q->flags & AGENT_SQE_MEMPOOL_BUFFER) == 0u)) {
			data = rx_data(cur);
			len = data == NULL ? 0u : clamp_len(r, q->buf_len);
		}
		post_for(ex, cur, r, 0u, data, len);
		slot_end(ex, cur, fate);
		if (more) {
			cur = next;
			continue;
		}
		if (chained) {
			if (chain_ok) {
				next->sqe.last_result = r;
				ready_push(ex, next);
			} else {
				cancel_chain(ex, next);
			}
		}
		return;
	}
}

/* Entry point of agent_sqe_ok / agent_sqe_err (rtio.ts complete): @p result < 0 is a failure. */
static void exec_complete(struct exec_slot *s, int32_t result)
{
	struct executor *ex = s->ex;
	struct exec_slot *head = slot_unit_head(s);

	if (s->sqe.state == EXEC_SLOT_ZOMBIE) {
		slot_reap_zombies(ex, s);
		return;
	}
	if (head->sqe.state != EXEC_SLOT_INFLIGHT) {
		if (head->sqe.state == EXEC_SLOT_ZOMBIE) {
			slot_reap_zombies(ex, head);
		} else {
			ex->stats.stray_completions++;
		}
		return;
	}
	disarm(head);
	exec_finish(ex, head, result, head != s && result < 0 ? s : NULL, EXEC_RELEASE);
	exec_drain(ex);
}

/* Starts the unit headed by @p s: at its iodev, or as an executor op (NOP, DELAY, AWAIT). */
static void start(struct executor *ex, struct exec_slot *s)
{
	struct agent_sqe *q = &s->sqe;
	struct exec_slot *m = s;
	bool canceled = (q->flags & AGENT_SQE_CANCELED) != 0u || q->cancel_requested;
	uint64_t now = ex->now_us(ex->ctx);

	q->state = EXEC_SLOT_INFLIGHT;
	s->started_at = canceled ? AGENT_NEVER : now;
	while ((m = slot_txn_next(m)) != NULL) {
		m->sqe.state = EXEC_SLOT_INFLIGHT;
		m->started_at = s->started_at;
		if ((m->sqe.flags & AGENT_SQE_CANCELED) != 0u) {
			canceled = true;
		}
	}
	if (canceled) {
		exec_finish(ex, s, -AGENT_ECANCELED, NULL, EXEC_RELEASE);
		return;
	}
	ex->stats.sqes_run++;
	if (q->timeout_us > 0u) {
		s->timeout_at = now + q->timeout_us;
		q->timer_us = s->timeout_at;
	}
	if (q->iodev != NULL) {
		q->iodev->api->submit(q->iodev, q);
		return;
	}
	switch (q->op) {
	case AGENT_OP_NOP:
		exec_complete(s, 0);
		return;
	case AGENT_OP_DELAY:
		s->delay_at = now + q->delay_us;
		q->timer_us = min_u64(s->delay_at, s->timeout_at);
		return;
	case AGENT_OP_AWAIT:
		if (q->signaled) {
			q->signaled = false;
			exec_complete(s, 0);
		} else {
			q->awaiting = true;
		}
		return;
	default:
		exec_complete(s, -AGENT_EINVAL);
		return;
	}
}

void exec_drain(struct executor *ex)
{
	struct exec_slot *s;

	if (ex->draining) {
		return;
	}
	ex->draining = true;
	for (s = ready_shift(ex); s != NULL; s = ready_shift(ex)) {
		start(ex, s);
	}
	ex->draining = false;
}

/* Asks @p s's driver to drop it; true when it did (or @p s is an executor op, which has none). */
static bool driver_dropped(struct exec_slot *s)
{
	struct agent_iodev *dev = s->sqe.iodev;

	return dev == NULL || (dev->api->cancel != NULL && dev->api->cancel(dev, &s->sqe));
}

static void timeout_fired(struct executor *ex, struct exec_slot *s)
{
	disarm(s);
	exec_finish(ex, s, -AGENT_ETIMEDOUT, NULL, driver_dropped(s) ? EXEC_RELEASE : EXEC_RETIRE);
	exec_drain(ex);
}

void exec_run_timers(struct executor *ex, uint64_t now_us)
{
	size_t i;

	for (i = 0u; i < AGENT_MAX_SQES; i++) {
		struct exec_slot *s = &ex->slots[i];

		if (s->sqe.state != EXEC_SLOT_INFLIGHT) {
			continue;
		}
		if (s->delay_at <= now_us && s->delay_at <= s->timeout_at) {
			s->delay_at = AGENT_NEVER;
			exec_complete(s, 0);
		} else if (s->timeout_at <= now_us) {
			s->timeout_at = AGENT_NEVER;
			timeout_fired(ex, s);
		}
	}
}

uint64_t exec_next_due_us(const struct executor *ex)
{
	uint64_t due = AGENT_NEVER;
	size_t i;

	for (i = 0u; i < AGENT_MAX_SQES; i++) {
		const struct exec_slot *s = &ex->slots[i];

		if (s->sqe.state == EXEC_SLOT_INFLIGHT) {
			due = min_u64(due, min_u64(s->delay_at, s->timeout_at));
		}
	}
	return due;
}

static bool is_live(const struct exec_slot *s)
{
	return s->sqe.state == EXEC_SLOT_PENDING || s->sqe.state == EXEC_SLOT_INFLIGHT;
}

/* A waiting or running SQE with wire id @p id (timed-out ones no longer count), or NULL. */
static struct exec_slot *find_live(struct executor *ex, uint32_t id)
{
	size_t i;

	for (i = 0u; i < AGENT_MAX_SQES; i++) {
		struct exec_slot *s = &ex->slots[i];

		if (is_live(s) && s->sqe.id == id) {
			return s;
		}
	}
	return NULL;
}

int32_t exec_cancel(struct executor *ex, uint32_t id)
{
	struct exec_slot *s = find_live(ex, id);
	struct exec_slot *head;

	if (s == NULL) {
		return -AGENT_ENOENT;
	}
	if (s->sqe.state == EXEC_SLOT_PENDING) {
		s->sqe.flags = (uint16_t)(s->sqe.flags | AGENT_SQE_CANCELED);
		return 0;
	}
	head = slot_unit_head(s);
	if ((head->sqe.flags & AGENT_SQE_MULTISHOT) != 0u) {
		head->sqe.cancel_requested = true;
	}
	if (head->sqe.iodev == NULL) {
		exec_complete(head, -AGENT_ECANCELED);
		return 0;
	}
	if (driver_dropped(head)) {
		disarm(head);
		exec_finish(ex, head, -AGENT_ECANCELED, NULL, EXEC_RELEASE);
		exec_drain(ex);
		return 0;
	}
	return -AGENT_EALREADY;
}

int32_t exec_signal(struct executor *ex, uint32_t id)
{
	size_t i;

	for (i = 0u; i < AGENT_MAX_SQES; i++) {
		struct exec_slot *s = &ex->slots[i];
		struct agent_sqe *q = &s->sqe;

		if (!is_live(s) || q->id != id || q->op != AGENT_OP_AWAIT) {
			continue;
		}
		if (q->state == EXEC_SLOT_INFLIGHT && q->iodev == NULL && q->awaiting) {
			q->awaiting = false;
			exec_complete(s, 0);
		} else {
			q->signaled = true;
		}
		return 0;
	}
	return -AGENT_ENOENT;
}

void exec_reset(struct executor *ex)
{
	size_t i;

	/* Units at a driver: ask it to drop them; what it keeps stays reserved, silently. */
	for (i = 0u; i < AGENT_MAX_SQES; i++) {
		struct exec_slot *s = &ex->slots[i];
		enum exec_slot_fate fate;
		struct exec_slot *m;

		if (s->sqe.state != EXEC_SLOT_INFLIGHT || s->sqe.iodev == NULL || slot_unit_head(s) != s) {
			continue;
		}
		fate = driver_dropped(s) ? EXEC_RELEASE : EXEC_RETIRE;
		for (m = s; m != NULL;) {
			struct exec_slot *next = slot_txn_next(m);

			slot_end(ex, m, fate);
			m = next;
		}
	}
	for (i = 0u; i < AGENT_MAX_SQES; i++) {
		if (is_live(&ex->slots[i])) {
			slot_end(ex, &ex->slots[i], EXEC_RELEASE);
		}
	}
	exec_cqe_pop(ex, ex->cq.len);
	submit_reset(ex);
	ready_clear(ex);
}

/* ------------------------------------------------------------------ iodev.h */

void agent_sqe_ok(struct agent_sqe *sqe, int32_t result)
{
	exec_complete(slot_of(sqe), result);
}

void agent_sqe_err(struct agent_sqe *sqe, int32_t result)
{
	exec_complete(slot_of(sqe), result < 0 ? result : -AGENT_EIO);
}

struct agent_sqe *agent_txn_next(const struct agent_sqe *sqe)
{
	return (sqe->flags & AGENT_SQE_TRANSACTION) != 0u ? sqe->next : NULL;
}

void agent_txn_set_result(struct agent_sqe *member, int32_t result)
{
	member->txn_result = result;
}

int agent_sqe_rx_buf(struct agent_sqe *sqe, uint32_t min_len, uint32_t max_len, uint8_t **buf, uint32_t *len)
{
	struct executor *ex = slot_of(sqe)->ex;
	uint32_t want;

	if ((sqe->flags & AGENT_SQE_MEMPOOL_BUFFER) == 0u || sqe->buf != NULL) {
		if (sqe->buf == NULL || sqe->buf_len < min_len) {
			return -AGENT_ENOMEM;
		}
		*buf = sqe->buf;
		*len = sqe->buf_len;
		return 0;
	}
	if (min_len == 0u) {
		min_len = 1u;
	}
	want = max_len < AGENT_MAX_BUFFER_BYTES ? max_len : AGENT_MAX_BUFFER_BYTES;
	if (want < min_len) {
		return -AGENT_ENOMEM;
	}
	/* Like rtio_block_pool_alloc: max_len, then a block less at a time down to min_len. */
	for (;;) {
		uint8_t *p = arena_alloc(&ex->arena, want);

		if (p != NULL) {
			sqe->buf = p;
			sqe->buf_len = want;
			*buf = p;
			*len = want;
			return 0;
		}
		if (want == min_len) {
			return -AGENT_ENOMEM;
		}
		want = want - min_len > AGENT_ARENA_BLOCK ? want - AGENT_ARENA_BLOCK : min_len;
	}
}

bool agent_sqe_signaled(const struct agent_sqe *sqe)
{
	return sqe->signaled;
}
