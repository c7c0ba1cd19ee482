/**
 * @file
 * @brief The posix port's fallback test iodev; see test_iodev.h.
 */
#include "test_iodev.h"

#include <string.h>

#define POOL_READ_LEN 16u
#define PATTERN_SEED 0xa5u

static const char *const caps[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", "multishot",
				    "txrx", NULL };

static bool waiting(const struct agent_sqe *head)
{
	const struct agent_sqe *m;

	for (m = head; m != NULL; m = agent_txn_next(m)) {
		if (m->op == AGENT_OP_AWAIT && !agent_sqe_signaled(m)) {
			return true;
		}
	}
	return false;
}

static int32_t run_member(struct agent_sqe *m)
{
	uint8_t *buf;
	uint32_t len;
	uint32_t i;

	switch (m->op) {
	case AGENT_OP_NOP:
	case AGENT_OP_AWAIT:
		return 0;
	case AGENT_OP_TX:
	case AGENT_OP_TINY_TX:
		return (int32_t)m->buf_len;
	case AGENT_OP_TXRX:
		memcpy(m->rx_buf, m->buf, m->buf_len);
		return (int32_t)m->buf_len;
	case AGENT_OP_RX:
		len = (m->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u ? POOL_READ_LEN : m->buf_len;
		if (agent_sqe_rx_buf(m, len, len, &buf, &len) != 0) {
			return -AGENT_ENOMEM;
		}
		for (i = 0u; i < len; i++) {
			buf[i] = (uint8_t)(PATTERN_SEED + i);
		}
		return (int32_t)len;
	default:
		return -AGENT_ENOTSUP;
	}
}

static void run(struct agent_sqe *head)
{
	struct agent_sqe *m;
	int32_t head_result = 0;

	for (m = head; m != NULL; m = agent_txn_next(m)) {
		int32_t r = run_member(m);

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

static void submit(struct agent_iodev *dev, struct agent_sqe *sqe)
{
	struct posix_test_iodev *t = dev->data;

	if (t->len < AGENT_MAX_SQES) {
		t->queue[t->len++] = sqe;
	}
}

static bool cancel(struct agent_iodev *dev, struct agent_sqe *sqe)
{
	struct posix_test_iodev *t = dev->data;
	size_t i;

	for (i = 0u; i < t->len; i++) {
		if (t->queue[i] == sqe) {
			memmove(&t->queue[i], &t->queue[i + 1u], (t->len - i - 1u) * sizeof(t->queue[0]));
			t->len--;
			return true;
		}
	}
	return false;
}

static void poll_hook(struct agent_iodev *dev, uint64_t now_us)
{
	struct posix_test_iodev *t = dev->data;
	size_t todo = t->len;

	(void)now_us;
	while (todo-- > 0u && t->len > 0u && !waiting(t->queue[0])) {
		struct agent_sqe *head = t->queue[0];

		memmove(&t->queue[0], &t->queue[1], (t->len - 1u) * sizeof(t->queue[0]));
		t->len--;
		run(head);
	}
}

static uint64_t next_due(const struct agent_iodev *dev)
{
	const struct posix_test_iodev *t = dev->data;

	return t->len > 0u && !waiting(t->queue[0]) ? 0u : AGENT_NEVER;
}

static const struct agent_iodev_api api = { submit, cancel, poll_hook, next_due };

void posix_test_iodev_init(struct posix_test_iodev *t, struct agent_iodev *dev, uint32_t id)
{
	memset(t, 0, sizeof(*t));
	memset(dev, 0, sizeof(*dev));
	dev->api = &api;
	dev->data = t;
	dev->id = id;
	dev->name = "test0";
	dev->kind = AGENT_IODEV_KIND_TEST;
	dev->bus = "";
	dev->part = "rtio-iodev-test";
	dev->capabilities = caps;
}
