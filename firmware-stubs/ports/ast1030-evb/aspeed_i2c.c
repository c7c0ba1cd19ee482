/* The Aspeed I2C master; see aspeed_i2c.h. */
#include "aspeed_i2c.h"
#include "ast1030.h"
#include "port.h"

/* Status bits that end a step. */
#define STEP_DONE (I2CD_TX_ACK | I2CD_TX_NAK | I2CD_RX_DONE | I2CD_ARBIT_LOSS | I2CD_NORMAL_STOP | I2CD_ABNORMAL | I2CD_SCL_TIMEOUT)
/* Status bits the controller must report (it reports only enabled ones). */
#define STATUS_ENABLED (STEP_DONE | I2CD_BUS_RECOVER_DONE)

static volatile uint32_t *reg(const struct aspeed_i2c *c, uint32_t offset)
{
	return (volatile uint32_t *)(uintptr_t)(c->base + offset);
}

/*
 * Issues @p cmd and waits for one of @p done in the status (which it then clears). Returns the
 * status bits seen, or 0 when none came within ASPEED_I2C_STEP_TIMEOUT_US.
 */
static uint32_t step(struct aspeed_i2c *c, uint32_t cmd, uint32_t done)
{
	uint64_t deadline;
	uint32_t sts;

	*reg(c, I2CD_INTR_STS) = STATUS_ENABLED;
	*reg(c, I2CD_CMD) = cmd;
	deadline = clock_now_us() + ASPEED_I2C_STEP_TIMEOUT_US;
	for (;;) {
		sts = *reg(c, I2CD_INTR_STS) & done;
		if (sts != 0u) {
			*reg(c, I2CD_INTR_STS) = sts;
			return sts;
		}
		if (clock_now_us() > deadline) {
			c->timeouts++;
			return 0u;
		}
	}
}

/* Marks the open transfer failed at the current message. */
static void fail(struct aspeed_i2c *c, int32_t status)
{
	if (c->status == 0) {
		c->status = status;
		c->failed_msg = (int32_t)c->msgs - 1;
	}
}

/* The status of a step that should have ended in @p ok. */
static void check(struct aspeed_i2c *c, uint32_t sts, uint32_t ok)
{
	if (sts == 0u) {
		fail(c, -AGENT_ETIMEDOUT);
	} else if ((sts & I2CD_TX_NAK) != 0u) {
		c->nacks++;
		fail(c, -AGENT_EIO);
	} else if ((sts & ok) == 0u) {
		fail(c, -AGENT_EIO); /* arbitration lost, abnormal condition, SCL held low */
	}
}

/* How the controller answers a byte it receives: ACK for more, NACK after the last of a read. */
enum rx_answer {
	RX_ACK,
	RX_NACK,
};

/* Receives one byte into @p out and answers it with @p answer. */
static void receive(struct aspeed_i2c *c, uint8_t *out, enum rx_answer answer)
{
	uint32_t sts = step(c, I2CD_M_RX | (answer == RX_NACK ? I2CD_M_RX_LAST : 0u), STEP_DONE);

	check(c, sts, I2CD_RX_DONE);
	if (c->status == 0) {
		*out = (uint8_t)(*reg(c, I2CD_BYTE_BUF) >> 8);
	}
}

/*
 * Reads the held-back last byte of a read message, answered with @p answer: ACK when the transfer
 * reads on, else NACK. A failure belongs to the message the byte is part of.
 */
static void flush_pending(struct aspeed_i2c *c, enum rx_answer answer)
{
	if (c->pending != NULL) {
		uint8_t *out = c->pending;
		uint32_t msgs = c->msgs;

		c->pending = NULL;
		c->msgs = c->pending_msg + 1u;
		receive(c, out, answer);
		c->msgs = msgs;
	}
}

static void xfer_begin(void *ctrl, uint16_t address, const struct agent_fault *fault, uint64_t at_ns)
{
	struct aspeed_i2c *c = ctrl;

	(void)fault; /* faults are injected into simulated buses only */
	c->start_ns = at_ns;
	c->pending = NULL;
	c->status = 0;
	c->failed_msg = -1;
	c->msgs = 0u;
	c->address = address;
	c->started = false;
	c->prev_read = false;
}

static uint32_t xfer_msg(void *ctrl, bool read, bool restart, uint8_t *buf, uint32_t len)
{
	struct aspeed_i2c *c = ctrl;
	bool readdress = c->msgs == 0u || c->prev_read != read || restart;
	uint32_t i;

	c->msgs++;
	if (c->status != 0) {
		return 0u;
	}
	if (c->address > 0x7Fu) {
		fail(c, -AGENT_ENOTSUP);
		return 0u;
	}
	flush_pending(c, read && !readdress ? RX_ACK : RX_NACK);
	if (c->status != 0) {
		return 0u;
	}
	if (readdress) {
		*reg(c, I2CD_BYTE_BUF) = ((uint32_t)c->address << 1) | (read ? 1u : 0u);
		if (!c->started) {
			c->transfers++;
		}
		c->started = true;
		check(c, step(c, I2CD_M_START | I2CD_M_TX, STEP_DONE), I2CD_TX_ACK);
		if (c->status != 0) {
			return 0u;
		}
	}
	c->prev_read = read;
	for (i = 0u; i < len; i++) {
		if (read) {
			if (i + 1u == len) {
				c->pending = &buf[i]; /* read once what follows is known */
				c->pending_msg = c->msgs - 1u;
			} else {
				receive(c, &buf[i], RX_ACK);
			}
		} else {
			*reg(c, I2CD_BYTE_BUF) = buf[i];
			check(c, step(c, I2CD_M_TX, STEP_DONE), I2CD_TX_ACK);
		}
		if (c->status != 0) {
			return i;
		}
	}
	return len;
}

static struct sim_i2c_result xfer_end(void *ctrl)
{
	struct aspeed_i2c *c = ctrl;
	struct sim_i2c_result r;

	flush_pending(c, RX_NACK);
	if (c->started) {
		/* After a NACKed address the controller may call the STOP abnormal: the bus is free either way. */
		uint32_t sts = step(c, I2CD_M_STOP, I2CD_NORMAL_STOP | I2CD_ABNORMAL);

		if (sts == 0u) {
			fail(c, -AGENT_ETIMEDOUT);
		}
		c->started = false;
	}
	r.status = c->status;
	r.failed_msg = c->status == 0 ? -1 : c->failed_msg;
	r.start_ns = c->start_ns;
	r.end_ns = c->start_ns;
	return r;
}

static uint64_t recover(void *ctrl, uint64_t at_ns)
{
	struct aspeed_i2c *c = ctrl;

	if ((*reg(c, I2CD_CMD) & I2CD_BUS_BUSY) != 0u) {
		(void)step(c, I2CD_BUS_RECOVER, I2CD_BUS_RECOVER_DONE);
	}
	return at_ns;
}

static const struct sim_i2c_ctrl_api aspeed_i2c_api = {
	.xfer_begin = xfer_begin,
	.xfer_msg = xfer_msg,
	.xfer_end = xfer_end,
	.recover = recover,
};

int aspeed_i2c_init(struct aspeed_i2c *c, uint32_t bus)
{
	if (bus >= I2C_BUSES) {
		return -AGENT_EINVAL;
	}
	c->base = I2C_BUS_BASE(bus);
	c->start_ns = 0u;
	c->pending = NULL;
	c->pending_msg = 0u;
	c->status = 0;
	c->failed_msg = -1;
	c->msgs = 0u;
	c->address = 0u;
	c->started = false;
	c->prev_read = false;
	c->transfers = 0u;
	c->nacks = 0u;
	c->timeouts = 0u;
	I2C_GLOBAL = 0u; /* old register mode */
	*reg(c, I2CD_FUN_CTRL) = I2CD_FUN_MASTER_EN;
	*reg(c, I2CD_INTR_CTRL) = STATUS_ENABLED;
	*reg(c, I2CD_INTR_STS) = 0xFFFFFFFFu;
	return 0;
}

struct sim_i2c_ctrl aspeed_i2c_ctrl(struct aspeed_i2c *c)
{
	struct sim_i2c_ctrl ctrl;

	ctrl.api = &aspeed_i2c_api;
	ctrl.ctx = c;
	return ctrl;
}
