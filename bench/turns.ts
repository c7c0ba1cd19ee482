/**
 * Variant processes of a bench that measure in turns: each is set up and warmed up in a process
 * of its own, then they take turns, one measuring a block while the others wait idle on their
 * stdin, so that what they measure is measured in alternating blocks under the same load: a burst
 * of load on the machine (or a slow spell of one of its CPUs) moves every variant of the round
 * alike, not the one that happened to run then.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Resolves when this process may measure its next block (a variant run with `--turns`). */
export type Turn = () => Promise<void>;

/** Never waits: the process measures on its own. */
export const NO_TURNS: Turn = () => Promise.resolve();

/**
 * The turns of a variant process, given on stdin: `turn` on stdout asks for the next, a line on
 * stdin grants it. Destroy `process.stdin` once done, or its reader keeps the process alive.
 */
export function stdinTurns(): Turn {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  return async () => {
    process.stdout.write('turn\n');
    if ((await lines.next()).done === true) throw new Error('bench: stdin closed while waiting for a turn');
  };
}

/** One variant process run in turns: it asks for a turn with a `turn` line; its last line is its figures. */
export class TurnTaker {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #stderr: string[] = [];
  readonly #lines: string[] = [];
  #wake: (() => void) | null = null;
  #exited = false;
  #code: number | null = null;
  /** The JSON of a `shapes <json>` line, when the process printed one. */
  shapes: unknown;

  /** Starts `node <args>` (ts-node registered by the caller's args). */
  constructor(readonly name: string, args: readonly string[]) {
    this.#child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stderr.on('data', (d: Buffer) => this.#stderr.push(d.toString()));
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      if (line.startsWith('shapes ')) this.shapes = JSON.parse(line.slice('shapes '.length)) as unknown;
      else this.#lines.push(line);
      this.#wakeUp();
    });
    this.#child.on('close', (code) => {
      this.#exited = true;
      this.#code = code;
      this.#wakeUp();
    });
  }

  /**
   * Waits until the process asks for a turn (true; the request stays until {@link TurnTaker.grant})
   * or ends (false). Rejects naming the variant and its stderr when it ends with a failure.
   */
  async asked(): Promise<boolean> {
    for (;;) {
      if (this.#lines.includes('turn')) return true;
      if (this.#exited) {
        if (this.#code !== 0) throw new Error(`bench: variant ${this.name} failed (exit ${String(this.#code)}): ${this.#stderr.join('').trim()}`);
        return false;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** Grants the turn asked for. */
  grant(): void {
    this.#lines.splice(this.#lines.indexOf('turn'), 1);
    this.#child.stdin.write('go\n');
  }

  /** The figures: the JSON of the last line printed (once {@link TurnTaker.asked} returned false). */
  result<T>(): T {
    return JSON.parse(this.#lines[this.#lines.length - 1]!) as T;
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/**
 * Gives `takers` turns in rotation, in the order given, each turn lasting until the process asks
 * for its next one or ends, until every one has ended. The first turn starts once every one is
 * set up and asks for it.
 */
export async function takeTurns(takers: readonly TurnTaker[]): Promise<void> {
  const asked = await Promise.all(takers.map((t) => t.asked()));
  let live = takers.filter((_, i) => asked[i]);
  while (live.length > 0) {
    const still: TurnTaker[] = [];
    for (const t of live) {
      t.grant();
      if (await t.asked()) still.push(t);
    }
    live = still;
  }
}
