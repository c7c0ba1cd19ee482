/** Helpers the tests of targets that need tools (QEMU, the native agent's build) share. */
import { QEMU_PREREQUISITES } from '../qemu/launch';
import { FIRMWARE_PREREQUISITES, PrerequisiteMissingError, missingPrerequisite } from '../remote/make';
import { buildNativeAgent } from '../remote/native';
import { skipBecause } from '../report/skip-reason';

/** True while a process with this pid exists (signal 0 only checks). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What is missing to build and run firmware under QEMU (`<command> is not installed (<hint>)`), or null. */
export function missingQemuPrerequisite(): string | null {
  return missingPrerequisite([...QEMU_PREREQUISITES, ...FIRMWARE_PREREQUISITES])?.message ?? null;
}

/**
 * Builds the native agent for a test (once per process), or skips the test (or, in a hook, its
 * suite) naming what is missing when it cannot be built here.
 */
export async function buildNativeAgentOrSkip(ctx: Mocha.Context): Promise<void> {
  try {
    await buildNativeAgent();
  } catch (e) {
    if (e instanceof PrerequisiteMissingError) skipBecause(ctx, `the native agent cannot be built here: ${e.message}`);
    throw e;
  }
}
