/* The 24C32 model; see eeprom_24c32.h. Follows harness/emulator/devices/eeprom-24c32.ts. */
#include "eeprom_24c32.h"

static void discard_latch(struct sim_eeprom_24c32 *ee)
{
	ee->latched = 0u;
	ee->dirty = false;
}

static bool ee_start(void *dev, bool read, uint64_t now_ns)
{
	struct sim_eeprom_24c32 *ee = dev;

	if (sim_eeprom_24c32_busy(ee, now_ns)) {
		return false;
	}
	discard_latch(ee);
	ee->writing = !read;
	ee->received = 0u;
	return true;
}

static bool ee_write(void *dev, uint8_t byte, uint64_t now_ns)
{
	struct sim_eeprom_24c32 *ee = dev;
	uint32_t n;

	(void)now_ns;
	if (!ee->writing) {
		return false;
	}
	n = ee->received++;
	if (n == 0u) {
		ee->hi_addr = (uint8_t)(byte & 0x0fu);
	} else if (n == 1u) {
		ee->pointer = (uint16_t)(((unsigned)ee->hi_addr << 8) | byte);
	} else {
		unsigned off = ee->pointer % SIM_EEPROM_24C32_PAGE_SIZE;

		ee->latch[off] = byte;
		ee->latched |= (uint32_t)1u << off;
		ee->dirty = true;
		ee->pointer = (uint16_t)(ee->pointer - off + ((off + 1u) % SIM_EEPROM_24C32_PAGE_SIZE));
	}
	return true;
}

static uint8_t ee_read(void *dev, uint64_t now_ns)
{
	struct sim_eeprom_24c32 *ee = dev;
	uint8_t v = ee->mem[ee->pointer];

	(void)now_ns;
	ee->pointer = (uint16_t)((ee->pointer + 1u) % SIM_EEPROM_24C32_SIZE);
	return v;
}

static void ee_stop(void *dev, uint64_t now_ns)
{
	struct sim_eeprom_24c32 *ee = dev;
	unsigned page;
	unsigned i;

	ee->writing = false;
	if (!ee->dirty) {
		return;
	}
	page = ee->pointer - (ee->pointer % SIM_EEPROM_24C32_PAGE_SIZE);
	for (i = 0; i < SIM_EEPROM_24C32_PAGE_SIZE; i++) {
		if ((ee->latched >> i) & 1u) {
			ee->mem[page + i] = ee->latch[i];
		}
	}
	discard_latch(ee);
	ee->write_cycles++;
	ee->busy_until_ns = now_ns + ee->write_cycle_ns;
}

const struct sim_i2c_device_ops sim_eeprom_24c32_ops = { ee_start, ee_write, ee_read, ee_stop };

int sim_eeprom_24c32_init(struct sim_eeprom_24c32 *ee, uint16_t address, uint64_t write_cycle_ns)
{
	int rc = sim_pick_address(&address, SIM_EEPROM_24C32_DEFAULT_ADDRESS, 0x50u, 0x57u);
	unsigned i;

	sim_zero(ee, sizeof(*ee));
	for (i = 0; i < SIM_EEPROM_24C32_SIZE; i++) {
		ee->mem[i] = 0xffu;
	}
	ee->write_cycle_ns = write_cycle_ns == UINT64_MAX ? SIM_EEPROM_24C32_DEFAULT_WRITE_CYCLE_NS : write_cycle_ns;
	ee->address = address;
	return rc;
}

int sim_eeprom_24c32_attach(struct sim_eeprom_24c32 *ee, struct sim_i2c_bus *bus)
{
	return sim_i2c_attach(bus, ee->address, &sim_eeprom_24c32_ops, ee);
}

bool sim_eeprom_24c32_busy(const struct sim_eeprom_24c32 *ee, uint64_t now_ns)
{
	return now_ns < ee->busy_until_ns;
}

static bool in_range(uint32_t addr, uint32_t len)
{
	return addr < SIM_EEPROM_24C32_SIZE && len <= SIM_EEPROM_24C32_SIZE - addr;
}

int sim_eeprom_24c32_peek(const struct sim_eeprom_24c32 *ee, uint32_t addr, uint8_t *out, uint32_t len)
{
	uint32_t i;

	if (!in_range(addr, len)) {
		return -AGENT_EINVAL;
	}
	for (i = 0; i < len; i++) {
		out[i] = ee->mem[addr + i];
	}
	return 0;
}

int sim_eeprom_24c32_poke(struct sim_eeprom_24c32 *ee, uint32_t addr, const uint8_t *data, uint32_t len)
{
	uint32_t i;

	if (!in_range(addr, len)) {
		return -AGENT_EINVAL;
	}
	for (i = 0; i < len; i++) {
		ee->mem[addr + i] = data[i];
	}
	return 0;
}

void sim_eeprom_24c32_erase(struct sim_eeprom_24c32 *ee)
{
	unsigned i;

	for (i = 0; i < SIM_EEPROM_24C32_SIZE; i++) {
		ee->mem[i] = 0xffu;
	}
	ee->busy_until_ns = 0u;
}
