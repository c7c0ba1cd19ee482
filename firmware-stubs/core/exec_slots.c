/**
 * @file
 * @brief The executor's SQE slots (a static pool; rtio.ts's slots and freeSlot) and the queue
 *        of units ready to start.
 */
#include "executor_internal.h"

struct exec_slot *slot_of(struct agent_sqe *sqe)
{
	return (struct exec_slot *)(void *)sqe;
}

struct exec_slot *slot_next(const struct exec_slot *s)
{
	return s->sqe.next == NULL ? NULL : slot_of(s->sqe.next);
}

struct exec_slot *slot_txn_next(const struct exec_slot *s)
{
	return (s->sqe.flags & AGENT_SQE_TRANSACTION) != 0u ? slot_next(s) : NULL;
}

struct exec_slot *slot_unit_head(struct exec_slot *s)
{
	return s->sqe.txn_head != NULL ? slot_of(s->sqe.txn_head) : s;
}

/* Back to a free slot of executor @p ex: no SQE, no buffers, no timers, no reservation. */
static void slot_clear(struct exec_slot *s, struct executor *ex)
{
	*s = (struct exec_slot){
		.sqe = { .op = AGENT_OP_NOP, .txn_result = EXEC_NO_RESULT, .timer_us = AGENT_NEVER, .state = EXEC_SLOT_FREE },
		.ex = ex,
		.timeout_at = AGENT_NEVER,
		.delay_at = AGENT_NEVER,
		.started_at = AGENT_NEVER,
	};
}

void slots_init(struct executor *ex)
{
	size_t i;

	for (i = 0u; i < AGENT_MAX_SQES; i++) {
		slot_clear(&ex->slots[i], ex);
		ex->ready[i] = NULL;
	}
	ex->ready_head = 0u;
	ex->ready_len = 0u;
	ex->live = 0u;
}

struct exec_slot *slot_alloc(struct executor *ex)
{
	size_t i;

	if (!cq_has_spare(&ex->cq)) {
		return NULL;
	}
	for (i = 0u; i < AGENT_MAX_SQES; i++) {
		struct exec_slot *s = &ex->slots[i];

		if (s->sqe.state == EXEC_SLOT_FREE) {
			s->sqe.state = EXEC_SLOT_PENDING;
			s->reserved = true;
			ex->cq.reserved++;
			ex->live++;
			return s;
		}
	}
	return NULL;
}

void slot_unreserve(struct executor *ex, struct exec_slot *s)
{
	if (s->reserved) {
		s->reserved = false;
		ex->cq.reserved--;
	}
}

void slot_end(struct executor *ex, struct exec_slot *s, enum exec_slot_fate fate)
{
	slot_unreserve(ex, s);
	if (fate == EXEC_RETIRE) {
		s->sqe.state = EXEC_SLOT_ZOMBIE;
		return;
	}
	arena_unref(&ex->arena, s->sqe.buf);
	arena_unref(&ex->arena, s->sqe.rx_buf);
	slot_clear(s, ex);
	ex->live--;
}

void slot_reap_zombies(struct executor *ex, struct exec_slot *s)
{
	struct exec_slot *cur = slot_unit_head(s);

	while (cur != NULL) {
		struct exec_slot *next = slot_txn_next(cur);

		if (cur->sqe.state == EXEC_SLOT_ZOMBIE) {
			slot_end(ex, cur, EXEC_RELEASE);
			ex->stats.late_completions++;
		}
		cur = next;
	}
}

void ready_push(struct executor *ex, struct exec_slot *s)
{
	if (ex->ready_len >= AGENT_MAX_SQES) {
		return; /* cannot happen: a slot is queued at most once */
	}
	ex->ready[(ex->ready_head + ex->ready_len) % AGENT_MAX_SQES] = s;
	ex->ready_len++;
}

struct exec_slot *ready_shift(struct executor *ex)
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

void ready_clear(struct executor *ex)
{
	ex->ready_head = 0u;
	ex->ready_len = 0u;
}

size_t exec_slots_used(const struct executor *ex)
{
	return ex->live;
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
