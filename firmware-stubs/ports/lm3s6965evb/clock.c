/**
 * @file
 * @brief The LM3S6965's clocks: the PLL at 50 MHz, then SysTick (systick.c) for time and
 *        general-purpose timer 0A as the one-shot wake-up (wake_timer.c). See port.h.
 */
#include "lm3s6965.h"
#include "port.h"

void Timer0A_Handler(void);

typedef char port_cpu_hz_check[PORT_CPU_HZ == 50000000u ? 1 : -1];

void Timer0A_Handler(void)
{
	TIMER0_ICR = TIMER_INT_TATO;
	/*
	 * Rewriting the mask makes QEMU (7.2) re-evaluate the interrupt line, which a write to ICR
	 * alone does not; the line would stay up and the handler run again forever. Harmless on
	 * silicon.
	 */
	TIMER0_IMR = TIMER_INT_TATO;
}

/* The datasheet's PLL sequence: bypass, configure, wait for lock, switch over. */
static void pll_init(void)
{
	uint32_t rcc = SYSCTL_RCC;

	rcc |= SYSCTL_RCC_BYPASS;
	rcc &= ~SYSCTL_RCC_USESYSDIV;
	SYSCTL_RCC = rcc;
	rcc &= ~(SYSCTL_RCC_XTAL_MASK | SYSCTL_RCC_OSCSRC_MASK | SYSCTL_RCC_PWRDN | SYSCTL_RCC_MOSCDIS);
	rcc |= SYSCTL_RCC_XTAL_8MHZ;
	SYSCTL_RCC = rcc;
	/* 200 MHz / (SYSDIV + 1) = 50 MHz, the LM3S6965's maximum. */
	rcc = (rcc & ~SYSCTL_RCC_SYSDIV_MASK) | SYSCTL_RCC_SYSDIV(3u) | SYSCTL_RCC_USESYSDIV;
	SYSCTL_RCC = rcc;
	while ((SYSCTL_RIS & SYSCTL_RIS_PLLLRIS) == 0u) {
	}
	SYSCTL_RCC = rcc & ~SYSCTL_RCC_BYPASS;
}

void clock_init(void)
{
	pll_init();
	systick_start();

	SYSCTL_RCGC1 |= SYSCTL_RCGC1_TIMER0;
	(void)SYSCTL_RCGC1; /* a few cycles before the timer's registers may be touched */
	TIMER0_CTL = 0u;
	TIMER0_CFG = 0u; /* one 32-bit timer */
	TIMER0_TAMR = TIMER_TAMR_ONE_SHOT;
	wake_timer_enable(IRQ_TIMER0A);
}

void wake_timer_hw_stop(void)
{
	TIMER0_CTL = 0u;
	TIMER0_ICR = TIMER_INT_TATO;
	TIMER0_IMR = TIMER_INT_TATO;
}

void wake_timer_hw_start(uint32_t cycles)
{
	TIMER0_TAILR = cycles;
	TIMER0_CTL = TIMER_CTL_TAEN;
}
