/**
 * @file
 * @brief CRC-32 as in IEEE 802.3 and zlib, the agent's twin of protocol/crc32.ts; both are
 *        held to protocol/vectors/crc32.json.
 *
 * Reflected polynomial 0xedb88320, initial value and final xor 0xffffffff; the CRC of
 * "123456789" is 0xcbf43926. A table of 256 entries (1 KiB) by default; built with
 * AGENT_CRC32_SMALL (the Cortex-M ports), one of 16 entries (64 bytes) at two lookups per byte.
 */
#ifndef AGENT_CRC32_H
#define AGENT_CRC32_H

#include <stddef.h>
#include <stdint.h>

/**
 * @brief CRC-32 of @p data.
 *
 * @param data Input; may be NULL when @p len is 0.
 * @param len  Input length in bytes.
 * @param seed The CRC of the bytes that came before, or 0 to start: so
 *             `agent_crc32(b, nb, agent_crc32(a, na, 0))` is the CRC of a followed by b
 *             (zlib's convention).
 *
 * @return The CRC. Never fails.
 */
uint32_t agent_crc32(const uint8_t *data, size_t len, uint32_t seed);

#endif /* AGENT_CRC32_H */
