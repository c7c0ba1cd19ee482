/**
 * Board files: `boards/<id>.json`, one per board or target, checked against
 * `boards/board.schema.json` (JSON Schema 2020-12, validated with ajv 8) and a few rules a schema
 * cannot say (the id is the file's name; sections belong to their target kind; iodev names are
 * unique). A file that breaks any of them is a {@link BoardFileError} naming the file, the field
 * (a JSON pointer) and what was expected.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { PACKAGE_ROOT } from '../package-root';
import type { QemuPeripheralsSpec } from '../qemu/peripherals';
import type { IodevCapability, TargetCapability } from '../target/capabilities';
import type { IodevInfo, IodevKind } from '../target/target';

/** The package's `boards/` folder: the board files shipped with rtio-hil and the schema. */
export const REPO_BOARDS_DIR = join(PACKAGE_ROOT, 'boards');
/** The schema every board file is checked against. */
export const BOARD_SCHEMA_FILE = join(REPO_BOARDS_DIR, 'board.schema.json');

/** How chains reach a board (the board file's `target`). */
export type TargetKind = 'emulator' | 'emulator-wire' | 'native' | 'qemu' | 'serial' | 'tcp';

/** Every {@link TargetKind}, in the schema's order. */
export const TARGET_KINDS: readonly TargetKind[] = ['emulator', 'emulator-wire', 'native', 'qemu', 'serial', 'tcp'];

/**
 * Port identity: how a serial board's port is found among those connected (`match`). Every field
 * given must equal the port's. USB ids are 4 hex digits, compared without regard to case.
 */
export interface PortMatch {
  /** USB vendor id, e.g. `'0483'`. */
  readonly vendorId?: string;
  /** USB product id, e.g. `'374b'`. */
  readonly productId?: string;
  /** USB serial number: tells identical adapters apart. */
  readonly serialNumber?: string;
  /** USB port path `<bus>-<port>[.<port>…]`, e.g. `'1-1.2'`: tells apart adapters without a serial number. */
  readonly location?: string;
  /** USB interface number, for adapters with several UARTs. */
  readonly interface?: number;
  /** USB manufacturer string. */
  readonly manufacturer?: string;
  /** USB product string. */
  readonly product?: string;
}

/** How a native agent or QEMU is started (`launch`). Relative paths are relative to the board file. */
export interface LaunchSpec {
  /** native: the agent binary; it gets `--link <pty path>` and then {@link LaunchSpec.args}. */
  readonly command?: string;
  /** Further arguments; `${seed}` becomes the run's seed. */
  readonly args?: readonly string[];
  /**
   * A build recipe run first: `'firmware-stubs-posix'` is `make -C firmware-stubs posix` (native),
   * `'firmware-stubs-<machine>'` is `make -C firmware-stubs <machine>` (qemu).
   */
  readonly build?: 'firmware-stubs-posix' | 'firmware-stubs-lm3s6965evb' | 'firmware-stubs-mps2-an385' | 'firmware-stubs-ast1030-evb';
  /** qemu: the emulator binary (default `qemu-system-arm`). */
  readonly qemu?: string;
  /** qemu: the `-machine` value. */
  readonly machine?: string;
  /** qemu: machine properties appended to `-machine`, e.g. `spi-model=w25q80bl`. */
  readonly machineOptions?: string;
  /** qemu: QEMU's device models attached on the command line, and what the backplane reaches of them. */
  readonly peripherals?: QemuPeripheralsSpec;
  /** qemu: the firmware image. */
  readonly image?: string;
  /** qemu: more arguments. */
  readonly extraArgs?: readonly string[];
}

/** One step of a DTR/RTS reset sequence: set the lines given, or wait. */
export interface ResetStep {
  /** DTR level to set. */
  readonly dtr?: boolean;
  /** RTS level to set. */
  readonly rts?: boolean;
  /** Time to wait after setting the lines, in ms. */
  readonly waitMs?: number;
}

/** Serial line settings (`serial`). */
export interface SerialSettings {
  /** A fixed device path used instead of matching (a `/dev/serial/by-id` link, a pty). */
  readonly path?: string;
  /** Line rate in bit/s (default 115200). */
  readonly baudRate?: number;
  /** Ask the driver for low latency. */
  readonly lowLatency?: boolean;
  /** Drop DTR when the port closes. */
  readonly hupcl?: boolean;
  /** DTR/RTS steps applied before the handshake to reset the board. */
  readonly resetSequence?: readonly ResetStep[];
}

/** A board behind ser2net or a QEMU TCP chardev (`tcp`). */
export interface TcpEndpoint {
  /** Host name or address. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
}

/** Timeouts (`timeouts`), in ms; defaults in {@link BOARD_TIMEOUT_DEFAULTS}. */
export interface BoardTimeouts {
  /** Longest wait for the agent's HelloReply. */
  readonly handshakeMs?: number;
  /** Longest one operation may take on this board. */
  readonly opMs?: number;
  /** Longest `target.settle()` waits for work in flight. */
  readonly settleMs?: number;
  /** tcp: longest wait for the connection; qemu: for QEMU's UART socket, then for socat's pty. */
  readonly connectMs?: number;
}

/** Defaults of {@link BoardTimeouts}. */
export const BOARD_TIMEOUT_DEFAULTS: Readonly<Required<BoardTimeouts>> = Object.freeze({
  handshakeMs: 3000,
  opMs: 1000,
  settleMs: 5000,
  connectMs: 3000,
});

/**
 * How the host's link to the board's agent recovers and when it gives up (docs/wire.md, "Link").
 * Every field is optional; what is left out keeps the link's default.
 */
export interface BoardLink {
  /** Retransmission timeout before a round trip is measured, ms (default 100). */
  readonly retransmitMs?: number;
  /** Floor of the adaptive retransmission timeout, ms (default 5). */
  readonly retransmitMinMs?: number;
  /** Ceiling of the adaptive retransmission timeout, ms (default 250). */
  readonly retransmitMaxMs?: number;
  /** Time without acknowledgement progress before the link fails, ms (default 750): raise it for a board a debugger may halt. */
  readonly stallMs?: number;
  /** Retransmission timeouts in a row without progress before the link fails (default 64). */
  readonly maxRetransmits?: number;
  /** With SQEs in flight, how long the link may send nothing before it probes the agent, ms (default 250). */
  readonly keepaliveMs?: number;
  /**
   * Time beyond an SQE's own deadline (its timeoutMs and those of the members before it) after
   * which the host completes it with -ETIMEDOUT if the agent has not, ms (default 1000).
   */
  readonly deadlineAllowanceMs?: number;
}

/** One iodev as a board file lists it. */
export interface BoardIodev {
  /** As `target.iodev(name)` takes it. */
  readonly name: string;
  /** Bus or device class. */
  readonly kind: IodevKind;
  /** The bus it sits on. */
  readonly bus?: string;
  /** I2C address or SPI chip select. */
  readonly address?: number;
  /** The attached part. */
  readonly part?: string;
  /** Free text for people. */
  readonly description?: string;
  /** What it can do (default none). */
  readonly capabilities?: readonly IodevCapability[];
}

/** The contents of a board file, as the schema describes them. */
export interface BoardFileData {
  /** Board identity: the file's name without `.json`. */
  readonly id: string;
  /** What the board is. */
  readonly name: string;
  /** More words for people. */
  readonly description?: string;
  /** How chains reach it. */
  readonly target: TargetKind;
  /** serial: how its port is found. */
  readonly match?: PortMatch;
  /** native, qemu: how it is started. */
  readonly launch?: LaunchSpec;
  /** serial, native, qemu: line settings. */
  readonly serial?: SerialSettings;
  /** tcp: where it is. */
  readonly tcp?: TcpEndpoint;
  /** Timeouts. */
  readonly timeouts?: BoardTimeouts;
  /** Link recovery and limits; defaults where left out. */
  readonly link?: BoardLink;
  /** Target-level capabilities, e.g. `'fault-injection'`. */
  readonly capabilities?: readonly TargetCapability[];
  /** The iodevs it exposes. */
  readonly iodevs: readonly BoardIodev[];
}

/** A validated board file and where it came from. */
export interface Board extends BoardFileData {
  /** Absolute path of the file. */
  readonly file: string;
}

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

let validator: ValidateFunction | null = null;
let schemaObject: Record<string, unknown> | null = null;

/** The board-file schema, parsed (read once). */
export function boardSchema(): Record<string, unknown> {
  schemaObject ??= JSON.parse(readFileSync(BOARD_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  return schemaObject;
}

function validate(): ValidateFunction {
  if (validator === null) {
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, strictTypes: false });
    validator = ajv.compile(boardSchema());
  }
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
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new BoardFileError(file, [{ pointer: '', expected: 'JSON', actual: jsonErrorWhere(text, e as Error), keyword: 'json' }]);
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

// ------------------------------------------------------------ error descriptions

/** Which sections each target kind uses; any other is an error. */
const SECTIONS: Readonly<Record<TargetKind, readonly string[]>> = {
  emulator: [],
  'emulator-wire': [],
  native: ['launch', 'serial'],
  qemu: ['launch', 'serial'],
  serial: ['match', 'serial'],
  tcp: ['tcp'],
};

function semanticProblems(data: BoardFileData, file: string): BoardFileProblem[] {
  const out: BoardFileProblem[] = [];
  const base = basename(file).replace(/\.json$/, '');
  if (data.id !== base) {
    out.push({ pointer: '/id', expected: `"${base}" (the file's name without .json)`, actual: JSON.stringify(data.id), keyword: 'id-file-name' });
  }
  const used = SECTIONS[data.target];
  for (const section of ['match', 'launch', 'serial', 'tcp'] as const) {
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

function show(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function describeAjvError(e: ErrorObject): BoardFileProblem | null {
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

/** Where JSON.parse gave up: `'<what> at line L, column C'` (Node 20 does not always say where). */
function jsonErrorWhere(text: string, err: Error): string {
  const pos = jsonErrorOffset(text);
  const before = text.slice(0, pos).split('\n');
  const what = pos >= text.length ? 'unexpected end of file' : `unexpected ${JSON.stringify(text[pos])}`;
  return `${what} at line ${before.length}, column ${(before[before.length - 1] ?? '').length + 1} (${err.message.split('\n')[0]})`;
}

/** Offset of the first character that makes `text` invalid JSON (a small recursive-descent check). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const str = (): void => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) { i += k; fail(); }
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) {
          fail();
        }
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const num = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (m === null || m[0] === '' || m[0] === '-') fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        fail();
      }
    } else if (c === '"') {
      str();
    } else if (c === 't') {
      literal('true');
    } else if (c === 'f') {
      literal('false');
    } else if (c === 'n') {
      literal('null');
    } else {
      num();
    }
  };
  try {
    value();
    ws();
    return i < text.length ? i : text.length;
  } catch (at) {
    return Math.min(typeof at === 'number' ? at : 0, text.length);
  }
}
