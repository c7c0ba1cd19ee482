/**
 * @file
 * @brief rtio-agent-<machine>: the agent on a Cortex-M (TI Stellaris LM3S6965 and QEMU's
 *        `lm3s6965evb`; QEMU's `mps2-an385`; QEMU's `ast1030-evb`), serving the protocol on a UART
 *        with the iodevs of its board (board.h): the simulated reference board (board_sim.c), as
 *        the posix port does on a pty, or a machine's real drivers (ports/ast1030-evb/board.c).
 *
 * The main loop drains the UART receive ring into agent_rx_byte(), runs agent_poll() at the
 * current time, then sleeps (WFI with interrupts masked, so that no byte or timer can slip in
 * between the check and the sleep) until a byte arrives, the wake-up timer fires at
 * agent_next_due_us(), or SysTick wraps (at least every 2^24 cycles, to keep the 64-bit clock),
 * or a peripheral of the board interrupts (a GPIO edge). Idle, it costs QEMU next to no host CPU.
 *
 * Time 0 is clock_init() at boot. The agent itself starts at the first byte received: its boot
 * nonce mixes in that byte's arrival time (boot.c explains the nonce). The sensor seed comes
 * from the host mailbox (QEMU's generic loader; port.h), default 1 as on the TS board. A Reset
 * packet resets the chip (SYSRESETREQ), as a reset pin would: everything starts again, and
 * unread input is lost. A fault resets it too; the next boot reports the fault in a Log line
 * once a host opens a session.
 */
#include "agent.h"
#include "board.h"
#include "cortex_m.h"
#include "port.h"

#ifndef AGENT_PORT_VERSION
#define AGENT_PORT_VERSION "0.1.0"
#endif
#ifndef PORT_MACHINE
/** @brief The machine, as in the image's name (the Makefile sets it per machine). */
#define PORT_MACHINE "lm3s6965evb"
#endif

#define BUILD_ID_TAIL "; arm-none-eabi-gcc " __VERSION__ ")"

static struct agent agent;
static struct agent_iodev **iodevs;
static size_t iodev_count;
/* "rtio-agent-<machine> <version> (<board description>; arm-none-eabi-gcc <version>)" */
static char build_id[160];
static bool agent_started;
static bool reset_requested;

static void port_write(void *ctx, const uint8_t *data, size_t len)
{
	(void)ctx;
	uart_write(data, len);
}

static uint64_t port_now(void *ctx)
{
	(void)ctx;
	return clock_now_us();
}

static void port_reset(void *ctx)
{
	(void)ctx;
	reset_requested = true;
}

static void start_agent(void)
{
	struct agent_config cfg = { 0 };

	cfg.write = port_write;
	cfg.now_us = port_now;
	cfg.reset = port_reset;
	cfg.ctx = NULL;
	cfg.boot_nonce = boot_new_nonce(clock_cycles());
	cfg.iodevs = iodevs;
	cfg.iodev_count = iodev_count;
	cfg.build_id = build_id;
	cfg.ack_delay_us = AGENT_ACK_DELAY_US;
	if (agent_init(&agent, &cfg) != 0) {
		/* The iodev table is built in: this is a bug. Reset and let the host see it. */
		boot_system_reset();
	}
	agent_started = true;
}

static char *put_text(char *p, const char *s)
{
	while (*s != '\0') {
		*p++ = *s++;
	}
	return p;
}

static char *put_hex(char *p, uint32_t v)
{
	static const char digits[] = "0123456789abcdef";
	int shift;

	p = put_text(p, "0x");
	for (shift = 28; shift >= 0; shift -= 4) {
		*p++ = digits[(v >> (unsigned)shift) & 0xFu];
	}
	return p;
}

/* Once a session is open, tells the host about a fault that ended the previous boot. */
static void report_previous_fault(void)
{
	static bool pending = true;
	uint32_t pc;
	uint32_t cfsr;
	uint32_t hfsr;
	char text[96];
	char *p = text;

	if (!pending || !agent_in_session(&agent)) {
		return;
	}
	pending = false;
	if (!boot_previous_fault(&pc, &cfsr, &hfsr)) {
		return;
	}
	p = put_text(p, "the previous boot ended in a fault: pc ");
	p = put_hex(p, pc);
	p = put_text(p, ", CFSR ");
	p = put_hex(p, cfsr);
	p = put_text(p, ", HFSR ");
	p = put_hex(p, hfsr);
	*p = '\0';
	(void)agent_log(&agent, AGENT_LOG_ERR, text);
}

/* Sleeps until an interrupt, unless input is waiting or @p due_us has come. */
static void idle(uint64_t due_us)
{
	irq_disable();
	if (!uart_rx_pending() && due_us > clock_now_us()) {
		if (due_us != AGENT_NEVER) {
			clock_wake_at_us(due_us);
		}
		wait_for_interrupt();
	}
	irq_enable(); /* the interrupt that woke us is handled here */
}

/* build_id: the machine, the version, what the board is and the compiler; cut to fit. */
static void make_build_id(void)
{
	const char *const parts[] = { "rtio-agent-" PORT_MACHINE " " AGENT_PORT_VERSION " (", board_description, BUILD_ID_TAIL };
	size_t n = 0u;
	size_t i;

	for (i = 0u; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const char *s = parts[i];

		while (*s != '\0' && n + 1u < sizeof(build_id)) {
			build_id[n++] = *s++;
		}
	}
	build_id[n] = '\0';
}

int main(void)
{
	boot_record_start();
	clock_init();
	iodevs = board_init(boot_seed(1u), &iodev_count);
	make_build_id();
	uart_init();
	irq_enable();

	for (;;) {
		uint64_t due = AGENT_NEVER;
		uint8_t byte;

		while (!reset_requested && uart_read(&byte)) {
			if (!agent_started) {
				start_agent();
			}
			agent_rx_byte(&agent, byte);
		}
		if (reset_requested) {
			uart_flush();
			boot_system_reset();
		}
		if (agent_started) {
			agent_poll(&agent, clock_now_us());
			report_previous_fault();
			due = agent_next_due_us(&agent);
		}
		idle(due);
	}
}
