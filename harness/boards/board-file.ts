/**
 * Board files: `boards/<id>.json`, one per board or target, checked against
 * `boards/board.schema.json` (JSON Schema 2020-12, validated with ajv 8) and a few rules a schema
 * cannot say (the id is the file's name; sections belong to their target kind; iodev names are
 * unique). A file that breaks any of them is a {@link BoardFileError} naming the file, the field
 * (a JSON pointer) and what was expected; a file that is not JSON names the line and column.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv/dist/2020';
import { ParseErrorCode, parse, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';
import { PACKAGE_ROOT } from '../package-root';
import type { IodevInfo } from '../target/target';
import { BoardFileError, describeAjvError } from './board-errors';
import type { BoardFileProblem } from './board-errors';
import { BOARD_TIMEOUT_DEFAULTS, TARGET_KINDS } from './board-types';
import type { Board, BoardFileData, BoardLink, BoardTimeouts, TargetKind } from './board-types';

/** The package's `boards/` folder: the board files shipped with rtio-hil and the schema. */
export const REPO_BOARDS_DIR = join(PACKAGE_ROOT, 'boards');
/** The schema every board file is checked against. */
export const BOARD_SCHEMA_FILE = join(REPO_BOARDS_DIR, 'board.schema.json');

let validator: ValidateFunction | null = null;
let schemaObject: Record<string, unknown> | null = null;

/** The board-file schema, parsed (read once). */
export function boardSchema(): Record<string, unknown> {
  schemaObject ??= JSON.parse(readFileSync(BOARD_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  return schemaObject;
}

/** The ajv instance the schema is compiled with; `source` keeps the code for a standalone module. */
export function boardSchemaAjv(source = false): Ajv2020 {
  // Loaded only here: the built package validates with the compiled module and never needs ajv's compiler.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = (require('ajv/dist/2020') as { default: typeof Ajv2020 }).default;
  return new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false, strictTypes: false, code: { source } });
}

/** The validator the build compiled (compile-board-schema.ts), or null when running from source. */
function compiledValidator(): ValidateFunction | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('./board-validator.js') as ValidateFunction;
  } catch (e) {
    if ((e as { code?: unknown }).code === 'MODULE_NOT_FOUND') return null;
    throw e;
  }
}

function validate(): ValidateFunction {
  validator ??= compiledValidator() ?? boardSchemaAjv().compile(boardSchema());
  return validator;
}

/**
 * Checks `data` (parsed JSON) as the contents of board file `file` and returns it as a
 * {@link Board}. Throws {@link BoardFileError} listing every problem.
 */
export function validateBoard(data: unknown, file: string): Board {
  const check = validate();
  const problems: BoardFileProblem[] = [];
  if (!check(data)) {
    for (const e of check.errors ?? []) {
      const p = describeAjvError(e);
      if (p !== null && !problems.some((q) => q.pointer === p.pointer && q.expected === p.expected)) problems.push(p);
    }
  }
  if (problems.length === 0) problems.push(...semanticProblems(data as BoardFileData, file));
  if (problems.length > 0) throw new BoardFileError(file, problems);
  return { ...(data as BoardFileData), file: resolve(file) };
}

/** Reads, parses and checks board file `file`. Throws {@link BoardFileError} (also for unreadable or non-JSON files). */
export function readBoardFile(file: string): Board {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BoardFileError(file, [{ pointer: '', expected: 'a readable file', actual: (e as Error).message, keyword: 'read' }]);
  }
  const errors: ParseError[] = [];
  const data: unknown = parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first !== undefined) {
    throw new BoardFileError(file, [{ pointer: '', expected: 'JSON', actual: jsonErrorWhere(text, first), keyword: 'json' }]);
  }
  return validateBoard(data, file);
}

/** The iodev table of a board file, as a Target reports one. */
export function boardIodevs(board: BoardFileData): IodevInfo[] {
  return board.iodevs.map((d) => ({
    name: d.name,
    kind: d.kind,
    ...(d.bus === undefined ? {} : { bus: d.bus }),
    ...(d.address === undefined ? {} : { address: d.address }),
    ...(d.part === undefined ? {} : { part: d.part }),
    capabilities: [...(d.capabilities ?? [])],
  }));
}

/** The board's timeouts with {@link BOARD_TIMEOUT_DEFAULTS} filled in. */
export function boardTimeouts(board: BoardFileData): Required<BoardTimeouts> {
  return { ...BOARD_TIMEOUT_DEFAULTS, ...(board.timeouts ?? {}) };
}

/** The board's link settings (only those it sets). */
export function boardLink(board: BoardFileData): BoardLink {
  return board.link ?? {};
}

/** Resolves a path from a board file (`launch.command`, `launch.image`) against the file's folder. */
export function boardPath(board: Board, path: string): string {
  return resolve(dirname(board.file), path);
}

/** Which sections each target kind uses; any other is an error. */
const SECTIONS: Readonly<Record<TargetKind, readonly string[]>> = {
  emulator: [],
  'emulator-wire': [],
  native: ['launch', 'serial'],
  qemu: ['launch', 'serial'],
  serial: ['match', 'serial'],
  tcp: ['tcp'],
  rfc2217: ['rfc2217', 'serial'],
  labgrid: ['labgrid', 'serial'],
};

function semanticProblems(data: BoardFileData, file: string): BoardFileProblem[] {
  const out: BoardFileProblem[] = [];
  const base = basename(file).replace(/\.json$/, '');
  if (data.id !== base) {
    out.push({ pointer: '/id', expected: `"${base}" (the file's name without .json)`, actual: JSON.stringify(data.id), keyword: 'id-file-name' });
  }
  const used = SECTIONS[data.target];
  for (const section of ['match', 'launch', 'serial', 'tcp', 'rfc2217', 'labgrid'] as const) {
    if (data[section] !== undefined && !used.includes(section)) {
      const users = TARGET_KINDS.filter((k) => SECTIONS[k].includes(section)).join(', ');
      out.push({ pointer: `/${section}`, expected: `no "${section}" for target "${data.target}" (it is for ${users})`, keyword: 'section-kind' });
    }
  }
  if (data.target === 'serial' && data.match === undefined && data.serial?.path === undefined) {
    out.push({
      pointer: '/match',
      expected: 'a "match" object (vendorId, productId, serialNumber, location, interface) or a fixed "serial.path"',
      actual: 'nothing',
      keyword: 'required',
    });
  }
  const seen = new Map<string, number>();
  data.iodevs.forEach((d, i) => {
    const first = seen.get(d.name);
    if (first !== undefined) {
      out.push({ pointer: `/iodevs/${i}/name`, expected: `a name not used by another iodev ("${d.name}" is /iodevs/${first})`, actual: JSON.stringify(d.name), keyword: 'unique-iodev' });
    } else {
      seen.set(d.name, i);
    }
  });
  return out;
}

/** Where and why `text` is not JSON: `'<what> at line L, column C'`. */
function jsonErrorWhere(text: string, e: ParseError): string {
  const before = text.slice(0, e.offset).split('\n');
  const what = e.error === ParseErrorCode.ValueExpected && e.offset >= text.length
    ? 'unexpected end of file'
    : printParseErrorCode(e.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return `${what} at line ${before.length}, column ${(before[before.length - 1] ?? '').length + 1}`;
}
