/**
 * @file
 * @brief An SPI device on one chip select of an SPI controller (bus_api.h: the simulated
 *        sim_spi_bus, or a port's driver of a real controller) as an iodev, the C twin of
 *        harness/emulator/iodevs/spi-iodev.ts. Each unit is one CS episode: a single SQE, or a
 *        whole transaction whose members share one CS assertion; CS is released between units.
 *
 * Ops: TX / TINY_TX send buf (MISO discarded); RX sends 0x00 and stores MISO (a mempool RX reads
 * pool_read_len bytes into a buffer of agent_sqe_rx_buf()); TXRX is full duplex buf -> rx_buf;
 * NOP inside a transaction moves nothing. Results are byte counts, one per member. Any other op,
 * and TXRX on a half-duplex controller, fails with -ENOTSUP before CS is asserted; so does a
 * failed buffer allocation (-ENOMEM), at its member.
 *
 * Faults (one per unit): NACK ("device not responding"): the controller aborts before byte
 * at_byte of the episode and releases CS; the member holding that byte fails with -EIO, earlier
 * members keep their counts. SHORT_READ: the first RX member moves only `bytes` bytes, then CS is
 * released; later members move nothing. BUS_TIMEOUT: nothing is clocked; -ETIMEDOUT after the bus
 * timeout (a controller that cannot stall completes the unit with -ENOTSUP instead). DELAY: the
 * unit completes that much later.
 */
#ifndef SIM_SPI_IODEV_H
#define SIM_SPI_IODEV_H

#include "queued_iodev.h"
#include "spi_bus.h"

/** @brief Bytes a mempool RX clocks in by default. */
#define SIM_SPI_POOL_READ_LEN 16u
/** @brief MOSI byte sent while receiving. */
#define SIM_SPI_RX_FILL 0x00u

/** @brief The driver's state; sim_qdev first. */
struct sim_spi_iodev {
	struct sim_qdev q;
	struct sim_spi_ctrl ctrl;
	uint32_t pool_read_len;
	uint8_t cs;
};

/**
 * @brief Initialises @p d for chip select @p cs of @p bus and binds it to @p dev.
 * @param pool_read_len bytes of a mempool RX, 1..65536; 0 means SIM_SPI_POOL_READ_LEN.
 * @retval 0 done.
 * @retval -AGENT_EINVAL @p pool_read_len or @p cs out of range (the default / cs 0 is used).
 */
int sim_spi_iodev_init(struct sim_spi_iodev *d, struct agent_iodev *dev, struct sim_spi_bus *bus, uint8_t cs,
		       uint32_t pool_read_len);

/** @brief As sim_spi_iodev_init(), on controller @p ctrl. Same return codes. */
int sim_spi_iodev_init_ctrl(struct sim_spi_iodev *d, struct agent_iodev *dev, struct sim_spi_ctrl ctrl, uint8_t cs,
			    uint32_t pool_read_len);

#endif /* SIM_SPI_IODEV_H */
