/**
 * @file
 * @brief The MPS2 AN385's clocks: the core runs at the board's fixed 25 MHz; SysTick (systick.c)
 *        keeps time and CMSDK timer 0 is the one-shot wake-up (wake_timer.c). See port.h.
 */
#include "mps2_an385.h"
#include "port.h"

void Timer0_Handler(void);

typedef char port_cpu_hz_check[PORT_CPU_HZ == 25000000u ? 1 : -1];

void Timer0_Handler(void)
{
	wake_timer_hw_stop(); /* one shot: it would count down again from RELOAD */
}

void clock_init(void)
{
	systick_start();
	wake_timer_enable(IRQ_TIMER0);
}

void wake_timer_hw_stop(void)
{
	TIMER0_CTRL = 0u;
	TIMER0_INTCLEAR = 1u;
}

void wake_timer_hw_start(uint32_t cycles)
{
	TIMER0_RELOAD = cycles;
	TIMER0_VALUE = cycles;
	TIMER0_CTRL = TIMER_CTRL_EN | TIMER_CTRL_IRQEN;
}
