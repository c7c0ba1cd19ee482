/* The test iodev; see test_iodev.h. Follows harness/emulator/iodevs/test-iodev.ts. */
#include "test_iodev.h"

static void outcome(struct sim_outcome *out, int32_t result, uint64_t end_ns, struct agent_sqe *at)
{
	out->result = result;
	out->end_ns = end_ns;
	out->fail_at = at;
}

/* Runs one member; limit caps an RX (UINT32_MAX for none). Returns its result. */
static int32_t run(struct agent_sqe *m, uint32_t limit)
{
	uint32_t i;

	switch (m->op) {
	case AGENT_OP_NOP:
		return 0;
	case AGENT_OP_TX:
	case AGENT_OP_TINY_TX:
		return (int32_t)m->buf_len;
	case AGENT_OP_TXRX:
		for (i = 0; i < m->buf_len; i++) {
			m->rx_buf[i] = m->buf[i];
		}
		return (int32_t)m->buf_len;
	case AGENT_OP_RX: {
		uint32_t len = m->buf_len;
		uint8_t *buf = m->buf;
		uint32_t n;

		if ((m->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u) {
			uint32_t got = 0u;
			int rc;

			len = SIM_TEST_IODEV_POOL_READ_LEN;
			rc = agent_sqe_rx_buf(m, len, len, &buf, &got);
			if (rc < 0) {
				return rc;
			}
		}
		n = len < limit ? len : limit;
		for (i = 0; i < n; i++) {
			buf[i] = (uint8_t)((SIM_TEST_IODEV_PATTERN_SEED + i) & 0xffu);
		}
		return (int32_t)n;
	}
	default:
		return -AGENT_ENOTSUP;
	}
}

static enum sim_begin_status test_begin(struct sim_qdev *q, struct agent_sqe *head, const struct agent_fault *fault,
					uint64_t start_ns, struct sim_outcome *out)
{
	struct agent_sqe *m;
	uint64_t delay_ns = 0u;
	bool short_armed = fault->kind == AGENT_FAULT_SHORT_READ;

	for (m = head; m != NULL; m = agent_txn_next(m)) {
		if ((m->iodev_flags & SIM_TEST_IODEV_HANG) != 0u) {
			q->wake_ns = SIM_NEVER_NS;
			return SIM_BEGIN_WAIT;
		}
	}
	if (fault->kind == AGENT_FAULT_NACK) {
		outcome(out, -AGENT_EIO, start_ns, head);
		return SIM_BEGIN_DONE;
	}
	if (fault->kind == AGENT_FAULT_BUS_TIMEOUT) {
		outcome(out, -AGENT_ETIMEDOUT, start_ns + sim_us_to_ns(SIM_TEST_IODEV_BUS_TIMEOUT_US), head);
		return SIM_BEGIN_DONE;
	}
	outcome(out, 0, start_ns, NULL);
	for (m = head; m != NULL; m = agent_txn_next(m)) {
		uint32_t err = (m->iodev_flags & SIM_TEST_IODEV_ERRNO_MASK) >> SIM_TEST_IODEV_ERRNO_SHIFT;
		uint32_t limit = UINT32_MAX;
		int32_t r;

		delay_ns += sim_us_to_ns((uint64_t)(m->iodev_flags & SIM_TEST_IODEV_DELAY_MASK) * SIM_TEST_IODEV_DELAY_UNIT_US);
		if (err != 0u) {
			outcome(out, -(int32_t)err, start_ns + delay_ns, m);
			return SIM_BEGIN_DONE;
		}
		if (m->op == AGENT_OP_RX && short_armed) {
			limit = fault->bytes;
			short_armed = false;
		}
		r = run(m, limit);
		if (r < 0) {
			outcome(out, r, start_ns + delay_ns, m);
			return SIM_BEGIN_DONE;
		}
		agent_txn_set_result(m, r);
		if (m == head) {
			out->result = r;
		}
	}
	out->end_ns = start_ns + delay_ns;
	return SIM_BEGIN_DONE;
}

static const struct sim_qdev_ops test_ops = { test_begin, NULL, NULL, true };

void sim_test_iodev_init(struct sim_test_iodev *d, struct agent_iodev *dev)
{
	sim_qdev_init(&d->q, &test_ops, dev);
	dev->api = &sim_qdev_api;
	dev->data = d;
}
