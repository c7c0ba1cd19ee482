/**
 * @file
 * @brief What every simulated peripheral shares: model time in nanoseconds, the conversion to
 *        the executor's microseconds, and the seeded hash behind the sensors' data.
 *
 * Time. The executor gives drivers µs (`now_us`); the bus and device models keep time in ns,
 * because the TypeScript models' timings are not whole µs (an I2C bit at 400 kHz is 2.5 µs, a
 * CS setup 0.5 µs). Every model time is an exact integer of ns where the TS model's (a float of
 * ms) is exact, so timings match to the ns. A driver reports a completion at the first whole µs
 * at or after the model's exact time (sim_ns_to_due_us()). Nothing here reads a clock: every
 * time is passed in.
 *
 * Nothing in sim/ allocates or keeps state outside the structs its callers own.
 */
#ifndef SIM_COMMON_H
#define SIM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/iodev.h"

/** @brief ns per µs. */
#define SIM_NS_PER_US 1000u

/** @brief ns per ms. */
#define SIM_NS_PER_MS 1000000u

/** @brief "Never" in model time (ns): later than any real time. */
#define SIM_NEVER_NS UINT64_MAX

/**
 * @brief Clears the @p n bytes at @p p: a model's state, before its init sets what does not start
 *        at 0 (false, NULL). A loop of volatile stores, so that no compiler turns it into a call
 *        of memset, which sim/ must not make.
 */
static inline void sim_zero(void *p, size_t n)
{
	volatile uint8_t *b = (volatile uint8_t *)p;
	size_t i;

	for (i = 0; i < n; i++) {
		b[i] = 0u;
	}
}

/**
 * @brief A device's address option: @p *address 0 becomes @p fallback; one outside
 *        @p lo..@p hi also becomes @p fallback and returns -AGENT_EINVAL. Else 0.
 */
static inline int sim_pick_address(uint16_t *address, uint16_t fallback, uint16_t lo, uint16_t hi)
{
	int rc = 0;

	if (*address == 0u) {
		*address = fallback;
	} else if (*address < lo || *address > hi) {
		*address = fallback;
		rc = -AGENT_EINVAL;
	}
	return rc;
}

/** @brief @p us µs as ns (AGENT_NEVER stays SIM_NEVER_NS). */
static inline uint64_t sim_us_to_ns(uint64_t us)
{
	return us >= SIM_NEVER_NS / SIM_NS_PER_US ? SIM_NEVER_NS : us * SIM_NS_PER_US;
}

/**
 * @brief The first whole µs at or after @p ns: when a driver reports something the model
 *        finishes at @p ns. SIM_NEVER_NS gives AGENT_NEVER.
 */
static inline uint64_t sim_ns_to_due_us(uint64_t ns)
{
	return ns == SIM_NEVER_NS ? AGENT_NEVER : (ns + (SIM_NS_PER_US - 1u)) / SIM_NS_PER_US;
}

/** @brief The larger of two times. */
static inline uint64_t sim_max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/** @brief The smaller of two times. */
static inline uint64_t sim_min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/** @brief Fills the table fields of @p dev (the HelloReply's iodev row); no faults armed. */
static inline void sim_iodev_describe(struct agent_iodev *dev, uint32_t id, const char *name, enum agent_iodev_kind kind,
				      const char *bus, uint32_t address, const char *part, const char *const *caps)
{
	dev->id = id;
	dev->name = name;
	dev->kind = kind;
	dev->bus = bus;
	dev->address = address;
	dev->part = part;
	dev->capabilities = caps;
	dev->faults.len = 0u;
}

/**
 * @brief Chris Wellons' lowbias32, bit for bit as harness/emulator/devices/hash32.ts: the
 *        models' deterministic noise, a pure function of its argument.
 */
static inline uint32_t sim_hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

#endif /* SIM_COMMON_H */
