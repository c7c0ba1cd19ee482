/**
 * @file
 * @brief An SPI controller with devices on chip selects, the C twin of
 *        harness/emulator/bus/spi-bus.ts.
 *
 * An episode is one CS assertion: CS low, setup time, 8 clocks per byte (mode 0, full duplex),
 * hold time, CS high. Episodes never overlap: one asked for while the bus is still held starts
 * when it is free. Devices see the time of each byte: select at start + setup, byte k at
 * start + setup + k byte times, deselect at start + setup + n byte times + hold. An unattached
 * chip select reads the MISO pull-up, 0xFF.
 *
 * Defaults: 8 MHz (1000 ns a byte), 500 ns CS setup and hold, 25 ms bus timeout.
 */
#ifndef SIM_SPI_BUS_H
#define SIM_SPI_BUS_H

#include "bus_api.h"

#define SIM_SPI_DEFAULT_CLOCK_HZ 8000000u
#define SIM_SPI_DEFAULT_TIMEOUT_NS (25u * SIM_NS_PER_MS)
#define SIM_SPI_DEFAULT_CS_SETUP_NS 500u
#define SIM_SPI_DEFAULT_CS_HOLD_NS 500u
#define SIM_SPI_BITS_PER_BYTE 8u
/** @brief Chip selects a bus offers: 0..SIM_SPI_MAX_CHIP_SELECTS-1. */
#define SIM_SPI_MAX_CHIP_SELECTS 32u
/** @brief MISO when no device drives it. */
#define SIM_SPI_IDLE_MISO 0xffu
/** @brief MOSI bytes kept per logged episode. */
#define SIM_SPI_LOG_MOSI_BYTES 16u

#ifndef SIM_SPI_MAX_DEVICES
/** @brief Most devices one bus holds (build-time). */
#define SIM_SPI_MAX_DEVICES 2u
#endif
#ifndef SIM_SPI_LOG_LEN
/** @brief Episodes kept in the bus log (build-time; the TS bus keeps 256). */
#define SIM_SPI_LOG_LEN 4u
#endif

/** @brief A device's callbacks; @p now_ns is the bus time of the event. */
struct sim_spi_device_ops {
	/** @brief CS asserted: a new command starts. */
	void (*select)(void *dev, uint64_t now_ns);
	/** @brief One byte clocked: receives MOSI, returns MISO. */
	uint8_t (*transfer)(void *dev, uint8_t mosi, uint64_t now_ns);
	/** @brief CS released: commands that take effect at CS release do so now. */
	void (*deselect)(void *dev, uint64_t now_ns);
};

/** @brief One episode as the log keeps it. */
struct sim_spi_episode {
	uint64_t start_ns;
	uint64_t end_ns;
	uint32_t bytes;
	uint8_t cs;
	bool timed_out;
	uint8_t mosi_len;
	uint8_t mosi[SIM_SPI_LOG_MOSI_BYTES];
};

/** @brief A bus, its devices, its counters and log, and the open episode's state. */
struct sim_spi_bus {
	uint64_t byte_ns;
	uint64_t cs_setup_ns;
	uint64_t cs_hold_ns;
	uint64_t timeout_ns;
	const struct sim_spi_device_ops *ops[SIM_SPI_MAX_DEVICES];
	void *devs[SIM_SPI_MAX_DEVICES];
	uint8_t dev_cs[SIM_SPI_MAX_DEVICES];
	uint8_t n_devs;
	uint64_t free_at_ns;          /**< end of the last episode */
	uint32_t cs_assertions;       /**< episodes (stalls included) */
	uint32_t bytes_transferred;
	uint32_t timeouts;            /**< stalled transfers */
	struct sim_spi_episode log[SIM_SPI_LOG_LEN];
	uint32_t log_count;           /**< episodes logged so far; the last SIM_SPI_LOG_LEN are kept */
	/* The open episode. */
	struct sim_spi_episode x;
	uint8_t x_dev;                /**< index into devs, or SIM_SPI_MAX_DEVICES for none */
	bool x_open;
};

/**
 * @brief Initialises @p bus with no devices.
 * @param clock_hz SCK frequency; 0 means SIM_SPI_DEFAULT_CLOCK_HZ. Byte times are
 *        8e9 / clock_hz ns, truncated.
 * @param timeout_ns Bus timeout; 0 means SIM_SPI_DEFAULT_TIMEOUT_NS.
 * CS setup and hold take their defaults; set cs_setup_ns / cs_hold_ns afterwards to change them.
 */
void sim_spi_bus_init(struct sim_spi_bus *bus, uint32_t clock_hz, uint64_t timeout_ns);

/**
 * @brief Attaches @p dev with @p ops to chip select @p cs.
 * @retval 0 attached.
 * @retval -AGENT_EINVAL @p cs is not below SIM_SPI_MAX_CHIP_SELECTS, or @p ops lacks a callback.
 * @retval -AGENT_EALREADY @p cs has a device.
 * @retval -AGENT_ENOMEM SIM_SPI_MAX_DEVICES devices are attached already.
 */
int sim_spi_attach(struct sim_spi_bus *bus, uint8_t cs, const struct sim_spi_device_ops *ops, void *dev);

/** @brief ns an episode of @p bytes bytes holds CS (setup + bytes + hold). */
uint64_t sim_spi_episode_ns(const struct sim_spi_bus *bus, uint32_t bytes);

/**
 * @brief Asserts @p cs no earlier than @p at_ns nor the end of the previous episode and selects
 *        its device. An episode already open is ended first.
 * @return When CS went low, ns.
 */
uint64_t sim_spi_begin(struct sim_spi_bus *bus, uint8_t cs, uint64_t at_ns);

/** @brief Clocks one byte of the open episode: sends @p mosi, returns MISO (0xFF when none is open). */
uint8_t sim_spi_exchange(struct sim_spi_bus *bus, uint8_t mosi);

/** @brief Bytes clocked so far in the open episode. */
uint32_t sim_spi_episode_bytes(const struct sim_spi_bus *bus);

/** @brief Releases CS (the device's deselect runs at the release time). @return That time, ns. */
uint64_t sim_spi_end(struct sim_spi_bus *bus);

/**
 * @brief A transfer that hangs: the bus is held for the timeout from no earlier than @p at_ns and
 *        no byte is clocked (the device is not selected).
 * @return When the controller gives up, ns.
 */
uint64_t sim_spi_stall(struct sim_spi_bus *bus, uint8_t cs, uint64_t at_ns);

/** @brief One episode that sends @p len bytes of @p mosi and stores MISO in @p miso (may be NULL). @return CS release time, ns. */
uint64_t sim_spi_transfer(struct sim_spi_bus *bus, uint8_t cs, const uint8_t *mosi, uint8_t *miso, uint32_t len, uint64_t at_ns);

/** @brief Logged episode @p back places before the last (0 = the last), or NULL. */
const struct sim_spi_episode *sim_spi_log_entry(const struct sim_spi_bus *bus, uint32_t back);

/** @brief @p bus as the controller the SPI iodev drives (bus_api.h): full duplex. */
struct sim_spi_ctrl sim_spi_bus_ctrl(struct sim_spi_bus *bus);

#endif /* SIM_SPI_BUS_H */
