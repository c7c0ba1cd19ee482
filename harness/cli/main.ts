import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KNOWN_TARGETS } from '../target/open-target';

const ROOT = resolve(__dirname, '..', '..');

/** Mocha options for suite runs; `--no-config` keeps .mocharc.json's spec list (every unit test) out. */
const MOCHA_ARGS: readonly string[] = [
  '--no-config', '--require', 'ts-node/register/transpile-only', '--extension', 'ts',
  '--forbid-only', '--timeout', '60000',
];

const USAGE = `usage: rtio-hil <command> [options]

commands:
  test [--board ID] [suite...]   run mocha suites on a target (default board: emulator,
                                 default suites: every suite under suites/)
  help                           this text

Run "rtio-hil <command> --help" for a command's options.`;

const TEST_USAGE = `usage: rtio-hil test [--board ID] [--seed N] [suite...]

Runs the mocha suites (folders or files under suites/) on the board ID, which is passed to
the suites as RTIO_BOARD. The exit status is mocha's: 0 when every test passed.

options:
  --board ID   board to run on (known: ${KNOWN_TARGETS.join(', ')}); default: RTIO_BOARD or emulator
  --seed N     seed of the emulator's device values (RTIO_SEED); default 1
  --help       this text`;

/** Parses `argv` and runs the command; resolves the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return cmd === undefined ? 2 : 0;
    case 'test':
      return runTests(rest);
    default:
      console.error(`rtio-hil: unknown command "${cmd}"\n\n${USAGE}`);
      return 2;
  }
}

function runTests(args: readonly string[]): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const specs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h') {
      console.log(TEST_USAGE);
      return Promise.resolve(0);
    } else if (a === '--board' || a === '--seed') {
      const v = args[++i];
      if (v === undefined) throw new RangeError(`"${a}" needs a value\n\n${TEST_USAGE}`);
      env[a === '--board' ? 'RTIO_BOARD' : 'RTIO_SEED'] = v;
    } else if (a.startsWith('-')) {
      throw new RangeError(`unknown option "${a}"\n\n${TEST_USAGE}`);
    } else {
      specs.push(a);
    }
  }
  const board = env.RTIO_BOARD ?? 'emulator';
  if (!KNOWN_TARGETS.includes(board)) {
    throw new RangeError(`unknown board "${board}"; known boards: ${KNOWN_TARGETS.join(', ')}`);
  }
  const globs = specs.length === 0 ? ['suites/**/*.test.ts'] : specs.map(toSpec);
  const mocha = join(dirname(require.resolve('mocha/package.json')), 'bin', 'mocha.js');
  console.log(`rtio-hil: running ${globs.join(' ')} on board "${board}"`);
  return new Promise((done) => {
    const args = [mocha, ...MOCHA_ARGS, ...globs];
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => done(code ?? (signal === null ? 1 : 128)));
  });
}

function toSpec(arg: string): string {
  const path = resolve(process.cwd(), arg);
  if (!existsSync(path)) throw new RangeError(`no suite at "${arg}"`);
  return path.endsWith('.ts') ? path : join(path, '**', '*.test.ts');
}
