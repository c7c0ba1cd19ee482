/* The RTC iodev; see rtc_iodev.h. Follows harness/emulator/iodevs/rtc-iodev.ts. */
#include "rtc_iodev.h"

/* Bytes the tick read's first transfer reads: CONTROL2, then the time registers. */
#define TICK_READ_LEN (1u + SIM_RTC_TICK_RECORD_LEN)

static bool is_tick(struct agent_sqe *head)
{
	return head->op == AGENT_OP_RX && (head->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u && agent_txn_next(head) == NULL;
}

static void done(struct sim_outcome *out, int32_t result, uint64_t end_ns)
{
	out->result = result;
	out->end_ns = end_ns;
	out->fail_at = NULL;
}

static enum sim_begin_status read_tick(struct sim_rtc_iodev *d, struct agent_sqe *head, const struct agent_fault *fault,
				       uint64_t at_ns, struct sim_outcome *out)
{
	uint8_t pointer = SIM_PCF8563_REG_CONTROL2;
	uint8_t regs[TICK_READ_LEN];
	uint8_t clear[2];
	struct sim_i2c_msg msgs[2];
	struct sim_i2c_result r;
	uint8_t *buf;
	uint32_t buf_len;
	uint32_t got;
	uint32_t i;
	int rc = agent_sqe_rx_buf(head, SIM_RTC_TICK_RECORD_LEN, SIM_RTC_TICK_RECORD_LEN, &buf, &buf_len);

	if (rc < 0) {
		done(out, rc, at_ns);
		return SIM_BEGIN_DONE;
	}
	msgs[0].buf = &pointer;
	msgs[0].len = 1u;
	msgs[0].read = false;
	msgs[0].restart = false;
	msgs[1].buf = regs;
	msgs[1].len = TICK_READ_LEN;
	msgs[1].read = true;
	msgs[1].restart = false;
	r = sim_i2c_transfer(d->i2c.bus, d->i2c.address, msgs, 2u, fault, at_ns);
	if (r.status < 0) {
		done(out, r.status, r.end_ns);
		return SIM_BEGIN_DONE;
	}
	got = msgs[1].count > 0u ? msgs[1].count - 1u : 0u;
	for (i = 0u; i < got; i++) {
		buf[i] = regs[i + 1u];
	}
	if (got < SIM_RTC_TICK_RECORD_LEN) {
		done(out, (int32_t)got, r.end_ns);
		return SIM_BEGIN_DONE;
	}
	clear[0] = SIM_PCF8563_REG_CONTROL2;
	clear[1] = (uint8_t)((regs[0] & ~SIM_PCF8563_CTRL2_TF) | SIM_PCF8563_CTRL2_AF);
	msgs[0].buf = clear;
	msgs[0].len = 2u;
	r = sim_i2c_transfer(d->i2c.bus, d->i2c.address, msgs, 1u, NULL, r.end_ns);
	if (r.status < 0) {
		done(out, r.status, r.end_ns);
		return SIM_BEGIN_DONE;
	}
	d->ticks++;
	done(out, (int32_t)SIM_RTC_TICK_RECORD_LEN, r.end_ns);
	return SIM_BEGIN_DONE;
}

/* Reads a tick if INT is asserted at at_ns, else sets the wake time (the next timer flag) and waits. */
static enum sim_begin_status try_tick(struct sim_rtc_iodev *d, struct agent_sqe *head, const struct agent_fault *fault,
				      uint64_t at_ns, struct sim_outcome *out)
{
	if (sim_pcf8563_interrupt(d->rtc, at_ns)) {
		return read_tick(d, head, fault, at_ns, out);
	}
	d->i2c.q.wake_ns = sim_pcf8563_next_timer_flag_ns(d->rtc, at_ns);
	return SIM_BEGIN_WAIT;
}

static enum sim_begin_status rtc_begin(struct sim_qdev *q, struct agent_sqe *head, const struct agent_fault *fault,
				       uint64_t start_ns, struct sim_outcome *out)
{
	if (!is_tick(head)) {
		return sim_i2c_iodev_begin(q, head, fault, start_ns, out);
	}
	return try_tick((struct sim_rtc_iodev *)q, head, fault, start_ns, out);
}

static enum sim_begin_status rtc_resume(struct sim_qdev *q, struct agent_sqe *head, const struct agent_fault *fault,
					uint64_t at_ns, struct sim_outcome *out)
{
	return try_tick((struct sim_rtc_iodev *)q, head, fault, at_ns, out);
}

static const struct sim_qdev_ops rtc_ops = { rtc_begin, rtc_resume, NULL, false };

void sim_rtc_iodev_init(struct sim_rtc_iodev *d, struct agent_iodev *dev, struct sim_i2c_bus *bus, struct sim_pcf8563 *rtc)
{
	sim_i2c_iodev_init(&d->i2c, dev, bus, SIM_PCF8563_ADDRESS);
	sim_qdev_init(&d->i2c.q, &rtc_ops, dev);
	dev->api = &sim_qdev_api;
	dev->data = d;
	d->rtc = rtc;
	d->ticks = 0u;
}
