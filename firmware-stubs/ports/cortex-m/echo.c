/**
 * @file
 * @brief rtio-echo-<machine>: bench/link's baseline for this port: the same startup, clock, UART
 *        driver (receive interrupt, ring, WFI when idle) and QEMU wiring as the agent, without
 *        the agent. Every byte received goes straight back, except a shaped request, answered
 *        with a frame of the length it asks for (core/echo.h): data out of the guest, as in a
 *        bulk read.
 */
#include "cortex_m.h"
#include "echo.h"
#include "port.h"

int main(void)
{
	static uint8_t out[64];
	struct echo_state echo;

	echo_init(&echo);
	boot_record_start();
	clock_init();
	uart_init();
	irq_enable();

	for (;;) {
		uint8_t byte;

		while (uart_read(&byte)) {
			struct echo_answer a = echo_take(&echo, byte);
			uint32_t i;

			if (a.echo) {
				uart_write(&byte, 1u);
			}
			for (i = 0u; i < a.reply; i += sizeof(out)) {
				uint32_t n = a.reply - i < sizeof(out) ? a.reply - i : (uint32_t)sizeof(out);
				uint32_t k;

				for (k = 0u; k < n; k++) {
					out[k] = echo_reply_byte(i + k, a.reply);
				}
				uart_write(out, n);
			}
		}
		irq_disable();
		if (!uart_rx_pending()) {
			wait_for_interrupt();
		}
		irq_enable();
	}
}
