/**
 * @file
 * @brief The executor's Submit intake (the host does this in rtio.ts `submit`): a Submit's
 *        regions, then its SQEs one at a time, each checked, given a slot and its buffers, and
 *        linked into its chain or transaction; a chain that cannot be taken whole is rejected
 *        with CQEs (executor.h), and complete chains are queued to start.
 */
#include "executor_internal.h"

#define ALL_SQE_FLAGS                                                                                       \
	(AGENT_SQE_CHAINED | AGENT_SQE_TRANSACTION | AGENT_SQE_MEMPOOL_BUFFER | AGENT_SQE_CANCELED |          \
	 AGENT_SQE_MULTISHOT | AGENT_SQE_NO_RESPONSE)

/* Forgets the chain being built (its slots are queued or released already). */
static void close_chain(struct exec_submit *sub, enum exec_chain_state next)
{
	sub->chain_head = NULL;
	sub->chain_tail = NULL;
	sub->txn_head = NULL;
	sub->chain = next;
}

/* Drops the Submit's own references to its regions: SQEs that name one keep theirs. */
static void drop_regions(struct executor *ex)
{
	uint16_t i;

	for (i = 0u; i < ex->submit.region_count; i++) {
		arena_unref(&ex->arena, ex->submit.regions[i]);
		ex->submit.regions[i] = NULL;
	}
	ex->submit.region_count = 0u;
}

void submit_reset(struct executor *ex)
{
	drop_regions(ex);
	close_chain(&ex->submit, EXEC_CHAIN_NONE);
}

void exec_submit_begin(struct executor *ex)
{
	submit_reset(ex);
}

void exec_submit_region(struct executor *ex, uint8_t *buf, uint32_t len, int32_t err)
{
	struct exec_submit *sub = &ex->submit;
	uint16_t i = sub->region_count;

	if (i >= AGENT_MAX_REGIONS) {
		arena_unref(&ex->arena, buf);
		return;
	}
	sub->regions[i] = err == 0 ? buf : NULL;
	sub->region_len[i] = len;
	sub->region_err[i] = err == 0 && buf == NULL ? -AGENT_EINVAL : err;
	if (err != 0) {
		arena_unref(&ex->arena, buf);
	}
	sub->region_count = (uint16_t)(i + 1u);
}

/* Posts the error CQE of an SQE that never got a slot. */
static void reject(struct executor *ex, uint32_t id, int32_t err)
{
	ex->stats.sqes_rejected++;
	(void)cq_post(ex, id, err, 0u, NULL, 0u);
}

/*
 * Completes the staged members of the chain being built (they never started), in order: @p
 * culprit with @p err, the others with -ECANCELED.
 */
static void reject_staged(struct executor *ex, struct exec_slot *culprit, int32_t err)
{
	struct exec_slot *cur = ex->submit.chain_head;

	while (cur != NULL) {
		struct exec_slot *next = slot_next(cur);

		ex->stats.sqes_rejected++;
		slot_unreserve(ex, cur); /* its reserved entry takes the CQE */
		(void)cq_post(ex, cur->sqe.id, cur == culprit ? err : -AGENT_ECANCELED, 0u, NULL, 0u);
		slot_end(ex, cur, EXEC_RELEASE);
		cur = next;
	}
}

/* Whether @p op runs on an iodev: every op but the executor's own (NOP, DELAY, AWAIT; CALLBACK). */
static bool op_needs_iodev(uint32_t op)
{
	return op != AGENT_OP_NOP && op != AGENT_OP_CALLBACK && op != AGENT_OP_DELAY && op != AGENT_OP_AWAIT;
}

/*
 * Checks an SQE on its own, where the Submit is (a member of a transaction may leave the iodev to
 * its head). @p has_tx: TX bytes came with it (@p tx_len of them).
 * @retval 0              acceptable.
 * @retval -AGENT_EINVAL   a bad op, flag, combination or buffer description.
 * @retval -AGENT_ENODEV   an unknown iodev, or none where the op needs one.
 * @retval -AGENT_EMSGSIZE a length above AGENT_MAX_BUFFER_BYTES.
 */
static int32_t validate(const struct executor *ex, const struct exec_sqe_desc *d, bool has_tx, uint32_t tx_len)
{
	uint32_t f = d->flags;
	bool pool = (f & AGENT_SQE_MEMPOOL_BUFFER) != 0u;
	bool in_txn = ex->submit.chain == EXEC_CHAIN_OPEN && ex->submit.txn_head != NULL;

	if (d->op > AGENT_OP_AWAIT || d->op == AGENT_OP_CALLBACK || d->prio > UINT8_MAX ||
	    (f & ~(uint32_t)ALL_SQE_FLAGS) != 0u) {
		return -AGENT_EINVAL;
	}
	if ((f & AGENT_SQE_CHAINED) != 0u && (f & AGENT_SQE_TRANSACTION) != 0u) {
		return -AGENT_EINVAL;
	}
	if ((f & AGENT_SQE_MULTISHOT) != 0u && ((f & EXEC_LINK_FLAGS) != 0u || d->op != AGENT_OP_RX || !pool)) {
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
	if (op_needs_iodev(d->op) && d->iodev == 0u && !in_txn) {
		return -AGENT_ENODEV;
	}
	if (d->len > AGENT_MAX_BUFFER_BYTES) {
		return -AGENT_EMSGSIZE;
	}
	return 0;
}

/*
 * Points @p *p at @p len bytes of region @p region (1-based) from @p offset, with a reference
 * of its own.
 * @retval 0            done.
 * @retval -AGENT_EINVAL a region the Submit does not hold, or a range outside it.
 * @retval other         the errno met storing the region (exec_submit_region()).
 */
static int32_t region_slice(struct executor *ex, uint32_t region, uint32_t offset, uint32_t len, uint8_t **p)
{
	const struct exec_submit *sub = &ex->submit;
	uint32_t i = region - 1u;

	if (region == 0u || region > sub->region_count) {
		return -AGENT_EINVAL;
	}
	if (sub->region_err[i] != 0) {
		return sub->region_err[i];
	}
	if (offset > sub->region_len[i] || len > sub->region_len[i] - offset) {
		return -AGENT_EINVAL;
	}
	*p = sub->regions[i] + offset;
	arena_ref(&ex->arena, *p);
	return 0;
}

/* An RX buffer of @p len bytes of its own in *p. Returns 0, or -AGENT_ENOMEM when the arena has no room. */
static int32_t own_rx(struct executor *ex, uint32_t len, uint8_t **p)
{
	*p = arena_alloc(&ex->arena, len);
	return *p == NULL ? -AGENT_ENOMEM : 0;
}

/*
 * Gives @p s its buffers: slices of regions, its own TX bytes (taken from *@p tx, which is then
 * NULL) or RX buffers of its own. Returns 0 or the errno its CQE carries (region_slice(), own_rx()).
 */
static int32_t setup_buffers(struct executor *ex, struct exec_slot *s, const struct exec_sqe_desc *d, uint8_t **tx,
			     uint32_t tx_len)
{
	struct agent_sqe *q = &s->sqe;
	int32_t err = 0;

	switch (d->op) {
	case AGENT_OP_RX:
		if ((d->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u) {
			return 0; /* its buffer comes when it runs: agent_sqe_rx_buf() */
		}
		q->buf_len = d->len;
		return d->rx_region != 0u ? region_slice(ex, d->rx_region, d->rx_offset, d->len, &q->buf)
					  : own_rx(ex, d->len, &q->buf);
	case AGENT_OP_TX:
	case AGENT_OP_TINY_TX:
	case AGENT_OP_TXRX:
		q->buf_len = d->tx_region != 0u || d->op == AGENT_OP_TXRX ? d->len : tx_len;
		if (d->tx_region != 0u) {
			err = region_slice(ex, d->tx_region, d->tx_offset, d->len, &q->buf);
		} else {
			q->buf = *tx;
			*tx = NULL;
		}
		if (err != 0 || d->op != AGENT_OP_TXRX) {
			return err;
		}
		return d->rx_region != 0u ? region_slice(ex, d->rx_region, d->rx_offset, d->len, &q->rx_buf)
					  : own_rx(ex, d->len, &q->rx_buf);
	default:
		return 0;
	}
}

/* Fills a fresh slot's SQE from @p d (buffers aside). */
static void load_sqe(struct executor *ex, struct agent_sqe *q, const struct exec_sqe_desc *d)
{
	q->id = d->id;
	q->op = (uint8_t)d->op;
	q->prio = (uint8_t)d->prio;
	q->flags = (uint16_t)d->flags;
	q->iodev_flags = d->iodev_flags;
	q->iodev = exec_iodev(ex, d->iodev);
	q->timeout_us = d->timeout_us;
	q->delay_us = d->delay_us;
	q->i2c_config = d->i2c_config;
}

/* Links @p s into the chain being built, as rtio.ts submit does; a chain complete is queued. */
static void link_sqe(struct executor *ex, struct exec_slot *s)
{
	struct exec_submit *sub = &ex->submit;

	s->sqe.txn_head = sub->txn_head != NULL ? &sub->txn_head->sqe : &s->sqe;
	sub->txn_head = (s->sqe.flags & AGENT_SQE_TRANSACTION) != 0u ? slot_of(s->sqe.txn_head) : NULL;
	if (sub->chain_tail != NULL) {
		sub->chain_tail->sqe.next = &s->sqe;
	} else {
		sub->chain_head = s;
	}
	sub->chain_tail = s;
	if ((s->sqe.flags & EXEC_LINK_FLAGS) != 0u) {
		sub->chain = EXEC_CHAIN_OPEN;
		return;
	}
	sub->chain_head->sqe.last_result = 0;
	ready_push(ex, sub->chain_head);
	close_chain(sub, EXEC_CHAIN_NONE);
}

void exec_submit_sqe(struct executor *ex, const struct exec_sqe_desc *d, uint8_t *tx, uint32_t tx_len, int32_t tx_err)
{
	struct exec_submit *sub = &ex->submit;
	bool links = (d->flags & EXEC_LINK_FLAGS) != 0u;
	struct exec_slot *s = NULL;
	int32_t err;

	if (sub->chain == EXEC_CHAIN_REJECTED) {
		/* The rest of a chain rejected earlier in this Submit. */
		arena_unref(&ex->arena, tx);
		reject(ex, d->id, -AGENT_ECANCELED);
		sub->chain = links ? EXEC_CHAIN_REJECTED : EXEC_CHAIN_NONE;
		return;
	}
	if (sub->chain == EXEC_CHAIN_NONE) {
		close_chain(sub, EXEC_CHAIN_NONE);
	}
	/* TX bytes that could not be stored (tx_err) still count as present. */
	err = validate(ex, d, tx != NULL || tx_len > 0u || tx_err != 0, tx_len);
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
		load_sqe(ex, &s->sqe, d);
		err = setup_buffers(ex, s, d, &tx, tx_len);
	}
	arena_unref(&ex->arena, tx);
	if (err != 0) {
		if (s != NULL) {
			slot_end(ex, s, EXEC_RELEASE);
		}
		reject_staged(ex, NULL, 0);
		reject(ex, d->id, err);
		close_chain(sub, links ? EXEC_CHAIN_REJECTED : EXEC_CHAIN_NONE);
		return;
	}
	link_sqe(ex, s);
}

void exec_submit_end(struct executor *ex)
{
	if (ex->submit.chain == EXEC_CHAIN_OPEN) {
		/* CHAINED or TRANSACTION on the last SQE of the Submit: links to nothing. */
		reject_staged(ex, ex->submit.chain_tail, -AGENT_EINVAL);
	}
	close_chain(&ex->submit, EXEC_CHAIN_NONE);
	drop_regions(ex);
	exec_drain(ex);
}
