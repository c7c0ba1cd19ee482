/**
 * @file
 * @brief rtio-echo-<machine>: every byte received on the UART goes straight back, no protocol.
 *        bench/link's baseline for this port: the same startup, clock, UART driver (receive
 *        interrupt, ring, WFI when idle) and QEMU wiring as the agent, without the agent.
 */
#include "cortex_m.h"
#include "port.h"

int main(void)
{
	boot_record_start();
	clock_init();
	uart_init();
	irq_enable();

	for (;;) {
		uint8_t byte;

		while (uart_read(&byte)) {
			uart_write(&byte, 1u);
		}
		irq_disable();
		if (!uart_rx_pending()) {
			wait_for_interrupt();
		}
		irq_enable();
	}
}
