/**
 * @file
 * @brief The LM3S6965's vector table: the 16 ARMv7-M exceptions (cortex_m.h), then its 43 interrupts. The
 *        port uses SysTick, UART0 (IRQ 5) and timer 0A (IRQ 19); everything else is a fault.
 */
#include "lm3s6965.h"

void UART0_Handler(void);
void Timer0A_Handler(void);

#define F VECTOR_FAULT

__attribute__((section(".vectors"), used)) static const vector_t vectors[16 + 43] = {
	VECTORS_ARMV7M_CORE,
	F, F, F, F, F, { .handler = UART0_Handler }, F, F, /* IRQ 0-7: GPIO A-E, UART0 (5), UART1, SSI0 */
	F, F, F, F, F, F, F, F, /* IRQ 8-15: I2C0, PWM, ADC */
	F, F, F, { .handler = Timer0A_Handler }, F, F, F, F, /* IRQ 16-23: ADC, WDT, Timer0A (19) ... */
	F, F, F, F, F, F, F, F, /* IRQ 24-31 */
	F, F, F, F, F, F, F, F, /* IRQ 32-39 */
	F, F, F, /* IRQ 40-42 */
};

/* The entries above must match the IRQ numbers in lm3s6965.h. */
typedef char vectors_uart0_check[IRQ_UART0 == 5u ? 1 : -1];
typedef char vectors_timer0a_check[IRQ_TIMER0A == 19u ? 1 : -1];
