/**
 * @file
 * @brief What a Cortex-M machine's hardware layer gives the port's two programs (main.c: the
 *        agent; echo.c: the raw echo bench/link measures against): a clock, the UART, and what
 *        survives a reset. Everything runs on one core, with interrupts only for UART receive,
 *        the SysTick, the wake-up timer and (where a board has real buses) its peripherals.
 *
 * Generic half (this folder, shared by every Cortex-M machine): startup.c, boot.c, uart_rx.c and
 * uart_tx.c (on the machine's UART hooks, uart.h), clock_us.c, systick.c with wake_timer.c or
 * systick_tickless.c, main.c, echo.c, and board_sim.c (the simulated reference board). Machine
 * half (ports/<machine>/): vectors.c, clock.c, uart.c, link.ld, a register header, and the board
 * of real drivers where it has one.
 *
 * Clock (clock.c, systick*.c): the core runs at PORT_CPU_HZ (set by the Makefile per machine; a
 * whole number of MHz). Time is core cycles counted by SysTick, extended to 64 bits: now_us is µs
 * since clock_init(). Two ways to wake the core at the agent's next due time:
 * - systick.c: SysTick free-running (its wrap every 2^24 cycles extends the count) and a machine
 *   timer as a one-shot (wake_timer.c on clock.c's hooks). lm3s6965evb, mps2-an385.
 * - systick_tickless.c: SysTick itself is the one-shot; each re-arm folds the cycles counted so far
 *   into the 64-bit count. For a machine without a usable one-shot timer (ast1030-evb: QEMU's
 *   Aspeed timer toggles its interrupt line, which the NVIC takes as every other expiry).
 *
 * UART (uart.c, uart_rx.c, uart_tx.c): PORT_UART_BAUD (default 115200) 8N1 on a real board (QEMU
 * ignores the rate). The receive interrupt empties the hardware FIFO into a ring that the main loop
 * drains (uart_rx.c: the same ring and throttle on every machine). When the ring is full the interrupt
 * masks itself and bytes wait in the UART (under QEMU they then wait in the host's socket: nothing
 * is lost); a real line would overrun, and the link layer recovers by retransmission. Sending
 * waits for room in the TX FIFO.
 *
 * Boot record (boot.c): a few words in RAM that startup does not clear (.noinit), checked with a
 * magic value and a checksum: a count of warm resets, the last boot nonce and the last fault.
 */
#ifndef PORT_CORTEX_M_H
#define PORT_CORTEX_M_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef PORT_CPU_HZ
#error "PORT_CPU_HZ (the core clock after clock_init(), in Hz) must be defined by the build"
#endif
#ifndef PORT_UART_BAUD
/** @brief UART bit rate (a real board's; QEMU ignores it). A USB-serial bridge can go higher. */
#define PORT_UART_BAUD 115200u
#endif
/** @brief Core cycles per µs. */
#define PORT_CYCLES_PER_US (PORT_CPU_HZ / 1000000u)
typedef char port_cpu_hz_whole_mhz_check[PORT_CPU_HZ % 1000000u == 0u ? 1 : -1];

#ifndef PORT_MAILBOX_ADDR
/**
 * @brief The host mailbox: 8 bytes at the top of RAM that nothing in the image uses (link.ld
 *        leaves them out of RAM). QEMU's generic loader puts the sensor seed there before the core
 *        starts (`-device loader,addr=0x2000fff8,data=<0x5eed5eed00000000 | seed>,data-len=8`);
 *        the seed counts only when the magic word is there. A machine whose RAM ends elsewhere
 *        sets it in the Makefile (harness/target/qemu.ts knows each machine's).
 */
#define PORT_MAILBOX_ADDR 0x2000FFF8u
#endif
#define PORT_MAILBOX_MAGIC 0x5EED5EEDu

/* clock.c (the machine's) */

/** @brief Starts the core clock, SysTick (time 0) and the wake-up timer. Interrupts must be enabled after. */
void clock_init(void);

/* The one-shot wake-up timer's hooks (clock.c, on machines that use wake_timer.c) */

/** @brief Stops the wake-up timer and clears its interrupt at the timer. */
void wake_timer_hw_stop(void);
/** @brief Starts the stopped wake-up timer: it interrupts once, after @p cycles core cycles (>= 1). */
void wake_timer_hw_start(uint32_t cycles);

/* wake_timer.c or systick_tickless.c */

/** @brief For clock_init(), once the timer is set up: stops it and enables its interrupt @p irq. wake_timer.c only. */
void wake_timer_enable(uint32_t irq);
/**
 * @brief Makes a timer interrupt wake the core at @p due_us (clock_now_us() time; at once if that
 *        has passed). A time further ahead than the timer reaches (85 s for a 32-bit timer at
 *        50 MHz, 84 ms for a tickless SysTick at 200 MHz) just wakes early. Re-arming replaces the
 *        last.
 */
void clock_wake_at_us(uint64_t due_us);

/* systick.c or systick_tickless.c */

/** @brief Starts SysTick on the core clock: time 0. For clock_init(). */
void systick_start(void);
/** @brief Core cycles since systick_start(). Safe with interrupts masked. */
uint64_t clock_cycles(void);
/** @brief µs since systick_start(). */
uint64_t clock_now_us(void);
/** @brief Core cycles from now until @p due_us (clock_now_us() time); 0 if it has passed. */
uint64_t clock_cycles_until_us(uint64_t due_us);

/* uart.c (the machine's) */

/** @brief Sets up the UART and its receive interrupt. */
void uart_init(void);

/* uart_tx.c: polled send, on the machine's hooks (uart.h) */

/** @brief Sends @p len bytes, waiting for room in the TX FIFO. */
void uart_write(const uint8_t *data, size_t len);
/** @brief Waits until every byte written has left the UART. */
void uart_flush(void);

/* uart_rx.c: the receive ring, on the machine's hooks (uart.h) */

/** @brief Takes one received byte; false when none is waiting. Main loop only. */
bool uart_read(uint8_t *byte);
/** @brief True when received bytes are waiting (in the ring or still in the FIFO). Safe with interrupts masked. */
bool uart_rx_pending(void);

/* boot.c */

/** @brief Checks the boot record: counts a warm reset, or starts a fresh record after power-up. */
void boot_record_start(void);
/** @brief Boots seen since the record was last started fresh (0 on the first). */
uint32_t boot_count(void);
/**
 * @brief A new boot nonce, mixing the previous one, the boot count and @p entropy (the port passes
 *        the cycle count at the first received byte); never 0 and never the previous nonce.
 */
uint32_t boot_new_nonce(uint64_t entropy);
/**
 * @brief The fault that ended the previous boot, once: its stacked PC and the CFSR/HFSR fault
 *        status registers. False if the previous boot did not end in a fault.
 */
bool boot_previous_fault(uint32_t *pc, uint32_t *cfsr, uint32_t *hfsr);
/** @brief The sensor seed from the host mailbox, or @p fallback when the host left none. */
uint32_t boot_seed(uint32_t fallback);
/** @brief Resets the whole chip (SYSRESETREQ), as a debugger or the reset pin would. */
void boot_system_reset(void) __attribute__((noreturn));

#endif /* PORT_CORTEX_M_H */
