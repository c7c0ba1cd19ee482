/* The queued-iodev helper; see queued_iodev.h. Follows harness/emulator/iodevs/queued-iodev.ts. */
#include "queued_iodev.h"

void sim_qdev_init(struct sim_qdev *q, const struct sim_qdev_ops *ops, struct agent_iodev *dev)
{
	sim_zero(q, sizeof(*q));
	q->ops = ops;
	q->dev = dev;
	q->fault.kind = AGENT_FAULT_NONE;
	q->wake_ns = SIM_NEVER_NS;
	q->phase = SIM_QDEV_IDLE;
}

uint32_t sim_qdev_depth(const struct sim_qdev *q)
{
	return (uint32_t)q->q_len + (q->current != NULL ? 1u : 0u);
}

void sim_qdev_reject(struct sim_qdev *q, struct agent_sqe *sqe)
{
	if (q->reject_len < SIM_QDEV_REJECT_LEN) {
		q->reject[q->reject_len++] = sqe;
		q->overflows++;
	} else {
		q->lost++;
	}
}

void sim_qdev_submit(struct sim_qdev *q, struct agent_sqe *sqe)
{
	uint32_t depth;

	q->submitted++;
	if (q->q_len >= SIM_QDEV_QUEUE_LEN) {
		sim_qdev_reject(q, sqe);
		return;
	}
	q->queue[(q->q_first + q->q_len) % SIM_QDEV_QUEUE_LEN] = sqe;
	q->q_len++;
	q->q_fresh++;
	depth = sim_qdev_depth(q);
	if (depth > q->max_depth) {
		q->max_depth = depth;
	}
}

bool sim_qdev_cancel(struct sim_qdev *q, struct agent_sqe *sqe)
{
	uint16_t i;

	if (sqe == NULL) {
		return false;
	}
	if (sqe == q->current) {
		if (q->phase != SIM_QDEV_WAITING && q->phase != SIM_QDEV_AWAITING) {
			return false;
		}
		q->current = NULL;
		q->phase = SIM_QDEV_IDLE;
		q->wake_ns = SIM_NEVER_NS;
		q->floor_at_poll = true;
		q->dropped++;
		return true;
	}
	for (i = 0; i < q->q_len; i++) {
		if (q->queue[(q->q_first + i) % SIM_QDEV_QUEUE_LEN] == sqe) {
			uint16_t j;

			for (j = i; j + 1u < q->q_len; j++) {
				q->queue[(q->q_first + j) % SIM_QDEV_QUEUE_LEN] =
					q->queue[(q->q_first + j + 1u) % SIM_QDEV_QUEUE_LEN];
			}
			if (i >= q->q_len - q->q_fresh) {
				q->q_fresh--;
			}
			q->q_len--;
			q->queue[(q->q_first + q->q_len) % SIM_QDEV_QUEUE_LEN] = NULL;
			q->dropped++;
			return true;
		}
	}
	return false;
}

/* Schedules the current unit's outcome, lengthened by a DELAY fault. */
static void schedule(struct sim_qdev *q, const struct sim_outcome *o, bool with_fault)
{
	q->outcome = *o;
	if (with_fault && q->fault.kind == AGENT_FAULT_DELAY) {
		q->outcome.end_ns += sim_us_to_ns(q->fault.delay_us);
	}
	q->phase = SIM_QDEV_RUNNING;
}

/* Completes the current unit. The executor may call back into submit/cancel from here. */
static void complete(struct sim_qdev *q)
{
	struct agent_sqe *head = q->current;
	struct sim_outcome o = q->outcome;

	q->current = NULL;
	q->phase = SIM_QDEV_IDLE;
	q->prev_end_ns = o.end_ns;
	if (o.result >= 0) {
		agent_sqe_ok(head, o.result);
	} else {
		agent_sqe_err(o.fail_at != NULL ? o.fail_at : head, o.result);
	}
}

/* Starts the unit at the head of the queue, at its start time (see the header). */
static void start_next(struct sim_qdev *q, uint64_t now_ns)
{
	struct agent_sqe *head = q->queue[q->q_first];
	bool fresh = q->q_fresh >= q->q_len;
	uint64_t start = q->prev_end_ns;
	struct sim_outcome o;

	q->queue[q->q_first] = NULL;
	q->q_first = (uint16_t)((q->q_first + 1u) % SIM_QDEV_QUEUE_LEN);
	q->q_len--;
	if (q->q_fresh > q->q_len) {
		q->q_fresh = q->q_len;
	}
	if (fresh || q->floor_at_poll) {
		start = sim_max_u64(start, now_ns);
	}
	q->floor_at_poll = false;
	q->current = head;
	q->start_ns = start;
	q->fault.kind = AGENT_FAULT_NONE;
	o.result = 0;
	o.end_ns = start;
	o.fail_at = NULL;
	if (head->op == AGENT_OP_AWAIT) {
		if (agent_sqe_signaled(head)) {
			schedule(q, &o, false);
		} else {
			q->phase = SIM_QDEV_AWAITING;
		}
		return;
	}
	if (head->op == AGENT_OP_NOP && !q->ops->begins_nop) {
		schedule(q, &o, false);
		return;
	}
	q->fault = agent_fault_take(&q->dev->faults);
	q->wake_ns = SIM_NEVER_NS;
	if (q->ops->begin(q, head, &q->fault, start, &o) == SIM_BEGIN_WAIT) {
		q->phase = SIM_QDEV_WAITING;
	} else {
		schedule(q, &o, true);
	}
	if (q->ops->after_begin != NULL) {
		q->ops->after_begin(q, start);
	}
}

void sim_qdev_poll(struct sim_qdev *q, uint64_t now_us)
{
	uint64_t now_ns = sim_max_u64(sim_us_to_ns(now_us), q->poll_ns);

	q->poll_ns = now_ns;
	q->in_poll = true;
	while (q->reject_len > 0u) {
		struct agent_sqe *s = q->reject[0];
		uint8_t i;

		for (i = 1; i < q->reject_len; i++) {
			q->reject[i - 1u] = q->reject[i];
		}
		q->reject_len--;
		q->reject[q->reject_len] = NULL;
		agent_sqe_err(s, -AGENT_EBUSY);
	}
	for (;;) {
		if (q->current != NULL) {
			if (q->phase == SIM_QDEV_RUNNING) {
				if (sim_ns_to_due_us(q->outcome.end_ns) > now_us) {
					break;
				}
				complete(q);
				continue;
			}
			if (q->phase == SIM_QDEV_AWAITING) {
				struct sim_outcome o;

				if (!agent_sqe_signaled(q->current)) {
					break;
				}
				o.result = 0;
				o.end_ns = sim_max_u64(q->start_ns, now_ns);
				o.fail_at = NULL;
				schedule(q, &o, false);
				continue;
			}
			/* SIM_QDEV_WAITING */
			{
				struct sim_outcome o;
				uint64_t wake = q->wake_ns;

				if (wake == SIM_NEVER_NS || sim_ns_to_due_us(wake) > now_us) {
					break;
				}
				wake = sim_max_u64(wake, q->start_ns);
				q->wake_ns = SIM_NEVER_NS;
				if (q->ops->resume(q, q->current, &q->fault, wake, &o) == SIM_BEGIN_DONE) {
					schedule(q, &o, true);
				} else if (q->wake_ns <= wake) {
					/* A driver that cannot say when it will be ready: wait for a cancel. */
					q->wake_ns = SIM_NEVER_NS;
				}
				continue;
			}
		}
		if (q->q_len == 0u) {
			break;
		}
		start_next(q, now_ns);
	}
	q->q_fresh = 0u;
	q->in_poll = false;
}

uint64_t sim_qdev_next_due_us(const struct sim_qdev *q)
{
	if (q->reject_len > 0u) {
		return 0u;
	}
	if (q->current != NULL) {
		switch (q->phase) {
		case SIM_QDEV_RUNNING:
			return sim_ns_to_due_us(q->outcome.end_ns);
		case SIM_QDEV_AWAITING:
			return agent_sqe_signaled(q->current) ? 0u : AGENT_NEVER;
		default:
			return sim_ns_to_due_us(q->wake_ns);
		}
	}
	return q->q_len > 0u ? 0u : AGENT_NEVER;
}

static void qdev_submit(struct agent_iodev *dev, struct agent_sqe *sqe)
{
	sim_qdev_submit(dev->data, sqe);
}

static bool qdev_cancel(struct agent_iodev *dev, struct agent_sqe *sqe)
{
	return sim_qdev_cancel(dev->data, sqe);
}

static void qdev_poll(struct agent_iodev *dev, uint64_t now_us)
{
	sim_qdev_poll(dev->data, now_us);
}

static uint64_t qdev_next_due_us(const struct agent_iodev *dev)
{
	return sim_qdev_next_due_us(dev->data);
}

const struct agent_iodev_api sim_qdev_api = { qdev_submit, qdev_cancel, qdev_poll, qdev_next_due_us };
