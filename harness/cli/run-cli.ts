/** Runs bin/rtio-hil as a child process, for tests of the command itself. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root';

/** The repository root. */
export const REPO_ROOT = PACKAGE_ROOT;
/** The command's entry point. */
export const RTIO_HIL_BIN = join(REPO_ROOT, 'bin', 'rtio-hil');

/** What a run printed and how it ended. */
export interface CliRun {
  /** Exit status. */
  readonly code: number;
  /** Everything on stdout. */
  readonly stdout: string;
  /** Everything on stderr. */
  readonly stderr: string;
}

/**
 * Runs `rtio-hil <args>` with `env` added to this process's environment (RTIO_BOARD and the
 * discovery and JUnit variables removed first, so the caller's shell does not leak in).
 */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = REPO_ROOT): Promise<CliRun> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['NO_COLOR', 'RTIO_BOARD', 'RTIO_PORT', 'RTIO_SEED', 'RTIO_BOARDS_DIR', 'RTIO_HIL_SYS_ROOT', 'RTIO_HIL_DEV_ROOT', 'RTIO_HIL_JUNIT']) delete base[k];
  return new Promise((done) => {
    execFile(process.execPath, [RTIO_HIL_BIN, ...args], { cwd, env: { ...base, FORCE_COLOR: '0', ...env }, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1;
      done({ code, stdout, stderr });
    });
  });
}
