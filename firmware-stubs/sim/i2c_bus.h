/**
 * @file
 * @brief An I2C bus with targets driven byte by byte, the C twin of
 *        harness/emulator/bus/i2c-bus.ts.
 *
 * Timing: each byte costs 9 bit times (8 data bits and ACK/NACK), each START, repeated START and
 * STOP one bit time; at the default 400 kHz a bit is 2500 ns. Transfers run instantly in host
 * time; the bus reports when each one started and ended (ns) for the driver to schedule its
 * completion. Transfers never overlap: one starts no earlier than the end of the previous one.
 *
 * A transfer is built as begin, one msg per message, end (or in one call with
 * sim_i2c_transfer()). A repeated START and the address precede every message whose direction
 * differs from the previous one or that asks for a restart; the transfer ends with STOP at the
 * first NACK.
 *
 * Faults (struct agent_fault, NULL or AGENT_FAULT_NONE for none): NACK fails wire byte at_byte
 * of the transfer (address bytes count, 0 = the first) with -EIO; SHORT_READ makes the first
 * read message move only `bytes` bytes (status stays 0); BUS_TIMEOUT fails the transfer with
 * -ETIMEDOUT after the bus timeout, before any device sees it; DELAY is ignored here.
 */
#ifndef SIM_I2C_BUS_H
#define SIM_I2C_BUS_H

#include "bus_api.h"

/** @brief Default SCL frequency: 400 kHz (fast mode). */
#define SIM_I2C_DEFAULT_BITRATE_HZ 400000u
/** @brief Default bus timeout: 25 ms (SMBus's clock-low timeout), in ns. */
#define SIM_I2C_DEFAULT_TIMEOUT_NS (25u * SIM_NS_PER_MS)
/** @brief Bit times per byte on the wire: 8 data bits and the ACK/NACK bit. */
#define SIM_I2C_BITS_PER_BYTE 9u
/** @brief Bit times of a START, a repeated START or a STOP. */
#define SIM_I2C_BITS_PER_CONDITION 1u
/** @brief Clock pulses of a bus recovery (then a STOP). */
#define SIM_I2C_RECOVERY_PULSES 9u
/** @brief Highest bitrate accepted: 5 MHz (ultra-fast mode). */
#define SIM_I2C_MAX_BITRATE_HZ 5000000u

#ifndef SIM_I2C_MAX_TARGETS
/** @brief Most targets one bus holds (build-time). */
#define SIM_I2C_MAX_TARGETS 4u
#endif

/**
 * @brief A target's callbacks. @p dev is the pointer given to sim_i2c_attach(); @p now_ns is the
 *        bus time of the event (START time plus the bit times already on the wire).
 */
struct sim_i2c_device_ops {
	/** @brief START or repeated START with this address and R/W bit @p read: false NACKs it. */
	bool (*start)(void *dev, bool read, uint64_t now_ns);
	/** @brief A byte from the controller (after its 9 bit times): false NACKs it. */
	bool (*write)(void *dev, uint8_t byte, uint64_t now_ns);
	/** @brief The next byte for the controller (called before its 9 bit times). */
	uint8_t (*read)(void *dev, uint64_t now_ns);
	/** @brief STOP, at the end of any transfer in which the device acknowledged its address. */
	void (*stop)(void *dev, uint64_t now_ns);
};

/** @brief One attached target. */
struct sim_i2c_target {
	const struct sim_i2c_device_ops *ops;
	void *dev;
	uint16_t address;
};

/** @brief One message of a transfer (Zephyr's struct i2c_msg). */
struct sim_i2c_msg {
	uint8_t *buf;     /**< data to send, or where received bytes go */
	uint32_t len;     /**< bytes to move */
	bool read;        /**< true: the controller reads into buf */
	bool restart;     /**< force a repeated START before this message */
	uint32_t count;   /**< out: bytes moved (acknowledged writes, received reads) */
};

/** @brief A bus, its targets, its counters and an open transfer's state. */
struct sim_i2c_bus {
	uint32_t bitrate_hz;
	uint64_t timeout_ns;
	struct sim_i2c_target targets[SIM_I2C_MAX_TARGETS];
	uint8_t n_targets;
	/** End of the last transfer or recovery: the next starts no earlier, ns. */
	uint64_t busy_until_ns;

	/* Counters, as the TS bus's. */
	uint32_t transfers;   /**< transfers started (with at least one message) */
	uint32_t bytes;       /**< bytes clocked, address bytes included */
	uint32_t nacks;       /**< transfers ended by a NACK */
	uint32_t restarts;    /**< repeated STARTs sent */
	uint32_t timeouts;    /**< transfers failed by an injected bus timeout */
	uint32_t recoveries;  /**< bus recoveries run */

	/* The transfer being built (between begin and end). */
	const struct sim_i2c_target *x_target;
	uint64_t x_start_ns;
	uint64_t x_bits;
	uint32_t x_wire;
	uint32_t x_msgs;
	int64_t x_nack_at;
	int64_t x_short_bytes;
	int32_t x_status;
	int32_t x_failed;
	uint16_t x_address;
	bool x_fault_timeout;
	bool x_open;
	bool x_started;
	bool x_addressed;
	bool x_prev_read;
};

/**
 * @brief Initialises @p bus with no targets.
 * @param bitrate_hz SCL frequency, 1..SIM_I2C_MAX_BITRATE_HZ; 0 means SIM_I2C_DEFAULT_BITRATE_HZ.
 * @param timeout_ns Bus timeout; 0 means SIM_I2C_DEFAULT_TIMEOUT_NS.
 * @retval 0 done.
 * @retval -AGENT_EINVAL @p bitrate_hz above SIM_I2C_MAX_BITRATE_HZ (the bus is still set up, at the default).
 */
int sim_i2c_bus_init(struct sim_i2c_bus *bus, uint32_t bitrate_hz, uint64_t timeout_ns);

/**
 * @brief Attaches target @p dev with @p ops at 7-bit @p address.
 * @retval 0 attached.
 * @retval -AGENT_EINVAL @p address is not 0x08..0x77, or @p ops lacks a callback.
 * @retval -AGENT_EALREADY another target has @p address.
 * @retval -AGENT_ENOMEM SIM_I2C_MAX_TARGETS targets are attached already.
 */
int sim_i2c_attach(struct sim_i2c_bus *bus, uint16_t address, const struct sim_i2c_device_ops *ops, void *dev);

/** @brief ns of @p bits bit times at the bus's bitrate (exact when 1e9 / bitrate_hz is). */
uint64_t sim_i2c_bits_to_ns(const struct sim_i2c_bus *bus, uint64_t bits);

/**
 * @brief Opens a transfer to @p address that may start at @p at_ns (it starts at the end of the
 *        previous one if that is later). @p fault may be NULL. Nothing goes on the wire until
 *        the first message. A transfer already open is discarded.
 */
void sim_i2c_xfer_begin(struct sim_i2c_bus *bus, uint16_t address, const struct agent_fault *fault, uint64_t at_ns);

/**
 * @brief Runs the next message of the open transfer: @p len bytes written from or read into
 *        @p buf, after a repeated START when the direction changes or @p restart is set.
 * @return Bytes moved: acknowledged writes or received reads; 0 once the transfer has failed or
 *         when no transfer is open.
 */
uint32_t sim_i2c_xfer_msg(struct sim_i2c_bus *bus, bool read, bool restart, uint8_t *buf, uint32_t len);

/**
 * @brief Sends STOP and closes the transfer.
 * @return status 0, -AGENT_EIO (a NACK of an address or data byte), -AGENT_ETIMEDOUT (bus
 *         timeout) or -AGENT_ENOTSUP (address above 0x7F); failed_msg; start and end times. A
 *         transfer without messages puts nothing on the wire (status 0, end_ns = start_ns).
 */
struct sim_i2c_result sim_i2c_xfer_end(struct sim_i2c_bus *bus);

/**
 * @brief One whole transfer of @p n messages (begin, each message, end); each msgs[i].count is
 *        set. Same results as sim_i2c_xfer_end().
 */
struct sim_i2c_result sim_i2c_transfer(struct sim_i2c_bus *bus, uint16_t address, struct sim_i2c_msg *msgs, size_t n,
				       const struct agent_fault *fault, uint64_t at_ns);

/**
 * @brief Bus recovery: SIM_I2C_RECOVERY_PULSES clock pulses then a STOP (10 bit times), no
 *        earlier than @p at_ns nor the end of the previous transfer.
 * @return When the recovery ends, ns.
 */
uint64_t sim_i2c_recover(struct sim_i2c_bus *bus, uint64_t at_ns);

/** @brief @p bus as the controller the I2C iodev drives (bus_api.h). */
struct sim_i2c_ctrl sim_i2c_bus_ctrl(struct sim_i2c_bus *bus);

#endif /* SIM_I2C_BUS_H */
