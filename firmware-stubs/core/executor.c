/**
 * @file
 * @brief The agent's RTIO executor; see executor.h. Function for function the twin of
 *        harness/rtio/rtio.ts (start, finish, finishMultishot, cancelChain, timeoutFired,
 *        reapZombie, sqeCancel), plus the Submit decoding that the host does in `submit`.
 */
#include "executor.h"

/** @name Slot states, as SLOT_* in harness/rtio/iodev.ts @{ */
#define SLOT_FREE 0u
#define SLOT_PENDING 2u  /* submitted, waiting for its chain predecessor */
#define SLOT_INFLIGHT 3u /* started: at its iodev or in an executor op */
#define SLOT_ZOMBIE 4u   /* completed by a timeout (or a new session) while its driver holds it */
/** @} */

/** @brief txn_result when no per-member result was recorded (NO_RESULT on the host). */
#define NO_RESULT INT32_MAX

#define ARENA_HDR 4u
#define ARENA_MAGIC 0xa5u

#define ALL_SQE_FLAGS                                                                        \
	(AGENT_SQE_CHAINED | AGENT_SQE_TRANSACTION | AGENT_SQE_MEMPOOL_BUFFER |              \
	 AGENT_SQE_CANCELED | AGENT_SQE_MULTISHOT | AGENT_SQE_NO_RESPONSE)
#define LINK_FLAGS (AGENT_SQE_CHAINED | AGENT_SQE_TRANSACTION)

static void drain(struct executor *ex);
static void drop_regions(struct executor *ex);
static void finish(struct executor *ex, struct exec_slot *head, int32_t result, bool ok,
		   struct exec_slot *fail_at, bool zombie);

static struct exec_slot *slot_of(struct agent_sqe *sqe)
{
	/* sqe is the first member of struct exec_slot. */
	return (struct exec_slot *)(void *)sqe;
}

static struct exec_slot *next_of(const struct exec_slot *s)
{
	return s->sqe.next == NULL ? NULL : slot_of(s->sqe.next);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* ------------------------------------------------------------------ arena */

static uint8_t *arena_base(const struct executor *ex)
{
	return (uint8_t *)(uintptr_t)ex->arena;
}

static bool block_used(const struct executor *ex, uint32_t i)
{
	return ((ex->arena_map[i / 32u] >> (i % 32u)) & 1u) != 0u;
}

static bool block_starts(const struct executor *ex, uint32_t i)
{
	return ((ex->arena_starts[i / 32u] >> (i % 32u)) & 1u) != 0u;
}

static void mark_start(struct executor *ex, uint32_t i, bool start)
{
	if (start) {
		ex->arena_starts[i / 32u] |= 1u << (i % 32u);
	} else {
		ex->arena_starts[i / 32u] &= ~(1u << (i % 32u));
	}
}

static void mark_blocks(struct executor *ex, uint32_t first, uint32_t n, bool used)
{
	uint32_t i;

	for (i = first; i < first + n; i++) {
		if (used) {
			ex->arena_map[i / 32u] |= 1u << (i % 32u);
		} else {
			ex->arena_map[i / 32u] &= ~(1u << (i % 32u));
		}
	}
}

uint8_t *exec_arena_alloc(struct executor *ex, uint32_t len)
{
	uint32_t need;
	uint32_t run = 0u;
	uint32_t i;

	if (len == 0u || len > AGENT_MAX_BUFFER_BYTES) {
		return NULL;
	}
	need = (len + ARENA_HDR + AGENT_ARENA_BLOCK - 1u) / AGENT_ARENA_BLOCK;
	for (i = 0u; i < AGENT_ARENA_BLOCKS; i++) {
		if (block_used(ex, i)) {
			run = 0u;
			continue;
		}
		if (++run == need) {
			uint32_t first = i + 1u - need;
			uint8_t *hdr = arena_base(ex) + first * AGENT_ARENA_BLOCK;

			mark_blocks(ex, first, need, true);
			mark_start(ex, first, true);
			hdr[0] = (uint8_t)need;
			hdr[1] = (uint8_t)(need >> 8);
			hdr[2] = 1u; /* references */
			hdr[3] = ARENA_MAGIC;
			return hdr + ARENA_HDR;
		}
	}
	return NULL;
}

/*
 * The header of the arena buffer @p buf points into (anywhere in its bytes: SQEs share a
 * region through pointers into it), or NULL when @p buf points into none.
 */
static uint8_t *arena_hdr(const struct executor *ex, const uint8_t *buf)
{
	const uint8_t *base = arena_base(ex);
	uint32_t block;
	uint32_t first;
	uint8_t *hdr;

	if (buf == NULL || buf < base + ARENA_HDR || buf >= base + AGENT_ARENA_BYTES) {
		return NULL;
	}
	block = (uint32_t)((uintptr_t)(buf - base) / AGENT_ARENA_BLOCK);
	if (!block_used(ex, block)) {
		return NULL;
	}
	for (first = block; !block_starts(ex, first); first--) {
		if (first == 0u) {
			return NULL;
		}
	}
	hdr = arena_base(ex) + first * AGENT_ARENA_BLOCK;
	if (hdr[3] != ARENA_MAGIC || buf < hdr + ARENA_HDR ||
	    block >= first + ((uint32_t)hdr[0] | (uint32_t)hdr[1] << 8)) {
		return NULL;
	}
	return hdr;
}

static void arena_ref(struct executor *ex, uint8_t *buf)
{
	uint8_t *hdr = arena_hdr(ex, buf);

	if (hdr != NULL && hdr[2] < UINT8_MAX) {
		hdr[2]++;
	}
}

void exec_arena_unref(struct executor *ex, uint8_t *buf)
{
	uint8_t *hdr = arena_hdr(ex, buf);
	uint32_t first;
	uint32_t n;

	if (hdr == NULL || hdr[2] == 0u) {
		return;
	}
	if (--hdr[2] != 0u) {
		return;
	}
	first = (uint32_t)((uintptr_t)(hdr - arena_base(ex)) / AGENT_ARENA_BLOCK);
	n = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8;
	hdr[3] = 0u;
	mark_blocks(ex, first, n, false);
	mark_start(ex, first, false);
}

size_t exec_arena_used(const struct executor *ex)
{
	size_t used = 0u;
	uint32_t i;

	for (i = 0u; i < AGENT_ARENA_BLOCKS; i++) {
		if (block_used(ex, i)) {
			used += AGENT_ARENA_BLOCK;
		}
	}
	return used;
}

/* ------------------------------------------------------------------ completion ring */

/* Queues a CQE; takes its own reference to @p data. False when the ring is full. */
static bool post_cqe(struct executor *ex, uint32_t id, int32_t result, uint32_t flags,
		     uint8_t *data, uint32_t len)
{
	struct exec_cqe *c;

	if (ex->cq_len >= AGENT_CQE_RING) {
		ex->stats.cqes_dropped++;
		return false;
	}
	c = &ex->cqes[(ex->cq_head + ex->cq_len) % AGENT_CQE_RING];
	ex->cq_len++;
	c->id = id;
	c->result = result;
	c->flags = flags;
	c->data = NULL;
	c->len = 0u;
	if (data != NULL && len > 0u) {
		arena_ref(ex, data);
		c->data = data;
		c->len = len;
	}
	return true;
}

/*
 * Posts the CQE of @p s. NO_RESPONSE SQEs get one too: the flag is the host's business (its
 * remote target strips it before shipping), and the host needs every CQE to free its slot.
 */
static void post_for(struct executor *ex, const struct exec_slot *s, int32_t result,
		     uint32_t flags, uint8_t *data, uint32_t len)
{
	(void)post_cqe(ex, s->sqe.id, result, flags, data, len);
}

/* Ring entries neither used nor reserved for the terminal CQE of a live SQE. */
static bool ring_has_spare(const struct executor *ex)
{
	return (uint32_t)ex->cq_len + ex->reserved < AGENT_CQE_RING;
}

size_t exec_cqe_count(const struct executor *ex)
{
	return ex->cq_len;
}

const struct exec_cqe *exec_cqe_peek(const struct executor *ex, size_t i)
{
	return &ex->cqes[(ex->cq_head + i) % AGENT_CQE_RING];
}

void exec_cqe_pop(struct executor *ex, size_t n)
{
	while (n > 0u && ex->cq_len > 0u) {
		struct exec_cqe *c = &ex->cqes[ex->cq_head];

		exec_arena_unref(ex, c->data);
		c->data = NULL;
		ex->cq_head = (uint16_t)((ex->cq_head + 1u) % AGENT_CQE_RING);
		ex->cq_len--;
		n--;
	}
}

/* ------------------------------------------------------------------ slots */

static void slot_clear(struct exec_slot *s)
{
	struct agent_sqe *q = &s->sqe;

	q->id = 0u;
	q->op = 0u;
	q->prio = 0u;
	q->flags = 0u;
	q->iodev_flags = 0u;
	q->iodev = NULL;
	q->buf = NULL;
	q->buf_len = 0u;
	q->rx_buf = NULL;
	q->timeout_us = 0u;
	q->delay_us = 0u;
	q->i2c_config = 0u;
	q->next = NULL;
	q->txn_head = NULL;
	q->txn_result = NO_RESULT;
	q->last_result = 0;
	q->timer_us = AGENT_NEVER;
	q->state = SLOT_FREE;
	q->cancel_requested = 0u;
	q->signaled = 0u;
	q->awaiting = 0u;
	s->timeout_at = AGENT_NEVER;
	s->delay_at = AGENT_NEVER;
	s->reserved = 0u;
}

static struct exec_slot *slot_alloc(struct executor *ex)
{
	size_t i;

	if (!ring_has_spare(ex)) {
		return NULL;
	}
	for (i = 0u; i < AGENT_MAX_SQES; i++) {
		struct exec_slot *s = &ex->slots[i];

		if (s->sqe.state == SLOT_FREE) {
			s->sqe.state = SLOT_PENDING;
			s->reserved = 1u;
			ex->reserved++;
			ex->live++;
			return s;
		}
	}
	return NULL;
}

static void unreserve(struct executor *ex, struct exec_slot *s)
{
	if (s->reserved != 0u) {
		s->reserved = 0u;
		ex->reserved--;
	}
}

/* The slot's SQE completed: back to the pool (rtio.ts release/freeSlot). */
static void release(struct executor *ex, struct exec_slot *s)
{
	unreserve(ex, s);
	exec_arena_unref(ex, s->sqe.buf);
	exec_arena_unref(ex, s->sqe.rx_buf);
	slot_clear(s);
	ex->live--;
}

/* The slot's SQE completed by a timeout while its driver still holds it (rtio.ts retire). */
static void retire(struct executor *ex, struct exec_slot *s)
{
	unreserve(ex, s);
	s->sqe.state = SLOT_ZOMBIE;
}

static void reap_zombie(struct executor *ex, struct exec_slot *s)
{
	struct exec_slot *cur = s->sqe.txn_head != NULL ? slot_of(s->sqe.txn_head) : s;

	while (cur != NULL) {
		struct exec_slot *next =
			(cur->sqe.flags & AGENT_SQE_TRANSACTION) != 0u ? next_of(cur) : NULL;

		if (cur->sqe.state == SLOT_ZOMBIE) {
			release(ex, cur);
			ex->stats.late_completions++;
		}
		cur = next;
	}
}

static void ready_push(struct executor *ex, struct exec_slot *s)
{
	if (ex->ready_len >= AGENT_MAX_SQES) {
		return; /* cannot happen: a slot is queued at most once */
	}
	ex->ready[(ex->ready_head + ex->ready_len) % AGENT_MAX_SQES] = s;
	ex->ready_len++;
}

static struct exec_slot *ready_shift(struct executor *ex)
{
	struct exec_slot *s;

	if (ex->ready_len == 0u) {
		return NULL;
	}
	s = ex->ready[ex->ready_head];
	ex->ready_head = (uint16_t)((ex->ready_head + 1u) % AGENT_MAX_SQES);
	ex->ready_len--;
	return s;
}

struct agent_iodev *exec_iodev(const struct executor *ex, uint32_t id)
{
	size_t i;

	if (id == 0u) {
		return NULL;
	}
	for (i = 0u; i < ex->iodev_count; i++) {
		if (ex->iodevs[i] != NULL && ex->iodevs[i]->id == id) {
			return ex->iodevs[i];
		}
	}
	return NULL;
}

size_t exec_slots_used(const struct executor *ex)
{
	return ex->live;
}

void exec_init(struct executor *ex, struct agent_iodev *const *iodevs, size_t iodev_count,
	       uint64_t (*now_us)(void *ctx), void *ctx)
{
	size_t i;

	for (i = 0u; i < AGENT_MAX_SQES; i++) {
		ex->slots[i].ex = ex;
		slot_clear(&ex->slots[i]);
		ex->ready[i] = NULL;
	}
	for (i = 0u; i < AGENT_CQE_RING; i++) {
		ex->cqes[i].data = NULL;
		ex->cqes[i].len = 0u;
	}
	for (i = 0u; i < sizeof(ex->arena_map) / sizeof(ex->arena_map[0]); i++) {
		ex->arena_map[i] = 0u;
		ex->arena_starts[i] = 0u;
	}
	for (i = 0u; i < AGENT_MAX_REGIONS; i++) {
		ex->regions[i] = NULL;
	}
	ex->region_count = 0u;
	for (i = 0u; i < AGENT_ARENA_BYTES / 4u; i++) {
		ex->arena[i] = 0u;
	}
	ex->iodevs = iodevs;
	ex->iodev_count = iodev_count;
	ex->now_us = now_us;
	ex->ctx = ctx;
	ex->stats.sqes_run = 0u;
	ex->stats.sqes_rejected = 0u;
	ex->stats.stray_completions = 0u;
	ex->stats.cqes_dropped = 0u;
	ex->stats.late_completions = 0u;
	ex->ready_head = 0u;
	ex->ready_len = 0u;
	ex->cq_head = 0u;
	ex->cq_len = 0u;
	ex->reserved = 0u;
	ex->live = 0u;
	ex->draining = false;
	ex->chain_head = NULL;
	ex->chain_tail = NULL;
	ex->txn_head = NULL;
	ex->chain_open = false;
	ex->chain_rejected = false;
}

/* ------------------------------------------------------------------ executor */

/* A transfer that moved fewer bytes than asked: it ends its chain like an error. */
static bool is_short(const struct exec_slot *s, int32_t r)
{
	switch (s->sqe.op) {
	case AGENT_OP_TX:
	case AGENT_OP_TINY_TX:
	case AGENT_OP_TXRX:
		return r < 0 || (uint32_t)r < s->sqe.buf_len;
	case AGENT_OP_RX:
		return (s->sqe.flags & AGENT_SQE_MEMPOOL_BUFFER) == 0u &&
		       (r < 0 || (uint32_t)r < s->sqe.buf_len);
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
	s->sqe.awaiting = 0u;
}

static void cancel_chain(struct executor *ex, struct exec_slot *first)
{
	struct exec_slot *cur = first;

	while (cur != NULL) {
		struct exec_slot *next = (cur->sqe.flags & LINK_FLAGS) != 0u ? next_of(cur) : NULL;

		post_for(ex, cur, -AGENT_ECANCELED, 0u, NULL, 0u);
		release(ex, cur);
		cur = next;
	}
}

static void finish_multishot(struct executor *ex, struct exec_slot *s, int32_t result, bool ok,
			     bool zombie)
{
	struct agent_sqe *q = &s->sqe;
	bool terminal = !ok || result < 0 || q->cancel_requested != 0u || !ring_has_spare(ex);
	int32_t r = result;

	if (!terminal) {
		post_for(ex, s, result, AGENT_CQE_FLAG_MORE, q->buf, clamp_len(result, q->buf_len));
		exec_arena_unref(ex, q->buf);
		q->buf = NULL;
		q->buf_len = 0u;
		q->last_result = result;
		ready_push(ex, s);
		return;
	}
	if (q->cancel_requested != 0u && ok) {
		r = -AGENT_ECANCELED;
	}
	if (ok && r >= 0) {
		post_for(ex, s, r, 0u, q->buf, clamp_len(r, q->buf_len));
	} else {
		post_for(ex, s, r, 0u, NULL, 0u);
	}
	if (zombie) {
		retire(ex, s);
	} else {
		release(ex, s);
	}
}

/*
 * Posts the CQEs of the unit headed by @p head and moves its chain on. @p fail_at is the
 * member a driver failed (default the head); @p zombie keeps the slots until the driver lets go.
 */
static void finish(struct executor *ex, struct exec_slot *head, int32_t result, bool ok,
		   struct exec_slot *fail_at, bool zombie)
{
	struct exec_slot *failing;
	struct exec_slot *cur = head;
	bool chain_ok = ok;
	int phase = ok ? 0 : 1; /* 1: before the failing member, 2: after it */

	if ((head->sqe.flags & AGENT_SQE_MULTISHOT) != 0u) {
		finish_multishot(ex, head, result, ok, zombie);
		return;
	}
	failing = ok ? NULL : (fail_at != NULL ? fail_at : head);
	for (;;) {
		struct agent_sqe *q = &cur->sqe;
		struct exec_slot *next = next_of(cur);
		bool more = (q->flags & AGENT_SQE_TRANSACTION) != 0u && next != NULL;
		bool chained = (q->flags & AGENT_SQE_CHAINED) != 0u && next != NULL;
		uint8_t *data = NULL;
		uint32_t len = 0u;
		int32_t r;

		if (phase == 0) {
			r = (cur == head || q->txn_result == NO_RESULT) ? result : q->txn_result;
			if (is_short(cur, r)) {
				chain_ok = false;
			}
		} else if (phase == 1 && cur != failing) {
			r = q->txn_result == NO_RESULT ? 0 : q->txn_result;
		} else if (cur == failing) {
			r = result;
			phase = 2;
		} else {
			r = -AGENT_ECANCELED;
		}
		if (r > 0 && phase != 2 && (ok || (q->flags & AGENT_SQE_MEMPOOL_BUFFER) == 0u)) {
			data = rx_data(cur);
			len = data == NULL ? 0u : clamp_len(r, q->buf_len);
		}
		post_for(ex, cur, r, 0u, data, len);
		if (zombie) {
			retire(ex, cur);
		} else {
			release(ex, cur);
		}
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

/* Entry point of agent_sqe_ok / agent_sqe_err (rtio.ts complete). */
static void exec_complete(struct exec_slot *s, int32_t result, bool ok)
{
	struct executor *ex = s->ex;
	struct exec_slot *head = s;
	struct exec_slot *fail_at = NULL;

	if (result < 0) {
		ok = false;
	}
	if (s->sqe.state == SLOT_ZOMBIE) {
		reap_zombie(ex, s);
		return;
	}
	if (s->sqe.txn_head != NULL && s->sqe.txn_head != &s->sqe) {
		head = slot_of(s->sqe.txn_head);
		if (!ok) {
			fail_at = s;
		}
	}
	if (head->sqe.state != SLOT_INFLIGHT) {
		if (head->sqe.state == SLOT_ZOMBIE) {
			reap_zombie(ex, head);
		} else {
			ex->stats.stray_completions++;
		}
		return;
	}
	disarm(head);
	finish(ex, head, result, ok, fail_at, false);
	drain(ex);
}

static void start(struct executor *ex, struct exec_slot *s)
{
	struct agent_sqe *q = &s->sqe;
	struct exec_slot *m = s;
	bool canceled = (q->flags & AGENT_SQE_CANCELED) != 0u || q->cancel_requested != 0u;
	uint64_t now;

	q->state = SLOT_INFLIGHT;
	while ((m->sqe.flags & AGENT_SQE_TRANSACTION) != 0u && m->sqe.next != NULL) {
		m = next_of(m);
		m->sqe.state = SLOT_INFLIGHT;
		if ((m->sqe.flags & AGENT_SQE_CANCELED) != 0u) {
			canceled = true;
		}
	}
	if (canceled) {
		finish(ex, s, -AGENT_ECANCELED, false, NULL, false);
		return;
	}
	ex->stats.sqes_run++;
	now = ex->now_us(ex->ctx);
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
		exec_complete(s, 0, true);
		return;
	case AGENT_OP_DELAY:
		s->delay_at = now + q->delay_us;
		q->timer_us = min_u64(s->delay_at, s->timeout_at);
		return;
	case AGENT_OP_AWAIT:
		if (q->signaled != 0u) {
			q->signaled = 0u;
			exec_complete(s, 0, true);
		} else {
			q->awaiting = 1u;
		}
		return;
	default:
		exec_complete(s, -AGENT_EINVAL, false);
		return;
	}
}

static void drain(struct executor *ex)
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

static void timeout_fired(struct executor *ex, struct exec_slot *s)
{
	struct agent_iodev *dev = s->sqe.iodev;
	bool dropped;

	disarm(s);
	dropped = dev == NULL || (dev->api->cancel != NULL && dev->api->cancel(dev, &s->sqe));
	finish(ex, s, -AGENT_ETIMEDOUT, false, NULL, !dropped);
	drain(ex);
}

void exec_run_timers(struct executor *ex, uint64_t now_us)
{
	size_t i;

	for (i = 0u; i < AGENT_MAX_SQES; i++) {
		struct exec_slot *s = &ex->slots[i];

		if (s->sqe.state != SLOT_INFLIGHT) {
			continue;
		}
		if (s->delay_at <= now_us && s->delay_at <= s->timeout_at) {
			s->delay_at = AGENT_NEVER;
			exec_complete(s, 0, true);
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

		if (s->sqe.state == SLOT_INFLIGHT) {
			due = min_u64(due, min_u64(s->delay_at, s->timeout_at));
		}
	}
	return due;
}

/* A waiting or running SQE with wire id @p id (timed-out ones no longer count), or NULL. */
static struct exec_slot *find_live(struct executor *ex, uint32_t id)
{
	size_t i;

	for (i = 0u; i < AGENT_MAX_SQES; i++) {
		struct exec_slot *s = &ex->slots[i];

		if ((s->sqe.state == SLOT_PENDING || s->sqe.state == SLOT_INFLIGHT) && s->sqe.id == id) {
			return s;
		}
	}
	return NULL;
}

int32_t exec_cancel(struct executor *ex, uint32_t id)
{
	struct exec_slot *s = find_live(ex, id);
	struct exec_slot *head;
	struct agent_iodev *dev;

	if (s == NULL) {
		return -AGENT_ENOENT;
	}
	if (s->sqe.state == SLOT_PENDING) {
		s->sqe.flags = (uint16_t)(s->sqe.flags | AGENT_SQE_CANCELED);
		return 0;
	}
	head = s->sqe.txn_head != NULL ? slot_of(s->sqe.txn_head) : s;
	if ((head->sqe.flags & AGENT_SQE_MULTISHOT) != 0u) {
		head->sqe.cancel_requested = 1u;
	}
	dev = head->sqe.iodev;
	if (dev == NULL) {
		exec_complete(head, -AGENT_ECANCELED, false);
		return 0;
	}
	if (dev->api->cancel != NULL && dev->api->cancel(dev, &head->sqe)) {
		disarm(head);
		finish(ex, head, -AGENT_ECANCELED, false, NULL, false);
		drain(ex);
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

		if ((q->state != SLOT_PENDING && q->state != SLOT_INFLIGHT) || q->id != id ||
		    q->op != AGENT_OP_AWAIT) {
			continue;
		}
		if (q->state == SLOT_INFLIGHT && q->iodev == NULL && q->awaiting != 0u) {
			q->awaiting = 0u;
			exec_complete(s, 0, true);
		} else {
			q->signaled = 1u;
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
		struct agent_iodev *dev = s->sqe.iodev;
		struct exec_slot *m;
		bool dropped;

		if (s->sqe.state != SLOT_INFLIGHT || dev == NULL ||
		    (s->sqe.txn_head != NULL && s->sqe.txn_head != &s->sqe)) {
			continue;
		}
		dropped = dev->api->cancel != NULL && dev->api->cancel(dev, &s->sqe);
		for (m = s; m != NULL;) {
			struct exec_slot *next =
				(m->sqe.flags & AGENT_SQE_TRANSACTION) != 0u ? next_of(m) : NULL;

			if (dropped) {
				release(ex, m);
			} else {
				retire(ex, m);
			}
			m = next;
		}
	}
	for (i = 0u; i < AGENT_MAX_SQES; i++) {
		struct exec_slot *s = &ex->slots[i];

		if (s->sqe.state == SLOT_PENDING || s->sqe.state == SLOT_INFLIGHT) {
			release(ex, s);
		}
	}
	exec_cqe_pop(ex, ex->cq_len);
	drop_regions(ex);
	ex->ready_head = 0u;
	ex->ready_len = 0u;
	ex->chain_head = NULL;
	ex->chain_tail = NULL;
	ex->txn_head = NULL;
	ex->chain_open = false;
	ex->chain_rejected = false;
}

/* ------------------------------------------------------------------ iodev.h */

void agent_sqe_ok(struct agent_sqe *sqe, int32_t result)
{
	exec_complete(slot_of(sqe), result, true);
}

void agent_sqe_err(struct agent_sqe *sqe, int32_t result)
{
	exec_complete(slot_of(sqe), result < 0 ? result : -AGENT_EIO, false);
}

struct agent_sqe *agent_txn_next(const struct agent_sqe *sqe)
{
	return (sqe->flags & AGENT_SQE_TRANSACTION) != 0u ? sqe->next : NULL;
}

void agent_txn_set_result(struct agent_sqe *member, int32_t result)
{
	member->txn_result = result;
}

int agent_sqe_rx_buf(struct agent_sqe *sqe, uint32_t min_len, uint32_t max_len, uint8_t **buf,
		     uint32_t *len)
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
		uint8_t *p = exec_arena_alloc(ex, want);

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
	return sqe->signaled != 0u;
}

struct agent_fault agent_fault_take(struct agent_faults *faults)
{
	struct agent_fault f;
	uint8_t i;

	f.kind = AGENT_FAULT_NONE;
	f.at_byte = 0u;
	f.bytes = 0u;
	f.delay_us = 0u;
	f.count = 0u;
	if (faults->len == 0u) {
		return f;
	}
	f = faults->queue[0];
	if (f.count == 0u) {
		return f; /* until cleared */
	}
	if (--faults->queue[0].count == 0u) {
		for (i = 1u; i < faults->len; i++) {
			faults->queue[i - 1u] = faults->queue[i];
		}
		faults->len--;
	}
	return f;
}

/* ------------------------------------------------------------------ submit */

/* Drops the Submit's own references to its regions: SQEs that name one keep theirs. */
static void drop_regions(struct executor *ex)
{
	uint16_t i;

	for (i = 0u; i < ex->region_count; i++) {
		exec_arena_unref(ex, ex->regions[i]);
		ex->regions[i] = NULL;
	}
	ex->region_count = 0u;
}

void exec_submit_begin(struct executor *ex)
{
	drop_regions(ex);
	ex->chain_head = NULL;
	ex->chain_tail = NULL;
	ex->txn_head = NULL;
	ex->chain_open = false;
	ex->chain_rejected = false;
}

void exec_submit_region(struct executor *ex, uint8_t *buf, uint32_t len, int32_t err)
{
	uint16_t i = ex->region_count;

	if (i >= AGENT_MAX_REGIONS) {
		exec_arena_unref(ex, buf);
		return;
	}
	ex->regions[i] = err == 0 ? buf : NULL;
	ex->region_len[i] = len;
	ex->region_err[i] = err == 0 && buf == NULL ? -AGENT_EINVAL : err;
	if (err != 0) {
		exec_arena_unref(ex, buf);
	}
	ex->region_count = (uint16_t)(i + 1u);
}

/* Posts the error CQE of an SQE that never got a slot. */
static void reject(struct executor *ex, uint32_t id, int32_t err)
{
	ex->stats.sqes_rejected++;
	(void)post_cqe(ex, id, err, 0u, NULL, 0u);
}

/* Cancels the staged members of the chain being built (they never started), in order. */
static void reject_staged(struct executor *ex, struct exec_slot *except, int32_t err)
{
	struct exec_slot *cur = ex->chain_head;

	while (cur != NULL) {
		struct exec_slot *next = next_of(cur);
		int32_t r = cur == except ? err : -AGENT_ECANCELED;

		ex->stats.sqes_rejected++;
		unreserve(ex, cur); /* its reserved entry takes the CQE */
		post_for(ex, cur, r, 0u, NULL, 0u);
		release(ex, cur);
		cur = next;
	}
	ex->chain_head = NULL;
	ex->chain_tail = NULL;
	ex->txn_head = NULL;
}

/* Checks an SQE on its own; returns 0 or the errno its CQE carries. */
static int32_t validate(const struct executor *ex, const struct exec_sqe_desc *d, bool in_txn,
			bool has_tx, uint32_t tx_len)
{
	uint32_t f = d->flags;
	bool pool = (f & AGENT_SQE_MEMPOOL_BUFFER) != 0u;
	bool needs_iodev;

	if (d->op > AGENT_OP_AWAIT || d->op == AGENT_OP_CALLBACK || d->prio > UINT8_MAX ||
	    (f & ~(uint32_t)ALL_SQE_FLAGS) != 0u) {
		return -AGENT_EINVAL;
	}
	if ((f & AGENT_SQE_CHAINED) != 0u && (f & AGENT_SQE_TRANSACTION) != 0u) {
		return -AGENT_EINVAL;
	}
	if ((f & AGENT_SQE_MULTISHOT) != 0u &&
	    ((f & LINK_FLAGS) != 0u || d->op != AGENT_OP_RX || !pool)) {
		return -AGENT_EINVAL;
	}
	if (pool && d->op != AGENT_OP_RX) {
		return -AGENT_EINVAL;
	}
	switch (d->op) {
	case AGENT_OP_RX:
		if (has_tx || d->tx_region != 0u || (pool ? d->rx_region != 0u : d->len == 0u)) {
			return -AGENT_EINVAL;
		}
		break;
	case AGENT_OP_TX:
		if (d->rx_region != 0u || (d->tx_region != 0u ? (has_tx || d->len == 0u) : !has_tx)) {
			return -AGENT_EINVAL;
		}
		break;
	case AGENT_OP_TINY_TX:
		if (d->tx_region != 0u || d->rx_region != 0u || !has_tx || tx_len > AGENT_TINY_TX_MAX) {
			return -AGENT_EINVAL;
		}
		break;
	case AGENT_OP_TXRX:
		if (d->len == 0u || (d->tx_region != 0u ? has_tx : (tx_len != d->len))) {
			return -AGENT_EINVAL;
		}
		break;
	default:
		if (has_tx || d->tx_region != 0u || d->rx_region != 0u) {
			return -AGENT_EINVAL;
		}
		break;
	}
	if (d->iodev != 0u && exec_iodev(ex, d->iodev) == NULL) {
		return -AGENT_ENODEV;
	}
	needs_iodev = d->op == AGENT_OP_RX || d->op == AGENT_OP_TX || d->op == AGENT_OP_TINY_TX ||
		      d->op == AGENT_OP_TXRX || (d->op > AGENT_OP_DELAY && d->op != AGENT_OP_AWAIT);
	if (needs_iodev && d->iodev == 0u && !in_txn) {
		return -AGENT_ENODEV;
	}
	if (d->len > AGENT_MAX_BUFFER_BYTES) {
		return -AGENT_EMSGSIZE;
	}
	return 0;
}

/*
 * Points @p *p at @p len bytes of region @p region (1-based) from @p offset, with a reference
 * of its own; returns 0, or the errno of a region that could not be stored, or -EINVAL for a
 * region the Submit does not hold or a range outside it.
 */
static int32_t region_slice(struct executor *ex, uint32_t region, uint32_t offset, uint32_t len,
			    uint8_t **p)
{
	uint32_t i = region - 1u;

	if (region == 0u || region > ex->region_count) {
		return -AGENT_EINVAL;
	}
	if (ex->region_err[i] != 0) {
		return ex->region_err[i];
	}
	if (offset > ex->region_len[i] || len > ex->region_len[i] - offset) {
		return -AGENT_EINVAL;
	}
	*p = ex->regions[i] + offset;
	arena_ref(ex, *p);
	return 0;
}

/* Gives @p s its buffers; returns 0 or the errno its CQE carries. */
static int32_t setup_buffers(struct executor *ex, struct exec_slot *s,
			     const struct exec_sqe_desc *d, uint8_t **tx, uint32_t tx_len)
{
	struct agent_sqe *q = &s->sqe;
	int32_t err;

	switch (d->op) {
	case AGENT_OP_RX:
		if ((d->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u) {
			return 0;
		}
		q->buf_len = d->len;
		if (d->rx_region != 0u) {
			return region_slice(ex, d->rx_region, d->rx_offset, d->len, &q->buf);
		}
		q->buf = exec_arena_alloc(ex, d->len);
		return q->buf == NULL ? -AGENT_ENOMEM : 0;
	case AGENT_OP_TX:
	case AGENT_OP_TINY_TX:
		if (d->tx_region != 0u) {
			q->buf_len = d->len;
			return region_slice(ex, d->tx_region, d->tx_offset, d->len, &q->buf);
		}
		q->buf = *tx;
		q->buf_len = tx_len;
		*tx = NULL;
		return 0;
	case AGENT_OP_TXRX:
		q->buf_len = d->len;
		if (d->tx_region != 0u) {
			err = region_slice(ex, d->tx_region, d->tx_offset, d->len, &q->buf);
			if (err != 0) {
				return err;
			}
		} else {
			q->buf = *tx;
			*tx = NULL;
		}
		if (d->rx_region != 0u) {
			return region_slice(ex, d->rx_region, d->rx_offset, d->len, &q->rx_buf);
		}
		q->rx_buf = exec_arena_alloc(ex, d->len);
		return q->rx_buf == NULL ? -AGENT_ENOMEM : 0;
	default:
		return 0;
	}
}

void exec_submit_sqe(struct executor *ex, const struct exec_sqe_desc *d, uint8_t *tx,
		     uint32_t tx_len, int32_t tx_err)
{
	bool links = (d->flags & LINK_FLAGS) != 0u;
	bool in_txn = ex->chain_open && ex->txn_head != NULL;
	struct exec_slot *s = NULL;
	int32_t err;

	if (ex->chain_open && ex->chain_rejected) {
		/* The rest of a chain rejected earlier in this Submit. */
		exec_arena_unref(ex, tx);
		reject(ex, d->id, -AGENT_ECANCELED);
		ex->chain_open = links;
		ex->chain_rejected = links;
		return;
	}
	if (!ex->chain_open) {
		ex->chain_head = NULL;
		ex->chain_tail = NULL;
		ex->txn_head = NULL;
	}
	/* TX bytes that could not be stored (tx_err) still count as present. */
	err = validate(ex, d, in_txn, tx != NULL || tx_len > 0u || tx_err != 0, tx_len);
	if (err == 0) {
		err = tx_err;
	}
	if (err == 0) {
		s = slot_alloc(ex);
		if (s == NULL) {
			err = -AGENT_EBUSY;
		}
	}
	if (s != NULL) {
		struct agent_sqe *q = &s->sqe;

		q->id = d->id;
		q->op = (uint8_t)d->op;
		q->prio = (uint8_t)d->prio;
		q->flags = (uint16_t)d->flags;
		q->iodev_flags = d->iodev_flags;
		q->iodev = exec_iodev(ex, d->iodev);
		q->timeout_us = d->timeout_us;
		q->delay_us = d->delay_us;
		q->i2c_config = d->i2c_config;
		err = setup_buffers(ex, s, d, &tx, tx_len);
	}
	exec_arena_unref(ex, tx);
	if (err != 0) {
		if (s != NULL) {
			release(ex, s);
		}
		reject_staged(ex, NULL, 0);
		reject(ex, d->id, err);
		ex->chain_open = links;
		ex->chain_rejected = links;
		return;
	}
	/* Link it as rtio.ts submit does. */
	s->sqe.txn_head = ex->txn_head != NULL ? &ex->txn_head->sqe : &s->sqe;
	ex->txn_head = (d->flags & AGENT_SQE_TRANSACTION) != 0u ? slot_of(s->sqe.txn_head) : NULL;
	if (ex->chain_tail != NULL) {
		ex->chain_tail->sqe.next = &s->sqe;
	} else {
		ex->chain_head = s;
	}
	ex->chain_tail = s;
	if (links) {
		ex->chain_open = true;
		return;
	}
	ex->chain_head->sqe.last_result = 0;
	ready_push(ex, ex->chain_head);
	ex->chain_head = NULL;
	ex->chain_tail = NULL;
	ex->txn_head = NULL;
	ex->chain_open = false;
}

void exec_submit_end(struct executor *ex)
{
	if (ex->chain_open && !ex->chain_rejected) {
		/* CHAINED or TRANSACTION on the last SQE of the Submit: links to nothing. */
		reject_staged(ex, ex->chain_tail, -AGENT_EINVAL);
	}
	ex->chain_open = false;
	ex->chain_rejected = false;
	drop_regions(ex);
	drain(ex);
}
