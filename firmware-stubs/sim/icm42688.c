/* The ICM-42688 model; see icm42688.h. Follows harness/emulator/devices/icm42688.ts. */
#include "icm42688.h"

#define INT_RESET_DONE 0x10u
#define INT_DATA_RDY 0x08u
#define INT_FIFO_THS 0x04u
#define INT_FIFO_FULL 0x02u
#define DATA_REGS 14u

/* Sample period in ns for each ODR code (bits 3:0 of ACCEL_CONFIG0 / GYRO_CONFIG0); 0 reserved. */
static const uint32_t odr_period_ns[16] = {
	0u, 31250u, 62500u, 125000u, 250000u, 500000u, 1000000u, 5000000u, 10000000u,
	20000000u, 40000000u, 80000000u, 160000000u, 320000000u, 640000000u, 2000000u,
};

/*
 * The die temperature of a sample is 26 + ((hash % 11) - 5) * 0.05 °C. The TS model stores it in
 * a packet as Math.round((celsius - 25) * 2.07) and in TEMP_DATA as Math.round((celsius - 25) *
 * 132.48); these are those float results for hash % 11 = 0..10.
 */
static const int8_t fifo_temp[11] = { 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3 };
static const int16_t data_temp[11] = { 99, 106, 113, 119, 126, 132, 139, 146, 152, 159, 166 };

static uint32_t sample_hash(const struct sim_icm42688 *imu, uint64_t i, uint32_t ch)
{
	return sim_hash32(sim_hash32(imu->seed ^ ((ch + 1u) * 0x9e3779b9u)) ^ sim_hash32((uint32_t)i));
}

/* Accel XYZ then gyro XYZ of sample i, in LSB: the board lies flat (Z = +1 g) with noise. */
static void sample_values(const struct sim_icm42688 *imu, uint64_t i, int16_t out[6])
{
	unsigned fs = imu->regs[SIM_ICM42688_REG_ACCEL_CONFIG0] >> 5;
	int32_t lsb_per_g = 2048 << (fs < 3u ? fs : 3u);
	uint32_t ch;

	for (ch = 0; ch < 6u; ch++) {
		int32_t noise = (int32_t)(sample_hash(imu, i, ch) % 65u) - 32;
		int32_t v = ch == 2u ? lsb_per_g + noise : noise;

		out[ch] = (int16_t)(v > 32767 ? 32767 : v);
	}
}

static bool fifo_enabled(const struct sim_icm42688 *imu)
{
	return (imu->regs[SIM_ICM42688_REG_FIFO_CONFIG] >> 6) != 0u;
}

static uint32_t fifo_used(const struct sim_icm42688 *imu)
{
	return (uint32_t)imu->fifo_len * SIM_ICM42688_PACKET_SIZE - imu->read_offset;
}

/* Produces the packets due by now_ns, or drops them when the FIFO is full. */
static void update(struct sim_icm42688 *imu, uint64_t now_ns)
{
	uint64_t total;
	uint64_t add;
	uint64_t i;

	if (imu->period_ns == 0u) {
		return;
	}
	total = imu->epoch_index + (now_ns > imu->epoch_ns ? (now_ns - imu->epoch_ns) / imu->period_ns : 0u);
	if (total <= imu->generated) {
		return;
	}
	add = 0u;
	if (fifo_enabled(imu)) {
		uint64_t room = (SIM_ICM42688_FIFO_SIZE - fifo_used(imu)) / SIM_ICM42688_PACKET_SIZE;

		add = sim_min_u64(room, total - imu->generated);
	}
	for (i = imu->generated; i < imu->generated + add; i++) {
		unsigned slot = (imu->fifo_first + imu->fifo_len) % SIM_ICM42688_FIFO_PACKETS;
		uint64_t at_ns = imu->epoch_ns + (i - imu->epoch_index + 1u) * imu->period_ns;

		imu->fifo_index[slot] = (uint32_t)i;
		imu->fifo_ts[slot] = (uint16_t)((at_ns / SIM_NS_PER_US) & 0xffffu);
		imu->fifo_len++;
	}
	if (fifo_enabled(imu)) {
		imu->dropped += total - imu->generated - add;
	}
	imu->generated = total;
}

/* Recomputes the sample period after a register that sets it changed, from at_ns. */
static void retime(struct sim_icm42688 *imu, uint64_t at_ns)
{
	unsigned pwr = imu->regs[SIM_ICM42688_REG_PWR_MGMT0];
	bool accel_on = (pwr & 3u) >= 2u;
	bool gyro_on = ((pwr >> 2) & 3u) == 3u;
	unsigned odr = accel_on ? imu->regs[SIM_ICM42688_REG_ACCEL_CONFIG0] & 0x0fu
			 : gyro_on ? imu->regs[SIM_ICM42688_REG_GYRO_CONFIG0] & 0x0fu : 0u;
	uint64_t period = odr_period_ns[odr];

	if (period == imu->period_ns) {
		return;
	}
	imu->period_ns = period;
	imu->epoch_ns = at_ns;
	imu->epoch_index = imu->generated;
}

static void clear_fifo(struct sim_icm42688 *imu)
{
	imu->fifo_first = 0u;
	imu->fifo_len = 0u;
	imu->read_offset = 0u;
	imu->head_valid = false;
}

static void reset(struct sim_icm42688 *imu)
{
	sim_zero(imu->regs, sizeof(imu->regs));
	imu->regs[SIM_ICM42688_REG_INT_STATUS] = INT_RESET_DONE;
	imu->regs[0x4c] = 0x30u; /* INTF_CONFIG0: FIFO count and sensor data big-endian */
	imu->regs[SIM_ICM42688_REG_GYRO_CONFIG0] = 0x06u;
	imu->regs[SIM_ICM42688_REG_ACCEL_CONFIG0] = 0x06u;
	imu->regs[SIM_ICM42688_REG_WHO_AM_I] = SIM_ICM42688_WHO_AM_I;
	clear_fifo(imu);
	imu->count_latch = -1;
	imu->int_dropped = imu->dropped;
	imu->int_generated = imu->generated;
	imu->period_ns = 0u;
}

static void flush(struct sim_icm42688 *imu, uint64_t now_ns)
{
	update(imu, now_ns);
	clear_fifo(imu);
}

uint32_t sim_icm42688_fifo_bytes(struct sim_icm42688 *imu, uint64_t now_ns)
{
	update(imu, now_ns);
	return fifo_used(imu);
}

uint32_t sim_icm42688_fifo_packets(struct sim_icm42688 *imu, uint64_t now_ns)
{
	return sim_icm42688_fifo_bytes(imu, now_ns) / SIM_ICM42688_PACKET_SIZE;
}

uint64_t sim_icm42688_samples(struct sim_icm42688 *imu, uint64_t now_ns)
{
	update(imu, now_ns);
	return imu->generated;
}

uint64_t sim_icm42688_next_packet_at(struct sim_icm42688 *imu, uint32_t count, uint64_t now_ns)
{
	uint32_t bytes = sim_icm42688_fifo_bytes(imu, now_ns);
	uint32_t whole = bytes / SIM_ICM42688_PACKET_SIZE;
	uint64_t need;

	if (whole >= count) {
		return now_ns;
	}
	need = (uint64_t)count - whole;
	if (imu->period_ns == 0u || !fifo_enabled(imu) ||
	    bytes + need * SIM_ICM42688_PACKET_SIZE > SIM_ICM42688_FIFO_SIZE) {
		return SIM_NEVER_NS;
	}
	return imu->epoch_ns + (imu->generated + need - imu->epoch_index) * imu->period_ns;
}

static void packet_ts(const struct sim_icm42688 *imu, uint64_t index, uint16_t ts, uint8_t out[16])
{
	int16_t s[6];
	unsigned i;

	sample_values(imu, index, s);
	out[0] = SIM_ICM42688_PACKET_HEADER;
	for (i = 0; i < 6u; i++) {
		uint16_t u = (uint16_t)s[i];

		out[1u + 2u * i] = (uint8_t)(u >> 8);
		out[2u + 2u * i] = (uint8_t)(u & 0xffu);
	}
	out[13] = (uint8_t)fifo_temp[sample_hash(imu, index, 6u) % 11u];
	out[14] = (uint8_t)(ts >> 8);
	out[15] = (uint8_t)(ts & 0xffu);
}

void sim_icm42688_packet(const struct sim_icm42688 *imu, uint64_t index, uint64_t at_ns, uint8_t out[16])
{
	packet_ts(imu, index, (uint16_t)((at_ns / SIM_NS_PER_US) & 0xffffu), out);
}

static uint8_t pop_fifo(struct sim_icm42688 *imu, uint64_t now_ns)
{
	uint8_t v;

	update(imu, now_ns);
	if (imu->fifo_len == 0u) {
		return SIM_ICM42688_FIFO_EMPTY;
	}
	if (!imu->head_valid) {
		packet_ts(imu, imu->fifo_index[imu->fifo_first], imu->fifo_ts[imu->fifo_first], imu->head_bytes);
		imu->head_valid = true;
	}
	v = imu->head_bytes[imu->read_offset];
	if (++imu->read_offset == SIM_ICM42688_PACKET_SIZE) {
		imu->fifo_first = (uint16_t)((imu->fifo_first + 1u) % SIM_ICM42688_FIFO_PACKETS);
		imu->fifo_len--;
		imu->read_offset = 0u;
		imu->head_valid = false;
	}
	return v;
}

static uint8_t int_status(struct sim_icm42688 *imu, uint64_t now_ns)
{
	unsigned v;
	uint32_t wm;

	update(imu, now_ns);
	v = imu->regs[SIM_ICM42688_REG_INT_STATUS] & INT_RESET_DONE;
	if (imu->generated > imu->int_generated) {
		v |= INT_DATA_RDY;
	}
	if (imu->dropped > imu->int_dropped) {
		v |= INT_FIFO_FULL;
	}
	wm = imu->regs[SIM_ICM42688_REG_FIFO_CONFIG2] | ((uint32_t)(imu->regs[SIM_ICM42688_REG_FIFO_CONFIG3] & 0x0fu) << 8);
	if (wm > 0u && fifo_used(imu) >= wm) {
		v |= INT_FIFO_THS;
	}
	imu->regs[SIM_ICM42688_REG_INT_STATUS] = 0u;
	imu->int_generated = imu->generated;
	imu->int_dropped = imu->dropped;
	return (uint8_t)v;
}

/* Byte off of TEMP_DATA1..GYRO_DATA_Z0: the latest sample, big-endian; 0x8000 before the first. */
static uint8_t data_register(struct sim_icm42688 *imu, unsigned off, uint64_t now_ns)
{
	uint16_t word;

	update(imu, now_ns);
	if (imu->generated == 0u) {
		word = 0x8000u;
	} else if (off < 2u) {
		word = (uint16_t)data_temp[sample_hash(imu, imu->generated - 1u, 6u) % 11u];
	} else {
		int16_t s[6];

		sample_values(imu, imu->generated - 1u, s);
		word = (uint16_t)s[(off >> 1) - 1u];
	}
	return off % 2u == 0u ? (uint8_t)(word >> 8) : (uint8_t)(word & 0xffu);
}

static uint8_t read_register(struct sim_icm42688 *imu, uint8_t reg, uint64_t now_ns)
{
	if (imu->regs[SIM_ICM42688_REG_BANK_SEL] != 0u && reg != SIM_ICM42688_REG_BANK_SEL) {
		return 0u;
	}
	switch (reg) {
	case SIM_ICM42688_REG_FIFO_COUNTH:
		imu->count_latch = (int32_t)sim_icm42688_fifo_bytes(imu, now_ns);
		return (uint8_t)(imu->count_latch >> 8);
	case SIM_ICM42688_REG_FIFO_COUNTL: {
		uint32_t n = imu->count_latch >= 0 ? (uint32_t)imu->count_latch : sim_icm42688_fifo_bytes(imu, now_ns);

		imu->count_latch = -1;
		return (uint8_t)(n & 0xffu);
	}
	case SIM_ICM42688_REG_FIFO_DATA:
		return pop_fifo(imu, now_ns);
	case SIM_ICM42688_REG_INT_STATUS:
		return int_status(imu, now_ns);
	default:
		if (reg >= SIM_ICM42688_REG_TEMP_DATA1 && reg < SIM_ICM42688_REG_TEMP_DATA1 + DATA_REGS) {
			return data_register(imu, (unsigned)reg - SIM_ICM42688_REG_TEMP_DATA1, now_ns);
		}
		return imu->regs[reg];
	}
}

static bool timing_reg(uint8_t reg)
{
	return reg == SIM_ICM42688_REG_PWR_MGMT0 || reg == SIM_ICM42688_REG_GYRO_CONFIG0 ||
	       reg == SIM_ICM42688_REG_ACCEL_CONFIG0 || reg == SIM_ICM42688_REG_FIFO_CONFIG;
}

static void write_register(struct sim_icm42688 *imu, uint8_t reg, uint8_t v, uint64_t now_ns)
{
	if (reg == SIM_ICM42688_REG_BANK_SEL) {
		imu->regs[reg] = (uint8_t)(v & 7u);
		return;
	}
	if (imu->regs[SIM_ICM42688_REG_BANK_SEL] != 0u) {
		return;
	}
	if (reg == SIM_ICM42688_REG_DEVICE_CONFIG && (v & 1u) != 0u) {
		update(imu, now_ns);
		reset(imu);
		return;
	}
	if (reg == SIM_ICM42688_REG_SIGNAL_PATH_RESET) {
		if ((v & 0x02u) != 0u) {
			flush(imu, now_ns);
		}
		return;
	}
	if (reg == SIM_ICM42688_REG_WHO_AM_I || reg == SIM_ICM42688_REG_INT_STATUS ||
	    (reg >= SIM_ICM42688_REG_TEMP_DATA1 && reg <= SIM_ICM42688_REG_FIFO_DATA)) {
		return;
	}
	if (timing_reg(reg)) {
		bool was_fifo;

		update(imu, now_ns);
		was_fifo = fifo_enabled(imu);
		imu->regs[reg] = v;
		if (was_fifo && !fifo_enabled(imu)) {
			flush(imu, now_ns);
		}
		retime(imu, now_ns);
		return;
	}
	imu->regs[reg] = v;
}

static bool imu_start(void *dev, bool read, uint64_t now_ns)
{
	struct sim_icm42688 *imu = dev;

	(void)now_ns;
	imu->writing = !read;
	imu->pointer_set = false;
	return true;
}

static bool imu_write(void *dev, uint8_t byte, uint64_t now_ns)
{
	struct sim_icm42688 *imu = dev;

	if (!imu->writing) {
		return false;
	}
	if (!imu->pointer_set) {
		imu->pointer = byte;
		imu->pointer_set = true;
		return true;
	}
	write_register(imu, imu->pointer, byte, now_ns);
	if (imu->pointer != SIM_ICM42688_REG_FIFO_DATA) {
		imu->pointer = (uint8_t)(imu->pointer + 1u);
	}
	return true;
}

static uint8_t imu_read(void *dev, uint64_t now_ns)
{
	struct sim_icm42688 *imu = dev;
	uint8_t v = read_register(imu, imu->pointer, now_ns);

	if (imu->pointer != SIM_ICM42688_REG_FIFO_DATA) {
		imu->pointer = (uint8_t)(imu->pointer + 1u);
	}
	return v;
}

static void imu_stop(void *dev, uint64_t now_ns)
{
	struct sim_icm42688 *imu = dev;

	(void)now_ns;
	imu->writing = false;
}

const struct sim_i2c_device_ops sim_icm42688_ops = { imu_start, imu_write, imu_read, imu_stop };

int sim_icm42688_init(struct sim_icm42688 *imu, uint16_t address, uint32_t seed, bool streaming, uint64_t now_ns)
{
	int rc = sim_pick_address(&address, SIM_ICM42688_DEFAULT_ADDRESS, 0x68u, 0x69u);

	sim_zero(imu, sizeof(*imu));
	imu->seed = seed;
	imu->address = address;
	reset(imu);
	if (streaming) {
		imu->regs[SIM_ICM42688_REG_PWR_MGMT0] = 0x0fu;
		imu->regs[SIM_ICM42688_REG_FIFO_CONFIG] = 0x40u;
		imu->regs[SIM_ICM42688_REG_FIFO_CONFIG1] = 0x07u;
		retime(imu, now_ns);
	}
	return rc;
}

int sim_icm42688_attach(struct sim_icm42688 *imu, struct sim_i2c_bus *bus)
{
	return sim_i2c_attach(bus, imu->address, &sim_icm42688_ops, imu);
}
