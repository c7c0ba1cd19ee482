/**
 * @file
 * @brief The MPS2 AN385's vector table: the 16 ARMv7-M exceptions (cortex_m.h), then its 32 interrupts. The
 *        port uses SysTick, UART0 receive (IRQ 0) and timer 0 (IRQ 8); everything else is a fault.
 */
#include "mps2_an385.h"

void UART0_RX_Handler(void);
void Timer0_Handler(void);

#define F VECTOR_FAULT

__attribute__((section(".vectors"), used)) static const vector_t vectors[16 + 32] = {
	VECTORS_ARMV7M_CORE,
	{ .handler = UART0_RX_Handler }, F, F, F, F, F, F, F, /* IRQ 0-7: UART0 RX (0), UART0 TX, UART1, UART2, GPIO */
	{ .handler = Timer0_Handler }, F, F, F, F, F, F, F, /* IRQ 8-15: timer 0 (8), timer 1, dual timer, SPI, UART overflow, Ethernet */
	F, F, F, F, F, F, F, F, /* IRQ 16-23 */
	F, F, F, F, F, F, F, F, /* IRQ 24-31 */
};

/* The entries above must match the IRQ numbers in mps2_an385.h. */
typedef char vectors_uart0_check[IRQ_UART0_RX == 0u ? 1 : -1];
typedef char vectors_timer0_check[IRQ_TIMER0 == 8u ? 1 : -1];
