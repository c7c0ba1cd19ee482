/**
 * @file
 * @brief UART0 (CMSDK APB UART) for the mps2-an385 port: the hooks of the shared interrupt-driven
 *        receive ring and polled send (cortex-m/uart.h). See port.h. Its receive buffer holds one byte, so
 *        the interrupt fires per byte (QEMU feeds the guest ~14 KiB/s this way, 5-7 times slower
 *        than the lm3s6965evb's 16-byte PL011 FIFO).
 */
#include "mps2_an385.h"
#include "port.h"
#include "uart.h"

void UART0_RX_Handler(void);

#define CTRL_ON (UART_CTRL_TXEN | UART_CTRL_RXEN)

bool uart_hw_rx_ready(void)
{
	return (UART0_STATE & UART_STATE_RXFULL) != 0u;
}

uint8_t uart_hw_rx_byte(void)
{
	return (uint8_t)UART0_DATA;
}

void uart_hw_rx_irq(bool on)
{
	UART0_CTRL = on ? CTRL_ON | UART_CTRL_RXINTEN : CTRL_ON;
}

void uart_hw_rx_ack(void)
{
	/*
	 * The interrupt is cleared before DATA is read: a byte arriving right after the read raises
	 * it again instead of being lost. When the ring is full the byte stays in DATA, which holds
	 * the sender (QEMU's socket) back.
	 */
	UART0_INTCLEAR = UART_INT_RX | UART_INT_RXOVERRUN;
}

void UART0_RX_Handler(void)
{
	uart_rx_drain();
}

void uart_init(void)
{
	UART0_CTRL = 0u;
	UART0_BAUDDIV = PORT_CPU_HZ / PORT_UART_BAUD; /* 217 at 115200 */
	uart_rx_reset();
	UART0_INTCLEAR = 0xFu;
	UART0_CTRL = CTRL_ON | UART_CTRL_RXINTEN;
	/*
	 * A read of DATA makes QEMU (7.2) offer the next input byte: setting RXEN alone does not, and
	 * bytes sent before it was set would wait up to ~1 s. Read only while the buffer is empty (a
	 * byte already there is left for the interrupt).
	 */
	if ((UART0_STATE & UART_STATE_RXFULL) == 0u) {
		(void)UART0_DATA;
	}
	nvic_enable(IRQ_UART0_RX);
}

/* The CMSDK UART shows no shift register: idle is an empty buffer, a byte may still be going out. */
const struct uart_tx_regs uart_tx_regs = UART_TX_ONE_BYTE(&UART0_DATA, &UART0_STATE, UART_STATE_TXFULL, UART_STATE_TXFULL);
