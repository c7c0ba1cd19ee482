/**
 * Launching QEMU for a target: `qemu-system-arm` with the agent's firmware, its first UART on a
 * unix socket that `socat` bridges to a pty with a stable link path (opened with SerialPort like
 * a USB board), QMP on a second socket, and QEMU's own device models where the board lists them.
 * QEMU's `-serial pty` backend is not used: it delays the first exchange after every open by
 * ~0.9 s. Both processes are tracked by ../remote/children, so nothing outlives its target.
 */
import { existsSync, mkdtempSync, rmSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { spawnChild } from '../remote/children';
import type { Child } from '../remote/children';
import { missingPrerequisite } from '../remote/make';
import type { Prerequisite } from '../remote/make';
import { QEMU_FIRMWARE, buildFirmware } from './firmware';
import { peripheralArgs } from './peripherals';
import type { QemuPeripheralsSpec } from './peripherals';
import { QmpClient, QmpConnectionError } from './qmp';

/** Default of {@link QemuOptions.connectMs}. */
export const QEMU_CONNECT_MS = 5000;

/** What the QEMU target needs installed, with how to get it (Debian 12). */
export const QEMU_PREREQUISITES: readonly Prerequisite[] = [
  { command: 'qemu-system-arm', hint: 'apt-get install -y --no-install-recommends qemu-system-arm' },
  { command: 'socat', hint: 'apt-get install -y --no-install-recommends socat' },
];

/** Options of {@link startQemu} (and of `openQemu`); a board file's `launch` section maps onto them. */
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
  /** QEMU's socket, then socat's pty link, must appear within this many ms. Default {@link QEMU_CONNECT_MS}. */
  readonly connectMs?: number;
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
  const connectMs = opts.connectMs ?? QEMU_CONNECT_MS;
  const missingImage = (): Error => new Error(`firmware image "${image}" does not exist${build === null ? '' : ` after make -C firmware-stubs ${build}`}${isAbsolute(image) ? '' : ' (a relative path is relative to the current folder)'}`);
  if (build === null && !existsSync(image)) throw missingImage();
  const missing = missingPrerequisite([{ command: qemu, hint: QEMU_PREREQUISITES[0]!.hint }, QEMU_PREREQUISITES[1]!]);
  if (missing !== null) throw missing;
  if (build !== null) await buildFirmware(build);
  if (!existsSync(image)) throw missingImage();

  const dir = mkdtempSync(join(tmpdir(), 'rtio-hil-qemu-'));
  const socket = join(dir, 'fw.sock');
  const qmpSocket = join(dir, 'qmp.sock');
  const path = join(dir, 'tty');
  const stderr: string[] = [];
  const procs: Child[] = [];
  let qmp: QmpClient | null = null;
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await qmp?.close();
      // socat first: it would otherwise see QEMU's socket close and exit with an error line.
      for (const p of [...procs].reverse()) await p.stop();
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  const exitedEarly = (p: Child, name: string) => (): string | null => {
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
    const q = spawnChild('qemu', qemu, args, { stderr });
    procs.push(q);
    const qemuExited = exitedEarly(q, `${qemu} -M ${machine} -kernel ${image}`);
    await waitForPath(dir, 'fw.sock', connectMs, qemuExited);
    await waitForPath(dir, 'qmp.sock', connectMs, qemuExited);
    qmp = await connectQmp(qmpSocket, connectMs, qemuExited);
    const s = spawnChild('socat', 'socat', [`pty,link=${path},raw,echo=0`, `unix-connect:${socket}`], { stderr });
    procs.push(s);
    await waitForPath(dir, 'tty', connectMs, exitedEarly(s, 'socat'));
    return { path, qemuPid: q.pid!, socatPid: s.pid!, stderr, qmp, files: devices.files, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
