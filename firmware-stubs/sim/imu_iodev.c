/* The IMU iodev; see imu_iodev.h. Follows harness/emulator/iodevs/imu-iodev.ts. */
#include "imu_iodev.h"

static bool is_batch(struct agent_sqe *head)
{
	return head->op == AGENT_OP_RX && (head->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u && agent_txn_next(head) == NULL;
}

static void done(struct sim_outcome *out, int32_t result, uint64_t end_ns)
{
	out->result = result;
	out->end_ns = end_ns;
	out->fail_at = NULL;
}

/* A register read: write the register number, then (repeated START) read len bytes. */
static struct sim_i2c_result read_reg(struct sim_imu_iodev *d, uint8_t reg, uint8_t *buf, uint32_t len,
				      const struct agent_fault *fault, uint64_t at_ns, uint32_t *count)
{
	struct sim_i2c_msg msgs[2];
	struct sim_i2c_result r;

	msgs[0].buf = &reg;
	msgs[0].len = 1u;
	msgs[0].read = false;
	msgs[0].restart = false;
	msgs[1].buf = buf;
	msgs[1].len = len;
	msgs[1].read = true;
	msgs[1].restart = false;
	r = sim_i2c_transfer(d->i2c.bus, d->i2c.address, msgs, 2u, fault, at_ns);
	*count = msgs[1].count;
	return r;
}

static void no_fault(struct agent_fault *f)
{
	f->kind = AGENT_FAULT_NONE;
	f->at_byte = 0u;
	f->bytes = 0u;
	f->delay_us = 0u;
	f->count = 0u;
}

static enum sim_begin_status read_batch(struct sim_imu_iodev *d, struct agent_sqe *head, const struct agent_fault *fault,
					uint64_t at_ns, struct sim_outcome *out)
{
	struct agent_fault count_fault;
	struct agent_fault data_fault;
	struct sim_i2c_result r;
	uint8_t count[2] = { 0u, 0u };
	uint32_t moved;
	uint32_t bytes;
	uint32_t want;
	uint8_t *buf;
	uint32_t buf_len;
	uint32_t len;

	no_fault(&count_fault);
	no_fault(&data_fault);
	switch (fault->kind) {
	case AGENT_FAULT_NACK:
		if (fault->at_byte < SIM_IMU_COUNT_READ_BYTES) {
			count_fault = *fault;
		} else {
			data_fault = *fault;
			data_fault.at_byte -= SIM_IMU_COUNT_READ_BYTES;
		}
		break;
	case AGENT_FAULT_SHORT_READ:
		data_fault = *fault;
		break;
	case AGENT_FAULT_BUS_TIMEOUT:
		count_fault = *fault;
		break;
	default:
		break;
	}
	r = read_reg(d, SIM_ICM42688_REG_FIFO_COUNTH, count, 2u, &count_fault, at_ns, &moved);
	if (r.status < 0) {
		done(out, r.status, r.end_ns);
		return SIM_BEGIN_DONE;
	}
	bytes = ((uint32_t)count[0] << 8) | count[1];
	want = bytes - bytes % SIM_ICM42688_PACKET_SIZE;
	if (want > d->max_batch_bytes) {
		want = d->max_batch_bytes;
	}
	if (want == 0u) {
		done(out, 0, r.end_ns);
		return SIM_BEGIN_DONE;
	}
	{
		int rc = agent_sqe_rx_buf(head, SIM_ICM42688_PACKET_SIZE, want, &buf, &buf_len);

		if (rc < 0) {
			done(out, rc, r.end_ns);
			return SIM_BEGIN_DONE;
		}
	}
	len = buf_len - buf_len % SIM_ICM42688_PACKET_SIZE;
	if (len > want) {
		len = want;
	}
	r = read_reg(d, SIM_ICM42688_REG_FIFO_DATA, buf, len, &data_fault, r.end_ns, &moved);
	if (r.status < 0) {
		done(out, r.status, r.end_ns);
		return SIM_BEGIN_DONE;
	}
	d->batches++;
	done(out, (int32_t)moved, r.end_ns);
	return SIM_BEGIN_DONE;
}

/* Reads a batch if the watermark is reached at at_ns, else sets the wake time and waits. */
static enum sim_begin_status try_batch(struct sim_imu_iodev *d, struct agent_sqe *head, const struct agent_fault *fault,
				       uint64_t at_ns, struct sim_outcome *out)
{
	if (sim_icm42688_fifo_packets(d->imu, at_ns) >= d->watermark_packets) {
		return read_batch(d, head, fault, at_ns, out);
	}
	d->i2c.q.wake_ns = sim_icm42688_next_packet_at(d->imu, d->watermark_packets, at_ns);
	return SIM_BEGIN_WAIT;
}

static enum sim_begin_status imu_begin(struct sim_qdev *q, struct agent_sqe *head, const struct agent_fault *fault,
				       uint64_t start_ns, struct sim_outcome *out)
{
	if (!is_batch(head)) {
		return sim_i2c_iodev_begin(q, head, fault, start_ns, out);
	}
	return try_batch((struct sim_imu_iodev *)q, head, fault, start_ns, out);
}

static enum sim_begin_status imu_resume(struct sim_qdev *q, struct agent_sqe *head, const struct agent_fault *fault,
					uint64_t at_ns, struct sim_outcome *out)
{
	return try_batch((struct sim_imu_iodev *)q, head, fault, at_ns, out);
}

static const struct sim_qdev_ops imu_ops = { imu_begin, imu_resume, NULL, false };

int sim_imu_iodev_init(struct sim_imu_iodev *d, struct agent_iodev *dev, struct sim_i2c_bus *bus, struct sim_icm42688 *imu,
		       uint32_t watermark_packets, uint32_t max_batch_bytes)
{
	int rc = 0;

	sim_i2c_iodev_init(&d->i2c, dev, bus, imu->address);
	sim_qdev_init(&d->i2c.q, &imu_ops, dev);
	dev->api = &sim_qdev_api;
	dev->data = d;
	if (watermark_packets == 0u) {
		watermark_packets = SIM_IMU_DEFAULT_WATERMARK_PACKETS;
	} else if (watermark_packets > SIM_ICM42688_FIFO_PACKETS) {
		watermark_packets = SIM_IMU_DEFAULT_WATERMARK_PACKETS;
		rc = -AGENT_EINVAL;
	}
	if (max_batch_bytes == 0u) {
		max_batch_bytes = SIM_IMU_DEFAULT_MAX_BATCH_BYTES;
	} else if (max_batch_bytes < SIM_ICM42688_PACKET_SIZE) {
		max_batch_bytes = SIM_IMU_DEFAULT_MAX_BATCH_BYTES;
		rc = -AGENT_EINVAL;
	}
	d->imu = imu;
	d->watermark_packets = watermark_packets;
	d->max_batch_bytes = max_batch_bytes - max_batch_bytes % SIM_ICM42688_PACKET_SIZE;
	d->batches = 0u;
	return rc;
}
