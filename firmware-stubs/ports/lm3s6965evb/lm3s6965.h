/**
 * @file
 * @brief The LM3S6965 registers this port uses: system control, GPIO port A, UART0 (an ARM
 *        PL011) and general-purpose timer 0. Addresses and bits from the Stellaris LM3S6965
 *        datasheet (DS-LM3S6965); QEMU's `lm3s6965evb` machine models all of them.
 */
#ifndef LM3S6965_H
#define LM3S6965_H

#include "cortex_m.h"

/* ---------------------------------------------------------------- LM3S6965 */

/* IRQ numbers (vector = 16 + IRQ). */
#define IRQ_UART0 5u
#define IRQ_TIMER0A 19u

/* System control. */
#define SYSCTL_RIS REG32(0x400FE050u)
#define SYSCTL_RIS_PLLLRIS (1u << 6)          /* PLL lock */
#define SYSCTL_RCC REG32(0x400FE060u)
#define SYSCTL_RCC_SYSDIV(n) ((uint32_t)(n) << 23)
#define SYSCTL_RCC_SYSDIV_MASK (0xFu << 23)
#define SYSCTL_RCC_USESYSDIV (1u << 22)
#define SYSCTL_RCC_PWRDN (1u << 13)           /* PLL powered down */
#define SYSCTL_RCC_BYPASS (1u << 11)          /* system clock from the oscillator, not the PLL */
#define SYSCTL_RCC_XTAL_MASK (0xFu << 6)
#define SYSCTL_RCC_XTAL_8MHZ (0xEu << 6)      /* the EK-LM3S6965's crystal */
#define SYSCTL_RCC_OSCSRC_MASK (0x3u << 4)    /* 0: main oscillator */
#define SYSCTL_RCC_IOSCDIS (1u << 1)
#define SYSCTL_RCC_MOSCDIS (1u << 0)
#define SYSCTL_RCGC1 REG32(0x400FE104u)       /* run-mode clock gating 1 */
#define SYSCTL_RCGC1_UART0 (1u << 0)
#define SYSCTL_RCGC1_TIMER0 (1u << 16)
#define SYSCTL_RCGC2 REG32(0x400FE108u)
#define SYSCTL_RCGC2_GPIOA (1u << 0)

/* GPIO port A: PA0 = U0Rx, PA1 = U0Tx. */
#define GPIOA_AFSEL REG32(0x40004420u)
#define GPIOA_DEN REG32(0x4000451Cu)

/* UART0: an ARM PrimeCell PL011. */
#define UART0_BASE 0x4000C000u
#define UART0_DR REG32(UART0_BASE + 0x000u)
#define UART0_FR REG32(UART0_BASE + 0x018u)
#define UART_FR_BUSY (1u << 3)
#define UART_FR_RXFE (1u << 4)
#define UART_FR_TXFF (1u << 5)
#define UART0_IBRD REG32(UART0_BASE + 0x024u)
#define UART0_FBRD REG32(UART0_BASE + 0x028u)
#define UART0_LCRH REG32(UART0_BASE + 0x02Cu)
#define UART_LCRH_FEN (1u << 4)               /* FIFOs on */
#define UART_LCRH_WLEN_8 (3u << 5)
#define UART0_CTL REG32(UART0_BASE + 0x030u)
#define UART_CTL_UARTEN (1u << 0)
#define UART_CTL_TXE (1u << 8)
#define UART_CTL_RXE (1u << 9)
#define UART0_IFLS REG32(UART0_BASE + 0x034u)
#define UART0_IM REG32(UART0_BASE + 0x038u)
#define UART_INT_RX (1u << 4)
#define UART_INT_RT (1u << 6)                 /* receive timeout */
#define UART_INT_OE (1u << 10)                /* overrun */
#define UART0_ICR REG32(UART0_BASE + 0x044u)

/* General-purpose timer 0, used as one 32-bit one-shot down-counter (timer A). */
#define TIMER0_BASE 0x40030000u
#define TIMER0_CFG REG32(TIMER0_BASE + 0x000u)
#define TIMER0_TAMR REG32(TIMER0_BASE + 0x004u)
#define TIMER_TAMR_ONE_SHOT 1u
#define TIMER0_CTL REG32(TIMER0_BASE + 0x00Cu)
#define TIMER_CTL_TAEN (1u << 0)
#define TIMER0_IMR REG32(TIMER0_BASE + 0x018u)
#define TIMER_INT_TATO (1u << 0)              /* timer A time-out */
#define TIMER0_ICR REG32(TIMER0_BASE + 0x024u)
#define TIMER0_TAILR REG32(TIMER0_BASE + 0x028u)

#endif /* LM3S6965_H */
