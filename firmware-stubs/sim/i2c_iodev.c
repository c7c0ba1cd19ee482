/* The I2C iodev; see i2c_iodev.h. Follows harness/emulator/iodevs/i2c-iodev.ts. */
#include "i2c_iodev.h"

static bool is_transfer(uint8_t op)
{
	return op == AGENT_OP_RX || op == AGENT_OP_TX || op == AGENT_OP_TINY_TX;
}

static void fail(struct sim_outcome *out, int32_t result, uint64_t end_ns, struct agent_sqe *at)
{
	out->result = result;
	out->end_ns = end_ns;
	out->fail_at = at;
}

static enum sim_begin_status run_transfer(struct sim_i2c_iodev *d, struct agent_sqe *head, const struct agent_fault *fault,
					  uint64_t start_ns, struct sim_outcome *out)
{
	struct agent_sqe *m;
	struct sim_i2c_result r;
	uint8_t *pool_buf = NULL;
	uint32_t pool_len = 0u;
	uint32_t members = 0u;
	uint32_t i;
	int32_t head_count = 0;

	for (m = head; m != NULL; m = agent_txn_next(m)) {
		members++;
	}
	for (m = head; m != NULL; m = agent_txn_next(m)) {
		bool pool = (m->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u;

		if (!is_transfer(m->op) || (m->iodev_flags & AGENT_IODEV_I2C_10_BITS) != 0u || (pool && members > 1u)) {
			fail(out, -AGENT_ENOTSUP, start_ns, m);
			return SIM_BEGIN_DONE;
		}
		if (pool) {
			int rc = agent_sqe_rx_buf(m, SIM_I2C_MEMPOOL_READ_LEN, SIM_I2C_MEMPOOL_READ_LEN, &pool_buf, &pool_len);

			if (rc < 0) {
				fail(out, rc, start_ns, NULL);
				return SIM_BEGIN_DONE;
			}
		}
	}
	d->ctrl.api->xfer_begin(d->ctrl.ctx, d->address, fault, start_ns);
	for (m = head, i = 0u; m != NULL; m = agent_txn_next(m), i++) {
		uint32_t count;

		if ((m->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u) {
			count = d->ctrl.api->xfer_msg(d->ctrl.ctx, true, false, pool_buf,
						      pool_len < SIM_I2C_MEMPOOL_READ_LEN ? pool_len : SIM_I2C_MEMPOOL_READ_LEN);
		} else {
			count = d->ctrl.api->xfer_msg(d->ctrl.ctx, m->op == AGENT_OP_RX,
						      i > 0u && (m->iodev_flags & AGENT_IODEV_I2C_RESTART) != 0u, m->buf, m->buf_len);
		}
		agent_txn_set_result(m, (int32_t)count);
		if (i == 0u) {
			head_count = (int32_t)count;
		}
	}
	r = d->ctrl.api->xfer_end(d->ctrl.ctx);
	if (r.status < 0) {
		struct agent_sqe *at = head;

		for (i = 0u; at != NULL && (int32_t)i < r.failed_msg; i++) {
			at = agent_txn_next(at);
		}
		fail(out, r.status, r.end_ns, at);
		return SIM_BEGIN_DONE;
	}
	out->result = head_count;
	out->end_ns = r.end_ns;
	out->fail_at = NULL;
	return SIM_BEGIN_DONE;
}

enum sim_begin_status sim_i2c_iodev_begin(struct sim_qdev *q, struct agent_sqe *head, const struct agent_fault *fault,
					  uint64_t start_ns, struct sim_outcome *out)
{
	struct sim_i2c_iodev *d = (struct sim_i2c_iodev *)q;

	if (is_transfer(head->op)) {
		return run_transfer(d, head, fault, start_ns, out);
	}
	if (agent_txn_next(head) != NULL) {
		fail(out, -AGENT_ENOTSUP, start_ns, NULL);
		return SIM_BEGIN_DONE;
	}
	switch (head->op) {
	case AGENT_OP_I2C_RECOVER:
		out->result = 0;
		out->end_ns = d->ctrl.api->recover(d->ctrl.ctx, start_ns);
		out->fail_at = NULL;
		return SIM_BEGIN_DONE;
	case AGENT_OP_I2C_CONFIGURE:
		d->i2c_config = head->i2c_config;
		d->configured = true;
		out->result = 0;
		out->end_ns = start_ns;
		out->fail_at = NULL;
		return SIM_BEGIN_DONE;
	default:
		fail(out, -AGENT_ENOTSUP, start_ns, NULL);
		return SIM_BEGIN_DONE;
	}
}

static const struct sim_qdev_ops i2c_ops = { sim_i2c_iodev_begin, NULL, NULL, false };

void sim_i2c_iodev_init(struct sim_i2c_iodev *d, struct agent_iodev *dev, struct sim_i2c_bus *bus, uint16_t address)
{
	sim_i2c_iodev_init_ctrl(d, dev, sim_i2c_bus_ctrl(bus), address);
	d->bus = bus;
}

void sim_i2c_iodev_init_ctrl(struct sim_i2c_iodev *d, struct agent_iodev *dev, struct sim_i2c_ctrl ctrl, uint16_t address)
{
	sim_qdev_init(&d->q, &i2c_ops, dev);
	d->ctrl = ctrl;
	d->bus = NULL;
	d->i2c_config = 0u;
	d->address = address;
	d->configured = false;
	dev->api = &sim_qdev_api;
	dev->data = d;
}
