/**
 * @file
 * @brief A 24C32-style I2C EEPROM, the C twin of harness/emulator/devices/eeprom-24c32.ts:
 *        4096 bytes erased to 0xFF, 32-byte pages, a 5 ms self-timed write cycle.
 *
 * - Write: two word-address bytes (big-endian, the upper 4 bits ignored) set the address
 *   pointer; further bytes are latched at successive addresses that wrap within the 32-byte
 *   page. The latch is committed at STOP (a repeated START discards it); a commit starts the
 *   write cycle, during which the device NACKs its address.
 * - Read: from the address pointer, incrementing and wrapping at the end of the array (a read
 *   without a word address is a current-address read).
 */
#ifndef SIM_EEPROM_24C32_H
#define SIM_EEPROM_24C32_H

#include "i2c_bus.h"

/** @brief Capacity: 4096 bytes. */
#define SIM_EEPROM_24C32_SIZE 4096u
/** @brief Page size: a page write wraps within 32 bytes. */
#define SIM_EEPROM_24C32_PAGE_SIZE 32u
/** @brief Default address (A2..A0 low). */
#define SIM_EEPROM_24C32_DEFAULT_ADDRESS 0x50u
/** @brief Default write cycle tWR: 5 ms, in ns. */
#define SIM_EEPROM_24C32_DEFAULT_WRITE_CYCLE_NS (5u * SIM_NS_PER_MS)

/** @brief The device's state. */
struct sim_eeprom_24c32 {
	uint8_t mem[SIM_EEPROM_24C32_SIZE];
	uint8_t latch[SIM_EEPROM_24C32_PAGE_SIZE];
	uint32_t latched;          /**< bit i: latch[i] holds a byte */
	uint64_t write_cycle_ns;
	uint64_t busy_until_ns;    /**< the write cycle ends here (0: none yet) */
	uint32_t write_cycles;     /**< page writes committed */
	uint16_t address;          /**< 7-bit I2C address */
	uint16_t pointer;          /**< address pointer */
	uint32_t received;         /**< bytes since the last write START */
	uint8_t hi_addr;
	bool writing;
	bool dirty;
};

/** @brief Callbacks to attach the device to a sim_i2c_bus. */
extern const struct sim_i2c_device_ops sim_eeprom_24c32_ops;

/**
 * @brief Initialises @p ee erased, idle, pointer 0.
 * @param address 0x50..0x57; 0 means SIM_EEPROM_24C32_DEFAULT_ADDRESS.
 * @param write_cycle_ns tWR; UINT64_MAX means SIM_EEPROM_24C32_DEFAULT_WRITE_CYCLE_NS (0 is allowed: no busy time).
 * @retval 0 done.
 * @retval -AGENT_EINVAL @p address outside 0x50..0x57 (the default is used).
 */
int sim_eeprom_24c32_init(struct sim_eeprom_24c32 *ee, uint16_t address, uint64_t write_cycle_ns);

/** @brief Attaches @p ee to @p bus at its address; the codes of sim_i2c_attach(). */
int sim_eeprom_24c32_attach(struct sim_eeprom_24c32 *ee, struct sim_i2c_bus *bus);

/** @brief True while a write cycle runs at @p now_ns (the device NACKs its address). */
bool sim_eeprom_24c32_busy(const struct sim_eeprom_24c32 *ee, uint64_t now_ns);

/**
 * @brief Backdoor: copies @p len bytes from @p addr (no wrap) into @p out.
 * @retval 0 done.
 * @retval -AGENT_EINVAL the range leaves the array.
 */
int sim_eeprom_24c32_peek(const struct sim_eeprom_24c32 *ee, uint32_t addr, uint8_t *out, uint32_t len);

/**
 * @brief Backdoor: stores @p len bytes at @p addr at once, with no write cycle.
 * @retval 0 done.
 * @retval -AGENT_EINVAL the range leaves the array.
 */
int sim_eeprom_24c32_poke(struct sim_eeprom_24c32 *ee, uint32_t addr, const uint8_t *data, uint32_t len);

/** @brief Backdoor: erases every byte to 0xFF and ends any write cycle. */
void sim_eeprom_24c32_erase(struct sim_eeprom_24c32 *ee);

#endif /* SIM_EEPROM_24C32_H */
