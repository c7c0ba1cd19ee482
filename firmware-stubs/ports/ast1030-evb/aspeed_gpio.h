/**
 * @file
 * @brief Eight lines of the AST1030's GPIO port A as the GPIO port the GPIO iodev drives
 *        (sim/bus_api.h): line k is pin GPIOAk; lines 0-3 are outputs, lines 4-7 inputs that
 *        interrupt on both edges. Nothing on the board wires them together: the inputs are driven
 *        from outside (under QEMU, by the host through QMP: harness/target/backplane).
 *
 * The GPIO interrupt (IRQ 11) records each input edge (line, level after it, time) in a ring of
 * ASPEED_GPIO_EDGE_RING edges and clears it; the iodev's poll takes them from there
 * (sim_gpio_port_api.poll) and hands them to its listener. Two edges of one line before the
 * interrupt runs are one edge (the level it reads is the one after both); a full ring drops edges
 * and counts them.
 */
#ifndef ASPEED_GPIO_H
#define ASPEED_GPIO_H

#include "../../sim/bus_api.h"

/** @brief Lines of the port. */
#define ASPEED_GPIO_LINES 8u
/** @brief Lines 0..ASPEED_GPIO_OUTPUTS-1 are outputs, the rest inputs. */
#define ASPEED_GPIO_OUTPUTS 4u
/** @brief Edges the interrupt keeps until poll takes them; a power of two. */
#define ASPEED_GPIO_EDGE_RING 16u

/** @brief One input edge as the interrupt saw it. */
struct aspeed_gpio_edge {
	uint64_t time_us;
	uint8_t line;
	uint8_t level;
};

/** @brief The port's state. */
struct aspeed_gpio {
	struct aspeed_gpio_edge ring[ASPEED_GPIO_EDGE_RING];
	volatile uint32_t head;    /**< written by the interrupt */
	volatile uint32_t tail;    /**< written by poll */
	volatile uint32_t dropped; /**< edges lost to a full ring */
	sim_gpio_edge_fn listener;
	void *listener_ctx;
};

/**
 * @brief Sets port A up (outputs low, inputs with both-edge interrupts, the GPIO interrupt on) and
 *        makes @p g the one the interrupt reports to. Call with interrupts masked.
 */
void aspeed_gpio_init(struct aspeed_gpio *g);

/** @brief @p g as the port a GPIO iodev drives (sim_gpio_iodev_init_port()). */
struct sim_gpio_port aspeed_gpio_port(struct aspeed_gpio *g);

#endif /* ASPEED_GPIO_H */
