/**
 * @file
 * @brief What survives a reset on the Cortex-M ports: the boot record in .noinit RAM (boot
 *        count, last boot nonce, last fault), the host mailbox (sensor seed) and the system
 *        reset itself. See port.h.
 *
 * Boot nonce, honestly: neither the LM3S6965 nor the MPS2 AN385 has a hardware random source
 * (nor do QEMU's models of them).
 * The nonce hashes together the previous nonce and the boot count, both kept in RAM that startup
 * does not clear, and the core-cycle count (20 ns resolution) at the moment the first byte
 * arrives from the host. It is therefore guaranteed to differ from the previous boot's across a
 * warm reset (a Reset packet, the reset pin, a fault), which is all the protocol needs. After a
 * power-up the RAM record is garbage (or, under QEMU, zero) and the nonce rests on the arrival
 * time of the host's first byte alone: it varies from run to run with host scheduling, but two
 * cold boots can in principle give the same nonce (they are separate sessions anyway).
 */
#include "cortex_m.h"
#include "port.h"

#define BOOT_MAGIC 0xB0075EC7u

struct boot_record {
	uint32_t magic;
	uint32_t boots;
	uint32_t last_nonce;
	uint32_t fault_pc;
	uint32_t fault_cfsr;
	uint32_t fault_hfsr;
	uint32_t faulted;
	uint32_t check;
};

/* Not cleared by startup (link.ld puts .noinit after .bss). */
static struct boot_record record __attribute__((section(".noinit")));

/* The previous boot's fault, taken from the record at boot_record_start(). */
static struct {
	bool valid;
	uint32_t pc;
	uint32_t cfsr;
	uint32_t hfsr;
} previous_fault;

void boot_fault_handler(const uint32_t *frame);

static uint32_t record_check(const struct boot_record *r)
{
	return r->magic ^ (r->boots * 0x9E3779B9u) ^ r->last_nonce ^ r->fault_pc ^ r->fault_cfsr ^ r->fault_hfsr ^
	       (r->faulted * 0x85EBCA6Bu) ^ 0xA5A5A5A5u;
}

/* murmur3's 32-bit finaliser: every input bit affects every output bit. */
static uint32_t mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85EBCA6Bu;
	h ^= h >> 13;
	h *= 0xC2B2AE35u;
	h ^= h >> 16;
	return h;
}

void boot_record_start(void)
{
	if (record.magic == BOOT_MAGIC && record.check == record_check(&record)) {
		record.boots++;
	} else {
		record.magic = BOOT_MAGIC;
		record.boots = 0u;
		record.last_nonce = 0u;
		record.faulted = 0u;
	}
	previous_fault.valid = record.faulted != 0u;
	previous_fault.pc = record.fault_pc;
	previous_fault.cfsr = record.fault_cfsr;
	previous_fault.hfsr = record.fault_hfsr;
	record.faulted = 0u;
	record.fault_pc = 0u;
	record.fault_cfsr = 0u;
	record.fault_hfsr = 0u;
	record.check = record_check(&record);
}

uint32_t boot_count(void)
{
	return record.boots;
}

uint32_t boot_new_nonce(uint64_t entropy)
{
	uint32_t h = mix32(record.last_nonce ^ 0x6A09E667u);

	h = mix32(h ^ record.boots);
	h = mix32(h ^ (uint32_t)entropy);
	h = mix32(h ^ (uint32_t)(entropy >> 32));
	while (h == 0u || h == record.last_nonce) {
		h = mix32(h + 1u);
	}
	record.last_nonce = h;
	record.check = record_check(&record);
	return h;
}

bool boot_previous_fault(uint32_t *pc, uint32_t *cfsr, uint32_t *hfsr)
{
	if (!previous_fault.valid) {
		return false;
	}
	previous_fault.valid = false;
	*pc = previous_fault.pc;
	*cfsr = previous_fault.cfsr;
	*hfsr = previous_fault.hfsr;
	return true;
}

uint32_t boot_seed(uint32_t fallback)
{
	const volatile uint32_t *mailbox = (const volatile uint32_t *)(uintptr_t)PORT_MAILBOX_ADDR;

	return mailbox[1] == PORT_MAILBOX_MAGIC ? mailbox[0] : fallback;
}

void boot_system_reset(void)
{
	__asm__ __volatile__("dsb" ::: "memory");
	SCB_AIRCR = SCB_AIRCR_SYSRESETREQ;
	__asm__ __volatile__("dsb" ::: "memory");
	for (;;) {
		wait_for_interrupt();
	}
}

/* Called by startup.c's fault handlers with the exception's stacked frame (r0-r3, r12, lr, pc, xpsr). */
void boot_fault_handler(const uint32_t *frame)
{
	record.faulted = 1u;
	record.fault_pc = frame[6];
	record.fault_cfsr = SCB_CFSR;
	record.fault_hfsr = SCB_HFSR;
	record.check = record_check(&record);
	boot_system_reset();
}
