/**
 * @file
 * @brief The iodev of one I2C target on an I2C controller (bus_api.h: the simulated sim_i2c_bus,
 *        or a port's driver of a real controller), the C twin of
 *        harness/emulator/iodevs/i2c-iodev.ts (Zephyr's i2c_rtio iodev). Units run one at a
 *        time, each as ONE bus transfer ending with STOP.
 *
 * - RX reads buf_len bytes into buf; TX / TINY_TX write buf_len bytes of buf. The result is the
 *   byte count (fewer on a short read).
 * - A TRANSACTION is one transfer whose messages are its members, with a repeated START where
 *   the direction changes or a member has AGENT_IODEV_I2C_RESTART; each member records its own
 *   byte count (agent_txn_set_result), and a NACK fails the member whose byte was refused
 *   (-EIO). AGENT_IODEV_I2C_STOP is implied at the end of the unit and ignored elsewhere.
 * - A mempool RX reads SIM_I2C_MEMPOOL_READ_LEN bytes into a buffer from agent_sqe_rx_buf()
 *   (-ENOMEM when there is none); it cannot be part of a transaction (-ENOTSUP).
 * - I2C_RECOVER: 0 after 9 clock pulses and a STOP. I2C_CONFIGURE: 0; the bits are kept in
 *   i2c_config (the bus bitrate does not change).
 * - AGENT_IODEV_I2C_10_BITS, TXRX and any other op: -ENOTSUP, nothing on the bus.
 * Faults: NACK, SHORT_READ and BUS_TIMEOUT go to the bus transfer (a simulated bus applies them;
 * a real controller ignores them); DELAY lengthens the unit.
 */
#ifndef SIM_I2C_IODEV_H
#define SIM_I2C_IODEV_H

#include "i2c_bus.h"
#include "queued_iodev.h"

/** @brief Bytes a mempool RX reads from a plain I2C iodev. */
#define SIM_I2C_MEMPOOL_READ_LEN 16u

/** @brief The driver's state; sim_qdev first. */
struct sim_i2c_iodev {
	struct sim_qdev q;
	struct sim_i2c_ctrl ctrl;   /**< the controller transfers go to */
	struct sim_i2c_bus *bus;    /**< the simulated bus under ctrl (the IMU and RTC drivers use it), or NULL */
	uint32_t i2c_config;   /**< the last I2C_CONFIGURE bits */
	uint16_t address;
	bool configured;       /**< an I2C_CONFIGURE has run */
};

/**
 * @brief Initialises @p d for target @p address on @p bus and binds it to @p dev (sets dev->api
 *        and dev->data; the caller fills the table fields).
 */
void sim_i2c_iodev_init(struct sim_i2c_iodev *d, struct agent_iodev *dev, struct sim_i2c_bus *bus, uint16_t address);

/** @brief As sim_i2c_iodev_init(), on controller @p ctrl (a real one: bus stays NULL). */
void sim_i2c_iodev_init_ctrl(struct sim_i2c_iodev *d, struct agent_iodev *dev, struct sim_i2c_ctrl ctrl, uint16_t address);

/** @brief The unit-running part, for drivers built on this one (the IMU's). */
enum sim_begin_status sim_i2c_iodev_begin(struct sim_qdev *q, struct agent_sqe *head, const struct agent_fault *fault,
					  uint64_t start_ns, struct sim_outcome *out);

#endif /* SIM_I2C_IODEV_H */
