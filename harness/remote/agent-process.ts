/** An agent as a Linux process serving the protocol on a pseudo-terminal (the native agent). */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnChild } from './children';

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

/**
 * Starts `command` with `--link <tmp>/tty` plus `args` and resolves once it prints
 * `ready <path>`. Rejects naming the command and its stderr when it exits first or stays
 * silent for {@link AGENT_READY_TIMEOUT_MS}. The process is killed when this process exits.
 */
export function startAgentProcess(command: string, args: readonly string[] = []): Promise<AgentProcess> {
  if (!existsSync(command)) return Promise.reject(new Error(`agent binary "${command}" does not exist (build it first)`));
  const dir = mkdtempSync(join(tmpdir(), 'rtio-hil-agent-'));
  const stderr: string[] = [];
  return new Promise<AgentProcess>((resolve, reject) => {
    let ready = false;
    const child = spawnChild('agent', command, ['--link', join(dir, 'tty'), ...args], {
      stderr,
      onStdoutLine: (line) => {
        if (ready || !line.startsWith('ready ')) return;
        ready = true;
        clearTimeout(timer);
        resolve({ path: line.slice(6).trim(), pid: child.pid!, stderr, stop });
      },
    });
    const stop = async (): Promise<void> => {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`agent "${command}" printed no "ready" line within ${AGENT_READY_TIMEOUT_MS} ms; stderr: ${stderr.join(' | ')}`));
    }, AGENT_READY_TIMEOUT_MS);
    void child.closed.then(() => {
      if (ready) return;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`agent "${command}" exited (${child.status() ?? '?'}) before it was ready; stderr: ${stderr.join(' | ')}`));
    });
  });
}
