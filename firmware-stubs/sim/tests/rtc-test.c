/*
 * The PCF8563 model and its RTC iodev (the worked example of docs/driver-guide.md), scenario by
 * scenario as harness/emulator/devices/pcf8563.test.ts and harness/emulator/iodevs/rtc-iodev.test.ts,
 * the driver under the agent's real executor (through the test host, exec_host.c, which also
 * polices the driver contract).
 */
#include "../../tests/check.h"
#include "exec_host.h"

#include "../pcf8563.h"
#include "../rtc_iodev.h"

#define NS_PER_MS 1000000ull
#define ECANCELED_ (-AGENT_ECANCELED)
/* One timer period of the tests: 16 counts at 4096 Hz = 3.90625 ms. */
#define PERIOD_NS 3906250ull
/* A tick read: START, address, pointer, repeated START, address, 8 bytes, STOP (122 bit times
 * minus the TF clear's 29), then the TF clear; 2.5 us a bit. */
#define TICK_NS ((1u + 9u + 9u + 1u + 9u + 72u + 1u + 1u + 9u + 18u + 1u) * 2500ull)

static struct sim_i2c_bus bus;
static struct sim_pcf8563 rtc;
/* Model time of the next bus transfer in the model tests; transfers never overlap. */
static uint64_t at_ns;

static void model_rig(void)
{
	(void)sim_i2c_bus_init(&bus, 0u, 0u);
	sim_pcf8563_init(&rtc, 0u);
	CHECK_EQ(sim_pcf8563_attach(&rtc, &bus), 0);
	at_ns = 0u;
}

/* Reads n registers from reg in one transfer starting at when_ns. */
static void read_regs(uint64_t when_ns, uint8_t reg, uint8_t *out, uint32_t n)
{
	struct sim_i2c_msg msgs[2] = { { NULL, 1u, false, false, 0u }, { NULL, 0u, true, false, 0u } };
	struct sim_i2c_result r;

	msgs[0].buf = &reg;
	msgs[1].buf = out;
	msgs[1].len = n;
	r = sim_i2c_transfer(&bus, SIM_PCF8563_ADDRESS, msgs, 2u, NULL, when_ns);
	CHECK_EQ(r.status, 0);
	at_ns = r.end_ns;
}

/* Writes n bytes (register, then values) in one transfer starting at when_ns; returns its end. */
static uint64_t write_regs(uint64_t when_ns, const uint8_t *bytes, uint32_t n)
{
	struct sim_i2c_msg msg = { NULL, 0u, false, false, 0u };
	struct sim_i2c_result r;

	msg.buf = (uint8_t *)(uintptr_t)bytes;
	msg.len = n;
	r = sim_i2c_transfer(&bus, SIM_PCF8563_ADDRESS, &msg, 1u, NULL, when_ns);
	CHECK_EQ(r.status, 0);
	at_ns = r.end_ns;
	return r.end_ns;
}

static void test_power_on(void)
{
	uint8_t regs[16];

	model_rig();
	read_regs(0u, 0x00u, regs, 16u);
	CHECK_BYTES(regs, 16, 0x08, 0x00, 0x80, 0x00, 0x00, 0x01, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x03, 0x00);
}

static void test_counts_seconds(void)
{
	uint8_t t[7];

	model_rig();
	read_regs(3725999u * NS_PER_MS, SIM_PCF8563_REG_SECONDS, t, 7u);
	CHECK_BYTES(t, 7, 0x85, 0x02, 0x01, 0x01, 0x06, 0x01, 0x00);
	read_regs(86400000u * NS_PER_MS, SIM_PCF8563_REG_SECONDS, t, 7u);
	CHECK_BYTES(t, 7, 0x80, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00);
}

static void test_write_time_at_stop(void)
{
	static const uint8_t set[8] = { SIM_PCF8563_REG_SECONDS, 0x30, 0x45, 0x12, 0x15, 0x03, 0x06, 0x24 };
	struct sim_pcf8563_time t;
	uint64_t stop_ns;

	model_rig();
	stop_ns = write_regs(1700u * NS_PER_MS, set, 8u);
	sim_pcf8563_time(&rtc, stop_ns + 999999999u, &t);
	CHECK_EQ(t.seconds, 30);
	sim_pcf8563_time(&rtc, stop_ns + 1000000000u, &t);
	CHECK(t.seconds == 31 && t.minutes == 45 && t.hours == 12 && t.day == 15 && t.weekday == 3 && t.month == 6 &&
	      t.year == 24 && !t.century);
	CHECK(!rtc.vl);
}

static void test_century_rollover(void)
{
	static const uint8_t set[8] = { SIM_PCF8563_REG_SECONDS, 0x59, 0x59, 0x23, 0x31, 0x05, 0x12, 0x99 };
	uint8_t t[7];
	uint64_t stop_ns;

	model_rig();
	stop_ns = write_regs(0u, set, 8u);
	read_regs(stop_ns + 1000000000u, SIM_PCF8563_REG_SECONDS, t, 7u);
	CHECK_BYTES(t, 7, 0x00, 0x00, 0x00, 0x01, 0x06, 0x81, 0x00);
}

static void test_leap_years(void)
{
	static const uint8_t leap[8] = { SIM_PCF8563_REG_SECONDS, 0x59, 0x59, 0x23, 0x28, 0x00, 0x02, 0x24 };
	static const uint8_t common[8] = { SIM_PCF8563_REG_SECONDS, 0x59, 0x59, 0x23, 0x28, 0x00, 0x02, 0x23 };
	uint8_t t[7];
	uint8_t y;
	uint8_t m;
	uint8_t d;
	bool flipped;
	uint64_t stop_ns;

	model_rig();
	stop_ns = write_regs(0u, leap, 8u);
	read_regs(stop_ns + 1000000000u, SIM_PCF8563_REG_SECONDS, t, 7u);
	CHECK_BYTES(t + 3, 4, 0x29, 0x01, 0x02, 0x24);
	stop_ns = write_regs(at_ns, common, 8u);
	read_regs(stop_ns + 1000000000u, SIM_PCF8563_REG_SECONDS, t, 7u);
	CHECK_BYTES(t + 3, 4, 0x01, 0x01, 0x03, 0x23);
	sim_pcf8563_date_from_days(sim_pcf8563_days_from_date(0u, 2u, 29u), &y, &m, &d, &flipped);
	CHECK(y == 0u && m == 2u && d == 29u && !flipped);
	CHECK_EQ(sim_pcf8563_days_from_date(99u, 12u, 31u) + 1u, SIM_PCF8563_DAYS_PER_CENTURY);
}

static void test_latched_across_second(void)
{
	uint8_t t[7];

	model_rig();
	/* START at 999.95 ms: the address is acknowledged at 999.975, the seconds byte read at 1000.0225. */
	read_regs(999950000u, SIM_PCF8563_REG_SECONDS, t, 7u);
	CHECK(at_ns > 1000u * NS_PER_MS);
	CHECK_EQ(t[0], 0x80);
	CHECK_U64(sim_pcf8563_seconds(&rtc, at_ns), 1u);
}

static void test_stop_bit(void)
{
	static const uint8_t stop[2] = { SIM_PCF8563_REG_CONTROL1, 0x20 };
	static const uint8_t run[2] = { SIM_PCF8563_REG_CONTROL1, 0x00 };
	uint64_t resumed_ns;

	model_rig();
	(void)write_regs(5500u * NS_PER_MS, stop, 2u);
	CHECK_U64(sim_pcf8563_seconds(&rtc, 10000u * NS_PER_MS), 5u);
	/* STOP clears as its byte is acknowledged, one bit time (the STOP condition) before the transfer ends. */
	resumed_ns = write_regs(10000u * NS_PER_MS, run, 2u) - 2500u;
	CHECK_U64(rtc.base_at_ns, resumed_ns);
	CHECK_U64(sim_pcf8563_seconds(&rtc, resumed_ns + 999999999u), 5u);
	CHECK_U64(sim_pcf8563_seconds(&rtc, resumed_ns + 1000000000u), 6u);
}

static void test_clamps(void)
{
	static const uint8_t set[8] = { SIM_PCF8563_REG_SECONDS, 0x00, 0x00, 0x00, 0x31, 0x07, 0x02, 0x23 };
	static const uint8_t month[2] = { SIM_PCF8563_REG_MONTHS, 0x13 };
	uint8_t t[7];

	model_rig();
	(void)write_regs(0u, set, 8u);
	read_regs(at_ns, SIM_PCF8563_REG_SECONDS, t, 7u);
	CHECK_BYTES(t + 3, 4, 0x28, 0x06, 0x02, 0x23);
	(void)write_regs(at_ns, month, 2u);
	read_regs(at_ns, SIM_PCF8563_REG_SECONDS, t, 7u);
	CHECK_EQ(t[5], 0x12);
}

static void test_timer_flag(void)
{
	static const uint8_t count[2] = { SIM_PCF8563_REG_TIMER, 16u };
	static const uint8_t enable[2] = { SIM_PCF8563_REG_TIMER_CONTROL, 0x80 };
	static const uint8_t keep_tf[2] = { SIM_PCF8563_REG_CONTROL2, 0x05 };
	static const uint8_t clear_tf[2] = { SIM_PCF8563_REG_CONTROL2, 0x01 };
	uint64_t epoch;
	uint8_t c2;

	model_rig();
	(void)write_regs(0u, count, 2u);
	(void)write_regs(at_ns, enable, 2u);
	epoch = rtc.timer_epoch_ns;
	CHECK_U64(epoch, at_ns - 2500u);
	CHECK_U64(sim_pcf8563_next_timer_flag_ns(&rtc, at_ns), epoch + PERIOD_NS);
	/* CONTROL2 is read 29 bit times (72.5 us) after the START. */
	read_regs(epoch + PERIOD_NS - 100000u, SIM_PCF8563_REG_CONTROL2, &c2, 1u);
	CHECK_EQ(c2 & SIM_PCF8563_CTRL2_TF, 0);
	read_regs(epoch + PERIOD_NS, SIM_PCF8563_REG_CONTROL2, &c2, 1u);
	CHECK_EQ(c2 & SIM_PCF8563_CTRL2_TF, SIM_PCF8563_CTRL2_TF);
	CHECK(!sim_pcf8563_interrupt(&rtc, at_ns));
	(void)write_regs(at_ns, keep_tf, 2u);
	CHECK(sim_pcf8563_interrupt(&rtc, at_ns));
	(void)write_regs(at_ns, clear_tf, 2u);
	CHECK(!sim_pcf8563_interrupt(&rtc, at_ns));
	CHECK_U64(sim_pcf8563_next_timer_flag_ns(&rtc, at_ns), epoch + 2u * PERIOD_NS);
	CHECK_EQ(rtc.timer_flags, 1);
}

static void test_flags_never_set_by_writes_and_pointer_wraps(void)
{
	static const uint8_t flags[2] = { SIM_PCF8563_REG_CONTROL2, 0x1f };
	static const uint8_t wrap[3] = { SIM_PCF8563_REG_TIMER, 0x07, 0x08 };
	uint8_t out[2];

	model_rig();
	(void)write_regs(0u, flags, 2u);
	read_regs(at_ns, SIM_PCF8563_REG_CONTROL2, out, 1u);
	CHECK_EQ(out[0], 0x13);
	(void)write_regs(at_ns, wrap, 3u);
	read_regs(at_ns, SIM_PCF8563_REG_TIMER, out, 2u);
	CHECK_BYTES(out, 2, 0x07, 0x08);
	CHECK(sim_pcf8563_to_bcd(59u) == 0x59 && sim_pcf8563_from_bcd(0x99) == 99u);
}

/* ------------------------------------------------------------------ the iodev */

static struct host host;
static struct agent_iodev rtc_dev;
static struct sim_rtc_iodev rtc_io;

static void iodev_rig(uint32_t blocks)
{
	memset(&rtc_dev, 0, sizeof(rtc_dev));
	model_rig();
	sim_rtc_iodev_init(&rtc_io, &rtc_dev, &bus, &rtc);
	host_init(&host, 16u, blocks);
	host_add_iodev(&host, &rtc_dev);
}

static int32_t res(const struct host_sqe *s, unsigned k)
{
	const struct host_cqe *c = host_cqe_of(&host, s, k);

	return c != NULL ? c->result : 999999;
}

/* Enables the timer (16 counts at 4096 Hz) with TIE, as three chained writes. */
static void enable_timer(void)
{
	static const uint8_t count[2] = { SIM_PCF8563_REG_TIMER, 16u };
	static const uint8_t tie[2] = { SIM_PCF8563_REG_CONTROL2, 0x01 };
	static const uint8_t enable[2] = { SIM_PCF8563_REG_TIMER_CONTROL, 0x80 };
	struct host_sqe *a = host_write(&host, &rtc_dev, count, 2u);
	struct host_sqe *b = host_write(&host, &rtc_dev, tie, 2u);
	struct host_sqe *c = host_write(&host, &rtc_dev, enable, 2u);

	a->flags |= AGENT_SQE_CHAINED;
	b->flags |= AGENT_SQE_CHAINED;
	host_submit_idle(&host);
	CHECK(res(a, 0u) == 2 && res(b, 0u) == 2 && res(c, 0u) == 2);
}

static void clean(void)
{
	CHECK_EQ(host.violations, 0);
	CHECK_EQ(host_inflight(&host), 0);
}

static void test_iodev_registers(void)
{
	static const uint8_t reg[1] = { SIM_PCF8563_REG_CLKOUT };
	uint8_t rx[1];
	struct host_sqe *w;
	struct host_sqe *r;

	iodev_rig(2u);
	w = host_write(&host, &rtc_dev, reg, 1u);
	w->flags |= AGENT_SQE_TRANSACTION;
	r = host_read(&host, &rtc_dev, rx, 1u);
	host_submit_idle(&host);
	CHECK(res(w, 0u) == 1 && res(r, 0u) == 1);
	CHECK_EQ(rx[0], 0x80);
	clean();
}

static void test_iodev_tick_read(void)
{
	struct host_sqe *s;
	const struct host_cqe *c;

	iodev_rig(2u);
	enable_timer();
	s = host_read_pool(&host, &rtc_dev);
	host_submit(&host);
	host_run_cqes(&host, 4u);
	c = host_cqe_of(&host, s, 0u);
	CHECK(c != NULL && c->result == (int32_t)SIM_RTC_TICK_RECORD_LEN && c->buf != NULL);
	if (c != NULL && c->buf != NULL) {
		CHECK_U64(c->at_us, (rtc.timer_epoch_ns + PERIOD_NS + TICK_NS + 999u) / 1000u);
		CHECK_BYTES(c->buf, 7, 0x80, 0x00, 0x00, 0x01, 0x06, 0x01, 0x00);
		host_release(&host, c);
	}
	CHECK(!sim_pcf8563_interrupt(&rtc, host.now_us * 1000u));
	CHECK_EQ(rtc_io.ticks, 1);
	clean();
}

static void test_iodev_multishot(void)
{
	struct host_sqe *s;
	const struct host_cqe *last;
	uint64_t prev = 0u;
	unsigned n;

	iodev_rig(2u);
	enable_timer();
	s = host_read_pool(&host, &rtc_dev);
	s->flags |= AGENT_SQE_MULTISHOT;
	host_submit(&host);
	for (n = 0u; n < 4u; n++) {
		const struct host_cqe *c;

		host_run_cqes(&host, 4u + n);
		c = host_cqe_of(&host, s, n);
		CHECK(c != NULL && c->result == (int32_t)SIM_RTC_TICK_RECORD_LEN && c->flags == (HOST_CQE_MEMPOOL | HOST_CQE_MORE));
		if (c == NULL) {
			break;
		}
		if (n > 0u) {
			/* One record per period; completions are reported at whole us. */
			CHECK(c->at_us - prev >= PERIOD_NS / 1000u && c->at_us - prev <= PERIOD_NS / 1000u + 1u);
		}
		prev = c->at_us;
		host_release(&host, c);
	}
	CHECK_EQ(host_cancel(&host, s), 0);
	last = host_cqe_of(&host, s, 4u);
	CHECK(last != NULL && last->result == ECANCELED_ && last->flags == 0u);
	host_run_idle(&host);
	CHECK(host_cqe_of(&host, s, 5u) == NULL);
	CHECK_EQ(host_pool_free(&host), 2);
	clean();
}

static void test_iodev_waits_until_cancelled(void)
{
	struct host_sqe *s;

	iodev_rig(2u);
	s = host_read_pool(&host, &rtc_dev);
	host_submit(&host);
	host_run_until(&host, 1000000u);
	CHECK(host_cqe_of(&host, s, 0u) == NULL);
	CHECK_EQ(host_cancel(&host, s), 0);
	CHECK_EQ(res(s, 0u), ECANCELED_);
	clean();
}

static void test_iodev_enomem(void)
{
	struct host_sqe *a;
	struct host_sqe *b;
	struct host_sqe *c;

	iodev_rig(2u);
	enable_timer();
	a = host_read_pool(&host, &rtc_dev);
	b = host_read_pool(&host, &rtc_dev);
	c = host_read_pool(&host, &rtc_dev);
	host_submit(&host);
	host_run_cqes(&host, 6u);
	CHECK(res(a, 0u) == 7 && res(b, 0u) == 7 && res(c, 0u) == -AGENT_ENOMEM);
	CHECK(sim_pcf8563_interrupt(&rtc, host.now_us * 1000u));
	host_release(&host, host_cqe_of(&host, a, 0u));
	host_release(&host, host_cqe_of(&host, b, 0u));
	CHECK_EQ(host_pool_free(&host), 2);
	clean();
}

static void test_iodev_nack(void)
{
	struct host_sqe *s;

	iodev_rig(2u);
	enable_timer();
	host_inject(&rtc_dev, AGENT_FAULT_NACK, 3u, 0u, 0u, 1u);
	s = host_read_pool(&host, &rtc_dev);
	host_submit(&host);
	host_run_cqes(&host, 4u);
	CHECK_EQ(res(s, 0u), -AGENT_EIO);
	CHECK_EQ(host_pool_free(&host), 2);
	CHECK(sim_pcf8563_interrupt(&rtc, host.now_us * 1000u));
	clean();
}

#define T(fn) { #fn, fn }

int main(void)
{
	static const struct check_test tests[] = {
		T(test_power_on), T(test_counts_seconds), T(test_write_time_at_stop), T(test_century_rollover),
		T(test_leap_years), T(test_latched_across_second), T(test_stop_bit), T(test_clamps), T(test_timer_flag),
		T(test_flags_never_set_by_writes_and_pointer_wraps),
		T(test_iodev_registers), T(test_iodev_tick_read), T(test_iodev_multishot), T(test_iodev_waits_until_cancelled),
		T(test_iodev_enomem), T(test_iodev_nack),
	};

	return check_run("sim-rtc", tests, sizeof(tests) / sizeof(tests[0]));
}
