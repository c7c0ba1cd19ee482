/* The NOR flash model; see nor_flash.h. Follows harness/emulator/devices/nor-flash.ts. */
#include "nor_flash.h"

#define ADDR_MASK ((uint32_t)(SIM_NOR_FLASH_SIZE - 1ul))
#define PAGE_MASK ((uint32_t)(SIM_NOR_FLASH_PAGE_SIZE - 1u))
#define OP_NONE (-1)

/* ---- Storage: the whole array, or a table of programmed pages. ---- */

#if SIM_NOR_FLASH_SPARSE_PAGES > 0

#define NO_PAGE UINT32_MAX

static struct sim_nor_flash_page *find_page(struct sim_nor_flash *f, uint32_t base)
{
	size_t i;

	for (i = 0; i < SIM_NOR_FLASH_SPARSE_PAGES; i++) {
		if (f->pages[i].base == base) {
			return &f->pages[i];
		}
	}
	return NULL;
}

/* The stored page at base, a new erased one (forgetting the least recently programmed page
 * when none is free), stamped as just programmed. */
static struct sim_nor_flash_page *page_for_write(struct sim_nor_flash *f, uint32_t base)
{
	struct sim_nor_flash_page *p = find_page(f, base);
	size_t i;

	if (p == NULL) {
		p = find_page(f, NO_PAGE);
	}
	if (p == NULL) {
		p = &f->pages[0];
		for (i = 1; i < SIM_NOR_FLASH_SPARSE_PAGES; i++) {
			if (f->pages[i].stamp < p->stamp) {
				p = &f->pages[i];
			}
		}
		p->base = NO_PAGE;
		f->evictions++;
	}
	if (p->base != base) {
		p->base = base;
		for (i = 0; i < SIM_NOR_FLASH_PAGE_SIZE; i++) {
			p->data[i] = SIM_NOR_FLASH_ERASED;
		}
	}
	p->stamp = ++f->next_stamp;
	return p;
}

static uint8_t get_byte(const struct sim_nor_flash *f, uint32_t addr)
{
	uint32_t base = addr & ~PAGE_MASK;
	size_t i;

	for (i = 0; i < SIM_NOR_FLASH_SPARSE_PAGES; i++) {
		if (f->pages[i].base == base) {
			return f->pages[i].data[addr & PAGE_MASK];
		}
	}
	return SIM_NOR_FLASH_ERASED;
}

static void put_byte(struct sim_nor_flash *f, uint32_t addr, uint8_t v)
{
	struct sim_nor_flash_page *p = find_page(f, addr & ~PAGE_MASK);

	if (p == NULL && v == SIM_NOR_FLASH_ERASED) {
		return;
	}
	if (p == NULL) {
		p = page_for_write(f, addr & ~PAGE_MASK);
	}
	p->data[addr & PAGE_MASK] = v;
}

static void program_page(struct sim_nor_flash *f, uint32_t base)
{
	struct sim_nor_flash_page *p = find_page(f, base);
	unsigned off;

	if (p == NULL) {
		bool clears = false;

		for (off = 0; off < SIM_NOR_FLASH_PAGE_SIZE; off++) {
			if ((((unsigned)f->page_set[off / 8u] >> (off % 8u)) & 1u) != 0u && f->page[off] != SIM_NOR_FLASH_ERASED) {
				clears = true;
			}
		}
		if (!clears) {
			return;
		}
	}
	p = page_for_write(f, base);
	for (off = 0; off < SIM_NOR_FLASH_PAGE_SIZE; off++) {
		if ((((unsigned)f->page_set[off / 8u] >> (off % 8u)) & 1u) != 0u) {
			p->data[off] = (uint8_t)(p->data[off] & f->page[off]);
		}
	}
}

static void erase_range(struct sim_nor_flash *f, uint32_t base, uint32_t size)
{
	size_t i;

	for (i = 0; i < SIM_NOR_FLASH_SPARSE_PAGES; i++) {
		if (f->pages[i].base != NO_PAGE && f->pages[i].base - base < size) {
			f->pages[i].base = NO_PAGE;
			f->pages[i].stamp = 0u;
		}
	}
}

static void storage_init(struct sim_nor_flash *f)
{
	size_t i;

	for (i = 0; i < SIM_NOR_FLASH_SPARSE_PAGES; i++) {
		f->pages[i].base = NO_PAGE;
		f->pages[i].stamp = 0u;
	}
	f->next_stamp = 0u;
	f->evictions = 0u;
}

#else /* dense */

static uint8_t get_byte(const struct sim_nor_flash *f, uint32_t addr)
{
	return f->mem[addr];
}

static void put_byte(struct sim_nor_flash *f, uint32_t addr, uint8_t v)
{
	f->mem[addr] = v;
}

static void program_page(struct sim_nor_flash *f, uint32_t base)
{
	unsigned off;

	for (off = 0; off < SIM_NOR_FLASH_PAGE_SIZE; off++) {
		if ((((unsigned)f->page_set[off / 8u] >> (off % 8u)) & 1u) != 0u) {
			f->mem[base + off] = (uint8_t)(f->mem[base + off] & f->page[off]);
		}
	}
}

static void erase_range(struct sim_nor_flash *f, uint32_t base, uint32_t size)
{
	uint32_t i;

	for (i = 0; i < size; i++) {
		f->mem[base + i] = SIM_NOR_FLASH_ERASED;
	}
}

static void storage_init(struct sim_nor_flash *f)
{
	erase_range(f, 0u, (uint32_t)SIM_NOR_FLASH_SIZE);
}

#endif

/* ---- The device. ---- */

uint8_t sim_nor_flash_capacity_id(void)
{
	uint8_t n = 0u;
	unsigned long size = SIM_NOR_FLASH_SIZE;

	while (size > 1ul) {
		size >>= 1;
		n++;
	}
	return n;
}

static void settle(struct sim_nor_flash *f, uint64_t now_ns)
{
	if (f->busy && now_ns >= f->busy_until_ns) {
		f->busy = false;
		f->wel = false;
	}
}

uint8_t sim_nor_flash_status(struct sim_nor_flash *f, uint64_t now_ns)
{
	settle(f, now_ns);
	return (uint8_t)((f->busy ? SIM_NOR_FLASH_SR_BUSY : 0u) | (f->wel ? SIM_NOR_FLASH_SR_WEL : 0u));
}

uint64_t sim_nor_flash_busy_until(struct sim_nor_flash *f, uint64_t now_ns)
{
	settle(f, now_ns);
	return f->busy ? f->busy_until_ns : SIM_NEVER_NS;
}

static void start_busy(struct sim_nor_flash *f, uint64_t duration_ns, uint64_t now_ns)
{
	f->busy = true;
	f->busy_until_ns = now_ns + duration_ns;
}

static bool known_op(uint8_t op)
{
	switch (op) {
	case SIM_NOR_FLASH_CMD_PAGE_PROGRAM:
	case SIM_NOR_FLASH_CMD_READ:
	case SIM_NOR_FLASH_CMD_WRITE_DISABLE:
	case SIM_NOR_FLASH_CMD_READ_STATUS:
	case SIM_NOR_FLASH_CMD_WRITE_ENABLE:
	case SIM_NOR_FLASH_CMD_FAST_READ:
	case SIM_NOR_FLASH_CMD_SECTOR_ERASE:
	case SIM_NOR_FLASH_CMD_CHIP_ERASE_ALT:
	case SIM_NOR_FLASH_CMD_JEDEC_ID:
	case SIM_NOR_FLASH_CMD_CHIP_ERASE:
	case SIM_NOR_FLASH_CMD_BLOCK_ERASE:
		return true;
	default:
		return false;
	}
}

static void command(struct sim_nor_flash *f, uint8_t op, uint64_t now_ns)
{
	bool needs_wel = op == SIM_NOR_FLASH_CMD_PAGE_PROGRAM || op == SIM_NOR_FLASH_CMD_SECTOR_ERASE ||
			 op == SIM_NOR_FLASH_CMD_BLOCK_ERASE || op == SIM_NOR_FLASH_CMD_CHIP_ERASE ||
			 op == SIM_NOR_FLASH_CMD_CHIP_ERASE_ALT;
	unsigned i;

	settle(f, now_ns);
	if (!known_op(op) || (f->busy && op != SIM_NOR_FLASH_CMD_READ_STATUS) || (needs_wel && !f->wel)) {
		f->ignored_commands++;
		return;
	}
	f->op = (int16_t)op;
	if (op == SIM_NOR_FLASH_CMD_PAGE_PROGRAM) {
		for (i = 0; i < sizeof(f->page_set); i++) {
			f->page_set[i] = 0u;
		}
	}
}

static void address_byte(struct sim_nor_flash *f, uint8_t byte)
{
	f->addr = ((f->addr << 8) | byte) & ADDR_MASK;
}

static void fl_select(void *dev, uint64_t now_ns)
{
	struct sim_nor_flash *f = dev;

	(void)now_ns;
	f->selected = true;
	f->op = OP_NONE;
	f->count = 0u;
	f->addr = 0u;
	f->page_bytes = 0u;
}

static uint8_t fl_transfer(void *dev, uint8_t mosi, uint64_t now_ns)
{
	struct sim_nor_flash *f = dev;
	uint32_t i;

	if (!f->selected) {
		return SIM_NOR_FLASH_ERASED;
	}
	i = f->count++;
	if (i == 0u) {
		command(f, mosi, now_ns);
		return SIM_NOR_FLASH_ERASED;
	}
	switch (f->op) {
	case SIM_NOR_FLASH_CMD_JEDEC_ID:
		return i == 1u ? 0xefu : i == 2u ? 0x40u : i == 3u ? sim_nor_flash_capacity_id() : SIM_NOR_FLASH_ERASED;
	case SIM_NOR_FLASH_CMD_READ_STATUS:
		return sim_nor_flash_status(f, now_ns);
	case SIM_NOR_FLASH_CMD_READ:
	case SIM_NOR_FLASH_CMD_FAST_READ: {
		uint8_t v;

		if (i <= 3u) {
			address_byte(f, mosi);
			return SIM_NOR_FLASH_ERASED;
		}
		if (f->op == SIM_NOR_FLASH_CMD_FAST_READ && i == 4u) {
			return SIM_NOR_FLASH_ERASED;
		}
		v = get_byte(f, f->addr);
		f->addr = (f->addr + 1u) & ADDR_MASK;
		return v;
	}
	case SIM_NOR_FLASH_CMD_PAGE_PROGRAM:
		if (i <= 3u) {
			address_byte(f, mosi);
		} else {
			uint32_t off = (f->addr + i - 4u) & PAGE_MASK;

			f->page[off] = mosi;
			f->page_set[off / 8u] = (uint8_t)(f->page_set[off / 8u] | (1u << (off % 8u)));
			f->page_bytes++;
		}
		return SIM_NOR_FLASH_ERASED;
	case SIM_NOR_FLASH_CMD_SECTOR_ERASE:
	case SIM_NOR_FLASH_CMD_BLOCK_ERASE:
		if (i <= 3u) {
			address_byte(f, mosi);
		}
		return SIM_NOR_FLASH_ERASED;
	default:
		return SIM_NOR_FLASH_ERASED;
	}
}

static void fl_deselect(void *dev, uint64_t now_ns)
{
	struct sim_nor_flash *f = dev;
	uint32_t n;
	int16_t op;

	if (!f->selected) {
		return;
	}
	f->selected = false;
	n = f->count;
	op = f->op;
	f->op = OP_NONE;
	switch (op) {
	case OP_NONE:
	case SIM_NOR_FLASH_CMD_JEDEC_ID:
	case SIM_NOR_FLASH_CMD_READ_STATUS:
	case SIM_NOR_FLASH_CMD_READ:
	case SIM_NOR_FLASH_CMD_FAST_READ:
		return;
	case SIM_NOR_FLASH_CMD_WRITE_ENABLE:
	case SIM_NOR_FLASH_CMD_WRITE_DISABLE:
		if (n != 1u) {
			break;
		}
		f->wel = op == SIM_NOR_FLASH_CMD_WRITE_ENABLE;
		return;
	case SIM_NOR_FLASH_CMD_PAGE_PROGRAM:
		if (f->page_bytes == 0u) {
			break;
		}
		program_page(f, f->addr & ~PAGE_MASK);
		f->programs++;
		start_busy(f, f->t_pp_ns, now_ns);
		return;
	case SIM_NOR_FLASH_CMD_SECTOR_ERASE:
	case SIM_NOR_FLASH_CMD_BLOCK_ERASE: {
		uint32_t size = op == SIM_NOR_FLASH_CMD_SECTOR_ERASE ? SIM_NOR_FLASH_SECTOR_SIZE : SIM_NOR_FLASH_BLOCK_SIZE;

		if (n != 4u) {
			break;
		}
		erase_range(f, f->addr & ~(size - 1u), size);
		f->erases++;
		start_busy(f, op == SIM_NOR_FLASH_CMD_SECTOR_ERASE ? f->t_se_ns : f->t_be_ns, now_ns);
		return;
	}
	case SIM_NOR_FLASH_CMD_CHIP_ERASE:
	case SIM_NOR_FLASH_CMD_CHIP_ERASE_ALT:
		if (n != 1u) {
			break;
		}
		erase_range(f, 0u, (uint32_t)SIM_NOR_FLASH_SIZE);
		f->erases++;
		start_busy(f, f->t_ce_ns, now_ns);
		return;
	default:
		break;
	}
	f->ignored_commands++;
}

const struct sim_spi_device_ops sim_nor_flash_ops = { fl_select, fl_transfer, fl_deselect };

void sim_nor_flash_init(struct sim_nor_flash *f)
{
	sim_zero(f, sizeof(*f));
	storage_init(f);
	f->t_pp_ns = SIM_NOR_FLASH_T_PP_NS;
	f->t_se_ns = SIM_NOR_FLASH_T_SE_NS;
	f->t_be_ns = SIM_NOR_FLASH_T_BE_NS;
	f->t_ce_ns = SIM_NOR_FLASH_T_CE_NS;
	f->op = OP_NONE;
}

static bool in_range(uint32_t addr, uint32_t len)
{
	return addr < SIM_NOR_FLASH_SIZE && len <= SIM_NOR_FLASH_SIZE - addr;
}

int sim_nor_flash_peek(const struct sim_nor_flash *f, uint32_t addr, uint8_t *out, uint32_t len)
{
	uint32_t i;

	if (!in_range(addr, len)) {
		return -AGENT_EINVAL;
	}
	for (i = 0; i < len; i++) {
		out[i] = get_byte(f, addr + i);
	}
	return 0;
}

int sim_nor_flash_poke(struct sim_nor_flash *f, uint32_t addr, const uint8_t *data, uint32_t len)
{
	uint32_t i;

	if (!in_range(addr, len)) {
		return -AGENT_EINVAL;
	}
	for (i = 0; i < len; i++) {
		put_byte(f, addr + i, data[i]);
	}
	return 0;
}
