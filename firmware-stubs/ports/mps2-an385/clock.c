/**
 * @file
 * @brief The MPS2 AN385's clocks: the core runs at the board's fixed 25 MHz; SysTick (systick.c)
 *        keeps time and CMSDK timer 0 is a one-shot wake-up. See port.h.
 */
#include "mps2_an385.h"
#include "port.h"

void Timer0_Handler(void);

typedef char port_cpu_hz_check[PORT_CPU_HZ == 25000000u ? 1 : -1];

void Timer0_Handler(void)
{
	/* One shot: stop it (it would count down again from RELOAD) and clear the interrupt. */
	TIMER0_CTRL = 0u;
	TIMER0_INTCLEAR = 1u;
}

void clock_init(void)
{
	systick_start();
	TIMER0_CTRL = 0u;
	TIMER0_INTCLEAR = 1u;
	NVIC_ICPR0 = 1u << IRQ_TIMER0;
	NVIC_ISER0 = 1u << IRQ_TIMER0;
}

void clock_wake_at_us(uint64_t due_us)
{
	uint64_t cycles = clock_cycles_until_us(due_us);

	if (cycles == 0u) {
		cycles = 1u;
	} else if (cycles > UINT32_MAX) {
		cycles = UINT32_MAX;
	}
	TIMER0_CTRL = 0u;
	TIMER0_INTCLEAR = 1u;
	NVIC_ICPR0 = 1u << IRQ_TIMER0;
	TIMER0_RELOAD = (uint32_t)cycles;
	TIMER0_VALUE = (uint32_t)cycles;
	TIMER0_CTRL = TIMER_CTRL_EN | TIMER_CTRL_IRQEN;
}
