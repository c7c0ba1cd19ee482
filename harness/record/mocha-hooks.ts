/**
 * A mocha root-hook plugin (`mocha --require`) that `rtio-hil record` loads into each run: with
 * `RTIO_RECORD` set to a file, it records everything the suites do there, each event under the
 * test it came from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root';
import { RECORD_ENV } from './env';
import { startRecording } from './session';
import type { Recording } from './session';

const file = process.env[RECORD_ENV];
const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
const recording: Recording | null = file === undefined || file === '' ? null : startRecording(file, `rtio-hil ${version}`);
if (recording !== null) process.on('exit', () => recording.stop());

/** Mocha's root hooks: each test's title goes into the recording before it runs. */
export const mochaHooks = {
  beforeEach(this: Mocha.Context): void {
    const t = this.currentTest;
    if (recording !== null && t !== undefined) recording.test(t.fullTitle());
  },
};
