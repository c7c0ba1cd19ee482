/**
 * @file
 * @brief The UART receive ring and its throttle, shared by every Cortex-M machine; see uart.h
 *        and port.h (uart_read(), uart_rx_pending()).
 */
#include "cortex_m.h"
#include "port.h"
#include "uart.h"

typedef char port_rx_ring_pow2_check[(PORT_RX_RING_BYTES & (PORT_RX_RING_BYTES - 1u)) == 0u ? 1 : -1];

static uint8_t rx_ring[PORT_RX_RING_BYTES];
static volatile uint32_t rx_head; /* written by uart_rx_drain() */
static volatile uint32_t rx_tail; /* written by uart_read() */
/* Set by uart_rx_drain() when the ring filled and it masked the interrupt; cleared by uart_read(). */
static volatile bool rx_throttled;

void uart_rx_reset(void)
{
	rx_head = 0u;
	rx_tail = 0u;
	rx_throttled = false;
}

void uart_rx_drain(void)
{
	uint32_t head = rx_head;

	uart_hw_rx_ack();
	while (uart_hw_rx_ready()) {
		if (head - rx_tail == PORT_RX_RING_BYTES) {
			uart_hw_rx_irq(false);
			rx_throttled = true;
			break;
		}
		rx_ring[head % PORT_RX_RING_BYTES] = uart_hw_rx_byte();
		head++;
	}
	rx_head = head;
}

bool uart_rx_pending(void)
{
	return rx_head != rx_tail || uart_hw_rx_ready();
}

bool uart_read(uint8_t *byte)
{
	uint32_t tail = rx_tail;

	if (rx_head == tail) {
		uint32_t primask = irq_save();

		uart_rx_drain();
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
		uart_hw_rx_irq(true);
		uart_rx_drain();
		irq_restore(primask);
	}
	return true;
}
