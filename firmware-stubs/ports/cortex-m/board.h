/**
 * @file
 * @brief What the agent's main loop (main.c) needs from the board its image serves: the iodev
 *        table. board_sim.c serves the simulated reference board (firmware-stubs/sim); a machine
 *        with real buses brings its own board.c (ports/ast1030-evb/board.c) in its place.
 */
#ifndef PORT_BOARD_H
#define PORT_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "iodev.h"

/** @brief What the board is, for the agent's build id, e.g. `"reference board"`. */
extern const char board_description[];

/**
 * @brief Sets the board up (its drivers, its devices' power-up state) and returns its iodev table,
 *        NULL-terminated, with the number of iodevs in @p count. @p seed is the sensor seed from
 *        the host mailbox (a simulated board's noise; a board of real parts may ignore it). Called
 *        once, after clock_init() and before interrupts are enabled. Never fails: the table is
 *        built in.
 */
struct agent_iodev **board_init(uint32_t seed, size_t *count);

#endif /* PORT_BOARD_H */
