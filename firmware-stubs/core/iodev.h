/**
 * @file
 * @brief The agent's iodev driver interface: what the executor (executor.c) gives a driver and
 *        what a driver must do with it. The C twin of harness/rtio/iodev.ts; the semantics
 *        are the same (docs/semantics.md §19).
 *
 * Contract for a driver:
 * - submit() queues or starts the unit headed by @p sqe (walk transaction members with
 *   agent_txn_next()) and returns at once. Later, from its poll() hook, it completes the unit
 *   exactly once with agent_sqe_ok() (on the head) or agent_sqe_err() (on the head or the
 *   failing member). Never from inside submit().
 * - Transfers complete with the number of bytes moved; members record theirs with
 *   agent_txn_set_result(). Fewer bytes than asked is a short transfer (it ends a chain).
 * - Units on one iodev run in submission order, one at a time.
 * - cancel() (optional) returns true only for a unit it dropped before starting it; the
 *   executor then completes it with -ECANCELED and the driver must not.
 * - poll() (optional) runs work that is due at @p now_us; next_due_us() (optional) says when
 *   poll() next has something to do (AGENT_NEVER when idle), so a port can sleep until then.
 *
 * Nothing here allocates: SQE storage and buffers belong to the executor, driver state to the
 * port that builds the iodev table.
 */
#ifndef AGENT_IODEV_H
#define AGENT_IODEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief "No deadline": a time later than any real one, in µs. */
#define AGENT_NEVER UINT64_MAX

/** @name RTIO op codes (Zephyr's RTIO_OP_*, the same numbers as harness/rtio/constants.ts) @{ */
#define AGENT_OP_NOP 0u
#define AGENT_OP_RX 1u
#define AGENT_OP_TX 2u
#define AGENT_OP_TINY_TX 3u
#define AGENT_OP_CALLBACK 4u
#define AGENT_OP_TXRX 5u
#define AGENT_OP_DELAY 6u
#define AGENT_OP_I2C_RECOVER 7u
#define AGENT_OP_I2C_CONFIGURE 8u
#define AGENT_OP_I3C_RECOVER 9u
#define AGENT_OP_I3C_CONFIGURE 10u
#define AGENT_OP_I3C_CCC 11u
#define AGENT_OP_AWAIT 12u
/** @} */

/** @name SQE flags (Zephyr's RTIO_SQE_*) @{ */
#define AGENT_SQE_CHAINED (1u << 0)
#define AGENT_SQE_TRANSACTION (1u << 1)
#define AGENT_SQE_MEMPOOL_BUFFER (1u << 2)
#define AGENT_SQE_CANCELED (1u << 3)
#define AGENT_SQE_MULTISHOT (1u << 4)
#define AGENT_SQE_NO_RESPONSE (1u << 5)
/** @} */

/** @brief CQE flag: more CQEs follow for this multishot SQE (RTIO_CQE_FLAG_MORE). */
#define AGENT_CQE_FLAG_MORE (1u << 1)

/** @name I2C iodev flags (Zephyr's RTIO_IODEV_I2C_*) @{ */
#define AGENT_IODEV_I2C_STOP (1u << 1)
#define AGENT_IODEV_I2C_RESTART (1u << 2)
#define AGENT_IODEV_I2C_10_BITS (1u << 3)
/** @} */

/** @brief GPIO iodev flag: an RX waits for the next edge (harness RTIO_IODEV_GPIO_WAIT_EDGE). */
#define AGENT_IODEV_GPIO_WAIT_EDGE (1u << 0)

/** @name Zephyr errno values used by the agent (newlib numbering, as harness/rtio/errno.ts) @{ */
#define AGENT_EIO 5
#define AGENT_ENOMEM 12
#define AGENT_EBUSY 16
#define AGENT_ENODEV 19
#define AGENT_EINVAL 22
#define AGENT_EMSGSIZE 122
#define AGENT_ENOTSUP 134
#define AGENT_ETIMEDOUT 116
#define AGENT_EALREADY 120
#define AGENT_ENOENT 2
#define AGENT_ECANCELED 140
/** @} */

/** @brief Kinds of iodev, as the wire's IodevKind. */
enum agent_iodev_kind {
	AGENT_IODEV_KIND_I2C = 1,
	AGENT_IODEV_KIND_SPI = 2,
	AGENT_IODEV_KIND_GPIO = 3,
	AGENT_IODEV_KIND_SENSOR = 4,
	AGENT_IODEV_KIND_TEST = 5,
};

/** @brief Fault kinds of simulated peripherals, as the wire's FaultKind. */
enum agent_fault_kind {
	AGENT_FAULT_NONE = 0,
	AGENT_FAULT_NACK = 1,       /**< NACK at bus byte at_byte: -EIO */
	AGENT_FAULT_SHORT_READ = 2, /**< a read delivers only `bytes` bytes */
	AGENT_FAULT_BUS_TIMEOUT = 3,/**< the bus hangs: -ETIMEDOUT after the bus timeout */
	AGENT_FAULT_DELAY = 4,      /**< the unit takes delay_us longer */
};

/** @brief One armed fault; count 0 means "until cleared". */
struct agent_fault {
	enum agent_fault_kind kind;
	uint32_t at_byte;
	uint32_t bytes;
	uint32_t delay_us;
	uint32_t count;
};

/** @brief Most faults queued on one iodev at once. */
#define AGENT_FAULTS_MAX 4u

/** @brief Faults queued on one iodev; drivers take one per unit with agent_fault_take(). */
struct agent_faults {
	struct agent_fault queue[AGENT_FAULTS_MAX];
	uint8_t len;
};

struct agent_iodev;

/**
 * @brief One SQE as the executor runs it (Zephyr's struct rtio_iodev_sqe with its SQE
 *        inlined). Drivers read the public fields and must not touch the private ones.
 */
struct agent_sqe {
	uint32_t id;                  /**< wire id, echoed in CQEs */
	uint8_t op;                   /**< AGENT_OP_* */
	uint8_t prio;
	uint16_t flags;               /**< AGENT_SQE_* */
	uint32_t iodev_flags;
	struct agent_iodev *iodev;    /**< NULL for executor ops */
	uint8_t *buf;                 /**< TX data, RX destination, TXRX tx; NULL for a mempool RX until agent_sqe_rx_buf() */
	uint32_t buf_len;             /**< bytes in buf */
	uint8_t *rx_buf;              /**< TXRX: where received bytes go (buf_len of them) */
	uint32_t timeout_us;
	uint32_t delay_us;
	uint32_t i2c_config;

	/* Executor-private from here on. */
	struct agent_sqe *next;       /**< next member of the chain or transaction */
	struct agent_sqe *txn_head;
	int32_t txn_result;
	int32_t last_result;
	uint64_t timer_us;            /**< timeout or DELAY expiry, AGENT_NEVER when none */
	uint8_t state;                /**< enum exec_slot_state (core/executor_internal.h) */
	bool cancel_requested;        /**< a multishot asked to end after its running shot */
	bool signaled;                /**< an AWAIT signalled before it was reached */
	bool awaiting;                /**< an executor AWAIT waiting for its signal */
};

/** @brief A driver's entry points (Zephyr's struct rtio_iodev_api plus poll hooks). */
struct agent_iodev_api {
	/** @brief Queue or start the unit headed by @p sqe; see the file comment. Required. */
	void (*submit)(struct agent_iodev *dev, struct agent_sqe *sqe);
	/** @brief Drop @p sqe if it has not started: true means dropped. Optional. */
	bool (*cancel)(struct agent_iodev *dev, struct agent_sqe *sqe);
	/** @brief Run work due at @p now_us (complete units whose time has come). Optional. */
	void (*poll)(struct agent_iodev *dev, uint64_t now_us);
	/** @brief µs at which poll() next has work, or AGENT_NEVER. Optional. */
	uint64_t (*next_due_us)(const struct agent_iodev *dev);
};

/** @brief One iodev: a driver, its state, and its row in the hello table. */
struct agent_iodev {
	const struct agent_iodev_api *api;
	void *data;                   /**< driver state, owned by the port */
	uint32_t id;                  /**< wire id, 1..; never 0 */
	const char *name;             /**< e.g. "eeprom0" */
	enum agent_iodev_kind kind;
	const char *bus;              /**< e.g. "i2c0", or "" */
	uint32_t address;
	const char *part;             /**< e.g. "24c32" */
	const char *const *capabilities; /**< NULL-terminated, e.g. {"multishot", NULL} */
	struct agent_faults faults;
};

/** @brief Completes @p sqe (a unit head) successfully with @p result bytes (or 0). */
void agent_sqe_ok(struct agent_sqe *sqe, int32_t result);

/**
 * @brief Completes with a negative errno @p result. On a transaction member: that member
 *        fails, earlier members succeed, later ones get -ECANCELED.
 */
void agent_sqe_err(struct agent_sqe *sqe, int32_t result);

/** @brief The next member of @p sqe's transaction, or NULL. */
struct agent_sqe *agent_txn_next(const struct agent_sqe *sqe);

/** @brief Records a transaction member's own result (its byte count). */
void agent_txn_set_result(struct agent_sqe *member, int32_t result);

/**
 * @brief The RX buffer of @p sqe: its own, or for a mempool RX a buffer of at least @p min_len
 *        and ideally @p max_len bytes from the agent's buffer arena.
 * @retval 0 success; *buf and *len are set.
 * @retval -AGENT_ENOMEM no buffer of @p min_len bytes is available; complete the SQE with it.
 */
int agent_sqe_rx_buf(struct agent_sqe *sqe, uint32_t min_len, uint32_t max_len, uint8_t **buf, uint32_t *len);

/**
 * @brief For an AWAIT on an iodev: true once the host has signalled @p sqe. A driver holding
 *        an AWAIT polls this from poll() and completes the AWAIT with 0 when it turns true.
 */
bool agent_sqe_signaled(const struct agent_sqe *sqe);

/**
 * @brief Takes the fault for the unit starting now (consuming one use), or returns a fault
 *        of kind AGENT_FAULT_NONE.
 */
struct agent_fault agent_fault_take(struct agent_faults *faults);

/**
 * @brief Queues @p fault (copied) behind the faults already armed on an iodev (the agent does, on
 *        InjectFault).
 * @retval 0             queued.
 * @retval -AGENT_EINVAL its kind is not NACK, SHORT_READ, BUS_TIMEOUT or DELAY.
 * @retval -AGENT_ENOMEM AGENT_FAULTS_MAX faults are queued already.
 */
int32_t agent_faults_push(struct agent_faults *faults, const struct agent_fault *fault);

/** @brief Disarms every fault queued (ClearFaults, a new session). */
void agent_faults_clear(struct agent_faults *faults);

#endif /* AGENT_IODEV_H */
