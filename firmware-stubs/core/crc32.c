/**
 * @file
 * @brief CRC-32; see crc32.h.
 */
#include "crc32.h"

/*
 * One entry per 4-bit value rather than per byte: 64 bytes of flash instead of 1 KiB, at two
 * lookups per byte, which is plenty for a serial link.
 */
static const uint32_t crc32_nibble_table[16] = {
	0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu,
	0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
	0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
	0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
};

uint32_t agent_crc32(const uint8_t *data, size_t len, uint32_t seed)
{
	uint32_t crc = ~seed;
	size_t i;

	for (i = 0u; i < len; i++) {
		crc ^= data[i];
		crc = (crc >> 4) ^ crc32_nibble_table[crc & 0x0fu];
		crc = (crc >> 4) ^ crc32_nibble_table[crc & 0x0fu];
	}
	return ~crc;
}
