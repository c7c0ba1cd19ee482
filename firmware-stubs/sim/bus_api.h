/**
 * @file
 * @brief The controllers under the I2C, SPI and GPIO iodevs (i2c_iodev.c, spi_iodev.c,
 *        gpio_iodev.c): what an iodev asks of its bus, whoever implements it. The simulated buses
 *        of the reference board implement them (sim_i2c_bus_ctrl(), sim_spi_bus_ctrl(),
 *        sim_gpio_lines_port()), and so does a port's register-level driver of a real controller
 *        (ports/ast1030-evb: Aspeed I2C, SPI and GPIO), so one iodev driver serves both and an
 *        RTIO transaction becomes one real bus transaction.
 *
 * Times are ns on the iodev's clock (the executor's µs x 1000). A simulated bus returns the model
 * time at which a transfer ends; a real controller does the transfer before it returns and
 * returns the time it was asked to start at (the iodev completes it at its next poll).
 */
#ifndef SIM_BUS_API_H
#define SIM_BUS_API_H

#include "sim_common.h"

/* ---------------------------------------------------------------- I2C */

/** @brief What one I2C transfer did (see sim_i2c_ctrl_api.xfer_end). */
struct sim_i2c_result {
	/**
	 * 0; -AGENT_EIO (an address or data byte was not acknowledged); -AGENT_ETIMEDOUT (the bus
	 * or the controller did not finish in time); -AGENT_ENOTSUP (an address the controller
	 * cannot send). A real controller that lost arbitration reports -AGENT_EIO.
	 */
	int32_t status;
	/** Index of the message that failed, or -1 when status is 0. */
	int32_t failed_msg;
	/** When the START went out (later than asked when the bus was busy), ns. */
	uint64_t start_ns;
	/** When the STOP ended (or the bus timeout fired), ns; start_ns for no transfer. */
	uint64_t end_ns;
};

/**
 * @brief An I2C controller, driven one transfer at a time: begin, one msg per message (a repeated
 *        START and the address before the first message and before each one whose direction
 *        differs from the previous or that asks for a restart), end (STOP). After a failure the
 *        rest of the messages move nothing and end still sends STOP.
 */
struct sim_i2c_ctrl_api {
	/** @brief Opens a transfer to 7-bit @p address, no earlier than @p at_ns. @p fault: NULL or an injected fault (simulated buses only). */
	void (*xfer_begin)(void *ctrl, uint16_t address, const struct agent_fault *fault, uint64_t at_ns);
	/** @brief Runs the next message; returns the bytes moved (acknowledged writes, received reads). */
	uint32_t (*xfer_msg)(void *ctrl, bool read, bool restart, uint8_t *buf, uint32_t len);
	/** @brief Sends STOP, closes the transfer and says how it went. */
	struct sim_i2c_result (*xfer_end)(void *ctrl);
	/** @brief Bus recovery (clock pulses, then STOP) no earlier than @p at_ns; returns when it ended, ns. */
	uint64_t (*recover)(void *ctrl, uint64_t at_ns);
};

/** @brief An I2C controller: its operations and their first argument. */
struct sim_i2c_ctrl {
	const struct sim_i2c_ctrl_api *api;
	void *ctx;
};

/* ---------------------------------------------------------------- SPI */

/**
 * @brief An SPI controller, driven one chip-select episode at a time: begin (CS asserted), one
 *        exchange per byte, end (CS released).
 */
struct sim_spi_ctrl_api {
	/** @brief Asserts chip select @p cs no earlier than @p at_ns; returns when, ns. */
	uint64_t (*begin)(void *ctrl, uint8_t cs, uint64_t at_ns);
	/**
	 * @brief Clocks one byte: sends @p mosi and returns MISO. A half-duplex controller (see
	 *        half_duplex) returns 0xFF when @p capture is false, without sampling MISO.
	 */
	uint8_t (*exchange)(void *ctrl, uint8_t mosi, bool capture);
	/** @brief Bytes clocked so far in the open episode. */
	uint32_t (*episode_bytes)(const void *ctrl);
	/** @brief Releases chip select; returns when, ns. */
	uint64_t (*end)(void *ctrl);
	/**
	 * @brief An injected bus timeout: holds the bus for the timeout without clocking a byte and
	 *        returns when the controller gives up, ns. NULL for a controller that cannot hang so
	 *        (a real one: faults are injected into simulated buses only).
	 */
	uint64_t (*stall)(void *ctrl, uint8_t cs, uint64_t at_ns);
	/**
	 * @brief True for a controller that either sends or samples each byte, not both (a flash
	 *        controller's user mode): it can read (sending its fill byte) and write, but not
	 *        transceive. The SPI iodev refuses TXRX on it with -ENOTSUP.
	 */
	bool half_duplex;
};

/** @brief An SPI controller: its operations and their first argument. */
struct sim_spi_ctrl {
	const struct sim_spi_ctrl_api *api;
	void *ctx;
};

/* ---------------------------------------------------------------- GPIO */

/** @brief Most lines a GPIO port has (an RX reads at most this many levels). */
#define SIM_GPIO_PORT_MAX_LINES 8u

/** @brief Called on every input edge: @p line, @p level 0/1, at @p now_ns. */
typedef void (*sim_gpio_edge_fn)(void *ctx, uint8_t line, uint8_t level, uint64_t now_ns);

/** @brief A GPIO port of up to SIM_GPIO_PORT_MAX_LINES lines, each an output or an input. */
struct sim_gpio_port_api {
	/** @brief Lines 0..line_count-1 exist (at most SIM_GPIO_PORT_MAX_LINES). */
	uint32_t line_count;
	/** @brief True for an output line. */
	bool (*is_output)(const void *port, uint32_t line);
	/** @brief Level (0/1) of @p line as the port sees it now. */
	uint8_t (*get)(const void *port, uint32_t line);
	/** @brief Sets output @p line to @p level at @p now_ns: 0, or -AGENT_EINVAL (not an output, level not 0/1). */
	int (*set)(void *port, uint32_t line, uint32_t level, uint64_t now_ns);
	/** @brief Makes @p fn (the one listener) hear every input edge. */
	void (*listen)(void *port, sim_gpio_edge_fn fn, void *ctx);
	/**
	 * @brief Hands the listener the edges an interrupt recorded since the last call (from the
	 *        iodev's poll, never from an interrupt). NULL for a port that reports edges as they
	 *        happen (a simulated one).
	 */
	void (*poll)(void *port);
};

/** @brief A GPIO port: its operations and their first argument. */
struct sim_gpio_port {
	const struct sim_gpio_port_api *api;
	void *ctx;
};

#endif /* SIM_BUS_API_H */
