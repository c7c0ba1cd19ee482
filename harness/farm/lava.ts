/**
 * Running inside a LAVA `docker` test action: LAVA exports the device's connection and power
 * commands to the container (lava-dispatcher's docker test shell; "Running arbitrary code with
 * docker" in LAVA's documentation):
 *
 *   LAVA_CONNECTION_COMMAND            the primary connection, e.g. `telnet 192.168.1.200 8001`
 *   LAVA_CONNECTION_COMMAND_<UART>     each connection by name (`..._UART0`)
 *   LAVA_HARD_RESET_COMMAND            e.g. `/path/to/reset.sh 0 1 2 && sleep 5` (run with sh -c)
 *   LAVA_POWER_ON_COMMAND, LAVA_POWER_OFF_COMMAND
 *   LAVA_BOARD_ID                      the device's board_id (its USB serial number, say)
 *
 * With LAVA_CONNECTION_COMMAND set, a board reached through a port (serial, tcp, rfc2217 or
 * labgrid board files) is reached through that connection instead, reset with the hard-reset
 * command where its board file asks for a reset, and reported with LAVA's board id: the board
 * file needs no edit.
 */
import { spawn } from 'node:child_process';
import { systemClock } from '../clock/clock';
import type { Clock } from '../clock/clock';
import type { NetworkSerialPort } from './network-serial-port';

/** The variables rtio-hil reads. */
export const LAVA_ENV = Object.freeze({
  connection: 'LAVA_CONNECTION_COMMAND',
  hardReset: 'LAVA_HARD_RESET_COMMAND',
  boardId: 'LAVA_BOARD_ID',
});

/** Longest the hard-reset command may run, in ms: 120000 (power cycles include settle times). */
export const LAVA_HARD_RESET_TIMEOUT_MS = 120_000;

/** What LAVA's environment says about the device under test. */
export interface LavaEnvironment {
  /** LAVA_CONNECTION_COMMAND as given. */
  readonly connectionCommand: string;
  /** Where it connects to. */
  readonly serialPort: NetworkSerialPort;
  /** LAVA_HARD_RESET_COMMAND, or null when unset. */
  readonly hardResetCommand: string | null;
  /** LAVA_BOARD_ID, or null when unset. */
  readonly boardId: string | null;
}

/** A LAVA variable cannot be used, or the hard reset failed. Message: `'LAVA <VARIABLE>: <what>'`. */
export class LavaError extends Error {
  override readonly name = 'LavaError';
  /** The variable concerned. */
  readonly variable: string;
  /** Its value. */
  readonly command: string;
  /** `'unsupported-command'`: a connection rtio-hil cannot open; `'reset-failed'`, `'reset-timeout'`. */
  readonly reason: 'unsupported-command' | 'reset-failed' | 'reset-timeout';

  constructor(variable: string, command: string, reason: LavaError['reason'], detail: string) {
    super(`LAVA ${variable}: ${detail}`);
    this.variable = variable;
    this.command = command;
    this.reason = reason;
  }
}

/**
 * LAVA's description of the device from `env`, or null outside LAVA (LAVA_CONNECTION_COMMAND
 * unset or empty). Throws {@link LavaError} `'unsupported-command'` for a connection command
 * {@link parseConnectionCommand} cannot read.
 */
export function lavaEnvironment(env: NodeJS.ProcessEnv = process.env): LavaEnvironment | null {
  const command = (env[LAVA_ENV.connection] ?? '').trim();
  if (command === '') return null;
  const nonEmpty = (v: string | undefined): string | null => (v === undefined || v.trim() === '' ? null : v.trim());
  return {
    connectionCommand: command,
    serialPort: parseConnectionCommand(command),
    hardResetCommand: nonEmpty(env[LAVA_ENV.hardReset]),
    boardId: nonEmpty(env[LAVA_ENV.boardId]),
  };
}

/**
 * Where a LAVA connection command connects: `telnet [options] HOST [PORT]` (port 23 by
 * default) is telnet, which the RFC 2217 client speaks (ser2net's `telnet` and
 * `telnet(rfc2217)` accepters); `nc`/`netcat`/`ncat [options] HOST PORT` and
 * `socat ... TCP:HOST:PORT` (or `TCP4:`/`TCP6:`) are raw TCP. Throws {@link LavaError}
 * `'unsupported-command'` for anything else (a local `picocom /dev/...`, `ssh ...`).
 */
export function parseConnectionCommand(command: string): NetworkSerialPort {
  const words = command.trim().split(/\s+/).filter((w) => w !== '');
  const tool = (words[0] ?? '').split('/').pop() ?? '';
  const positional = words.slice(1).filter((w) => !w.startsWith('-'));
  const port = (s: string | undefined, fallback?: number): number | null => {
    const n = s === undefined ? fallback : Number(s);
    return n !== undefined && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : null;
  };
  if (tool === 'telnet' && positional.length >= 1 && positional.length <= 2) {
    const p = port(positional[1], 23);
    if (p !== null) return { protocol: 'rfc2217', host: positional[0]!, port: p };
  }
  if (['nc', 'netcat', 'ncat'].includes(tool) && positional.length === 2) {
    const p = port(positional[1]);
    if (p !== null) return { protocol: 'raw', host: positional[0]!, port: p };
  }
  if (tool === 'socat') {
    for (const w of words.slice(1)) {
      const m = /^TCP[46]?:(\[[^\]]+\]|[^:,]+):(\d+)/i.exec(w);
      const p = port(m?.[2]);
      if (m !== null && p !== null) return { protocol: 'raw', host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port: p };
    }
  }
  throw new LavaError(LAVA_ENV.connection, command, 'unsupported-command',
    `cannot connect through "${command}": rtio-hil reads "telnet HOST PORT", "nc HOST PORT" and "socat - TCP:HOST:PORT" (ask the lab for a ser2net port)`);
}

/**
 * Runs the hard-reset command as LAVA advises, `sh -c "<command>"`; resolves when it exits 0.
 * Rejects with {@link LavaError} `'reset-failed'` (its exit status and last stderr line) or
 * `'reset-timeout'` after `timeoutMs` (it is killed).
 */
export function runHardReset(command: string, timeoutMs = LAVA_HARD_RESET_TIMEOUT_MS, clock: Clock = systemClock): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let stderr = '';
    let done = false;
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'pipe'] });
    const finish = (err: LavaError | null): void => {
      if (done) return;
      done = true;
      clock.clearTimer(timer);
      if (err === null) resolve();
      else reject(err);
    };
    const timer = clock.setTimer(clock.now() + timeoutMs, () => {
      child.kill('SIGKILL');
      finish(new LavaError(LAVA_ENV.hardReset, command, 'reset-timeout', `"${command}" did not finish within ${Math.round(timeoutMs / 1000)} s`));
    }, undefined);
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('error', (e) => finish(new LavaError(LAVA_ENV.hardReset, command, 'reset-failed', `cannot run sh: ${e.message}`)));
    child.on('close', (code) => {
      const last = stderr.trim().split('\n').pop() ?? '';
      finish(code === 0 ? null : new LavaError(LAVA_ENV.hardReset, command, 'reset-failed', `"${command}" exited ${code ?? 'on a signal'}${last === '' ? '' : `: ${last}`}`));
    });
  });
}
