import { boardDirs, loadBoard } from '../boards/load-boards';

/**
 * Boards a plain `npm test` runs the target suites on: every target that needs no hardware (each
 * skips, saying what to install, when its toolchain is missing). qemu-mps2-an385 is left out: the
 * same firmware as qemu-lm3s6965evb on a 5-7x slower UART (RTIO_BOARD=qemu-mps2-an385 runs it).
 * qemu-ast1030-evb is the agent's real drivers on QEMU's own device models.
 */
export const DEFAULT_SUITE_BOARDS: readonly string[] = ['emulator', 'emulator-wire', 'native', 'qemu-lm3s6965evb', 'qemu-ast1030-evb'];

/**
 * True when `RTIO_BOARD` names the boards (`rtio-hil test` always sets it): then a board that
 * cannot run is a failure of the run, not a skip. False for {@link DEFAULT_SUITE_BOARDS}, where a
 * target whose toolchain is missing here may skip, saying what to install.
 */
export function boardsNamed(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.RTIO_BOARD ?? '').split(',').some((s) => s.trim() !== '');
}

/**
 * The boards to run target suites on: those `RTIO_BOARD` names (one id, or several separated by
 * commas), else {@link DEFAULT_SUITE_BOARDS}. Each must have a valid board file: throws
 * `UnknownBoardError` (a RangeError) listing the boards that exist, or `BoardFileError` naming
 * the file and field.
 */
export function suiteBoards(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const ids = (env.RTIO_BOARD ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) return DEFAULT_SUITE_BOARDS;
  const dirs = boardDirs(env);
  for (const id of ids) loadBoard(id, dirs);
  return ids.filter((id, i) => ids.indexOf(id) === i);
}
