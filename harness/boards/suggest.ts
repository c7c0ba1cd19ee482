/**
 * Board-file skeletons for a connected port (`rtio-hil suggest`): a `match` that names exactly
 * this port among those connected (vendor and product id, the serial number, and the USB
 * location and interface only when they are needed to tell it from an identical adapter), serial
 * defaults, and the iodev table: the agent's, when it answered a handshake, else empty.
 */
import { basename } from 'node:path';
import type { IodevInfo } from '../target/target';
import { BOARD_TIMEOUT_DEFAULTS } from './board-types';
import type { BoardFileData, BoardIodev, PortMatch } from './board-types';
import type { PortInfo } from './discovery';
import { portMatches } from './match';

/** Options of {@link suggestBoard}. */
export interface SuggestOptions {
  /** The board id (and file name); default {@link suggestId} of the port. */
  readonly id?: string;
  /** The board's name; default from the port's USB strings. */
  readonly name?: string;
  /** Every port connected, to decide which fields the match needs. Default: just this one. */
  readonly others?: readonly PortInfo[];
  /** The iodev table the agent reported, when it answered. */
  readonly iodevs?: readonly IodevInfo[];
  /** The agent's build id, when it answered (goes into the description). */
  readonly agentBuild?: string;
}

/** A board file's contents plus its `$schema` line. */
export type BoardSkeleton = { readonly $schema: string } & BoardFileData;

/** A board id from the port's USB strings and serial number, e.g. `'stm32-stlink-1723'`. */
export function suggestId(port: PortInfo): string {
  const words = [port.product ?? port.manufacturer ?? (port.vendorId === undefined ? `board-${basename(port.path)}` : `usb-${port.vendorId}-${port.productId ?? ''}`)];
  if (port.serialNumber !== undefined) words.push(port.serialNumber.slice(-4));
  else if (port.location !== undefined) words.push(port.location);
  const id = words.join('-').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return id === '' ? 'board' : id.slice(0, 64);
}

/**
 * The `match` naming `port` among `others`: vendor/product id and serial number when known, plus
 * location, then interface, only while another port still matches. A port without USB ids (a
 * pty, a platform UART) gets no match; use its path.
 */
export function suggestMatch(port: PortInfo, others: readonly PortInfo[]): PortMatch | null {
  if (port.vendorId === undefined) return null;
  let match: PortMatch = {
    vendorId: port.vendorId,
    ...(port.productId === undefined ? {} : { productId: port.productId }),
    ...(port.serialNumber === undefined ? {} : { serialNumber: port.serialNumber }),
  };
  const rivals = (m: PortMatch): number => others.filter((o) => o.path !== port.path && portMatches(m, o)).length;
  if (rivals(match) > 0 && port.location !== undefined) match = { ...match, location: port.location };
  if (rivals(match) > 0 && port.interface !== undefined) match = { ...match, interface: port.interface };
  return match;
}

/** A board-file skeleton for `port`; it passes the schema, and names the port by match or, failing that, by path. */
export function suggestBoard(port: PortInfo, opts: SuggestOptions = {}): BoardSkeleton {
  const match = suggestMatch(port, opts.others ?? [port]);
  const usb = [port.manufacturer, port.product].filter((s) => s !== undefined).join(' ');
  const name = opts.name ?? (usb === '' ? `Board on ${port.path}` : `${usb} (TODO: say what this board is)`);
  const described = [`Found on ${port.path}${port.byId === undefined ? '' : ` (${port.byId})`}`];
  if (opts.agentBuild !== undefined) described.push(`agent: ${opts.agentBuild}`);
  const iodevs: BoardIodev[] = (opts.iodevs ?? []).map((d) => ({
    name: d.name,
    kind: d.kind,
    ...(d.bus === undefined ? {} : { bus: d.bus }),
    ...(d.address === undefined || (d.address === 0 && d.bus === undefined) ? {} : { address: d.address }),
    ...(d.part === undefined ? {} : { part: d.part }),
    capabilities: [...d.capabilities],
  }));
  return {
    $schema: './board.schema.json',
    id: opts.id ?? suggestId(port),
    name,
    description: `${described.join('; ')}. TODO: list what is wired to it.`,
    target: 'serial',
    ...(match === null ? {} : { match }),
    serial: { ...(match === null ? { path: port.byId ?? port.path } : {}), baudRate: 115200 },
    timeouts: { handshakeMs: BOARD_TIMEOUT_DEFAULTS.handshakeMs, opMs: BOARD_TIMEOUT_DEFAULTS.opMs },
    capabilities: [],
    iodevs,
  };
}
