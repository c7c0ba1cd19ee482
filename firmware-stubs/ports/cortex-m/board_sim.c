/**
 * @file
 * @brief The simulated reference board (firmware-stubs/sim/board.h, sparse NOR flash) as a
 *        Cortex-M image's board: every bus and device is a model in RAM, as on the posix port.
 */
#include "../../sim/board.h"
#include "board.h"

const char board_description[] = "reference board";

static struct sim_board board;

struct agent_iodev **board_init(uint32_t seed, size_t *count)
{
	sim_board_init(&board, seed);
	*count = SIM_BOARD_IODEVS;
	return board.table;
}
