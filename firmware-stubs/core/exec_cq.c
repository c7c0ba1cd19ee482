/**
 * @file
 * @brief The executor's completion ring: CQEs waiting to be sent, oldest first, each holding an
 *        arena reference to its data. It plays the host's CQ: every live SQE reserves one entry
 *        for its terminal CQE (slot_alloc()), so terminal CQEs always fit; multishot and
 *        rejection CQEs take the spare entries (cq_has_spare()).
 */
#include "executor_internal.h"

void cq_init(struct exec_cq *cq)
{
	size_t i;

	for (i = 0u; i < AGENT_CQE_RING; i++) {
		cq->entries[i].data = NULL;
		cq->entries[i].len = 0u;
	}
	cq->head = 0u;
	cq->len = 0u;
	cq->reserved = 0u;
}

bool cq_post(struct executor *ex, uint32_t id, int32_t result, uint32_t flags, uint8_t *data, uint32_t len)
{
	struct exec_cq *cq = &ex->cq;
	struct exec_cqe *c;

	if (cq->len >= AGENT_CQE_RING) {
		ex->stats.cqes_dropped++;
		return false;
	}
	c = &cq->entries[(cq->head + cq->len) % AGENT_CQE_RING];
	cq->len++;
	c->id = id;
	c->result = result;
	c->flags = flags;
	c->data = NULL;
	c->len = 0u;
	c->timed = false;
	c->start_us = 0u;
	c->end_us = 0u;
	if (data != NULL && len > 0u) {
		arena_ref(&ex->arena, data);
		c->data = data;
		c->len = len;
	}
	return true;
}

bool cq_has_spare(const struct exec_cq *cq)
{
	return (uint32_t)cq->len + cq->reserved < AGENT_CQE_RING;
}

size_t exec_cqe_count(const struct executor *ex)
{
	return ex->cq.len;
}

const struct exec_cqe *exec_cqe_peek(const struct executor *ex, size_t i)
{
	return &ex->cq.entries[(ex->cq.head + i) % AGENT_CQE_RING];
}

void exec_cqe_pop(struct executor *ex, size_t n)
{
	struct exec_cq *cq = &ex->cq;

	while (n > 0u && cq->len > 0u) {
		struct exec_cqe *c = &cq->entries[cq->head];

		arena_unref(&ex->arena, c->data);
		c->data = NULL;
		cq->head = (uint16_t)((cq->head + 1u) % AGENT_CQE_RING);
		cq->len--;
		n--;
	}
}
