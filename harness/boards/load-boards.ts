/**
 * Finding board files by id. Board files live in folders searched in order: those in
 * `RTIO_BOARDS_DIR` (a `path.delimiter`-separated list, e.g. a bench's own folder), then the
 * repository's `boards/`. The first file called `<id>.json` wins.
 */
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { BoardFileError } from './board-errors';
import { REPO_BOARDS_DIR, readBoardFile } from './board-file';
import type { Board } from './board-types';

/** The environment variable naming extra board folders, searched before the repository's. */
export const BOARDS_DIR_ENV = 'RTIO_BOARDS_DIR';

/**
 * Board `id` has no file in any board folder. A RangeError (as unknown names are elsewhere);
 * message: `'unknown board "<id>"; known boards: <ids> (board files in <dirs>)'`.
 */
export class UnknownBoardError extends RangeError {
  override readonly name = 'UnknownBoardError';
  /** The id asked for. */
  readonly id: string;
  /** The ids that do exist, sorted. */
  readonly known: readonly string[];
  /** The folders searched. */
  readonly dirs: readonly string[];

  constructor(id: string, known: readonly string[], dirs: readonly string[]) {
    super(`unknown board "${id}"; known boards: ${known.join(', ')} (board files in ${dirs.join(', ')})`);
    this.id = id;
    this.known = known;
    this.dirs = dirs;
  }
}

/** The board folders to search: `RTIO_BOARDS_DIR`'s entries, then the repository's `boards/`. */
export function boardDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env[BOARDS_DIR_ENV] ?? '').split(delimiter).filter((d) => d !== '').map((d) => resolve(d));
  return [...extra.filter((d, i) => extra.indexOf(d) === i && d !== REPO_BOARDS_DIR), REPO_BOARDS_DIR];
}

function isBoardFileName(name: string): boolean {
  return name.endsWith('.json') && !name.endsWith('.schema.json');
}

/** Board file paths by id, first folder first; ids sorted. Reads folder listings only. */
export function boardFiles(dirs: readonly string[] = boardDirs()): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (!isBoardFileName(name)) continue;
      const id = name.slice(0, -'.json'.length);
      if (!found.has(id)) found.set(id, join(dir, name));
    }
  }
  return new Map([...found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The ids of every board file, sorted (files are listed, not validated). */
export function boardIds(dirs: readonly string[] = boardDirs()): string[] {
  return [...boardFiles(dirs).keys()];
}

/**
 * Loads and validates the board file of `id`. Throws {@link UnknownBoardError} listing the boards
 * that exist, or {@link BoardFileError} naming the file and field.
 */
export function loadBoard(id: string, dirs: readonly string[] = boardDirs()): Board {
  const files = boardFiles(dirs);
  const file = files.get(id);
  if (file === undefined) throw new UnknownBoardError(id, [...files.keys()], dirs);
  return readBoardFile(file);
}

/** Every board file loaded: the valid ones, and an error for each invalid one. */
export interface LoadedBoards {
  /** Valid boards, sorted by id. */
  readonly boards: readonly Board[];
  /** One error per invalid file. */
  readonly errors: readonly BoardFileError[];
}

/** Loads every board file in `dirs`; an invalid file does not stop the others. */
export function loadBoards(dirs: readonly string[] = boardDirs()): LoadedBoards {
  const boards: Board[] = [];
  const errors: BoardFileError[] = [];
  for (const file of boardFiles(dirs).values()) {
    try {
      boards.push(readBoardFile(file));
    } catch (e) {
      if (e instanceof BoardFileError) errors.push(e);
      else throw e;
    }
  }
  return { boards, errors };
}
