/**
 * @file
 * @brief The AST1030's vector table: the 16 ARMv7-M exceptions (cortex_m.h), then its first 144
 *        interrupts. The port uses SysTick, UART5 (IRQ 8) and GPIO (IRQ 11); the I2C buses
 *        (IRQ 110-123) are polled with their interrupt lines left off; everything else is a fault.
 */
#include "ast1030.h"

void UART5_Handler(void);
void GPIO_Handler(void);

#define F VECTOR_FAULT

__attribute__((section(".vectors"), used)) static const vector_t vectors[16u + AST1030_IRQS] = {
	VECTORS_ARMV7M_CORE,
	F, F, F, F, F, F, F, F, /* IRQ 0-7 */
	VECTOR(UART5_Handler), F, F, VECTOR(GPIO_Handler), F, F, F, F, /* IRQ 8-15: UART5 (8), GPIO (11), ... */
	F, F, F, F, F, F, F, F, /* IRQ 16-23 */
	F, F, F, F, F, F, F, F, /* IRQ 24-31 */
	F, F, F, F, F, F, F, F, /* IRQ 32-39 */
	F, F, F, F, F, F, F, F, /* IRQ 40-47 */
	F, F, F, F, F, F, F, F, /* IRQ 48-55 */
	F, F, F, F, F, F, F, F, /* IRQ 56-63 */
	F, F, F, F, F, F, F, F, /* IRQ 64-71 */
	F, F, F, F, F, F, F, F, /* IRQ 72-79 */
	F, F, F, F, F, F, F, F, /* IRQ 80-87 */
	F, F, F, F, F, F, F, F, /* IRQ 88-95 */
	F, F, F, F, F, F, F, F, /* IRQ 96-103 */
	F, F, F, F, F, F, F, F, /* IRQ 104-111 */
	F, F, F, F, F, F, F, F, /* IRQ 112-119 */
	F, F, F, F, F, F, F, F, /* IRQ 120-127 */
	F, F, F, F, F, F, F, F, /* IRQ 128-135 */
	F, F, F, F, F, F, F, F, /* IRQ 136-143 */
};

/* The entries above must match the IRQ numbers in ast1030.h. */
typedef char vectors_uart5_check[IRQ_UART5 == 8u ? 1 : -1];
typedef char vectors_gpio_check[IRQ_GPIO == 11u ? 1 : -1];
typedef char vectors_count_check[AST1030_IRQS == 144u ? 1 : -1];
