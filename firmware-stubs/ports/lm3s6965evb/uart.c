/**
 * @file
 * @brief UART0 (PL011) for the lm3s6965evb port: interrupt-driven receive into a ring, polled
 *        send. See port.h.
 */
#include "lm3s6965.h"
#include "port.h"

void UART0_Handler(void);

#ifndef PORT_RX_RING_BYTES
/** @brief Receive ring size, a power of two. A frame need not fit: the agent reads it byte by byte. */
#define PORT_RX_RING_BYTES 1024u
#endif
typedef char port_rx_ring_pow2_check[(PORT_RX_RING_BYTES & (PORT_RX_RING_BYTES - 1u)) == 0u ? 1 : -1];

#define RX_INTS (UART_INT_RX | UART_INT_RT)
#define UART_DIVISOR_64THS ((8u * PORT_CPU_HZ / PORT_UART_BAUD + 1u) / 2u)

/* Single producer (the interrupt) and single consumer (the main loop): each index has one writer. */
static uint8_t rx_ring[PORT_RX_RING_BYTES];
static volatile uint32_t rx_head; /* written by UART0_Handler */
static volatile uint32_t rx_tail; /* written by uart_read() */
/* Set by the interrupt when the ring filled and it masked itself; cleared by uart_read(). */
static volatile bool rx_throttled;

/*
 * Moves bytes from the hardware FIFO into the ring until the FIFO is empty or the ring full; when
 * full, masks the receive interrupt (bytes wait in the FIFO) until uart_read() makes room.
 * Called by the interrupt, and by the main loop with interrupts masked.
 */
static void rx_drain(void)
{
	uint32_t head = rx_head;

	while ((UART0_FR & UART_FR_RXFE) == 0u) {
		if (head - rx_tail == PORT_RX_RING_BYTES) {
			UART0_IM = 0u;
			rx_throttled = true;
			break;
		}
		rx_ring[head % PORT_RX_RING_BYTES] = (uint8_t)UART0_DR;
		head++;
	}
	rx_head = head;
}

void UART0_Handler(void)
{
	rx_drain();
	/* RX and RT clear themselves once the FIFO is read empty; only an overrun needs clearing. */
	UART0_ICR = UART_INT_OE;
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
	rx_head = 0u;
	rx_tail = 0u;
	rx_throttled = false;
	/*
	 * Clears the error interrupts only. Clearing RX or RT while the FIFO holds bytes (they can
	 * arrive before this runs, e.g. right after a reset) would lose the interrupt for them: the
	 * PL011 raises RX again only when the level next crosses the trigger, and QEMU (7.2) does not
	 * model the receive timeout. uart_read() also drains the FIFO itself, for the same reason.
	 */
	UART0_ICR = 0x780u; /* OE, BE, PE, FE */
	UART0_IM = RX_INTS;
	UART0_CTL = UART_CTL_UARTEN | UART_CTL_TXE | UART_CTL_RXE;
	NVIC_ICPR0 = 1u << IRQ_UART0;
	NVIC_ISER0 = 1u << IRQ_UART0;
}

void uart_write(const uint8_t *data, size_t len)
{
	size_t i;

	for (i = 0u; i < len; i++) {
		while ((UART0_FR & UART_FR_TXFF) != 0u) {
		}
		UART0_DR = data[i];
	}
}

bool uart_rx_pending(void)
{
	return rx_head != rx_tail || (UART0_FR & UART_FR_RXFE) == 0u;
}

bool uart_read(uint8_t *byte)
{
	uint32_t tail = rx_tail;

	if (rx_head == tail) {
		/* Bytes no interrupt announced (see uart_init()) are taken here. */
		uint32_t primask = irq_save();

		rx_drain();
		irq_restore(primask);
		if (rx_head == tail) {
			return false;
		}
	}
	*byte = rx_ring[tail % PORT_RX_RING_BYTES];
	rx_tail = tail + 1u;
	if (rx_throttled) {
		uint32_t primask = irq_save();

		rx_throttled = false;
		UART0_IM = RX_INTS; /* bytes still in the FIFO raise the interrupt again */
		irq_restore(primask);
	}
	return true;
}

void uart_flush(void)
{
	while ((UART0_FR & UART_FR_BUSY) != 0u) {
	}
}
