/**
 * @file
 * @brief A TMP102-style temperature sensor, the C twin of harness/emulator/devices/tmp102.ts.
 *
 * A write's first byte sets the pointer register (P1:P0); two more bytes write config, T(LOW)
 * or T(HIGH) MSB first (the temperature register ignores writes). A read returns the pointed
 * register MSB first, repeating its two bytes.
 *
 * The temperature is converted every conversion period (4 Hz at power-on) from the seed and the
 * time: a triangle wave between 21 and 27 °C over 600 s plus ±1 LSB of seeded noise. The TS
 * model computes it in floating point; this one computes the same value exactly in integers
 * (checked against the float formula for every phase and noise value, so the register bytes
 * are identical). 12-bit left-justified, 13-bit with EM. Shutdown (SD) holds the last
 * conversion; OS in shutdown runs one more. AL follows comparator mode.
 */
#ifndef SIM_TMP102_H
#define SIM_TMP102_H

#include "i2c_bus.h"

/** @brief Default address (ADD0 to GND). */
#define SIM_TMP102_DEFAULT_ADDRESS 0x48u
/** @name Pointer register values @{ */
#define SIM_TMP102_REG_TEMP 0u
#define SIM_TMP102_REG_CONFIG 1u
#define SIM_TMP102_REG_TLOW 2u
#define SIM_TMP102_REG_THIGH 3u
/** @} */
/** @brief Power-on configuration: 12 bits, 4 Hz, comparator mode, AL = 1. */
#define SIM_TMP102_CONFIG_POR 0x60a0u
/** @brief Power-on T(LOW): 75 °C. */
#define SIM_TMP102_TLOW_POR 0x4b00u
/** @brief Power-on T(HIGH): 80 °C. */
#define SIM_TMP102_THIGH_POR 0x5000u
/** @brief Period of the simulated drift: 600 s. */
#define SIM_TMP102_DRIFT_PERIOD_MS 600000u

/** @brief The device's state. Temperatures are in LSB (1/16 °C), before clamping. */
struct sim_tmp102 {
	uint32_t seed;
	int32_t pinned_raw;
	int32_t frozen_raw;
	uint16_t address;
	uint16_t config;
	uint16_t tlow;
	uint16_t thigh;
	uint8_t pointer;
	uint8_t msb;
	uint8_t received;
	uint8_t read_index;
	bool pinned;
	bool frozen;
	bool alert;
	bool writing;
};

/** @brief Callbacks to attach the device to a sim_i2c_bus. */
extern const struct sim_i2c_device_ops sim_tmp102_ops;

/**
 * @brief Initialises @p t at power-on values with @p seed.
 * @param address 0x48..0x4B; 0 means SIM_TMP102_DEFAULT_ADDRESS.
 * @retval 0 done.
 * @retval -AGENT_EINVAL @p address outside 0x48..0x4B (the default is used).
 */
int sim_tmp102_init(struct sim_tmp102 *t, uint16_t address, uint32_t seed);

/** @brief Attaches @p t to @p bus at its address; the codes of sim_i2c_attach(). */
int sim_tmp102_attach(struct sim_tmp102 *t, struct sim_i2c_bus *bus);

/**
 * @brief Pins the temperature to @p millicelsius (-55000..150000, the sensor's range).
 * @retval 0 done.
 * @retval -AGENT_EINVAL out of range; nothing changes.
 */
int sim_tmp102_set_temperature_mc(struct sim_tmp102 *t, int32_t millicelsius);

/** @brief Resumes the simulated drift after sim_tmp102_set_temperature_mc(). */
void sim_tmp102_unpin(struct sim_tmp102 *t);

/** @brief The last conversion at @p now_ns in LSB (1/16 °C), before the register's clamping. */
int32_t sim_tmp102_temperature_raw(const struct sim_tmp102 *t, uint64_t now_ns);

/**
 * @brief Register @p reg (0..3) as a read returns it at @p now_ns. Reading CONFIG updates the
 *        alert state, as a bus read does.
 */
uint16_t sim_tmp102_register(struct sim_tmp102 *t, uint8_t reg, uint64_t now_ns);

#endif /* SIM_TMP102_H */
