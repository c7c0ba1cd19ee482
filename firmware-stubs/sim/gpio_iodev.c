/* The GPIO iodev; see gpio_iodev.h. Follows harness/emulator/iodevs/gpio-iodev.ts. */
#include "gpio_iodev.h"

static bool is_edge_read(const struct agent_sqe *s)
{
	return s->op == AGENT_OP_RX &&
	       ((s->iodev_flags & AGENT_IODEV_GPIO_WAIT_EDGE) != 0u || (s->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u);
}

/* Runs one member; returns its result. */
static int32_t run(struct sim_gpio_iodev *d, struct agent_sqe *m, bool in_txn, uint64_t now_ns)
{
	uint32_t i;
	uint32_t n = m->buf_len;

	switch (m->op) {
	case AGENT_OP_NOP:
		return 0;
	case AGENT_OP_TX:
	case AGENT_OP_TINY_TX:
		if (n % 2u != 0u) {
			return -AGENT_EINVAL;
		}
		for (i = 0; i < n; i += 2u) {
			if (m->buf[i] >= d->port.api->line_count || !d->port.api->is_output(d->port.ctx, m->buf[i]) ||
			    m->buf[i + 1u] > 1u) {
				return -AGENT_EINVAL;
			}
		}
		for (i = 0; i < n; i += 2u) {
			(void)d->port.api->set(d->port.ctx, m->buf[i], m->buf[i + 1u], now_ns);
		}
		return (int32_t)n;
	case AGENT_OP_RX:
		if (is_edge_read(m)) {
			return in_txn ? -AGENT_ENOTSUP : -AGENT_EINVAL;
		}
		if (n > d->port.api->line_count) {
			return -AGENT_EINVAL;
		}
		for (i = 0; i < n; i++) {
			m->buf[i] = d->port.api->get(d->port.ctx, i);
		}
		return (int32_t)n;
	default:
		return -AGENT_ENOTSUP;
	}
}

static enum sim_begin_status gpio_begin(struct sim_qdev *q, struct agent_sqe *head, const struct agent_fault *fault,
					uint64_t start_ns, struct sim_outcome *out)
{
	struct sim_gpio_iodev *d = (struct sim_gpio_iodev *)q;
	bool in_txn = (head->flags & AGENT_SQE_TRANSACTION) != 0u;
	struct agent_sqe *m;

	(void)fault;
	out->result = 0;
	out->end_ns = start_ns;
	out->fail_at = NULL;
	for (m = head; m != NULL; m = agent_txn_next(m)) {
		int32_t r = run(d, m, in_txn, start_ns);

		if (r < 0) {
			out->result = r;
			out->fail_at = m;
			return SIM_BEGIN_DONE;
		}
		agent_txn_set_result(m, r);
		if (m == head) {
			out->result = r;
		}
	}
	return SIM_BEGIN_DONE;
}

/* Delivers queued edges to waiting reads, oldest first. Completions may resubmit (multishot). */
static void deliver(struct sim_gpio_iodev *d)
{
	while (d->edge_len > 0u && d->n_waiting > 0u) {
		struct agent_sqe *s = d->waiting[0];
		const struct sim_gpio_edge *e = &d->edges[d->edge_first];
		uint8_t *buf = s->buf;
		uint32_t len = s->buf_len;
		uint16_t i;

		for (i = 1; i < d->n_waiting; i++) {
			d->waiting[i - 1u] = d->waiting[i];
		}
		d->n_waiting--;
		d->waiting[d->n_waiting] = NULL;
		if ((s->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u) {
			int rc = agent_sqe_rx_buf(s, SIM_GPIO_EDGE_RECORD_LEN, SIM_GPIO_EDGE_RECORD_LEN, &buf, &len);

			if (rc < 0) {
				agent_sqe_err(s, rc);
				continue;
			}
		}
		buf[0] = e->line;
		buf[1] = e->level;
		buf[2] = 0u;
		buf[3] = 0u;
		buf[4] = (uint8_t)(e->time_us & 0xffu);
		buf[5] = (uint8_t)((e->time_us >> 8) & 0xffu);
		buf[6] = (uint8_t)((e->time_us >> 16) & 0xffu);
		buf[7] = (uint8_t)((e->time_us >> 24) & 0xffu);
		d->edge_first = (uint8_t)((d->edge_first + 1u) % SIM_GPIO_EDGE_QUEUE_MAX);
		d->edge_len--;
		d->edges_delivered++;
		agent_sqe_ok(s, (int32_t)SIM_GPIO_EDGE_RECORD_LEN);
	}
}

static void gpio_after_begin(struct sim_qdev *q, uint64_t start_ns)
{
	(void)start_ns;
	deliver((struct sim_gpio_iodev *)q);
}

static void on_edge(void *ctx, uint8_t line, uint8_t level, uint64_t now_ns)
{
	struct sim_gpio_iodev *d = ctx;
	struct sim_gpio_edge *e;

	if (d->edge_len >= d->edge_queue_limit) {
		d->edges_dropped++;
		return;
	}
	e = &d->edges[(d->edge_first + d->edge_len) % SIM_GPIO_EDGE_QUEUE_MAX];
	e->line = line;
	e->level = level;
	e->time_us = (uint32_t)((now_ns + SIM_NS_PER_US / 2u) / SIM_NS_PER_US);
	d->edge_len++;
}

static const struct sim_qdev_ops gpio_ops = { gpio_begin, NULL, gpio_after_begin, false };

static void gpio_submit(struct agent_iodev *dev, struct agent_sqe *sqe)
{
	struct sim_gpio_iodev *d = dev->data;
	bool lone = (sqe->flags & AGENT_SQE_TRANSACTION) == 0u;
	bool buf_ok = (sqe->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u || sqe->buf_len >= SIM_GPIO_EDGE_RECORD_LEN;

	if (lone && is_edge_read(sqe) && buf_ok) {
		d->q.submitted++;
		if (d->n_waiting >= SIM_GPIO_WAIT_LEN) {
			sim_qdev_reject(&d->q, sqe);
			return;
		}
		d->waiting[d->n_waiting++] = sqe;
		return;
	}
	sim_qdev_submit(&d->q, sqe);
}

static bool gpio_cancel(struct agent_iodev *dev, struct agent_sqe *sqe)
{
	struct sim_gpio_iodev *d = dev->data;
	uint16_t i;

	for (i = 0; i < d->n_waiting; i++) {
		if (d->waiting[i] == sqe) {
			uint16_t j;

			for (j = i; j + 1u < d->n_waiting; j++) {
				d->waiting[j] = d->waiting[j + 1u];
			}
			d->n_waiting--;
			d->waiting[d->n_waiting] = NULL;
			d->q.dropped++;
			return true;
		}
	}
	return sim_qdev_cancel(&d->q, sqe);
}

static void gpio_poll(struct agent_iodev *dev, uint64_t now_us)
{
	struct sim_gpio_iodev *d = dev->data;

	if (d->port.api->poll != NULL) {
		d->port.api->poll(d->port.ctx);
	}
	deliver(d);
	sim_qdev_poll(&d->q, now_us);
}

static uint64_t gpio_next_due_us(const struct agent_iodev *dev)
{
	const struct sim_gpio_iodev *d = dev->data;

	if (d->edge_len > 0u && d->n_waiting > 0u) {
		return 0u;
	}
	return sim_qdev_next_due_us(&d->q);
}

const struct agent_iodev_api sim_gpio_iodev_api = { gpio_submit, gpio_cancel, gpio_poll, gpio_next_due_us };

int sim_gpio_iodev_init(struct sim_gpio_iodev *d, struct agent_iodev *dev, struct sim_gpio_lines *lines,
			uint32_t edge_queue_limit)
{
	return sim_gpio_iodev_init_port(d, dev, sim_gpio_lines_port(lines), edge_queue_limit);
}

int sim_gpio_iodev_init_port(struct sim_gpio_iodev *d, struct agent_iodev *dev, struct sim_gpio_port port,
			     uint32_t edge_queue_limit)
{
	int rc = 0;

	if (edge_queue_limit == 0u) {
		edge_queue_limit = SIM_GPIO_EDGE_QUEUE_LIMIT;
		if (edge_queue_limit > SIM_GPIO_EDGE_QUEUE_MAX) {
			edge_queue_limit = SIM_GPIO_EDGE_QUEUE_MAX;
		}
	} else if (edge_queue_limit > SIM_GPIO_EDGE_QUEUE_MAX) {
		edge_queue_limit = SIM_GPIO_EDGE_QUEUE_MAX;
		rc = -AGENT_EINVAL;
	}
	sim_zero(d, sizeof(*d));
	sim_qdev_init(&d->q, &gpio_ops, dev);
	d->port = port;
	d->edge_queue_limit = edge_queue_limit;
	port.api->listen(port.ctx, on_edge, d);
	dev->api = &sim_gpio_iodev_api;
	dev->data = d;
	return rc;
}

void sim_gpio_iodev_clear_edges(struct sim_gpio_iodev *d)
{
	d->edge_first = 0u;
	d->edge_len = 0u;
}
