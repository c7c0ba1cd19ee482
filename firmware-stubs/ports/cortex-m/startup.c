/**
 * @file
 * @brief Reset and fault handlers of the Cortex-M ports (any ARMv7-M core with the usual link.ld
 *        symbols): copies .data from flash, zeroes .bss (not .noinit), and calls main(). Faults
 *        and unexpected interrupts record where they happened in the boot record and reset the
 *        chip (boot.c), so the host sees a reset (a new boot nonce) instead of a silent board, and
 *        the next boot logs the fault. The vector table is the machine's (vectors.c).
 */
#include <stdint.h>

#include "cortex_m.h"

/* From link.ld. */
extern uint32_t __data_load[];
extern uint32_t __data_start[];
extern uint32_t __data_end[];
extern uint32_t __bss_start[];
extern uint32_t __bss_end[];

int main(void);
void boot_fault_handler(const uint32_t *frame);

void Reset_Handler(void)
{
	const uint32_t *src = __data_load;
	uint32_t *dst;

	/* Word loops (the Makefile builds this file so that they stay loops, not memcpy/memset calls). */
	for (dst = __data_start; dst < __data_end; dst++) {
		*dst = *src++;
	}
	for (dst = __bss_start; dst < __bss_end; dst++) {
		*dst = 0u;
	}
	(void)main();
	for (;;) {
		wait_for_interrupt();
	}
}

/* Naked: passes the stacked exception frame (MSP or PSP, as EXC_RETURN says) to boot_fault_handler(). */
__attribute__((naked)) void Fault_Handler(void)
{
	__asm__ __volatile__(
		"tst lr, #4\n\t"
		"ite eq\n\t"
		"mrseq r0, msp\n\t"
		"mrsne r0, psp\n\t"
		"b boot_fault_handler\n\t");
}
