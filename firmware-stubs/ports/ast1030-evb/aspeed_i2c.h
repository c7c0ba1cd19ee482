/**
 * @file
 * @brief A master on one bus of the Aspeed I2C controller (old register mode, one byte at a time,
 *        polled), as the I2C controller the I2C iodev drives (sim/bus_api.h). Each step (START
 *        with the address, a byte out, a byte in, STOP) is a command whose completion the driver
 *        polls in the bus's interrupt status, for at most ASPEED_I2C_STEP_TIMEOUT_US.
 *
 * - A transfer starts with START and the address (write or read bit); a repeated START precedes
 *   every message whose direction differs from the previous one or that asks for a restart.
 * - An address or data byte the target does not acknowledge (TX_NAK) fails the transfer with
 *   -AGENT_EIO at that message; lost arbitration or an abnormal bus condition is -AGENT_EIO too;
 *   a step that does not complete in time is -AGENT_ETIMEDOUT. The transfer then ends with STOP.
 * - Reads acknowledge every byte but the last before a STOP or a repeated START, which is
 *   NACKed as the protocol requires: the driver reads the last byte of a read message only once
 *   it knows what follows (a further read message without restart continues with ACK).
 * - Recovery: on a bus that is not busy there is nothing to do; a busy bus gets the controller's
 *   recovery command (clock pulses, then STOP), waited for within the step timeout.
 *
 * The interrupt status bits the driver polls are enabled in the bus's interrupt control: the
 * controller (and QEMU's model of it) reports only enabled bits. The bus's NVIC line stays off, so
 * they wake nothing.
 */
#ifndef ASPEED_I2C_H
#define ASPEED_I2C_H

#include "../../sim/bus_api.h"

/** @brief Longest one step may take before the transfer fails with -AGENT_ETIMEDOUT, µs (a byte at 100 kHz takes 90 µs). */
#define ASPEED_I2C_STEP_TIMEOUT_US 10000u

/** @brief One bus's master and the transfer it is running. */
struct aspeed_i2c {
	uint32_t base;         /**< the bus's registers */
	uint64_t start_ns;     /**< when the open transfer was asked to start */
	uint8_t *pending;      /**< the last byte of a read message, not read yet (see above), or NULL */
	int32_t status;        /**< 0, or how the open transfer failed */
	int32_t failed_msg;    /**< message that failed, -1 */
	uint32_t msgs;         /**< messages of the open transfer so far */
	uint32_t pending_msg;  /**< the message the pending byte belongs to */
	uint16_t address;      /**< 7-bit target address */
	bool started;          /**< a START went out: STOP is owed */
	bool prev_read;        /**< direction of the last message */
	/* Counters. */
	uint32_t transfers;    /**< transfers that sent a START */
	uint32_t nacks;        /**< transfers ended by a NACK */
	uint32_t timeouts;     /**< steps that did not complete in time */
};

/**
 * @brief Sets up bus @p bus (0..13) as a master: the controller in old register mode, master
 *        enabled, the status bits the driver polls enabled, no interrupt line.
 * @retval 0 done.
 * @retval -AGENT_EINVAL @p bus is not 0..13 (nothing is touched).
 */
int aspeed_i2c_init(struct aspeed_i2c *c, uint32_t bus);

/** @brief @p c as the controller an I2C iodev drives (sim_i2c_iodev_init_ctrl()). */
struct sim_i2c_ctrl aspeed_i2c_ctrl(struct aspeed_i2c *c);

#endif /* ASPEED_I2C_H */
