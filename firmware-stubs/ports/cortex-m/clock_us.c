/**
 * @file
 * @brief µs from the core-cycle count, whichever SysTick flavour keeps it (systick.c or
 *        systick_tickless.c). See port.h.
 */
#include "cortex_m.h"
#include "port.h"

uint64_t clock_now_us(void)
{
	return clock_cycles() / PORT_CYCLES_PER_US;
}

uint64_t clock_cycles_until_us(uint64_t due_us)
{
	uint64_t now = clock_cycles();
	uint64_t due = due_us > UINT64_MAX / PORT_CYCLES_PER_US ? UINT64_MAX : due_us * PORT_CYCLES_PER_US;

	return due > now ? due - now : 0u;
}
