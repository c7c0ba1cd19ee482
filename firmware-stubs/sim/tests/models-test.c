/*
 * Byte-level tests of the bus and device models, mirroring the TS tests in
 * harness/emulator/bus and devices (*.test.ts); the golden bytes both implementations must give
 * are protocol/vectors/devices (device-vectors-test.c). Built twice: with the dense flash and with
 * SIM_NOR_FLASH_SPARSE_PAGES set.
 *
 * Over 600 lines: one test per scenario of the TS model tests (two buses, six devices), in one
 * binary so the sparse-flash build runs them all again.
 */
#include "../../tests/check.h"

#include "../eeprom_24c32.h"
#include "../gpio_lines.h"
#include "../i2c_bus.h"
#include "../icm42688.h"
#include "../nor_flash.h"
#include "../spi_bus.h"
#include "../tmp102.h"

#define MS(x) ((uint64_t)(x) * SIM_NS_PER_MS)
#define US(x) ((uint64_t)(x) * SIM_NS_PER_US)
/* ns of `bits` bit times at 400 kHz. */
#define BITS(x) ((uint64_t)(x) * 2500u)
/* START, address, one register byte, repeated START, address, two bytes, STOP. */
#define REG_READ_BITS (1 + 9 + 9 + 1 + 9 + 18 + 1)

/* ------------------------------------------------------------------ I2C bus */

/* A target that logs every bus event (with the bus time) and serves bytes 0xA0, 0xA1, ... */
struct log_device {
	char log[32][12];
	uint64_t times[32];
	unsigned n;
	bool nack_address;
	unsigned nack_data_after;
	uint8_t next;
	unsigned written;
};

static void note(struct log_device *d, const char *what, uint64_t now_ns)
{
	if (d->n < 32u) {
		snprintf(d->log[d->n], sizeof(d->log[0]), "%s", what);
		d->times[d->n] = now_ns;
		d->n++;
	}
}

static bool log_start(void *dev, bool read, uint64_t now_ns)
{
	struct log_device *d = dev;

	note(d, read ? "S R" : "S W", now_ns);
	d->written = 0u;
	return !d->nack_address;
}

static bool log_write(void *dev, uint8_t byte, uint64_t now_ns)
{
	struct log_device *d = dev;
	char buf[12];

	snprintf(buf, sizeof(buf), "w %x", byte);
	note(d, buf, now_ns);
	return d->written++ < d->nack_data_after;
}

static uint8_t log_read(void *dev, uint64_t now_ns)
{
	struct log_device *d = dev;

	note(d, "r", now_ns);
	return d->next++;
}

static void log_stop(void *dev, uint64_t now_ns)
{
	note(dev, "P", now_ns);
}

static const struct sim_i2c_device_ops log_ops = { log_start, log_write, log_read, log_stop };

static void log_init(struct log_device *d)
{
	memset(d, 0, sizeof(*d));
	d->nack_data_after = 1000u;
	d->next = 0xa0u;
}

/* The log joined with '|'. */
static const char *log_str(const struct log_device *d)
{
	static char out[256];
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < d->n; i++) {
		if (i > 0u) {
			strcat(out, "|");
		}
		strcat(out, d->log[i]);
	}
	return out;
}

static struct sim_i2c_bus bus;
static struct log_device dev42;

static void i2c_rig(void)
{
	(void)sim_i2c_bus_init(&bus, 0u, 0u);
	log_init(&dev42);
	CHECK_EQ(sim_i2c_attach(&bus, 0x42u, &log_ops, &dev42), 0);
}

static void msg(struct sim_i2c_msg *m, bool read, uint8_t *buf, uint32_t len, bool restart)
{
	m->buf = buf;
	m->len = len;
	m->read = read;
	m->restart = restart;
	m->count = 0u;
}

/* Register read: write reg, read 2 into rx. */
static struct sim_i2c_result reg_read(uint16_t addr, uint8_t *reg, uint8_t *rx, struct sim_i2c_msg *m,
				      const struct agent_fault *fault, uint64_t at)
{
	msg(&m[0], false, reg, 1u, false);
	msg(&m[1], true, rx, 2u, false);
	return sim_i2c_transfer(&bus, addr, m, 2u, fault, at);
}

static void test_i2c_register_read(void)
{
	uint8_t reg = 0x10u;
	uint8_t rx[2];
	struct sim_i2c_msg m[2];
	struct sim_i2c_result r;

	i2c_rig();
	r = reg_read(0x42u, &reg, rx, m, NULL, 0u);
	CHECK_EQ(r.status, 0);
	CHECK_EQ(m[0].count, 1);
	CHECK_EQ(m[1].count, 2);
	CHECK_EQ(r.failed_msg, -1);
	CHECK(strcmp(log_str(&dev42), "S W|w 10|S R|r|r|P") == 0);
	CHECK_BYTES(rx, 2, 0xa0, 0xa1);
	CHECK_U64(r.end_ns - r.start_ns, BITS(REG_READ_BITS));
	CHECK_U64(r.end_ns, 120000u);
	CHECK_EQ(bus.restarts, 1);
	CHECK_EQ(bus.transfers, 1);
	CHECK_EQ(bus.bytes, 5);
}

static void test_i2c_write_phases(void)
{
	uint8_t a[2] = { 1, 2 };
	uint8_t b[1] = { 3 };
	struct sim_i2c_msg m[2];
	struct sim_i2c_result r;

	i2c_rig();
	msg(&m[0], false, a, 2u, false);
	msg(&m[1], false, b, 1u, false);
	r = sim_i2c_transfer(&bus, 0x42u, m, 2u, NULL, 0u);
	CHECK(strcmp(log_str(&dev42), "S W|w 1|w 2|w 3|P") == 0);
	CHECK_U64(r.end_ns - r.start_ns, BITS(1 + 9 + 27 + 1));
	CHECK_EQ(bus.restarts, 0);
	dev42.n = 0u;
	msg(&m[1], false, b, 1u, true);
	r = sim_i2c_transfer(&bus, 0x42u, m, 2u, NULL, 0u);
	CHECK(strcmp(log_str(&dev42), "S W|w 1|w 2|S W|w 3|P") == 0);
	CHECK_U64(r.end_ns - r.start_ns, BITS(1 + 9 + 18 + 1 + 9 + 9 + 1));
	CHECK_EQ(bus.restarts, 1);
}

static void test_i2c_bitrates(void)
{
	static const uint32_t hz[3] = { 100000u, 400000u, 1000000u };
	unsigned i;

	for (i = 0; i < 3u; i++) {
		uint8_t reg = 0u;
		uint8_t rx[2];
		struct sim_i2c_msg m[2];
		struct sim_i2c_result r;

		CHECK_EQ(sim_i2c_bus_init(&bus, hz[i], 0u), 0);
		log_init(&dev42);
		(void)sim_i2c_attach(&bus, 0x42u, &log_ops, &dev42);
		r = reg_read(0x42u, &reg, rx, m, NULL, 0u);
		CHECK_U64(r.end_ns - r.start_ns, (uint64_t)REG_READ_BITS * 1000000000u / hz[i]);
	}
	CHECK_EQ(sim_i2c_bus_init(&bus, 0u, 0u), 0);
	CHECK_EQ(bus.bitrate_hz, 400000);
	CHECK_U64(bus.timeout_ns, MS(25));
	CHECK_EQ(sim_i2c_bus_init(&bus, 6000000u, 0u), -AGENT_EINVAL);
}

static void test_i2c_absent_address(void)
{
	uint8_t reg = 0u;
	uint8_t rx[2] = { 0x55, 0x55 };
	struct sim_i2c_msg m[2];
	struct sim_i2c_result r;

	i2c_rig();
	r = reg_read(0x43u, &reg, rx, m, NULL, 0u);
	CHECK_EQ(r.status, -AGENT_EIO);
	CHECK_EQ(r.failed_msg, 0);
	CHECK_EQ(m[0].count, 0);
	CHECK_EQ(m[1].count, 0);
	CHECK_U64(r.end_ns - r.start_ns, BITS(11));
	CHECK_EQ(bus.nacks, 1);
	CHECK_BYTES(rx, 2, 0x55, 0x55);
}

static void test_i2c_busy_device_no_stop(void)
{
	uint8_t b = 1u;
	struct sim_i2c_msg m[1];
	struct sim_i2c_result r;

	i2c_rig();
	dev42.nack_address = true;
	msg(&m[0], false, &b, 1u, false);
	r = sim_i2c_transfer(&bus, 0x42u, m, 1u, NULL, 0u);
	CHECK_EQ(r.status, -AGENT_EIO);
	CHECK(strcmp(log_str(&dev42), "S W") == 0);
}

static void test_i2c_data_nack(void)
{
	uint8_t nine = 9u;
	uint8_t tx[4] = { 1, 2, 3, 4 };
	struct sim_i2c_msg m[2];
	struct sim_i2c_result r;

	i2c_rig();
	dev42.nack_data_after = 1u;
	msg(&m[0], false, &nine, 1u, false);
	msg(&m[1], false, tx, 4u, true);
	r = sim_i2c_transfer(&bus, 0x42u, m, 2u, NULL, 0u);
	CHECK_EQ(r.status, -AGENT_EIO);
	CHECK_EQ(r.failed_msg, 1);
	CHECK_EQ(m[0].count, 1);
	CHECK_EQ(m[1].count, 1);
	CHECK(strcmp(log_str(&dev42), "S W|w 9|S W|w 1|w 2|P") == 0);
	CHECK_U64(r.end_ns - r.start_ns, BITS(1 + 9 + 9 + 1 + 9 + 18 + 1));
}

static void test_i2c_injected_nack(void)
{
	static const struct {
		uint32_t at;
		int32_t failed;
		uint32_t c0, c1;
		const char *log;
	} cases[] = {
		{ 0u, 0, 0u, 0u, "" },
		{ 1u, 0, 0u, 0u, "S W|P" },
		{ 2u, 1, 1u, 0u, "S W|w 10|P" },
		{ 3u, 1, 1u, 0u, "S W|w 10|S R|P" },
		{ 4u, 1, 1u, 1u, "S W|w 10|S R|r|P" },
	};
	struct agent_fault f = { AGENT_FAULT_NACK, 0u, 0u, 0u, 1u };
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t reg = 0x10u;
		uint8_t rx[2];
		struct sim_i2c_msg m[2];
		struct sim_i2c_result r;

		i2c_rig();
		f.at_byte = cases[i].at;
		r = reg_read(0x42u, &reg, rx, m, &f, 0u);
		CHECK_EQ(r.status, -AGENT_EIO);
		CHECK_EQ(r.failed_msg, cases[i].failed);
		CHECK_EQ(m[0].count, cases[i].c0);
		CHECK_EQ(m[1].count, cases[i].c1);
		CHECK(strcmp(log_str(&dev42), cases[i].log) == 0);
		CHECK_U64(r.end_ns - r.start_ns, BITS(1u + 9u * (cases[i].at + 1u) + (cases[i].at >= 2u ? 1u : 0u) + 1u));
	}
	{
		uint8_t reg = 0x10u;
		uint8_t rx[2];
		struct sim_i2c_msg m[2];

		f.at_byte = 5u;
		CHECK_EQ(reg_read(0x42u, &reg, rx, m, &f, 0u).status, 0);
	}
}

static void test_i2c_short_read(void)
{
	uint8_t zero = 0u;
	uint8_t rx[4] = { 0 };
	struct sim_i2c_msg m[2];
	struct agent_fault f = { AGENT_FAULT_SHORT_READ, 0u, 1u, 0u, 1u };
	struct sim_i2c_result r;

	i2c_rig();
	msg(&m[0], false, &zero, 1u, false);
	msg(&m[1], true, rx, 4u, false);
	r = sim_i2c_transfer(&bus, 0x42u, m, 2u, &f, 0u);
	CHECK_EQ(r.status, 0);
	CHECK_EQ(m[0].count, 1);
	CHECK_EQ(m[1].count, 1);
	CHECK_BYTES(rx, 4, 0xa0, 0, 0, 0);
	CHECK(strcmp(log_str(&dev42), "S W|w 0|S R|r|P") == 0);
	CHECK_U64(r.end_ns - r.start_ns, BITS(1 + 9 + 9 + 1 + 9 + 9 + 1));
}

static void test_i2c_bus_timeout(void)
{
	uint8_t reg = 0u;
	uint8_t rx[2];
	struct sim_i2c_msg m[2];
	struct agent_fault f = { AGENT_FAULT_BUS_TIMEOUT, 0u, 0u, 0u, 1u };
	struct sim_i2c_result r;

	(void)sim_i2c_bus_init(&bus, 0u, MS(10));
	log_init(&dev42);
	(void)sim_i2c_attach(&bus, 0x42u, &log_ops, &dev42);
	r = reg_read(0x42u, &reg, rx, m, &f, 0u);
	CHECK_EQ(r.status, -AGENT_ETIMEDOUT);
	CHECK_U64(r.end_ns - r.start_ns, MS(10));
	CHECK_EQ(r.failed_msg, 0);
	CHECK_EQ(dev42.n, 0);
	CHECK_EQ(bus.timeouts, 1);
	CHECK_U64(bus.busy_until_ns, MS(10));
}

static void test_i2c_10bit_and_empty(void)
{
	uint8_t reg = 0u;
	uint8_t rx[2];
	struct sim_i2c_msg m[2];
	struct sim_i2c_result r;

	i2c_rig();
	CHECK_EQ(reg_read(0x142u, &reg, rx, m, NULL, 0u).status, -AGENT_ENOTSUP);
	r = sim_i2c_transfer(&bus, 0x42u, m, 0u, NULL, 0u);
	CHECK_EQ(r.status, 0);
	CHECK_U64(r.end_ns - r.start_ns, 0u);
	CHECK_EQ(dev42.n, 0);
	CHECK_EQ(bus.transfers, 0);
}

static void test_i2c_serialises_and_wire_times(void)
{
	static const unsigned bits[6] = { 10, 19, 29, 29, 38, 48 };
	uint8_t reg = 0u;
	uint8_t rx[2];
	struct sim_i2c_msg m[2];
	struct sim_i2c_result r1;
	struct sim_i2c_result r2;
	uint64_t rec;
	unsigned i;

	i2c_rig();
	r1 = reg_read(0x42u, &reg, rx, m, NULL, MS(2));
	r2 = reg_read(0x42u, &reg, rx, m, NULL, MS(2));
	CHECK_U64(r1.start_ns, MS(2));
	CHECK_U64(r2.start_ns, MS(2) + BITS(REG_READ_BITS));
	for (i = 0; i < 6u; i++) {
		CHECK_U64(dev42.times[i], MS(2) + BITS(bits[i]));
	}
	rec = sim_i2c_recover(&bus, MS(2));
	CHECK_U64(rec, r2.end_ns + BITS(10));
	CHECK_EQ(bus.recoveries, 1);
}

static void test_i2c_attach_errors(void)
{
	struct log_device other;
	struct sim_i2c_device_ops partial = log_ops;

	i2c_rig();
	log_init(&other);
	CHECK_EQ(sim_i2c_attach(&bus, 0x42u, &log_ops, &other), -AGENT_EALREADY);
	CHECK_EQ(sim_i2c_attach(&bus, 0x78u, &log_ops, &other), -AGENT_EINVAL);
	CHECK_EQ(sim_i2c_attach(&bus, 0x07u, &log_ops, &other), -AGENT_EINVAL);
	partial.stop = NULL;
	CHECK_EQ(sim_i2c_attach(&bus, 0x43u, &partial, &other), -AGENT_EINVAL);
	CHECK_EQ(sim_i2c_attach(&bus, 0x43u, &log_ops, &other), 0);
	CHECK_EQ(sim_i2c_attach(&bus, 0x44u, &log_ops, &other), 0);
	CHECK_EQ(sim_i2c_attach(&bus, 0x45u, &log_ops, &other), 0);
	CHECK_EQ(sim_i2c_attach(&bus, 0x46u, &log_ops, &other), -AGENT_ENOMEM);
}

/* ------------------------------------------------------------------ 24C32 */

static struct sim_eeprom_24c32 ee;
static uint64_t now;

static void ee_rig(void)
{
	(void)sim_i2c_bus_init(&bus, 0u, 0u);
	CHECK_EQ(sim_eeprom_24c32_init(&ee, 0u, UINT64_MAX), 0);
	CHECK_EQ(sim_eeprom_24c32_attach(&ee, &bus), 0);
	now = 0u;
}

static struct sim_i2c_result ee_write(const uint8_t *bytes, uint32_t n)
{
	struct sim_i2c_msg m[1];

	msg(&m[0], false, (uint8_t *)(uintptr_t)bytes, n, false);
	return sim_i2c_transfer(&bus, 0x50u, m, 1u, NULL, now);
}

static struct sim_i2c_result ee_read_at(uint16_t addr, uint8_t *out, uint32_t len)
{
	uint8_t wa[2];
	struct sim_i2c_msg m[2];

	wa[0] = (uint8_t)(addr >> 8);
	wa[1] = (uint8_t)(addr & 0xffu);
	msg(&m[0], false, wa, 2u, false);
	msg(&m[1], true, out, len, false);
	return sim_i2c_transfer(&bus, 0x50u, m, 2u, NULL, now);
}

static void test_ee_erased(void)
{
	uint8_t rx[4];

	ee_rig();
	CHECK_EQ(ee.address, 0x50);
	CHECK_EQ(ee_read_at(0x123u, rx, 4u).status, 0);
	CHECK_BYTES(rx, 4, 0xff, 0xff, 0xff, 0xff);
}

static void test_ee_page_write_wraps(void)
{
	static const uint8_t w[] = { 0x00, 0x3e, 1, 2, 3, 4 };
	uint8_t out[2];

	ee_rig();
	CHECK_EQ(ee_write(w, sizeof(w)).status, 0);
	CHECK_EQ(ee.write_cycles, 1);
	(void)sim_eeprom_24c32_peek(&ee, 0x3eu, out, 2u);
	CHECK_BYTES(out, 2, 1, 2);
	(void)sim_eeprom_24c32_peek(&ee, 0x20u, out, 2u);
	CHECK_BYTES(out, 2, 3, 4);
	(void)sim_eeprom_24c32_peek(&ee, 0x40u, out, 1u);
	CHECK_EQ(out[0], 0xff);
	CHECK_EQ(ee.pointer, 0x22);
}

static void test_ee_wrap_last_wins(void)
{
	uint8_t w[36];
	uint8_t page[32];
	unsigned i;

	ee_rig();
	w[0] = 0x01u;
	w[1] = 0x00u;
	for (i = 0; i < 34u; i++) {
		w[2u + i] = (uint8_t)i;
	}
	(void)ee_write(w, 36u);
	(void)sim_eeprom_24c32_peek(&ee, 0x100u, page, 32u);
	CHECK_EQ(page[0], 32);
	CHECK_EQ(page[1], 33);
	CHECK_EQ(page[2], 2);
	CHECK_EQ(page[31], 31);
}

static void test_ee_upper_bits_ignored(void)
{
	static const uint8_t w[] = { 0xf0, 0x10, 0xab };
	uint8_t out;

	ee_rig();
	(void)ee_write(w, sizeof(w));
	(void)sim_eeprom_24c32_peek(&ee, 0x010u, &out, 1u);
	CHECK_EQ(out, 0xab);
}

static void test_ee_write_cycle_nack(void)
{
	static const uint8_t w[] = { 0x00, 0x00, 0x5a };
	struct sim_i2c_result r;
	struct sim_i2c_result early;
	uint64_t stop;
	uint8_t rx[1];

	ee_rig();
	r = ee_write(w, sizeof(w));
	stop = r.end_ns;
	CHECK_U64(stop, BITS(1 + 9 + 27 + 1));
	CHECK(sim_eeprom_24c32_busy(&ee, stop));
	early = ee_read_at(0u, rx, 1u);
	CHECK_EQ(early.status, -AGENT_EIO);
	CHECK_EQ(early.failed_msg, 0);
	CHECK_U64(early.start_ns, stop);
	now = stop + US(4900);
	CHECK_EQ(ee_read_at(0u, rx, 1u).status, -AGENT_EIO);
	CHECK(sim_eeprom_24c32_busy(&ee, stop + US(4999)));
	CHECK(sim_eeprom_24c32_busy(&ee, stop + MS(5) - 1u));
	CHECK(!sim_eeprom_24c32_busy(&ee, stop + MS(5)));
	now = stop + MS(5) - BITS(10);
	CHECK_EQ(ee_read_at(0u, rx, 1u).status, 0);
	CHECK_EQ(rx[0], 0x5a);
}

static void test_ee_restart_discards(void)
{
	uint8_t w[3] = { 0x00, 0x07, 0x11 };
	uint8_t rx[1];
	struct sim_i2c_msg m[2];

	ee_rig();
	msg(&m[0], false, w, 3u, false);
	msg(&m[1], true, rx, 1u, false);
	CHECK_EQ(sim_i2c_transfer(&bus, 0x50u, m, 2u, NULL, 0u).status, 0);
	CHECK_EQ(rx[0], 0xff);
	CHECK_EQ(ee.write_cycles, 0);
	CHECK(!sim_eeprom_24c32_busy(&ee, bus.busy_until_ns));
}

static void test_ee_word_address_alone(void)
{
	static const uint8_t w[] = { 0x02, 0x00 };

	ee_rig();
	(void)ee_write(w, 2u);
	CHECK(!sim_eeprom_24c32_busy(&ee, bus.busy_until_ns));
	CHECK_EQ(ee.pointer, 0x200);
}

static void test_ee_sequential_wrap(void)
{
	static const uint8_t hi[] = { 0x0e, 0x0f };
	static const uint8_t lo[] = { 0x10, 0x11 };
	uint8_t rx[4];

	ee_rig();
	CHECK_EQ(sim_eeprom_24c32_poke(&ee, 0xffeu, hi, 2u), 0);
	CHECK_EQ(sim_eeprom_24c32_poke(&ee, 0u, lo, 2u), 0);
	CHECK_EQ(ee_read_at(0xffeu, rx, 4u).status, 0);
	CHECK_BYTES(rx, 4, 0x0e, 0x0f, 0x10, 0x11);
}

static void test_ee_current_address(void)
{
	static const uint8_t data[] = { 1, 2, 3, 4 };
	static const uint8_t w[] = { 0x02, 0x00, 7, 8, 9 };
	static const uint8_t v42 = 0x42u;
	uint8_t rx[2];
	uint8_t cur[2];
	uint8_t after[1];
	struct sim_i2c_msg m[1];
	struct sim_i2c_result r;

	ee_rig();
	(void)sim_eeprom_24c32_poke(&ee, 0x100u, data, 4u);
	(void)ee_read_at(0x100u, rx, 2u);
	msg(&m[0], true, cur, 2u, false);
	(void)sim_i2c_transfer(&bus, 0x50u, m, 1u, NULL, now);
	CHECK_BYTES(cur, 2, 3, 4);
	r = ee_write(w, sizeof(w));
	now = r.end_ns + MS(5);
	(void)sim_eeprom_24c32_poke(&ee, 0x203u, &v42, 1u);
	msg(&m[0], true, after, 1u, false);
	CHECK_EQ(sim_i2c_transfer(&bus, 0x50u, m, 1u, NULL, now).status, 0);
	CHECK_EQ(after[0], 0x42);
}

static void test_ee_options_and_ranges(void)
{
	struct sim_eeprom_24c32 fast;
	uint8_t out[2];
	static const uint8_t one = 1u;

	ee_rig();
	CHECK_EQ(sim_eeprom_24c32_init(&fast, 0x48u, UINT64_MAX), -AGENT_EINVAL);
	CHECK_EQ(sim_eeprom_24c32_peek(&ee, 4095u, out, 2u), -AGENT_EINVAL);
	CHECK_EQ(sim_eeprom_24c32_poke(&ee, 4096u, &one, 1u), -AGENT_EINVAL);
	CHECK_EQ(sim_eeprom_24c32_init(&fast, 0x51u, 0u), 0);
	CHECK(sim_eeprom_24c32_ops.start(&fast, false, 0u));
	(void)sim_eeprom_24c32_ops.write(&fast, 0u, 0u);
	(void)sim_eeprom_24c32_ops.write(&fast, 0u, 0u);
	(void)sim_eeprom_24c32_ops.write(&fast, 1u, 0u);
	sim_eeprom_24c32_ops.stop(&fast, 0u);
	CHECK_EQ(fast.write_cycles, 1);
	CHECK(!sim_eeprom_24c32_busy(&fast, 0u));
	sim_eeprom_24c32_erase(&ee);
	CHECK_EQ(ee.mem[0], 0xff);
}

/* ------------------------------------------------------------------ TMP102 */

static struct sim_tmp102 tmp;

static void tmp_rig(void)
{
	(void)sim_i2c_bus_init(&bus, 0u, 0u);
	CHECK_EQ(sim_tmp102_init(&tmp, 0u, 1u), 0);
	CHECK_EQ(sim_tmp102_attach(&tmp, &bus), 0);
	now = 0u;
}

static uint16_t tmp_read_reg(uint8_t reg)
{
	uint8_t rx[2];
	struct sim_i2c_msg m[2];

	CHECK_EQ(reg_read(0x48u, &reg, rx, m, NULL, now).status, 0);
	return (uint16_t)((rx[0] << 8) | rx[1]);
}

static void tmp_write_reg(uint8_t reg, uint16_t v)
{
	uint8_t w[3];
	struct sim_i2c_msg m[1];

	w[0] = reg;
	w[1] = (uint8_t)(v >> 8);
	w[2] = (uint8_t)(v & 0xffu);
	msg(&m[0], false, w, 3u, false);
	CHECK_EQ(sim_i2c_transfer(&bus, 0x48u, m, 1u, NULL, now).status, 0);
}

static void test_tmp_power_on(void)
{
	tmp_rig();
	CHECK_EQ(tmp.address, 0x48);
	CHECK_EQ(tmp_read_reg(SIM_TMP102_REG_CONFIG), 0x60a0);
	CHECK_EQ(tmp_read_reg(SIM_TMP102_REG_TLOW), 0x4b00);
	CHECK_EQ(tmp_read_reg(SIM_TMP102_REG_THIGH), 0x5000);
}

static void test_tmp_encoding(void)
{
	static const struct {
		int32_t mc;
		uint16_t reg;
	} cases[] = {
		{ 25000, 0x1900 }, { 63, 0x0010 }, { 0, 0 }, { -62, 0xfff0 }, { -25000, 0xe700 }, { 127938, 0x7ff0 },
		{ 31, 0x0000 }, { 32, 0x0010 }, { -31, 0x0000 }, { -32, 0xfff0 }, { -93, 0xfff0 }, { -94, 0xffe0 },
		{ -125, 0xffe0 },
	};
	unsigned i;

	tmp_rig();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ(sim_tmp102_set_temperature_mc(&tmp, cases[i].mc), 0);
		CHECK_EQ(tmp_read_reg(SIM_TMP102_REG_TEMP), cases[i].reg);
	}
}

static void test_tmp_pointer_repeats(void)
{
	uint8_t rx[4];
	struct sim_i2c_msg m[1];

	tmp_rig();
	(void)sim_tmp102_set_temperature_mc(&tmp, 25000);
	(void)tmp_read_reg(SIM_TMP102_REG_THIGH);
	msg(&m[0], true, rx, 4u, false);
	(void)sim_i2c_transfer(&bus, 0x48u, m, 1u, NULL, now);
	CHECK_BYTES(rx, 4, 0x50, 0x00, 0x50, 0x00);
}

static void test_tmp_writes(void)
{
	tmp_rig();
	tmp_write_reg(SIM_TMP102_REG_TLOW, 0x1400u);
	tmp_write_reg(SIM_TMP102_REG_THIGH, 0x1e00u);
	CHECK_EQ(tmp_read_reg(SIM_TMP102_REG_TLOW), 0x1400);
	CHECK_EQ(tmp_read_reg(SIM_TMP102_REG_THIGH), 0x1e00);
	(void)sim_tmp102_set_temperature_mc(&tmp, 25000);
	tmp_write_reg(SIM_TMP102_REG_TEMP, 0x1234u);
	CHECK_EQ(tmp_read_reg(SIM_TMP102_REG_TEMP), 0x1900);
	tmp_write_reg(SIM_TMP102_REG_CONFIG, 0x0000u);
	CHECK_EQ(tmp_read_reg(SIM_TMP102_REG_CONFIG) & 0x6000, 0x6000);
}

static void test_tmp_extended(void)
{
	tmp_rig();
	(void)sim_tmp102_set_temperature_mc(&tmp, 25000);
	tmp_write_reg(SIM_TMP102_REG_CONFIG, 0x60b0u);
	CHECK_EQ(tmp_read_reg(SIM_TMP102_REG_TEMP), 0x0c81);
	(void)sim_tmp102_set_temperature_mc(&tmp, 150000);
	CHECK_EQ(tmp_read_reg(SIM_TMP102_REG_TEMP), 0x4b01);
}

static void test_tmp_conversion_period(void)
{
	int32_t a;
	int32_t seen[400];
	unsigned n = 0u;
	unsigned i;
	uint64_t t;

	tmp_rig();
	a = sim_tmp102_temperature_raw(&tmp, MS(1000));
	CHECK_EQ(sim_tmp102_temperature_raw(&tmp, MS(1250) - 1u), a);
	for (t = 0; t < MS(100000); t += MS(250)) {
		int32_t v = sim_tmp102_temperature_raw(&tmp, t);
		bool found = false;

		for (i = 0; i < n; i++) {
			found = found || seen[i] == v;
		}
		if (!found && n < 400u) {
			seen[n++] = v;
		}
	}
	CHECK(n > 10u);
}

static void test_tmp_shutdown_one_shot(void)
{
	tmp_rig();
	(void)sim_tmp102_set_temperature_mc(&tmp, 30000);
	tmp_write_reg(SIM_TMP102_REG_CONFIG, 0x61a0u);
	(void)sim_tmp102_set_temperature_mc(&tmp, 40000);
	CHECK_EQ(tmp_read_reg(SIM_TMP102_REG_TEMP), 0x1e00);
	tmp_write_reg(SIM_TMP102_REG_CONFIG, 0xe1a0u);
	CHECK_EQ(tmp_read_reg(SIM_TMP102_REG_TEMP), 0x2800);
	tmp_write_reg(SIM_TMP102_REG_CONFIG, 0x60a0u);
	(void)sim_tmp102_set_temperature_mc(&tmp, 20000);
	CHECK_EQ(tmp_read_reg(SIM_TMP102_REG_TEMP), 0x1400);
}

static void test_tmp_alert(void)
{
	tmp_rig();
	(void)sim_tmp102_set_temperature_mc(&tmp, 70000);
	CHECK_EQ((tmp_read_reg(SIM_TMP102_REG_CONFIG) >> 5) & 1, 1);
	(void)sim_tmp102_set_temperature_mc(&tmp, 80000);
	CHECK_EQ((tmp_read_reg(SIM_TMP102_REG_CONFIG) >> 5) & 1, 0);
	(void)sim_tmp102_set_temperature_mc(&tmp, 76000);
	CHECK_EQ((tmp_read_reg(SIM_TMP102_REG_CONFIG) >> 5) & 1, 0);
	(void)sim_tmp102_set_temperature_mc(&tmp, 74938);
	CHECK_EQ((tmp_read_reg(SIM_TMP102_REG_CONFIG) >> 5) & 1, 1);
}

static void test_tmp_bad_options(void)
{
	struct sim_tmp102 t;

	CHECK_EQ(sim_tmp102_init(&t, 0x50u, 1u), -AGENT_EINVAL);
	CHECK_EQ(t.address, 0x48);
	CHECK_EQ(sim_tmp102_set_temperature_mc(&t, 200000), -AGENT_EINVAL);
	CHECK_EQ(sim_tmp102_set_temperature_mc(&t, -55001), -AGENT_EINVAL);
	CHECK(!t.pinned);
}

/* ------------------------------------------------------------------ ICM-42688 */

static struct sim_icm42688 imu;
static struct sim_icm42688 *cold_imu;

static void imu_rig(void)
{
	(void)sim_i2c_bus_init(&bus, 0u, 0u);
	CHECK_EQ(sim_icm42688_init(&imu, 0u, 1u, true, 0u), 0);
	CHECK_EQ(sim_icm42688_attach(&imu, &bus), 0);
	now = 0u;
}

/*
 * Register access as the TS tests do it: their device reads the test's time `t`, not the bus's,
 * so these drive the device's callbacks directly at `now` (the bus timing is tested above).
 */
static void imu_read(uint16_t addr, uint8_t reg, uint8_t *rx, uint32_t len)
{
	struct sim_icm42688 *d = addr == imu.address ? &imu : cold_imu;
	uint32_t i;

	CHECK(sim_icm42688_ops.start(d, false, now));
	CHECK(sim_icm42688_ops.write(d, reg, now));
	CHECK(sim_icm42688_ops.start(d, true, now));
	for (i = 0; i < len; i++) {
		rx[i] = sim_icm42688_ops.read(d, now);
	}
	sim_icm42688_ops.stop(d, now);
}

static void imu_write(uint16_t addr, uint8_t reg, uint8_t v)
{
	struct sim_icm42688 *d = addr == imu.address ? &imu : cold_imu;

	CHECK(sim_icm42688_ops.start(d, false, now));
	CHECK(sim_icm42688_ops.write(d, reg, now));
	CHECK(sim_icm42688_ops.write(d, v, now));
	sim_icm42688_ops.stop(d, now);
}

static uint32_t imu_count(void)
{
	uint8_t b[2];

	imu_read(0x68u, SIM_ICM42688_REG_FIFO_COUNTH, b, 2u);
	return ((uint32_t)b[0] << 8) | b[1];
}

static void test_imu_who_am_i(void)
{
	uint8_t v;

	imu_rig();
	CHECK_EQ(imu.address, 0x68);
	imu_read(0x68u, SIM_ICM42688_REG_WHO_AM_I, &v, 1u);
	CHECK_EQ(v, 0x47);
}

static void test_imu_streams_1khz(void)
{
	uint8_t v;
	uint8_t b[2];

	imu_rig();
	imu_read(0x68u, SIM_ICM42688_REG_PWR_MGMT0, &v, 1u);
	CHECK_EQ(v, 0x0f);
	imu_read(0x68u, SIM_ICM42688_REG_ACCEL_CONFIG0, &v, 1u);
	CHECK_EQ(v, 0x06);
	imu_read(0x68u, SIM_ICM42688_REG_FIFO_CONFIG, &v, 1u);
	CHECK_EQ(v, 0x40);
	CHECK_EQ(imu_count(), 0);
	CHECK_EQ(sim_icm42688_fifo_bytes(&imu, US(999)), 0);
	CHECK_EQ(sim_icm42688_fifo_bytes(&imu, MS(1) - 1u), 0);
	CHECK_EQ(sim_icm42688_fifo_bytes(&imu, MS(1)), 16);
	now = MS(20);
	CHECK_EQ(imu_count(), 320);
	imu_read(0x68u, SIM_ICM42688_REG_FIFO_COUNTH, b, 2u);
	CHECK_BYTES(b, 2, 0x01, 0x40);
}

static void test_imu_packet_layout(void)
{
	uint8_t p[16];
	uint8_t want[16];
	int16_t v;
	unsigned off;
	struct sim_icm42688 other;

	imu_rig();
	now = MS(3);
	imu_read(0x68u, SIM_ICM42688_REG_FIFO_DATA, p, 16u);
	sim_icm42688_packet(&imu, 0u, MS(1), want);
	CHECK(memcmp(p, want, 16u) == 0);
	CHECK_EQ(p[0], 0x68);
	for (off = 1; off < 13u; off += 2u) {
		v = (int16_t)(uint16_t)((p[off] << 8) | p[off + 1u]);
		if (off == 5u) {
			CHECK(v >= 2048 - 32 && v <= 2048 + 32);
		} else {
			CHECK(v >= -32 && v <= 32);
		}
	}
	CHECK((int8_t)p[13] >= 1 && (int8_t)p[13] <= 3);
	CHECK_EQ((p[14] << 8) | p[15], 1000);
	(void)sim_icm42688_init(&other, 0u, 1u, true, 0u);
	sim_icm42688_packet(&other, 0u, MS(1), p);
	CHECK(memcmp(p, want, 16u) == 0);
	sim_icm42688_packet(&imu, 1u, MS(2), p);
	CHECK(memcmp(p, want, 16u) != 0);
}

static void test_imu_pops_in_order(void)
{
	uint8_t b[34];
	uint8_t want[16];
	uint8_t p[16];

	imu_rig();
	now = MS(5);
	imu_read(0x68u, SIM_ICM42688_REG_FIFO_COUNTH, b, 34u);
	CHECK_EQ((b[0] << 8) | b[1], 80);
	sim_icm42688_packet(&imu, 0u, MS(1), want);
	CHECK(memcmp(b + 2, want, 16u) == 0);
	sim_icm42688_packet(&imu, 1u, MS(2), want);
	CHECK(memcmp(b + 18, want, 16u) == 0);
	CHECK_EQ(imu_count(), 48);
	imu_read(0x68u, SIM_ICM42688_REG_FIFO_DATA, p, 16u);
	sim_icm42688_packet(&imu, 2u, MS(3), want);
	CHECK(memcmp(p, want, 16u) == 0);
}

static void test_imu_drops_when_full(void)
{
	static uint8_t big[16u * 127u];
	uint8_t v;
	uint8_t p[16];
	uint8_t want[16];

	imu_rig();
	now = MS(200);
	CHECK_EQ(imu_count(), 2048);
	CHECK_U64(imu.dropped, 200u - SIM_ICM42688_FIFO_PACKETS);
	CHECK_U64(sim_icm42688_samples(&imu, now), 200u);
	imu_read(0x68u, SIM_ICM42688_REG_INT_STATUS, &v, 1u);
	CHECK_EQ(v, 0x10 | 0x08 | 0x02);
	imu_read(0x68u, SIM_ICM42688_REG_FIFO_DATA, p, 16u);
	sim_icm42688_packet(&imu, 0u, MS(1), want);
	CHECK(memcmp(p, want, 16u) == 0);
	now = MS(201);
	CHECK_EQ(imu_count(), 2048);
	imu_read(0x68u, SIM_ICM42688_REG_FIFO_DATA, big, sizeof(big));
	imu_read(0x68u, SIM_ICM42688_REG_FIFO_DATA, p, 16u);
	sim_icm42688_packet(&imu, 200u, MS(201), want);
	CHECK(memcmp(p, want, 16u) == 0);
}

static void test_imu_odr_change(void)
{
	static const struct {
		uint8_t odr;
		uint64_t period;
	} rates[] = { { 0x06, MS(1) }, { 0x0f, MS(2) }, { 0x07, MS(5) }, { 0x08, MS(10) }, { 0x09, MS(20) },
		      { 0x01, 31250u }, { 0x0e, MS(640) } };
	unsigned i;

	imu_rig();
	now = MS(4);
	imu_write(0x68u, SIM_ICM42688_REG_ACCEL_CONFIG0, 0x08u);
	CHECK_U64(imu.period_ns, MS(10));
	CHECK_EQ(sim_icm42688_fifo_bytes(&imu, US(13900)), 64);
	CHECK_EQ(sim_icm42688_fifo_bytes(&imu, MS(14)), 80);
	CHECK_U64(sim_icm42688_next_packet_at(&imu, 8u, MS(14)), MS(44));
	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		imu_write(0x68u, SIM_ICM42688_REG_ACCEL_CONFIG0, rates[i].odr);
		CHECK_U64(imu.period_ns, rates[i].period);
	}
}

static void test_imu_next_packet_at(void)
{
	uint8_t half[8];

	imu_rig();
	CHECK_U64(sim_icm42688_next_packet_at(&imu, 0u, 0u), 0u);
	CHECK_U64(sim_icm42688_next_packet_at(&imu, 8u, 0u), MS(8));
	now = US(2500);
	CHECK_U64(sim_icm42688_next_packet_at(&imu, 2u, now), US(2500));
	CHECK_U64(sim_icm42688_next_packet_at(&imu, 8u, now), MS(8));
	imu_read(0x68u, SIM_ICM42688_REG_FIFO_DATA, half, 8u);
	CHECK_U64(sim_icm42688_next_packet_at(&imu, 2u, now), MS(3));
	CHECK_U64(sim_icm42688_next_packet_at(&imu, SIM_ICM42688_FIFO_PACKETS, now), SIM_NEVER_NS);
	CHECK_U64(sim_icm42688_next_packet_at(&imu, SIM_ICM42688_FIFO_PACKETS + 1u, now), SIM_NEVER_NS);
	imu_write(0x68u, SIM_ICM42688_REG_FIFO_CONFIG, 0x00u);
	CHECK_EQ(sim_icm42688_fifo_bytes(&imu, now), 0);
	CHECK_U64(sim_icm42688_next_packet_at(&imu, 1u, now), SIM_NEVER_NS);
}

static void test_imu_cold_start(void)
{
	struct sim_icm42688 cold;
	uint8_t v;
	uint8_t b[2];

	imu_rig();
	CHECK_EQ(sim_icm42688_init(&cold, 0x69u, 1u, false, 0u), 0);
	CHECK_EQ(sim_icm42688_attach(&cold, &bus), 0);
	cold_imu = &cold;
	now = MS(50);
	imu_read(0x69u, SIM_ICM42688_REG_PWR_MGMT0, &v, 1u);
	CHECK_EQ(v, 0x00);
	CHECK_EQ(sim_icm42688_fifo_bytes(&cold, now), 0);
	imu_read(0x69u, SIM_ICM42688_REG_TEMP_DATA1, b, 2u);
	CHECK_BYTES(b, 2, 0x80, 0x00);
	CHECK_U64(sim_icm42688_next_packet_at(&cold, 1u, now), SIM_NEVER_NS);
	imu_write(0x69u, SIM_ICM42688_REG_PWR_MGMT0, 0x0fu);
	imu_write(0x69u, SIM_ICM42688_REG_FIFO_CONFIG, 0x40u);
	now = MS(55);
	CHECK_EQ(sim_icm42688_fifo_bytes(&cold, now - 1u), 16 * 4);
	CHECK_EQ(sim_icm42688_fifo_bytes(&cold, now), 16 * 5);
	imu_read(0x69u, SIM_ICM42688_REG_FIFO_DATA, &v, 1u);
	CHECK_EQ(v, 0x68);
	cold_imu = NULL;
	CHECK_EQ(sim_icm42688_init(&cold, 0x50u, 1u, false, 0u), -AGENT_EINVAL);
}

static void test_imu_flush(void)
{
	uint8_t v;

	imu_rig();
	now = MS(10);
	imu_write(0x68u, SIM_ICM42688_REG_SIGNAL_PATH_RESET, 0x02u);
	CHECK_EQ(imu_count(), 0);
	imu_read(0x68u, SIM_ICM42688_REG_FIFO_DATA, &v, 1u);
	CHECK_EQ(v, SIM_ICM42688_FIFO_EMPTY);
}

static void test_imu_soft_reset(void)
{
	uint8_t v;

	imu_rig();
	now = MS(10);
	imu_read(0x68u, SIM_ICM42688_REG_INT_STATUS, &v, 1u);
	imu_write(0x68u, SIM_ICM42688_REG_DEVICE_CONFIG, 0x01u);
	imu_read(0x68u, SIM_ICM42688_REG_PWR_MGMT0, &v, 1u);
	CHECK_EQ(v, 0x00);
	CHECK_EQ(imu_count(), 0);
	now = MS(20);
	CHECK_EQ(sim_icm42688_fifo_bytes(&imu, now), 0);
	CHECK_U64(sim_icm42688_next_packet_at(&imu, 1u, now), SIM_NEVER_NS);
	imu_read(0x68u, SIM_ICM42688_REG_INT_STATUS, &v, 1u);
	CHECK_EQ(v, 0x10);
}

static void test_imu_bank0_only(void)
{
	uint8_t v;

	imu_rig();
	imu_write(0x68u, SIM_ICM42688_REG_BANK_SEL, 1u);
	imu_read(0x68u, SIM_ICM42688_REG_WHO_AM_I, &v, 1u);
	CHECK_EQ(v, 0);
	imu_write(0x68u, SIM_ICM42688_REG_PWR_MGMT0, 0x00u);
	imu_write(0x68u, SIM_ICM42688_REG_BANK_SEL, 0u);
	imu_read(0x68u, SIM_ICM42688_REG_WHO_AM_I, &v, 1u);
	CHECK_EQ(v, 0x47);
	imu_read(0x68u, SIM_ICM42688_REG_PWR_MGMT0, &v, 1u);
	CHECK_EQ(v, 0x0f);
}

/* ------------------------------------------------------------------ SPI bus */

/* Echoes MOSI + 1 and records what it sees with the bus time. */
struct recorder {
	char ev[16][24];
	unsigned n;
};

static void rec_note(struct recorder *r, const char *what, uint64_t now_ns)
{
	if (r->n < 16u) {
		snprintf(r->ev[r->n], sizeof(r->ev[0]), "%s@%" PRIu64, what, now_ns);
		r->n++;
	}
}

static void rec_select(void *dev, uint64_t now_ns)
{
	rec_note(dev, "select", now_ns);
}

static uint8_t rec_transfer(void *dev, uint8_t mosi, uint64_t now_ns)
{
	char b[8];

	snprintf(b, sizeof(b), "%u", mosi);
	rec_note(dev, b, now_ns);
	return (uint8_t)(mosi + 1u);
}

static void rec_deselect(void *dev, uint64_t now_ns)
{
	rec_note(dev, "deselect", now_ns);
}

static const struct sim_spi_device_ops rec_ops = { rec_select, rec_transfer, rec_deselect };

static struct sim_spi_bus spi;

static void test_spi_defaults(void)
{
	sim_spi_bus_init(&spi, 0u, 0u);
	CHECK_U64(spi.byte_ns, 1000u);
	CHECK_U64(spi.timeout_ns, MS(25));
	CHECK_U64(spi.cs_setup_ns, 500u);
	CHECK_U64(spi.cs_hold_ns, 500u);
	CHECK_U64(sim_spi_episode_ns(&spi, 10u), 11000u);
	sim_spi_bus_init(&spi, 1000000u, 0u);
	CHECK_U64(spi.byte_ns, 8000u);
}

static void test_spi_attach(void)
{
	struct recorder r;
	struct sim_spi_device_ops partial = rec_ops;

	sim_spi_bus_init(&spi, 0u, 0u);
	CHECK_EQ(sim_spi_attach(&spi, 3u, &rec_ops, &r), 0);
	CHECK_EQ(sim_spi_attach(&spi, 3u, &rec_ops, &r), -AGENT_EALREADY);
	CHECK_EQ(sim_spi_attach(&spi, 32u, &rec_ops, &r), -AGENT_EINVAL);
	partial.deselect = NULL;
	CHECK_EQ(sim_spi_attach(&spi, 4u, &partial, &r), -AGENT_EINVAL);
	CHECK_EQ(sim_spi_attach(&spi, 4u, &rec_ops, &r), 0);
	CHECK_EQ(sim_spi_attach(&spi, 5u, &rec_ops, &r), -AGENT_ENOMEM);
}

static void test_spi_episode_timing(void)
{
	struct recorder r;
	static const uint8_t mosi[3] = { 1, 2, 0xff };
	uint8_t miso[3];
	uint64_t end;

	memset(&r, 0, sizeof(r));
	sim_spi_bus_init(&spi, 0u, 0u);
	(void)sim_spi_attach(&spi, 0u, &rec_ops, &r);
	end = sim_spi_transfer(&spi, 0u, mosi, miso, 3u, MS(10));
	CHECK_BYTES(miso, 3, 2, 3, 0);
	CHECK_U64(end, MS(10) + 4000u);
	CHECK_EQ(r.n, 5);
	CHECK(strcmp(r.ev[0], "select@10000500") == 0);
	CHECK(strcmp(r.ev[1], "1@10000500") == 0);
	CHECK(strcmp(r.ev[2], "2@10001500") == 0);
	CHECK(strcmp(r.ev[3], "255@10002500") == 0);
	CHECK(strcmp(r.ev[4], "deselect@10004000") == 0);
}

static void test_spi_log_and_wait(void)
{
	struct recorder r;
	uint8_t mosi[40];
	const struct sim_spi_episode *e;
	unsigned i;

	memset(&r, 0, sizeof(r));
	sim_spi_bus_init(&spi, 0u, 0u);
	(void)sim_spi_attach(&spi, 0u, &rec_ops, &r);
	mosi[0] = 0x9fu;
	mosi[1] = mosi[2] = mosi[3] = 0u;
	(void)sim_spi_transfer(&spi, 0u, mosi, NULL, 4u, 0u);
	for (i = 0; i < 40u; i++) {
		mosi[i] = (uint8_t)i;
	}
	(void)sim_spi_transfer(&spi, 0u, mosi, NULL, 40u, 0u);
	CHECK_EQ(spi.cs_assertions, 2);
	CHECK_EQ(spi.bytes_transferred, 44);
	e = sim_spi_log_entry(&spi, 1u);
	CHECK(e != NULL && e->bytes == 4u && e->cs == 0u && !e->timed_out && e->mosi[0] == 0x9fu);
	e = sim_spi_log_entry(&spi, 0u);
	CHECK(e != NULL && e->mosi_len == SIM_SPI_LOG_MOSI_BYTES);
	CHECK(e != NULL && e->start_ns == 5000u);
	CHECK(sim_spi_log_entry(&spi, 2u) == NULL);
	/* A busy bus: the next episode waits; one asked for later starts at once. */
	CHECK_U64(sim_spi_transfer(&spi, 2u, mosi, NULL, 1u, 0u), 5000u + 41000u + 2000u);
	CHECK_U64(sim_spi_transfer(&spi, 2u, mosi, NULL, 1u, MS(1)), MS(1) + 2000u);
}

static void test_spi_unattached_and_stall(void)
{
	struct recorder r;
	static const uint8_t mosi[2] = { 0, 1 };
	uint8_t miso[2];
	const struct sim_spi_episode *e;

	memset(&r, 0, sizeof(r));
	sim_spi_bus_init(&spi, 0u, MS(7));
	(void)sim_spi_attach(&spi, 0u, &rec_ops, &r);
	(void)sim_spi_transfer(&spi, 5u, mosi, miso, 2u, 0u);
	CHECK_BYTES(miso, 2, 0xff, 0xff);
	CHECK_U64(sim_spi_stall(&spi, 0u, 0u), 3000u + MS(7));
	CHECK_EQ(spi.timeouts, 1);
	CHECK_EQ(r.n, 0);
	e = sim_spi_log_entry(&spi, 0u);
	CHECK(e != NULL && e->timed_out && e->bytes == 0u);
	CHECK_U64(sim_spi_transfer(&spi, 0u, mosi, NULL, 1u, 0u), 3000u + MS(7) + 2000u);
}

/* ------------------------------------------------------------------ NOR flash */

static struct sim_nor_flash flash;

static void flash_rig(void)
{
	sim_spi_bus_init(&spi, 0u, 0u);
	sim_nor_flash_init(&flash);
	CHECK_EQ(sim_spi_attach(&spi, 0u, &sim_nor_flash_ops, &flash), 0);
	now = 0u;
}

/* One episode at `now` (or when the bus is free); returns its CS release time. */
static uint64_t x(const uint8_t *mosi, uint8_t *miso, uint32_t n)
{
	return sim_spi_transfer(&spi, 0u, mosi, miso, n, now);
}

#define X(...)                                                                                  \
	do {                                                                                    \
		static const uint8_t x_mosi_[] = { __VA_ARGS__ };                               \
		(void)x(x_mosi_, miso, sizeof(x_mosi_));                                        \
	} while (0)

static void test_flash_jedec_and_erased(void)
{
	uint8_t miso[8];
	uint8_t out[4];

	flash_rig();
	X(0x9f, 0, 0, 0, 0);
	CHECK_BYTES(miso, 5, 0xff, 0xef, 0x40, 0x14, 0xff);
	X(0x05, 0);
	CHECK_BYTES(miso, 2, 0xff, 0x00);
	X(0x03, 0x01, 0x23, 0x45, 0, 0, 0);
	CHECK_BYTES(miso, 7, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
	CHECK_EQ(sim_nor_flash_peek(&flash, (uint32_t)SIM_NOR_FLASH_SIZE - 4u, out, 4u), 0);
	CHECK_BYTES(out, 4, 0xff, 0xff, 0xff, 0xff);
	CHECK_EQ(sim_nor_flash_capacity_id(), 0x14);
}

static void test_flash_wren_wrdi(void)
{
	uint8_t miso[4];

	flash_rig();
	X(0x06);
	CHECK_EQ(sim_nor_flash_status(&flash, spi.free_at_ns), SIM_NOR_FLASH_SR_WEL);
	X(0x05, 0, 0);
	CHECK_BYTES(miso, 3, 0xff, 0x02, 0x02);
	X(0x04);
	CHECK_EQ(sim_nor_flash_status(&flash, spi.free_at_ns), 0);
	X(0x06, 0x00);
	CHECK_EQ(sim_nor_flash_status(&flash, spi.free_at_ns), 0);
	CHECK_EQ(flash.ignored_commands, 1);
}

static void test_flash_program_needs_wel(void)
{
	uint8_t miso[8];
	uint8_t out[2];

	flash_rig();
	X(0x02, 0, 0x01, 0x00, 0x12, 0x34);
	(void)sim_nor_flash_peek(&flash, 0x100u, out, 2u);
	CHECK_BYTES(out, 2, 0xff, 0xff);
	CHECK_EQ(sim_nor_flash_status(&flash, spi.free_at_ns), 0);
	CHECK_EQ(flash.programs, 0);
	CHECK_EQ(flash.ignored_commands, 1);
}

static void test_flash_program_busy(void)
{
	uint8_t miso[8];
	uint8_t out[5];
	uint64_t release;

	flash_rig();
	X(0x06);
	release = x((const uint8_t[]){ 0x02, 0x00, 0x20, 0x00, 0xde, 0xad, 0xbe, 0xef }, miso, 8u);
	CHECK_U64(release, 2000u + 9000u);
	(void)sim_nor_flash_peek(&flash, 0x2000u, out, 5u);
	CHECK_BYTES(out, 5, 0xde, 0xad, 0xbe, 0xef, 0xff);
	CHECK_U64(sim_nor_flash_busy_until(&flash, release), release + 700000u);
	CHECK_EQ(sim_nor_flash_status(&flash, release), SIM_NOR_FLASH_SR_BUSY | SIM_NOR_FLASH_SR_WEL);
	CHECK_EQ(sim_nor_flash_status(&flash, US(700)), SIM_NOR_FLASH_SR_BUSY | SIM_NOR_FLASH_SR_WEL);
	CHECK_EQ(sim_nor_flash_status(&flash, release + 700000u - 1u), SIM_NOR_FLASH_SR_BUSY | SIM_NOR_FLASH_SR_WEL);
	CHECK_EQ(sim_nor_flash_status(&flash, US(711)), 0);
	CHECK_U64(sim_nor_flash_busy_until(&flash, US(711)), SIM_NEVER_NS);
	now = US(711);
	X(0x03, 0x00, 0x20, 0x00, 0, 0, 0, 0);
	CHECK_BYTES(miso, 8, 0xff, 0xff, 0xff, 0xff, 0xde, 0xad, 0xbe, 0xef);
	CHECK_EQ(flash.programs, 1);
}

static void test_flash_program_ands(void)
{
	uint8_t miso[8];
	uint8_t out[2];
	static const uint8_t init[2] = { 0xf0, 0xff };

	flash_rig();
	(void)sim_nor_flash_poke(&flash, 0x10u, init, 2u);
	X(0x06);
	X(0x02, 0, 0, 0x10, 0x3c, 0xaa);
	now += MS(1);
	X(0x06);
	X(0x02, 0, 0, 0x11, 0x55);
	(void)sim_nor_flash_peek(&flash, 0x10u, out, 2u);
	CHECK_BYTES(out, 2, 0x30, 0x00);
}

static void test_flash_page_wrap(void)
{
	uint8_t mosi[4 + 258];
	uint8_t miso[4 + 258];
	uint8_t out[16];
	unsigned i;

	flash_rig();
	X(0x06);
	mosi[0] = 0x02u;
	mosi[1] = 0x01u;
	mosi[2] = 0x00u;
	mosi[3] = 0xf0u;
	for (i = 0; i < 32u; i++) {
		mosi[4u + i] = (uint8_t)i;
	}
	(void)x(mosi, miso, 36u);
	now += MS(1);
	(void)sim_nor_flash_peek(&flash, 0x0100f0u, out, 16u);
	CHECK_BYTES(out, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
	(void)sim_nor_flash_peek(&flash, 0x010000u, out, 16u);
	CHECK_BYTES(out, 16, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
	(void)sim_nor_flash_peek(&flash, 0x010100u, out, 1u);
	CHECK_EQ(out[0], 0xff);
	X(0x06);
	mosi[1] = 0x02u;
	mosi[3] = 0x00u;
	for (i = 0; i < 258u; i++) {
		mosi[4u + i] = (uint8_t)(i < 2u ? 0xffu : i < 256u ? 0x0fu : 0x00u);
	}
	(void)x(mosi, miso, 262u);
	now += MS(1);
	(void)sim_nor_flash_peek(&flash, 0x020000u, out, 3u);
	CHECK_BYTES(out, 3, 0x00, 0x00, 0x0f);
}

static void test_flash_read_wrap(void)
{
	uint8_t miso[8];
	static const uint8_t hi[2] = { 0x11, 0x22 };
	static const uint8_t lo[2] = { 0x33, 0x44 };
	uint8_t mosi[8];
	uint32_t top = (uint32_t)SIM_NOR_FLASH_SIZE - 2u;

	flash_rig();
	(void)sim_nor_flash_poke(&flash, top, hi, 2u);
	(void)sim_nor_flash_poke(&flash, 0u, lo, 2u);
	memset(mosi, 0, sizeof(mosi));
	mosi[0] = 0x03u;
	mosi[1] = (uint8_t)(top >> 16);
	mosi[2] = (uint8_t)(top >> 8);
	mosi[3] = (uint8_t)top;
	(void)x(mosi, miso, 8u);
	CHECK_BYTES(miso + 4, 4, 0x11, 0x22, 0x33, 0x44);
	mosi[0] = 0x0bu;
	mosi[3] = (uint8_t)(top + 1u);
	(void)x(mosi, miso, 7u);
	CHECK_BYTES(miso + 5, 2, 0x22, 0x33);
	X(0x03, 0xf0, 0x00, 0x00, 0);
	CHECK_EQ(miso[4], 0x33);
}

static void test_flash_sector_erase_poll(void)
{
	static uint8_t mosi[45002];
	static uint8_t miso[45002];
	static const uint8_t zeros[2] = { 0, 0 };
	uint8_t out[2];
	unsigned first_idle = 0u;
	unsigned i;

	flash_rig();
	(void)sim_nor_flash_poke(&flash, 0x0fffu, zeros, 2u);
	(void)sim_nor_flash_poke(&flash, 0x1fffu, zeros, 2u);
	X(0x06);
	X(0x20, 0x00, 0x12, 0x34);
	(void)sim_nor_flash_peek(&flash, 0x0fffu, out, 2u);
	CHECK_BYTES(out, 2, 0x00, 0xff);
	(void)sim_nor_flash_peek(&flash, 0x1fffu, out, 2u);
	CHECK_BYTES(out, 2, 0xff, 0x00);
	memset(mosi, 0, sizeof(mosi));
	mosi[0] = 0x05u;
	(void)x(mosi, miso, sizeof(mosi));
	CHECK_EQ(miso[1], 0x03);
	CHECK_EQ(miso[44999], 0x03);
	CHECK_EQ(miso[45000], 0x00);
	for (i = 1; i < sizeof(miso); i++) {
		if (miso[i] == 0u) {
			first_idle = i;
			break;
		}
	}
	CHECK_EQ(first_idle, 45000);
	CHECK_EQ(flash.erases, 1);
}

static void test_flash_busy_ignores(void)
{
	uint8_t miso[8];
	static const uint8_t v = 0x5a;
	unsigned before;

	flash_rig();
	(void)sim_nor_flash_poke(&flash, 0x40u, &v, 1u);
	X(0x06);
	X(0x20, 0x00, 0x80, 0x00);
	before = flash.ignored_commands;
	X(0x03, 0, 0, 0x40, 0);
	CHECK_BYTES(miso, 5, 0xff, 0xff, 0xff, 0xff, 0xff);
	X(0x9f, 0, 0, 0);
	CHECK_BYTES(miso, 4, 0xff, 0xff, 0xff, 0xff);
	X(0x06);
	X(0x20, 0, 0, 0);
	CHECK_EQ(flash.ignored_commands - before, 4);
	now = MS(46);
	CHECK_EQ(sim_nor_flash_status(&flash, now), 0);
	X(0x03, 0, 0, 0x40, 0);
	CHECK_EQ(miso[4], 0x5a);
	CHECK_EQ(flash.erases, 1);
}

static void test_flash_block_chip_erase(void)
{
	uint8_t miso[8];
	static const uint8_t z = 0u;
	uint8_t out[2];
	unsigned k;

	flash_rig();
	(void)sim_nor_flash_poke(&flash, 0x0ffffu, &z, 1u);
	(void)sim_nor_flash_poke(&flash, 0x10000u, &z, 1u);
	(void)sim_nor_flash_poke(&flash, 0x1ffffu, &z, 1u);
	(void)sim_nor_flash_poke(&flash, 0x20000u, &z, 1u);
	X(0x06);
	X(0xd8, 0x01, 0xab, 0xcd);
	(void)sim_nor_flash_peek(&flash, 0x0ffffu, out, 2u);
	CHECK_BYTES(out, 2, 0, 0xff);
	(void)sim_nor_flash_peek(&flash, 0x1ffffu, out, 2u);
	CHECK_BYTES(out, 2, 0xff, 0);
	CHECK_U64(sim_nor_flash_busy_until(&flash, 0u), 7000u + MS(150));
	now = MS(151);
	for (k = 0; k < 2u; k++) {
		(void)sim_nor_flash_poke(&flash, 0x80000u, &z, 1u);
		X(0x06);
		if (k == 0u) {
			X(0xc7);
		} else {
			X(0x60);
		}
		(void)sim_nor_flash_peek(&flash, 0x80000u, out, 1u);
		CHECK_EQ(out[0], 0xff);
		CHECK_U64(sim_nor_flash_busy_until(&flash, now) - now, 4000u + MS(2000));
		now += MS(2001);
		CHECK_EQ(sim_nor_flash_status(&flash, now), 0);
	}
	CHECK_EQ(flash.erases, 3);
}

static void test_flash_erase_needs_wel_and_length(void)
{
	uint8_t miso[8];
	static const uint8_t z = 0u;
	uint8_t out;

	flash_rig();
	(void)sim_nor_flash_poke(&flash, 0x3000u, &z, 1u);
	X(0x20, 0x00, 0x30, 0x00);
	X(0x06);
	X(0x20, 0x00, 0x30, 0x00, 0x00);
	X(0x20, 0x00, 0x30);
	X(0xc7, 0x00);
	(void)sim_nor_flash_peek(&flash, 0x3000u, &out, 1u);
	CHECK_EQ(out, 0);
	CHECK_EQ(flash.erases, 0);
	CHECK_EQ(flash.ignored_commands, 4);
	CHECK_EQ(sim_nor_flash_status(&flash, spi.free_at_ns), SIM_NOR_FLASH_SR_WEL);
}

static void test_flash_durations_and_ranges(void)
{
	uint8_t miso[8];
	uint8_t out[2];
	static const uint8_t one = 1u;

	flash_rig();
	flash.t_pp_ns = MS(3);
	X(0x06);
	X(0x02, 0, 0, 0, 0);
	CHECK_U64(sim_nor_flash_busy_until(&flash, 0u), MS(3) + 2000u + 6000u);
	CHECK_EQ(sim_nor_flash_peek(&flash, (uint32_t)SIM_NOR_FLASH_SIZE - 1u, out, 2u), -AGENT_EINVAL);
	CHECK_EQ(sim_nor_flash_poke(&flash, (uint32_t)SIM_NOR_FLASH_SIZE, &one, 1u), -AGENT_EINVAL);
}

#if SIM_NOR_FLASH_SPARSE_PAGES > 0
/* A sparse flash keeps the last SIM_NOR_FLASH_SPARSE_PAGES programmed pages. */
static void test_flash_sparse_eviction(void)
{
	uint8_t mosi[5] = { 0x02, 0, 0, 0, 0 };
	uint8_t miso[5];
	uint8_t out;
	uint32_t p;

	flash_rig();
	for (p = 0; p < SIM_NOR_FLASH_SPARSE_PAGES + 2u; p++) {
		uint32_t addr = 0x40000u + 256u * p;

		X(0x06);
		mosi[1] = (uint8_t)(addr >> 16);
		mosi[2] = (uint8_t)(addr >> 8);
		mosi[4] = (uint8_t)p;
		(void)x(mosi, miso, 5u);
		now = spi.free_at_ns + MS(1);
	}
	CHECK_EQ(flash.evictions, 2);
	(void)sim_nor_flash_peek(&flash, 0x40000u, &out, 1u);
	CHECK_EQ(out, 0xff);
	(void)sim_nor_flash_peek(&flash, 0x40100u, &out, 1u);
	CHECK_EQ(out, 0xff);
	(void)sim_nor_flash_peek(&flash, 0x40200u, &out, 1u);
	CHECK_EQ(out, 2);
	(void)sim_nor_flash_peek(&flash, 0x40000u + 256u * (SIM_NOR_FLASH_SPARSE_PAGES + 1u), &out, 1u);
	CHECK_EQ(out, SIM_NOR_FLASH_SPARSE_PAGES + 1u);
	/* Programming 0xFF into an unstored page stores nothing; an erase frees pages. */
	X(0x06);
	X(0x02, 0x07, 0x00, 0x00, 0xff);
	now = spi.free_at_ns + MS(1);
	CHECK_EQ(flash.evictions, 2);
	X(0x06);
	X(0xd8, 0x04, 0x00, 0x00);
	CHECK_EQ(flash.pages[0].base, UINT32_MAX);
	CHECK(sizeof(flash) < 300u * SIM_NOR_FLASH_SPARSE_PAGES + 400u);
}
#endif

/* ------------------------------------------------------------------ GPIO lines */

struct edge_log {
	uint8_t line[16];
	uint8_t level[16];
	uint64_t at[16];
	unsigned n;
};

static void on_edge(void *ctx, uint8_t line, uint8_t level, uint64_t now_ns)
{
	struct edge_log *l = ctx;

	if (l->n < 16u) {
		l->line[l->n] = line;
		l->level[l->n] = level;
		l->at[l->n] = now_ns;
		l->n++;
	}
}

static void test_gpio_reset(void)
{
	struct sim_gpio_lines g;
	unsigned i;

	sim_gpio_lines_init(&g, true);
	CHECK_EQ(sim_gpio_levels(&g), 0);
	for (i = 0; i < 8u; i++) {
		CHECK_EQ(sim_gpio_is_output(i), i < 4u);
		CHECK_EQ(sim_gpio_is_input(i), i >= 4u);
	}
	CHECK(!sim_gpio_is_input(8u));
}

static void test_gpio_jumpers(void)
{
	struct sim_gpio_lines g;
	struct edge_log l;

	memset(&l, 0, sizeof(l));
	sim_gpio_lines_init(&g, true);
	sim_gpio_lines_listen(&g, on_edge, &l);
	CHECK_EQ(sim_gpio_set(&g, 0u, 1u, 0u), 0);
	CHECK_EQ(sim_gpio_set(&g, 3u, 1u, US(1250)), 0);
	CHECK_EQ(sim_gpio_set(&g, 3u, 1u, US(1250)), 0);
	CHECK_EQ(sim_gpio_set(&g, 0u, 0u, US(1250)), 0);
	CHECK_EQ(sim_gpio_levels(&g), 0x88);
	CHECK_EQ(l.n, 3);
	CHECK(l.line[0] == 4u && l.level[0] == 1u && l.at[0] == 0u);
	CHECK(l.line[1] == 7u && l.level[1] == 1u && l.at[1] == US(1250));
	CHECK(l.line[2] == 4u && l.level[2] == 0u && l.at[2] == US(1250));
	CHECK_EQ(g.edges, 3);
}

static void test_gpio_no_jumpers(void)
{
	struct sim_gpio_lines g;
	struct edge_log l;

	memset(&l, 0, sizeof(l));
	sim_gpio_lines_init(&g, false);
	sim_gpio_lines_listen(&g, on_edge, &l);
	(void)sim_gpio_set(&g, 1u, 1u, 0u);
	CHECK_EQ(sim_gpio_get(&g, 1u), 1);
	CHECK_EQ(sim_gpio_get(&g, 5u), 0);
	CHECK_EQ(sim_gpio_drive(&g, 5u, 1u, 0u), 0);
	CHECK_EQ(sim_gpio_get(&g, 5u), 1);
	sim_gpio_lines_listen(&g, NULL, NULL);
	(void)sim_gpio_drive(&g, 5u, 0u, 0u);
	CHECK_EQ(l.n, 1);
	CHECK_EQ(g.edges, 2);
}

static void test_gpio_rejects(void)
{
	struct sim_gpio_lines g;

	sim_gpio_lines_init(&g, true);
	CHECK_EQ(sim_gpio_set(&g, 4u, 1u, 0u), -AGENT_EINVAL);
	CHECK_EQ(sim_gpio_set(&g, 8u, 1u, 0u), -AGENT_EINVAL);
	CHECK_EQ(sim_gpio_set(&g, 0u, 2u, 0u), -AGENT_EINVAL);
	CHECK_EQ(sim_gpio_drive(&g, 0u, 1u, 0u), -AGENT_EINVAL);
	CHECK_EQ(sim_gpio_get(&g, 8u), 0);
	CHECK_EQ(sim_gpio_levels(&g), 0);
}

#define T(fn) { #fn, fn }

int main(void)
{
	static const struct check_test tests[] = {
		T(test_i2c_register_read), T(test_i2c_write_phases), T(test_i2c_bitrates), T(test_i2c_absent_address),
		T(test_i2c_busy_device_no_stop), T(test_i2c_data_nack), T(test_i2c_injected_nack), T(test_i2c_short_read),
		T(test_i2c_bus_timeout), T(test_i2c_10bit_and_empty), T(test_i2c_serialises_and_wire_times),
		T(test_i2c_attach_errors),
		T(test_ee_erased), T(test_ee_page_write_wraps), T(test_ee_wrap_last_wins), T(test_ee_upper_bits_ignored),
		T(test_ee_write_cycle_nack), T(test_ee_restart_discards), T(test_ee_word_address_alone),
		T(test_ee_sequential_wrap), T(test_ee_current_address), T(test_ee_options_and_ranges),
		T(test_tmp_power_on), T(test_tmp_encoding), T(test_tmp_pointer_repeats), T(test_tmp_writes),
		T(test_tmp_extended), T(test_tmp_conversion_period),
		T(test_tmp_shutdown_one_shot), T(test_tmp_alert), T(test_tmp_bad_options),
		T(test_imu_who_am_i), T(test_imu_streams_1khz), T(test_imu_packet_layout),
		T(test_imu_pops_in_order), T(test_imu_drops_when_full), T(test_imu_odr_change), T(test_imu_next_packet_at),
		T(test_imu_cold_start), T(test_imu_flush), T(test_imu_soft_reset), T(test_imu_bank0_only),
		T(test_spi_defaults), T(test_spi_attach), T(test_spi_episode_timing), T(test_spi_log_and_wait),
		T(test_spi_unattached_and_stall),
		T(test_flash_jedec_and_erased), T(test_flash_wren_wrdi), T(test_flash_program_needs_wel),
		T(test_flash_program_busy), T(test_flash_program_ands), T(test_flash_page_wrap), T(test_flash_read_wrap),
		T(test_flash_sector_erase_poll), T(test_flash_busy_ignores), T(test_flash_block_chip_erase),
		T(test_flash_erase_needs_wel_and_length), T(test_flash_durations_and_ranges),
#if SIM_NOR_FLASH_SPARSE_PAGES > 0
		T(test_flash_sparse_eviction),
#endif
		T(test_gpio_reset), T(test_gpio_jumpers), T(test_gpio_no_jumpers), T(test_gpio_rejects),
	};

#if SIM_NOR_FLASH_SPARSE_PAGES > 0
	return check_run("sim-models (sparse flash)", tests, sizeof(tests) / sizeof(tests[0]));
#else
	return check_run("sim-models", tests, sizeof(tests) / sizeof(tests[0]));
#endif
}
