/**
 * Debian's ser2net for the farm tests: started in the foreground (`-n -d`) with a YAML
 * configuration of one connection, its accepter on 127.0.0.1 and a port the kernel picks (read
 * back from /proc, so two runs never race for one), in front of a pty (the native agent's, or
 * socat's for QEMU). With `modemLines`, ser2net runs with ./pty-modem-lines.c preloaded, which
 * gives the pty the DTR and RTS it lacks and sends their levels to the agent's --modem-lines
 * socket. Every ser2net started here is stopped by its pid.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { systemClock } from '../../harness/clock/clock';
import { PACKAGE_ROOT } from '../../harness/package-root';

/** Where Debian installs ser2net (`apt-get install ser2net`). */
export const SER2NET_BINARY = '/usr/sbin/ser2net';
/** The preload library's source. */
export const MODEM_LINES_SOURCE = join(PACKAGE_ROOT, 'test', 'farm', 'pty-modem-lines.c');
/** Longest ser2net may take to listen, in ms. */
const LISTEN_TIMEOUT_MS = 10_000;

/** Why the ser2net tests cannot run here, or null when they can. */
export function ser2netUnavailable(): string | null {
  return existsSync(SER2NET_BINARY) ? null : `ser2net is not installed (${SER2NET_BINARY}; apt-get install -y --no-install-recommends ser2net)`;
}

let shim: Promise<string> | null = null;

/** Builds ./pty-modem-lines.c into build/test-farm/ (once per process); resolves the library's path. */
export function buildModemLinesShim(): Promise<string> {
  shim ??= (async () => {
    const dir = join(PACKAGE_ROOT, 'build', 'test-farm');
    const out = join(dir, 'pty-modem-lines.so');
    mkdirSync(dir, { recursive: true });
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(MODEM_LINES_SOURCE).mtimeMs) {
      await promisify(execFile)('cc', ['-shared', '-fPIC', '-std=c99', '-Wall', '-Wextra', '-Werror', '-o', out, MODEM_LINES_SOURCE, '-ldl']);
    }
    return out;
  })();
  return shim;
}

/** Options of {@link startSer2net}. */
export interface Ser2netOptions {
  /** The serial device (a pty or its link). */
  readonly device: string;
  /** `'rfc2217'`: accepter `telnet(rfc2217),tcp`; `'raw'`: `tcp`. Default rfc2217. */
  readonly accepter?: 'rfc2217' | 'raw';
  /** The agent's --modem-lines socket: preload the modem-lines library and send DTR/RTS there. */
  readonly modemLines?: string;
}

/** A running ser2net. */
export interface Ser2netProcess {
  /** The TCP port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Its pid. */
  readonly pid: number;
  /** What it printed. */
  readonly output: readonly string[];
  /** Stops it by its pid (SIGTERM, then SIGKILL) and removes its files. Idempotent. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts ser2net in front of `o.device` and resolves once it listens. */
export async function startSer2net(o: Ser2netOptions): Promise<Ser2netProcess> {
  const dir = mkdtempSync(join(tmpdir(), `rtio-hil-ser2net-${process.pid}-`));
  const config = join(dir, 'ser2net.yaml');
  const accepter = o.accepter === 'raw' ? 'tcp,127.0.0.1,0' : 'telnet(rfc2217),tcp,127.0.0.1,0';
  writeFileSync(config, `%YAML 1.1\n---\nconnection: &dut\n  accepter: ${accepter}\n  connector: serialdev,${o.device},115200n81,local\n`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (o.modemLines !== undefined) {
    env.LD_PRELOAD = await buildModemLinesShim();
    env.RTIO_HIL_MODEM_LINES = o.modemLines;
  }
  const child = spawn(SER2NET_BINARY, ['-n', '-d', '-c', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const output: string[] = [];
  const collect = (b: Buffer): void => {
    output.push(...b.toString().split('\n').filter((l) => l.trim() !== ''));
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    live.delete(child);
    resolve();
  }));
  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exit;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await listeningPort(child, () => exited, output);
    return { port, pid: child.pid!, output, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Polls /proc until `child` has a listening TCP socket; resolves its port. */
function listeningPort(child: ChildProcess, exited: () => boolean, output: readonly string[]): Promise<number> {
  const clock = systemClock;
  const deadline = clock.now() + LISTEN_TIMEOUT_MS;
  return new Promise<number>((resolve, reject) => {
    const look = (): void => {
      const port = listeningPortOf(child.pid!);
      if (port !== null) return resolve(port);
      if (exited()) return reject(new Error(`ser2net exited before listening: ${output.join(' | ')}`));
      if (output.some((l) => /Unable to startup network port/.test(l))) return reject(new Error(`ser2net cannot listen: ${output.join(' | ')}`));
      if (clock.now() > deadline) return reject(new Error(`ser2net did not listen within ${LISTEN_TIMEOUT_MS} ms: ${output.join(' | ')}`));
      clock.setTimer(clock.now() + 20, look, undefined);
    };
    look();
  });
}

/** The port of a TCP socket `pid` listens on (its fds' socket inodes against /proc/net/tcp), or null. */
function listeningPortOf(pid: number): number | null {
  let inodes: Set<string>;
  try {
    inodes = new Set(readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return m === null ? [] : [m[1]!];
      } catch {
        return [];
      }
    }));
  } catch {
    return null;
  }
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === '0A' && inodes.has(f[9] ?? '')) return parseInt(f[1]!.split(':')[1]!, 16);
  }
  return null;
}
