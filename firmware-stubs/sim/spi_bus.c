/* The SPI bus model; see spi_bus.h. Follows harness/emulator/bus/spi-bus.ts. */
#include "spi_bus.h"

void sim_spi_bus_init(struct sim_spi_bus *bus, uint32_t clock_hz, uint64_t timeout_ns)
{
	if (clock_hz == 0u) {
		clock_hz = SIM_SPI_DEFAULT_CLOCK_HZ;
	}
	sim_zero(bus, sizeof(*bus));
	bus->byte_ns = (uint64_t)SIM_SPI_BITS_PER_BYTE * 1000000000u / clock_hz;
	bus->cs_setup_ns = SIM_SPI_DEFAULT_CS_SETUP_NS;
	bus->cs_hold_ns = SIM_SPI_DEFAULT_CS_HOLD_NS;
	bus->timeout_ns = timeout_ns == 0u ? SIM_SPI_DEFAULT_TIMEOUT_NS : timeout_ns;
	bus->x_dev = SIM_SPI_MAX_DEVICES;
}

int sim_spi_attach(struct sim_spi_bus *bus, uint8_t cs, const struct sim_spi_device_ops *ops, void *dev)
{
	size_t i;

	if (cs >= SIM_SPI_MAX_CHIP_SELECTS || ops == NULL || ops->select == NULL || ops->transfer == NULL ||
	    ops->deselect == NULL) {
		return -AGENT_EINVAL;
	}
	for (i = 0; i < bus->n_devs; i++) {
		if (bus->dev_cs[i] == cs) {
			return -AGENT_EALREADY;
		}
	}
	if (bus->n_devs >= SIM_SPI_MAX_DEVICES) {
		return -AGENT_ENOMEM;
	}
	bus->ops[bus->n_devs] = ops;
	bus->devs[bus->n_devs] = dev;
	bus->dev_cs[bus->n_devs] = cs;
	bus->n_devs++;
	return 0;
}

uint64_t sim_spi_episode_ns(const struct sim_spi_bus *bus, uint32_t bytes)
{
	return bus->cs_setup_ns + bytes * bus->byte_ns + bus->cs_hold_ns;
}

static void record(struct sim_spi_bus *bus, const struct sim_spi_episode *e)
{
	bus->log[bus->log_count % SIM_SPI_LOG_LEN] = *e;
	bus->log_count++;
}

uint64_t sim_spi_begin(struct sim_spi_bus *bus, uint8_t cs, uint64_t at_ns)
{
	uint8_t i;

	if (bus->x_open) {
		(void)sim_spi_end(bus);
	}
	bus->x.cs = cs;
	bus->x.start_ns = sim_max_u64(at_ns, bus->free_at_ns);
	bus->x.end_ns = bus->x.start_ns;
	bus->x.bytes = 0u;
	bus->x.timed_out = false;
	bus->x.mosi_len = 0u;
	bus->x_dev = SIM_SPI_MAX_DEVICES;
	for (i = 0; i < bus->n_devs; i++) {
		if (bus->dev_cs[i] == cs) {
			bus->x_dev = i;
		}
	}
	bus->x_open = true;
	bus->cs_assertions++;
	if (bus->x_dev < SIM_SPI_MAX_DEVICES) {
		bus->ops[bus->x_dev]->select(bus->devs[bus->x_dev], bus->x.start_ns + bus->cs_setup_ns);
	}
	return bus->x.start_ns;
}

uint8_t sim_spi_exchange(struct sim_spi_bus *bus, uint8_t mosi)
{
	uint8_t miso = SIM_SPI_IDLE_MISO;

	if (!bus->x_open) {
		return miso;
	}
	if (bus->x_dev < SIM_SPI_MAX_DEVICES) {
		miso = bus->ops[bus->x_dev]->transfer(bus->devs[bus->x_dev], mosi,
						      bus->x.start_ns + bus->cs_setup_ns + bus->x.bytes * bus->byte_ns);
	}
	if (bus->x.mosi_len < SIM_SPI_LOG_MOSI_BYTES) {
		bus->x.mosi[bus->x.mosi_len++] = mosi;
	}
	bus->x.bytes++;
	return miso;
}

uint32_t sim_spi_episode_bytes(const struct sim_spi_bus *bus)
{
	return bus->x_open ? bus->x.bytes : 0u;
}

uint64_t sim_spi_end(struct sim_spi_bus *bus)
{
	if (!bus->x_open) {
		return bus->free_at_ns;
	}
	bus->x.end_ns = bus->x.start_ns + sim_spi_episode_ns(bus, bus->x.bytes);
	if (bus->x_dev < SIM_SPI_MAX_DEVICES) {
		bus->ops[bus->x_dev]->deselect(bus->devs[bus->x_dev], bus->x.end_ns);
	}
	bus->x_open = false;
	bus->bytes_transferred += bus->x.bytes;
	bus->free_at_ns = bus->x.end_ns;
	record(bus, &bus->x);
	return bus->x.end_ns;
}

uint64_t sim_spi_stall(struct sim_spi_bus *bus, uint8_t cs, uint64_t at_ns)
{
	struct sim_spi_episode e;

	if (bus->x_open) {
		(void)sim_spi_end(bus);
	}
	e.cs = cs;
	e.start_ns = sim_max_u64(at_ns, bus->free_at_ns);
	e.end_ns = e.start_ns + bus->timeout_ns;
	e.bytes = 0u;
	e.timed_out = true;
	e.mosi_len = 0u;
	bus->cs_assertions++;
	bus->timeouts++;
	bus->free_at_ns = e.end_ns;
	record(bus, &e);
	return e.end_ns;
}

uint64_t sim_spi_transfer(struct sim_spi_bus *bus, uint8_t cs, const uint8_t *mosi, uint8_t *miso, uint32_t len, uint64_t at_ns)
{
	uint32_t i;

	(void)sim_spi_begin(bus, cs, at_ns);
	for (i = 0; i < len; i++) {
		uint8_t v = sim_spi_exchange(bus, mosi[i]);

		if (miso != NULL) {
			miso[i] = v;
		}
	}
	return sim_spi_end(bus);
}

const struct sim_spi_episode *sim_spi_log_entry(const struct sim_spi_bus *bus, uint32_t back)
{
	if (back >= bus->log_count || back >= SIM_SPI_LOG_LEN) {
		return NULL;
	}
	return &bus->log[(bus->log_count - 1u - back) % SIM_SPI_LOG_LEN];
}

static uint64_t ctrl_begin(void *ctrl, uint8_t cs, uint64_t at_ns)
{
	return sim_spi_begin(ctrl, cs, at_ns);
}

static uint8_t ctrl_exchange(void *ctrl, uint8_t mosi, bool capture)
{
	(void)capture;
	return sim_spi_exchange(ctrl, mosi);
}

static uint32_t ctrl_episode_bytes(const void *ctrl)
{
	return sim_spi_episode_bytes(ctrl);
}

static uint64_t ctrl_end(void *ctrl)
{
	return sim_spi_end(ctrl);
}

static uint64_t ctrl_stall(void *ctrl, uint8_t cs, uint64_t at_ns)
{
	return sim_spi_stall(ctrl, cs, at_ns);
}

static const struct sim_spi_ctrl_api bus_ctrl_api = { ctrl_begin, ctrl_exchange, ctrl_episode_bytes, ctrl_end, ctrl_stall, false };

struct sim_spi_ctrl sim_spi_bus_ctrl(struct sim_spi_bus *bus)
{
	struct sim_spi_ctrl c;

	c.api = &bus_ctrl_api;
	c.ctx = bus;
	return c;
}
