/**
 * Boards reached through a farm: a serial port behind an RFC 2217 server (`"target": "rfc2217"`),
 * the serial port of a labgrid place (`"target": "labgrid"`), and, inside a LAVA docker test
 * action, whatever LAVA's environment connects to, for any board file reached through a port.
 * This module finds the way in and opens the transport; open-target runs the handshake on it.
 */
import type { Board, BoardTimeouts, ResetStep, TargetKind } from './board-types';
import { LabgridClient } from '../farm/labgrid';
import type { LabgridPlaceSpec } from '../farm/labgrid';
import { lavaEnvironment, runHardReset } from '../farm/lava';
import type { LavaEnvironment } from '../farm/lava';
import { openNetworkSerialPort } from '../farm/network-serial-port';
import type { NetworkSerialPort } from '../farm/network-serial-port';
import type { Transport } from '../link/transport';
import type { LineLevelsRequest } from '../link/rfc2217-transport';
import { withProgress } from '../target/progress';
import type { TargetRecord } from '../target/registry';

/** Board kinds whose agent is reached through a port, which LAVA's connection replaces. */
export const PORT_KINDS: ReadonlySet<TargetKind> = new Set<TargetKind>(['serial', 'tcp', 'rfc2217', 'labgrid']);

/** How a board is reached through a farm, or null: the board file's own way. */
export type FarmConnection =
  | { readonly via: 'lava'; readonly lava: LavaEnvironment }
  | { readonly via: 'rfc2217'; readonly serialPort: NetworkSerialPort }
  | { readonly via: 'labgrid'; readonly labgrid: LabgridPlaceSpec };

/**
 * The farm connection of `board` in environment `env`: LAVA's (LAVA_CONNECTION_COMMAND set and a
 * board reached through a port), else its `rfc2217` or `labgrid` block, else null. Throws
 * `LavaError` for a LAVA connection command that cannot be read.
 */
export function farmConnection(board: Board, env: NodeJS.ProcessEnv = process.env): FarmConnection | null {
  const lava = PORT_KINDS.has(board.target) ? lavaEnvironment(env) : null;
  if (lava !== null) return { via: 'lava', lava };
  if (board.target === 'rfc2217' && board.rfc2217 !== undefined) return { via: 'rfc2217', serialPort: { protocol: 'rfc2217', ...board.rfc2217 } };
  if (board.target === 'labgrid' && board.labgrid !== undefined) return { via: 'labgrid', labgrid: board.labgrid };
  return null;
}

/**
 * Opens the transport to `board` through `connection`, records the port's unit (LAVA's board id,
 * the labgrid place) on `record`, and runs the board's reset: its DTR/RTS `resetSequence` over
 * RFC 2217, or, in LAVA, the hard-reset command when the board file has a reset sequence.
 * Rejects with `PortOpenError`, `ComPortUnavailableError` (a reset sequence on a port without
 * line control), `LabgridError` (the place is not acquired, or has no serial port), `LavaError`.
 */
export async function openFarmTransport(board: Board, connection: FarmConnection, timeouts: Required<BoardTimeouts>, record: TargetRecord): Promise<Transport> {
  const resetSequence = board.serial?.resetSequence ?? [];
  const reset = resetSequence.length === 0 ? {} : { reset: resetBy(resetSequence) };
  const common = { connectTimeoutMs: timeouts.connectMs, ...(board.serial?.baudRate === undefined ? {} : { baudRate: board.serial.baudRate }) };
  switch (connection.via) {
    case 'lava': {
      const { lava } = connection;
      if (lava.boardId !== null) record.unit = lava.boardId;
      if (resetSequence.length > 0 && lava.hardResetCommand !== null) {
        const command = lava.hardResetCommand;
        await withProgress(board.id, `resetting the board (LAVA_HARD_RESET_COMMAND: ${command})`, () => runHardReset(command));
      }
      return openNetworkSerialPort(lava.serialPort, common);
    }
    case 'rfc2217':
      return openNetworkSerialPort(connection.serialPort, { ...common, ...reset });
    case 'labgrid': {
      const client = new LabgridClient(connection.labgrid);
      record.unit = client.place;
      const serialPort = await withProgress(board.id, `reading the serial port of labgrid place ${client.place}`, () => client.networkSerialPort());
      return openNetworkSerialPort(serialPort, { ...common, ...reset });
    }
  }
}

/** Runs `steps` through an RFC 2217 port's `setLines`, its waits on the wall clock (a reset pulse is hardware timing). */
function resetBy(steps: readonly ResetStep[]): (setLines: (levels: LineLevelsRequest) => Promise<void>) => Promise<void> {
  return async (setLines) => {
    // Loaded here: serial-lines brings serialport, which a farm board without a reset sequence never needs.
    const { applyResetSequence } = await import('./serial-lines');
    await applyResetSequence({ set: (levels, cb) => { setLines({ dtr: levels.dtr, rts: levels.rts }).then(() => cb(null), (e: Error) => cb(e)); } }, steps);
  };
}
