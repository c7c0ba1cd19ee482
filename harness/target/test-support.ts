/** Helpers the QEMU target's tests share. */
import { FIRMWARE_PREREQUISITES, QEMU_PREREQUISITES, findExecutable } from './qemu';

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
  for (const p of [...QEMU_PREREQUISITES, ...FIRMWARE_PREREQUISITES]) {
    if (findExecutable(p.command) === null) return `${p.command} is not installed (${p.hint})`;
  }
  return null;
}
