/** `rtio-hil test`: run mocha suites on one or more boards, with rtio-hil's reporter. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { boardIds, loadBoard } from '../boards/load-boards';
import { JUNIT_ENV } from '../report/junit';
import { EXIT, UsageError, intOption, parseCommandLine } from './errors';

const ROOT = resolve(__dirname, '..', '..');

/** The reporter module `test` hands to mocha. */
export const REPORTER_MODULE = join(ROOT, 'harness', 'report', 'reporter.ts');

/** Mocha options for suite runs; `--no-config` keeps .mocharc.json's spec list (every unit test) out. */
const MOCHA_ARGS: readonly string[] = [
  '--no-config', '--require', 'ts-node/register/transpile-only', '--extension', 'ts',
  '--forbid-only', '--timeout', '60000',
];

/** Usage of `rtio-hil test`. */
export function testUsage(): string {
  return `usage: rtio-hil test [--board ID]... [--seed N] [--port PATH] [--junit FILE] [suite...]

Runs mocha suites (folders or files; default: every suite under suites/) on each board given,
which the suites read from RTIO_BOARD. Prints a line per test as it ends ([done/total]),
failures classed as assertion or infrastructure (an agent reset, a lost port, a link or
handshake timeout), and a summary per board. The exit status is mocha's: 0 when every test
passed.

options:
  --board ID    a board to run on, repeatable; default RTIO_BOARD (one id or a
                comma-separated list), else emulator
                known: ${boardIds().join(', ')}
  --seed N      seed of the emulator's device values (RTIO_SEED); default 1
  --port PATH   serial boards: use this port instead of matching (RTIO_PORT)
  --junit FILE  write a JUnit XML report: board id, agent build and link statistics as
                properties, each test's device log as its system-out, infrastructure failures
                as <error type="infrastructure">; default ${JUNIT_ENV}, if set
  --help        this text`;
}

function toSpec(arg: string): string {
  const path = resolve(process.cwd(), arg);
  if (!existsSync(path)) throw new UsageError(`no suite at "${arg}"`, testUsage());
  return path.endsWith('.ts') ? path : join(path, '**', '*.test.ts');
}

/** Runs `rtio-hil test`; resolves mocha's exit status. */
export async function runTest(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    board: { type: 'string', multiple: true }, seed: { type: 'string' }, port: { type: 'string' }, junit: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  }, testUsage());
  if (values.help === true) {
    console.log(testUsage());
    return EXIT.ok;
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  const fromEnv = (env.RTIO_BOARD ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const boards = values.board ?? (fromEnv.length > 0 ? fromEnv : ['emulator']);
  for (const id of boards) loadBoard(id);
  env.RTIO_BOARD = boards.join(',');
  if (values.seed !== undefined) env.RTIO_SEED = String(intOption('seed', values.seed, 1, testUsage(), -(2 ** 31)));
  if (values.port !== undefined) env.RTIO_PORT = values.port;
  const junit = values.junit ?? env[JUNIT_ENV];
  if (junit !== undefined && junit !== '') env[JUNIT_ENV] = resolve(junit);
  const globs = positionals.length === 0 ? [join(ROOT, 'suites', '**', '*.test.ts')] : positionals.map(toSpec);
  const mocha = join(dirname(require.resolve('mocha/package.json')), 'bin', 'mocha.js');
  console.log(`rtio-hil: running ${positionals.length === 0 ? 'suites/' : positionals.join(' ')} on ${boards.length === 1 ? 'board' : 'boards'} ${boards.join(', ')}`);
  return new Promise((done) => {
    const child = spawn(process.execPath, [mocha, ...MOCHA_ARGS, '--reporter', REPORTER_MODULE, ...globs], { cwd: ROOT, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => done(code ?? (signal === null ? 1 : 128)));
  });
}
