/** The help text of `rtio-hil test`. */
import { boardIds } from '../boards/load-boards';
import { LEASE_DIR_ENV } from '../farm/lease';
import { JUNIT_ENV } from '../report/junit';
import { EXIT_STATUS_TEXT } from './errors';

/** Longest wait for a board another run holds, by default, in seconds. */
export const DEFAULT_WAIT_S = 600;

/** Usage of `rtio-hil test`. */
export function testUsage(): string {
  return `usage: rtio-hil test [--board ID]... [options] [suite...] [-- mocha options]

Runs mocha suites (files or folders of *.test.{js,cjs,mjs,ts}; default: rtio-hil's own suites,
rtio-api and conformance) once per board, the boards in parallel, one worker each (their lines
prefixed with the board); a suite reads its board from RTIO_BOARD, which holds one id per run
(openTarget() opens it, suiteBoards() lists it). A board reached through a port (serial, tcp,
rfc2217, labgrid) is leased for its run, so two runs on this host never share it (a second run
waits; ${LEASE_DIR_ENV} holds the leases); a labgrid board's place is reserved and locked with
labgrid-client, and unlocked at the end, also after a failure or Ctrl-C. Prints how many tests
will run, a line per test as it ends ([done/total] and the time left), what opening a board is
busy with (builds, QEMU, waiting for a board), failures classed as assertion or infrastructure,
and a summary per board. Paths are relative to the current folder; "rtio-api" and "conformance"
name rtio-hil's suites. TypeScript suites need ts-node or tsx installed.

options:
  --board ID    a board to run on, repeatable (or comma-separated); default RTIO_BOARD,
                else emulator. known: ${boardIds().join(', ')}
  --grep RE     only tests whose full title matches RE (mocha --grep)
  --bail        stop a board's run at its first failure (mocha --bail)
  --seed N      seed of the emulator's device values (RTIO_SEED); default 1
  --port PATH   serial boards: use this port instead of matching (RTIO_PORT)
  --jobs N      run at most N boards at once (default: every board)
  --wait-for-board S
                longest wait for a board another run holds (its lease, its labgrid
                place), in seconds; default ${DEFAULT_WAIT_S}
  --junit FILE  write one JUnit XML report for every board: board id, agent build and link
                statistics as properties, each test's device log as its system-out,
                infrastructure failures as <error type="infrastructure">, tests a failed hook
                kept from running as skipped; default ${JUNIT_ENV}, if set
  --trace FILE  write a timeline of every board's run as Chrome Trace Event JSON, for
                Perfetto's UI or chrome://tracing: a process per target, a track per
                iodev with each SQE as a slice, chains as flows, the host's and the
                link's events as instants, device log lines (docs/tracing.md)
  --json        print one JSON object (boards, counts, cases, exit status) on stdout; the
                progress goes to stderr
  --help        this text
  -- ARGS       pass ARGS to mocha

NO_COLOR or FORCE_COLOR=0 (or --no-color after --) turns colours off.

${EXIT_STATUS_TEXT}`;
}
