/**
 * @file
 * @brief Faults injected into an iodev (InjectFault): a small queue per iodev that the agent
 *        fills and clears and drivers take from, one fault per unit; see iodev.h.
 */
#include "iodev.h"

int32_t agent_faults_push(struct agent_faults *faults, const struct agent_fault *fault)
{
	if (fault->kind < AGENT_FAULT_NACK || fault->kind > AGENT_FAULT_DELAY) {
		return -AGENT_EINVAL;
	}
	if (faults->len >= AGENT_FAULTS_MAX) {
		return -AGENT_ENOMEM;
	}
	faults->queue[faults->len] = *fault;
	faults->len++;
	return 0;
}

void agent_faults_clear(struct agent_faults *faults)
{
	faults->len = 0u;
}

struct agent_fault agent_fault_take(struct agent_faults *faults)
{
	struct agent_fault f = { .kind = AGENT_FAULT_NONE };
	uint8_t i;

	if (faults->len == 0u) {
		return f;
	}
	f = faults->queue[0];
	if (f.count == 0u) {
		return f; /* until cleared */
	}
	if (--faults->queue[0].count == 0u) {
		for (i = 1u; i < faults->len; i++) {
			faults->queue[i - 1u] = faults->queue[i];
		}
		faults->len--;
	}
	return f;
}
