/*
 * protocol/vectors/executor.json through the agent's real executor (core/executor.c) and the
 * simulated test iodev (sim/test_iodev.c): every case, step by step, on the host end of
 * exec_host.c, with CQEs compared to the expected ones in order (result, MORE, bytes, device µs).
 * Each case is a test of tests/check.h, named as in the JSON; one this side cannot express is
 * skipped saying why.
 *
 * Built with AGENT_MAX_SQES=8 and AGENT_CQE_SPARE=8 (sim/sim.mk): a completion ring of 16
 * entries, the CQ of the cases that depend on its size.
 */
#include "../../tests/check.h"
#include "exec_host.h"

#include "../test_iodev.h"
#include "executor_vectors.h"

#define RX_MAX 64u

static struct host host;
static struct agent_iodev test0_dev;
static struct sim_test_iodev test0;
static uint8_t rx_bufs[HOST_SQES][RX_MAX];
static const char *names[HOST_SQES];
/* CQEs the case has consumed (host.cqes[0..consumed)): their mempool blocks are back. */
static uint32_t consumed;

/* Consumes the next n CQEs: out of the executor's ring, their blocks back to the pool. */
static void consume(uint32_t n)
{
	host_consume(&host, n);
	for (; n > 0u && consumed < host.n_cqes; n--) {
		host_release(&host, &host.cqes[consumed++]);
	}
}

/* Why this side cannot run case c, or NULL. */
static const char *unsupported(const struct xv_case *c)
{
	static char why[160];

	if ((c->requires & XV_REQ_CQ_OVERFLOW) != 0u) {
		return "the agent has no CQ overflow list: its completion ring keeps an entry for every SQE's terminal CQE (core/executor.h)";
	}
	if ((c->requires & XV_REQ_CALLBACK) != 0u) {
		return "a CALLBACK runs host code: the agent rejects it with -EINVAL (core/executor.h)";
	}
	if ((c->requires & XV_REQ_CQ_CAPACITY) != 0u && c->cq_size != AGENT_CQE_RING) {
		(void)snprintf(why, sizeof(why), "the agent's CQ is its completion ring of AGENT_CQE_RING = %u entries, not cqSize %u",
			       (unsigned)AGENT_CQE_RING, (unsigned)c->cq_size);
		return why;
	}
	if (c->sq_size > AGENT_MAX_SQES) {
		(void)snprintf(why, sizeof(why), "the agent holds AGENT_MAX_SQES = %u SQEs, not sqSize %u", (unsigned)AGENT_MAX_SQES,
			       (unsigned)c->sq_size);
		return why;
	}
	return NULL;
}

static struct host_sqe *named(const char *name)
{
	uint32_t i;

	for (i = 0; i < host.n_sqes; i++) {
		if (strcmp(names[i], name) == 0) {
			return &host.sqes[i];
		}
	}
	printf("FAIL [%s] no SQE \"%s\" was prepared before this step\n", check_state.test, name);
	check_state.failures++;
	return NULL;
}

static void prepare(const struct xv_sqe *v)
{
	struct agent_iodev *dev = v->on_test0 ? &test0_dev : NULL;
	uint8_t *rx = rx_bufs[host.n_sqes];
	struct host_sqe *s;

	switch (v->op) {
	case AGENT_OP_RX:
		s = (v->flags & AGENT_SQE_MEMPOOL_BUFFER) != 0u ? host_read_pool(&host, dev) : host_read(&host, dev, rx, v->len);
		break;
	case AGENT_OP_TX:
		s = host_write(&host, dev, v->tx.data, (uint32_t)v->tx.len);
		break;
	case AGENT_OP_TINY_TX:
		s = host_tiny_write(&host, dev, v->tx.data, (uint32_t)v->tx.len);
		break;
	case AGENT_OP_TXRX:
		s = host_txrx(&host, dev, v->tx.data, rx, (uint32_t)v->tx.len);
		break;
	case AGENT_OP_DELAY:
		s = host_delay(&host, v->delay_us);
		break;
	default:
		s = host_op(&host, dev, v->op);
		break;
	}
	names[s->id - 1u] = v->name;
	s->flags = (uint16_t)(s->flags | v->flags);
	s->timeout_us = v->timeout_us;
	if (v->on_test0) {
		s->iodev_flags = SIM_TEST_IODEV_SCRIPT(v->script_delay_us, -v->script_result, v->script_hang);
	}
}

static void prepare_all(const struct xv_step *st)
{
	size_t i;

	for (i = 0; i < st->n_sqes; i++) {
		prepare(&st->sqes[i]);
	}
}

static void run_step(const struct xv_step *st)
{
	struct host_sqe *s;

	switch (st->kind) {
	case XV_PREPARE:
		prepare_all(st);
		return;
	case XV_SUBMIT:
		prepare_all(st);
		CHECK_EQ(st->returns, 0);
		host_submit(&host);
		return;
	case XV_ADVANCE:
		host_run_until(&host, host.now_us + st->us);
		return;
	case XV_RUN:
		host_run_idle(&host);
		return;
	case XV_CANCEL:
		s = named(st->sqe);
		if (s != NULL) {
			CHECK_EQ(host_cancel(&host, s), st->returns);
		}
		return;
	case XV_SIGNAL:
		s = named(st->sqe);
		if (s != NULL) {
			host_signal(&host, s);
		}
		return;
	case XV_FAULT:
		host_inject(&test0_dev, st->fault, st->at_byte, st->bytes, st->delay_us, st->count);
		return;
	case XV_CONSUME:
		consume(st->n);
		return;
	case XV_CHECK:
	default:
		printf("FAIL [%s] a step this runner cannot run (kind %d): the case must say what it requires\n", check_state.test,
		       (int)st->kind);
		check_state.failures++;
		return;
	}
}

/* The k-th CQE against the k-th expected one. */
static void compare(size_t k, const struct host_cqe *got, const struct xv_cqe *want)
{
	const uint8_t *data = got->buf != NULL ? got->buf : got->sqe->rx;
	const char *name = names[got->sqe->id - 1u];

	if (strcmp(name, want->sqe) != 0 || got->result != want->result || got->at_us != want->at_us ||
	    ((got->flags & HOST_CQE_MORE) != 0u) != want->more || got->len != want->data.len ||
	    (want->data.len > 0u && (data == NULL || memcmp(data, want->data.data, want->data.len) != 0))) {
		printf("FAIL [%s] CQE %zu: got %s %d%s %u bytes at %llu us, want %s %d%s %zu bytes at %llu us\n", check_state.test,
		       k, name, (int)got->result, (got->flags & HOST_CQE_MORE) != 0u ? " MORE" : "", (unsigned)got->len,
		       (unsigned long long)got->at_us, want->sqe, (int)want->result, want->more ? " MORE" : "", want->data.len,
		       (unsigned long long)want->at_us);
		check_state.failures++;
	}
	check_state.checks++;
}

static void run_case(const struct xv_case *c)
{
	size_t i;

	host_init(&host, c->block_size != 0u ? c->block_size : 16u, c->block_count);
	host.hold_ring = true;
	consumed = 0u;
	memset(&test0_dev, 0, sizeof(test0_dev));
	sim_test_iodev_init(&test0, &test0_dev);
	test0_dev.name = "test0";
	host_add_iodev(&host, &test0_dev);
	for (i = 0; i < c->n_steps; i++) {
		run_step(&c->steps[i]);
	}
	host_run_idle(&host);
	for (i = 0; i < host.n_cqes && i < c->n_cqes; i++) {
		compare(i, &host.cqes[i], &c->cqes[i]);
	}
	CHECK_EQ(host.n_cqes, c->n_cqes);
	consume(host.n_cqes - consumed);
	CHECK_EQ(host_inflight(&host), 0);
	CHECK_EQ(host.ex.stats.stray_completions, 0);
	CHECK_EQ(host_pool_free(&host), c->block_count);
	CHECK_EQ(host.violations, 0);
}

static const char *case_name(size_t i)
{
	return xv_cases[i].name;
}

static void test_case(size_t i)
{
	const struct xv_case *c = &xv_cases[i];
	const char *why = unsupported(c);

	if (why != NULL) {
		SKIP(why);
	}
	run_case(c);
}

int main(void)
{
	return check_run_cases("executor-vectors", XV_CASES_COUNT, case_name, test_case);
}
