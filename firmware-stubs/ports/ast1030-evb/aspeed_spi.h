/**
 * @file
 * @brief SPI1 of the AST1030 (an Aspeed static memory controller) in user mode on chip select 0,
 *        as the SPI controller the SPI iodev drives (sim/bus_api.h).
 *
 * In user mode every byte written to CS0's window goes out on MOSI and every byte read from it
 * is clocked in while the controller sends 0x00: the controller is half duplex (it cannot send a
 * byte and keep what comes back), so the SPI iodev refuses TXRX on it with -ENOTSUP. Chip select
 * follows the CE_STOP_ACTIVE bit: cleared at begin, set at end, so one episode (an SQE, or every
 * member of a transaction) is one chip-select assertion. Window accesses complete on the bus
 * before they return: there is no status to wait for.
 *
 * Only chip select 0 is wired (the board's w25q80bl); begin() asserts CS0 whatever it is given.
 */
#ifndef ASPEED_SPI_H
#define ASPEED_SPI_H

#include "../../sim/bus_api.h"

/** @brief The controller's state. */
struct aspeed_spi {
	uint32_t episode_bytes;  /**< bytes clocked since CS was asserted */
	uint64_t start_ns;       /**< when the open episode was asked to start */
	bool selected;           /**< CS0 is asserted */
	/* Counters. */
	uint32_t episodes;       /**< chip-select assertions */
	uint32_t bytes;          /**< bytes clocked */
};

/** @brief Sets SPI1 up: CS0's window writable, CS0 in user mode and released. */
void aspeed_spi_init(struct aspeed_spi *s);

/** @brief @p s as the controller an SPI iodev drives (sim_spi_iodev_init_ctrl()), half duplex. */
struct sim_spi_ctrl aspeed_spi_ctrl(struct aspeed_spi *s);

#endif /* ASPEED_SPI_H */
