/**
 * @file
 * @brief A minimal test iodev for the posix port, used only when the simulated reference board
 *        (sim/board.h) is not built in: NOP completes with 0, RX fills its buffer with 0xa5,
 *        0xa6, ... (a mempool RX reads 16 bytes), TX and TINY_TX complete with their length,
 *        TXRX copies its TX bytes into its RX buffer, AWAIT waits for its Signal, anything else
 *        is -ENOTSUP. Units complete one at a time at the next poll, in submission order.
 */
#ifndef POSIX_TEST_IODEV_H
#define POSIX_TEST_IODEV_H

#include "iodev.h"
#include "executor.h"

/** @brief The fallback test iodev's state. */
struct posix_test_iodev {
	struct agent_sqe *queue[AGENT_MAX_SQES];
	size_t len;
};

/** @brief Sets up @p t and describes it in @p dev as "test0", wire id @p id. */
void posix_test_iodev_init(struct posix_test_iodev *t, struct agent_iodev *dev, uint32_t id);

#endif /* POSIX_TEST_IODEV_H */
