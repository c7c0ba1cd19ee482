/**
 * @file
 * @brief The iodev of a sim_icm42688 IMU, the C twin of harness/emulator/iodevs/imu-iodev.ts:
 *        register access exactly as sim_i2c_iodev, plus streaming.
 *
 * A mempool RX (not in a transaction) reads one FIFO batch: it waits, without using the bus but
 * holding the iodev's queue, until the FIFO holds watermark_packets packets, then reads
 * FIFO_COUNT, takes a buffer of agent_sqe_rx_buf() for the whole packets present (at most
 * max_batch_bytes; -ENOMEM when there is none), reads them from FIFO_DATA and completes with the
 * byte count. As a multishot read it streams batch after batch; a cancel while it waits drops
 * it at once. The read starts at the exact time the watermark is reached.
 *
 * Faults on a batch: BUS_TIMEOUT hits the FIFO_COUNT read, SHORT_READ the FIFO_DATA read, NACK
 * byte at_byte of the two reads counted together (SIM_IMU_COUNT_READ_BYTES in the first),
 * DELAY lengthens the batch. A waiting read whose FIFO cannot fill waits until cancelled.
 */
#ifndef SIM_IMU_IODEV_H
#define SIM_IMU_IODEV_H

#include "i2c_iodev.h"
#include "icm42688.h"

/** @brief Default watermark of a batch read: 8 packets. */
#define SIM_IMU_DEFAULT_WATERMARK_PACKETS 8u
/** @brief Default largest batch: 256 bytes (16 packets). */
#define SIM_IMU_DEFAULT_MAX_BATCH_BYTES 256u
/** @brief Wire bytes of the FIFO_COUNT read (address, register, address, 2 count bytes). */
#define SIM_IMU_COUNT_READ_BYTES 5u

/** @brief The driver's state; the I2C iodev (and so sim_qdev) first. */
struct sim_imu_iodev {
	struct sim_i2c_iodev i2c;
	struct sim_icm42688 *imu;
	uint32_t watermark_packets;
	uint32_t max_batch_bytes;
	uint32_t batches;          /**< batches read */
};

/**
 * @brief Initialises @p d for @p imu (at its address) on @p bus and binds it to @p dev.
 * @param watermark_packets 1..SIM_ICM42688_FIFO_PACKETS; 0 means the default.
 * @param max_batch_bytes at least 16, rounded down to whole packets; 0 means the default.
 * @retval 0 done.
 * @retval -AGENT_EINVAL an option out of range (its default is used).
 */
int sim_imu_iodev_init(struct sim_imu_iodev *d, struct agent_iodev *dev, struct sim_i2c_bus *bus, struct sim_icm42688 *imu,
		       uint32_t watermark_packets, uint32_t max_batch_bytes);

#endif /* SIM_IMU_IODEV_H */
