/**
 * @file
 * @brief Polled UART send, shared by every Cortex-M machine on its uart.c's send hooks; see
 *        uart.h and port.h (uart_write(), uart_flush()).
 */
#include "port.h"
#include "uart.h"

void uart_write(const uint8_t *data, size_t len)
{
	size_t i = 0u;

	while (i < len) {
		uint32_t room = uart_hw_tx_room();

		for (; room > 0u && i < len; room--) {
			uart_hw_tx_byte(data[i++]);
		}
	}
}

void uart_flush(void)
{
	while (!uart_hw_tx_done()) {
	}
}
