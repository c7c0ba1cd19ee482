/**
 * @file
 * @brief The AST1030's clock: the core runs at 200 MHz from the HPLL the boot ROM sets up (QEMU's
 *        ast1030-evb clocks it at 200 MHz); SysTick alone keeps time and wakes the core
 *        (cortex-m/systick_tickless.c: the Aspeed timers toggle their interrupt line on each
 *        expiry, which QEMU's NVIC takes as an interrupt every other expiry). See port.h.
 */
#include "ast1030.h"
#include "port.h"

typedef char port_cpu_hz_check[PORT_CPU_HZ == 200000000u ? 1 : -1];

void clock_init(void)
{
	systick_start();
}
