/** Helpers the QEMU target's tests share. */
import { QEMU_PREREQUISITES } from '../qemu/launch';
import { FIRMWARE_PREREQUISITES, missingPrerequisite } from '../remote/make';

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
