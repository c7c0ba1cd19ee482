/**
 * @file
 * @brief The iodev of a sim_pcf8563 RTC, the C twin of harness/emulator/iodevs/rtc-iodev.ts (the
 *        worked example of docs/driver-guide.md): register access exactly as sim_i2c_iodev,
 *        plus tick reads.
 *
 * A mempool RX (not in a transaction) waits, without using the bus but holding the iodev's
 * queue, for the RTC's INT line ((TF and TIE) or (AF and AIE)), then reads CONTROL2 and the time
 * registers in one transfer (pointer, repeated START, 8 bytes), clears TF in a second transfer
 * (writing AF as 1 keeps it) and completes with a SIM_RTC_TICK_RECORD_LEN-byte record of the
 * time registers in a buffer of agent_sqe_rx_buf() (-ENOMEM when there is none, before any bus
 * traffic). As a multishot read it delivers one record per timer period; a cancel while it waits
 * drops it at once. A read whose INT can never assert (timer off) waits until cancelled.
 *
 * Faults on a tick read go to its first transfer: NACK (-EIO), SHORT_READ (the record is short,
 * TF stays set), BUS_TIMEOUT (-ETIMEDOUT); DELAY lengthens the read.
 */
#ifndef SIM_RTC_IODEV_H
#define SIM_RTC_IODEV_H

#include "i2c_iodev.h"
#include "pcf8563.h"

/** @brief Bytes of a tick record: SECONDS..YEARS as the RTC holds them (BCD). */
#define SIM_RTC_TICK_RECORD_LEN 7u

/** @brief The driver's state; the I2C iodev (and so sim_qdev) first. */
struct sim_rtc_iodev {
	struct sim_i2c_iodev i2c;
	struct sim_pcf8563 *rtc;
	uint32_t ticks; /**< tick records delivered */
};

/** @brief Initialises @p d for @p rtc (at its fixed address) on @p bus and binds it to @p dev. */
void sim_rtc_iodev_init(struct sim_rtc_iodev *d, struct agent_iodev *dev, struct sim_i2c_bus *bus, struct sim_pcf8563 *rtc);

#endif /* SIM_RTC_IODEV_H */
