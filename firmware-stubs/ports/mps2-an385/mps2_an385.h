/**
 * @file
 * @brief The registers of Arm's MPS2 board with the AN385 FPGA image (a Cortex-M3) that this port
 *        uses: CMSDK APB UART0 and CMSDK APB timer 0. From Arm Application Note AN385 and the
 *        Cortex-M System Design Kit TRM (DDI 0479); QEMU's `mps2-an385` machine models both, with
 *        the core and peripherals at 25 MHz.
 */
#ifndef MPS2_AN385_H
#define MPS2_AN385_H

#include "cortex_m.h"

/* IRQ numbers (vector = 16 + IRQ). */
#define IRQ_UART0_RX 0u
#define IRQ_TIMER0 8u

/* UART0: CMSDK APB UART, a one-byte receive buffer. */
#define UART0_BASE 0x40004000u
#define UART0_DATA REG32(UART0_BASE + 0x000u)
#define UART0_STATE REG32(UART0_BASE + 0x004u)
#define UART_STATE_TXFULL (1u << 0)
#define UART_STATE_RXFULL (1u << 1)
#define UART0_CTRL REG32(UART0_BASE + 0x008u)
#define UART_CTRL_TXEN (1u << 0)
#define UART_CTRL_RXEN (1u << 1)
#define UART_CTRL_RXINTEN (1u << 3)
#define UART0_INTCLEAR REG32(UART0_BASE + 0x00Cu) /* INTSTATUS on read; write 1 to clear */
#define UART_INT_RX (1u << 1)
#define UART_INT_RXOVERRUN (1u << 3)
#define UART0_BAUDDIV REG32(UART0_BASE + 0x010u)

/* Timer 0: CMSDK APB timer, a 32-bit down-counter that reloads and interrupts at 0. */
#define TIMER0_BASE 0x40000000u
#define TIMER0_CTRL REG32(TIMER0_BASE + 0x000u)
#define TIMER_CTRL_EN (1u << 0)
#define TIMER_CTRL_IRQEN (1u << 3)
#define TIMER0_VALUE REG32(TIMER0_BASE + 0x004u)
#define TIMER0_RELOAD REG32(TIMER0_BASE + 0x008u)
#define TIMER0_INTCLEAR REG32(TIMER0_BASE + 0x00Cu)

#endif /* MPS2_AN385_H */
