/**
 * @file
 * @brief UART0 (CMSDK APB UART) for the mps2-an385 port: interrupt-driven receive into a ring,
 *        polled send. See port.h. Its receive buffer holds one byte, so the interrupt fires per
 *        byte (QEMU feeds the guest ~14 KiB/s this way, 5-7 times slower than the lm3s6965evb's
 *        16-byte PL011 FIFO).
 */
#include "mps2_an385.h"
#include "port.h"

void UART0_RX_Handler(void);

#ifndef PORT_RX_RING_BYTES
/** @brief Receive ring size, a power of two. A frame need not fit: the agent reads it byte by byte. */
#define PORT_RX_RING_BYTES 1024u
#endif
typedef char port_rx_ring_pow2_check[(PORT_RX_RING_BYTES & (PORT_RX_RING_BYTES - 1u)) == 0u ? 1 : -1];

#define CTRL_ON (UART_CTRL_TXEN | UART_CTRL_RXEN)

/* Single producer (the interrupt) and single consumer (the main loop): each index has one writer. */
static uint8_t rx_ring[PORT_RX_RING_BYTES];
static volatile uint32_t rx_head; /* written by rx_drain() */
static volatile uint32_t rx_tail; /* written by uart_read() */
/* Set when the ring filled and the receive interrupt was turned off; cleared by uart_read(). */
static volatile bool rx_throttled;

/*
 * Takes the waiting byte (if any) into the ring. The interrupt is cleared before DATA is read: a
 * byte arriving right after the read raises it again instead of being lost. When the ring is
 * full the byte stays in DATA, which holds the sender (QEMU's socket) back.
 * Called by the interrupt, and by the main loop with interrupts masked.
 */
static void rx_drain(void)
{
	uint32_t head = rx_head;

	UART0_INTCLEAR = UART_INT_RX | UART_INT_RXOVERRUN;
	while ((UART0_STATE & UART_STATE_RXFULL) != 0u) {
		if (head - rx_tail == PORT_RX_RING_BYTES) {
			UART0_CTRL = CTRL_ON;
			rx_throttled = true;
			break;
		}
		rx_ring[head % PORT_RX_RING_BYTES] = (uint8_t)UART0_DATA;
		head++;
	}
	rx_head = head;
}

void UART0_RX_Handler(void)
{
	rx_drain();
}

void uart_init(void)
{
	UART0_CTRL = 0u;
	UART0_BAUDDIV = PORT_CPU_HZ / PORT_UART_BAUD; /* 217 at 115200 */
	rx_head = 0u;
	rx_tail = 0u;
	rx_throttled = false;
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
	NVIC_ICPR0 = 1u << IRQ_UART0_RX;
	NVIC_ISER0 = 1u << IRQ_UART0_RX;
}

void uart_write(const uint8_t *data, size_t len)
{
	size_t i;

	for (i = 0u; i < len; i++) {
		while ((UART0_STATE & UART_STATE_TXFULL) != 0u) {
		}
		UART0_DATA = data[i];
	}
}

bool uart_rx_pending(void)
{
	return rx_head != rx_tail || (UART0_STATE & UART_STATE_RXFULL) != 0u;
}

bool uart_read(uint8_t *byte)
{
	uint32_t tail = rx_tail;

	if (rx_head == tail) {
		/* A byte no interrupt announced yet is taken here. */
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
		UART0_CTRL = CTRL_ON | UART_CTRL_RXINTEN;
		rx_drain(); /* a byte waiting in DATA raised no interrupt while it was off */
		irq_restore(primask);
	}
	return true;
}

void uart_flush(void)
{
	while ((UART0_STATE & UART_STATE_TXFULL) != 0u) {
	}
}
