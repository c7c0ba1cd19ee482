/**
 * @file
 * @brief The reference board, simulated: the C twin of harness/emulator/board.ts. i2c0 holds
 *        eeprom0 (24C32 @0x50), temp0 (TMP102 @0x48) and imu0 (ICM-42688 @0x68, streaming at
 *        1 kHz from time 0); spi0 holds flash0 (W25Q80 on cs 0); gpio0 has 8 lines, outputs 0-3
 *        jumpered to inputs 4-7; test0 is scripted per SQE through iodev_flags; rtc0 is a PCF8563 RTC @0x51
 *        on i2c0 (docs/driver-guide.md).
 *
 * Everything lives in one struct sim_board the port owns (a static object: with the default 1 MiB
 * flash it is a little over 1 MiB; see nor_flash.h for MCU builds). The board's time is the now_us
 * the port passes to poll() (µs since boot, say); sim_board_init() powers it up at time 0.
 */
#ifndef SIM_BOARD_H
#define SIM_BOARD_H

#include "eeprom_24c32.h"
#include "gpio_iodev.h"
#include "gpio_lines.h"
#include "i2c_bus.h"
#include "i2c_iodev.h"
#include "icm42688.h"
#include "imu_iodev.h"
#include "nor_flash.h"
#include "pcf8563.h"
#include "rtc_iodev.h"
#include "spi_bus.h"
#include "spi_iodev.h"
#include "test_iodev.h"
#include "tmp102.h"

/** @brief Iodevs of the reference board. */
#define SIM_BOARD_IODEVS 7u

/** @name Wire ids of the iodevs (their table order) @{ */
#define SIM_BOARD_ID_EEPROM0 1u
#define SIM_BOARD_ID_TEMP0 2u
#define SIM_BOARD_ID_IMU0 3u
#define SIM_BOARD_ID_FLASH0 4u
#define SIM_BOARD_ID_GPIO0 5u
#define SIM_BOARD_ID_TEST0 6u
#define SIM_BOARD_ID_RTC0 7u
/** @} */

/** @brief The whole board: buses, device models, drivers and the iodev table. */
struct sim_board {
	struct sim_i2c_bus i2c0;
	struct sim_spi_bus spi0;
	struct sim_eeprom_24c32 eeprom;
	struct sim_tmp102 temp;
	struct sim_icm42688 imu;
	struct sim_nor_flash flash;
	struct sim_gpio_lines gpio;
	struct sim_pcf8563 rtc;
	struct sim_i2c_iodev eeprom0;
	struct sim_i2c_iodev temp0;
	struct sim_imu_iodev imu0;
	struct sim_spi_iodev flash0;
	struct sim_gpio_iodev gpio0;
	struct sim_test_iodev test0;
	struct sim_rtc_iodev rtc0;
	/** The iodevs, ids 1..6 in the order above. */
	struct agent_iodev iodevs[SIM_BOARD_IODEVS];
	/** Pointers to iodevs[0..5], then NULL. */
	struct agent_iodev *table[SIM_BOARD_IODEVS + 1u];
};

/**
 * @brief Builds the reference board in @p b at time 0 with sensor seed @p seed (the TS board's
 *        default seed is 1). Calling it again resets everything (faults included).
 *        Same as sim_board_init_at(b, seed, 0).
 */
void sim_board_init(struct sim_board *b, uint32_t seed);

/**
 * @brief As sim_board_init(), but powered up at @p now_us: the IMU streams from then (its FIFO
 *        starts empty there). For a port that rebuilds the board when its clock is not at 0.
 */
void sim_board_init_at(struct sim_board *b, uint32_t seed, uint64_t now_us);

/** @brief Polls every iodev at @p now_us, in table order. */
void sim_board_poll(struct sim_board *b, uint64_t now_us);

/** @brief The earliest next_due_us() of the iodevs (0: now; AGENT_NEVER: nothing to do). */
uint64_t sim_board_next_due_us(const struct sim_board *b);

/** @brief The iodev with wire id @p id (1..6), or NULL. */
struct agent_iodev *sim_board_iodev(struct sim_board *b, uint32_t id);

#endif /* SIM_BOARD_H */
