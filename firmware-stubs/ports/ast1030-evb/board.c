/**
 * @file
 * @brief The ast1030-evb board of real parts (boards/qemu-ast1030-evb.json): the agent's iodev
 *        drivers (firmware-stubs/sim: i2c_iodev, spi_iodev, gpio_iodev, test_iodev) on this
 *        port's register-level drivers of the AST1030's controllers, so every RTIO transaction is
 *        a transaction on a real controller. Under QEMU the devices are QEMU's own models, put on
 *        the buses by the command line (harness/target/qemu.ts):
 *
 * | iodev   | part          | where                     | QEMU model                            |
 * |---------|---------------|---------------------------|---------------------------------------|
 * | eeprom0 | at24c32       | I2C bus 2 (i2c2), 0x50    | at24c-eeprom, rom-size 4096, a file   |
 * | temp0   | tmp105        | i2c2, 0x48                | tmp105                                |
 * | rtc0    | ds1338        | i2c2, 0x68                | ds1338 (time from -rtc base=...)      |
 * | mag0    | lsm303dlhc-mag| i2c2, 0x1e                | lsm303dlhc_mag                        |
 * | flash0  | w25q80bl      | SPI1 (spi1), chip select 0| w25q80bl (spi-model), a file (mtd 2)  |
 * | gpio0   | ast1030-gpioa | GPIOA0-3 out, GPIOA4-7 in | the AST1030's own GPIO controller     |
 * | test0   | rtio-iodev-test | (software)              | none: the agent's scriptable iodev    |
 *
 * No fault injection: these drivers ignore injected faults (the buses are real controllers), and
 * the board file claims no fault-injection, so the host never injects one.
 */
#include "../../sim/gpio_iodev.h"
#include "../../sim/i2c_iodev.h"
#include "../../sim/spi_iodev.h"
#include "../../sim/test_iodev.h"
#include "aspeed_gpio.h"
#include "aspeed_i2c.h"
#include "aspeed_spi.h"
#include "board.h"

/** @brief The I2C bus the parts sit on (QEMU: aspeed.i2c.bus.2). */
#define BOARD_I2C_BUS 2u

#define ADDR_EEPROM 0x50u
#define ADDR_TEMP 0x48u
#define ADDR_RTC 0x68u
#define ADDR_MAG 0x1Eu

#define IODEVS 7u

const char board_description[] = "ast1030-evb real drivers";

/* Capabilities: what these drivers do. No "txrx" on flash0: SPI1's user mode is half duplex. */
static const char *const caps_i2c[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", NULL };
static const char *const caps_flash[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", NULL };
static const char *const caps_gpio[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", "multishot",
					 "edge-events", NULL };
static const char *const caps_test[] = { "transaction", "chain", "cancel", "timeout", "await", "mempool", "multishot",
					 "txrx", NULL };

static struct {
	struct aspeed_i2c i2c2;
	struct aspeed_spi spi1;
	struct aspeed_gpio gpioa;
	struct sim_i2c_iodev eeprom0;
	struct sim_i2c_iodev temp0;
	struct sim_i2c_iodev rtc0;
	struct sim_i2c_iodev mag0;
	struct sim_spi_iodev flash0;
	struct sim_gpio_iodev gpio0;
	struct sim_test_iodev test0;
	struct agent_iodev iodevs[IODEVS];
	struct agent_iodev *table[IODEVS + 1u];
} board;

struct agent_iodev **board_init(uint32_t seed, size_t *count)
{
	struct agent_iodev *d = board.iodevs;
	size_t i;

	(void)seed; /* real parts: nothing to seed */
	(void)aspeed_i2c_init(&board.i2c2, BOARD_I2C_BUS);
	aspeed_spi_init(&board.spi1);
	aspeed_gpio_init(&board.gpioa);

	sim_i2c_iodev_init_ctrl(&board.eeprom0, &d[0], aspeed_i2c_ctrl(&board.i2c2), ADDR_EEPROM);
	sim_i2c_iodev_init_ctrl(&board.temp0, &d[1], aspeed_i2c_ctrl(&board.i2c2), ADDR_TEMP);
	sim_i2c_iodev_init_ctrl(&board.rtc0, &d[2], aspeed_i2c_ctrl(&board.i2c2), ADDR_RTC);
	sim_i2c_iodev_init_ctrl(&board.mag0, &d[3], aspeed_i2c_ctrl(&board.i2c2), ADDR_MAG);
	(void)sim_spi_iodev_init_ctrl(&board.flash0, &d[4], aspeed_spi_ctrl(&board.spi1), 0u, 0u);
	(void)sim_gpio_iodev_init_port(&board.gpio0, &d[5], aspeed_gpio_port(&board.gpioa), 0u);
	sim_test_iodev_init(&board.test0, &d[6]);

	sim_iodev_describe(&d[0], 1u, "eeprom0", AGENT_IODEV_KIND_I2C, "i2c2", ADDR_EEPROM, "at24c32", caps_i2c);
	sim_iodev_describe(&d[1], 2u, "temp0", AGENT_IODEV_KIND_I2C, "i2c2", ADDR_TEMP, "tmp105", caps_i2c);
	sim_iodev_describe(&d[2], 3u, "rtc0", AGENT_IODEV_KIND_I2C, "i2c2", ADDR_RTC, "ds1338", caps_i2c);
	sim_iodev_describe(&d[3], 4u, "mag0", AGENT_IODEV_KIND_I2C, "i2c2", ADDR_MAG, "lsm303dlhc-mag", caps_i2c);
	sim_iodev_describe(&d[4], 5u, "flash0", AGENT_IODEV_KIND_SPI, "spi1", 0u, "w25q80bl", caps_flash);
	sim_iodev_describe(&d[5], 6u, "gpio0", AGENT_IODEV_KIND_GPIO, "", 0u, "ast1030-gpioa", caps_gpio);
	sim_iodev_describe(&d[6], 7u, "test0", AGENT_IODEV_KIND_TEST, "", 0u, "rtio-iodev-test", caps_test);
	for (i = 0u; i < IODEVS; i++) {
		board.table[i] = &d[i];
	}
	board.table[IODEVS] = NULL;
	*count = IODEVS;
	return board.table;
}
