import { boardLink, boardPath, boardTimeouts } from '../boards/board-file';
import type { Board } from '../boards/board-file';
import { discoverPorts, discoveryOptionsFromEnv } from '../boards/discovery';
import type { DiscoveryOptions } from '../boards/discovery';
import { boardDirs, boardIds, loadBoard } from '../boards/load-boards';
import { findBoardPort } from '../boards/match';
import { needsLinePreparation, prepareSerialLine } from '../boards/serial-lines';
import { Link } from '../link/link';
import { openSerialTransport } from '../link/serial-transport';
import { openTcpTransport } from '../link/tcp-transport';
import type { Transport } from '../link/transport';
import { recordOpenFailed, recordOpened, recordOpening } from '../report/target-registry';
import type { TargetRecord } from '../report/target-registry';
import { startAgentProcess } from './agent-process';
import { EmulatorTarget } from './emulator-target';
import { withProgress } from './progress';
import { buildFirmware, openQemuParts, qemuMakeTarget } from './qemu';
import { RemoteTarget } from './remote-target';
import type { AgentHello } from './remote-target';
import type { Target } from './target';
import { boardLinkLimits, buildNativeAgent, hostPacketLink, openEmulatorWireParts } from './wire-targets';

/** Options of {@link openTarget}. */
export interface OpenTargetOptions {
  /** Seed of the emulator's pseudo-random device values. Default: `RTIO_SEED`, else 1. */
  readonly seed?: number;
  /** serial boards: open this port instead of matching the board file's `match`. Default: `RTIO_PORT`, if set. */
  readonly port?: string;
  /** Folders to find board files in. Default {@link boardDirs} (`RTIO_BOARDS_DIR`, then `boards/`). */
  readonly boardDirs?: readonly string[];
  /** How serial ports are discovered. Default: from the environment ({@link discoveryOptionsFromEnv}). */
  readonly discovery?: DiscoveryOptions;
  /** Receives the agent's log lines as they arrive (remote targets). */
  readonly onLog?: (level: number, text: string) => void;
}

/** Ids of the board files found when this module loaded (`RTIO_BOARDS_DIR`, then `boards/`), sorted. */
export const KNOWN_TARGETS: readonly string[] = boardIds();

/** A board file whose target kind this version cannot open (none of the schema's, so far). */
export class UnsupportedTargetError extends Error {
  override readonly name = 'UnsupportedTargetError';
  /** The board. */
  readonly boardId: string;
  /** Its target kind. */
  readonly kind: string;

  constructor(boardId: string, kind: string) {
    super(`board "${boardId}": target kind "${kind}" cannot be opened yet (supported: emulator, emulator-wire, native, qemu, serial, tcp)`);
    this.boardId = boardId;
    this.kind = kind;
  }
}

/**
 * The board `openTarget()` opens without an id: `RTIO_BOARD`, else `'emulator'`. Throws a
 * RangeError when `RTIO_BOARD` names several boards (a list is for `suiteBoards()`, which gives a
 * suite each of them; `rtio-hil test --board a --board b` runs the suites once per board, with
 * `RTIO_BOARD` set to one at a time).
 */
export function defaultBoardId(env: NodeJS.ProcessEnv = process.env): string {
  const ids = (env.RTIO_BOARD ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length > 1) {
    throw new RangeError(`RTIO_BOARD names ${ids.length} boards (${ids.join(', ')}) and openTarget() opens one: pass its id (a suite loops over suiteBoards() from rtio-hil/testing)`);
  }
  return ids[0] ?? 'emulator';
}

/**
 * Opens the target that board file `id` describes (default {@link defaultBoardId}): the emulator
 * in process, the emulator behind the wire, the native agent (built and launched), the agent's
 * firmware under QEMU (built and launched with socat, both stopped when the target closes), a serial board
 * (its port found by the file's `match`, or `opts.port`) or a board behind TCP. Every attempt is
 * recorded for reporters (harness/report/target-registry). Throws `UnknownBoardError` (a
 * RangeError) listing the boards that exist, `BoardFileError` naming a bad file's field,
 * `BoardNotConnectedError` / `AmbiguousPortError` for a serial board's port, `PortOpenError` (why
 * a port could not be opened), `HandshakeTimeoutError` (the agent did not answer; names the
 * port), `UnsupportedTargetError`.
 */
export async function openTarget(id?: string, opts: OpenTargetOptions = {}): Promise<Target> {
  const boardId = id ?? defaultBoardId();
  const envSeed = process.env.RTIO_SEED === undefined ? undefined : Number(process.env.RTIO_SEED);
  const seed = opts.seed ?? envSeed ?? 1;
  if (!Number.isInteger(seed)) throw new RangeError(`"seed" must be an integer, got ${String(seed)} (RTIO_SEED?)`);
  const board = loadBoard(boardId, opts.boardDirs ?? boardDirs());
  if (opts.port !== undefined && board.target !== 'serial') {
    throw new RangeError(`"port" is for serial boards; board "${board.id}" is "${board.target}"`);
  }
  const record = recordOpening(board.id, { boardName: board.name, boardFile: board.file, kind: board.target });
  try {
    const target = await openBoard(board, seed, opts, record);
    recordOpened(record, target);
    return target;
  } catch (e) {
    recordOpenFailed(record, e);
    throw e;
  }
}

async function openBoard(board: Board, seed: number, opts: OpenTargetOptions, record: TargetRecord): Promise<Target> {
  const timeouts = boardTimeouts(board);
  switch (board.target) {
    case 'emulator':
      record.port = 'in process';
      return new EmulatorTarget(board.id, { seed });
    case 'emulator-wire': {
      const link = boardLink(board);
      const parts = await openEmulatorWireParts(board.id, seed, { handshakeTimeoutMs: timeouts.handshakeMs, ...boardLinkLimits(link) }, {
        settleTimeoutMs: timeouts.settleMs,
        ...(link.deadlineAllowanceMs === undefined ? {} : { deadlineAllowanceMs: link.deadlineAllowanceMs }),
      });
      record.port = parts.hostLink.transport.description;
      record.linkStats = () => parts.hostLink.stats;
      return parts.target;
    }
    case 'native': {
      if (board.launch?.build === 'firmware-stubs-posix') await withProgress(board.id, 'building the native agent (make -C firmware-stubs posix)', buildNativeAgent);
      const command = boardPath(board, board.launch?.command ?? '');
      const args = (board.launch?.args ?? []).map((a) => a.split('${seed}').join(String(seed)));
      return withProgress(board.id, 'starting the native agent and the handshake', async () => {
        const proc = await startAgentProcess(command, args);
        try {
          return await openOverSerial(board, proc.path, opts, record, () => proc.stop());
        } catch (e) {
          await proc.stop();
          throw e;
        }
      });
    }
    case 'qemu': {
      const launch = board.launch!;
      const make = qemuMakeTarget(launch.build);
      if (make !== null) await withProgress(board.id, `building the firmware (make -C firmware-stubs ${make})`, () => buildFirmware(make));
      const parts = await withProgress(board.id, `starting qemu-system-arm -M ${launch.machine!} and the handshake`, () => openQemuParts(board.id, seed, {
        machine: launch.machine!,
        image: boardPath(board, launch.image!),
        build: make,
        ...(launch.qemu === undefined ? {} : { qemu: launch.qemu }),
        ...(launch.extraArgs === undefined ? {} : { extraArgs: launch.extraArgs }),
        ...(launch.machineOptions === undefined ? {} : { machineOptions: launch.machineOptions }),
        ...(launch.peripherals === undefined ? {} : { peripherals: launch.peripherals }),
        timeouts,
        capabilities: board.capabilities ?? [],
        link: boardLink(board),
        ...(opts.onLog === undefined ? {} : { onLog: opts.onLog }),
      }));
      record.port = parts.qemu.path;
      record.linkStats = () => parts.hostLink.stats;
      return parts.target;
    }
    case 'serial': {
      const envPort = process.env.RTIO_PORT === '' ? undefined : process.env.RTIO_PORT;
      const path = opts.port ?? envPort ?? board.serial?.path
        ?? findBoardPort(board, (await discoverPorts(opts.discovery ?? discoveryOptionsFromEnv())).ports).path;
      return openOverSerial(board, path, opts, record);
    }
    case 'tcp': {
      const tcp = board.tcp!;
      record.port = `tcp:${tcp.host}:${tcp.port}`;
      const transport = await openTcpTransport({ host: tcp.host, port: tcp.port, connectTimeoutMs: timeouts.connectMs });
      return openOverTransport(board, transport, opts, record);
    }
    default:
      throw new UnsupportedTargetError(board.id, board.target);
  }
}

async function openOverSerial(board: Board, path: string, opts: OpenTargetOptions, record: TargetRecord, onClose?: () => Promise<void>): Promise<RemoteTarget> {
  record.port = path;
  let prepareError: unknown = null;
  if (needsLinePreparation(board.serial)) {
    try {
      await prepareSerialLine(path, board.serial!);
    } catch (e) {
      prepareError = e; // the transport's open below says why in its terms (PortOpenError)
    }
  }
  const transport = await openSerialTransport({ path, ...(board.serial?.baudRate === undefined ? {} : { baudRate: board.serial.baudRate }) });
  if (prepareError !== null) {
    await transport.close();
    throw prepareError;
  }
  return openOverTransport(board, transport, opts, record, onClose);
}

/** A host link on `transport` with the board's handshake timeout, and the RemoteTarget on it. */
async function openOverTransport(board: Board, transport: Transport, opts: OpenTargetOptions, record: TargetRecord, onClose?: () => Promise<void>): Promise<RemoteTarget> {
  const timeouts = boardTimeouts(board);
  const settings = boardLink(board);
  const link = new Link(transport, { role: 'host', handshakeTimeoutMs: timeouts.handshakeMs, ...boardLinkLimits(settings) });
  record.port = transport.description;
  record.linkStats = () => link.stats;
  let hello: AgentHello;
  try {
    hello = await link.open();
  } catch (e) {
    await link.close();
    throw e;
  }
  return new RemoteTarget(board.id, hostPacketLink(link), hello, {
    capabilities: board.capabilities ?? [],
    settleTimeoutMs: timeouts.settleMs,
    ...(settings.deadlineAllowanceMs === undefined ? {} : { deadlineAllowanceMs: settings.deadlineAllowanceMs }),
    ...(onClose === undefined ? {} : { onClose }),
    ...(opts.onLog === undefined ? {} : { onLog: opts.onLog }),
  });
}
