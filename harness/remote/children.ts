/**
 * The processes rtio-hil starts (the native agent, QEMU, socat): spawned and tracked here, so
 * that each is stopped by its pid when its target closes, when opening fails, and when this
 * process exits or is interrupted (SIGINT, SIGTERM, SIGHUP).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How long a stopped process may take to exit after SIGTERM before it gets SIGKILL, in ms. */
export const STOP_GRACE_MS = 2000;

/** A child process started with {@link spawnChild}. */
export interface Child {
  /** Its process id (undefined when it could not be started). */
  readonly pid: number | undefined;
  /** Resolves once it exited and its output was read to the end. */
  readonly closed: Promise<void>;
  /** How it ended (`'0'`, `'SIGTERM'`, `'not started'`) once {@link Child.closed} resolved; null before. */
  status(): string | null;
  /** Stops it: SIGTERM, SIGKILL after {@link STOP_GRACE_MS}. Resolves once it is gone. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link spawnChild}. */
export interface SpawnChildOptions {
  /** Receives each stderr line, prefixed with the child's name. */
  readonly stderr: string[];
  /** Receives each stdout line; without it stdout is ignored. */
  readonly onStdoutLine?: (line: string) => void;
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

/** Removes the signal handlers once no child is left, so that they do not outlive the targets. */
function removeHandlersIfIdle(): void {
  if (!handlersInstalled || live.size > 0) return;
  handlersInstalled = false;
  process.removeListener('exit', killLive);
  for (const s of STOP_SIGNALS) process.removeListener(s, onStopSignal);
}

/** Spawns `command` with `args` (stdin ignored) and tracks it until it exits. */
export function spawnChild(name: string, command: string, args: readonly string[], opts: SpawnChildOptions): Child {
  installHandlers();
  const onStdout = opts.onStdoutLine;
  const child = spawn(command, args, { stdio: ['ignore', onStdout === undefined ? 'ignore' : 'pipe', 'pipe'] });
  live.add(child);
  createInterface({ input: child.stderr! }).on('line', (l) => opts.stderr.push(`${name}: ${l}`));
  if (onStdout !== undefined) createInterface({ input: child.stdout! }).on('line', onStdout);
  let status: string | null = null;
  const closed = new Promise<void>((done) => {
    const finish = (s: string): void => {
      status ??= s;
      live.delete(child);
      removeHandlersIfIdle();
      done();
    };
    child.once('error', (e) => {
      opts.stderr.push(`${name}: ${e.message}`);
      finish('not started');
    });
    child.once('close', (code, signal) => finish(String(code ?? signal)));
  });
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (status !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await closed;
      clearTimeout(t);
    })();
    return stopping;
  };
  return { pid: child.pid, closed, status: () => status, stop };
}
