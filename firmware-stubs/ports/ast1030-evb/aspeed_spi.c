/* SPI1 in user mode; see aspeed_spi.h. */
#include "aspeed_spi.h"
#include "ast1030.h"

#define WINDOW REG8(SPI1_CS0_WINDOW)

static uint64_t spi_begin(void *ctrl, uint8_t cs, uint64_t at_ns)
{
	struct aspeed_spi *s = ctrl;

	(void)cs;
	/* User mode with CS released first, then asserted: the device sees one falling edge. */
	SPI_CE0_CTRL = SPI_CTRL_USER_MODE | SPI_CTRL_CE_STOP_ACTIVE;
	SPI_CE0_CTRL = SPI_CTRL_USER_MODE;
	s->selected = true;
	s->episode_bytes = 0u;
	s->start_ns = at_ns;
	s->episodes++;
	return at_ns;
}

static uint8_t spi_exchange(void *ctrl, uint8_t mosi, bool capture)
{
	struct aspeed_spi *s = ctrl;
	uint8_t miso = 0xFFu;

	if (!s->selected) {
		return miso;
	}
	if (capture) {
		miso = WINDOW; /* the controller sends 0x00, the iodev's fill byte */
	} else {
		WINDOW = mosi;
	}
	s->episode_bytes++;
	s->bytes++;
	return miso;
}

static uint32_t spi_episode_bytes(const void *ctrl)
{
	const struct aspeed_spi *s = ctrl;

	return s->selected ? s->episode_bytes : 0u;
}

static uint64_t spi_end(void *ctrl)
{
	struct aspeed_spi *s = ctrl;

	SPI_CE0_CTRL = SPI_CTRL_USER_MODE | SPI_CTRL_CE_STOP_ACTIVE;
	s->selected = false;
	return s->start_ns;
}

static const struct sim_spi_ctrl_api aspeed_spi_api = { spi_begin, spi_exchange, spi_episode_bytes, spi_end, NULL, true };

void aspeed_spi_init(struct aspeed_spi *s)
{
	s->episode_bytes = 0u;
	s->start_ns = 0u;
	s->selected = false;
	s->episodes = 0u;
	s->bytes = 0u;
	SPI_CONF |= SPI_CONF_CE0_WRITE;
	SPI_CE0_CTRL = SPI_CTRL_USER_MODE | SPI_CTRL_CE_STOP_ACTIVE;
}

struct sim_spi_ctrl aspeed_spi_ctrl(struct aspeed_spi *s)
{
	struct sim_spi_ctrl ctrl;

	ctrl.api = &aspeed_spi_api;
	ctrl.ctx = s;
	return ctrl;
}
