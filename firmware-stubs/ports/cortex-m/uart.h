/**
 * @file
 * @brief The UART half every Cortex-M machine shares: the receive ring (uart_rx.c) and polled
 *        send (uart_tx.c), on hooks that each machine's uart.c gives them (port.h has the UART
 *        functions the programs call).
 *
 * The receive ring has one producer, uart_rx_drain() (the receive interrupt, or the main loop
 * with interrupts masked), and one consumer, uart_read() (the main loop): each index has one
 * writer. When the ring is full, uart_rx_drain() masks the receive interrupt and leaves the bytes
 * in the UART; uart_read() unmasks it once it made room and drains again (a byte that arrived
 * while the interrupt was off raised none). uart_read() also drains when the ring is empty, so
 * bytes no interrupt announced (they arrived before uart_init(), or the UART raises its interrupt
 * only at a FIFO level) are taken all the same.
 *
 * Sending writes as many bytes as the TX FIFO has room for (uart_hw_tx_room()), waiting while it
 * has none.
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

/* The machine's send hooks (its uart.c). */

/** @brief Bytes the UART takes now without waiting: 0 while its TX FIFO is full. */
uint32_t uart_hw_tx_room(void);
/** @brief Writes one byte to the UART (uart_hw_tx_room() said there is room). */
void uart_hw_tx_byte(uint8_t byte);
/** @brief True once every byte written has left the UART (or, where it cannot tell, its FIFO). */
bool uart_hw_tx_done(void);

/* uart_rx.c */

/** @brief Resets the ring (empty, not throttled). For uart_init(), before the interrupt is on. */
void uart_rx_reset(void);
/**
 * @brief Moves bytes from the UART into the ring until the UART is empty or the ring is full (then
 *        masks the receive interrupt). Call from the receive interrupt, or with interrupts masked.
 */
void uart_rx_drain(void);

#endif /* PORT_UART_H */
