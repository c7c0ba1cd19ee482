/**
 * What is wrong with a board file, for people and for code: {@link BoardFileError} with one
 * {@link BoardFileProblem} per field (a JSON pointer, what was expected, what was found), and the
 * wording of ajv's schema errors.
 */
import type { ErrorObject } from 'ajv/dist/2020';

/** One thing wrong with a board file. */
export interface BoardFileProblem {
  /** JSON pointer of the field, e.g. `'/iodevs/2/address'`; `''` for the whole file. */
  readonly pointer: string;
  /** What was expected there, for people: `'an integer <= 1023'`, `'one of: i2c, spi, …'`. */
  readonly expected: string;
  /** The value found, as JSON (absent when the field is missing or the file is not JSON). */
  readonly actual?: string;
  /** The schema keyword or rule broken: `'type'`, `'required'`, `'id-file-name'`, `'json'`, … */
  readonly keyword: string;
}

/**
 * A board file is not valid. Message: `'board file <file>: <pointer>: expected <expected>, got
 * <actual>'`, plus `' (and N more problems)'`; {@link BoardFileError.problems} lists them all.
 */
export class BoardFileError extends Error {
  override readonly name = 'BoardFileError';
  /** The file, as given to the loader. */
  readonly file: string;
  /** JSON pointer of the first problem's field. */
  readonly pointer: string;
  /** What the first problem's field should have held. */
  readonly expected: string;
  /** Every problem found, the first one first. */
  readonly problems: readonly BoardFileProblem[];

  constructor(file: string, problems: readonly BoardFileProblem[]) {
    const first = problems[0] ?? { pointer: '', expected: 'a board file', keyword: 'unknown' };
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1).map(problemText).join('; ')})` : '';
    super(`board file ${file}: ${problemText(first)}${more}`);
    this.file = file;
    this.pointer = first.pointer;
    this.expected = first.expected;
    this.problems = problems;
  }
}

function problemText(p: BoardFileProblem): string {
  return `${p.pointer === '' ? '(file)' : p.pointer}: expected ${p.expected}${p.actual === undefined ? '' : `, got ${p.actual}`}`;
}

/** True for a {@link BoardFileError} (structural, across module copies). */
export function isBoardFileError(e: unknown): e is BoardFileError {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'BoardFileError' && Array.isArray((e as { problems?: unknown }).problems);
}

function show(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A schema error as a problem, or null for one that adds nothing (an `if` whose `then` errors say it). */
export function describeAjvError(e: ErrorObject): BoardFileProblem | null {
  const at = e.instancePath;
  const params = e.params as Record<string, unknown>;
  const got = e.data === undefined ? {} : { actual: show(e.data) };
  switch (e.keyword) {
    case 'if':
      return null; // its "then" errors say what is wrong
    case 'required':
      return { pointer: `${at}/${String(params.missingProperty)}`, expected: 'this required field', actual: 'nothing', keyword: 'required' };
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const extra = String(params.additionalProperty);
      return { pointer: `${at}/${escapePointer(extra)}`, expected: `no field "${extra}" here (known: ${known.join(', ')})`, keyword: 'additionalProperties' };
    }
    case 'type':
      return { pointer: at, expected: `${article(String(params.type))}`, ...got, keyword: 'type' };
    case 'enum':
      return { pointer: at, expected: `one of: ${(params.allowedValues as unknown[]).map((v) => String(v)).join(', ')}`, ...got, keyword: 'enum' };
    case 'const':
      return { pointer: at, expected: show(params.allowedValue), ...got, keyword: 'const' };
    case 'pattern': {
      const description = (e.parentSchema as { description?: string } | undefined)?.description;
      return { pointer: at, expected: `a string matching ${String(params.pattern)}${description === undefined ? '' : ` (${description})`}`, ...got, keyword: 'pattern' };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { pointer: at, expected: `a number ${String(params.comparison)} ${String(params.limit)}`, ...got, keyword: e.keyword };
    case 'minLength':
      return { pointer: at, expected: params.limit === 1 ? 'a non-empty string' : `a string of at least ${String(params.limit)} characters`, ...got, keyword: e.keyword };
    case 'maxLength':
      return { pointer: at, expected: `a string of at most ${String(params.limit)} characters`, ...got, keyword: e.keyword };
    case 'minProperties':
      return { pointer: at, expected: `an object with at least ${String(params.limit)} field${params.limit === 1 ? '' : 's'}`, ...got, keyword: e.keyword };
    case 'uniqueItems':
      return { pointer: `${at}/${String(params.i)}`, expected: `an item not already at ${at}/${String(params.j)}`, ...got, keyword: e.keyword };
    case 'dependentRequired':
      return { pointer: `${at}/${String(params.missingProperty)}`, expected: `this field, since "${String(params.property)}" is given`, actual: 'nothing', keyword: e.keyword };
    case 'false schema':
      return { pointer: at, expected: 'no such field', ...got, keyword: e.keyword };
    default:
      return { pointer: at, expected: e.message ?? e.keyword, ...got, keyword: e.keyword };
  }
}

function article(type: string): string {
  const t = type.split(',').join(' or ');
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
