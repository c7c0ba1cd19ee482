/**
 * `rtio-hil` started as a child process whose output a test reads as it comes (harness/cli/run-cli
 * waits for the end), and a suite fixture that records when it runs on which board and holds its
 * board until the test releases it: the farm tests order runs by these events, not by time.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, RTIO_HIL_BIN } from '../../harness/cli/run-cli';

/** A running `rtio-hil`. */
export interface LiveCli {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves once its output matches `pattern`; rejects if it exits first. */
  printed(pattern: RegExp): Promise<void>;
  /** Its exit status (null: killed by a signal). */
  readonly exit: Promise<number | null>;
}

/** Starts `rtio-hil <args>` with `env` added (the caller's board and port variables removed). */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): LiveCli {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['NO_COLOR', 'RTIO_BOARD', 'RTIO_PORT', 'RTIO_SEED', 'RTIO_BOARDS_DIR', 'RTIO_HIL_JUNIT', 'LAVA_CONNECTION_COMMAND']) delete base[k];
  const child = spawn(process.execPath, [RTIO_HIL_BIN, ...args], { cwd, env: { ...base, FORCE_COLOR: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters: { pattern: RegExp; resolve: () => void; reject: (e: Error) => void }[] = [];
  const check = (): void => {
    for (const w of waiters.filter((x) => x.pattern.test(text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  for (const s of [child.stdout!, child.stderr!]) {
    s.on('data', (b: Buffer) => {
      text += b.toString();
      check();
    });
  }
  // 'close' waits for its output to end, which a mocha it started keeps open if it outlives a
  // killed rtio-hil: a signal ends the wait at 'exit'.
  const exit = new Promise<number | null>((resolve) => {
    const done = (code: number | null): void => {
      for (const w of waiters.splice(0)) w.reject(new Error(`rtio-hil exited (${code ?? 'signal'}) before printing ${w.pattern}:\n${text.slice(-3000)}`));
      resolve(code);
    };
    child.on('exit', (code) => {
      if (code === null) done(null);
    });
    child.on('close', (code) => done(code));
  });
  return {
    child,
    output: () => text,
    printed: (pattern) => (pattern.test(text) ? Promise.resolve() : new Promise((resolve, reject) => waiters.push({ pattern, resolve, reject }))),
    exit,
  };
}

/**
 * Writes `holding.test.js` into `dir`: one test that appends `start <board> <run> <pid>` to
 * `dir/events`, waits until the file `dir/release-<board>-<run>` exists, and appends `end <board>
 * <run>`. `FARM_RUN` names the run.
 */
export function writeHoldingSuite(dir: string): string {
  const file = join(dir, 'holding.test.js');
  writeFileSync(file, `const fs = require('node:fs');
const path = require('node:path');
const dir = ${JSON.stringify(dir)};
describe('holding the board', function () {
  it('runs until the test releases it', async function () {
    this.timeout(120000);
    const me = process.env.RTIO_BOARD + ' ' + process.env.FARM_RUN;
    fs.appendFileSync(path.join(dir, 'events'), 'start ' + me + ' ' + process.pid + '\\n');
    const release = path.join(dir, 'release-' + me.replace(' ', '-'));
    await new Promise((resolve) => {
      const look = () => (fs.existsSync(release) ? resolve() : setTimeout(look, 20));
      look();
    });
    fs.appendFileSync(path.join(dir, 'events'), 'end ' + me + '\\n');
  });
});
`);
  return file;
}

/** The events the holding suite recorded, without pids. */
export function events(dir: string): string[] {
  const file = join(dir, 'events');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => l.split(' ').slice(0, 3).join(' ')) : [];
}

/** Resolves once the holding suite recorded `event` (`'start <board> <run>'`), with the pid of the mocha process that did. */
export function recorded(dir: string, event: string, cli: LiveCli): Promise<number> {
  return new Promise((resolve, reject) => {
    const look = (): void => {
      const file = join(dir, 'events');
      const line = existsSync(file) ? readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${event} `) || l === event) : undefined;
      if (line !== undefined) resolve(Number(line.split(' ')[3] ?? 0));
      else if (cli.child.exitCode !== null) reject(new Error(`rtio-hil exited before "${event}":\n${cli.output().slice(-3000)}`));
      else setTimeout(look, 20);
    };
    look();
  });
}

/** Lets the holding suite's run `run` on `board` end. */
export function release(dir: string, board: string, run: string): void {
  appendFileSync(join(dir, `release-${board}-${run}`), '');
}

/** Kills the suite processes `pids` (from {@link recorded}) that a test left running, e.g. after rtio-hil itself was killed. */
export function killSuites(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
