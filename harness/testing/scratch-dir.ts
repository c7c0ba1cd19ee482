/**
 * A scratch folder for the tests of the mocha suite it is called in: made before them (`'each'`:
 * before each test), removed with everything in it after them. Test support only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Registers the hooks in the current `describe`; returns the folder's path, valid inside its tests. */
export function scratchDir(prefix: string, per: 'each' | 'all' = 'each'): () => string {
  let dir = '';
  const make = (): void => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  };
  const remove = (): void => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    dir = '';
  };
  if (per === 'each') {
    beforeEach(make);
    afterEach(remove);
  } else {
    before(make);
    after(remove);
  }
  return () => {
    if (dir === '') throw new Error(`scratchDir(${JSON.stringify(prefix)}) used outside its suite's tests`);
    return dir;
  };
}
