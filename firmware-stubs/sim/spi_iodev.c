/* The SPI iodev; see spi_iodev.h. Follows harness/emulator/iodevs/spi-iodev.ts. */
#include "spi_iodev.h"

#define POOL_READ_MAX 65536u

static bool supported(uint8_t op)
{
	return op == AGENT_OP_TX || op == AGENT_OP_TINY_TX || op == AGENT_OP_RX || op == AGENT_OP_TXRX ||
	       op == AGENT_OP_NOP;
}

static void outcome(struct sim_outcome *out, int32_t result, uint64_t end_ns, struct agent_sqe *at)
{
	out->result = result;
	out->end_ns = end_ns;
	out->fail_at = at;
}

/*
 * Where member m's received bytes go (NULL: discarded) and how many bytes it moves. A mempool RX
 * gets its buffer from agent_sqe_rx_buf() on the first call; as in Zephyr, the executor then
 * keeps it in m->buf, so later calls use that.
 */
static uint8_t *member_rx(struct sim_spi_iodev *d, struct agent_sqe *m, uint32_t *len, int *rc)
{
	*rc = 0;
	switch (m->op) {
	case AGENT_OP_RX:
		if ((m->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u) {
			uint8_t *buf = m->buf;
			uint32_t got = m->buf_len;

			if (buf == NULL) {
				*rc = agent_sqe_rx_buf(m, d->pool_read_len, d->pool_read_len, &buf, &got);
			}
			*len = d->pool_read_len;
			return buf;
		}
		*len = m->buf_len;
		return m->buf;
	case AGENT_OP_TXRX:
		*len = m->buf_len;
		return m->rx_buf;
	case AGENT_OP_NOP:
		*len = 0u;
		return NULL;
	default:
		*len = m->buf_len;
		return NULL;
	}
}

static enum sim_begin_status spi_begin(struct sim_qdev *q, struct agent_sqe *head, const struct agent_fault *fault,
				       uint64_t start_ns, struct sim_outcome *out)
{
	struct sim_spi_iodev *d = (struct sim_spi_iodev *)q;
	struct agent_sqe *m;
	struct agent_sqe *failed = NULL;
	int64_t nack_at = fault->kind == AGENT_FAULT_NACK ? (int64_t)fault->at_byte : -1;
	int64_t short_bytes = fault->kind == AGENT_FAULT_SHORT_READ ? (int64_t)fault->bytes : -1;
	int32_t head_count = 0;
	bool stopped = false;
	uint64_t end;

	for (m = head; m != NULL; m = agent_txn_next(m)) {
		if (!supported(m->op) || (m->op == AGENT_OP_TXRX && d->ctrl.api->half_duplex)) {
			outcome(out, -AGENT_ENOTSUP, start_ns, m);
			return SIM_BEGIN_DONE;
		}
	}
	if (fault->kind == AGENT_FAULT_BUS_TIMEOUT) {
		if (d->ctrl.api->stall == NULL) {
			outcome(out, -AGENT_ENOTSUP, start_ns, NULL);
		} else {
			outcome(out, -AGENT_ETIMEDOUT, d->ctrl.api->stall(d->ctrl.ctx, d->cs, start_ns), NULL);
		}
		return SIM_BEGIN_DONE;
	}
	/* Buffers first, as the TS model does: a failed allocation fails before CS is asserted. */
	for (m = head; m != NULL; m = agent_txn_next(m)) {
		uint32_t len;
		int rc;

		(void)member_rx(d, m, &len, &rc);
		if (rc < 0) {
			outcome(out, rc, start_ns, m);
			return SIM_BEGIN_DONE;
		}
	}
	(void)d->ctrl.api->begin(d->ctrl.ctx, d->cs, start_ns);
	for (m = head; m != NULL; m = agent_txn_next(m)) {
		uint32_t len;
		int rc;
		uint8_t *rx;
		const uint8_t *tx = m->op == AGENT_OP_RX || m->op == AGENT_OP_NOP ? NULL : m->buf;
		uint32_t k;
		uint32_t count = 0u;
		bool stop = false;

		if (stopped) {
			agent_txn_set_result(m, 0);
			continue;
		}
		rx = member_rx(d, m, &len, &rc);
		if (m->op == AGENT_OP_RX && short_bytes >= 0) {
			if (short_bytes < (int64_t)len) {
				len = (uint32_t)short_bytes;
				stop = true;
			}
			short_bytes = -1;
		}
		for (k = 0; k < len; k++) {
			uint8_t miso;

			if ((int64_t)d->ctrl.api->episode_bytes(d->ctrl.ctx) == nack_at) {
				failed = m;
				break;
			}
			miso = d->ctrl.api->exchange(d->ctrl.ctx, tx == NULL ? (uint8_t)SIM_SPI_RX_FILL : tx[k], rx != NULL);
			if (rx != NULL) {
				rx[k] = miso;
			}
			count = k + 1u;
		}
		agent_txn_set_result(m, (int32_t)count);
		if (m == head) {
			head_count = (int32_t)count;
		}
		if (failed != NULL || stop) {
			stopped = true;
		}
	}
	end = d->ctrl.api->end(d->ctrl.ctx);
	if (failed != NULL) {
		outcome(out, -AGENT_EIO, end, failed);
		return SIM_BEGIN_DONE;
	}
	outcome(out, head_count, end, NULL);
	return SIM_BEGIN_DONE;
}

static const struct sim_qdev_ops spi_ops = { spi_begin, NULL, NULL, false };

int sim_spi_iodev_init(struct sim_spi_iodev *d, struct agent_iodev *dev, struct sim_spi_bus *bus, uint8_t cs,
		       uint32_t pool_read_len)
{
	return sim_spi_iodev_init_ctrl(d, dev, sim_spi_bus_ctrl(bus), cs, pool_read_len);
}

int sim_spi_iodev_init_ctrl(struct sim_spi_iodev *d, struct agent_iodev *dev, struct sim_spi_ctrl ctrl, uint8_t cs,
			    uint32_t pool_read_len)
{
	int rc = 0;

	sim_qdev_init(&d->q, &spi_ops, dev);
	if (pool_read_len == 0u) {
		pool_read_len = SIM_SPI_POOL_READ_LEN;
	} else if (pool_read_len > POOL_READ_MAX) {
		pool_read_len = SIM_SPI_POOL_READ_LEN;
		rc = -AGENT_EINVAL;
	}
	if (cs >= SIM_SPI_MAX_CHIP_SELECTS) {
		cs = 0u;
		rc = -AGENT_EINVAL;
	}
	d->ctrl = ctrl;
	d->pool_read_len = pool_read_len;
	d->cs = cs;
	dev->api = &sim_qdev_api;
	dev->data = d;
	return rc;
}
