/**
 * The QEMU target: the agent's Cortex-M firmware (firmware-stubs/ports/<machine>) running
 * under `qemu-system-arm`, reached over a pseudo-terminal exactly as a USB board would be, with
 * QEMU's own device models attached where the board file lists them (./qemu-peripherals) and
 * QMP for the backplane that reaches them.
 *
 * Wiring (docs/porting.md; measured in the feasibility study): QEMU serves the guest's UART0 on a
 * unix socket (`-chardev socket,server=on,wait=off -serial chardev:c0`) and `socat` bridges it to
 * a pty with a stable link path, which the host opens with SerialPort. QEMU's own `-serial pty`
 * backend is not used: it delays the first exchange after every open by ~0.9 s. QMP listens on a
 * second unix socket in the same folder.
 *
 * Every process started here is stopped by its pid when the target closes, when opening fails,
 * and when this process exits or is interrupted (SIGINT, SIGTERM, SIGHUP).
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, mkdtempSync, rmSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { BoardLink, BoardTimeouts } from '../boards/board-file';
import { Link } from '../link/link';
import { openSerialTransport } from '../link/serial-transport';
import type { Backplane } from './backplane';
import { QmpClient, QmpConnectionError } from './qmp';
import { QemuBackplane, peripheralArgs } from './qemu-peripherals';
import type { QemuPeripheralsSpec } from './qemu-peripherals';
import type { AgentHello, PacketLink, RemoteTargetOptions } from './remote-target';
import { RemoteTarget } from './remote-target';
import { AGENT_CAPABILITIES, PrerequisiteMissingError, boardLinkLimits, hostPacketLink } from './wire-targets';
import { PACKAGE_ROOT } from '../package-root';

const ROOT = PACKAGE_ROOT;

/** The firmware this project builds for one QEMU machine (firmware-stubs/ports/<machine>). */
export interface QemuFirmware {
  /** The `-M` machine, also the make target and the images' suffix. */
  readonly machine: string;
  /** The agent serving the simulated reference board. */
  readonly agentImage: string;
  /** The raw byte echo of the same port: bench/link's baseline. */
  readonly echoImage: string;
  /** `make -C firmware-stubs <makeTarget>` builds both images. */
  readonly makeTarget: string;
  /** Address of the host mailbox, the last 8 bytes of the image's RAM (cortex-m/port.h). */
  readonly mailboxAddress: number;
}

function firmware(machine: string, mailboxAddress: number): QemuFirmware {
  const dir = join(ROOT, 'build', 'firmware-stubs', machine);
  return { machine, agentImage: join(dir, `rtio-agent-${machine}.elf`), echoImage: join(dir, `rtio-echo-${machine}.elf`), makeTarget: machine, mailboxAddress };
}

/**
 * The QEMU machines with a port here: `lm3s6965evb` (TI LM3S6965, PL011 UART with a 16-byte FIFO:
 * the simulated reference board), `mps2-an385` (Arm MPS2, CMSDK UART with a 1-byte buffer: 5-7x
 * slower into the guest; proof that the port's generic half carries over) and `ast1030-evb`
 * (Aspeed AST1030, Cortex-M4, 16550 UART: the agent's real I2C, SPI and GPIO drivers on QEMU's
 * device models).
 */
export const QEMU_FIRMWARE: Readonly<Record<string, QemuFirmware>> = Object.freeze({
  lm3s6965evb: firmware('lm3s6965evb', 0x2000fff8),
  'mps2-an385': firmware('mps2-an385', 0x2000fff8),
  'ast1030-evb': firmware('ast1030-evb', 0x000bfff8),
});

/**
 * The make target a board file's `launch.build` names for a QEMU board
 * (`'firmware-stubs-<machine>'`, a machine of {@link QEMU_FIRMWARE}), or null for none.
 */
export function qemuMakeTarget(build: string | undefined): string | null {
  if (build === undefined || !build.startsWith('firmware-stubs-')) return null;
  return QEMU_FIRMWARE[build.slice('firmware-stubs-'.length)]?.makeTarget ?? null;
}

/** The agent image for QEMU's lm3s6965evb (the simulated reference board on a Cortex-M3). */
export const LM3S6965EVB_AGENT_IMAGE = QEMU_FIRMWARE.lm3s6965evb!.agentImage;
/** The raw echo image of the same port: bench/link's baseline. */
export const LM3S6965EVB_ECHO_IMAGE = QEMU_FIRMWARE.lm3s6965evb!.echoImage;
/** The make target (in firmware-stubs/) that builds both lm3s6965evb images. */
export const LM3S6965EVB_MAKE_TARGET = QEMU_FIRMWARE.lm3s6965evb!.makeTarget;

/**
 * Timeouts of the QEMU target, named as the board file's `timeouts` fields
 * (boards/qemu-lm3s6965evb.json), which override them:
 * - handshakeMs: the first HelloReply (QEMU boots in ~50 ms; a loaded 2-core machine is slower);
 * - opMs: one operation, for tools that time one (QEMU's UART moves ~60-100 KiB/s into the
 *   guest, so a 1 KiB frame alone takes ~15 ms; ≥ 1 s leaves room for a busy host);
 * - settleMs: `target.settle()`;
 * - connectMs: QEMU's socket, then socat's pty link, must appear within this.
 */
export const QEMU_TIMEOUTS: Readonly<Required<BoardTimeouts>> = Object.freeze({
  handshakeMs: 5000,
  opMs: 2000,
  settleMs: 10000,
  connectMs: 5000,
});

/** How long a stopped process may take to exit after SIGTERM before it gets SIGKILL, in ms. */
const STOP_GRACE_MS = 2000;

/** What the QEMU target needs installed, with how to get it (Debian 12). */
export const QEMU_PREREQUISITES: readonly { command: string; hint: string }[] = [
  { command: 'qemu-system-arm', hint: 'apt-get install -y --no-install-recommends qemu-system-arm' },
  { command: 'socat', hint: 'apt-get install -y --no-install-recommends socat' },
];

/** What building the firmware needs (on top of the native agent's nanopb generator). */
export const FIRMWARE_PREREQUISITES: readonly { command: string; hint: string }[] = [
  { command: 'arm-none-eabi-gcc', hint: 'apt-get install -y --no-install-recommends gcc-arm-none-eabi libnewlib-arm-none-eabi' },
  { command: '/usr/bin/nanopb_generator.py', hint: 'apt-get install -y --no-install-recommends nanopb libnanopb-dev protobuf-compiler' },
];

/** Options of {@link startQemu} and {@link openQemu}; a board file's `launch` section maps onto them. */
export interface QemuOptions {
  /** The emulator binary. Default `qemu-system-arm`. */
  readonly qemu?: string;
  /** The `-M` machine. Default `lm3s6965evb`. */
  readonly machine?: string;
  /** Machine properties appended to `-M`, e.g. `spi-model=w25q80bl`. */
  readonly machineOptions?: string;
  /** QEMU's device models to attach, and what the backplane reaches ({@link QemuPeripheralsSpec}). */
  readonly peripherals?: QemuPeripheralsSpec;
  /** The firmware image (`-kernel`). Default: the machine's agent image ({@link QEMU_FIRMWARE}). */
  readonly image?: string;
  /** More QEMU arguments, appended. */
  readonly extraArgs?: readonly string[];
  /**
   * A make target in firmware-stubs/ run first (make is incremental), or null for none. Default:
   * the machine's ({@link QEMU_FIRMWARE}) when `image` is left to its default, else none.
   */
  readonly build?: string | null;
  /**
   * The sensor seed, put into the guest's host mailbox (firmware-stubs/ports/lm3s6965evb/port.h)
   * with QEMU's generic loader. Default: none (the firmware's default, 1).
   */
  readonly seed?: number;
  /** Timeouts; missing ones from {@link QEMU_TIMEOUTS}. */
  readonly timeouts?: BoardTimeouts;
}

/** Options of {@link openQemu}: {@link QemuOptions} and the target's. */
export interface OpenQemuOptions extends Omit<QemuOptions, 'seed'> {
  /** Target-level capabilities (the board file's). Default: those of every agent of this project. */
  readonly capabilities?: readonly string[];
  /** The board file's link settings. Default: the link's defaults. */
  readonly link?: BoardLink;
  /** Receives the agent's log lines. */
  readonly onLog?: (level: number, text: string) => void;
}

/** A running QEMU with its UART on a pty. */
export interface QemuProcess {
  /** The pty link to open with SerialPort. */
  readonly path: string;
  /** Process id of qemu-system-arm. */
  readonly qemuPid: number;
  /** Process id of socat. */
  readonly socatPid: number;
  /** What QEMU and socat printed on stderr, prefixed with their name (for error messages). */
  readonly stderr: readonly string[];
  /** QMP on QEMU's second socket; closed by stop(). */
  readonly qmp: QmpClient;
  /** Iodev → the backing file made for its model this run. */
  readonly files: ReadonlyMap<string, string>;
  /** Stops both processes by their pids (SIGTERM, then SIGKILL) and removes the files. Idempotent. */
  stop(): Promise<void>;
}

/** A board's agent under QEMU, with the backplane that reaches QEMU's device models. */
export class QemuTarget extends RemoteTarget {
  constructor(id: string, link: PacketLink, hello: AgentHello, opts: RemoteTargetOptions, readonly backplane: Backplane) {
    super(id, link, hello, opts);
  }
}

/** The pieces of an open QEMU target, for tests that look at the processes. */
export interface QemuParts {
  readonly target: QemuTarget;
  readonly qemu: QemuProcess;
  readonly hostLink: Link;
}

/** Children not yet known to have exited: killed when this process exits or is interrupted. */
const live = new Set<ChildProcess>();
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let handlersInstalled = false;

function killLive(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/**
 * Kills every live child, then lets the signal do what it would have done: if no other code
 * listens for it, it is raised again with this handler gone (the default action ends the process).
 */
function onStopSignal(signal: NodeJS.Signals): void {
  killLive();
  process.removeListener(signal, onStopSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', killLive);
  for (const s of STOP_SIGNALS) process.on(s, onStopSignal);
}

/** Removes the signal handlers once no child is left, so that they do not outlive the target. */
function removeHandlersIfIdle(): void {
  if (!handlersInstalled || live.size > 0) return;
  handlersInstalled = false;
  process.removeListener('exit', killLive);
  for (const s of STOP_SIGNALS) process.removeListener(s, onStopSignal);
}

/** The absolute path of `command` (a path, or a name looked up on PATH), or null. */
export function findExecutable(command: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = command.includes('/') ? [resolve(command)] : (env.PATH ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, command));
  for (const c of candidates) {
    try {
      accessSync(c, fsConstants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return null;
}

/** Throws {@link PrerequisiteMissingError} for the first of `list` that is not installed. */
function requireInstalled(list: readonly { command: string; hint: string }[]): void {
  for (const p of list) {
    if (findExecutable(p.command) === null) throw new PrerequisiteMissingError(p.command, p.hint);
  }
}

const builds = new Map<string, Promise<void>>();

/**
 * Builds firmware with `make -C firmware-stubs <target>`, once per process and target (make is
 * incremental). Rejects with {@link PrerequisiteMissingError} when the cross compiler or nanopb
 * is missing, else with make's last lines.
 */
export function buildFirmware(target: string = LM3S6965EVB_MAKE_TARGET): Promise<void> {
  try {
    requireInstalled(FIRMWARE_PREREQUISITES);
  } catch (e) {
    return Promise.reject(e);
  }
  let built = builds.get(target);
  if (built === undefined) {
    built = promisify(execFile)('make', ['-s', '-C', join(ROOT, 'firmware-stubs'), target], { maxBuffer: 16 << 20 })
      .then(() => undefined, (e: { stdout?: string; stderr?: string; message: string }) => {
        builds.delete(target);
        const out = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
        throw new Error(`building the firmware failed (make -C firmware-stubs ${target}):\n${out || e.message}`);
      });
    builds.set(target, built);
  }
  return built;
}

/** Where QEMU's sockets go, and what else {@link qemuArgs} adds. */
export interface QemuArgsOptions {
  /** The sensor seed for the host mailbox. Default: none. */
  readonly seed?: number;
  /** Machine properties appended to `-M`. */
  readonly machineOptions?: string;
  /** QMP's unix socket. Default: none. */
  readonly qmpSocket?: string;
  /** Appended last. */
  readonly extraArgs?: readonly string[];
}

/** QEMU's arguments for `image` on `machine`, its first UART on a unix socket at `socket`. */
export function qemuArgs(machine: string, image: string, socket: string, opts: QemuArgsOptions = {}): string[] {
  const args = [
    '-M', opts.machineOptions === undefined ? machine : `${machine},${opts.machineOptions}`, '-display', 'none', '-monitor', 'none',
    '-chardev', `socket,id=c0,path=${socket},server=on,wait=off`,
    '-serial', 'chardev:c0',
    '-kernel', image,
  ];
  if (opts.qmpSocket !== undefined) args.push('-qmp', `unix:${opts.qmpSocket},server=on,wait=off`);
  if (opts.seed !== undefined) {
    if (!Number.isInteger(opts.seed)) throw new RangeError(`"seed" must be an integer, got ${String(opts.seed)}`);
    // The host mailbox (port.h): the seed in the low word, the magic that validates it above.
    const data = (0x5eed5eedn << 32n) | BigInt(opts.seed >>> 0);
    const mailbox = QEMU_FIRMWARE[machine]?.mailboxAddress ?? 0x2000fff8;
    args.push('-device', `loader,addr=0x${mailbox.toString(16)},data=0x${data.toString(16)},data-len=8`);
  }
  return [...args, ...(opts.extraArgs ?? [])];
}

/** A child process started here. */
interface Tracked {
  readonly child: ChildProcess;
  /** Resolves once it exited and its stderr was read to the end. */
  readonly closed: Promise<void>;
  /** Its exit status, once {@link Tracked.closed} resolved; null before. */
  status(): string | null;
}

/** Spawns `command` and tracks it; its stderr lines go to `stderr` prefixed with `name`. */
function spawnTracked(name: string, command: string, args: readonly string[], stderr: string[]): Tracked {
  installHandlers();
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(`${name}: ${l}`));
  let status: string | null = null;
  const closed = new Promise<void>((done) => {
    const finish = (s: string): void => {
      status ??= s;
      live.delete(child);
      done();
    };
    child.once('error', (e) => {
      stderr.push(`${name}: ${e.message}`);
      finish('not started');
    });
    child.once('close', (code, signal) => finish(String(code ?? signal)));
  });
  return { child, closed, status: () => status };
}

/** Stops `p` by its pid: SIGTERM, SIGKILL after {@link STOP_GRACE_MS}. Resolves once it is gone. */
async function stopTracked(p: Tracked): Promise<void> {
  if (p.status() === null) {
    p.child.kill('SIGTERM');
    const t = setTimeout(() => p.child.kill('SIGKILL'), STOP_GRACE_MS);
    await p.closed;
    clearTimeout(t);
  }
}

/**
 * Resolves once `dir/name` exists. Watches the folder (inotify) and also checks every 25 ms, in
 * case an event is missed. Rejects after `timeoutMs`, or as soon as `failed()` says why the file
 * will never come (the process that makes it exited).
 */
function waitForPath(dir: string, name: string, timeoutMs: number, failed: () => string | null): Promise<void> {
  const path = join(dir, name);
  return new Promise<void>((resolvePath, reject) => {
    let watcher: FSWatcher | null = null;
    const finish = (err: Error | null): void => {
      clearInterval(poll);
      clearTimeout(timer);
      watcher?.close();
      if (err === null) resolvePath();
      else reject(err);
    };
    const check = (): void => {
      if (existsSync(path)) {
        finish(null);
        return;
      }
      const why = failed();
      if (why !== null) finish(new Error(`${path} did not appear: ${why}`));
    };
    const poll = setInterval(check, 25);
    const timer = setTimeout(() => finish(new Error(`${path} did not appear within ${timeoutMs} ms (connectMs)`)), timeoutMs);
    try {
      watcher = watch(dir, () => check());
      watcher.on('error', () => undefined);
    } catch {
      watcher = null;
    }
    check();
  });
}

/**
 * Connects to QEMU's QMP socket. QEMU creates the socket file before it listens on it, so a
 * refused connection is tried again every 25 ms, until `timeoutMs` or QEMU exits.
 */
async function connectQmp(path: string, timeoutMs: number, failed: () => string | null): Promise<QmpClient> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await QmpClient.connect(path, { timeoutMs });
    } catch (e) {
      const why = failed();
      if (why !== null) throw new Error(`QMP on ${path}: ${why}`, { cause: e });
      if (!(e instanceof QmpConnectionError) || e.code !== 'ECONNREFUSED' || Date.now() > deadline) throw e;
      await new Promise<void>((resolve) => setTimeout(resolve, 25));
    }
  }
}

/**
 * Starts QEMU with `image` (building it first when asked) and socat, and resolves once the pty
 * link exists. Rejects with {@link PrerequisiteMissingError} when QEMU or socat is not
 * installed, or with an error carrying their stderr; nothing is left running then.
 */
export async function startQemu(opts: QemuOptions = {}): Promise<QemuProcess> {
  const machine = opts.machine ?? 'lm3s6965evb';
  const known = QEMU_FIRMWARE[machine];
  if (opts.image === undefined && known === undefined) {
    throw new RangeError(`no firmware of this project for QEMU machine "${machine}" (there is for: ${Object.keys(QEMU_FIRMWARE).join(', ')}); give "image"`);
  }
  const image = opts.image ?? known!.agentImage;
  const build = opts.build === undefined ? (opts.image === undefined ? known!.makeTarget : null) : opts.build;
  const qemu = opts.qemu ?? 'qemu-system-arm';
  const connectMs = opts.timeouts?.connectMs ?? QEMU_TIMEOUTS.connectMs;
  const missingImage = (): Error => new Error(`firmware image "${image}" does not exist${build === null ? '' : ` after make -C firmware-stubs ${build}`}${isAbsolute(image) ? '' : ' (a relative path is relative to the current folder)'}`);
  if (build === null && !existsSync(image)) throw missingImage();
  requireInstalled([{ command: qemu, hint: QEMU_PREREQUISITES[0]!.hint }, QEMU_PREREQUISITES[1]!]);
  if (build !== null) await buildFirmware(build);
  if (!existsSync(image)) throw missingImage();

  const dir = mkdtempSync(join(tmpdir(), 'rtio-hil-qemu-'));
  const socket = join(dir, 'fw.sock');
  const qmpSocket = join(dir, 'qmp.sock');
  const path = join(dir, 'tty');
  const stderr: string[] = [];
  const procs: Tracked[] = [];
  let qmp: QmpClient | null = null;
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await qmp?.close();
      // socat first: it would otherwise see QEMU's socket close and exit with an error line.
      for (const p of [...procs].reverse()) await stopTracked(p);
      rmSync(dir, { recursive: true, force: true });
      removeHandlersIfIdle();
    })();
    return stopped;
  };
  const exitedEarly = (p: Tracked, name: string) => (): string | null => {
    const status = p.status();
    return status === null ? null : `${name} exited (${status}); stderr: ${stderr.join(' | ') || '(none)'}`;
  };

  try {
    const devices = await peripheralArgs(opts.peripherals ?? {}, dir);
    const args = qemuArgs(machine, image, socket, {
      ...(opts.seed === undefined ? {} : { seed: opts.seed }),
      ...(opts.machineOptions === undefined ? {} : { machineOptions: opts.machineOptions }),
      qmpSocket,
      extraArgs: [...devices.args, ...(opts.extraArgs ?? [])],
    });
    const q = spawnTracked('qemu', qemu, args, stderr);
    procs.push(q);
    const qemuExited = exitedEarly(q, `${qemu} -M ${machine} -kernel ${image}`);
    await waitForPath(dir, 'fw.sock', connectMs, qemuExited);
    await waitForPath(dir, 'qmp.sock', connectMs, qemuExited);
    qmp = await connectQmp(qmpSocket, connectMs, qemuExited);
    const s = spawnTracked('socat', 'socat', [`pty,link=${path},raw,echo=0`, `unix-connect:${socket}`], stderr);
    procs.push(s);
    await waitForPath(dir, 'tty', connectMs, exitedEarly(s, 'socat'));
    return { path, qemuPid: q.child.pid!, socatPid: s.child.pid!, stderr, qmp, files: devices.files, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * {@link openQemu}, returning the QEMU process and the host link as well as the target.
 */
export async function openQemuParts(id: string, seed: number, opts: OpenQemuOptions = {}): Promise<QemuParts> {
  const timeouts = { ...QEMU_TIMEOUTS, ...opts.timeouts };
  const qemu = await startQemu({ ...opts, seed, timeouts });
  let link: Link | null = null;
  try {
    const transport = await openSerialTransport({ path: qemu.path });
    const settings = opts.link ?? {};
    link = new Link(transport, { role: 'host', handshakeTimeoutMs: timeouts.handshakeMs, ...boardLinkLimits(settings) });
    const hello: AgentHello = await link.open();
    const target = new QemuTarget(id, hostPacketLink(link), hello, {
      capabilities: opts.capabilities ?? AGENT_CAPABILITIES,
      settleTimeoutMs: timeouts.settleMs,
      ...(settings.deadlineAllowanceMs === undefined ? {} : { deadlineAllowanceMs: settings.deadlineAllowanceMs }),
      onClose: () => qemu.stop(),
      ...(opts.onLog === undefined ? {} : { onLog: opts.onLog }),
    }, new QemuBackplane(id, opts.peripherals ?? {}, qemu.qmp, qemu.files));
    return { target, qemu, hostLink: link };
  } catch (e) {
    await link?.close();
    await qemu.stop();
    if (e instanceof Error && qemu.stderr.length > 0) e.message += ` (QEMU stderr: ${qemu.stderr.join(' | ')})`;
    throw e;
  }
}

/**
 * The agent's firmware under QEMU (default: the lm3s6965evb agent, built if needed), with sensor
 * seed `seed`, opened over socat's pty with SerialPort like a USB board; QEMU and socat are
 * stopped by their pids when the target closes.
 */
export async function openQemu(id: string, seed: number, opts: OpenQemuOptions = {}): Promise<QemuTarget> {
  return (await openQemuParts(id, seed, opts)).target;
}
