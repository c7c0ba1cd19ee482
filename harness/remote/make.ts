/**
 * Building what the targets run (`make -C firmware-stubs <target>`: the native agent, the
 * firmware images), once per process and make target, and checking first that the tools it
 * needs are installed.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../package-root';

/** A tool a build or a target needs, with how to get it. */
export interface Prerequisite {
  /** A command on PATH, or an absolute path. */
  readonly command: string;
  /** How to install it (Debian 12), e.g. `apt-get install -y --no-install-recommends socat`. */
  readonly hint: string;
}

/** A tool a target needs is not installed; `missing` names it, `hint` says how to get it. */
export class PrerequisiteMissingError extends Error {
  override readonly name = 'PrerequisiteMissingError';
  constructor(readonly missing: string, readonly hint: string) {
    super(`${missing} is not installed (${hint})`);
  }
}

/** What building the native agent needs (.ci/run installs it). */
export const NATIVE_PREREQUISITES: readonly Prerequisite[] = [
  { command: '/usr/bin/nanopb_generator.py', hint: 'apt-get install -y --no-install-recommends nanopb libnanopb-dev protobuf-compiler' },
];

/** What building the Cortex-M firmware needs, on top of {@link NATIVE_PREREQUISITES}. */
export const FIRMWARE_PREREQUISITES: readonly Prerequisite[] = [
  { command: 'arm-none-eabi-gcc', hint: 'apt-get install -y --no-install-recommends gcc-arm-none-eabi libnewlib-arm-none-eabi' },
  ...NATIVE_PREREQUISITES,
];

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

/** The first of `list` that is not installed, as a {@link PrerequisiteMissingError}; null when all are. */
export function missingPrerequisite(list: readonly Prerequisite[]): PrerequisiteMissingError | null {
  for (const p of list) {
    if (findExecutable(p.command) === null) return new PrerequisiteMissingError(p.command, p.hint);
  }
  return null;
}

const builds = new Map<string, Promise<void>>();

/**
 * Runs `make -s -C firmware-stubs <target>` once per process and target (make is incremental;
 * a failed build is tried again next time). Rejects with {@link PrerequisiteMissingError} when a
 * tool of `needs` is missing, else with an Error naming `what` and ending with make's last lines.
 */
export function buildOnce(target: string, what: string, needs: readonly Prerequisite[]): Promise<void> {
  const missing = missingPrerequisite(needs);
  if (missing !== null) return Promise.reject(missing);
  let built = builds.get(target);
  if (built === undefined) {
    built = promisify(execFile)('make', ['-s', '-C', join(PACKAGE_ROOT, 'firmware-stubs'), target], { maxBuffer: 16 << 20 })
      .then(() => undefined, (e: { stdout?: string; stderr?: string; message: string }) => {
        builds.delete(target);
        const out = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
        throw new Error(`building ${what} failed (make -C firmware-stubs ${target}):\n${out || e.message}`);
      });
    builds.set(target, built);
  }
  return built;
}
