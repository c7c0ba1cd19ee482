/**
 * @file
 * @brief The executor's buffer arena: TX data, RX buffers, regions and mempool reads, in blocks
 *        of AGENT_ARENA_BLOCK bytes with reference counts (CQEs and the SQEs that share a region
 *        each hold one). First fit over a bitmap of used blocks; a second bitmap marks the block
 *        each buffer starts at, so a pointer anywhere into a buffer finds its header.
 *
 * Each buffer starts with a 4-byte header: its length in blocks (16 bits, little-endian), its
 * reference count and a magic byte.
 */
#include "executor_internal.h"

#define HDR_BYTES 4u
#define HDR_BLOCKS 0u /* 2 bytes: the buffer's length in blocks, header included */
#define HDR_REFS 2u   /* references, saturating at 255 */
#define HDR_MAGIC 3u
#define MAGIC 0xa5u

static uint8_t *base(const struct exec_arena *arena)
{
	return (uint8_t *)(uintptr_t)arena->words;
}

static bool bit(const uint32_t *map, uint32_t i)
{
	return ((map[i / 32u] >> (i % 32u)) & 1u) != 0u;
}

static void set_bits(uint32_t *map, uint32_t first, uint32_t n)
{
	uint32_t i;

	for (i = first; i < first + n; i++) {
		map[i / 32u] |= 1u << (i % 32u);
	}
}

static void clear_bits(uint32_t *map, uint32_t first, uint32_t n)
{
	uint32_t i;

	for (i = first; i < first + n; i++) {
		map[i / 32u] &= ~(1u << (i % 32u));
	}
}

static uint32_t hdr_blocks(const uint8_t *hdr)
{
	return (uint32_t)hdr[HDR_BLOCKS] | (uint32_t)hdr[HDR_BLOCKS + 1u] << 8;
}

void arena_init(struct exec_arena *arena)
{
	uint32_t i;

	for (i = 0u; i < EXEC_ARENA_WORDS; i++) {
		arena->used[i] = 0u;
		arena->starts[i] = 0u;
	}
	for (i = 0u; i < AGENT_ARENA_BYTES / 4u; i++) {
		arena->words[i] = 0u;
	}
}

uint8_t *arena_alloc(struct exec_arena *arena, uint32_t len)
{
	uint32_t need;
	uint32_t run = 0u;
	uint32_t i;

	if (len == 0u || len > AGENT_MAX_BUFFER_BYTES) {
		return NULL;
	}
	need = (len + HDR_BYTES + AGENT_ARENA_BLOCK - 1u) / AGENT_ARENA_BLOCK;
	for (i = 0u; i < AGENT_ARENA_BLOCKS; i++) {
		if (bit(arena->used, i)) {
			run = 0u;
			continue;
		}
		if (++run == need) {
			uint32_t first = i + 1u - need;
			uint8_t *hdr = base(arena) + first * AGENT_ARENA_BLOCK;

			set_bits(arena->used, first, need);
			set_bits(arena->starts, first, 1u);
			hdr[HDR_BLOCKS] = (uint8_t)need;
			hdr[HDR_BLOCKS + 1u] = (uint8_t)(need >> 8);
			hdr[HDR_REFS] = 1u;
			hdr[HDR_MAGIC] = MAGIC;
			return hdr + HDR_BYTES;
		}
	}
	return NULL;
}

/*
 * The header of the buffer @p buf points into (anywhere in its bytes: SQEs share a region
 * through pointers into it), or NULL when @p buf points into none.
 */
static uint8_t *header_of(const struct exec_arena *arena, const uint8_t *buf)
{
	const uint8_t *start = base(arena);
	uint32_t block;
	uint32_t first;
	uint8_t *hdr;

	if (buf == NULL || buf < start + HDR_BYTES || buf >= start + AGENT_ARENA_BYTES) {
		return NULL;
	}
	block = (uint32_t)((uintptr_t)(buf - start) / AGENT_ARENA_BLOCK);
	if (!bit(arena->used, block)) {
		return NULL;
	}
	for (first = block; !bit(arena->starts, first); first--) {
		if (first == 0u) {
			return NULL;
		}
	}
	hdr = base(arena) + first * AGENT_ARENA_BLOCK;
	if (hdr[HDR_MAGIC] != MAGIC || buf < hdr + HDR_BYTES || block >= first + hdr_blocks(hdr)) {
		return NULL;
	}
	return hdr;
}

void arena_ref(struct exec_arena *arena, const uint8_t *buf)
{
	uint8_t *hdr = header_of(arena, buf);

	if (hdr != NULL && hdr[HDR_REFS] < UINT8_MAX) {
		hdr[HDR_REFS]++;
	}
}

void arena_unref(struct exec_arena *arena, const uint8_t *buf)
{
	uint8_t *hdr = header_of(arena, buf);
	uint32_t first;

	if (hdr == NULL || hdr[HDR_REFS] == 0u || --hdr[HDR_REFS] != 0u) {
		return;
	}
	first = (uint32_t)((uintptr_t)(hdr - base(arena)) / AGENT_ARENA_BLOCK);
	hdr[HDR_MAGIC] = 0u;
	clear_bits(arena->used, first, hdr_blocks(hdr));
	clear_bits(arena->starts, first, 1u);
}

size_t arena_used(const struct exec_arena *arena)
{
	size_t used = 0u;
	uint32_t i;

	for (i = 0u; i < AGENT_ARENA_BLOCKS; i++) {
		if (bit(arena->used, i)) {
			used += AGENT_ARENA_BLOCK;
		}
	}
	return used;
}

/* ------------------------------------------------------------------ executor.h */

uint8_t *exec_arena_alloc(struct executor *ex, uint32_t len)
{
	return arena_alloc(&ex->arena, len);
}

void exec_arena_unref(struct executor *ex, uint8_t *buf)
{
	arena_unref(&ex->arena, buf);
}

size_t exec_arena_used(const struct executor *ex)
{
	return arena_used(&ex->arena);
}
