/**
 * @file
 * @brief UART5 (a 16550 with 16-byte FIFOs) for the ast1030-evb port: the hooks of the shared
 *        interrupt-driven receive ring and polled send (cortex-m/uart.h). See port.h.
 *
 * The receive FIFO interrupts at 14 bytes, or after 4 character times with fewer waiting (the
 * receive timeout). At divisor 1 QEMU's model takes ~1 ms for that timeout; the main loop also
 * looks at the FIFO itself whenever it is awake.
 */
#include "ast1030.h"
#include "port.h"
#include "uart.h"

void UART5_Handler(void);

/*
 * 115200 bit/s from the AST1030's default UART clock (24 MHz / 13 = 1.846 MHz, / 16 / 1); QEMU's
 * model runs at its own fixed rate whatever the divisor.
 */
#define UART_DIVISOR 1u

bool uart_hw_rx_ready(void)
{
	return (UART_LSR & UART_LSR_DR) != 0u;
}

uint8_t uart_hw_rx_byte(void)
{
	return (uint8_t)UART_RBR;
}

void uart_hw_rx_irq(bool on)
{
	UART_IER = on ? UART_IER_RDI : 0u;
}

void uart_hw_rx_ack(void)
{
	/* Reading the FIFO empty clears the receive interrupts. */
}

void UART5_Handler(void)
{
	uart_rx_drain();
}

void uart_init(void)
{
	UART_IER = 0u;
	UART_LCR = UART_LCR_DLAB;
	UART_DLL = UART_DIVISOR & 0xFFu;
	UART_DLM = UART_DIVISOR >> 8;
	UART_LCR = UART_LCR_8N1;
	/*
	 * FIFOs on; only the transmit FIFO is cleared: bytes the host sent before this ran (right
	 * after a reset) stay for uart_read().
	 */
	UART_FCR = UART_FCR_ENABLE | UART_FCR_CLEAR_TX | UART_FCR_TRIGGER_14;
	uart_rx_reset();
	UART_IER = UART_IER_RDI;
	nvic_enable(IRQ_UART5);
}

/* The 16550 tells only that its TX FIFO is empty, then takes a whole FIFO's worth. */
const struct uart_tx_regs uart_tx_regs = {
	.data = &UART_THR,
	.status = &UART_LSR,
	.room = { .mask = UART_LSR_THRE, .when_set = true },
	.burst = UART_TX_FIFO_BYTES,
	.idle = { .mask = UART_LSR_TEMT, .when_set = true },
};
