/* The I2C bus model; see i2c_bus.h. Follows harness/emulator/bus/i2c-bus.ts step for step. */
#include "i2c_bus.h"

#define MAX_7BIT 0x7fu

int sim_i2c_bus_init(struct sim_i2c_bus *bus, uint32_t bitrate_hz, uint64_t timeout_ns)
{
	int rc = 0;

	if (bitrate_hz > SIM_I2C_MAX_BITRATE_HZ) {
		rc = -AGENT_EINVAL;
		bitrate_hz = 0u;
	}
	sim_zero(bus, sizeof(*bus));
	bus->bitrate_hz = bitrate_hz == 0u ? SIM_I2C_DEFAULT_BITRATE_HZ : bitrate_hz;
	bus->timeout_ns = timeout_ns == 0u ? SIM_I2C_DEFAULT_TIMEOUT_NS : timeout_ns;
	bus->x_nack_at = -1;
	bus->x_short_bytes = -1;
	bus->x_failed = -1;
	return rc;
}

int sim_i2c_attach(struct sim_i2c_bus *bus, uint16_t address, const struct sim_i2c_device_ops *ops, void *dev)
{
	size_t i;

	if (address < 0x08u || address > 0x77u || ops == NULL || ops->start == NULL || ops->write == NULL ||
	    ops->read == NULL || ops->stop == NULL) {
		return -AGENT_EINVAL;
	}
	for (i = 0; i < bus->n_targets; i++) {
		if (bus->targets[i].address == address) {
			return -AGENT_EALREADY;
		}
	}
	if (bus->n_targets >= SIM_I2C_MAX_TARGETS) {
		return -AGENT_ENOMEM;
	}
	bus->targets[bus->n_targets].ops = ops;
	bus->targets[bus->n_targets].dev = dev;
	bus->targets[bus->n_targets].address = address;
	bus->n_targets++;
	return 0;
}

uint64_t sim_i2c_bits_to_ns(const struct sim_i2c_bus *bus, uint64_t bits)
{
	return bits * 1000000000u / bus->bitrate_hz;
}

static uint64_t wire_now(const struct sim_i2c_bus *bus)
{
	return bus->x_start_ns + sim_i2c_bits_to_ns(bus, bus->x_bits);
}

void sim_i2c_xfer_begin(struct sim_i2c_bus *bus, uint16_t address, const struct agent_fault *fault, uint64_t at_ns)
{
	size_t i;

	bus->x_open = true;
	bus->x_started = false;
	bus->x_addressed = false;
	bus->x_prev_read = false;
	bus->x_address = address;
	bus->x_msgs = 0u;
	bus->x_bits = 0u;
	bus->x_wire = 0u;
	bus->x_status = 0;
	bus->x_failed = -1;
	bus->x_start_ns = sim_max_u64(at_ns, bus->busy_until_ns);
	bus->x_nack_at = fault != NULL && fault->kind == AGENT_FAULT_NACK ? (int64_t)fault->at_byte : -1;
	bus->x_short_bytes = fault != NULL && fault->kind == AGENT_FAULT_SHORT_READ ? (int64_t)fault->bytes : -1;
	bus->x_fault_timeout = fault != NULL && fault->kind == AGENT_FAULT_BUS_TIMEOUT;
	bus->x_target = NULL;
	for (i = 0; i < bus->n_targets; i++) {
		if (bus->targets[i].address == address) {
			bus->x_target = &bus->targets[i];
		}
	}
}

uint32_t sim_i2c_xfer_msg(struct sim_i2c_bus *bus, bool read, bool restart, uint8_t *buf, uint32_t len)
{
	const struct sim_i2c_target *t = bus->x_target;
	uint32_t index;
	uint32_t n;
	uint32_t j;
	uint32_t count = 0u;

	if (!bus->x_open) {
		return 0u;
	}
	index = bus->x_msgs++;
	if (bus->x_status != 0) {
		return 0u;
	}
	if (index == 0u) {
		if (bus->x_address > MAX_7BIT) {
			bus->x_status = -AGENT_ENOTSUP;
			bus->x_failed = 0;
			return 0u;
		}
		bus->transfers++;
		if (bus->x_fault_timeout) {
			bus->timeouts++;
			bus->x_status = -AGENT_ETIMEDOUT;
			bus->x_failed = 0;
			return 0u;
		}
		bus->x_started = true;
		bus->x_bits = SIM_I2C_BITS_PER_CONDITION;
	}
	if (index == 0u || bus->x_prev_read != read || restart) {
		bool ack;

		if (index != 0u) {
			bus->x_bits += SIM_I2C_BITS_PER_CONDITION;
			bus->restarts++;
		}
		bus->x_bits += SIM_I2C_BITS_PER_BYTE;
		bus->bytes++;
		ack = (int64_t)bus->x_wire != bus->x_nack_at && t != NULL && t->ops->start(t->dev, read, wire_now(bus));
		bus->x_wire++;
		if (!ack) {
			bus->x_status = -AGENT_EIO;
			bus->x_failed = (int32_t)index;
			return 0u;
		}
		bus->x_addressed = true;
	}
	bus->x_prev_read = read;
	n = len;
	if (read && bus->x_short_bytes >= 0) {
		if ((int64_t)n > bus->x_short_bytes) {
			n = (uint32_t)bus->x_short_bytes;
		}
		bus->x_short_bytes = -1;
	}
	for (j = 0; j < n; j++) {
		bool ok;

		if (read) {
			ok = (int64_t)bus->x_wire != bus->x_nack_at;
			if (ok) {
				buf[j] = t->ops->read(t->dev, wire_now(bus));
			}
			bus->x_bits += SIM_I2C_BITS_PER_BYTE;
		} else {
			bus->x_bits += SIM_I2C_BITS_PER_BYTE;
			ok = (int64_t)bus->x_wire != bus->x_nack_at && t->ops->write(t->dev, buf[j], wire_now(bus));
		}
		bus->x_wire++;
		bus->bytes++;
		if (!ok) {
			bus->x_status = -AGENT_EIO;
			bus->x_failed = (int32_t)index;
			return count;
		}
		count++;
	}
	return count;
}

struct sim_i2c_result sim_i2c_xfer_end(struct sim_i2c_bus *bus)
{
	struct sim_i2c_result r;

	r.status = 0;
	r.failed_msg = -1;
	r.start_ns = bus->x_start_ns;
	r.end_ns = bus->x_start_ns;
	if (!bus->x_open) {
		return r;
	}
	bus->x_open = false;
	r.status = bus->x_status;
	r.failed_msg = bus->x_failed;
	if (!bus->x_started) {
		if (r.status == -AGENT_ETIMEDOUT) {
			r.end_ns = bus->x_start_ns + bus->timeout_ns;
			bus->busy_until_ns = r.end_ns;
		}
		return r;
	}
	if (r.status != 0) {
		bus->nacks++;
	}
	bus->x_bits += SIM_I2C_BITS_PER_CONDITION;
	r.end_ns = wire_now(bus);
	if (bus->x_addressed) {
		bus->x_target->ops->stop(bus->x_target->dev, r.end_ns);
	}
	bus->busy_until_ns = r.end_ns;
	return r;
}

struct sim_i2c_result sim_i2c_transfer(struct sim_i2c_bus *bus, uint16_t address, struct sim_i2c_msg *msgs, size_t n,
				       const struct agent_fault *fault, uint64_t at_ns)
{
	size_t i;

	sim_i2c_xfer_begin(bus, address, fault, at_ns);
	for (i = 0; i < n; i++) {
		msgs[i].count = sim_i2c_xfer_msg(bus, msgs[i].read, msgs[i].restart, msgs[i].buf, msgs[i].len);
	}
	return sim_i2c_xfer_end(bus);
}

uint64_t sim_i2c_recover(struct sim_i2c_bus *bus, uint64_t at_ns)
{
	uint64_t start = sim_max_u64(at_ns, bus->busy_until_ns);

	bus->recoveries++;
	bus->busy_until_ns = start + sim_i2c_bits_to_ns(bus, SIM_I2C_RECOVERY_PULSES + SIM_I2C_BITS_PER_CONDITION);
	return bus->busy_until_ns;
}

static void ctrl_begin(void *ctrl, uint16_t address, const struct agent_fault *fault, uint64_t at_ns)
{
	sim_i2c_xfer_begin(ctrl, address, fault, at_ns);
}

static uint32_t ctrl_msg(void *ctrl, bool read, bool restart, uint8_t *buf, uint32_t len)
{
	return sim_i2c_xfer_msg(ctrl, read, restart, buf, len);
}

static struct sim_i2c_result ctrl_end(void *ctrl)
{
	return sim_i2c_xfer_end(ctrl);
}

static uint64_t ctrl_recover(void *ctrl, uint64_t at_ns)
{
	return sim_i2c_recover(ctrl, at_ns);
}

static const struct sim_i2c_ctrl_api bus_ctrl_api = { ctrl_begin, ctrl_msg, ctrl_end, ctrl_recover };

struct sim_i2c_ctrl sim_i2c_bus_ctrl(struct sim_i2c_bus *bus)
{
	struct sim_i2c_ctrl c;

	c.api = &bus_ctrl_api;
	c.ctx = bus;
	return c;
}
