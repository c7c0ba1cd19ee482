/**
 * @file
 * @brief The Cortex-M3 core as this port uses it (SysTick, NVIC, SCB, PRIMASK, WFI), from the
 *        ARMv7-M Architecture Reference Manual: the same on every Cortex-M3 (and M4, M7) chip.
 */
#ifndef CORTEX_M3_H
#define CORTEX_M3_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* ---------------------------------------------------------------- Cortex-M3 core */

#define SYST_CSR REG32(0xE000E010u)           /* SysTick control and status */
#define SYST_RVR REG32(0xE000E014u)           /* reload value */
#define SYST_CVR REG32(0xE000E018u)           /* current value */
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2)          /* 1: the processor clock */
#define SYST_MAX 0x00FFFFFFu                  /* 24-bit counter */

#define NVIC_ISER0 REG32(0xE000E100u)         /* set-enable, IRQs 0..31 */
#define NVIC_ICPR0 REG32(0xE000E280u)         /* clear-pending, IRQs 0..31 */

#define SCB_ICSR REG32(0xE000ED04u)
#define SCB_ICSR_PENDSTSET (1u << 26)         /* SysTick exception pending */
#define SCB_VTOR REG32(0xE000ED08u)
#define SCB_AIRCR REG32(0xE000ED0Cu)
#define SCB_AIRCR_SYSRESETREQ (0x05FA0000u | (1u << 2))
#define SCB_CFSR REG32(0xE000ED28u)           /* configurable fault status */
#define SCB_HFSR REG32(0xE000ED2Cu)

/* ---------------------------------------------------------------- intrinsics */

static inline void irq_disable(void)
{
	__asm__ __volatile__("cpsid i" ::: "memory");
}

static inline void irq_enable(void)
{
	__asm__ __volatile__("cpsie i" ::: "memory");
}

/** @brief PRIMASK, then masks interrupts; give the result to irq_restore(). */
static inline uint32_t irq_save(void)
{
	uint32_t primask;

	__asm__ __volatile__("mrs %0, primask\n\tcpsid i" : "=r"(primask) :: "memory");
	return primask;
}

static inline void irq_restore(uint32_t primask)
{
	__asm__ __volatile__("msr primask, %0" :: "r"(primask) : "memory");
}

/** @brief Sleeps until an interrupt is pending (it wakes the core even with PRIMASK set). */
static inline void wait_for_interrupt(void)
{
	__asm__ __volatile__("dsb\n\twfi" ::: "memory");
}

/* ---------------------------------------------------------------- vectors */

/** @brief One vector-table entry: the initial stack pointer (entry 0) or a handler. */
typedef union {
	uint32_t *stack;
	void (*handler)(void);
} vector_t;

/** @brief Top of the stack (link.ld). */
extern uint32_t __stack_top[];

/* startup.c */
void Reset_Handler(void);
/** @brief Every fault and unused interrupt: records where it happened (boot.c) and resets. */
void Fault_Handler(void);
/* systick.c */
void SysTick_Handler(void);

#endif /* CORTEX_M3_H */
