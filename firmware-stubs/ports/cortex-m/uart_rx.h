/**
 * @file
 * @brief The UART receive ring every Cortex-M machine shares (uart_rx.c), and the four hooks its
 *        uart.c gives it. The ring has one producer, uart_rx_drain() (the receive interrupt, or
 *        the main loop with interrupts masked), and one consumer, uart_read() (the main loop): each
 *        index has one writer.
 *
 * When the ring is full, uart_rx_drain() masks the receive interrupt and leaves the bytes in the
 * UART; uart_read() unmasks it once it made room and drains again (a byte that arrived while the
 * interrupt was off raised none). uart_read() also drains when the ring is empty, so bytes no
 * interrupt announced (they arrived before uart_init(), or the UART raises its interrupt only at
 * a FIFO level) are taken all the same.
 */
#ifndef PORT_UART_RX_H
#define PORT_UART_RX_H

#include <stdbool.h>
#include <stdint.h>

#ifndef PORT_RX_RING_BYTES
/** @brief Receive ring size, a power of two. A frame need not fit: the agent reads it byte by byte. */
#define PORT_RX_RING_BYTES 1024u
#endif

/* The machine's hooks (its uart.c). */

/** @brief True when the UART holds a received byte. */
bool uart_hw_rx_ready(void);
/** @brief Takes the next received byte from the UART (uart_hw_rx_ready() said there is one). */
uint8_t uart_hw_rx_byte(void);
/** @brief Turns the receive interrupt on or off at the UART. */
void uart_hw_rx_irq(bool on);
/** @brief Called before each drain: clears what the UART needs cleared before its data is read (or nothing). */
void uart_hw_rx_ack(void);

/* uart_rx.c */

/** @brief Resets the ring (empty, not throttled). For uart_init(), before the interrupt is on. */
void uart_rx_reset(void);
/**
 * @brief Moves bytes from the UART into the ring until the UART is empty or the ring is full (then
 *        masks the receive interrupt). Call from the receive interrupt, or with interrupts masked.
 */
void uart_rx_drain(void);

#endif /* PORT_UART_RX_H */
