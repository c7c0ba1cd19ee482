/**
 * @file
 * @brief The ARMv7-M core as the Cortex-M ports use it (SysTick, NVIC, SCB, PRIMASK, WFI), from the
 *        ARMv7-M Architecture Reference Manual: the same on every Cortex-M3, M4 and M7 chip.
 */
#ifndef CORTEX_M_H
#define CORTEX_M_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* ---------------------------------------------------------------- ARMv7-M core */

#define SYST_CSR REG32(0xE000E010u)           /* SysTick control and status */
#define SYST_RVR REG32(0xE000E014u)           /* reload value */
#define SYST_CVR REG32(0xE000E018u)           /* current value */
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2)          /* 1: the processor clock */
#define SYST_MAX 0x00FFFFFFu                  /* 24-bit counter */

/* Set-enable, clear-enable and clear-pending for any IRQ number: one bit per IRQ, 32 IRQs a word. */
#define NVIC_ISER(irq) REG32(0xE000E100u + 4u * ((irq) / 32u))
#define NVIC_ICER(irq) REG32(0xE000E180u + 4u * ((irq) / 32u))
#define NVIC_ICPR(irq) REG32(0xE000E280u + 4u * ((irq) / 32u))
#define NVIC_BIT(irq) (1u << ((irq) % 32u))

#define SCB_ICSR REG32(0xE000ED04u)
#define SCB_ICSR_PENDSTSET (1u << 26)         /* SysTick exception pending */
#define SCB_ICSR_PENDSTCLR (1u << 25)         /* write 1: clears a pending SysTick exception */
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

/** @brief A vector-table entry for @p fn. */
#define VECTOR(fn) { .handler = (fn) }
/** @brief Every fault and unused interrupt. */
#define VECTOR_FAULT VECTOR(Fault_Handler)
/**
 * @brief The 16 ARMv7-M exception entries of a vector table: the initial stack pointer, reset, and
 *        every fault to Fault_Handler; SysTick to SysTick_Handler. The machine's interrupts follow.
 */
#define VECTORS_ARMV7M_CORE                                                                            \
	{ .stack = __stack_top }, VECTOR(Reset_Handler), VECTOR_FAULT, VECTOR_FAULT, /* SP, reset, NMI, HardFault */ \
	VECTOR_FAULT, VECTOR_FAULT, VECTOR_FAULT, VECTOR_FAULT, /* MemManage, BusFault, UsageFault, reserved */ \
	VECTOR_FAULT, VECTOR_FAULT, VECTOR_FAULT, VECTOR_FAULT, /* reserved x3, SVCall */                  \
	VECTOR_FAULT, VECTOR_FAULT, VECTOR_FAULT, VECTOR(SysTick_Handler) /* DebugMon, reserved, PendSV, SysTick */

/** @brief Enables interrupt @p irq at the NVIC, clearing a stale pending state first. */
static inline void nvic_enable(uint32_t irq)
{
	NVIC_ICPR(irq) = NVIC_BIT(irq);
	NVIC_ISER(irq) = NVIC_BIT(irq);
}

/* startup.c */
void Reset_Handler(void);
/** @brief Every fault and unused interrupt: records where it happened (boot.c) and resets. */
void Fault_Handler(void);
/* systick.c or systick_tickless.c */
void SysTick_Handler(void);

#endif /* CORTEX_M_H */
