/**
 * @file
 * @brief A GPIO port (bus_api.h: the reference board's simulated sim_gpio_lines, or a port's
 *        driver of real GPIO) as an iodev, the C twin of harness/emulator/iodevs/gpio-iodev.ts.
 *
 * - TX / TINY_TX: (line, level) byte pairs set outputs in order; result = bytes. An odd length,
 *   an input or unknown line, or a level other than 0/1 fails with -EINVAL and sets nothing.
 * - RX of len <= the port's line count: the levels of lines 0..len-1, one byte each; result = len
 *   (-EINVAL for a longer read).
 * - Edge read: an RX with AGENT_IODEV_GPIO_WAIT_EDGE in iodev_flags, or with
 *   AGENT_SQE_MEMPOOL_BUFFER, waits for the next input edge and delivers one 8-byte record
 *   [line, level, 0, 0, timestamp µs u32 LE] into buf (>= 8 bytes, else -EINVAL) or a buffer of
 *   agent_sqe_rx_buf(); result 8, -ENOMEM when there is no buffer (the edge stays queued).
 *
 * Edge reads do not hold the iodev: a lone edge read waits in a list of its own (up to
 * SIM_GPIO_WAIT_LEN; more complete with -EBUSY) and later units, such as the TX that makes the
 * edge, run meanwhile; waiting reads are served oldest first. Edges are queued whether or not a
 * read waits (up to edge_queue_limit, at most SIM_GPIO_EDGE_QUEUE_MAX, then dropped and
 * counted) and delivered from poll(), never from submit(): on a simulated port an edge made by a
 * TX is delivered before that TX completes; a real port's edges come from its interrupt, and
 * poll() first collects them (sim_gpio_port_api.poll). The timestamp is the edge's model time in µs, rounded, modulo
 * 2^32. Cancelling a waiting edge read drops it (true). Faults are not applied to waiting edge
 * reads. An edge read inside a transaction fails with -ENOTSUP.
 */
#ifndef SIM_GPIO_IODEV_H
#define SIM_GPIO_IODEV_H

#include "gpio_lines.h"
#include "queued_iodev.h"

/** @brief Bytes of one edge record. */
#define SIM_GPIO_EDGE_RECORD_LEN 8u
/** @brief Default number of edges kept while no edge read takes them. */
#define SIM_GPIO_EDGE_QUEUE_LIMIT 16u
#ifndef SIM_GPIO_EDGE_QUEUE_MAX
/** @brief Storage for queued edges (build-time): the largest edge_queue_limit. */
#define SIM_GPIO_EDGE_QUEUE_MAX 16u
#endif
#if SIM_GPIO_EDGE_QUEUE_MAX < 1 || SIM_GPIO_EDGE_QUEUE_MAX > 255
#error "SIM_GPIO_EDGE_QUEUE_MAX must be 1..255"
#endif
#ifndef SIM_GPIO_WAIT_LEN
/** @brief Edge reads that can wait at once (build-time): as many as the queue holds. */
#define SIM_GPIO_WAIT_LEN SIM_QDEV_QUEUE_LEN
#endif

/** @brief One queued edge. */
struct sim_gpio_edge {
	uint32_t time_us;   /**< rounded µs, modulo 2^32 */
	uint8_t line;
	uint8_t level;
};

/** @brief The driver's state; sim_qdev first. */
struct sim_gpio_iodev {
	struct sim_qdev q;
	struct sim_gpio_port port;
	struct agent_sqe *waiting[SIM_GPIO_WAIT_LEN];
	struct sim_gpio_edge edges[SIM_GPIO_EDGE_QUEUE_MAX];
	uint32_t edge_queue_limit;
	uint32_t edges_dropped;     /**< edges lost because the queue was full */
	uint32_t edges_delivered;   /**< edge records delivered */
	uint16_t n_waiting;
	uint8_t edge_first;
	uint8_t edge_len;
};

/** @brief The driver's entry points; dev->data must point to a struct sim_gpio_iodev. */
extern const struct agent_iodev_api sim_gpio_iodev_api;

/**
 * @brief Initialises @p d on @p lines (it becomes their listener) and binds it to @p dev.
 * @param edge_queue_limit 1..SIM_GPIO_EDGE_QUEUE_MAX; 0 means SIM_GPIO_EDGE_QUEUE_LIMIT (or the
 *        maximum if that is smaller).
 * @retval 0 done.
 * @retval -AGENT_EINVAL @p edge_queue_limit above SIM_GPIO_EDGE_QUEUE_MAX (the maximum is used).
 */
int sim_gpio_iodev_init(struct sim_gpio_iodev *d, struct agent_iodev *dev, struct sim_gpio_lines *lines,
			uint32_t edge_queue_limit);

/** @brief As sim_gpio_iodev_init(), on port @p port (it becomes the port's listener). Same return codes. */
int sim_gpio_iodev_init_port(struct sim_gpio_iodev *d, struct agent_iodev *dev, struct sim_gpio_port port,
			     uint32_t edge_queue_limit);

/** @brief Forgets every queued edge. */
void sim_gpio_iodev_clear_edges(struct sim_gpio_iodev *d);

#endif /* SIM_GPIO_IODEV_H */
