import { KNOWN_TARGETS } from '../target/open-target';

/** Boards a plain `npm test` runs the target suites on: every target that needs no hardware. */
export const DEFAULT_SUITE_BOARDS: readonly string[] = ['emulator', 'emulator-wire', 'native'];

/**
 * The boards to run target suites on: the one `RTIO_BOARD` names, or {@link DEFAULT_SUITE_BOARDS}.
 * Throws `RangeError` listing the known boards for an unknown `RTIO_BOARD`.
 */
export function suiteBoards(): readonly string[] {
  const one = process.env.RTIO_BOARD;
  if (one === undefined || one === '') return DEFAULT_SUITE_BOARDS;
  if (!KNOWN_TARGETS.includes(one)) throw new RangeError(`RTIO_BOARD="${one}" is not a known board; known: ${KNOWN_TARGETS.join(', ')}`);
  return [one];
}
