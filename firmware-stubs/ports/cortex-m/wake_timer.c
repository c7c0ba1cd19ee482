/**
 * @file
 * @brief clock_wake_at_us() on a machine's one-shot 32-bit timer (with systick.c's free-running
 *        SysTick; see port.h), for the machines that have one (lm3s6965evb, mps2-an385): the
 *        machine's clock.c sets the timer up and gives the hooks that stop and start it.
 */
#include "cortex_m.h"
#include "port.h"

/** The timer's interrupt, from wake_timer_enable(). */
static uint32_t wake_irq;

void wake_timer_enable(uint32_t irq)
{
	wake_irq = irq;
	wake_timer_hw_stop();
	nvic_enable(irq);
}

void clock_wake_at_us(uint64_t due_us)
{
	uint64_t cycles = clock_cycles_until_us(due_us);

	wake_timer_hw_stop();
	NVIC_ICPR(wake_irq) = NVIC_BIT(wake_irq); /* an expiry of the last arming must not wake us */
	wake_timer_hw_start(cycles == 0u ? 1u : cycles > UINT32_MAX ? UINT32_MAX : (uint32_t)cycles);
}
