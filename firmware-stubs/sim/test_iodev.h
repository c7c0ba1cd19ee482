/**
 * @file
 * @brief A test iodev after Zephyr's rtio_iodev_test, the C twin of
 *        harness/emulator/iodevs/test-iodev.ts, scripted per SQE through iodev_flags:
 *        bits 0-19 delay in 10 µs units, bits 20-27 errno magnitude (0 = succeed), bit 28 hang.
 *
 * Units (an SQE or a whole transaction) run one at a time in submission order; each takes the sum
 * of its members' scripted delays (default 0: it completes at the poll that starts it, never
 * inside submit). Ops: NOP -> 0; RX -> fills buf with the pattern (byte i = 0xA5 + i), result =
 * len; mempool RX -> a 16-byte buffer of the pattern, result 16 (-ENOMEM when there is none);
 * TX / TINY_TX -> len; TXRX -> copies buf into rx_buf, result = len; AWAIT holds the iodev until
 * signalled; any other op -> -ENOTSUP. In a transaction every member runs with its own result;
 * the first member scripted to fail carries its error, and a member scripted to hang makes the
 * whole unit hang.
 *
 * Cancel: a unit still queued, hanging or awaiting is dropped (true); one in its delay is running
 * (false) and completes as scripted. Faults: DELAY adds its time; NACK fails the unit with -EIO;
 * SHORT_READ cuts the first RX member to `bytes`; BUS_TIMEOUT fails it with -ETIMEDOUT after
 * SIM_TEST_IODEV_BUS_TIMEOUT_US.
 */
#ifndef SIM_TEST_IODEV_H
#define SIM_TEST_IODEV_H

#include "queued_iodev.h"

#define SIM_TEST_IODEV_DELAY_MASK 0xfffffu
#define SIM_TEST_IODEV_DELAY_UNIT_US 10u
#define SIM_TEST_IODEV_ERRNO_SHIFT 20u
#define SIM_TEST_IODEV_ERRNO_MASK (0xffu << SIM_TEST_IODEV_ERRNO_SHIFT)
#define SIM_TEST_IODEV_HANG (1u << 28)
/** @brief Bytes a mempool RX reads. */
#define SIM_TEST_IODEV_POOL_READ_LEN 16u
/** @brief RX data: byte i is (SIM_TEST_IODEV_PATTERN_SEED + i) & 0xFF. */
#define SIM_TEST_IODEV_PATTERN_SEED 0xa5u
/** @brief How long a BUS_TIMEOUT fault holds the unit before -ETIMEDOUT. */
#define SIM_TEST_IODEV_BUS_TIMEOUT_US 25000u

/** @brief iodev_flags for a unit that takes @p delay_us (a multiple of 10 µs), fails with -@p err (0: succeeds), hangs if @p hang. */
#define SIM_TEST_IODEV_SCRIPT(delay_us, err, hang) \
	((((uint32_t)(delay_us) / SIM_TEST_IODEV_DELAY_UNIT_US) & SIM_TEST_IODEV_DELAY_MASK) | \
	 (((uint32_t)(err) & 0xffu) << SIM_TEST_IODEV_ERRNO_SHIFT) | ((hang) ? SIM_TEST_IODEV_HANG : 0u))

/** @brief The driver's state; sim_qdev first (its counters: submitted, dropped, max_depth). */
struct sim_test_iodev {
	struct sim_qdev q;
};

/** @brief Initialises @p d and binds it to @p dev. */
void sim_test_iodev_init(struct sim_test_iodev *d, struct agent_iodev *dev);

#endif /* SIM_TEST_IODEV_H */
