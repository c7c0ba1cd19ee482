/* The reference board; see board.h. Mirrors harness/emulator/board.ts REFERENCE_IODEVS. */
#include "board.h"

/* Capabilities: COMMON = transaction, chain, cancel, timeout, await, then each iodev's own. */
static const char *const caps_i2c[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", NULL };
/* The 24C32's and the W25Q80's datasheet behaviours (harness/emulator/board.ts: *_SEMANTICS). */
static const char *const caps_eeprom[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", "eeprom.page-wrap",
					   "eeprom.write-cycle", NULL };
static const char *const caps_imu[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", "multishot", NULL };
static const char *const caps_flash[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", "txrx",
					  "flash.busy", "flash.wel-autoclear", "flash.page-wrap", NULL };
static const char *const caps_gpio[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", "multishot",
					 "edge-events", NULL };
static const char *const caps_rtc[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", "multishot", NULL };
static const char *const caps_test[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", "multishot",
					 "txrx", NULL };

void sim_board_init(struct sim_board *b, uint32_t seed)
{
	sim_board_init_at(b, seed, 0u);
}

void sim_board_init_at(struct sim_board *b, uint32_t seed, uint64_t now_us)
{
	size_t i;

	(void)sim_i2c_bus_init(&b->i2c0, 0u, 0u);
	(void)sim_eeprom_24c32_init(&b->eeprom, SIM_EEPROM_24C32_DEFAULT_ADDRESS, UINT64_MAX);
	(void)sim_tmp102_init(&b->temp, SIM_TMP102_DEFAULT_ADDRESS, seed);
	(void)sim_icm42688_init(&b->imu, SIM_ICM42688_DEFAULT_ADDRESS, seed, true, sim_us_to_ns(now_us));
	(void)sim_eeprom_24c32_attach(&b->eeprom, &b->i2c0);
	(void)sim_tmp102_attach(&b->temp, &b->i2c0);
	(void)sim_icm42688_attach(&b->imu, &b->i2c0);
	sim_pcf8563_init(&b->rtc, 0u);
	(void)sim_pcf8563_attach(&b->rtc, &b->i2c0);
	sim_spi_bus_init(&b->spi0, 0u, 0u);
	sim_nor_flash_init(&b->flash);
	(void)sim_spi_attach(&b->spi0, 0u, &sim_nor_flash_ops, &b->flash);
	sim_gpio_lines_init(&b->gpio, true);

	sim_i2c_iodev_init(&b->eeprom0, &b->iodevs[0], &b->i2c0, SIM_EEPROM_24C32_DEFAULT_ADDRESS);
	sim_i2c_iodev_init(&b->temp0, &b->iodevs[1], &b->i2c0, SIM_TMP102_DEFAULT_ADDRESS);
	(void)sim_imu_iodev_init(&b->imu0, &b->iodevs[2], &b->i2c0, &b->imu, 0u, 0u);
	(void)sim_spi_iodev_init(&b->flash0, &b->iodevs[3], &b->spi0, 0u, 0u);
	(void)sim_gpio_iodev_init(&b->gpio0, &b->iodevs[4], &b->gpio, 0u);
	sim_test_iodev_init(&b->test0, &b->iodevs[5]);
	sim_rtc_iodev_init(&b->rtc0, &b->iodevs[6], &b->i2c0, &b->rtc);

	sim_iodev_describe(&b->iodevs[0], SIM_BOARD_ID_EEPROM0, "eeprom0", AGENT_IODEV_KIND_I2C, "i2c0",
		 SIM_EEPROM_24C32_DEFAULT_ADDRESS, "24c32", caps_eeprom);
	sim_iodev_describe(&b->iodevs[1], SIM_BOARD_ID_TEMP0, "temp0", AGENT_IODEV_KIND_I2C, "i2c0", SIM_TMP102_DEFAULT_ADDRESS,
		 "tmp102", caps_i2c);
	sim_iodev_describe(&b->iodevs[2], SIM_BOARD_ID_IMU0, "imu0", AGENT_IODEV_KIND_SENSOR, "i2c0", SIM_ICM42688_DEFAULT_ADDRESS,
		 "icm42688", caps_imu);
	sim_iodev_describe(&b->iodevs[3], SIM_BOARD_ID_FLASH0, "flash0", AGENT_IODEV_KIND_SPI, "spi0", 0u, "w25q80", caps_flash);
	sim_iodev_describe(&b->iodevs[4], SIM_BOARD_ID_GPIO0, "gpio0", AGENT_IODEV_KIND_GPIO, "", 0u, "gpio-8", caps_gpio);
	sim_iodev_describe(&b->iodevs[5], SIM_BOARD_ID_TEST0, "test0", AGENT_IODEV_KIND_TEST, "", 0u, "rtio-iodev-test", caps_test);
	sim_iodev_describe(&b->iodevs[6], SIM_BOARD_ID_RTC0, "rtc0", AGENT_IODEV_KIND_SENSOR, "i2c0", SIM_PCF8563_ADDRESS, "pcf8563",
		 caps_rtc);
	for (i = 0; i < SIM_BOARD_IODEVS; i++) {
		b->table[i] = &b->iodevs[i];
	}
	b->table[SIM_BOARD_IODEVS] = NULL;
}

void sim_board_poll(struct sim_board *b, uint64_t now_us)
{
	size_t i;

	for (i = 0; i < SIM_BOARD_IODEVS; i++) {
		b->iodevs[i].api->poll(&b->iodevs[i], now_us);
	}
}

uint64_t sim_board_next_due_us(const struct sim_board *b)
{
	uint64_t due = AGENT_NEVER;
	size_t i;

	for (i = 0; i < SIM_BOARD_IODEVS; i++) {
		due = sim_min_u64(due, b->iodevs[i].api->next_due_us(&b->iodevs[i]));
	}
	return due;
}

struct agent_iodev *sim_board_iodev(struct sim_board *b, uint32_t id)
{
	return id >= 1u && id <= SIM_BOARD_IODEVS ? &b->iodevs[id - 1u] : NULL;
}
