/**
 * Port identity against board identity: which connected port a serial board's `match` names.
 * Every field the match gives must equal the port's; two identical adapters are told apart by
 * `serialNumber`, or by `location` (and `interface`) when they have none.
 */
import type { Board, PortMatch } from './board-types';
import { describePort } from './discovery';
import type { PortInfo } from './discovery';

/** The match fields, in the order messages list them. */
const FIELDS: readonly (keyof PortMatch)[] = ['vendorId', 'productId', 'serialNumber', 'location', 'interface', 'manufacturer', 'product'];

/** True when every field of `match` equals the port's (USB ids compared without regard to case). */
export function portMatches(match: PortMatch, port: PortInfo): boolean {
  for (const f of FIELDS) {
    const want = match[f];
    if (want === undefined) continue;
    const have = port[f];
    if (have === undefined) return false;
    if (f === 'vendorId' || f === 'productId') {
      if (String(have).toLowerCase() !== String(want).toLowerCase()) return false;
    } else if (have !== want) {
      return false;
    }
  }
  return true;
}

/** `{vendorId 0483, productId 374b, serialNumber 066D…}`. */
export function describeMatch(match: PortMatch): string {
  return `{${FIELDS.filter((f) => match[f] !== undefined).map((f) => `${f} ${String(match[f])}`).join(', ')}}`;
}

/**
 * No connected port matches a serial board's `match`. Message:
 * `'board "<id>" is not connected: no port matches /match {…}; ports found: …'`.
 */
export class BoardNotConnectedError extends Error {
  override readonly name = 'BoardNotConnectedError';
  /** The board. */
  readonly boardId: string;
  /** Its match. */
  readonly match: PortMatch;
  /** The ports that were found, described. */
  readonly seen: readonly string[];

  constructor(boardId: string, match: PortMatch, seen: readonly string[]) {
    super(`board "${boardId}" is not connected: no port matches /match ${describeMatch(match)}; ports found: ${seen.length === 0 ? 'none' : seen.join('; ')}`);
    this.boardId = boardId;
    this.match = match;
    this.seen = seen;
  }
}

/**
 * More than one connected port matches a board's `match` (identical adapters). Message:
 * `'board "<id>" matches <n> ports: …; add "serialNumber" or "location" to its /match'`.
 */
export class AmbiguousPortError extends Error {
  override readonly name = 'AmbiguousPortError';
  /** The board. */
  readonly boardId: string;
  /** The paths of the ports it matches. */
  readonly paths: readonly string[];

  constructor(boardId: string, ports: readonly PortInfo[]) {
    super(`board "${boardId}" matches ${ports.length} ports: ${ports.map(describePort).join('; ')}; add "serialNumber" or "location" (and "interface") to its /match`);
    this.boardId = boardId;
    this.paths = ports.map((p) => p.path);
  }
}

/** The one port among `ports` that `board`'s match names. Throws {@link BoardNotConnectedError} or {@link AmbiguousPortError}. */
export function findBoardPort(board: Board, ports: readonly PortInfo[]): PortInfo {
  const match = board.match ?? {};
  const hits = ports.filter((p) => portMatches(match, p));
  if (hits.length === 0) throw new BoardNotConnectedError(board.id, match, ports.map(describePort));
  if (hits.length > 1) throw new AmbiguousPortError(board.id, hits);
  return hits[0]!;
}

/** A port and the serial boards whose match names it (none, one, or several: a conflict). */
export interface PortBoards {
  /** The port. */
  readonly port: PortInfo;
  /** Boards whose `match` (or fixed `serial.path`) names it. */
  readonly boards: readonly Board[];
}

/** For each port, the serial boards that name it (by `match`, or by a fixed `serial.path` equal to its path or links). */
export function matchPorts(ports: readonly PortInfo[], boards: readonly Board[]): PortBoards[] {
  const serial = boards.filter((b) => b.target === 'serial');
  return ports.map((port) => ({
    port,
    boards: serial.filter((b) => {
      const fixed = b.serial?.path;
      if (fixed !== undefined) return fixed === port.path || fixed === port.byId || fixed === port.byPath;
      return b.match !== undefined && portMatches(b.match, port);
    }),
  }));
}
