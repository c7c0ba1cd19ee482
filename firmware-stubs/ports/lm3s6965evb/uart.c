/**
 * @file
 * @brief UART0 (PL011) for the lm3s6965evb port: the hooks of the shared interrupt-driven
 *        receive ring and polled send (cortex-m/uart.h). See port.h.
 */
#include "lm3s6965.h"
#include "port.h"
#include "uart.h"

void UART0_Handler(void);

#define RX_INTS (UART_INT_RX | UART_INT_RT)
#define UART_DIVISOR_64THS ((8u * PORT_CPU_HZ / PORT_UART_BAUD + 1u) / 2u)

bool uart_hw_rx_ready(void)
{
	return (UART0_FR & UART_FR_RXFE) == 0u;
}

uint8_t uart_hw_rx_byte(void)
{
	return (uint8_t)UART0_DR;
}

void uart_hw_rx_irq(bool on)
{
	UART0_IM = on ? RX_INTS : 0u; /* back on, bytes still in the FIFO raise the interrupt again */
}

void uart_hw_rx_ack(void)
{
	/* RX and RT clear themselves once the FIFO is read empty. */
}

void UART0_Handler(void)
{
	uart_rx_drain();
	UART0_ICR = UART_INT_OE; /* only an overrun needs clearing */
}

void uart_init(void)
{
	SYSCTL_RCGC1 |= SYSCTL_RCGC1_UART0;
	SYSCTL_RCGC2 |= SYSCTL_RCGC2_GPIOA;
	(void)SYSCTL_RCGC2; /* a few cycles before the peripherals' registers may be touched */
	GPIOA_AFSEL |= 0x3u; /* PA0 = U0Rx, PA1 = U0Tx */
	GPIOA_DEN |= 0x3u;

	UART0_CTL = 0u;
	/* Divisor in 1/64ths: PORT_CPU_HZ / (16 * baud), rounded; 115200 at 50 MHz is 27 + 8/64. */
	UART0_IBRD = UART_DIVISOR_64THS / 64u;
	UART0_FBRD = UART_DIVISOR_64THS % 64u;
	UART0_LCRH = UART_LCRH_WLEN_8 | UART_LCRH_FEN;
	UART0_IFLS = 0u; /* RX interrupt at 1/8 full; the receive timeout covers fewer bytes */
	uart_rx_reset();
	/*
	 * Clears the error interrupts only. Clearing RX or RT while the FIFO holds bytes (they can
	 * arrive before this runs, e.g. right after a reset) would lose the interrupt for them: the
	 * PL011 raises RX again only when the level next crosses the trigger, and QEMU (7.2) does not
	 * model the receive timeout. uart_read() also drains the FIFO itself, for the same reason.
	 */
	UART0_ICR = 0x780u; /* OE, BE, PE, FE */
	UART0_IM = RX_INTS;
	UART0_CTL = UART_CTL_UARTEN | UART_CTL_TXE | UART_CTL_RXE;
	nvic_enable(IRQ_UART0);
}

const struct uart_tx_regs uart_tx_regs = UART_TX_ONE_BYTE(&UART0_DR, &UART0_FR, UART_FR_TXFF, UART_FR_BUSY);
