/**
 * @file
 * @brief The UART half every Cortex-M machine shares: the receive ring (uart_rx.c) and polled
 *        send (uart_tx.c), on hooks that each machine's uart.c gives them (port.h has the UART
 *        functions the programs call).
 *
 * The receive ring (on four hooks) has one producer, uart_rx_drain() (the receive interrupt, or the main loop
 * with interrupts masked), and one consumer, uart_read() (the main loop): each index has one
 * writer. When the ring is full, uart_rx_drain() masks the receive interrupt and leaves the bytes
 * in the UART; uart_read() unmasks it once it made room and drains again (a byte that arrived
 * while the interrupt was off raised none). uart_read() also drains when the ring is empty, so
 * bytes no interrupt announced (they arrived before uart_init(), or the UART raises its interrupt
 * only at a FIFO level) are taken all the same.
 *
 * Sending (on a description of the UART's registers, uart_tx_regs) writes as many bytes as the TX
 * FIFO has room for, waiting while it has none.
 */
#ifndef PORT_UART_H
#define PORT_UART_H

#include <stdbool.h>
#include <stdint.h>

#ifndef PORT_RX_RING_BYTES
/** @brief Receive ring size, a power of two. A frame need not fit: the agent reads it byte by byte. */
#define PORT_RX_RING_BYTES 1024u
#endif

/* The machine's receive hooks (its uart.c). */

/** @brief True when the UART holds a received byte. */
bool uart_hw_rx_ready(void);
/** @brief Takes the next received byte from the UART (uart_hw_rx_ready() said there is one). */
uint8_t uart_hw_rx_byte(void);
/** @brief Turns the receive interrupt on or off at the UART. */
void uart_hw_rx_irq(bool on);
/** @brief Called before each drain: clears what the UART needs cleared before its data is read (or nothing). */
void uart_hw_rx_ack(void);

/* How the machine's UART sends (its uart.c defines uart_tx_regs). */

/** @brief A bit of a status register, and whether it says yes when set or when clear. */
struct uart_flag {
	uint32_t mask;
	bool when_set;
};

/** @brief The registers uart_tx.c sends with. */
struct uart_tx_regs {
	volatile uint32_t *data;   /**< a byte written here is sent */
	volatile uint32_t *status; /**< holds the two flags below */
	struct uart_flag room;     /**< the UART takes `burst` bytes now */
	uint32_t burst;            /**< 1 behind a FIFO-full bit (PL011, CMSDK); a FIFO's worth behind an empty bit (16550) */
	struct uart_flag idle;     /**< every byte written has left the UART (or, where it cannot tell, its FIFO) */
};

/**
 * @brief uart_tx_regs for a UART that takes one byte at a time while a FIFO-full bit @p full of
 *        @p status is clear, and is idle while its bit(s) @p busy are clear (PL011, CMSDK).
 */
#define UART_TX_ONE_BYTE(data_reg, status_reg, full, busy)                                         \
	{                                                                                          \
		.data = (data_reg), .status = (status_reg), .room = { .mask = (full), .when_set = false }, \
		.burst = 1u, .idle = { .mask = (busy), .when_set = false },                        \
	}

/** @brief The machine's UART registers for sending. */
extern const struct uart_tx_regs uart_tx_regs;

/* uart_rx.c */

/** @brief Resets the ring (empty, not throttled). For uart_init(), before the interrupt is on. */
void uart_rx_reset(void);
/**
 * @brief Moves bytes from the UART into the ring until the UART is empty or the ring is full (then
 *        masks the receive interrupt). Call from the receive interrupt, or with interrupts masked.
 */
void uart_rx_drain(void);

#endif /* PORT_UART_H */
