/**
 * Where rtio-hil's own files are: the folder holding its package.json, whether this module runs
 * from the sources (`harness/`) or from the built package (`dist/harness/`). Board files,
 * firmware sources, the built suites and the firmware build output are found from here.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function packageRootAbove(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`rtio-hil: no package.json in ${from} or any folder above it`);
  }
}

/** The rtio-hil package's root folder (its package.json's folder). */
export const PACKAGE_ROOT = packageRootAbove(__dirname);

/** Where `npm run build` puts the JavaScript and declarations (`dist/`, mirroring the sources). */
export const BUILT_ROOT = join(PACKAGE_ROOT, 'dist');
