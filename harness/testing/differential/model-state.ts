/**
 * The symbolic state of the differential test's model (./model): bytes as values with the SQEs
 * they depend on, buffers, and what the model tracks of each device across a program.
 */
import { TEST_IODEV_PATTERN_SEED } from '../../emulator/iodevs/test-iodev';
import type { BufRange, Literal, OpSpec, Program, SqeSpec } from './program';
import { isRange } from './program';

/** What a byte depends on: the SQEs whose success fixes it, or null when nothing does. */
export type Dep = readonly number[] | null;

/** Per SQE id, the dependencies of each byte of its CQE data (RX, mempool RX, TXRX). */
export type DataDeps = ReadonlyMap<number, readonly Dep[]>;

/** A byte as the model knows it: its value when known, and what it depends on. */
export interface Sym {
  readonly v: number | undefined;
  readonly d: Dep;
}

export const UNKNOWN: Sym = { v: undefined, d: null };
export const EEPROM_SIZE = 4096;
export const EEPROM_PAGE = 32;
export const FLASH_PAGE = 256;
export const GPIO_OUTPUTS = 4;

export function join(a: Dep, b: Dep): Dep {
  if (a === null || b === null) return null;
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return [...new Set([...a, ...b])];
}

export function known(v: number, d: Dep = []): Sym {
  return { v, d };
}

/** A byte that is the same on every target once `d` succeeded, whose value the model does not track. */
export function fixed(d: Dep): Sym {
  return { v: undefined, d };
}

/** Device state the model tracks across the whole program. */
export class State {
  readonly bufs: Sym[][];
  readonly eeprom = new Map<number, Sym>();
  eepromAddr: Sym = UNKNOWN;
  readonly flash = new Map<number, Sym>();
  flashWel: Dep = null;
  readonly gpio: Sym[] = Array.from({ length: GPIO_OUTPUTS }, () => UNKNOWN);
  /** Scratch registers of probed parts, by iodev name; absent: not written by this program. */
  readonly scratch = new Map<string, Sym>();
  /** Iodevs whose state the model lost track of. */
  readonly lost = new Set<string>();

  constructor(p: Program) {
    this.bufs = p.buffers.map((b) => b.init.map((v) => known(v)));
  }

  /** Forgets what the model knew of iodev `name` (part `part`). */
  forget(name: string, part: string): void {
    if (part === '24c32') {
      for (const [a, cell] of this.eeprom) this.eeprom.set(a, { v: cell.v, d: null });
      this.eepromAddr = UNKNOWN;
    } else if (part === 'w25q80') {
      for (const [a, cell] of this.flash) this.flash.set(a, { v: cell.v, d: null });
      this.flashWel = null;
    } else {
      this.scratch.delete(name);
    }
  }
}

export function readPattern(len: number, id: number): Sym[] {
  return Array.from({ length: len }, (_, i) => known((TEST_IODEV_PATTERN_SEED + i) & 0xff, [id]));
}

export function rangeSyms(st: State, r: BufRange): Sym[] {
  return st.bufs[r.buf]!.slice(r.off, r.off + r.len);
}

export function literalSyms(l: Literal): Sym[] {
  const head = l.flash === undefined ? [] : [known(l.flash.cmd), UNKNOWN, UNKNOWN, UNKNOWN];
  // A flash address depends on the slot mapping, which the model treats symbolically (below).
  return [...head, ...l.bytes.map((v) => known(v))];
}

export function txSyms(st: State, op: OpSpec): Sym[] {
  switch (op.kind) {
    case 'tx':
      return rangeSyms(st, op.from);
    case 'tx-literal':
    case 'tiny-tx':
      return literalSyms(op.data);
    case 'txrx':
      return isRange(op.tx) ? rangeSyms(st, op.tx) : literalSyms(op.tx);
    default:
      return [];
  }
}

export function store(st: State, r: BufRange, syms: readonly Sym[]): void {
  const b = st.bufs[r.buf]!;
  for (let i = 0; i < r.len; i++) b[r.off + i] = syms[i] ?? UNKNOWN;
}

export function withDep(syms: readonly Sym[], d: Dep): Sym[] {
  return syms.map((s) => ({ v: s.v, d: join(s.d, d) }));
}

export function record(out: Map<number, Dep[]>, sqe: SqeSpec, syms: readonly Sym[]): void {
  out.set(sqe.id, syms.map((s) => s.d));
}
