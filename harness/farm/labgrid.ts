/**
 * A board shared through labgrid: its place is reserved and locked with `labgrid-client` (the
 * documented command line, so any labgrid since reservations came in, crossbar or gRPC, works),
 * and its serial port is read from the place's `NetworkSerialPort` resource, which a labgrid
 * exporter serves with ser2net (RFC 2217 unless it says `protocol: raw`).
 *
 *   labgrid-client [-x C] reserve --wait --shell name=PLACE   → export LG_TOKEN=T, then waits
 *   labgrid-client [-x C] -p +T lock                          → acquired place PLACE
 *   labgrid-client [-x C] -p PLACE env                        → YAML: targets.PLACE.resources
 *   labgrid-client [-x C] -p PLACE unlock
 *   labgrid-client [-x C] cancel-reservation T
 */
import { spawn } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import { systemClock } from '../clock/clock';
import type { Clock } from '../clock/clock';
import type { NetworkSerialPort } from './network-serial-port';

/** A board file's `labgrid` block: the place that holds the board. */
export interface LabgridPlaceSpec {
  /** The place's name, as `labgrid-client places` lists it. */
  readonly place: string;
  /** The coordinator (`labgrid-client -x`); default labgrid's own (`LG_COORDINATOR`, `LG_CROSSBAR`, or its built-in address). */
  readonly coordinator?: string;
  /** Which `NetworkSerialPort` of the place, by name, when it has several. */
  readonly serialPort?: string;
}

/** Limits of {@link LabgridClient}, in ms. */
export const LABGRID_DEFAULTS = Object.freeze({
  /** Longest a command other than `reserve --wait` may take: 60000. */
  commandTimeoutMs: 60_000,
  /** Longest a reservation may wait for the place: 600000 (10 minutes). */
  reserveTimeoutMs: 600_000,
  /** How often a waiting reservation is reported: 10000. */
  progressMs: 10_000,
});

/** The `labgrid-client` steps rtio-hil runs. */
export type LabgridStep = 'reserve' | 'lock' | 'env' | 'unlock' | 'cancel-reservation';

/**
 * Why a step failed: `'not-installed'` (no `labgrid-client` on PATH), `'failed'` (it exited
 * non-zero, e.g. the place is unknown or not acquired), `'timeout'` (the place did not become
 * free in time; the reservation was cancelled), `'interrupted'` (the run was stopped while it
 * waited; the reservation was cancelled), `'no-serial-port'` (the place has no usable
 * `NetworkSerialPort`).
 */
export type LabgridFailure = 'not-installed' | 'failed' | 'timeout' | 'interrupted' | 'no-serial-port';

/** A labgrid step failed. Message: `'labgrid place "<place>": <step> <what happened>'`. */
export class LabgridError extends Error {
  override readonly name = 'LabgridError';
  /** The place. */
  readonly place: string;
  /** The step. */
  readonly step: LabgridStep;
  /** Why, machine-readably. */
  readonly reason: LabgridFailure;
  /** `labgrid-client`'s exit status, when it exited. */
  readonly exitCode: number | null;
  /** The last lines it printed on stderr. */
  readonly output: string;

  constructor(place: string, step: LabgridStep, reason: LabgridFailure, detail: string, exitCode: number | null = null, output = '') {
    super(`labgrid place "${place}": ${step} ${detail}`);
    this.place = place;
    this.step = step;
    this.reason = reason;
    this.exitCode = exitCode;
    this.output = output;
  }
}

/** Options of {@link LabgridClient}. */
export interface LabgridClientOptions {
  /** The command. Default `labgrid-client` (found on PATH). */
  readonly command?: string;
  /** Its environment. Default this process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** The clock of timeouts and progress. Default the wall clock. */
  readonly clock?: Clock;
  /** Longest a command other than reserve may take, ms. Default {@link LABGRID_DEFAULTS}.commandTimeoutMs. */
  readonly commandTimeoutMs?: number;
}

/** Options of {@link LabgridClient.reserve}. */
export interface ReserveOptions {
  /** Longest wait for the place, ms. Default {@link LABGRID_DEFAULTS}.reserveTimeoutMs. */
  readonly timeoutMs?: number;
  /** Stops the wait (the reservation is cancelled). */
  readonly signal?: AbortSignal;
  /** Told once the reservation exists and every `progressMs` while it waits. */
  readonly onWaiting?: (token: string, waitedMs: number) => void;
  /** Default {@link LABGRID_DEFAULTS}.progressMs. */
  readonly progressMs?: number;
}

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `labgrid-client` for one place. Each method runs one command and rejects with a {@link LabgridError}. */
export class LabgridClient {
  readonly #spec: LabgridPlaceSpec;
  readonly #command: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #clock: Clock;
  readonly #timeoutMs: number;

  constructor(spec: LabgridPlaceSpec, o: LabgridClientOptions = {}) {
    this.#spec = spec;
    this.#command = o.command ?? 'labgrid-client';
    this.#env = o.env ?? process.env;
    this.#clock = o.clock ?? systemClock;
    this.#timeoutMs = o.commandTimeoutMs ?? LABGRID_DEFAULTS.commandTimeoutMs;
  }

  /** The place. */
  get place(): string {
    return this.#spec.place;
  }

  /**
   * Reserves the place (`reserve --wait --shell name=<place>`) and waits until it is allocated
   * to us; resolves the reservation's token. On timeout or abort the wait is stopped and the
   * reservation cancelled before rejecting (`'timeout'`, `'interrupted'`).
   */
  reserve(o: ReserveOptions = {}): Promise<string> {
    const timeoutMs = o.timeoutMs ?? LABGRID_DEFAULTS.reserveTimeoutMs;
    const progressMs = o.progressMs ?? LABGRID_DEFAULTS.progressMs;
    const clock = this.#clock;
    return new Promise<string>((resolve, reject) => {
      let token: string | null = null;
      let stdout = '';
      let stderr = '';
      let ended = false;
      const started = clock.now();
      let tick = -1;
      const child = spawn(this.#command, this.#args('reserve', '--wait', '--shell', `name=${this.place}`), { env: this.#env, stdio: ['ignore', 'pipe', 'pipe'] });
      const stopWaiting = (reason: 'timeout' | 'interrupted', detail: string): void => {
        if (ended) return;
        ended = true;
        cleanup();
        child.kill('SIGTERM');
        const cancel = token === null ? Promise.resolve() : this.cancelReservation(token).catch(() => undefined);
        void cancel.then(() => reject(new LabgridError(this.place, 'reserve', reason, `${detail}${token === null ? '' : ` (reservation ${token} cancelled)`}`, null, tail(stderr))));
      };
      const timer = clock.setTimer(started + timeoutMs, () => stopWaiting('timeout', `did not get the place within ${Math.round(timeoutMs / 1000)} s`), undefined);
      const onAbort = (): void => stopWaiting('interrupted', 'interrupted while waiting for the place');
      o.signal?.addEventListener('abort', onAbort);
      const cleanup = (): void => {
        clock.clearTimer(timer);
        clock.clearTimer(tick);
        o.signal?.removeEventListener('abort', onAbort);
      };
      const report = (): void => {
        if (token === null || ended) return;
        o.onWaiting?.(token, clock.now() - started);
        tick = clock.setTimer(clock.now() + progressMs, report, undefined);
      };
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        const m = /^export LG_TOKEN=['"]?([A-Za-z0-9_-]+)/m.exec(stdout);
        if (m !== null && token === null) {
          token = m[1]!;
          report();
        }
      });
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (ended) return;
        ended = true;
        cleanup();
        reject(this.#spawnError('reserve', e));
      });
      child.on('close', (code) => {
        if (ended) return;
        ended = true;
        cleanup();
        if (code === 0 && token !== null) resolve(token);
        else reject(new LabgridError(this.place, 'reserve', 'failed', code === 0 ? 'printed no LG_TOKEN' : `failed (exit ${code ?? 'signal'})${lastLine(stderr)}`, code, tail(stderr)));
      });
      if (o.signal?.aborted === true) onAbort();
    });
  }

  /** Locks (acquires) the place through reservation `token` (`-p +<token> lock`). */
  async lock(token: string): Promise<void> {
    await this.#run('lock', ['-p', `+${token}`, 'lock']);
  }

  /** Unlocks (releases) the place (`-p <place> unlock`). */
  async unlock(): Promise<void> {
    await this.#run('unlock', ['-p', this.place, 'unlock']);
  }

  /** Cancels reservation `token`. */
  async cancelReservation(token: string): Promise<void> {
    await this.#run('cancel-reservation', ['cancel-reservation', token]);
  }

  /**
   * The place's serial port, from `-p <place> env` (the place must be acquired by this user):
   * its `NetworkSerialPort` resource ({@link LabgridPlaceSpec.serialPort} picks one by name).
   */
  async networkSerialPort(): Promise<NetworkSerialPort> {
    const { stdout } = await this.#run('env', ['-p', this.place, 'env']);
    return parseLabgridEnv(stdout, this.place, this.#spec.serialPort);
  }

  #args(...rest: string[]): string[] {
    return [...(this.#spec.coordinator === undefined ? [] : ['-x', this.#spec.coordinator]), ...rest];
  }

  #spawnError(step: LabgridStep, e: NodeJS.ErrnoException): LabgridError {
    return e.code === 'ENOENT'
      ? new LabgridError(this.place, step, 'not-installed', `cannot run "${this.#command}": it is not installed or not on PATH`)
      : new LabgridError(this.place, step, 'failed', `cannot run "${this.#command}": ${e.message}`);
  }

  /** Runs one command; resolves its output when it exits 0, else rejects. */
  #run(step: LabgridStep, args: string[]): Promise<Ran> {
    const clock = this.#clock;
    return new Promise<Ran>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      let done = false;
      const child = spawn(this.#command, this.#args(...args), { env: this.#env, stdio: ['ignore', 'pipe', 'pipe'] });
      const timer = clock.setTimer(clock.now() + this.#timeoutMs, () => {
        if (done) return;
        done = true;
        child.kill('SIGKILL');
        reject(new LabgridError(this.place, step, 'timeout', `did not finish within ${Math.round(this.#timeoutMs / 1000)} s`, null, tail(stderr)));
      }, undefined);
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
      });
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (done) return;
        done = true;
        clock.clearTimer(timer);
        reject(this.#spawnError(step, e));
      });
      child.on('close', (code) => {
        if (done) return;
        done = true;
        clock.clearTimer(timer);
        if (code === 0) resolve({ code, stdout, stderr });
        else reject(new LabgridError(this.place, step, 'failed', `failed (exit ${code ?? 'signal'})${lastLine(stderr)}`, code, tail(stderr)));
      });
    });
  }
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-10).join('\n');
}

function lastLine(text: string): string {
  const line = text.trim().split('\n').pop() ?? '';
  return line === '' ? '' : `: ${line}`;
}

/**
 * The `NetworkSerialPort` in `labgrid-client env`'s YAML (`targets: <place>: resources: - NetworkSerialPort: {host, port,
 * protocol, speed, name}`, as labgrid's client dumps the place's resources): the one named
 * `name`, else the only one. Throws {@link LabgridError} `'no-serial-port'` naming what it found
 * when the output is not such YAML, has no serial port, several without a name to choose by, or
 * one without a host and port.
 */
export function parseLabgridEnv(yaml: string, place: string, name?: string): NetworkSerialPort {
  const fail = (detail: string): never => {
    throw new LabgridError(place, 'env', 'no-serial-port', detail);
  };
  let doc: unknown;
  try {
    doc = parseYaml(yaml);
  } catch (e) {
    return fail(`printed no YAML: ${(e as Error).message.split('\n')[0] ?? ''}`);
  }
  const ports = networkSerialPorts(doc, place);
  const chosen = name === undefined ? ports : ports.filter((p) => p.name === name);
  if (chosen.length === 0) fail(name === undefined ? 'lists no NetworkSerialPort resource' : `has no NetworkSerialPort named "${name}" (it has: ${ports.map((p) => p.name ?? '(unnamed)').join(', ') || 'none'})`);
  if (chosen.length > 1) fail(`has ${chosen.length} NetworkSerialPort resources (${chosen.map((p) => p.name ?? '(unnamed)').join(', ')}): name one in the board file's /labgrid/serialPort`);
  const p = chosen[0]!;
  const port = Number(p.port);
  if (p.host === undefined || p.host === '' || !Number.isInteger(port) || port < 1 || port > 65535) fail(`has a NetworkSerialPort without a usable host and port (host ${p.host ?? 'missing'}, port ${p.port ?? 'missing'})`);
  const protocol = p.protocol ?? 'rfc2217';
  if (protocol !== 'rfc2217' && protocol !== 'raw') fail(`has a NetworkSerialPort with protocol "${protocol}" (rfc2217 or raw expected)`);
  return { protocol: protocol as 'rfc2217' | 'raw', host: p.host!, port };
}

/** The scalar fields, as text, of every `NetworkSerialPort` among `targets.<place>.resources` of `doc` (or of its only target). */
function networkSerialPorts(doc: unknown, place: string): Record<string, string>[] {
  const field = (o: unknown, key: string): unknown => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined);
  const targets = field(doc, 'targets');
  // labgrid names the target after the place; the only target is taken whatever its name.
  const only = typeof targets === 'object' && targets !== null && Object.keys(targets).length === 1 ? Object.values(targets)[0] : undefined;
  const resources = field(field(targets, place) ?? only, 'resources');
  if (!Array.isArray(resources)) return [];
  return resources.flatMap((r) => {
    const args = field(r, 'NetworkSerialPort');
    if (typeof args !== 'object' || args === null) return [];
    const scalars = Object.entries(args).filter(([, v]) => typeof v === 'string' || typeof v === 'number');
    return [Object.fromEntries(scalars.map(([k, v]) => [k, String(v)]))];
  });
}
