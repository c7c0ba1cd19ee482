/* The TMP102 model; see tmp102.h. Follows harness/emulator/devices/tmp102.ts. */
#include "tmp102.h"

#define CFG_SD 0x0100u
#define CFG_POL 0x0400u
#define CFG_OS 0x8000u
#define CFG_EM 0x0010u
#define CFG_AL 0x0020u
#define CFG_WRITABLE 0x9fd0u
#define HALF_PERIOD_MS (SIM_TMP102_DRIFT_PERIOD_MS / 2u)
/* 21 °C + 1 LSB, in LSB, and the span of the triangle: 27 - 21 °C - 2 LSB. */
#define DRIFT_BASE_RAW 337
#define DRIFT_SPAN_RAW 94u

static const uint32_t conversion_period_ms[4] = { 4000u, 1000u, 250u, 125u };

/* floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* v >> s with sign extension (an arithmetic shift, as JavaScript's >>). */
static int32_t asr(int32_t v, unsigned s)
{
	return (int32_t)floor_div(v, (int64_t)1 << s);
}

static int32_t sample_raw(const struct sim_tmp102 *t, uint64_t now_ns)
{
	uint64_t period_ns;
	uint64_t n;
	uint64_t phase;
	uint64_t num;
	int32_t noise;

	if (t->pinned) {
		return t->pinned_raw;
	}
	period_ns = (uint64_t)conversion_period_ms[(t->config >> 6) & 3u] * SIM_NS_PER_MS;
	n = now_ns / period_ns;
	phase = ((uint64_t)(sim_hash32(t->seed) % SIM_TMP102_DRIFT_PERIOD_MS) +
		 n * conversion_period_ms[(t->config >> 6) & 3u]) % SIM_TMP102_DRIFT_PERIOD_MS;
	num = DRIFT_SPAN_RAW * (phase < HALF_PERIOD_MS ? phase : SIM_TMP102_DRIFT_PERIOD_MS - phase);
	noise = (int32_t)(sim_hash32(t->seed ^ sim_hash32((uint32_t)n)) % 3u) - 1;
	/* 337 + noise + 94 * tri, tri = num / (94 * 300000), rounded half up like Math.round. */
	return DRIFT_BASE_RAW + noise + (int32_t)((2u * num + HALF_PERIOD_MS) / (2u * HALF_PERIOD_MS));
}

int32_t sim_tmp102_temperature_raw(const struct sim_tmp102 *t, uint64_t now_ns)
{
	return t->frozen ? t->frozen_raw : sample_raw(t, now_ns);
}

static uint16_t encode(const struct sim_tmp102 *t, int32_t raw)
{
	bool ext = (t->config & CFG_EM) != 0u;
	int32_t max = ext ? 4095 : 2047;

	if (raw > max) {
		raw = max;
	} else if (raw < -max - 1) {
		raw = -max - 1;
	}
	return ext ? (uint16_t)((((uint32_t)raw << 3) | 1u) & 0xffffu) : (uint16_t)(((uint32_t)raw << 4) & 0xffffu);
}

/* The register value as °C / LSB, from its 12- or 13-bit left-justified form. */
static int32_t reg_to_raw(uint16_t reg, bool ext)
{
	return asr((int32_t)(int16_t)reg, ext ? 3u : 4u);
}

static uint16_t config_value(struct sim_tmp102 *t, uint64_t now_ns)
{
	bool ext = (t->config & CFG_EM) != 0u;
	int32_t c = reg_to_raw(encode(t, sim_tmp102_temperature_raw(t, now_ns)), ext);
	bool al;
	unsigned v;

	if (c >= reg_to_raw(t->thigh, ext)) {
		t->alert = true;
	} else if (c < reg_to_raw(t->tlow, ext)) {
		t->alert = false;
	}
	al = t->alert == ((t->config & CFG_POL) != 0u);
	v = (t->config & ~CFG_AL) | (al ? CFG_AL : 0u) | ((t->config & CFG_SD) != 0u ? CFG_OS : 0u);
	return (uint16_t)v;
}

uint16_t sim_tmp102_register(struct sim_tmp102 *t, uint8_t reg, uint64_t now_ns)
{
	switch (reg & 3u) {
	case SIM_TMP102_REG_TEMP:
		return encode(t, sim_tmp102_temperature_raw(t, now_ns));
	case SIM_TMP102_REG_CONFIG:
		return config_value(t, now_ns);
	case SIM_TMP102_REG_TLOW:
		return t->tlow;
	default:
		return t->thigh;
	}
}

static void write_register(struct sim_tmp102 *t, uint16_t v, uint64_t now_ns)
{
	switch (t->pointer) {
	case SIM_TMP102_REG_CONFIG: {
		bool was_shutdown = (t->config & CFG_SD) != 0u;
		int32_t before = sim_tmp102_temperature_raw(t, now_ns);

		t->config = (uint16_t)((t->config & ~CFG_WRITABLE) | (v & CFG_WRITABLE));
		if ((t->config & CFG_SD) != 0u) {
			t->frozen_raw = was_shutdown && (v & CFG_OS) == 0u ? before : sample_raw(t, now_ns);
			t->frozen = true;
		} else {
			t->frozen = false;
		}
		t->config = (uint16_t)(t->config & ~CFG_OS);
		return;
	}
	case SIM_TMP102_REG_TLOW:
		t->tlow = v;
		return;
	case SIM_TMP102_REG_THIGH:
		t->thigh = v;
		return;
	default:
		return;
	}
}

static bool tmp_start(void *dev, bool read, uint64_t now_ns)
{
	struct sim_tmp102 *t = dev;

	(void)now_ns;
	t->writing = !read;
	t->received = 0u;
	t->read_index = 0u;
	return true;
}

static bool tmp_write(void *dev, uint8_t byte, uint64_t now_ns)
{
	struct sim_tmp102 *t = dev;
	uint8_t n;

	if (!t->writing) {
		return false;
	}
	n = t->received;
	if (n < 3u) {
		t->received++;
	}
	if (n == 0u) {
		t->pointer = (uint8_t)(byte & 3u);
	} else if (n == 1u) {
		t->msb = byte;
	} else if (n == 2u) {
		write_register(t, (uint16_t)(((unsigned)t->msb << 8) | byte), now_ns);
	}
	return true;
}

static uint8_t tmp_read(void *dev, uint64_t now_ns)
{
	struct sim_tmp102 *t = dev;
	uint16_t v = sim_tmp102_register(t, t->pointer, now_ns);
	bool high = t->read_index % 2u == 0u;

	t->read_index = (uint8_t)((t->read_index + 1u) % 2u);
	return high ? (uint8_t)(v >> 8) : (uint8_t)(v & 0xffu);
}

static void tmp_stop(void *dev, uint64_t now_ns)
{
	struct sim_tmp102 *t = dev;

	(void)now_ns;
	t->writing = false;
}

const struct sim_i2c_device_ops sim_tmp102_ops = { tmp_start, tmp_write, tmp_read, tmp_stop };

int sim_tmp102_init(struct sim_tmp102 *t, uint16_t address, uint32_t seed)
{
	int rc = sim_pick_address(&address, SIM_TMP102_DEFAULT_ADDRESS, 0x48u, 0x4bu);

	sim_zero(t, sizeof(*t)); /* the pointer too: SIM_TMP102_REG_TEMP is 0 */
	t->seed = seed;
	t->address = address;
	t->config = SIM_TMP102_CONFIG_POR;
	t->tlow = SIM_TMP102_TLOW_POR;
	t->thigh = SIM_TMP102_THIGH_POR;
	return rc;
}

int sim_tmp102_attach(struct sim_tmp102 *t, struct sim_i2c_bus *bus)
{
	return sim_i2c_attach(bus, t->address, &sim_tmp102_ops, t);
}

int sim_tmp102_set_temperature_mc(struct sim_tmp102 *t, int32_t millicelsius)
{
	if (millicelsius < -55000 || millicelsius > 150000) {
		return -AGENT_EINVAL;
	}
	/* round(mc / 62.5) half up, as Math.round(celsius / 0.0625) */
	t->pinned_raw = (int32_t)floor_div(4 * (int64_t)millicelsius + 125, 250);
	t->pinned = true;
	return 0;
}

void sim_tmp102_unpin(struct sim_tmp102 *t)
{
	t->pinned = false;
}
