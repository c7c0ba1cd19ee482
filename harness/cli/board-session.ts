/**
 * What holds a board while `rtio-hil test` runs suites on it: a lease on this host for a board
 * reached through a port (serial, tcp, rfc2217, labgrid: hardware two runs must not share; see
 * harness/farm/lease.ts), and for a labgrid board its place, reserved and locked with
 * `labgrid-client` (harness/farm/labgrid.ts). Waits print a progress line; releasing unlocks
 * the place, cancels the reservation and ends the lease, and says what failed instead of
 * throwing, so it can run after a failure or an interrupt.
 */
import { PORT_KINDS, farmConnection } from '../boards/farm-connection';
import type { Board } from '../boards/board-types';
import { LabgridClient } from '../farm/labgrid';
import { acquireLease, describeHolder, leaseDir } from '../farm/lease';
import type { BoardLease, LeaseLostError } from '../farm/lease';

/** Options of {@link holdBoard}. */
export interface HoldOptions {
  /** Stops the waits (Ctrl-C). */
  readonly signal: AbortSignal;
  /** Prints a progress line. */
  readonly say: (line: string) => void;
  /** Longest wait for the lease, then for the labgrid place, in ms. */
  readonly waitMs: number;
  /** The run's environment (LAVA's variables, RTIO_HIL_LEASE_DIR, PATH for labgrid-client). */
  readonly env: NodeJS.ProcessEnv;
}

/** A board held for a run. */
export interface BoardSession {
  /** Calls `listener` if the lease is lost while the run goes on (another run took it over). */
  onLost(listener: (err: LeaseLostError) => void): void;
  /** Unlocks, cancels and ends what the session holds; resolves what failed (empty when all went well). */
  release(): Promise<string[]>;
}

const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;

/**
 * Holds `board` for a run: its lease, then its labgrid place (not under LAVA, whose job owns the
 * device). Rejects with `LavaError` (LAVA's connection command cannot be used; nothing taken),
 * `LeaseWaitError` or `LabgridError` (with the reservation cancelled and the lease ended).
 */
export async function holdBoard(board: Board, o: HoldOptions): Promise<BoardSession> {
  if (!PORT_KINDS.has(board.target)) return { onLost: () => undefined, release: () => Promise.resolve([]) };
  // Read before the lease is taken: a LAVA connection command it cannot use fails the run at once.
  const connection = farmConnection(board, o.env);
  const lease: BoardLease = await acquireLease(board.id, {
    dir: leaseDir(o.env), timeoutMs: o.waitMs, signal: o.signal,
    onWaiting: (holder, waited) => o.say(`rtio-hil: ${board.id}: waiting for the board, leased${holder === null ? '' : ` by ${describeHolder(holder)}`}${waited >= 1000 ? ` (${seconds(waited)})` : ''}`),
  });
  if (connection?.via !== 'labgrid') {
    return { onLost: (l) => lease.onLost(l), release: () => Promise.resolve(endLease(lease)) };
  }
  const client = new LabgridClient(connection.labgrid, { env: o.env });
  let reservation: string;
  try {
    // A reservation that times out or is interrupted is cancelled by reserve() itself.
    reservation = await client.reserve({
      timeoutMs: o.waitMs, signal: o.signal,
      onWaiting: (t, waited) => o.say(`rtio-hil: ${board.id}: waiting for labgrid place ${client.place} (reservation ${t}${waited >= 1000 ? `, ${seconds(waited)}` : ''})`),
    });
  } catch (e) {
    lease.release();
    throw e;
  }
  try {
    await client.lock(reservation);
    o.say(`rtio-hil: ${board.id}: locked labgrid place ${client.place}`);
  } catch (e) {
    await client.cancelReservation(reservation).catch(() => undefined);
    lease.release();
    throw e;
  }
  return {
    onLost: (l) => lease.onLost(l),
    release: async () => {
      const problems: string[] = [];
      await client.unlock().then(() => o.say(`rtio-hil: ${board.id}: unlocked labgrid place ${client.place}`), (e: Error) => problems.push(e.message));
      // Unlocked, the place stays allocated to the reservation until it expires: cancel it. One
      // that expired already is no problem of this run's.
      await client.cancelReservation(reservation).catch((e: Error) => o.say(`rtio-hil: ${board.id}: note: ${e.message}`));
      return [...problems, ...endLease(lease)];
    },
  };
}

function endLease(lease: BoardLease): string[] {
  try {
    lease.release();
    return [];
  } catch (e) {
    return [`ending the lease ${lease.file} failed: ${(e as Error).message}`];
  }
}
