/*
 * Test-side protocol helpers shared by agent-test.c and messages-test.c: a Packet decoded with
 * nanopb into one self-contained struct (every repeated, bytes and string field held in it),
 * encoded back from it, and framed. Test code: it uses libc freely.
 */
#ifndef TEST_WIRE_H
#define TEST_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pb_decode.h"
#include "pb_encode.h"
#include "rtio.pb.h"

#define TW_MAX_SQES 64u
#define TW_MAX_CQES 256u
#define TW_MAX_IODEVS 16u
#define TW_MAX_CAPS 8u
#define TW_STR 96u
#define TW_POOL 4096u

/* Bytes of a packet's pool: where one bytes field's content is. */
struct tw_slice {
	uint32_t off;
	uint32_t len;
};

struct tw_sqe {
	rtiohil_Sqe m;
	struct tw_slice tx;
};

struct tw_region {
	rtiohil_Region m;
	struct tw_slice init;
};

struct tw_cqe {
	rtiohil_Cqe m;
	struct tw_slice data;
};

struct tw_iodev {
	rtiohil_IodevDesc m;
	char name[TW_STR];
	char bus[TW_STR];
	char part[TW_STR];
	char caps[TW_MAX_CAPS][TW_STR];
	uint32_t n_caps;
};

/* A Packet with everything variable-sized stored inline: bytes in `pool`. */
struct tw_packet {
	rtiohil_Packet p; /* seq, ack, which_body and the body's scalar fields */
	struct tw_sqe sqes[TW_MAX_SQES];
	uint32_t n_sqes;
	struct tw_region regions[TW_MAX_SQES];
	uint32_t n_regions;
	bool regions_first; /* encode Submit.regions before Submit.sqes (field order is free) */
	struct tw_cqe cqes[TW_MAX_CQES];
	uint32_t n_cqes;
	struct tw_iodev iodevs[TW_MAX_IODEVS];
	uint32_t n_iodevs;
	char build_id[TW_STR];
	char log_text[TW_STR * 2u];
	uint8_t pool[TW_POOL];
	uint32_t pool_used;
	bool overflow; /* something did not fit this struct */
};

/* Empties @p pk: seq 0, ack 0, no body. */
void tw_init(struct tw_packet *pk);

/* Decodes @p len bytes into @p pk. False when nanopb rejects them (or they overflow pk). */
bool tw_decode(const uint8_t *buf, size_t len, struct tw_packet *pk);

/* Encodes @p pk into @p out; returns the length, or 0 when it fails or does not fit. */
size_t tw_encode(const struct tw_packet *pk, uint8_t *out, size_t cap);

/* Frames @p payload (COBS + CRC + delimiter) into @p out; returns the length, 0 on failure. */
size_t tw_frame(const uint8_t *payload, size_t len, uint8_t *out, size_t cap);

/* Appends an SQE to a Submit packet (sets which_body); returns it for further fields. */
rtiohil_Sqe *tw_add_sqe(struct tw_packet *pk, uint32_t id, uint32_t op, uint32_t flags, uint32_t iodev);

/*
 * Appends an SQE that moves @p len bytes through region @p region (1-based) from @p offset: an
 * RX receives into it, any other op (TX, TXRX) sends from it.
 */
rtiohil_Sqe *tw_add_region_sqe(struct tw_packet *pk, uint32_t id, uint32_t op, uint32_t flags, uint32_t iodev,
			       uint32_t len, uint32_t region, uint32_t offset);

/* Appends a region of @p len bytes to a Submit packet, its init @p init_len bytes (0: none). */
void tw_add_region(struct tw_packet *pk, uint32_t len, const uint8_t *init, uint32_t init_len);

/* Sets the TX bytes of SQE @p index. */
void tw_set_tx(struct tw_packet *pk, uint32_t index, const uint8_t *tx, uint32_t len);

/* The bytes of @p slice (slice.len of them). */
const uint8_t *tw_bytes(const struct tw_packet *pk, struct tw_slice slice);

#endif /* TEST_WIRE_H */
