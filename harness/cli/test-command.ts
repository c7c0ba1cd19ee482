/**
 * `rtio-hil test`: runs mocha suites once per board, each run in a process of its own with
 * `RTIO_BOARD` set to that board and rtio-hil's reporter, the boards in parallel (one worker
 * each), each held for its run (./board-session: a lease on this host, a labgrid place); then
 * writes one JUnit file (and with `--json`, one JSON object) for every board, and exits by the
 * rule of {@link EXIT}. Ctrl-C stops the runs and releases every board before exiting.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { accessSync, constants as fsConstants, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path';
import { BOARDS_DIR_ENV, boardDirs, loadBoard } from '../boards/load-boards';
import { JUNIT_ENV, junitXml } from '../report/junit';
import { RESULTS_ENV, boardVerdict, countCases, readResults, worstVerdict } from '../report/results';
import type { BoardResults, ResultCounts, Verdict } from '../report/results';
import { BUILT_ROOT, PACKAGE_ROOT } from '../package-root';
import { holdBoard } from './board-session';
import type { BoardSession } from './board-session';
import { EXIT, UsageError, intOption, parseCommandLine } from './errors';
import { traceAdditions, writeMergedTrace } from './run-additions';
import type { RunAdditions } from './run-additions';
import { DEFAULT_WAIT_S, testUsage } from './test-usage';

/** Names of test files in a suite folder. */
const TEST_FILE = /\.test\.[cm]?[jt]s$/;
/** Files mocha can only load through a TypeScript hook. */
const TYPESCRIPT_FILE = /\.[cm]?ts$/;

/** Mocha options of every run: `--no-config --no-package` keep a project's own mocha settings (its unit tests) out. */
const MOCHA_ARGS: readonly string[] = ['--no-config', '--no-package', '--forbid-only', '--timeout', '60000'];

/** TypeScript hooks `test` adds for `.ts` suites, the first one installed wins. */
const TYPESCRIPT_HOOKS: readonly string[] = ['ts-node/register/transpile-only', 'tsx/cjs'];



/** What `rtio-hil test` will do, from its command line and environment. */
export interface TestPlan {
  /** Boards, one run each, in order. */
  readonly boards: readonly string[];
  /** Test files, absolute. */
  readonly specs: readonly string[];
  /** What the positional arguments named, for the first line (`'rtio-hil suites'` by default). */
  readonly what: string;
  /** Mocha arguments besides the specs. */
  readonly mochaArgs: readonly string[];
  /** The JUnit file, absolute, or null. */
  readonly junit: string | null;
  /** The timeline file (`--trace`), absolute, or null. */
  readonly trace: string | null;
  /** Print JSON instead of the summary. */
  readonly json: boolean;
  /** Most boards run at once. */
  readonly jobs: number;
  /** Longest wait for a board held by another run, ms. */
  readonly waitMs: number;
  /** The environment of every run (RTIO_BOARD is set per run). */
  readonly env: NodeJS.ProcessEnv;
}

/** The built counterpart (under dist/) of a path in rtio-hil's own sources, if it was built. */
function builtCounterpart(path: string): string | null {
  const rel = relative(PACKAGE_ROOT, path);
  if (rel.startsWith('..') || rel === '' || rel.startsWith(`dist${sep}`) || rel === 'dist' || rel.startsWith(`node_modules${sep}`)) return null;
  const built = join(BUILT_ROOT, rel.replace(/\.ts$/, '.js'));
  return existsSync(built) ? built : null;
}

/** Every test file under `dir`, sorted. */
function testFilesIn(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => TEST_FILE.test(f) && !f.split(sep).includes('node_modules'))
    .map((f) => join(dir, f))
    .sort();
}

/** The test files `arg` names, resolved against `cwd` (rtio-hil's own sources become their built JS). */
export function resolveSuite(arg: string, cwd: string): string[] {
  let path = resolve(cwd, arg);
  if (!existsSync(path)) {
    const name = arg.replace(/^suites[\\/]/, '');
    const own = [join(BUILT_ROOT, 'suites', name), join(PACKAGE_ROOT, 'suites', name)].find((p) => existsSync(p));
    if (own === undefined) throw new UsageError(`no suite at "${arg}" (looked in ${cwd} and in rtio-hil's suites)`, testUsage());
    path = own;
  }
  path = builtCounterpart(path) ?? path;
  if (!statSync(path).isDirectory()) return [path];
  const files = testFilesIn(path);
  if (files.length === 0) throw new UsageError(`no *.test.{js,cjs,mjs,ts} files in "${arg}"`, testUsage());
  return files;
}

/** The mocha argument that loads a TypeScript hook, resolved from `cwd` or from rtio-hil; throws when none is installed. */
function typescriptHook(cwd: string, file: string): string {
  for (const hook of TYPESCRIPT_HOOKS) {
    try {
      return require.resolve(hook, { paths: [cwd, PACKAGE_ROOT] });
    } catch {
      // not installed; try the next
    }
  }
  throw new UsageError(`"${file}" is TypeScript: install ts-node or tsx next to it, or run its compiled JavaScript`, testUsage());
}

/** Splits `args` at the first `--`: the command's own arguments, and those for mocha. */
function splitPassthrough(args: readonly string[]): [readonly string[], readonly string[]] {
  const at = args.indexOf('--');
  return at < 0 ? [args, []] : [args.slice(0, at), args.slice(at + 1)];
}

/**
 * Creates `dir` and the folders above it that are missing, one at a time: `mkdirSync`'s
 * `recursive` mode never returns for some paths (under /proc, Node 20).
 */
function makeFolders(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeFolders(parent);
  mkdirSync(dir);
}

/** Checks up front that a report can be written at `file` (creating its folder), or throws a UsageError saying why not. */
export function ensureWritable(file: string, what: string): void {
  try {
    makeFolders(dirname(file));
    if (!statSync(dirname(file)).isDirectory()) throw new Error(`${dirname(file)} is not a folder`);
    accessSync(dirname(file), fsConstants.W_OK);
    if (existsSync(file)) {
      if (statSync(file).isDirectory()) throw new Error('it is a folder');
      accessSync(file, fsConstants.W_OK);
    }
  } catch (e) {
    throw new UsageError(`cannot write the ${what} ${file}: ${(e as Error).message}`, testUsage());
  }
}

/** Parses `rtio-hil test`'s arguments into a {@link TestPlan}; null for `--help`. Throws UsageError / UnknownBoardError / BoardFileError. */
export function planTest(args: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): TestPlan | null {
  const [own, passthrough] = splitPassthrough(args);
  const { values, positionals } = parseCommandLine(own, {
    board: { type: 'string', multiple: true }, seed: { type: 'string' }, port: { type: 'string' }, junit: { type: 'string' },
    grep: { type: 'string' }, bail: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    jobs: { type: 'string' }, 'wait-for-board': { type: 'string' }, trace: { type: 'string' },
  }, testUsage());
  if (values.help === true) return null;
  const runEnv: NodeJS.ProcessEnv = { ...env };
  const dirs = (env[BOARDS_DIR_ENV] ?? '').split(delimiter).filter((d) => d !== '');
  if (dirs.length > 0) runEnv[BOARDS_DIR_ENV] = dirs.map((d) => resolve(cwd, d)).join(delimiter);
  const list = (v: readonly string[]): string[] => v.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  const named = list(values.board ?? [env.RTIO_BOARD ?? '']);
  const boards = (named.length > 0 ? named : ['emulator']).filter((b, i, a) => a.indexOf(b) === i);
  for (const id of boards) loadBoard(id, boardDirs(runEnv));
  if (values.seed !== undefined) runEnv.RTIO_SEED = String(intOption('seed', values.seed, 1, testUsage(), -(2 ** 31)));
  if (values.port !== undefined) runEnv.RTIO_PORT = values.port;
  const junitArg = values.junit ?? env[JUNIT_ENV];
  const junit = junitArg === undefined || junitArg === '' ? null : resolve(cwd, junitArg);
  delete runEnv[JUNIT_ENV];
  if (junit !== null) ensureWritable(junit, 'JUnit report');
  const trace = values.trace === undefined ? null : resolve(cwd, values.trace);
  if (trace !== null) ensureWritable(trace, 'trace');
  const specs = positionals.length === 0 ? testFilesIn(join(BUILT_ROOT, 'suites')) : positionals.flatMap((p) => resolveSuite(p, cwd));
  if (specs.length === 0) throw new UsageError(`rtio-hil's suites are not built (${join(BUILT_ROOT, 'suites')}): run npm run build`, testUsage());
  const mochaArgs = [...MOCHA_ARGS];
  const ts = specs.find((s) => TYPESCRIPT_FILE.test(s));
  if (ts !== undefined) mochaArgs.push('--require', typescriptHook(cwd, ts));
  if (values.grep !== undefined) mochaArgs.push('--grep', values.grep);
  if (values.bail === true) mochaArgs.push('--bail');
  // mocha colours a pipe when FORCE_COLOR is set at all, even to 0.
  if ((env.NO_COLOR ?? '') !== '' || env.FORCE_COLOR === '0') mochaArgs.push('--no-color');
  mochaArgs.push(...passthrough);
  return {
    boards, specs, mochaArgs, junit, trace, json: values.json === true, env: runEnv,
    jobs: intOption('jobs', values.jobs, boards.length, testUsage()),
    waitMs: 1000 * intOption('wait-for-board', values['wait-for-board'], DEFAULT_WAIT_S, testUsage(), 0),
    what: positionals.length === 0 ? "rtio-hil's suites" : positionals.join(' '),
  };
}

/** How one board's run ended. */
export interface BoardRun {
  readonly board: string;
  readonly results: BoardResults | null;
  readonly exitCode: number | null;
  readonly verdict: Verdict;
  readonly reason: string;
}

/** Where mocha's command is: the project's own mocha first, else the one next to rtio-hil. */
function mochaBin(cwd: string): string {
  try {
    return join(dirname(require.resolve('mocha/package.json', { paths: [cwd, PACKAGE_ROOT] })), 'bin', 'mocha.js');
  } catch {
    throw new UsageError('mocha is not installed; rtio-hil test needs it and chai (npm install --save-dev mocha chai)', testUsage());
  }
}

/** How one board's mocha runs next to the others. */
interface RunControl {
  /** Prefix of each of its output lines when several boards run at once, else null (the output is passed through). */
  readonly prefix: string | null;
  /** Stops it (Ctrl-C): mocha gets SIGINT. */
  readonly signal: AbortSignal;
  /** The board's session: losing its lease stops the run. */
  readonly session: BoardSession;
}

/** Runs mocha once for `board`; resolves how it ended. */
function runBoard(plan: TestPlan, board: string, mocha: string, resultsFile: string, cwd: string, control: RunControl): Promise<BoardRun> {
  const reporter = require.resolve('../report/reporter');
  const env: NodeJS.ProcessEnv = { ...plan.env, RTIO_BOARD: board, [RESULTS_ENV]: resultsFile };
  const out = plan.json ? process.stderr : process.stdout;
  // A pipe is no terminal: keep mocha's colours when they would have reached one.
  if (control.prefix !== null && out.isTTY && env.FORCE_COLOR === undefined && (env.NO_COLOR ?? '') === '') env.FORCE_COLOR = '1';
  const args = [mocha, ...plan.mochaArgs, '--reporter', reporter, ...plan.specs];
  return new Promise((done) => {
    const stdio = control.prefix === null ? ['inherit', plan.json ? 2 : 'inherit', 'inherit'] as const : ['inherit', 'pipe', 'pipe'] as const;
    const child = spawn(process.execPath, args, { cwd, env, stdio: [...stdio] });
    if (control.prefix !== null) {
      const prefix = control.prefix;
      for (const stream of [child.stdout, child.stderr]) {
        if (stream !== null) createInterface({ input: stream }).on('line', (line) => out.write(`${prefix}${line}\n`));
      }
    }
    let stoppedBecause: string | null = null;
    const stop = (why: string, signal: NodeJS.Signals): void => {
      stoppedBecause ??= why;
      child.kill(signal);
    };
    const onAbort = (): void => stop('interrupted', 'SIGINT');
    control.signal.addEventListener('abort', onAbort);
    control.session.onLost((err) => stop(err.message, 'SIGTERM'));
    child.on('exit', (code) => {
      control.signal.removeEventListener('abort', onAbort);
      const results = readResults(resultsFile);
      const verdict = boardVerdict(board, results, code);
      done({ board, results, exitCode: code, ...(stoppedBecause === null ? verdict : { verdict: 'infrastructure', reason: `board ${board}: ${stoppedBecause}` }) });
    });
  });
}

/**
 * Holds `board` (./board-session), runs its mocha, and releases it whatever happened; a board
 * that could not be held, or released, is an infrastructure failure of its run.
 */
async function runOnBoard(plan: TestPlan, board: string, mocha: string, resultsFile: string, cwd: string, prefix: string | null, signal: AbortSignal, say: (line: string) => void): Promise<BoardRun> {
  const failed = (reason: string): BoardRun => ({ board, results: null, exitCode: null, verdict: 'infrastructure', reason: `board ${board}: ${reason}` });
  let session: BoardSession;
  try {
    session = await holdBoard(loadBoard(board, boardDirs(plan.env)), { signal, say, waitMs: plan.waitMs, env: plan.env });
  } catch (e) {
    return failed((e as Error).message);
  }
  let run: BoardRun = failed('interrupted');
  try {
    if (!signal.aborted) run = await runBoard(plan, board, mocha, resultsFile, cwd, { prefix, signal, session });
  } finally {
    const problems = await session.release();
    for (const p of problems) say(`rtio-hil: ${board}: ${p}`);
    if (problems.length > 0 && run.verdict === 'passed') run = { ...run, verdict: 'infrastructure', reason: `board ${board}: ${problems.join('; ')}` };
  }
  return run;
}

/** Runs `work` on every item, at most `jobs` at once, starting them in order; resolves the results in order. */
async function inParallel<T, R>(items: readonly T[], jobs: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]!, i);
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

const VERDICT_EXIT: Readonly<Record<Verdict, number>> = { passed: EXIT.ok, failed: EXIT.failed, infrastructure: EXIT.infrastructure };
const EXIT_MEANING: Readonly<Record<number, string>> = {
  [EXIT.ok]: 'passed', [EXIT.failed]: 'the device under test failed', [EXIT.usage]: 'the report could not be written', [EXIT.infrastructure]: 'infrastructure failure',
};

function countsText(c: ResultCounts): string {
  return `${c.passed} passed, ${c.failed} failed, ${c.skipped - c.notRun} skipped, ${c.infrastructure} infrastructure failure${c.infrastructure === 1 ? '' : 's'}${c.notRun > 0 ? `, ${c.notRun} not run` : ''}`;
}

/** The JSON `--json` prints. */
export function testJson(runs: readonly BoardRun[], code: number, junit: string | null): object {
  return {
    exitStatus: code,
    verdict: worstVerdict(runs.map((r) => r.verdict)),
    junit,
    boards: runs.map((r) => ({
      board: r.board,
      verdict: r.verdict,
      reason: r.reason,
      durationMs: r.results?.durationMs ?? null,
      counts: countCases(r.results?.cases ?? []),
      cases: (r.results?.cases ?? []).map((c) => ({
        title: c.fullTitle, status: c.status, durationMs: Math.round(c.timeSec * 1000),
        ...(c.classification === undefined ? {} : { class: c.classification.kind, cause: c.classification.cause ?? null, message: c.problem?.message ?? c.classification.reason }),
        ...(c.skipReason === undefined ? {} : { skipReason: c.skipReason }),
      })),
    })),
  };
}

/** Runs `rtio-hil test`; resolves the exit status ({@link EXIT}). `additions`: see {@link RunAdditions}. */
export async function runTest(args: readonly string[], additions?: RunAdditions): Promise<number> {
  const cwd = process.cwd();
  const planned = planTest(args, process.env, cwd);
  if (planned === null) {
    console.log(testUsage());
    return EXIT.ok;
  }
  const mocha = mochaBin(cwd);
  const tmp = mkdtempSync(join(tmpdir(), 'rtio-hil-test-'));
  const traceFile = (i: number): string => join(tmp, `${i}.trace.json`);
  const added = planned.trace === null ? additions : traceAdditions(additions, traceFile);
  const plan: TestPlan = added === undefined ? planned : {
    ...planned, mochaArgs: [...planned.mochaArgs, ...added.requires.flatMap((r) => ['--require', r])],
  };
  const say = (line: string): void => {
    if (plan.json) console.error(line);
    else console.log(line);
  };
  say(`rtio-hil: running ${plan.what} on ${plan.boards.length === 1 ? 'board' : 'boards'} ${plan.boards.join(', ')}`);
  const many = plan.boards.length > 1;
  const width = Math.max(...plan.boards.map((b) => b.length));
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stop.signal.aborted) say(`rtio-hil: ${signal}: stopping the runs and releasing the boards`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let runs: BoardRun[];
  let traced: string | null = null;
  try {
    runs = await inParallel(plan.boards, plan.jobs, (board, i) => {
      if (many) say(`\n== board ${board} (${i + 1}/${plan.boards.length})`);
      const boardPlan = added === undefined ? plan : { ...plan, env: { ...plan.env, ...added.env(board, i) } };
      return runOnBoard(boardPlan, board, mocha, join(tmp, `${i}.json`), cwd, many ? `${board.padEnd(width)} | ` : null, stop.signal, say);
    });
    if (plan.trace !== null) traced = writeMergedTrace(plan.trace, plan.boards.map((_, i) => traceFile(i)));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(tmp, { recursive: true, force: true });
  }
  const verdict = worstVerdict(runs.map((r) => r.verdict));
  let code = stop.signal.aborted && verdict === 'passed' ? EXIT.infrastructure : VERDICT_EXIT[verdict];
  if (plan.junit !== null) {
    try {
      writeFileSync(plan.junit, junitXml(runs.flatMap((r) => r.results?.suites ?? [])));
      say(`JUnit report: ${plan.junit}`);
    } catch (e) {
      console.error(`rtio-hil: cannot write the JUnit report ${plan.junit}: ${(e as Error).message}`);
      code = EXIT.usage;
    }
  }
  if (traced !== null) say(traced);
  if (plan.json) console.log(JSON.stringify(testJson(runs, code, plan.junit), null, 2));
  if (plan.boards.length > 1) {
    say('');
    for (const r of runs) say(`rtio-hil: ${r.board}: ${r.results === null ? r.reason : countsText(countCases(r.results.cases))}`);
  }
  for (const r of runs) if (r.verdict !== 'passed') say(`rtio-hil: ${r.verdict === 'failed' ? 'FAILED' : 'INFRASTRUCTURE'}: ${r.reason}`);
  if (stop.signal.aborted) say('rtio-hil: interrupted; every board this run held was released');
  say(`rtio-hil: exit status ${code} (${EXIT_MEANING[code] ?? 'unknown'})`);
  return code;
}
