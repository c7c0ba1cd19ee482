/* The GPIO port model; see gpio_lines.h. Follows harness/emulator/devices/gpio-lines.ts. */
#include "gpio_lines.h"

void sim_gpio_lines_init(struct sim_gpio_lines *g, bool jumpers)
{
	sim_zero(g, sizeof(*g));
	g->jumpers = jumpers;
}

void sim_gpio_lines_listen(struct sim_gpio_lines *g, sim_gpio_edge_fn fn, void *ctx)
{
	g->listener = fn;
	g->listener_ctx = ctx;
}

bool sim_gpio_is_output(uint32_t line)
{
	return line < SIM_GPIO_OUTPUT_COUNT;
}

bool sim_gpio_is_input(uint32_t line)
{
	return line >= SIM_GPIO_OUTPUT_COUNT && line < SIM_GPIO_LINE_COUNT;
}

uint8_t sim_gpio_get(const struct sim_gpio_lines *g, uint32_t line)
{
	return line < SIM_GPIO_LINE_COUNT ? g->level[line] : 0u;
}

uint8_t sim_gpio_levels(const struct sim_gpio_lines *g)
{
	unsigned mask = 0u;
	unsigned i;

	for (i = 0; i < SIM_GPIO_LINE_COUNT; i++) {
		mask |= (unsigned)g->level[i] << i;
	}
	return (uint8_t)mask;
}

static void change(struct sim_gpio_lines *g, uint32_t line, uint8_t level, uint64_t now_ns)
{
	if (g->level[line] == level) {
		return;
	}
	g->level[line] = level;
	g->edges++;
	if (g->listener != NULL) {
		g->listener(g->listener_ctx, (uint8_t)line, level, now_ns);
	}
}

int sim_gpio_set(struct sim_gpio_lines *g, uint32_t line, uint32_t level, uint64_t now_ns)
{
	if (!sim_gpio_is_output(line) || level > 1u) {
		return -AGENT_EINVAL;
	}
	g->level[line] = (uint8_t)level;
	if (g->jumpers) {
		change(g, line + SIM_GPIO_JUMPER_OFFSET, (uint8_t)level, now_ns);
	}
	return 0;
}

int sim_gpio_drive(struct sim_gpio_lines *g, uint32_t line, uint32_t level, uint64_t now_ns)
{
	if (!sim_gpio_is_input(line) || level > 1u) {
		return -AGENT_EINVAL;
	}
	change(g, line, (uint8_t)level, now_ns);
	return 0;
}

static bool port_is_output(const void *port, uint32_t line)
{
	(void)port;
	return sim_gpio_is_output(line);
}

static uint8_t port_get(const void *port, uint32_t line)
{
	return sim_gpio_get(port, line);
}

static int port_set(void *port, uint32_t line, uint32_t level, uint64_t now_ns)
{
	return sim_gpio_set(port, line, level, now_ns);
}

static void port_listen(void *port, sim_gpio_edge_fn fn, void *ctx)
{
	sim_gpio_lines_listen(port, fn, ctx);
}

static const struct sim_gpio_port_api lines_port_api = { SIM_GPIO_LINE_COUNT, port_is_output, port_get, port_set, port_listen, NULL };

struct sim_gpio_port sim_gpio_lines_port(struct sim_gpio_lines *g)
{
	struct sim_gpio_port p;

	p.api = &lines_port_api;
	p.ctx = g;
	return p;
}
