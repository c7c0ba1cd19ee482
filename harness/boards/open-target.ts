import { boardLink, boardPath, boardTimeouts } from './board-file';
import type { Board } from './board-types';
import type { DiscoveryOptions } from './discovery';
import { boardDirs, boardIds, loadBoard } from './load-boards';
import { EmulatorTarget } from '../emulator/emulator-target';
import type { OpenRemoteOptions, OpenedRemote } from '../remote';
import { withProgress } from '../target/progress';
import { recordOpenFailed, recordOpened, recordOpening } from '../target/registry';
import type { TargetRecord } from '../target/registry';
import type { Target } from '../target/target';

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
    super(`board "${boardId}": target kind "${kind}" cannot be opened yet (supported: emulator, emulator-wire, native, qemu, serial, tcp, rfc2217, labgrid)`);
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
 * (its port found by the file's `match`, or `opts.port`), a board behind TCP or RFC 2217, the
 * serial port of a locked labgrid place, or, inside a LAVA job, LAVA's connection (./farm-connection). Every attempt is
 * recorded for reporters (harness/target/registry). Throws `UnknownBoardError` (a
 * RangeError) listing the boards that exist, `BoardFileError` naming a bad file's field,
 * `BoardNotConnectedError` / `AmbiguousPortError` for a serial board's port, `PortOpenError` (why
 * a port could not be opened), `HandshakeTimeoutError` (the agent did not answer; names the
 * port), `ComPortUnavailableError` (a reset sequence over a port without line control),
 * `LabgridError`, `LavaError`, `UnsupportedTargetError`.
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

/** How to open `board`'s remote target: its link block and timeouts, its capabilities, `opts.onLog`. */
export function boardRemoteOptions(board: Board, opts: Pick<OpenTargetOptions, 'onLog'> = {}): OpenRemoteOptions {
  const timeouts = boardTimeouts(board);
  const { deadlineAllowanceMs, ...limits } = boardLink(board);
  return {
    link: { handshakeTimeoutMs: timeouts.handshakeMs, ...limits },
    capabilities: board.capabilities ?? [],
    settleTimeoutMs: timeouts.settleMs,
    ...(deadlineAllowanceMs === undefined ? {} : { deadlineAllowanceMs }),
    ...(opts.onLog === undefined ? {} : { onLog: opts.onLog }),
  };
}

/** Notes where an opened remote target's link runs, for reporters. */
function opened<T extends OpenedRemote>(o: T, record: TargetRecord): T {
  record.port = o.link.transport.description;
  record.linkStats = () => o.link.stats;
  return o;
}

/**
 * Opens `board`. The link, remote, QEMU and serial modules are loaded by the kinds that use them:
 * the emulator in process (every suite run without a board) loads none of them, nor serialport.
 */
async function openBoard(board: Board, seed: number, opts: OpenTargetOptions, record: TargetRecord): Promise<Target> {
  if (board.target === 'emulator') {
    record.port = 'in process';
    return new EmulatorTarget(board.id, { seed });
  }
  const remote = boardRemoteOptions(board, opts);
  const { buildNativeAgent, openEmulatorWireParts, openNativeParts, openRemote } = await import('../remote');
  // rfc2217 and labgrid boards, and in a LAVA job any board reached through a port: ./farm-connection.ts
  const { farmConnection, openFarmTransport } = await import('./farm-connection');
  const farm = farmConnection(board);
  if (farm !== null) {
    const transport = await openFarmTransport(board, farm, boardTimeouts(board), record);
    return opened(await openRemote(board.id, transport, remote), record).target;
  }
  switch (board.target) {
    case 'emulator-wire': {
      const parts = await openEmulatorWireParts(board.id, seed, remote);
      return opened({ target: parts.target, link: parts.hostLink }, record).target;
    }
    case 'native': {
      const native = board.launch?.build === 'firmware-stubs-posix';
      if (native) await withProgress(board.id, 'building the native agent (make -C firmware-stubs posix)', buildNativeAgent);
      const command = boardPath(board, board.launch?.command ?? '');
      const args = (board.launch?.args ?? []).map((a) => a.split('${seed}').join(String(seed)));
      return withProgress(board.id, 'starting the native agent and the handshake', async () =>
        opened(await openNativeParts(board.id, command, args, remote), record).target);
    }
    case 'qemu': {
      const { buildFirmware, openQemuParts, qemuMakeTarget } = await import('../qemu');
      const launch = board.launch!;
      const make = qemuMakeTarget(launch.build);
      if (make !== null) await withProgress(board.id, `building the firmware (make -C firmware-stubs ${make})`, () => buildFirmware(make));
      const parts = await withProgress(board.id, `starting qemu-system-arm -M ${launch.machine!} and the handshake`, () => openQemuParts(board.id, seed, {
        ...remote,
        machine: launch.machine!,
        image: boardPath(board, launch.image!),
        build: make,
        connectMs: boardTimeouts(board).connectMs,
        ...(launch.qemu === undefined ? {} : { qemu: launch.qemu }),
        ...(launch.extraArgs === undefined ? {} : { extraArgs: launch.extraArgs }),
        ...(launch.machineOptions === undefined ? {} : { machineOptions: launch.machineOptions }),
        ...(launch.peripherals === undefined ? {} : { peripherals: launch.peripherals }),
      }));
      opened({ target: parts.target, link: parts.hostLink }, record);
      record.port = parts.qemu.path;
      return parts.target;
    }
    case 'serial': {
      const { discoverPorts, discoveryOptionsFromEnv } = await import('./discovery');
      const { findBoardPort } = await import('./match');
      const { needsLinePreparation, prepareSerialLine } = await import('./serial-lines');
      const { openSerialTransport } = await import('../link/serial-transport');
      const envPort = process.env.RTIO_PORT === '' ? undefined : process.env.RTIO_PORT;
      const path = opts.port ?? envPort ?? board.serial?.path
        ?? findBoardPort(board, (await discoverPorts(opts.discovery ?? discoveryOptionsFromEnv())).ports).path;
      record.port = path;
      if (needsLinePreparation(board.serial)) {
        try {
          await prepareSerialLine(path, board.serial!);
        } catch (e) {
          // Opening the port says why in its own terms (PortOpenError); if it opens, this error stands.
          await (await openSerialTransport({ path })).close();
          throw e;
        }
      }
      const transport = await openSerialTransport({ path, ...(board.serial?.baudRate === undefined ? {} : { baudRate: board.serial.baudRate }) });
      return opened(await openRemote(board.id, transport, remote), record).target;
    }
    case 'tcp': {
      const tcp = board.tcp!;
      record.port = `tcp:${tcp.host}:${tcp.port}`;
      const { openTcpTransport } = await import('../link/tcp-transport');
      const transport = await openTcpTransport({ host: tcp.host, port: tcp.port, connectTimeoutMs: boardTimeouts(board).connectMs });
      return opened(await openRemote(board.id, transport, remote), record).target;
    }
    default:
      throw new UnsupportedTargetError(board.id, board.target);
  }
}
