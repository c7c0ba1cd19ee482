/*
 * agent-test's fake iodevs; see agent-fixture.h. A unit runs at the poll after its submit, member
 * by member, as its iodev_flags script says (FAKE_*), unless the test drives the fake by hand.
 */
#include "agent-fixture.h"

static bool fake_hanging(const struct agent_sqe *head)
{
	const struct agent_sqe *m;

	for (m = head; m != NULL; m = agent_txn_next(m)) {
		if ((m->iodev_flags & FAKE_HANG) != 0u) {
			return true;
		}
		if (m->op == AGENT_OP_AWAIT && !agent_sqe_signaled(m)) {
			return true;
		}
	}
	return false;
}

static int32_t fake_member(struct fake *f, struct agent_sqe *m)
{
	uint8_t *buf;
	uint32_t len;
	uint32_t i;
	uint32_t n;

	switch (m->op) {
	case AGENT_OP_NOP:
	case AGENT_OP_AWAIT:
		return 0;
	case AGENT_OP_TX:
	case AGENT_OP_TINY_TX:
		memcpy(f->tx_seen, m->buf, m->buf_len);
		f->tx_seen_len = m->buf_len;
		return (int32_t)m->buf_len;
	case AGENT_OP_TXRX:
		memcpy(f->tx_seen, m->buf, m->buf_len);
		f->tx_seen_len = m->buf_len;
		memcpy(m->rx_buf, m->buf, m->buf_len);
		return (int32_t)m->buf_len;
	case AGENT_OP_RX:
		len = (m->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u ? FAKE_POOL_LEN : m->buf_len;
		if (agent_sqe_rx_buf(m, len, len, &buf, &len) != 0) {
			return -AGENT_ENOMEM;
		}
		n = (m->iodev_flags & (1u << 24)) != 0u ? ((m->iodev_flags >> 16) & 0xffu) : len;
		for (i = 0u; i < n; i++) {
			buf[i] = (uint8_t)(FAKE_PATTERN + i);
		}
		return (int32_t)n;
	default:
		return -AGENT_ENOTSUP;
	}
}

/* Runs the unit headed by @p head to its end, as a driver's poll() would. */
static void fake_run(struct fake *f, struct agent_sqe *head)
{
	struct agent_sqe *m;
	int32_t head_result = 0;

	for (m = head; m != NULL; m = agent_txn_next(m)) {
		int32_t r;

		if ((m->iodev_flags & 0xffu) != 0u) {
			agent_sqe_err(m, -(int32_t)(m->iodev_flags & 0xffu));
			return;
		}
		r = fake_member(f, m);
		if (r < 0) {
			agent_sqe_err(m, r);
			return;
		}
		if (m == head) {
			head_result = r;
		}
		agent_txn_set_result(m, r);
	}
	agent_sqe_ok(head, head_result);
}

static struct agent_sqe *fake_pop(struct fake *f)
{
	struct agent_sqe *head = f->queue[0];

	memmove(f->queue, f->queue + 1, (f->n - 1u) * sizeof(f->queue[0]));
	f->n--;
	return head;
}

static void fake_submit(struct agent_iodev *dev, struct agent_sqe *sqe)
{
	struct fake *f = dev->data;

	f->submits++;
	if (f->n < sizeof(f->queue) / sizeof(f->queue[0])) {
		f->queue[f->n++] = sqe;
	}
}

static bool fake_cancel(struct agent_iodev *dev, struct agent_sqe *sqe)
{
	struct fake *f = dev->data;
	size_t i;

	if (f->refuse_cancel) {
		return false;
	}
	for (i = 0u; i < f->n; i++) {
		if (f->queue[i] == sqe && (f->drop_queued || fake_hanging(sqe))) {
			memmove(f->queue + i, f->queue + i + 1u, (f->n - i - 1u) * sizeof(f->queue[0]));
			f->n--;
			f->dropped++;
			return true;
		}
	}
	return false;
}

static void fake_poll(struct agent_iodev *dev, uint64_t now_us)
{
	struct fake *f = dev->data;
	size_t todo = f->n;

	if (f->manual || (f->paced && now_us == f->last_run_us)) {
		return;
	}
	if (f->paced) {
		f->last_run_us = now_us;
		todo = 1u;
	}
	/* Only the units present now: a multishot re-arms itself from inside fake_run(). */
	while (todo-- > 0u && f->n > 0u && !fake_hanging(f->queue[0])) {
		fake_run(f, fake_pop(f));
	}
}

static uint64_t fake_next_due(const struct agent_iodev *dev)
{
	const struct fake *f = dev->data;

	if (f->manual || f->n == 0u || fake_hanging(f->queue[0])) {
		return AGENT_NEVER;
	}
	return f->paced ? f->last_run_us + 1u : 0u;
}

const struct agent_iodev_api fake_api = {
	.submit = fake_submit,
	.cancel = fake_cancel,
	.poll = fake_poll,
	.next_due_us = fake_next_due,
};
const char *const fake_caps[] = { "transaction", "multishot", "await", NULL };

/* Completes the oldest unit of @p f by hand (agent_sqe_ok with @p result, or err when < 0). */
void fake_complete(struct fake *f, int32_t result)
{
	struct agent_sqe *head;

	if (f->n == 0u) {
		return;
	}
	head = fake_pop(f);
	if (result < 0) {
		agent_sqe_err(head, result);
	} else {
		agent_sqe_ok(head, result);
	}
}
