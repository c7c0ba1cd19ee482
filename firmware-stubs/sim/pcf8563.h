/**
 * @file
 * @brief A PCF8563-style real-time clock at 0x51, the C twin of
 *        harness/emulator/devices/pcf8563.ts (the worked example of docs/driver-guide.md).
 *
 * 16 registers behind an auto-incrementing pointer: the first byte of a write sets it (low four
 * bits); it wraps from 0x0F to 0x00.
 * - Clock: SECONDS..YEARS in BCD, counting whole seconds of model time, with a century bit that
 *   toggles when the years roll over from 99 to 00; every year divisible by 4 is a leap year (00
 *   too), as in the device. At init it reads 2000-01-01 00:00:00 (plus start_seconds), weekday
 *   6, VL set. The time counters are frozen from the first START of a transfer to its STOP: reads
 *   in one transfer are consistent, and time registers written in one transfer take effect
 *   together at its STOP, which restarts the second. Values out of range are clamped. STOP
 *   (CONTROL1 bit 5) freezes the clock; clearing it restarts the second.
 * - Countdown timer: TE and TD1:TD0 in TIMER_CONTROL, the count in TIMER; TF sets every
 *   count / source-Hz seconds from when it was enabled, reloaded or its period changed (count 0:
 *   never). TF and AF clear when written as 0 and keep their value when written as 1. INT is
 *   asserted while (TF and TIE) or (AF and AIE).
 * - Not modelled: the alarm (AF never sets by itself; the alarm registers are only stored),
 *   CLKOUT (stored), low voltage (VL sets only at init), TEST1 modes.
 *
 * Timer ticks are exact here (kept in eighths of a ns, so 4096 Hz periods are exact); the TS
 * model's float ms agree with them to its rounding.
 */
#ifndef SIM_PCF8563_H
#define SIM_PCF8563_H

#include "i2c_bus.h"

/** @brief The fixed address. */
#define SIM_PCF8563_ADDRESS 0x51u
/** @brief Registers. */
#define SIM_PCF8563_REGISTERS 16u

/** @name Register addresses @{ */
#define SIM_PCF8563_REG_CONTROL1 0x00u
#define SIM_PCF8563_REG_CONTROL2 0x01u
#define SIM_PCF8563_REG_SECONDS 0x02u
#define SIM_PCF8563_REG_MINUTES 0x03u
#define SIM_PCF8563_REG_HOURS 0x04u
#define SIM_PCF8563_REG_DAYS 0x05u
#define SIM_PCF8563_REG_WEEKDAYS 0x06u
#define SIM_PCF8563_REG_MONTHS 0x07u
#define SIM_PCF8563_REG_YEARS 0x08u
#define SIM_PCF8563_REG_MINUTE_ALARM 0x09u
#define SIM_PCF8563_REG_CLKOUT 0x0du
#define SIM_PCF8563_REG_TIMER_CONTROL 0x0eu
#define SIM_PCF8563_REG_TIMER 0x0fu
/** @} */

/** @name Register bits @{ */
#define SIM_PCF8563_CTRL1_STOP 0x20u
#define SIM_PCF8563_CTRL2_TIE 0x01u
#define SIM_PCF8563_CTRL2_AIE 0x02u
#define SIM_PCF8563_CTRL2_TF 0x04u
#define SIM_PCF8563_CTRL2_AF 0x08u
#define SIM_PCF8563_SECONDS_VL 0x80u
#define SIM_PCF8563_MONTHS_CENTURY 0x80u
#define SIM_PCF8563_TIMER_TE 0x80u
/** @} */

/** @brief Init weekday of 2000-01-01. */
#define SIM_PCF8563_POR_WEEKDAY 6u
/** @brief Days in the device's 100-year cycle (25 leap years). */
#define SIM_PCF8563_DAYS_PER_CENTURY 36525u

/** @brief A calendar time as the registers hold it, in binary. */
struct sim_pcf8563_time {
	uint8_t seconds; /**< 0..59 */
	uint8_t minutes; /**< 0..59 */
	uint8_t hours;   /**< 0..23 */
	uint8_t day;     /**< 1..31 */
	uint8_t weekday; /**< 0..6 */
	uint8_t month;   /**< 1..12 */
	uint8_t year;    /**< 0..99 */
	bool century;    /**< the century bit */
};

/** @brief The device's state. */
struct sim_pcf8563 {
	uint8_t regs[SIM_PCF8563_REGISTERS];
	uint8_t latch[7];          /**< SECONDS..YEARS frozen at the START (written bytes overlay them) */
	uint64_t base;             /**< calendar seconds since 00-01-01 of an even century, at base_at_ns */
	uint64_t base_at_ns;
	uint64_t timer_epoch_ns;   /**< when the timer was (re)started */
	uint64_t timer_counted;    /**< timer periods already turned into TF */
	uint32_t timer_flags;      /**< times TF was set */
	uint8_t base_weekday;
	uint8_t pointer;
	bool base_century;
	bool vl;
	bool latch_written;
	bool in_transfer;
	bool writing;
	bool pointer_set;
};

/** @brief Callbacks to attach the device to a sim_i2c_bus. */
extern const struct sim_i2c_device_ops sim_pcf8563_ops;

/** @brief Initialises @p c at power-on, showing 2000-01-01 00:00:00 plus @p start_seconds at time 0. */
void sim_pcf8563_init(struct sim_pcf8563 *c, uint64_t start_seconds);

/** @brief Attaches @p c to @p bus at SIM_PCF8563_ADDRESS; the codes of sim_i2c_attach(). */
int sim_pcf8563_attach(struct sim_pcf8563 *c, struct sim_i2c_bus *bus);

/** @brief Calendar seconds since 2000-01-01 00:00:00 the clock shows at @p now_ns (not frozen by a transfer). */
uint64_t sim_pcf8563_seconds(const struct sim_pcf8563 *c, uint64_t now_ns);

/** @brief The time the clock shows at @p now_ns, decoded. */
void sim_pcf8563_time(const struct sim_pcf8563 *c, uint64_t now_ns, struct sim_pcf8563_time *t);

/** @brief True while INT is asserted at @p now_ns (updates TF first). */
bool sim_pcf8563_interrupt(struct sim_pcf8563 *c, uint64_t now_ns);

/**
 * @brief When TF next sets, ns (rounded up to a whole ns), or SIM_NEVER_NS with the timer off.
 *        Updates TF at @p now_ns first.
 */
uint64_t sim_pcf8563_next_timer_flag_ns(struct sim_pcf8563 *c, uint64_t now_ns);

/** @brief Days from 00-01-01 of a century to @p year (0..99) - @p month (1..12) - @p day, by the device's calendar. */
uint32_t sim_pcf8563_days_from_date(uint32_t year, uint32_t month, uint32_t day);

/**
 * @brief The date @p days after 00-01-01 of an even century: *year 0..99, *month, *day, and
 *        whether the century bit flipped (an odd number of centuries passed).
 */
void sim_pcf8563_date_from_days(uint64_t days, uint8_t *year, uint8_t *month, uint8_t *day, bool *flipped);

/** @brief @p v (0..99) as BCD. */
uint8_t sim_pcf8563_to_bcd(uint32_t v);

/** @brief BCD @p b as binary (a nibble above 9 counts at its face value). */
uint32_t sim_pcf8563_from_bcd(uint8_t b);

#endif /* SIM_PCF8563_H */
