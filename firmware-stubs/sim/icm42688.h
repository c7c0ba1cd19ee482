/**
 * @file
 * @brief An ICM-42688-style 6-axis IMU with its FIFO (bank 0 only), the C twin of
 *        harness/emulator/devices/icm42688.ts.
 *
 * A write's first byte sets the register pointer, further bytes write successive registers;
 * reads continue from the pointer with auto-increment, except that the pointer stays on
 * FIFO_DATA so repeated reads pop the FIFO.
 *
 * While a sensor is on and the FIFO is not in bypass, one 16-byte packet (header 0x68, accel XYZ
 * and gyro XYZ as big-endian int16, temperature int8, a 16-bit µs timestamp big-endian) is
 * produced per ODR period, computed lazily from the time passed in (no timers) and determined
 * by the seed and the sample index. A packet that does not fit in the 2048-byte FIFO is dropped
 * and counted (the model never overwrites). The ODR is the accelerometer's (the gyro's when the
 * accelerometer is off). The reference board starts streaming at 1 kHz.
 *
 * Same bytes as the TS model for the same seed and times: the noise is integer hashing, and the
 * two float temperature formulas take one of 11 values, tabulated from the TS formula. Sample
 * times are exact in ns here; the TS model computes them as float ms, which can floor a
 * timestamp one µs lower after an ODR change at a time that is not a whole number of µs.
 */
#ifndef SIM_ICM42688_H
#define SIM_ICM42688_H

#include "i2c_bus.h"

#define SIM_ICM42688_DEFAULT_ADDRESS 0x68u
/** @name Registers (bank 0) @{ */
#define SIM_ICM42688_REG_DEVICE_CONFIG 0x11u
#define SIM_ICM42688_REG_FIFO_CONFIG 0x16u
#define SIM_ICM42688_REG_TEMP_DATA1 0x1du
#define SIM_ICM42688_REG_INT_STATUS 0x2du
#define SIM_ICM42688_REG_FIFO_COUNTH 0x2eu
#define SIM_ICM42688_REG_FIFO_COUNTL 0x2fu
#define SIM_ICM42688_REG_FIFO_DATA 0x30u
#define SIM_ICM42688_REG_SIGNAL_PATH_RESET 0x4bu
#define SIM_ICM42688_REG_PWR_MGMT0 0x4eu
#define SIM_ICM42688_REG_GYRO_CONFIG0 0x4fu
#define SIM_ICM42688_REG_ACCEL_CONFIG0 0x50u
#define SIM_ICM42688_REG_FIFO_CONFIG1 0x5fu
#define SIM_ICM42688_REG_FIFO_CONFIG2 0x60u
#define SIM_ICM42688_REG_FIFO_CONFIG3 0x61u
#define SIM_ICM42688_REG_WHO_AM_I 0x75u
#define SIM_ICM42688_REG_BANK_SEL 0x76u
/** @} */
#define SIM_ICM42688_WHO_AM_I 0x47u
/** @brief FIFO capacity in bytes. */
#define SIM_ICM42688_FIFO_SIZE 2048u
/** @brief Bytes per FIFO packet. */
#define SIM_ICM42688_PACKET_SIZE 16u
/** @brief FIFO capacity in whole packets. */
#define SIM_ICM42688_FIFO_PACKETS (SIM_ICM42688_FIFO_SIZE / SIM_ICM42688_PACKET_SIZE)
/** @brief Header of every packet. */
#define SIM_ICM42688_PACKET_HEADER 0x68u
/** @brief What FIFO_DATA returns when the FIFO is empty. */
#define SIM_ICM42688_FIFO_EMPTY 0x80u

/** @brief The device's state. The FIFO keeps each packet's sample index and timestamp. */
struct sim_icm42688 {
	uint8_t regs[256];
	uint32_t fifo_index[SIM_ICM42688_FIFO_PACKETS];
	uint16_t fifo_ts[SIM_ICM42688_FIFO_PACKETS];
	uint8_t head_bytes[SIM_ICM42688_PACKET_SIZE];
	uint64_t generated;      /**< samples produced (in the FIFO, read or dropped) */
	uint64_t dropped;        /**< packets dropped because the FIFO was full */
	uint64_t period_ns;      /**< sample period, 0 when no packets are produced */
	uint64_t epoch_ns;
	uint64_t epoch_index;
	uint64_t int_generated;
	uint64_t int_dropped;
	int32_t count_latch;     /**< latched FIFO_COUNT, -1 when none */
	uint32_t seed;
	uint16_t address;
	uint16_t fifo_first;     /**< ring index of the oldest packet */
	uint16_t fifo_len;       /**< packets in the FIFO */
	uint8_t read_offset;     /**< bytes of the oldest packet already read */
	uint8_t pointer;
	bool head_valid;
	bool writing;
	bool pointer_set;
};

/** @brief Callbacks to attach the device to a sim_i2c_bus. */
extern const struct sim_i2c_device_ops sim_icm42688_ops;

/**
 * @brief Initialises @p imu at @p now_ns: datasheet power-on values, then with @p streaming the
 *        reference board's init (PWR_MGMT0 = 0x0F, FIFO_CONFIG = 0x40, FIFO_CONFIG1 = 0x07: 1 kHz
 *        into the FIFO from @p now_ns on).
 * @param address 0x68 or 0x69; 0 means SIM_ICM42688_DEFAULT_ADDRESS.
 * @retval 0 done.
 * @retval -AGENT_EINVAL @p address is neither (the default is used).
 */
int sim_icm42688_init(struct sim_icm42688 *imu, uint16_t address, uint32_t seed, bool streaming, uint64_t now_ns);

/** @brief Attaches @p imu to @p bus at its address; the codes of sim_i2c_attach(). */
int sim_icm42688_attach(struct sim_icm42688 *imu, struct sim_i2c_bus *bus);

/** @brief Bytes in the FIFO at @p now_ns (what FIFO_COUNT reads). */
uint32_t sim_icm42688_fifo_bytes(struct sim_icm42688 *imu, uint64_t now_ns);

/** @brief Whole packets in the FIFO at @p now_ns. */
uint32_t sim_icm42688_fifo_packets(struct sim_icm42688 *imu, uint64_t now_ns);

/** @brief Samples produced by @p now_ns (in the FIFO, read or dropped). */
uint64_t sim_icm42688_samples(struct sim_icm42688 *imu, uint64_t now_ns);

/**
 * @brief When the FIFO will hold at least @p count whole packets if nobody reads it: @p now_ns
 *        if it already does, SIM_NEVER_NS if it never will (not streaming, or they cannot fit).
 */
uint64_t sim_icm42688_next_packet_at(struct sim_icm42688 *imu, uint32_t count, uint64_t now_ns);

/**
 * @brief The 16 bytes of the packet of sample @p index taken at @p at_ns (timestamp field: µs
 *        modulo 2^16) with the current accelerometer full scale, into @p out.
 */
void sim_icm42688_packet(const struct sim_icm42688 *imu, uint64_t index, uint64_t at_ns, uint8_t out[16]);

#endif /* SIM_ICM42688_H */
