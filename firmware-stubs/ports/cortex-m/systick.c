/**
 * @file
 * @brief Time for the Cortex-M ports: SysTick on the core clock as a free-running counter, its
 *        wrap interrupt (every 2^24 cycles) extending it to 64 bits. See port.h.
 */
#include "cortex_m.h"
#include "port.h"

/** SysTick wraps counted by SysTick_Handler. */
static volatile uint32_t systick_wraps;

void SysTick_Handler(void)
{
	systick_wraps++;
}

void systick_start(void)
{
	SYST_CSR = 0u;
	SYST_RVR = SYST_MAX;
	SYST_CVR = 0u;
	systick_wraps = 0u;
	SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
}

uint64_t clock_cycles(void)
{
	uint32_t primask = irq_save();
	uint32_t wraps = systick_wraps;
	uint32_t val = SYST_CVR;

	/* A wrap not counted yet (its interrupt is pending): count it, and read past it. */
	if ((SCB_ICSR & SCB_ICSR_PENDSTSET) != 0u) {
		wraps++;
		val = SYST_CVR;
	}
	irq_restore(primask);
	return ((uint64_t)wraps << 24) + (uint64_t)(SYST_MAX - val);
}
