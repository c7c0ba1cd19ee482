/*
 * protocol/vectors/devices/ (every part's file) through the C models (sim/): every case's device on its bus
 * or port, each step at its time, its bytes, status, counts, times, levels and edges compared
 * with the expected ones; and hash32. Each case is a test of tests/check.h. Built
 * twice by sim/sim.mk, with the dense and with the sparse NOR flash.
 */
#include "../../tests/check.h"

#include "../eeprom_24c32.h"
#include "../gpio_lines.h"
#include "../icm42688.h"
#include "../nor_flash.h"
#include "../pcf8563.h"
#include "../spi_bus.h"
#include "../tmp102.h"
#include "device_vectors.h"

#define READ_MAX 256u
#define MSGS_MAX 4u
#define EDGES_MAX 4u

static struct sim_i2c_bus i2c;
static struct sim_spi_bus spi;
static struct sim_eeprom_24c32 eeprom;
static struct sim_tmp102 tmp;
static struct sim_icm42688 imu;
static struct sim_pcf8563 rtc;
static struct sim_nor_flash flash;
static struct sim_gpio_lines gpio;
static uint16_t address;
static struct dv_edge edges[EDGES_MAX];
static uint64_t edge_ns[EDGES_MAX];
static size_t n_edges;
static const char *where;

static void fail(const char *what)
{
	printf("FAIL [%s] %s: %s\n", check_state.test, where, what);
	check_state.failures++;
}

static void on_edge(void *ctx, uint8_t line, uint8_t level, uint64_t now_ns)
{
	(void)ctx;
	if (n_edges < EDGES_MAX) {
		edges[n_edges].line = line;
		edges[n_edges].level = level;
		edge_ns[n_edges] = now_ns;
	}
	n_edges++;
}

/* Sets up the case's device; false for a part this runner does not know. */
static bool rig(const struct dv_case *c)
{
	const struct dv_device *d = &c->device;
	uint16_t want = d->address < 0 ? 0u : (uint16_t)d->address;

	(void)sim_i2c_bus_init(&i2c, 0u, 0u);
	sim_spi_bus_init(&spi, 0u, 0u);
	if (strcmp(c->part, "24c32") == 0) {
		CHECK_EQ(sim_eeprom_24c32_init(&eeprom, want, d->write_cycle_us < 0 ? UINT64_MAX : (uint64_t)d->write_cycle_us * 1000u), 0);
		CHECK_EQ(sim_eeprom_24c32_attach(&eeprom, &i2c), 0);
		address = eeprom.address;
	} else if (strcmp(c->part, "tmp102") == 0) {
		CHECK_EQ(sim_tmp102_init(&tmp, want, d->seed), 0);
		if (d->pinned) {
			CHECK_EQ(sim_tmp102_set_temperature_mc(&tmp, d->temperature_mc), 0);
		}
		CHECK_EQ(sim_tmp102_attach(&tmp, &i2c), 0);
		address = tmp.address;
	} else if (strcmp(c->part, "icm42688") == 0) {
		CHECK_EQ(sim_icm42688_init(&imu, want, d->seed, d->streaming != 0, 0u), 0);
		CHECK_EQ(sim_icm42688_attach(&imu, &i2c), 0);
		address = imu.address;
	} else if (strcmp(c->part, "pcf8563") == 0) {
		sim_pcf8563_init(&rtc, d->start_seconds);
		CHECK_EQ(sim_pcf8563_attach(&rtc, &i2c), 0);
		address = SIM_PCF8563_ADDRESS;
	} else if (strcmp(c->part, "w25q80") == 0) {
		sim_nor_flash_init(&flash);
		CHECK_EQ(sim_spi_attach(&spi, 0u, &sim_nor_flash_ops, &flash), 0);
	} else if (strcmp(c->part, "gpio-8") == 0) {
		sim_gpio_lines_init(&gpio, d->jumpers != 0);
		sim_gpio_lines_listen(&gpio, on_edge, NULL);
	} else {
		return false;
	}
	return true;
}

static void times(const struct dv_step *st, uint64_t start_ns, uint64_t end_ns)
{
	if ((st->start_ns >= 0 && (uint64_t)st->start_ns != start_ns) || (st->end_ns >= 0 && (uint64_t)st->end_ns != end_ns)) {
		printf("FAIL [%s] %s: ran %" PRIu64 "..%" PRIu64 " ns, want %" PRId64 "..%" PRId64 " (-1: any)\n", check_state.test,
		       where, start_ns, end_ns, st->start_ns, st->end_ns);
		check_state.failures++;
	}
}

static void run_i2c(const struct dv_step *st)
{
	static uint8_t reads[MSGS_MAX][READ_MAX];
	struct sim_i2c_msg msgs[MSGS_MAX];
	struct sim_i2c_result r;
	size_t i;

	if (st->n_msgs > MSGS_MAX) {
		fail("more messages than this runner holds");
		return;
	}
	for (i = 0; i < st->n_msgs; i++) {
		const struct dv_msg *m = &st->msgs[i];

		msgs[i].buf = m->read ? reads[i] : (uint8_t *)(uintptr_t)m->data.data;
		msgs[i].len = m->len < READ_MAX || !m->read ? m->len : READ_MAX;
		msgs[i].read = m->read;
		msgs[i].restart = m->restart;
		msgs[i].count = 0u;
	}
	r = sim_i2c_transfer(&i2c, st->address < 0 ? address : (uint16_t)st->address, msgs, st->n_msgs, NULL, st->at_ns);
	if (r.status != st->status) {
		printf("FAIL [%s] %s: status %d, want %d\n", check_state.test, where, (int)r.status, (int)st->status);
		check_state.failures++;
	}
	for (i = 0; i < st->n_msgs; i++) {
		const struct dv_msg *m = &st->msgs[i];

		if (m->check && (m->len > READ_MAX || memcmp(reads[i], m->data.data, m->len) != 0)) {
			check_bytes_(__FILE__, __LINE__, where, reads[i], m->len, m->data.data, m->len < READ_MAX ? m->len : 0u);
		}
		if (i < st->n_counts && msgs[i].count != st->counts[i]) {
			fail("a message moved another number of bytes than its count");
		}
	}
	times(st, r.start_ns, r.end_ns);
}

static void run_spi(const struct dv_step *st)
{
	static uint8_t miso[READ_MAX];
	uint64_t start;
	uint64_t end;

	if (st->mosi.len > READ_MAX) {
		fail("more bytes than this runner holds");
		return;
	}
	start = sim_max_u64(st->at_ns, spi.free_at_ns);
	end = sim_spi_transfer(&spi, st->cs, st->mosi.data, miso, (uint32_t)st->mosi.len, st->at_ns);
	if (st->check_miso) {
		check_bytes_(__FILE__, __LINE__, where, miso, st->mosi.len, st->miso.data, st->miso.len);
	}
	times(st, start, end);
}

static void run_gpio(const struct dv_step *st)
{
	int rc;
	size_t i;

	n_edges = 0u;
	rc = st->kind == DV_SET ? sim_gpio_set(&gpio, st->line, st->level, st->at_ns)
				: sim_gpio_drive(&gpio, st->line, st->level, st->at_ns);
	if (rc != st->status) {
		fail("the port answered with another status");
	}
	if (sim_gpio_levels(&gpio) != st->levels) {
		printf("FAIL [%s] %s: levels %02x, want %02x\n", check_state.test, where, sim_gpio_levels(&gpio), (unsigned)st->levels);
		check_state.failures++;
	}
	if (n_edges != st->n_edges) {
		fail("another number of edges");
		return;
	}
	for (i = 0; i < n_edges; i++) {
		if (edges[i].line != st->edges[i].line || edges[i].level != st->edges[i].level || edge_ns[i] != st->at_ns) {
			fail("another edge");
		}
	}
}

static void run_case(const struct dv_case *c)
{
	static char at[96];
	size_t i;

	if (!rig(c)) {
		fail("a part this runner does not know");
		return;
	}
	for (i = 0; i < c->n_steps; i++) {
		const struct dv_step *st = &c->steps[i];

		(void)snprintf(at, sizeof(at), "step %u at %" PRIu64 " ns", (unsigned)i, st->at_ns);
		where = at;
		if (st->kind == DV_I2C) {
			run_i2c(st);
		} else if (st->kind == DV_SPI) {
			run_spi(st);
		} else {
			run_gpio(st);
		}
	}
}

/* Every case's name, "<part> <case>": built once, before the run. */
static char names[DV_CASES_COUNT + DV_HASHES_COUNT][160];

static const char *case_name(size_t i)
{
	return names[i];
}

static void test_case(size_t i)
{
	if (i < DV_CASES_COUNT) {
		run_case(&dv_cases[i]);
	} else {
		const struct dv_hash *h = &dv_hashes[i - DV_CASES_COUNT];

		CHECK_U64(sim_hash32(h->in), h->out);
	}
}

int main(void)
{
	size_t i;

	for (i = 0; i < DV_CASES_COUNT + DV_HASHES_COUNT; i++) {
		if (i < DV_CASES_COUNT) {
			(void)snprintf(names[i], sizeof(names[i]), "%s %s", dv_cases[i].part, dv_cases[i].name);
		} else {
			(void)snprintf(names[i], sizeof(names[i]), "hash32 %s", dv_hashes[i - DV_CASES_COUNT].name);
		}
	}
	return check_run_cases(SIM_NOR_FLASH_SPARSE_PAGES > 0 ? "device-vectors (sparse flash)" : "device-vectors",
			       DV_CASES_COUNT + DV_HASHES_COUNT, case_name, test_case);
}
