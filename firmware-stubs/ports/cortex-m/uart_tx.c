/**
 * @file
 * @brief Polled UART send, shared by every Cortex-M machine on its uart.c's uart_tx_regs; see
 *        uart.h and port.h (uart_write(), uart_flush()).
 */
#include "port.h"
#include "uart.h"

static bool flag(const struct uart_flag *f)
{
	return ((*uart_tx_regs.status & f->mask) != 0u) == f->when_set;
}

void uart_write(const uint8_t *data, size_t len)
{
	size_t i = 0u;

	while (i < len) {
		uint32_t room = flag(&uart_tx_regs.room) ? uart_tx_regs.burst : 0u;

		for (; room > 0u && i < len; room--) {
			*uart_tx_regs.data = data[i++];
		}
	}
}

void uart_flush(void)
{
	while (!flag(&uart_tx_regs.idle)) {
	}
}
