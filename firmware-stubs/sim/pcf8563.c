/* The PCF8563 model; see pcf8563.h. Follows harness/emulator/devices/pcf8563.ts. */
#include "pcf8563.h"

#define NS_PER_S 1000000000u
#define SECONDS_PER_DAY 86400u
#define DAYS_PER_4_YEARS 1461u

static const uint8_t days_in_month[12] = { 31u, 28u, 31u, 30u, 31u, 30u, 31u, 31u, 30u, 31u, 30u, 31u };
/* Bits each register keeps when written (time registers: their valid bits). */
static const uint8_t writable[SIM_PCF8563_REGISTERS] = {
	0xa8u, 0x1fu, 0xffu, 0x7fu, 0x3fu, 0x3fu, 0x07u, 0x9fu, 0xffu, 0xffu, 0xffu, 0xffu, 0xffu, 0x83u, 0x83u, 0xffu,
};
/* One timer count in eighths of a ns, for TD1:TD0 = 0..3 (4096 Hz, 64 Hz, 1 Hz, 1/60 Hz): 8e9 / Hz. */
static const uint64_t count_8ns[4] = { 1953125u, 125000000u, 8000000000u, 480000000000u };

static bool is_leap(uint32_t year)
{
	return year % 4u == 0u;
}

static uint32_t month_days(uint32_t year, uint32_t month)
{
	return month == 2u && is_leap(year) ? 29u : days_in_month[month - 1u];
}

uint8_t sim_pcf8563_to_bcd(uint32_t v)
{
	return (uint8_t)((((v / 10u) % 10u) << 4) | (v % 10u));
}

uint32_t sim_pcf8563_from_bcd(uint8_t b)
{
	return ((uint32_t)b >> 4) * 10u + (b & 0x0fu);
}

uint32_t sim_pcf8563_days_from_date(uint32_t year, uint32_t month, uint32_t day)
{
	uint32_t days = year * 365u + (year + 3u) / 4u;
	uint32_t m;

	for (m = 1u; m < month; m++) {
		days += month_days(year, m);
	}
	return days + day - 1u;
}

void sim_pcf8563_date_from_days(uint64_t days, uint8_t *year, uint8_t *month, uint8_t *day, bool *flipped)
{
	uint64_t cycle = days / SIM_PCF8563_DAYS_PER_CENTURY;
	uint32_t rem = (uint32_t)(days % SIM_PCF8563_DAYS_PER_CENTURY);
	uint32_t y = rem / DAYS_PER_4_YEARS * 4u;
	uint32_t m = 1u;

	rem %= DAYS_PER_4_YEARS;
	if (rem >= 366u) {
		uint32_t more = (rem - 366u) / 365u;

		y += 1u + more;
		rem = rem - 366u - more * 365u;
	}
	while (rem >= month_days(y, m)) {
		rem -= month_days(y, m);
		m++;
	}
	*year = (uint8_t)y;
	*month = (uint8_t)m;
	*day = (uint8_t)(rem + 1u);
	*flipped = cycle % 2u == 1u;
}

static bool stopped(const struct sim_pcf8563 *c)
{
	return (c->regs[SIM_PCF8563_REG_CONTROL1] & SIM_PCF8563_CTRL1_STOP) != 0u;
}

uint64_t sim_pcf8563_seconds(const struct sim_pcf8563 *c, uint64_t now_ns)
{
	if (stopped(c) || now_ns < c->base_at_ns) {
		return c->base;
	}
	return c->base + (now_ns - c->base_at_ns) / NS_PER_S;
}

void sim_pcf8563_time(const struct sim_pcf8563 *c, uint64_t now_ns, struct sim_pcf8563_time *t)
{
	uint64_t s = sim_pcf8563_seconds(c, now_ns);
	uint64_t days = s / SECONDS_PER_DAY;
	uint32_t in_day = (uint32_t)(s % SECONDS_PER_DAY);
	uint64_t base_days = c->base / SECONDS_PER_DAY;
	bool flipped;

	sim_pcf8563_date_from_days(days, &t->year, &t->month, &t->day, &flipped);
	t->seconds = (uint8_t)(in_day % 60u);
	t->minutes = (uint8_t)(in_day / 60u % 60u);
	t->hours = (uint8_t)(in_day / 3600u);
	t->weekday = (uint8_t)((c->base_weekday + (days - base_days)) % 7u);
	t->century = c->base_century != flipped;
}

/* Freezes the time registers as they are at now_ns. */
static void latch_time(struct sim_pcf8563 *c, uint64_t now_ns)
{
	struct sim_pcf8563_time t;

	sim_pcf8563_time(c, now_ns, &t);
	c->latch[0] = (uint8_t)((c->vl ? SIM_PCF8563_SECONDS_VL : 0u) | sim_pcf8563_to_bcd(t.seconds));
	c->latch[1] = sim_pcf8563_to_bcd(t.minutes);
	c->latch[2] = sim_pcf8563_to_bcd(t.hours);
	c->latch[3] = sim_pcf8563_to_bcd(t.day);
	c->latch[4] = t.weekday;
	c->latch[5] = (uint8_t)((t.century ? SIM_PCF8563_MONTHS_CENTURY : 0u) | sim_pcf8563_to_bcd(t.month));
	c->latch[6] = sim_pcf8563_to_bcd(t.year);
}

static uint32_t clamp(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Sets the clock from time registers r (SECONDS..YEARS) at now_ns. */
static void set_time(struct sim_pcf8563 *c, const uint8_t *r, uint64_t now_ns)
{
	uint32_t year = clamp(sim_pcf8563_from_bcd(r[6]), 0u, 99u);
	uint32_t month = clamp(sim_pcf8563_from_bcd((uint8_t)(r[5] & 0x1fu)), 1u, 12u);
	uint32_t day = clamp(sim_pcf8563_from_bcd((uint8_t)(r[3] & 0x3fu)), 1u, month_days(year, month));
	uint32_t hours = clamp(sim_pcf8563_from_bcd((uint8_t)(r[2] & 0x3fu)), 0u, 23u);
	uint32_t minutes = clamp(sim_pcf8563_from_bcd((uint8_t)(r[1] & 0x7fu)), 0u, 59u);
	uint32_t seconds = clamp(sim_pcf8563_from_bcd((uint8_t)(r[0] & 0x7fu)), 0u, 59u);
	uint32_t weekday = r[4] & 0x07u;

	c->vl = (r[0] & SIM_PCF8563_SECONDS_VL) != 0u;
	c->base_century = (r[5] & SIM_PCF8563_MONTHS_CENTURY) != 0u;
	c->base_weekday = (uint8_t)(weekday > 6u ? 6u : weekday);
	c->base = (uint64_t)sim_pcf8563_days_from_date(year, month, day) * SECONDS_PER_DAY + hours * 3600u + minutes * 60u + seconds;
	c->base_at_ns = now_ns;
}

/* One count of the timer in eighths of a ns times the count: the period, or 0 with the timer off. */
static uint64_t timer_period_8ns(const struct sim_pcf8563 *c)
{
	uint8_t ctl = c->regs[SIM_PCF8563_REG_TIMER_CONTROL];
	uint8_t n = c->regs[SIM_PCF8563_REG_TIMER];

	if ((ctl & SIM_PCF8563_TIMER_TE) == 0u || n == 0u) {
		return 0u;
	}
	return count_8ns[ctl & 0x03u] * n;
}

/* Sets TF if the timer expired since it was last looked at. */
static void update_timer(struct sim_pcf8563 *c, uint64_t now_ns)
{
	uint64_t period = timer_period_8ns(c);
	uint64_t k;

	if (period == 0u || now_ns < c->timer_epoch_ns) {
		return;
	}
	k = (now_ns - c->timer_epoch_ns) * 8u / period;
	if (k <= c->timer_counted) {
		return;
	}
	c->timer_counted = k;
	c->timer_flags++;
	c->regs[SIM_PCF8563_REG_CONTROL2] = (uint8_t)(c->regs[SIM_PCF8563_REG_CONTROL2] | SIM_PCF8563_CTRL2_TF);
}

bool sim_pcf8563_interrupt(struct sim_pcf8563 *c, uint64_t now_ns)
{
	uint8_t c2;

	update_timer(c, now_ns);
	c2 = c->regs[SIM_PCF8563_REG_CONTROL2];
	return ((c2 & SIM_PCF8563_CTRL2_TF) != 0u && (c2 & SIM_PCF8563_CTRL2_TIE) != 0u) ||
	       ((c2 & SIM_PCF8563_CTRL2_AF) != 0u && (c2 & SIM_PCF8563_CTRL2_AIE) != 0u);
}

uint64_t sim_pcf8563_next_timer_flag_ns(struct sim_pcf8563 *c, uint64_t now_ns)
{
	uint64_t period;

	update_timer(c, now_ns);
	period = timer_period_8ns(c);
	if (period == 0u) {
		return SIM_NEVER_NS;
	}
	return c->timer_epoch_ns + ((c->timer_counted + 1u) * period + 7u) / 8u;
}

static void write_register(struct sim_pcf8563 *c, uint8_t reg, uint8_t v, uint64_t now_ns)
{
	uint8_t kept = (uint8_t)(v & writable[reg]);

	if (reg >= SIM_PCF8563_REG_SECONDS && reg <= SIM_PCF8563_REG_YEARS) {
		c->latch[reg - SIM_PCF8563_REG_SECONDS] = kept;
		c->latch_written = true;
		return;
	}
	switch (reg) {
	case SIM_PCF8563_REG_CONTROL1: {
		bool was_stopped = stopped(c);
		bool stop = (kept & SIM_PCF8563_CTRL1_STOP) != 0u;

		if (!was_stopped && stop) {
			c->base = sim_pcf8563_seconds(c, now_ns);
		}
		if (was_stopped != stop) {
			c->base_at_ns = now_ns;
		}
		c->regs[reg] = kept;
		return;
	}
	case SIM_PCF8563_REG_CONTROL2: {
		const uint8_t flags = SIM_PCF8563_CTRL2_TF | SIM_PCF8563_CTRL2_AF;

		update_timer(c, now_ns);
		c->regs[reg] = (uint8_t)((kept & ~flags) | (c->regs[reg] & kept & flags));
		return;
	}
	case SIM_PCF8563_REG_TIMER_CONTROL:
	case SIM_PCF8563_REG_TIMER: {
		uint64_t before;

		update_timer(c, now_ns);
		before = timer_period_8ns(c);
		c->regs[reg] = kept;
		if (reg == SIM_PCF8563_REG_TIMER || timer_period_8ns(c) != before) {
			c->timer_epoch_ns = now_ns;
			c->timer_counted = 0u;
		}
		return;
	}
	default:
		c->regs[reg] = kept;
		return;
	}
}

static uint8_t read_register(struct sim_pcf8563 *c, uint8_t reg, uint64_t now_ns)
{
	if (reg >= SIM_PCF8563_REG_SECONDS && reg <= SIM_PCF8563_REG_YEARS) {
		return c->latch[reg - SIM_PCF8563_REG_SECONDS];
	}
	if (reg == SIM_PCF8563_REG_CONTROL2) {
		update_timer(c, now_ns);
	}
	return c->regs[reg];
}

static bool rtc_start(void *dev, bool read, uint64_t now_ns)
{
	struct sim_pcf8563 *c = dev;

	if (!c->in_transfer) {
		c->in_transfer = true;
		latch_time(c, now_ns);
		c->latch_written = false;
	}
	c->writing = !read;
	c->pointer_set = false;
	return true;
}

static bool rtc_write(void *dev, uint8_t byte, uint64_t now_ns)
{
	struct sim_pcf8563 *c = dev;

	if (!c->writing) {
		return false;
	}
	if (!c->pointer_set) {
		c->pointer = (uint8_t)(byte & 0x0fu);
		c->pointer_set = true;
		return true;
	}
	write_register(c, c->pointer, byte, now_ns);
	c->pointer = (uint8_t)((c->pointer + 1u) % SIM_PCF8563_REGISTERS);
	return true;
}

static uint8_t rtc_read(void *dev, uint64_t now_ns)
{
	struct sim_pcf8563 *c = dev;
	uint8_t v = read_register(c, c->pointer, now_ns);

	c->pointer = (uint8_t)((c->pointer + 1u) % SIM_PCF8563_REGISTERS);
	return v;
}

static void rtc_stop(void *dev, uint64_t now_ns)
{
	struct sim_pcf8563 *c = dev;

	c->in_transfer = false;
	c->writing = false;
	if (!c->latch_written) {
		return;
	}
	c->latch_written = false;
	set_time(c, c->latch, now_ns);
}

const struct sim_i2c_device_ops sim_pcf8563_ops = { rtc_start, rtc_write, rtc_read, rtc_stop };

void sim_pcf8563_init(struct sim_pcf8563 *c, uint64_t start_seconds)
{
	sim_zero(c, sizeof(*c));
	c->regs[SIM_PCF8563_REG_CONTROL1] = 0x08u;
	c->regs[SIM_PCF8563_REG_CLKOUT] = 0x80u;
	c->regs[SIM_PCF8563_REG_TIMER_CONTROL] = 0x03u;
	c->base = start_seconds;
	c->base_weekday = SIM_PCF8563_POR_WEEKDAY;
	c->vl = true;
}

int sim_pcf8563_attach(struct sim_pcf8563 *c, struct sim_i2c_bus *bus)
{
	return sim_i2c_attach(bus, SIM_PCF8563_ADDRESS, &sim_pcf8563_ops, c);
}
