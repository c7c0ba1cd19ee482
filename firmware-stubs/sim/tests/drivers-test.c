/*
 * The iodev drivers under the agent's real executor (through the test host, exec_host.c),
 * mirroring the harness/emulator/iodevs tests (one file per iodev) scenario by scenario, with
 * exact bytes and exact µs completion times (the first whole µs at or after the model's time:
 * where a TS test expects a fractional µs, the comment says so). Also the reference board's
 * table, and the test host's policing of the driver contract.
 *
 * Over 600 lines: one test per scenario of six TS test files, which share the rigs and the CQE
 * helpers at the top; a file per iodev would repeat those.
 */
#include "../../tests/check.h"
#include "exec_host.h"

#include "../board.h"

#define NO_CQE 999999
#define EIO_ (-AGENT_EIO)
#define ECANCELED_ (-AGENT_ECANCELED)

static struct host host;

/* Result of the first CQE of s, or NO_CQE. */
static int32_t res(const struct host_sqe *s)
{
	const struct host_cqe *c = host_cqe_of(&host, s, 0u);

	return c != NULL ? c->result : NO_CQE;
}

/* When the first CQE of s was posted, or UINT64_MAX. */
static uint64_t at(const struct host_sqe *s)
{
	const struct host_cqe *c = host_cqe_of(&host, s, 0u);

	return c != NULL ? c->at_us : UINT64_MAX;
}

/* Position of the first CQE of s among all CQEs, or -1. */
static int pos(const struct host_sqe *s)
{
	uint32_t i;

	for (i = 0; i < host.n_cqes; i++) {
		if (host.cqes[i].sqe == s) {
			return (int)i;
		}
	}
	return -1;
}

/* Every test ends with nothing in flight and the contract kept. */
static void clean(void)
{
	CHECK_EQ(host.violations, 0);
	CHECK_EQ(host_inflight(&host), 0);
}

/* ------------------------------------------------------------------ I2C iodev */

static struct sim_i2c_bus i2c;
static struct sim_eeprom_24c32 eeprom;
static struct sim_tmp102 tmp;
static struct agent_iodev ee_dev;
static struct agent_iodev temp_dev;
static struct agent_iodev ghost_dev;
static struct sim_i2c_iodev ee;
static struct sim_i2c_iodev temp;
static struct sim_i2c_iodev ghost;

static void i2c_rig(void)
{
	memset(&ee_dev, 0, sizeof(ee_dev));
	memset(&temp_dev, 0, sizeof(temp_dev));
	memset(&ghost_dev, 0, sizeof(ghost_dev));
	(void)sim_i2c_bus_init(&i2c, 0u, 0u);
	(void)sim_eeprom_24c32_init(&eeprom, 0u, UINT64_MAX);
	(void)sim_tmp102_init(&tmp, 0u, 1u);
	(void)sim_eeprom_24c32_attach(&eeprom, &i2c);
	(void)sim_tmp102_attach(&tmp, &i2c);
	sim_i2c_iodev_init(&ee, &ee_dev, &i2c, 0x50u);
	sim_i2c_iodev_init(&temp, &temp_dev, &i2c, 0x48u);
	sim_i2c_iodev_init(&ghost, &ghost_dev, &i2c, 0x33u);
	host_init(&host, 16u, 2u);
	host_add_iodev(&host, &ee_dev);
	host_add_iodev(&host, &temp_dev);
	host_add_iodev(&host, &ghost_dev);
}

static void test_i2c_txn_register_read(void)
{
	static const uint8_t ptr[1] = { 0x01 };
	uint8_t rx[2];
	struct host_sqe *w;
	struct host_sqe *r;

	i2c_rig();
	w = host_write(&host, &temp_dev, ptr, 1u);
	w->flags |= AGENT_SQE_TRANSACTION;
	r = host_read(&host, &temp_dev, rx, 2u);
	r->iodev_flags = AGENT_IODEV_I2C_STOP | AGENT_IODEV_I2C_RESTART;
	host_submit(&host);
	CHECK_EQ(host.n_cqes, 0);
	host_run_idle(&host);
	CHECK_EQ(res(w), 1);
	CHECK_EQ(res(r), 2);
	CHECK(pos(w) == 0 && pos(r) == 1);
	CHECK_BYTES(rx, 2, 0x60, 0xa0);
	CHECK_EQ(i2c.transfers, 1);
	CHECK_EQ(i2c.restarts, 1);
	CHECK_U64(at(r), 120u);
	clean();
}

static void test_i2c_chain_register_read(void)
{
	static const uint8_t ptr[1] = { 0x00 };
	uint8_t rx[2];
	struct host_sqe *p;
	struct host_sqe *r;

	i2c_rig();
	(void)sim_tmp102_set_temperature_mc(&tmp, 25000);
	p = host_tiny_write(&host, &temp_dev, ptr, 1u);
	p->flags |= AGENT_SQE_CHAINED;
	r = host_read(&host, &temp_dev, rx, 2u);
	host_submit_idle(&host);
	CHECK_EQ(res(p), 1);
	CHECK_EQ(res(r), 2);
	CHECK_BYTES(rx, 2, 0x19, 0x00);
	CHECK_EQ(i2c.transfers, 2);
	CHECK_EQ(i2c.restarts, 0);
	CHECK_U64(at(p), 50u);
	CHECK_U64(at(r), 123u); /* 50 + 72.5 µs (TS: 122.5) */
	clean();
}

static void test_i2c_absent_address(void)
{
	static const uint8_t b[1] = { 0 };
	uint8_t rx[2];
	struct host_sqe *a;
	struct host_sqe *c;
	struct host_sqe *n;

	i2c_rig();
	a = host_write(&host, &ghost_dev, b, 1u);
	a->flags |= AGENT_SQE_CHAINED;
	c = host_read(&host, &ghost_dev, rx, 2u);
	c->flags |= AGENT_SQE_CHAINED;
	n = host_op(&host, NULL, AGENT_OP_NOP);
	host_submit_idle(&host);
	CHECK_EQ(res(a), EIO_);
	CHECK_EQ(res(c), ECANCELED_);
	CHECK_EQ(res(n), ECANCELED_);
	CHECK_EQ(i2c.nacks, 1);
	CHECK_U64(at(a), 28u); /* 27.5 µs */
	clean();
}

static void test_i2c_injected_nack(void)
{
	static const uint8_t b[1] = { 0x01 };
	uint8_t rx[2];
	struct host_sqe *w;
	struct host_sqe *r;
	struct host_sqe *after;

	i2c_rig();
	host_inject(&temp_dev, AGENT_FAULT_NACK, 2u, 0u, 0u, 1u);
	w = host_write(&host, &temp_dev, b, 1u);
	w->flags |= AGENT_SQE_TRANSACTION;
	r = host_read(&host, &temp_dev, rx, 2u);
	r->flags |= AGENT_SQE_CHAINED;
	after = host_write(&host, &temp_dev, b, 1u);
	host_submit_idle(&host);
	CHECK_EQ(res(w), 1);
	CHECK_EQ(res(r), EIO_);
	CHECK_EQ(res(after), ECANCELED_);
	CHECK_U64(at(r), 75u);
	CHECK_EQ(temp_dev.faults.len, 0);
	r = host_read(&host, &temp_dev, rx, 2u);
	host_submit_idle(&host);
	CHECK_EQ(res(r), 2);
	clean();
}

static void test_i2c_short_read(void)
{
	static const uint8_t data[4] = { 1, 2, 3, 4 };
	static const uint8_t wa[2] = { 0x00, 0x10 };
	uint8_t rx[4] = { 0 };
	struct host_sqe *w;
	struct host_sqe *r;
	struct host_sqe *after;

	i2c_rig();
	(void)sim_eeprom_24c32_poke(&eeprom, 0x10u, data, 4u);
	host_inject(&ee_dev, AGENT_FAULT_SHORT_READ, 0u, 2u, 0u, 1u);
	w = host_write(&host, &ee_dev, wa, 2u);
	w->flags |= AGENT_SQE_TRANSACTION;
	r = host_read(&host, &ee_dev, rx, 4u);
	r->flags |= AGENT_SQE_CHAINED;
	after = host_write(&host, &ee_dev, wa, 2u);
	host_submit_idle(&host);
	CHECK_EQ(res(w), 2);
	CHECK_EQ(res(r), 2);
	CHECK_EQ(res(after), ECANCELED_);
	CHECK_BYTES(rx, 4, 1, 2, 0, 0);
	clean();
}

static void test_i2c_bus_timeout(void)
{
	uint8_t rx[2];
	struct host_sqe *a;
	struct host_sqe *b;

	i2c_rig();
	host_inject(&temp_dev, AGENT_FAULT_BUS_TIMEOUT, 0u, 0u, 0u, 1u);
	a = host_read(&host, &temp_dev, rx, 2u);
	a->flags |= AGENT_SQE_CHAINED;
	b = host_read(&host, &temp_dev, rx, 2u);
	host_submit_idle(&host);
	CHECK_EQ(res(a), -AGENT_ETIMEDOUT);
	CHECK_EQ(res(b), ECANCELED_);
	CHECK_U64(host.now_us, 25000u);
	clean();
}

static void test_i2c_delay_fault(void)
{
	uint8_t rx[2];
	struct host_sqe *a;

	i2c_rig();
	host_inject(&temp_dev, AGENT_FAULT_DELAY, 0u, 0u, 3000u, 1u);
	a = host_read(&host, &temp_dev, rx, 2u);
	host_submit_idle(&host);
	CHECK_EQ(res(a), 2);
	CHECK_U64(at(a), 3073u); /* 72.5 µs + 3 ms */
	clean();
}

static void test_i2c_eeprom_busy_after_write(void)
{
	static const uint8_t w4[4] = { 0x00, 0x20, 0xaa, 0xbb };
	static const uint8_t wa[2] = { 0x00, 0x20 };
	uint8_t rx[2];
	uint8_t out[2];
	struct host_sqe *w;
	struct host_sqe *a;
	struct host_sqe *r;

	i2c_rig();
	w = host_write(&host, &ee_dev, w4, 4u);
	w->flags |= AGENT_SQE_CHAINED;
	a = host_write(&host, &ee_dev, wa, 2u);
	a->flags |= AGENT_SQE_TRANSACTION;
	r = host_read(&host, &ee_dev, rx, 2u);
	host_submit_idle(&host);
	CHECK_EQ(res(w), 4);
	CHECK_EQ(res(a), EIO_);
	CHECK_EQ(res(r), ECANCELED_);
	CHECK_U64(at(w), 118u);  /* 117.5 µs */
	CHECK_U64(at(a), 146u);  /* from 118 µs, 27.5 µs (TS: 145) */
	(void)sim_eeprom_24c32_peek(&eeprom, 0x20u, out, 2u);
	CHECK_BYTES(out, 2, 0xaa, 0xbb);
	clean();
}

static void test_i2c_eeprom_delay(void)
{
	static const uint32_t delays[2] = { 4900u, 5000u };
	static const uint8_t w4[4] = { 0x00, 0x20, 0xaa, 0xbb };
	static const uint8_t wa[2] = { 0x00, 0x20 };
	unsigned k;

	i2c_rig();
	for (k = 0; k < 2u; k++) {
		uint8_t rx[2] = { 0, 0 };
		uint64_t t0 = host.now_us;
		struct host_sqe *w = host_write(&host, &ee_dev, w4, 4u);
		struct host_sqe *d;
		struct host_sqe *a;
		struct host_sqe *r;

		w->flags |= AGENT_SQE_CHAINED;
		d = host_delay(&host, delays[k]);
		d->flags |= AGENT_SQE_CHAINED;
		a = host_write(&host, &ee_dev, wa, 2u);
		a->flags |= AGENT_SQE_TRANSACTION;
		r = host_read(&host, &ee_dev, rx, 2u);
		host_submit(&host);
		host_run_idle(&host);
		CHECK_EQ(res(w), 4);
		CHECK_EQ(res(d), 0);
		if (k == 0u) {
			CHECK_EQ(res(a), EIO_);
			CHECK_EQ(res(r), ECANCELED_);
		} else {
			CHECK_EQ(res(a), 2);
			CHECK_EQ(res(r), 2);
			CHECK_BYTES(rx, 2, 0xaa, 0xbb);
			CHECK_U64(at(r) - t0, 118u + 5000u + 143u); /* TS: 117.5 + 5000 + 142.5 */
		}
		host_run_until(&host, host.now_us + 10000u);
	}
	clean();
}

static void test_i2c_restart_between_writes(void)
{
	static const uint8_t p2[1] = { 0x02 };
	static const uint8_t v1[2] = { 0x4a, 0x00 };
	static const uint8_t v2[2] = { 0x3c, 0x00 };
	struct host_sqe *a;
	struct host_sqe *b;

	i2c_rig();
	a = host_write(&host, &temp_dev, p2, 1u);
	a->flags |= AGENT_SQE_TRANSACTION;
	(void)host_write(&host, &temp_dev, v1, 2u);
	host_submit_idle(&host);
	CHECK_EQ(sim_tmp102_register(&tmp, 2u, 0u), 0x4a00);
	CHECK_EQ(i2c.restarts, 0);
	a = host_write(&host, &temp_dev, p2, 1u);
	a->flags |= AGENT_SQE_TRANSACTION;
	b = host_write(&host, &temp_dev, v2, 2u);
	b->iodev_flags = AGENT_IODEV_I2C_RESTART;
	host_submit_idle(&host);
	CHECK_EQ(res(a), 1);
	CHECK_EQ(res(b), 2);
	CHECK_EQ(i2c.restarts, 1);
	CHECK_EQ(sim_tmp102_register(&tmp, 2u, 0u), 0x4a00);
	clean();
}

static void test_i2c_mempool_read(void)
{
	uint8_t data[32];
	struct host_sqe *s[3];
	const struct host_cqe *c0;
	const struct host_cqe *c1;
	unsigned i;

	i2c_rig();
	for (i = 0; i < 32u; i++) {
		data[i] = (uint8_t)(i + 1u);
	}
	(void)sim_eeprom_24c32_poke(&eeprom, 0u, data, 32u);
	for (i = 0; i < 3u; i++) {
		s[i] = host_read_pool(&host, &ee_dev);
	}
	host_submit_idle(&host);
	CHECK_EQ(res(s[0]), 16);
	CHECK_EQ(res(s[1]), 16);
	CHECK_EQ(res(s[2]), -AGENT_ENOMEM);
	c0 = host_cqe_of(&host, s[0], 0u);
	c1 = host_cqe_of(&host, s[1], 0u);
	CHECK(c0 != NULL && (c0->flags & HOST_CQE_MEMPOOL) != 0u && c0->buf != NULL && memcmp(c0->buf, data, 16u) == 0);
	CHECK(c1 != NULL && c1->buf != NULL && memcmp(c1->buf, data + 16, 16u) == 0);
	CHECK_EQ(host_cqe_of(&host, s[2], 0u)->flags, 0);
	CHECK_EQ(host_pool_free(&host), 0);
	host_release(&host, c0);
	host_release(&host, c1);
	CHECK_EQ(host_pool_free(&host), 2);
	CHECK_U64(at(s[1]), 775u); /* 2 x 155 bit times */
	clean();
}

static void test_i2c_recover_configure(void)
{
	struct host_sqe *s;

	i2c_rig();
	s = host_op(&host, &temp_dev, AGENT_OP_I2C_RECOVER);
	host_submit_idle(&host);
	CHECK_EQ(res(s), 0);
	CHECK_U64(at(s), 25u);
	CHECK_EQ(i2c.recoveries, 1);
	s = host_op(&host, &temp_dev, AGENT_OP_I2C_CONFIGURE);
	s->i2c_config = 0x14u;
	host_submit_idle(&host);
	CHECK_EQ(res(s), 0);
	CHECK(temp.configured && temp.i2c_config == 0x14u);
	clean();
}

static void test_i2c_unsupported(void)
{
	static const uint8_t b[2] = { 0, 0 };
	uint8_t rx[2];
	uint8_t rx2[2];
	struct host_sqe *t;
	struct host_sqe *ten;
	struct host_sqe *h;
	struct host_sqe *p;

	i2c_rig();
	t = host_txrx(&host, &temp_dev, b, rx, 2u);
	ten = host_read(&host, &temp_dev, rx2, 2u);
	ten->iodev_flags = AGENT_IODEV_I2C_10_BITS;
	h = host_write(&host, &temp_dev, b, 1u);
	h->flags |= AGENT_SQE_TRANSACTION;
	p = host_read_pool(&host, &temp_dev);
	host_submit_idle(&host);
	CHECK_EQ(res(t), -AGENT_ENOTSUP);
	CHECK_EQ(res(ten), -AGENT_ENOTSUP);
	CHECK_EQ(res(h), 0);
	CHECK_EQ(res(p), -AGENT_ENOTSUP);
	CHECK_EQ(i2c.transfers, 0);
	CHECK_EQ(host_pool_free(&host), 2);
	clean();
}

static void test_i2c_nop_and_await(void)
{
	struct host_sqe *a;
	struct host_sqe *n;
	struct host_sqe *r;
	uint8_t rx[2];

	i2c_rig();
	a = host_op(&host, &temp_dev, AGENT_OP_AWAIT);
	n = host_op(&host, &temp_dev, AGENT_OP_NOP);
	r = host_read(&host, &temp_dev, rx, 2u);
	host_submit(&host);
	host_run_until(&host, 1000u);
	CHECK_EQ(host.n_cqes, 0);
	CHECK_U64(temp_dev.api->next_due_us(&temp_dev), AGENT_NEVER);
	host_signal(&host, a);
	CHECK_U64(temp_dev.api->next_due_us(&temp_dev), 0u);
	host_run_idle(&host);
	CHECK_EQ(res(a), 0);
	CHECK_EQ(res(n), 0);
	CHECK_EQ(res(r), 2);
	CHECK_U64(at(a), 1000u);
	CHECK_U64(at(r), 1073u); /* the held bus is released at the signal: 1000 + 72.5 */
	clean();
}

/* ------------------------------------------------------------------ IMU iodev */

static struct sim_icm42688 icm;
static struct agent_iodev imu_dev;
static struct sim_imu_iodev imu;

static void imu_rig(uint32_t watermark, uint32_t max_batch)
{
	memset(&imu_dev, 0, sizeof(imu_dev));
	(void)sim_i2c_bus_init(&i2c, 0u, 0u);
	(void)sim_icm42688_init(&icm, 0u, 1u, true, 0u);
	(void)sim_icm42688_attach(&icm, &i2c);
	CHECK_EQ(sim_imu_iodev_init(&imu, &imu_dev, &i2c, &icm, watermark, max_batch), 0);
	host_init(&host, 128u, 4u);
	host_add_iodev(&host, &imu_dev);
}

/* FIFO_COUNT read: 48 bit times; FIFO_DATA read of n bytes. */
#define COUNT_NS 120000u
#define DATA_NS(n) ((uint64_t)(1u + 9u + 9u + 1u + 9u + 9u * (n) + 1u) * 2500u)

/* The packets of samples from..from+n-1 at 1 kHz from t = 0. */
static bool packets_are(const uint8_t *buf, uint32_t from, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint8_t p[16];

		sim_icm42688_packet(&icm, from + i, (uint64_t)(from + i + 1u) * SIM_NS_PER_MS, p);
		if (memcmp(buf + 16u * i, p, 16u) != 0) {
			return false;
		}
	}
	return true;
}

static void test_imu_registers(void)
{
	static const uint8_t reg[1] = { SIM_ICM42688_REG_WHO_AM_I };
	uint8_t rx[1];
	struct host_sqe *w;
	struct host_sqe *r;

	imu_rig(0u, 0u);
	w = host_write(&host, &imu_dev, reg, 1u);
	w->flags |= AGENT_SQE_TRANSACTION;
	r = host_read(&host, &imu_dev, rx, 1u);
	host_submit_idle(&host);
	CHECK_EQ(res(w), 1);
	CHECK_EQ(res(r), 1);
	CHECK_EQ(rx[0], 0x47);
	CHECK_EQ(imu.watermark_packets, 8);
	CHECK_EQ(imu.max_batch_bytes, 256);
	clean();
}

static void test_imu_multishot_stream(void)
{
	const struct host_cqe *held[4];
	unsigned n_held = 0u;
	bool blocks[4] = { false, false, false, false };
	struct host_sqe *s;
	const struct host_cqe *last;
	unsigned n;
	unsigned i;

	imu_rig(0u, 0u);
	s = host_read_pool(&host, &imu_dev);
	s->flags |= AGENT_SQE_MULTISHOT;
	host_submit(&host);
	for (n = 0; n < 10u; n++) {
		const struct host_cqe *c;

		host_run_cqes(&host, n + 1u);
		c = host_cqe_of(&host, s, n);
		CHECK(c != NULL);
		if (c == NULL) {
			break;
		}
		CHECK_EQ(c->result, 128);
		CHECK_EQ(c->flags, HOST_CQE_MEMPOOL | HOST_CQE_MORE);
		CHECK_U64(c->at_us, 8000u * (n + 1u) + (COUNT_NS + DATA_NS(128)) / 1000u);
		CHECK(c->buf != NULL && packets_are(c->buf, 8u * n, 8u));
		blocks[(c->buf - host.pool) / 128] = true;
		held[n_held++] = c;
		if (n_held > 3u) {
			host_release(&host, held[0]);
			for (i = 1; i < n_held; i++) {
				held[i - 1u] = held[i];
			}
			n_held--;
		}
	}
	CHECK(blocks[0] && blocks[1] && blocks[2] && blocks[3]);
	CHECK_EQ(host_cancel(&host, s), 0);
	last = host_cqe_of(&host, s, 10u);
	CHECK(last != NULL && last->result == ECANCELED_ && last->flags == 0u);
	for (i = 0; i < n_held; i++) {
		host_release(&host, held[i]);
	}
	CHECK_EQ(host_pool_free(&host), 4);
	host_run_idle(&host);
	CHECK(host_cqe_of(&host, s, 11u) == NULL);
	CHECK_EQ(imu.batches, 10);
	CHECK_U64(icm.dropped, 0u);
	clean();
}

static void test_imu_stream_enomem(void)
{
	struct host_sqe *s;
	const struct host_cqe *c;
	unsigned n;

	imu_rig(0u, 0u);
	s = host_read_pool(&host, &imu_dev);
	s->flags |= AGENT_SQE_MULTISHOT;
	host_submit(&host);
	host_run_cqes(&host, 5u);
	for (n = 0; n < 4u; n++) {
		c = host_cqe_of(&host, s, n);
		CHECK(c != NULL && c->result == 128 && (c->flags & HOST_CQE_MORE) != 0u);
	}
	c = host_cqe_of(&host, s, 4u);
	CHECK(c != NULL && c->result == -AGENT_ENOMEM && c->flags == 0u);
	CHECK(c != NULL && c->at_us == 40000u + COUNT_NS / 1000u);
	for (n = 0; n < 4u; n++) {
		host_release(&host, host_cqe_of(&host, s, n));
	}
	CHECK_EQ(host_pool_free(&host), 4);
	clean();
}

static void test_imu_watermark_and_max_batch(void)
{
	struct host_sqe *a;
	struct host_sqe *b;
	const struct host_cqe *ca;
	const struct host_cqe *cb;

	imu_rig(4u, 40u);
	CHECK_EQ(imu.max_batch_bytes, 32);
	a = host_read_pool(&host, &imu_dev);
	b = host_read_pool(&host, &imu_dev);
	host_submit_idle(&host);
	ca = host_cqe_of(&host, a, 0u);
	cb = host_cqe_of(&host, b, 0u);
	CHECK(ca != NULL && ca->result == 32 && ca->at_us == 4000u + (COUNT_NS + DATA_NS(32)) / 1000u);
	CHECK(ca != NULL && ca->buf != NULL && packets_are(ca->buf, 0u, 2u));
	CHECK(cb != NULL && cb->result == 32 && cb->at_us == 6000u + (COUNT_NS + DATA_NS(32)) / 1000u);
	CHECK(cb != NULL && cb->buf != NULL && packets_are(cb->buf, 2u, 2u));
	host_release(&host, ca);
	host_release(&host, cb);
	CHECK_EQ(sim_imu_iodev_init(&imu, &imu_dev, &i2c, &icm, 129u, 8u), -AGENT_EINVAL);
	clean();
}

static void test_imu_cancel_waiting(void)
{
	static const uint8_t reg[1] = { SIM_ICM42688_REG_WHO_AM_I };
	uint8_t rx[1];
	struct host_sqe *s;
	struct host_sqe *w;

	imu_rig(0u, 0u);
	s = host_read_pool(&host, &imu_dev);
	host_submit(&host);
	host_run_until(&host, 3000u);
	CHECK_EQ(host_cancel(&host, s), 0);
	CHECK_EQ(res(s), ECANCELED_);
	w = host_write(&host, &imu_dev, reg, 1u);
	w->flags |= AGENT_SQE_TRANSACTION;
	(void)host_read(&host, &imu_dev, rx, 1u);
	host_submit_idle(&host);
	CHECK_EQ(rx[0], 0x47);
	CHECK(host.now_us < 4000u);
	CHECK_EQ(host_pool_free(&host), 4);
	clean();
}

static void test_imu_cancel_on_bus(void)
{
	struct host_sqe *s;
	const struct host_cqe *c;

	imu_rig(0u, 0u);
	s = host_read_pool(&host, &imu_dev);
	s->flags |= AGENT_SQE_MULTISHOT;
	host_submit(&host);
	host_run_until(&host, 9000u);
	CHECK_EQ(host_cancel(&host, s), -AGENT_EALREADY);
	host_run_idle(&host);
	c = host_cqe_of(&host, s, 0u);
	CHECK(c != NULL && c->result == ECANCELED_ && c->flags == 0u);
	CHECK(c != NULL && c->at_us == 8000u + (COUNT_NS + DATA_NS(128)) / 1000u);
	CHECK_EQ(host.n_cqes, 1);
	CHECK_EQ(host_pool_free(&host), 4);
	clean();
}

static void test_imu_nack_in_data_read(void)
{
	struct host_sqe *s;
	const struct host_cqe *c;

	imu_rig(0u, 0u);
	host_inject(&imu_dev, AGENT_FAULT_NACK, 7u, 0u, 0u, 1u);
	s = host_read_pool(&host, &imu_dev);
	s->flags |= AGENT_SQE_MULTISHOT;
	host_submit(&host);
	host_run_cqes(&host, 1u);
	c = host_cqe_of(&host, s, 0u);
	CHECK(c != NULL && c->result == EIO_ && c->flags == 0u);
	CHECK(c != NULL && c->at_us == 8000u + (COUNT_NS + 30u * 2500u) / 1000u);
	CHECK_EQ(host_pool_free(&host), 4);
	clean();
}

static void test_imu_delay_fault(void)
{
	struct host_sqe *s;
	const struct host_cqe *c;

	imu_rig(0u, 0u);
	host_inject(&imu_dev, AGENT_FAULT_DELAY, 0u, 0u, 2000u, 1u);
	s = host_read_pool(&host, &imu_dev);
	host_submit_idle(&host);
	c = host_cqe_of(&host, s, 0u);
	CHECK(c != NULL && c->result == 128);
	CHECK(c != NULL && c->at_us == 8000u + (COUNT_NS + DATA_NS(128)) / 1000u + 2000u);
	host_release(&host, c);
	clean();
}

/* ------------------------------------------------------------------ SPI iodev */

static struct sim_spi_bus spi;
static struct sim_nor_flash flash;
static struct agent_iodev flash_dev;
static struct sim_spi_iodev flash_io;

static void spi_rig(uint32_t block_count, uint32_t pool_read_len)
{
	memset(&flash_dev, 0, sizeof(flash_dev));
	sim_spi_bus_init(&spi, 0u, 0u);
	sim_nor_flash_init(&flash);
	(void)sim_spi_attach(&spi, 0u, &sim_nor_flash_ops, &flash);
	CHECK_EQ(sim_spi_iodev_init(&flash_io, &flash_dev, &spi, 0u, pool_read_len), 0);
	host_init(&host, 16u, block_count);
	host_add_iodev(&host, &flash_dev);
}

static uint8_t read_status(void)
{
	static const uint8_t tx[2] = { 0x05, 0x00 };
	uint8_t rx[2] = { 0, 0 };
	struct host_sqe *s = host_txrx(&host, &flash_dev, tx, rx, 2u);

	host_submit_idle(&host);
	CHECK_EQ(res(s), 2);
	host_recycle(&host);
	return rx[1];
}

static void test_spi_program_sequence(void)
{
	static const uint8_t wren[1] = { 0x06 };
	static const uint8_t pp[4] = { 0x02, 0x01, 0x23, 0x00 };
	static const uint8_t rd[4] = { 0x03, 0x01, 0x23, 0x00 };
	static const uint8_t data[8] = { 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe };
	uint8_t back[8];
	uint8_t out[8];
	struct host_sqe *a;
	struct host_sqe *b;
	struct host_sqe *c;
	const struct sim_spi_episode *e;
	unsigned polls = 0u;
	uint8_t st;

	spi_rig(4u, 0u);
	a = host_tiny_write(&host, &flash_dev, wren, 1u);
	a->flags |= AGENT_SQE_CHAINED;
	b = host_write(&host, &flash_dev, pp, 4u);
	b->flags |= AGENT_SQE_TRANSACTION;
	c = host_write(&host, &flash_dev, data, 8u);
	host_submit_idle(&host);
	CHECK_EQ(res(a), 1);
	CHECK_EQ(res(b), 4);
	CHECK_EQ(res(c), 8);
	e = sim_spi_log_entry(&spi, 1u);
	CHECK(e != NULL && e->bytes == 1u);
	e = sim_spi_log_entry(&spi, 0u);
	CHECK(e != NULL && e->bytes == 12u);
	CHECK(e != NULL && memcmp(e->mosi, pp, 4u) == 0 && memcmp(e->mosi + 4, data, 8u) == 0);
	CHECK(e != NULL && e->end_ns == 15000u);
	CHECK_U64(host.now_us, 15u);
	/* Poll i starts at 15 + 3i µs and samples the status 1.5 µs in; BUSY ends at 715 µs. */
	do {
		st = read_status();
		if (polls == 0u) {
			CHECK_EQ(st, 0x03);
		}
		polls++;
	} while ((st & 1u) != 0u && polls < 1000u);
	CHECK_EQ(polls, 234);
	CHECK_EQ(st, 0x00);
	a = host_write(&host, &flash_dev, rd, 4u);
	a->flags |= AGENT_SQE_TRANSACTION;
	b = host_read(&host, &flash_dev, back, 8u);
	host_submit_idle(&host);
	CHECK_EQ(res(a), 4);
	CHECK_EQ(res(b), 8);
	CHECK(memcmp(back, data, 8u) == 0);
	(void)sim_nor_flash_peek(&flash, 0x012300u, out, 8u);
	CHECK(memcmp(out, data, 8u) == 0);
	CHECK_EQ(flash.programs, 1);
	clean();
}

static void test_spi_chain_does_not_program(void)
{
	static const uint8_t wren[1] = { 0x06 };
	static const uint8_t pp[4] = { 0x02, 0x00, 0x04, 0x00 };
	static const uint8_t data[4] = { 0x11, 0x22, 0x33, 0x44 };
	uint8_t out[4];
	struct host_sqe *a;
	struct host_sqe *b;
	struct host_sqe *c;

	spi_rig(4u, 0u);
	a = host_tiny_write(&host, &flash_dev, wren, 1u);
	a->flags |= AGENT_SQE_CHAINED;
	b = host_write(&host, &flash_dev, pp, 4u);
	b->flags |= AGENT_SQE_CHAINED;
	c = host_write(&host, &flash_dev, data, 4u);
	host_submit_idle(&host);
	CHECK(res(a) == 1 && res(b) == 4 && res(c) == 4);
	CHECK_EQ(sim_spi_log_entry(&spi, 2u)->bytes, 1);
	CHECK_EQ(sim_spi_log_entry(&spi, 1u)->bytes, 4);
	CHECK_EQ(sim_spi_log_entry(&spi, 0u)->bytes, 4);
	CHECK_EQ(spi.cs_assertions, 3);
	(void)sim_nor_flash_peek(&flash, 0x400u, out, 4u);
	CHECK_BYTES(out, 4, 0xff, 0xff, 0xff, 0xff);
	CHECK_EQ(flash.programs, 0);
	CHECK_EQ(flash.ignored_commands, 2);
	CHECK_EQ(read_status(), 0x02);
	clean();
}

static void test_spi_txrx_jedec(void)
{
	static const uint8_t tx[4] = { 0x9f, 0, 0, 0 };
	uint8_t rx[4];
	struct host_sqe *s;

	spi_rig(4u, 0u);
	s = host_txrx(&host, &flash_dev, tx, rx, 4u);
	host_submit_idle(&host);
	CHECK_EQ(res(s), 4);
	CHECK_BYTES(rx, 4, 0xff, 0xef, 0x40, 0x14);
	CHECK_U64(at(s), 5u);
	clean();
}

static void test_spi_rx_and_pool(void)
{
	uint8_t rx[3] = { 0x55, 0x55, 0x55 };
	struct host_sqe *a;
	struct host_sqe *p;
	const struct host_cqe *c;
	const struct sim_spi_episode *e;
	unsigned i;
	bool all_ff = true;

	spi_rig(4u, 0u);
	a = host_read(&host, &flash_dev, rx, 3u);
	p = host_read_pool(&host, &flash_dev);
	host_submit_idle(&host);
	CHECK_EQ(res(a), 3);
	CHECK_BYTES(rx, 3, 0xff, 0xff, 0xff);
	c = host_cqe_of(&host, p, 0u);
	CHECK(c != NULL && c->result == 16 && c->buf_len == 16u);
	for (i = 0; c != NULL && c->buf != NULL && i < 16u; i++) {
		all_ff = all_ff && c->buf[i] == 0xffu;
	}
	CHECK(all_ff);
	host_release(&host, c);
	e = sim_spi_log_entry(&spi, 1u);
	CHECK(e != NULL && e->bytes == 3u && e->mosi[0] == 0u && e->mosi[2] == 0u);
	e = sim_spi_log_entry(&spi, 0u);
	CHECK(e != NULL && e->bytes == 16u && e->mosi[15] == 0u);
	CHECK_EQ(host_pool_free(&host), 4);
	clean();
}

static void test_spi_pool_exhausted(void)
{
	struct host_sqe *s;

	spi_rig(2u, 64u);
	s = host_read_pool(&host, &flash_dev);
	host_submit_idle(&host);
	CHECK_EQ(res(s), -AGENT_ENOMEM);
	CHECK_EQ(spi.cs_assertions, 0);
	CHECK_EQ(host_pool_free(&host), 2);
	clean();
}

static void test_spi_short_read(void)
{
	static const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t cmd[4] = { 0x03, 0x00, 0x01, 0x00 };
	uint8_t back[8] = { 0 };
	struct host_sqe *a;
	struct host_sqe *b;
	struct host_sqe *n;

	spi_rig(4u, 0u);
	(void)sim_nor_flash_poke(&flash, 0x100u, data, 8u);
	host_inject(&flash_dev, AGENT_FAULT_SHORT_READ, 0u, 3u, 0u, 1u);
	a = host_write(&host, &flash_dev, cmd, 4u);
	a->flags |= AGENT_SQE_TRANSACTION;
	b = host_read(&host, &flash_dev, back, 8u);
	b->flags |= AGENT_SQE_CHAINED;
	n = host_op(&host, NULL, AGENT_OP_NOP);
	host_submit_idle(&host);
	CHECK_EQ(res(a), 4);
	CHECK_EQ(res(b), 3);
	CHECK_EQ(res(n), ECANCELED_);
	CHECK_BYTES(back, 8, 1, 2, 3, 0, 0, 0, 0, 0);
	CHECK_EQ(sim_spi_log_entry(&spi, 0u)->bytes, 7);
	clean();
}

static void test_spi_nack(void)
{
	static const uint8_t cmd[4] = { 0x03, 0, 0, 0 };
	uint8_t back[8];
	struct host_sqe *a;
	struct host_sqe *b;
	struct host_sqe *n;

	spi_rig(4u, 0u);
	host_inject(&flash_dev, AGENT_FAULT_NACK, 6u, 0u, 0u, 1u);
	a = host_write(&host, &flash_dev, cmd, 4u);
	a->flags |= AGENT_SQE_TRANSACTION;
	b = host_read(&host, &flash_dev, back, 8u);
	b->flags |= AGENT_SQE_CHAINED;
	n = host_op(&host, NULL, AGENT_OP_NOP);
	host_submit_idle(&host);
	CHECK_EQ(res(a), 4);
	CHECK_EQ(res(b), EIO_);
	CHECK_EQ(res(n), ECANCELED_);
	CHECK_EQ(sim_spi_log_entry(&spi, 0u)->bytes, 6);
	CHECK_U64(at(b), 7u);
	clean();
}

static void test_spi_bus_timeout(void)
{
	static const uint8_t wren[1] = { 0x06 };
	struct host_sqe *a;
	struct host_sqe *n;

	spi_rig(4u, 0u);
	host_inject(&flash_dev, AGENT_FAULT_BUS_TIMEOUT, 0u, 0u, 0u, 1u);
	a = host_tiny_write(&host, &flash_dev, wren, 1u);
	a->flags |= AGENT_SQE_CHAINED;
	n = host_op(&host, NULL, AGENT_OP_NOP);
	host_submit_idle(&host);
	CHECK_EQ(res(a), -AGENT_ETIMEDOUT);
	CHECK_EQ(res(n), ECANCELED_);
	CHECK_U64(host.now_us, 25000u);
	CHECK_EQ(spi.timeouts, 1);
	CHECK_EQ(spi.bytes_transferred, 0);
	CHECK_EQ(sim_nor_flash_status(&flash, 25000000u), 0);
	clean();
}

static void test_spi_delay_fault(void)
{
	static const uint8_t wren[1] = { 0x06 };
	struct host_sqe *a;

	spi_rig(4u, 0u);
	host_inject(&flash_dev, AGENT_FAULT_DELAY, 0u, 0u, 2000u, 1u);
	a = host_tiny_write(&host, &flash_dev, wren, 1u);
	host_submit_idle(&host);
	CHECK_EQ(res(a), 1);
	CHECK_U64(at(a), 2002u);
	clean();
}

static void test_spi_unsupported(void)
{
	static const uint8_t id[1] = { 0x9f };
	struct host_sqe *r;
	struct host_sqe *h;
	struct host_sqe *m;

	spi_rig(4u, 0u);
	r = host_op(&host, &flash_dev, AGENT_OP_I2C_RECOVER);
	h = host_write(&host, &flash_dev, id, 1u);
	h->flags |= AGENT_SQE_TRANSACTION;
	m = host_op(&host, &flash_dev, AGENT_OP_I2C_RECOVER);
	host_submit_idle(&host);
	CHECK_EQ(res(r), -AGENT_ENOTSUP);
	CHECK_EQ(res(h), 0);
	CHECK_EQ(res(m), -AGENT_ENOTSUP);
	CHECK_EQ(spi.cs_assertions, 0);
	clean();
}

/*
 * A half-duplex controller (a flash controller's user mode, ports/ast1030-evb/aspeed_spi.c): the
 * simulated bus behind it, with every byte either sent or captured, never both.
 */
static uint32_t half_sent;
static uint32_t half_captured;

static uint64_t half_begin(void *c, uint8_t cs, uint64_t at_ns)
{
	return sim_spi_begin(c, cs, at_ns);
}

static uint8_t half_exchange(void *c, uint8_t mosi, bool capture)
{
	uint8_t miso = sim_spi_exchange(c, mosi);

	if (capture) {
		half_captured++;
		CHECK_EQ(mosi, SIM_SPI_RX_FILL);
		return miso;
	}
	half_sent++;
	return 0xFFu;
}

static uint32_t half_bytes(const void *c)
{
	return sim_spi_episode_bytes(c);
}

static uint64_t half_end(void *c)
{
	return sim_spi_end(c);
}

static const struct sim_spi_ctrl_api half_api = { half_begin, half_exchange, half_bytes, half_end, NULL, true };

static void test_spi_half_duplex(void)
{
	static const uint8_t jedec[1] = { 0x9f };
	static const uint8_t txrx[4] = { 0x9f, 0, 0, 0 };
	uint8_t rx[4] = { 0, 0, 0, 0 };
	uint8_t id[3] = { 0, 0, 0 };
	struct sim_spi_ctrl ctrl;
	struct host_sqe *t;
	struct host_sqe *h;
	struct host_sqe *r;

	spi_rig(4u, 0u);
	ctrl.api = &half_api;
	ctrl.ctx = &spi;
	CHECK_EQ(sim_spi_iodev_init_ctrl(&flash_io, &flash_dev, ctrl, 0u, 0u), 0);
	host_init(&host, 16u, 4u); /* again: the iodev was set up again, with its hooks */
	host_add_iodev(&host, &flash_dev);
	half_sent = 0u;
	half_captured = 0u;
	t = host_txrx(&host, &flash_dev, txrx, rx, 4u);
	host_submit_idle(&host);
	CHECK_EQ(res(t), -AGENT_ENOTSUP);
	CHECK_EQ(spi.cs_assertions, 0);
	host_recycle(&host);
	/* A command then a read in one transaction: sent, then captured, in one CS episode. */
	h = host_write(&host, &flash_dev, jedec, 1u);
	h->flags |= AGENT_SQE_TRANSACTION;
	r = host_read(&host, &flash_dev, id, 3u);
	host_submit_idle(&host);
	CHECK_EQ(res(h), 1);
	CHECK_EQ(res(r), 3);
	CHECK(id[0] == 0xef && id[1] == 0x40 && id[2] == 0x14);
	CHECK_EQ(spi.cs_assertions, 1);
	CHECK_EQ(half_sent, 1);
	CHECK_EQ(half_captured, 3);
	clean();
}

/* ------------------------------------------------------------------ GPIO iodev */

static struct sim_gpio_lines lines;
static struct agent_iodev gpio_dev;
static struct sim_gpio_iodev gpio;

static void gpio_rig(uint32_t block_count)
{
	memset(&gpio_dev, 0, sizeof(gpio_dev));
	sim_gpio_lines_init(&lines, true);
	CHECK_EQ(sim_gpio_iodev_init(&gpio, &gpio_dev, &lines, 0u), 0);
	host_init(&host, 8u, block_count);
	host_add_iodev(&host, &gpio_dev);
}

static void test_gpio_tx_rx(void)
{
	static const uint8_t set[4] = { 0, 1, 2, 1 };
	static const uint8_t clr[2] = { 2, 0 };
	uint8_t levels[8];
	uint8_t three[4] = { 9, 9, 9, 9 };
	struct host_sqe *s[4];

	gpio_rig(4u);
	memset(levels, 9, sizeof(levels));
	s[0] = host_write(&host, &gpio_dev, set, 4u);
	s[1] = host_tiny_write(&host, &gpio_dev, clr, 2u);
	s[2] = host_read(&host, &gpio_dev, levels, 8u);
	s[3] = host_read(&host, &gpio_dev, three, 3u);
	host_submit_idle(&host);
	CHECK(res(s[0]) == 4 && res(s[1]) == 2 && res(s[2]) == 8 && res(s[3]) == 3);
	CHECK_BYTES(levels, 8, 1, 0, 0, 0, 1, 0, 0, 0);
	CHECK_BYTES(three, 4, 1, 0, 0, 9);
	CHECK_EQ(sim_gpio_levels(&lines), 0x11);
	clean();
}

static void test_gpio_rejects(void)
{
	static const uint8_t input[4] = { 0, 1, 4, 1 };
	static const uint8_t line8[2] = { 8, 0 };
	static const uint8_t level2[2] = { 1, 2 };
	static const uint8_t odd[3] = { 0, 1, 1 };
	uint8_t nine[9];
	struct host_sqe *s[5];
	unsigned i;

	gpio_rig(4u);
	s[0] = host_write(&host, &gpio_dev, input, 4u);
	s[1] = host_write(&host, &gpio_dev, line8, 2u);
	s[2] = host_write(&host, &gpio_dev, level2, 2u);
	s[3] = host_write(&host, &gpio_dev, odd, 3u);
	s[4] = host_read(&host, &gpio_dev, nine, 9u);
	host_submit_idle(&host);
	for (i = 0; i < 5u; i++) {
		CHECK_EQ(res(s[i]), -AGENT_EINVAL);
	}
	CHECK_EQ(sim_gpio_levels(&lines), 0);
	CHECK_EQ(lines.edges, 0);
	clean();
}

static void test_gpio_edge_read_does_not_block(void)
{
	static const uint8_t set[2] = { 1, 1 };
	uint8_t rec[8];
	struct host_sqe *w;
	struct host_sqe *d;
	struct host_sqe *t;

	gpio_rig(4u);
	w = host_read(&host, &gpio_dev, rec, 8u);
	w->iodev_flags = AGENT_IODEV_GPIO_WAIT_EDGE;
	d = host_delay(&host, 2500u);
	d->flags |= AGENT_SQE_CHAINED;
	t = host_tiny_write(&host, &gpio_dev, set, 2u);
	host_submit(&host);
	CHECK_EQ(gpio.n_waiting, 1);
	host_run_idle(&host);
	CHECK(res(d) == 0 && res(w) == 8 && res(t) == 2);
	CHECK(pos(d) == 0 && pos(w) == 1 && pos(t) == 2);
	CHECK_BYTES(rec, 8, 5, 1, 0, 0, 0xc4, 0x09, 0, 0);
	CHECK_U64(host.now_us, 2500u);
	CHECK(gpio.n_waiting == 0u && gpio.edge_len == 0u && gpio.edges_delivered == 1u);
	clean();
}

static void test_gpio_multishot_stream(void)
{
	static const uint8_t up0[2] = { 0, 1 };
	static const uint8_t up1[2] = { 1, 1 };
	static const uint8_t down0up3[4] = { 0, 0, 3, 1 };
	static const uint8_t want[4][3] = { { 4, 1, 0 }, { 5, 1, 10 }, { 4, 0, 25 }, { 7, 1, 25 } };
	struct host_sqe *stream;
	struct host_sqe *st[5];
	const struct host_cqe *last;
	unsigned k;

	gpio_rig(4u);
	stream = host_read_pool(&host, &gpio_dev);
	stream->flags |= AGENT_SQE_MULTISHOT;
	host_submit(&host);
	st[0] = host_tiny_write(&host, &gpio_dev, up0, 2u);
	st[1] = host_delay(&host, 1000u);
	st[2] = host_tiny_write(&host, &gpio_dev, up1, 2u);
	st[3] = host_delay(&host, 1500u);
	st[4] = host_tiny_write(&host, &gpio_dev, down0up3, 4u);
	for (k = 0; k < 4u; k++) {
		st[k]->flags |= AGENT_SQE_CHAINED;
	}
	host_submit_idle(&host);
	for (k = 0; k < 4u; k++) {
		const struct host_cqe *c = host_cqe_of(&host, stream, k);
		uint32_t us;

		CHECK(c != NULL && c->result == 8 && (c->flags & HOST_CQE_MORE) != 0u);
		if (c == NULL || c->buf == NULL) {
			continue;
		}
		us = (uint32_t)c->buf[4] | ((uint32_t)c->buf[5] << 8) | ((uint32_t)c->buf[6] << 16) | ((uint32_t)c->buf[7] << 24);
		CHECK(c->buf[0] == want[k][0] && c->buf[1] == want[k][1] && us == want[k][2] * 100u);
		host_release(&host, c);
	}
	CHECK(res(st[0]) == 2 && res(st[1]) == 0 && res(st[2]) == 2 && res(st[3]) == 0 && res(st[4]) == 4);
	CHECK_EQ(host_inflight(&host), 1);
	CHECK_EQ(host_cancel(&host, stream), 0);
	last = host_cqe_of(&host, stream, 4u);
	CHECK(last != NULL && last->result == ECANCELED_ && last->flags == 0u);
	host_run_until(&host, host.now_us + 5u);
	CHECK(host_cqe_of(&host, stream, 5u) == NULL);
	CHECK_EQ(host_pool_free(&host), 4);
	CHECK_EQ(gpio.n_waiting, 0);
	clean();
}

static void test_gpio_edge_queue_limit(void)
{
	struct host_sqe *s;
	const struct host_cqe *c;
	struct sim_gpio_iodev other;
	struct agent_iodev other_dev;
	struct sim_gpio_lines other_lines;
	unsigned i;

	gpio_rig(4u);
	for (i = 0; i < 20u; i++) {
		(void)sim_gpio_set(&lines, 2u, (i + 1u) % 2u, (uint64_t)i * 1000u);
	}
	CHECK_EQ(gpio.edge_len, 16);
	CHECK_EQ(gpio.edges_dropped, 4);
	s = host_read_pool(&host, &gpio_dev);
	host_submit_idle(&host);
	c = host_cqe_of(&host, s, 0u);
	CHECK(c != NULL && c->result == 8 && c->buf != NULL);
	if (c != NULL && c->buf != NULL) {
		CHECK_BYTES(c->buf, 8, 6, 1, 0, 0, 0, 0, 0, 0);
	}
	host_release(&host, c);
	CHECK_EQ(gpio.edge_len, 15);
	sim_gpio_iodev_clear_edges(&gpio);
	CHECK_EQ(gpio.edge_len, 0);
	sim_gpio_lines_init(&other_lines, true);
	CHECK_EQ(sim_gpio_iodev_init(&other, &other_dev, &other_lines, 2u), 0);
	CHECK_EQ(other.edge_queue_limit, 2);
	CHECK_EQ(sim_gpio_iodev_init(&other, &other_dev, &other_lines, SIM_GPIO_EDGE_QUEUE_MAX + 1u), -AGENT_EINVAL);
	/* Timestamps: the edge's time in µs rounded half up (Math.round), modulo 2^32. */
	(void)sim_gpio_iodev_init(&other, &other_dev, &other_lines, 3u);
	(void)sim_gpio_drive(&other_lines, 4u, 1u, 2499u);
	(void)sim_gpio_drive(&other_lines, 4u, 0u, 2500u);
	(void)sim_gpio_drive(&other_lines, 4u, 1u, 0x100000000ull * 1000u + 7000u);
	(void)sim_gpio_drive(&other_lines, 4u, 0u, 0u);
	CHECK_EQ(other.edge_len, 3);
	CHECK(other.edges[0].time_us == 2u && other.edges[1].time_us == 3u && other.edges[2].time_us == 7u);
	CHECK_EQ(other.edges_dropped, 1);
	clean();
}

static void test_gpio_cancel_waiting(void)
{
	struct host_sqe *w;

	gpio_rig(4u);
	w = host_read_pool(&host, &gpio_dev);
	host_submit(&host);
	CHECK_EQ(host_cancel(&host, w), 0);
	CHECK(host_cancel(&host, w) < 0);
	(void)sim_gpio_set(&lines, 0u, 1u, 0u);
	host_run_until(&host, 5u);
	CHECK_EQ(res(w), ECANCELED_);
	CHECK_EQ(host.n_cqes, 1);
	CHECK(gpio.edge_len == 1u && gpio.edges_delivered == 0u);
	CHECK_EQ(host_pool_free(&host), 4);
	clean();
}

static void test_gpio_edge_timeout(void)
{
	struct host_sqe *w;

	gpio_rig(4u);
	w = host_read_pool(&host, &gpio_dev);
	w->timeout_us = 4000u;
	host_submit_idle(&host);
	CHECK_EQ(res(w), -AGENT_ETIMEDOUT);
	CHECK_U64(host.now_us, 4000u);
	CHECK_EQ(gpio.n_waiting, 0);
	clean();
}

static void test_gpio_edge_enomem(void)
{
	struct host_sqe *w;

	gpio_rig(1u);
	host.used[0] = true;
	w = host_read_pool(&host, &gpio_dev);
	host_submit(&host);
	(void)sim_gpio_set(&lines, 3u, 1u, 0u);
	host_run_idle(&host);
	CHECK_EQ(res(w), -AGENT_ENOMEM);
	CHECK_EQ(gpio.edge_len, 1);
	host.used[0] = false;
	clean();
}

static void test_gpio_edge_read_in_txn(void)
{
	static const uint8_t set[2] = { 0, 1 };
	uint8_t rec[8];
	uint8_t small[4];
	struct host_sqe *h;
	struct host_sqe *m;
	struct host_sqe *s;

	gpio_rig(4u);
	h = host_tiny_write(&host, &gpio_dev, set, 2u);
	h->flags |= AGENT_SQE_TRANSACTION;
	m = host_read(&host, &gpio_dev, rec, 8u);
	m->iodev_flags = AGENT_IODEV_GPIO_WAIT_EDGE;
	s = host_read(&host, &gpio_dev, small, 4u);
	s->iodev_flags = AGENT_IODEV_GPIO_WAIT_EDGE;
	host_submit_idle(&host);
	CHECK_EQ(res(h), 2);
	CHECK_EQ(res(m), -AGENT_ENOTSUP);
	CHECK_EQ(res(s), -AGENT_EINVAL);
	clean();
}

/* ------------------------------------------------------------------ test iodev */

static struct agent_iodev test_dev;
static struct sim_test_iodev tio;

static void test_rig(uint32_t block_count)
{
	memset(&test_dev, 0, sizeof(test_dev));
	sim_test_iodev_init(&tio, &test_dev);
	host_init(&host, 16u, block_count);
	host_add_iodev(&host, &test_dev);
}

static struct host_sqe *tnop(uint32_t script, bool chained)
{
	struct host_sqe *s = host_op(&host, &test_dev, AGENT_OP_NOP);

	s->iodev_flags = script;
	if (chained) {
		s->flags |= AGENT_SQE_CHAINED;
	}
	return s;
}

static void test_tio_delays(void)
{
	static const uint8_t tx[2] = { 1, 2 };
	uint8_t rx[4];
	struct host_sqe *a;
	struct host_sqe *b;
	struct host_sqe *c;

	test_rig(4u);
	a = tnop(SIM_TEST_IODEV_SCRIPT(3000, 0, 0), true);
	b = host_read(&host, &test_dev, rx, 4u);
	b->iodev_flags = SIM_TEST_IODEV_SCRIPT(2000, 0, 0);
	b->flags |= AGENT_SQE_CHAINED;
	c = host_write(&host, &test_dev, tx, 2u);
	c->iodev_flags = SIM_TEST_IODEV_SCRIPT(500, 0, 0);
	host_submit_idle(&host);
	CHECK(res(a) == 0 && res(b) == 4 && res(c) == 2);
	CHECK(at(a) == 3000u && at(b) == 5000u && at(c) == 5500u);
	CHECK_EQ(SIM_TEST_IODEV_SCRIPT(10485750u, 255, 1), 0x1fffffff);
	CHECK_EQ(SIM_TEST_IODEV_SCRIPT(2500, 0, 0), 250);
	clean();
}

static void test_tio_no_delay_not_in_submit(void)
{
	struct host_sqe *a;

	test_rig(4u);
	a = tnop(0u, false);
	host_submit(&host);
	CHECK_EQ(host.n_cqes, 0);
	CHECK_U64(test_dev.api->next_due_us(&test_dev), 0u);
	host_run_idle(&host);
	CHECK_EQ(res(a), 0);
	CHECK_U64(host.now_us, 0u);
	clean();
}

static void test_tio_ops(void)
{
	static const uint8_t tiny[3] = { 9, 9, 9 };
	static const uint8_t tx[3] = { 7, 8, 9 };
	uint8_t buf[6] = { 0 };
	uint8_t rxb[3];
	struct host_sqe *a;
	struct host_sqe *b;
	struct host_sqe *c;

	test_rig(4u);
	a = host_read(&host, &test_dev, buf, 5u);
	b = host_tiny_write(&host, &test_dev, tiny, 3u);
	c = host_txrx(&host, &test_dev, tx, rxb, 3u);
	host_submit_idle(&host);
	CHECK(res(a) == 5 && res(b) == 3 && res(c) == 3);
	CHECK_BYTES(buf, 6, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0);
	CHECK_BYTES(rxb, 3, 7, 8, 9);
	clean();
}

static void test_tio_mempool(void)
{
	struct host_sqe *a;
	struct host_sqe *b;
	const struct host_cqe *c;

	test_rig(1u);
	a = host_read_pool(&host, &test_dev);
	b = host_read_pool(&host, &test_dev);
	host_submit_idle(&host);
	CHECK_EQ(res(a), 16);
	CHECK_EQ(res(b), -AGENT_ENOMEM);
	CHECK_EQ(host_cqe_of(&host, b, 0u)->flags, 0);
	c = host_cqe_of(&host, a, 0u);
	CHECK(c != NULL && c->buf != NULL);
	if (c != NULL && c->buf != NULL) {
		CHECK_BYTES(c->buf, 16, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2,
			    0xb3, 0xb4);
	}
	host_release(&host, c);
	CHECK_EQ(host_pool_free(&host), 1);
	clean();
}

static void test_tio_scripted_failure(void)
{
	struct host_sqe *a;
	struct host_sqe *b;
	struct host_sqe *c;

	test_rig(4u);
	a = tnop(SIM_TEST_IODEV_SCRIPT(1000, 0, 0), true);
	b = tnop(SIM_TEST_IODEV_SCRIPT(1000, AGENT_EIO, 0), true);
	c = tnop(0u, false);
	host_submit_idle(&host);
	CHECK(res(a) == 0 && res(b) == EIO_ && res(c) == ECANCELED_);
	CHECK_U64(host.now_us, 2000u);
	clean();
}

static void test_tio_transactions(void)
{
	static const uint8_t tx[3] = { 1, 2, 3 };
	uint8_t rx[4];
	struct host_sqe *a;
	struct host_sqe *b;
	struct host_sqe *c;

	test_rig(4u);
	a = host_read(&host, &test_dev, rx, 4u);
	a->flags |= AGENT_SQE_TRANSACTION;
	a->iodev_flags = SIM_TEST_IODEV_SCRIPT(1000, 0, 0);
	b = host_write(&host, &test_dev, tx, 3u);
	b->flags |= AGENT_SQE_TRANSACTION;
	b->iodev_flags = SIM_TEST_IODEV_SCRIPT(2000, 0, 0);
	c = tnop(0u, false);
	host_submit_idle(&host);
	CHECK(res(a) == 4 && res(b) == 3 && res(c) == 0);
	CHECK(at(a) == 3000u && at(b) == 3000u && at(c) == 3000u);
	a = host_write(&host, &test_dev, tx, 1u);
	a->flags |= AGENT_SQE_TRANSACTION;
	b = tnop(SIM_TEST_IODEV_SCRIPT(0, AGENT_EINVAL, 0), false);
	b->flags |= AGENT_SQE_TRANSACTION;
	c = tnop(0u, false);
	host_submit_idle(&host);
	CHECK(res(a) == 1 && res(b) == -AGENT_EINVAL && res(c) == ECANCELED_);
	clean();
}

static void test_tio_hang_timeout(void)
{
	struct host_sqe *h;
	struct host_sqe *a;
	struct host_sqe *l;

	test_rig(4u);
	h = tnop(SIM_TEST_IODEV_SCRIPT(0, 0, 1), true);
	h->timeout_us = 5000u;
	a = tnop(0u, false);
	host_submit_idle(&host);
	CHECK(res(h) == -AGENT_ETIMEDOUT && res(a) == ECANCELED_);
	CHECK_U64(host.now_us, 5000u);
	CHECK_EQ(tio.q.dropped, 1);
	CHECK_EQ(sim_qdev_depth(&tio.q), 0);
	l = tnop(SIM_TEST_IODEV_SCRIPT(1000, 0, 0), false);
	host_submit_idle(&host);
	CHECK_EQ(res(l), 0);
	CHECK_U64(at(l), 6000u);
	clean();
}

/* A running unit past its timeout: -ETIMEDOUT, the iodev keeps it (cancel says false) and its
 * late completion is absorbed by the executor, not stray. */
static void test_tio_timeout_while_running(void)
{
	struct host_sqe *r;
	struct host_sqe *n;

	test_rig(4u);
	r = tnop(SIM_TEST_IODEV_SCRIPT(10000, 0, 0), true);
	r->timeout_us = 5000u;
	n = tnop(0u, false);
	host_submit(&host);
	host_run_until(&host, 5000u);
	CHECK(res(r) == -AGENT_ETIMEDOUT && res(n) == ECANCELED_);
	CHECK_EQ(host_inflight(&host), 1);
	CHECK_EQ(tio.q.dropped, 0);
	host_run_idle(&host);
	CHECK_U64(host.now_us, 10000u);
	CHECK_EQ(host.n_cqes, 2);
	clean();
}

static void test_tio_hang_cancel(void)
{
	struct host_sqe *h;
	struct host_sqe *b;

	test_rig(4u);
	h = tnop(SIM_TEST_IODEV_SCRIPT(0, 0, 1), false);
	b = tnop(SIM_TEST_IODEV_SCRIPT(1000, 0, 0), false);
	host_submit(&host);
	host_run_until(&host, 10000u);
	CHECK_EQ(host_cancel(&host, h), 0);
	CHECK_EQ(res(h), ECANCELED_);
	host_run_until(&host, 50000u);
	CHECK_EQ(host.n_cqes, 2);
	CHECK_EQ(tio.q.dropped, 1);
	/* The unit queued behind starts when the iodev is next polled after the drop. */
	CHECK_EQ(res(b), 0);
	CHECK_U64(at(b), 11000u);
	clean();
}

static void test_tio_cancel_queued(void)
{
	struct host_sqe *r;
	struct host_sqe *q;

	test_rig(4u);
	r = tnop(SIM_TEST_IODEV_SCRIPT(10000, 0, 0), false);
	q = tnop(SIM_TEST_IODEV_SCRIPT(10000, 0, 0), false);
	host_submit(&host);
	host_run_until(&host, 0u);
	CHECK_EQ(sim_qdev_depth(&tio.q), 2);
	CHECK_EQ(host_cancel(&host, q), 0);
	host_run_idle(&host);
	CHECK(res(q) == ECANCELED_ && res(r) == 0);
	CHECK(pos(q) == 0 && pos(r) == 1);
	CHECK(at(q) == 0u && at(r) == 10000u);
	clean();
}

static void test_tio_cancel_running(void)
{
	struct host_sqe *r;

	test_rig(4u);
	r = tnop(SIM_TEST_IODEV_SCRIPT(4000, AGENT_EIO, 0), false);
	host_submit(&host);
	host_run_until(&host, 0u);
	CHECK_EQ(host_cancel(&host, r), -AGENT_EALREADY);
	host_run_idle(&host);
	CHECK_EQ(res(r), EIO_);
	CHECK_U64(at(r), 4000u);
	clean();
}

static void test_tio_await(void)
{
	struct host_sqe *w;
	struct host_sqe *b;

	test_rig(4u);
	w = host_op(&host, &test_dev, AGENT_OP_AWAIT);
	b = tnop(0u, false);
	host_submit(&host);
	host_run_until(&host, 5000u);
	CHECK_EQ(host.n_cqes, 0);
	host_signal(&host, w);
	host_run_idle(&host);
	CHECK(res(w) == 0 && res(b) == 0);
	CHECK(pos(w) == 0 && pos(b) == 1);
	CHECK_U64(host.now_us, 5000u);
	/* Signalled before it is reached: completes at once. */
	w = host_op(&host, &test_dev, AGENT_OP_AWAIT);
	host_signal(&host, w);
	host_submit_idle(&host);
	CHECK_EQ(res(w), 0);
	CHECK_U64(at(w), 5000u);
	clean();
}

static void test_tio_faults(void)
{
	uint8_t buf[4] = { 0 };
	struct host_sqe *r;
	struct host_sqe *a;
	struct host_sqe *b;
	struct host_sqe *c;
	struct host_sqe *d;
	uint64_t t0;

	test_rig(4u);
	r = host_op(&host, &test_dev, AGENT_OP_I2C_RECOVER);
	host_submit_idle(&host);
	CHECK_EQ(res(r), -AGENT_ENOTSUP);
	host_inject(&test_dev, AGENT_FAULT_DELAY, 0u, 0u, 2000u, 1u);
	host_inject(&test_dev, AGENT_FAULT_NACK, 0u, 0u, 0u, 1u);
	host_inject(&test_dev, AGENT_FAULT_BUS_TIMEOUT, 0u, 0u, 0u, 1u);
	host_inject(&test_dev, AGENT_FAULT_SHORT_READ, 0u, 2u, 0u, 1u);
	t0 = host.now_us;
	a = tnop(SIM_TEST_IODEV_SCRIPT(1000, 0, 0), false);
	b = tnop(0u, false);
	c = tnop(0u, false);
	d = host_read(&host, &test_dev, buf, 4u);
	host_submit_idle(&host);
	CHECK(res(a) == 0 && res(b) == EIO_ && res(c) == -AGENT_ETIMEDOUT && res(d) == 2);
	CHECK_U64(host.now_us - t0, 3000u + 25000u);
	CHECK_BYTES(buf, 4, 0xa5, 0xa6, 0, 0);
	clean();
}

static void test_tio_counters_and_until_cleared(void)
{
	struct host_sqe *s[3];
	unsigned i;

	test_rig(4u);
	host_inject(&test_dev, AGENT_FAULT_NACK, 0u, 0u, 0u, 0u);
	for (i = 0; i < 3u; i++) {
		s[i] = tnop(SIM_TEST_IODEV_SCRIPT(1000, 0, 0), false);
	}
	host_submit_idle(&host);
	for (i = 0; i < 3u; i++) {
		CHECK_EQ(res(s[i]), EIO_);
	}
	CHECK_EQ(test_dev.faults.len, 1);
	CHECK(tio.q.submitted == 3u && tio.q.dropped == 0u && tio.q.max_depth == 3u && sim_qdev_depth(&tio.q) == 0u);
	clean();
}

static void test_tio_queue_overflow(void)
{
	struct host_sqe *s[SIM_QDEV_QUEUE_LEN + 2u];
	unsigned i;

	test_rig(4u);
	for (i = 0; i < SIM_QDEV_QUEUE_LEN + 2u; i++) {
		s[i] = tnop(SIM_TEST_IODEV_SCRIPT(10, 0, 0), false);
	}
	host_submit_idle(&host);
	/* The first poll starts one unit and holds SIM_QDEV_QUEUE_LEN more; the rest are -EBUSY. */
	for (i = 0; i < SIM_QDEV_QUEUE_LEN; i++) {
		CHECK_EQ(res(s[i]), 0);
	}
	CHECK_EQ(res(s[SIM_QDEV_QUEUE_LEN]), -AGENT_EBUSY);
	CHECK_EQ(res(s[SIM_QDEV_QUEUE_LEN + 1u]), -AGENT_EBUSY);
	CHECK_EQ(tio.q.overflows, 2);
	CHECK_EQ(tio.q.lost, 0);
	clean();
}

/* ------------------------------------------------------------------ board */

static struct sim_board board;

static bool caps_are(const char *const *caps, const char *const *want)
{
	size_t i;

	for (i = 0; want[i] != NULL; i++) {
		if (caps[i] == NULL || strcmp(caps[i], want[i]) != 0) {
			return false;
		}
	}
	return caps[i] == NULL;
}

static void test_board_table(void)
{
	static const char *const i2c_caps[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", NULL };
	static const char *const imu_caps[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", "multishot",
						NULL };
	static const char *const eeprom_caps[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool",
						   "eeprom.page-wrap", "eeprom.write-cycle", NULL };
	static const char *const flash_caps[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", "txrx",
						  "flash.busy", "flash.wel-autoclear", "flash.page-wrap", NULL };
	static const char *const gpio_caps[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool",
						 "multishot", "edge-events", NULL };
	static const char *const test_caps[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool",
						 "multishot", "txrx", NULL };
	static const char *const rtc_caps[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", "multishot",
						NULL };
	static const struct {
		const char *name;
		enum agent_iodev_kind kind;
		const char *bus;
		uint32_t address;
		const char *part;
		const char *const *caps;
	} want[7] = {
		{ "eeprom0", AGENT_IODEV_KIND_I2C, "i2c0", 0x50, "24c32", eeprom_caps },
		{ "temp0", AGENT_IODEV_KIND_I2C, "i2c0", 0x48, "tmp102", i2c_caps },
		{ "imu0", AGENT_IODEV_KIND_SENSOR, "i2c0", 0x68, "icm42688", imu_caps },
		{ "flash0", AGENT_IODEV_KIND_SPI, "spi0", 0, "w25q80", flash_caps },
		{ "gpio0", AGENT_IODEV_KIND_GPIO, "", 0, "gpio-8", gpio_caps },
		{ "test0", AGENT_IODEV_KIND_TEST, "", 0, "rtio-iodev-test", test_caps },
		{ "rtc0", AGENT_IODEV_KIND_SENSOR, "i2c0", 0x51, "pcf8563", rtc_caps },
	};
	unsigned i;

	sim_board_init(&board, 1u);
	for (i = 0; i < 7u; i++) {
		const struct agent_iodev *d = board.table[i];

		CHECK(d != NULL && d == sim_board_iodev(&board, i + 1u));
		if (d == NULL) {
			continue;
		}
		CHECK_EQ(d->id, i + 1u);
		CHECK(strcmp(d->name, want[i].name) == 0);
		CHECK_EQ(d->kind, want[i].kind);
		CHECK(strcmp(d->bus, want[i].bus) == 0);
		CHECK_EQ(d->address, want[i].address);
		CHECK(strcmp(d->part, want[i].part) == 0);
		CHECK(caps_are(d->capabilities, want[i].caps));
		CHECK(d->api != NULL && d->api->submit != NULL && d->api->cancel != NULL && d->api->poll != NULL &&
		      d->api->next_due_us != NULL && d->data != NULL);
		CHECK_EQ(d->faults.len, 0);
	}
	CHECK(board.table[7] == NULL);
	CHECK(sim_board_iodev(&board, 0u) == NULL && sim_board_iodev(&board, 8u) == NULL);
	CHECK_U64(sim_board_next_due_us(&board), AGENT_NEVER);
	printf("sizeof(struct sim_board) = %lu bytes (flash storage %lu)\n", (unsigned long)sizeof(struct sim_board),
	       (unsigned long)sizeof(struct sim_nor_flash));
}

/* The whole board: one op per iodev, through the board's poll, and the IMU's seeded data. */
static void test_board_end_to_end(void)
{
	static const uint8_t who[1] = { SIM_ICM42688_REG_WHO_AM_I };
	static const uint8_t jedec[4] = { 0x9f, 0, 0, 0 };
	static const uint8_t temp_ptr[1] = { 0 };
	static const uint8_t wa[2] = { 0x01, 0x00 };
	static const uint8_t set[2] = { 3, 1 };
	uint8_t rx_who[1];
	uint8_t rx_id[4];
	uint8_t rx_temp[2];
	uint8_t rx_ee[2];
	uint8_t levels[8];
	uint8_t pat[2];
	struct host_sqe *s;
	struct host_sqe *batch;
	const struct host_cqe *c;
	unsigned i;

	sim_board_init(&board, 42u);
	host_init(&host, 128u, 4u);
	for (i = 0; i < 6u; i++) {
		host_add_iodev(&host, board.table[i]);
	}
	s = host_write(&host, board.table[2], who, 1u);
	s->flags |= AGENT_SQE_TRANSACTION;
	(void)host_read(&host, board.table[2], rx_who, 1u);
	(void)host_txrx(&host, board.table[3], jedec, rx_id, 4u);
	s = host_write(&host, board.table[1], temp_ptr, 1u);
	s->flags |= AGENT_SQE_TRANSACTION;
	(void)host_read(&host, board.table[1], rx_temp, 2u);
	s = host_write(&host, board.table[0], wa, 2u);
	s->flags |= AGENT_SQE_TRANSACTION;
	(void)host_read(&host, board.table[0], rx_ee, 2u);
	s = host_write(&host, board.table[4], set, 2u);
	s->flags |= AGENT_SQE_CHAINED;
	(void)host_read(&host, board.table[4], levels, 8u);
	(void)host_read(&host, board.table[5], pat, 2u);
	batch = host_read_pool(&host, board.table[2]);
	host_submit_idle(&host);
	CHECK_EQ(rx_who[0], 0x47);
	CHECK_BYTES(rx_id, 4, 0xff, 0xef, 0x40, 0x14);
	CHECK_EQ(((rx_temp[0] << 8) | rx_temp[1]), sim_tmp102_register(&board.temp, 0u, 0u));
	CHECK_BYTES(rx_ee, 2, 0xff, 0xff);
	CHECK_BYTES(levels, 8, 0, 0, 0, 1, 0, 0, 0, 1);
	CHECK_BYTES(pat, 2, 0xa5, 0xa6);
	c = host_cqe_of(&host, batch, 0u);
	CHECK(c != NULL && c->result == 128 && c->buf != NULL);
	/* The batch is the model's first 8 packets of seed 42 (device-vectors-test checks the model's bytes). */
	for (i = 0; c != NULL && c->buf != NULL && i < 8u; i++) {
		uint8_t want[16];

		sim_icm42688_packet(&board.imu, i, (uint64_t)(i + 1u) * SIM_NS_PER_MS, want);
		CHECK(memcmp(c->buf + 16u * i, want, 16u) == 0);
	}
	host_release(&host, c);
	CHECK_U64(sim_board_next_due_us(&board), AGENT_NEVER);
	sim_board_poll(&board, host.now_us);
	clean();
	/* A board built at a later time streams from then, not from time 0. */
	sim_board_init_at(&board, 42u, 1000000u);
	CHECK_EQ(sim_icm42688_fifo_packets(&board.imu, 1000000u * SIM_NS_PER_US + 999999u), 0);
	CHECK_EQ(sim_icm42688_fifo_packets(&board.imu, 1001000u * SIM_NS_PER_US), 1);
	CHECK_U64(board.imu.dropped, 0u);
}

/* ------------------------------------------------------------------ the test host polices drivers */

/* How the bad driver breaks the contract. */
enum bad_mode { BAD_IN_SUBMIT, BAD_TWICE, BAD_MEMBER_OK, BAD_RX_BUF_OF_TX };

static enum bad_mode bad_mode;
static struct agent_sqe *bad_held;

static void bad_submit(struct agent_iodev *dev, struct agent_sqe *sqe)
{
	(void)dev;
	if (bad_mode == BAD_IN_SUBMIT) {
		agent_sqe_ok(sqe, 0);
	} else {
		bad_held = sqe;
	}
}

static void bad_poll(struct agent_iodev *dev, uint64_t now_us)
{
	struct agent_sqe *s = bad_held;
	uint8_t *buf;
	uint32_t len;

	(void)dev;
	(void)now_us;
	bad_held = NULL;
	if (s == NULL) {
		return;
	}
	switch (bad_mode) {
	case BAD_TWICE:
		agent_sqe_ok(s, 0);
		agent_sqe_ok(s, 0);
		break;
	case BAD_MEMBER_OK:
		agent_sqe_ok(agent_txn_next(s), 1);
		break;
	case BAD_RX_BUF_OF_TX:
		CHECK_EQ(agent_sqe_rx_buf(s, 1u, 1u, &buf, &len), -AGENT_ENOMEM);
		agent_sqe_ok(s, 1);
		break;
	case BAD_IN_SUBMIT:
	default:
		break;
	}
}

static uint64_t bad_due(const struct agent_iodev *dev)
{
	(void)dev;
	return bad_held != NULL ? 0u : AGENT_NEVER;
}

/* Runs one breach; the host must count exactly one violation, and the executor must survive it. */
static void breach(struct agent_iodev *bad, enum bad_mode mode)
{
	static const uint8_t b[1] = { 0 };
	struct host_sqe *s;

	bad_mode = mode;
	host.violations = 0u;
	if (mode == BAD_MEMBER_OK) {
		s = host_write(&host, bad, b, 1u);
		s->flags |= AGENT_SQE_TRANSACTION;
		(void)host_write(&host, bad, b, 1u);
	} else {
		s = mode == BAD_RX_BUF_OF_TX ? host_write(&host, bad, b, 1u) : host_op(&host, bad, AGENT_OP_NOP);
	}
	host_submit_idle(&host);
	CHECK_EQ(host.violations, 1);
	CHECK(res(s) != NO_CQE);
	CHECK_EQ(host_inflight(&host), 0);
}

static void test_host_catches_bad_drivers(void)
{
	static const struct agent_iodev_api bad_api = { bad_submit, NULL, bad_poll, bad_due };
	struct agent_iodev bad;

	memset(&bad, 0, sizeof(bad));
	bad.api = &bad_api;
	host_init(&host, 16u, 1u);
	host_add_iodev(&host, &bad);
	host.quiet = true;
	breach(&bad, BAD_IN_SUBMIT);
	breach(&bad, BAD_TWICE);
	CHECK_EQ(host.ex.stats.stray_completions, 1);
	breach(&bad, BAD_MEMBER_OK);
	breach(&bad, BAD_RX_BUF_OF_TX);
	host.violations = 0u;
}

#define T(fn) { #fn, fn }

int main(void)
{
	static const struct check_test tests[] = {
		T(test_host_catches_bad_drivers),
		T(test_i2c_txn_register_read), T(test_i2c_chain_register_read), T(test_i2c_absent_address),
		T(test_i2c_injected_nack), T(test_i2c_short_read), T(test_i2c_bus_timeout), T(test_i2c_delay_fault),
		T(test_i2c_eeprom_busy_after_write), T(test_i2c_eeprom_delay), T(test_i2c_restart_between_writes),
		T(test_i2c_mempool_read), T(test_i2c_recover_configure), T(test_i2c_unsupported), T(test_i2c_nop_and_await),
		T(test_imu_registers), T(test_imu_multishot_stream), T(test_imu_stream_enomem),
		T(test_imu_watermark_and_max_batch), T(test_imu_cancel_waiting), T(test_imu_cancel_on_bus),
		T(test_imu_nack_in_data_read), T(test_imu_delay_fault),
		T(test_spi_program_sequence), T(test_spi_chain_does_not_program), T(test_spi_txrx_jedec),
		T(test_spi_rx_and_pool), T(test_spi_pool_exhausted), T(test_spi_short_read), T(test_spi_nack),
		T(test_spi_bus_timeout), T(test_spi_delay_fault), T(test_spi_unsupported), T(test_spi_half_duplex),
		T(test_gpio_tx_rx), T(test_gpio_rejects), T(test_gpio_edge_read_does_not_block), T(test_gpio_multishot_stream),
		T(test_gpio_edge_queue_limit), T(test_gpio_cancel_waiting), T(test_gpio_edge_timeout), T(test_gpio_edge_enomem),
		T(test_gpio_edge_read_in_txn),
		T(test_tio_delays), T(test_tio_no_delay_not_in_submit), T(test_tio_ops), T(test_tio_mempool),
		T(test_tio_scripted_failure), T(test_tio_transactions), T(test_tio_hang_timeout), T(test_tio_timeout_while_running), T(test_tio_hang_cancel),
		T(test_tio_cancel_queued), T(test_tio_cancel_running), T(test_tio_await), T(test_tio_faults),
		T(test_tio_counters_and_until_cleared), T(test_tio_queue_overflow),
		T(test_board_table), T(test_board_end_to_end),
	};

	return check_run("sim-drivers", tests, sizeof(tests) / sizeof(tests[0]));
}
