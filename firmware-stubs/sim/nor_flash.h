/**
 * @file
 * @brief A W25Q-style SPI NOR flash, the C twin of harness/emulator/devices/nor-flash.ts:
 *        JEDEC EF 40 14, 1 MiB by default, erased to 0xFF, modelled byte by byte on its CS line.
 *
 * - MISO is 0xFF before the first command byte and for every byte of an ignored command.
 * - Write enable (0x06), write disable (0x04) and chip erase (0xC7/0x60) execute at CS release
 *   only when exactly the opcode was sent; sector/block erase only when exactly opcode + 3
 *   address bytes were sent; page program when at least one data byte was sent. Otherwise the
 *   command is not executed (counted in ignored_commands).
 * - Program and erase need WEL (else ignored); at CS release they commit at once (programming
 *   only clears bits; more than 256 data bytes wrap within the page, the last ones win) and the
 *   chip is BUSY for tPP / tSE / tBE / tCE, with WEL still set; when BUSY ends WEL clears.
 * - While BUSY only READ STATUS (0x05) is answered; any other command is ignored.
 *
 * Build-time size and storage (both macros must be the same in every file that includes this):
 * - SIM_NOR_FLASH_SIZE: the address space in bytes, a power of two from 64 KiB; default 1 MiB
 *   (the W25Q80 the suites expect: they program pages from 0x40000 up). Addresses wrap at this
 *   size (higher address bits are ignored) and the JEDEC capacity byte is log2 of it (0x14 for
 *   1 MiB).
 * - SIM_NOR_FLASH_SPARSE_PAGES: 0 (default) stores the whole array (SIM_NOR_FLASH_SIZE bytes of
 *   RAM). N > 0 stores only N programmed 256-byte pages (about 264 bytes each) for MCU builds,
 *   keeping the full address space: every byte outside them reads 0xFF, an erase drops the pages
 *   it covers, and programming a new page when all N are in use forgets the page programmed
 *   least recently (it reads 0xFF again; counted in `evictions`). Tests that program fresh
 *   pages and read them back soon after, as the suites do, see a full-size flash; data older
 *   than the last N programmed pages is lost.
 */
#ifndef SIM_NOR_FLASH_H
#define SIM_NOR_FLASH_H

#include "spi_bus.h"

#ifndef SIM_NOR_FLASH_SIZE
#define SIM_NOR_FLASH_SIZE 0x100000ul
#endif
#ifndef SIM_NOR_FLASH_SPARSE_PAGES
#define SIM_NOR_FLASH_SPARSE_PAGES 0
#endif

/* SIM_NOR_FLASH_SIZE must be a power of two of at least 64 KiB (one block). */
typedef char sim_nor_flash_size_check[(SIM_NOR_FLASH_SIZE >= 0x10000ul &&
				       (SIM_NOR_FLASH_SIZE & (SIM_NOR_FLASH_SIZE - 1ul)) == 0ul) ? 1 : -1];

#define SIM_NOR_FLASH_PAGE_SIZE 256u
#define SIM_NOR_FLASH_SECTOR_SIZE 4096u
#define SIM_NOR_FLASH_BLOCK_SIZE 65536u
#define SIM_NOR_FLASH_ERASED 0xffu
/** @name Default times, ns @{ */
#define SIM_NOR_FLASH_T_PP_NS 700000u
#define SIM_NOR_FLASH_T_SE_NS (45u * SIM_NS_PER_MS)
#define SIM_NOR_FLASH_T_BE_NS (150u * SIM_NS_PER_MS)
#define SIM_NOR_FLASH_T_CE_NS (2000ull * SIM_NS_PER_MS)
/** @} */
/** @name Status register 1 @{ */
#define SIM_NOR_FLASH_SR_BUSY 0x01u
#define SIM_NOR_FLASH_SR_WEL 0x02u
/** @} */
/** @name Opcodes (W25Q names) @{ */
#define SIM_NOR_FLASH_CMD_PAGE_PROGRAM 0x02u
#define SIM_NOR_FLASH_CMD_READ 0x03u
#define SIM_NOR_FLASH_CMD_WRITE_DISABLE 0x04u
#define SIM_NOR_FLASH_CMD_READ_STATUS 0x05u
#define SIM_NOR_FLASH_CMD_WRITE_ENABLE 0x06u
#define SIM_NOR_FLASH_CMD_FAST_READ 0x0bu
#define SIM_NOR_FLASH_CMD_SECTOR_ERASE 0x20u
#define SIM_NOR_FLASH_CMD_CHIP_ERASE_ALT 0x60u
#define SIM_NOR_FLASH_CMD_JEDEC_ID 0x9fu
#define SIM_NOR_FLASH_CMD_CHIP_ERASE 0xc7u
#define SIM_NOR_FLASH_CMD_BLOCK_ERASE 0xd8u
/** @} */

#if SIM_NOR_FLASH_SPARSE_PAGES > 0
/** @brief One stored page of a sparse flash. */
struct sim_nor_flash_page {
	uint32_t base;    /**< address of its first byte, or UINT32_MAX when the slot is free */
	uint32_t stamp;   /**< when it was last programmed, for eviction */
	uint8_t data[SIM_NOR_FLASH_PAGE_SIZE];
};
#endif

/** @brief The device's state. */
struct sim_nor_flash {
#if SIM_NOR_FLASH_SPARSE_PAGES > 0
	struct sim_nor_flash_page pages[SIM_NOR_FLASH_SPARSE_PAGES];
	uint32_t next_stamp;
	uint32_t evictions;   /**< pages forgotten to make room */
#else
	uint8_t mem[SIM_NOR_FLASH_SIZE];
#endif
	uint64_t t_pp_ns;
	uint64_t t_se_ns;
	uint64_t t_be_ns;
	uint64_t t_ce_ns;
	uint64_t busy_until_ns;
	uint32_t programs;          /**< page programs executed */
	uint32_t erases;            /**< erases executed */
	uint32_t ignored_commands;  /**< commands not executed */
	uint32_t count;             /**< bytes of the current CS episode */
	uint32_t addr;
	uint32_t page_bytes;
	int16_t op;                 /**< opcode being executed, -1 for none */
	bool wel;
	bool busy;
	bool selected;
	uint8_t page[SIM_NOR_FLASH_PAGE_SIZE];
	uint8_t page_set[SIM_NOR_FLASH_PAGE_SIZE / 8u];
};

/** @brief Callbacks to attach the device to a sim_spi_bus. */
extern const struct sim_spi_device_ops sim_nor_flash_ops;

/** @brief Initialises @p f erased, idle, write-disabled, with the default times (change the t_*_ns fields after to alter them). */
void sim_nor_flash_init(struct sim_nor_flash *f);

/** @brief The JEDEC ID's capacity byte: log2(SIM_NOR_FLASH_SIZE). */
uint8_t sim_nor_flash_capacity_id(void);

/** @brief Status register 1 at @p now_ns (SIM_NOR_FLASH_SR_BUSY, SIM_NOR_FLASH_SR_WEL). */
uint8_t sim_nor_flash_status(struct sim_nor_flash *f, uint64_t now_ns);

/** @brief When the running program/erase ends (ns), or SIM_NEVER_NS when not BUSY at @p now_ns. */
uint64_t sim_nor_flash_busy_until(struct sim_nor_flash *f, uint64_t now_ns);

/**
 * @brief Backdoor: copies @p len bytes from @p addr into @p out.
 * @retval 0 done.
 * @retval -AGENT_EINVAL the range leaves the address space.
 */
int sim_nor_flash_peek(const struct sim_nor_flash *f, uint32_t addr, uint8_t *out, uint32_t len);

/**
 * @brief Backdoor: stores @p len bytes at @p addr as they are (no AND, no WEL, no BUSY). A sparse
 *        flash may forget older pages to make room, as a program does.
 * @retval 0 done.
 * @retval -AGENT_EINVAL the range leaves the address space; nothing is stored.
 */
int sim_nor_flash_poke(struct sim_nor_flash *f, uint32_t addr, const uint8_t *data, uint32_t len);

#endif /* SIM_NOR_FLASH_H */
