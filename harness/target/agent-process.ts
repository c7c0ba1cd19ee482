import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** How long the agent process may take to print its `ready` line, in ms. */
export const AGENT_READY_TIMEOUT_MS = 10_000;

/** A running agent process serving the protocol on a pseudo-terminal. */
export interface AgentProcess {
  /** Path of the pty link the agent serves (open it with SerialPort). */
  readonly path: string;
  /** The process id, used to stop it. */
  readonly pid: number;
  /** What the agent printed on stderr (for error messages). */
  readonly stderr: string[];
  /** Stops the process by its pid (SIGTERM, then SIGKILL) and removes its files. Idempotent. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts `command` with `--link <tmp>/tty` plus `args` and resolves once it prints
 * `ready <path>`. Rejects naming the command and its stderr when it exits first or stays
 * silent for {@link AGENT_READY_TIMEOUT_MS}. The process is killed when this process exits.
 */
export function startAgentProcess(command: string, args: readonly string[] = []): Promise<AgentProcess> {
  if (!existsSync(command)) return Promise.reject(new Error(`agent binary "${command}" does not exist (build it first)`));
  const dir = mkdtempSync(join(tmpdir(), 'rtio-hil-agent-'));
  const path = join(dir, 'tty');
  const child = spawn(command, ['--link', path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    live.delete(child);
    resolve();
  }));
  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exitedPromise;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return new Promise<AgentProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`agent "${command}" printed no "ready" line within ${AGENT_READY_TIMEOUT_MS} ms; stderr: ${stderr.join(' | ')}`));
    }, AGENT_READY_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('ready ')) {
        clearTimeout(timer);
        resolve({ path: line.slice(6).trim(), pid: child.pid!, stderr, stop });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`agent "${command}" exited (${code ?? signal}) before it was ready; stderr: ${stderr.join(' | ')}`));
    });
  });
}
