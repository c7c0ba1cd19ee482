/** Where the benches put their pictures: `RTIO_BENCH_PLOTS` if set, else `bench-results/` in the current folder. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The environment variable naming the folder bench SVGs are written to. */
export const PLOTS_ENV = 'RTIO_BENCH_PLOTS';

/** Writes each `svgs[name]` to `<folder>/<name>.svg` (creating the folder); returns the paths written. */
export function writePlots(svgs: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = resolve(env[PLOTS_ENV] ?? 'bench-results');
  mkdirSync(dir, { recursive: true });
  return Object.entries(svgs).map(([name, svg]) => {
    const file = join(dir, `${name}.svg`);
    writeFileSync(file, svg);
    return file;
  });
}
