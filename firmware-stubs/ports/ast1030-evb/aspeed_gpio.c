/* GPIO port A; see aspeed_gpio.h. */
#include "aspeed_gpio.h"
#include "ast1030.h"
#include "port.h"

void GPIO_Handler(void);

#define LINES_MASK ((1u << ASPEED_GPIO_LINES) - 1u)
#define OUTPUTS_MASK ((1u << ASPEED_GPIO_OUTPUTS) - 1u)
#define INPUTS_MASK (LINES_MASK & ~OUTPUTS_MASK)

typedef char edge_ring_pow2_check[(ASPEED_GPIO_EDGE_RING & (ASPEED_GPIO_EDGE_RING - 1u)) == 0u ? 1 : -1];

/* The port the interrupt reports to (one GPIO controller, one port). */
static struct aspeed_gpio *active;

void GPIO_Handler(void)
{
	uint32_t status = GPIO_ABCD_INT_STATUS & INPUTS_MASK;
	uint32_t levels = GPIO_ABCD_DATA;
	uint64_t now = clock_now_us();
	uint32_t line;

	GPIO_ABCD_INT_STATUS = status;
	if (active == NULL) {
		return;
	}
	for (line = ASPEED_GPIO_OUTPUTS; line < ASPEED_GPIO_LINES; line++) {
		uint32_t head = active->head;
		struct aspeed_gpio_edge *e;

		if ((status & (1u << line)) == 0u) {
			continue;
		}
		if (head - active->tail == ASPEED_GPIO_EDGE_RING) {
			active->dropped++;
			continue;
		}
		e = &active->ring[head % ASPEED_GPIO_EDGE_RING];
		e->time_us = now;
		e->line = (uint8_t)line;
		e->level = (uint8_t)((levels >> line) & 1u);
		active->head = head + 1u;
	}
}

static bool gpio_is_output(const void *port, uint32_t line)
{
	(void)port;
	return line < ASPEED_GPIO_OUTPUTS;
}

static uint8_t gpio_get(const void *port, uint32_t line)
{
	(void)port;
	return line < ASPEED_GPIO_LINES ? (uint8_t)((GPIO_ABCD_DATA >> line) & 1u) : 0u;
}

static int gpio_set(void *port, uint32_t line, uint32_t level, uint64_t now_ns)
{
	uint32_t primask;
	uint32_t data;

	(void)port;
	(void)now_ns;
	if (line >= ASPEED_GPIO_OUTPUTS || level > 1u) {
		return -AGENT_EINVAL;
	}
	primask = irq_save();
	data = GPIO_ABCD_DATA; /* input bits written back are ignored: only outputs take the value */
	data = level != 0u ? data | (1u << line) : data & ~(1u << line);
	GPIO_ABCD_DATA = data;
	irq_restore(primask);
	return 0;
}

static void gpio_listen(void *port, sim_gpio_edge_fn fn, void *ctx)
{
	struct aspeed_gpio *g = port;

	g->listener = fn;
	g->listener_ctx = ctx;
}

static void gpio_poll(void *port)
{
	struct aspeed_gpio *g = port;

	while (g->tail != g->head) {
		const struct aspeed_gpio_edge *e = &g->ring[g->tail % ASPEED_GPIO_EDGE_RING];

		if (g->listener != NULL) {
			g->listener(g->listener_ctx, e->line, e->level, e->time_us * 1000u);
		}
		g->tail = g->tail + 1u;
	}
}

static const struct sim_gpio_port_api aspeed_gpio_api = {
	ASPEED_GPIO_LINES, gpio_is_output, gpio_get, gpio_set, gpio_listen, gpio_poll,
};

void aspeed_gpio_init(struct aspeed_gpio *g)
{
	uint32_t i;

	for (i = 0u; i < ASPEED_GPIO_EDGE_RING; i++) {
		g->ring[i].time_us = 0u;
		g->ring[i].line = 0u;
		g->ring[i].level = 0u;
	}
	g->head = 0u;
	g->tail = 0u;
	g->dropped = 0u;
	g->listener = NULL;
	g->listener_ctx = NULL;
	active = g;

	GPIO_ABCD_INT_EN &= ~LINES_MASK;
	GPIO_ABCD_DATA &= ~OUTPUTS_MASK;
	GPIO_ABCD_DIR = (GPIO_ABCD_DIR & ~LINES_MASK) | OUTPUTS_MASK;
	GPIO_ABCD_INT_SENS0 &= ~INPUTS_MASK;
	GPIO_ABCD_INT_SENS1 &= ~INPUTS_MASK;
	GPIO_ABCD_INT_SENS2 |= INPUTS_MASK; /* both edges */
	GPIO_ABCD_INT_STATUS = LINES_MASK;
	GPIO_ABCD_INT_EN |= INPUTS_MASK;
	nvic_enable(IRQ_GPIO);
}

struct sim_gpio_port aspeed_gpio_port(struct aspeed_gpio *g)
{
	struct sim_gpio_port p;

	p.api = &aspeed_gpio_api;
	p.ctx = g;
	return p;
}
