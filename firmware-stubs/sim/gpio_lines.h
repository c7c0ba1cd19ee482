/**
 * @file
 * @brief An 8-line GPIO port, the C twin of harness/emulator/devices/gpio-lines.ts: lines 0-3
 *        are outputs, 4-7 inputs, all low at reset. With the reference rig's jumpers, input
 *        k+4 follows output k, so setting an output makes an edge on its input. Inputs can also
 *        be driven from outside (last writer wins). One listener hears every input edge.
 */
#ifndef SIM_GPIO_LINES_H
#define SIM_GPIO_LINES_H

#include "bus_api.h"

#define SIM_GPIO_LINE_COUNT 8u
#define SIM_GPIO_OUTPUT_COUNT 4u
#define SIM_GPIO_JUMPER_OFFSET 4u

/** @brief The port's state. */
struct sim_gpio_lines {
	uint8_t level[SIM_GPIO_LINE_COUNT];
	bool jumpers;
	uint32_t edges;           /**< input edges so far */
	sim_gpio_edge_fn listener;
	void *listener_ctx;
};

/** @brief Initialises @p g all low, with or without the jumpers, no listener. */
void sim_gpio_lines_init(struct sim_gpio_lines *g, bool jumpers);

/** @brief Sets the one listener (NULL removes it). */
void sim_gpio_lines_listen(struct sim_gpio_lines *g, sim_gpio_edge_fn fn, void *ctx);

/** @brief True for an output line (0..3). */
bool sim_gpio_is_output(uint32_t line);

/** @brief True for an input line (4..7). */
bool sim_gpio_is_input(uint32_t line);

/** @brief Level (0/1) of @p line; 0 for a line outside 0..7. */
uint8_t sim_gpio_get(const struct sim_gpio_lines *g, uint32_t line);

/** @brief Every line's level as a mask (bit k = line k). */
uint8_t sim_gpio_levels(const struct sim_gpio_lines *g);

/**
 * @brief Sets output @p line to @p level at @p now_ns (with the jumpers, its input follows).
 * @retval 0 done.
 * @retval -AGENT_EINVAL not an output line, or @p level is not 0/1; nothing changes.
 */
int sim_gpio_set(struct sim_gpio_lines *g, uint32_t line, uint32_t level, uint64_t now_ns);

/**
 * @brief Drives input @p line from outside the board at @p now_ns.
 * @retval 0 done.
 * @retval -AGENT_EINVAL not an input line, or @p level is not 0/1; nothing changes.
 */
int sim_gpio_drive(struct sim_gpio_lines *g, uint32_t line, uint32_t level, uint64_t now_ns);

/** @brief @p g as the port the GPIO iodev drives (bus_api.h); edges reach its listener as they happen. */
struct sim_gpio_port sim_gpio_lines_port(struct sim_gpio_lines *g);

#endif /* SIM_GPIO_LINES_H */
