/**
 * @file
 * @brief Time and wake-up on SysTick alone, for a machine without a usable one-shot timer (see
 *        port.h): SysTick counts core cycles down from a reload value that each re-arm sets to the
 *        cycles until the agent's next due time (at most 2^24), and its interrupt marks the end of
 *        a period. The 64-bit cycle count is the cycles of the periods that ended plus the current
 *        period's elapsed part; clock_wake_at_us() folds that part in before it starts a new period.
 *
 * A re-arm loses the few cycles between reading the counter and restarting it (the counter
 * reloads one cycle after the write), so time runs a little slow against the core clock when it
 * is re-armed very often; it never runs backwards.
 */
#include "cortex_m.h"
#include "port.h"

/** Shortest period armed: shorter waits are rounded up (the handler must get to run). */
#define TICKLESS_MIN_CYCLES 64u
/** Longest period: SysTick's 24-bit reload value + 1. */
#define TICKLESS_MAX_CYCLES (SYST_MAX + 1u)

/** Cycles before the current period started. Written by the handler and by re-arms (interrupts masked). */
static volatile uint64_t period_base;
/** Length of the current period: reload value + 1. */
static volatile uint32_t period_cycles;

void SysTick_Handler(void)
{
	period_base += period_cycles;
}

void systick_start(void)
{
	SYST_CSR = 0u;
	period_base = 0u;
	period_cycles = TICKLESS_MAX_CYCLES;
	SYST_RVR = TICKLESS_MAX_CYCLES - 1u;
	SYST_CVR = 0u;
	SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
}

/*
 * The cycle count; interrupts masked. A period end whose interrupt is pending is counted here.
 * The counter reads reload, ..., 1, then 0 as the period ends (the interrupt pends) or right
 * after a re-arm, and reloads on the next cycle: 0 is the start of a period.
 */
static uint64_t cycles_locked(void)
{
	uint64_t base = period_base;
	uint32_t val = SYST_CVR;

	if ((SCB_ICSR & SCB_ICSR_PENDSTSET) != 0u) {
		base += period_cycles;
		val = SYST_CVR;
	}
	return base + (val == 0u ? 0u : (uint64_t)(period_cycles - 1u - val));
}

uint64_t clock_cycles(void)
{
	uint32_t primask = irq_save();
	uint64_t now = cycles_locked();

	irq_restore(primask);
	return now;
}

void clock_wake_at_us(uint64_t due_us)
{
	uint32_t primask = irq_save();
	uint64_t now = cycles_locked();
	uint64_t due = due_us > UINT64_MAX / PORT_CYCLES_PER_US ? UINT64_MAX : due_us * PORT_CYCLES_PER_US;
	uint64_t wait = due > now ? due - now : 0u;
	uint32_t cycles = wait < TICKLESS_MIN_CYCLES ? TICKLESS_MIN_CYCLES
			  : wait > TICKLESS_MAX_CYCLES ? TICKLESS_MAX_CYCLES : (uint32_t)wait;

	/* The current period ends now: count what it ran (a pending end included), then start the new one. */
	SCB_ICSR = SCB_ICSR_PENDSTCLR;
	period_base = now;
	period_cycles = cycles;
	SYST_RVR = cycles - 1u;
	SYST_CVR = 0u;
	irq_restore(primask);
}
