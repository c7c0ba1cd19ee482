/**
 * protocol/vectors/executor.json, checked and typed: executor scenarios on the test iodev
 * `test0` that the host emulator and the agent's C executor must both pass. The format is
 * protocol/vectors/README.md's; expectations are hand-written from docs/semantics.md.
 */
import type { Fault } from '../../index';
import { JsonReader } from './json-reader';

/** The format version this loader reads. */
export const EXECUTOR_VECTORS_VERSION = 1;

/** SQE op names a vector may use (Zephyr's `RTIO_OP_*` without the prefix). */
export const VECTOR_OPS = ['NOP', 'RX', 'TX', 'TINY_TX', 'CALLBACK', 'TXRX', 'DELAY', 'I2C_RECOVER', 'AWAIT'] as const;
/** SQE flag names a vector may use (`RTIO_SQE_*` without the prefix). */
export const VECTOR_SQE_FLAGS = ['CHAINED', 'TRANSACTION', 'MEMPOOL_BUFFER', 'MULTISHOT', 'NO_RESPONSE'] as const;
/**
 * What a case may need beyond the executor itself; a runner without it skips the case, saying why:
 * - `cq-overflow`: completions that find the CQ full wait in an overflow list (§7);
 * - `cq-capacity`: the outcome depends on the CQ holding exactly `cqSize` completions;
 * - `callback`: CALLBACK SQEs, which run host code.
 */
export const VECTOR_REQUIREMENTS = ['cq-overflow', 'cq-capacity', 'callback'] as const;

/** An op name. */
export type VectorOp = (typeof VECTOR_OPS)[number];
/** A flag name. */
export type VectorSqeFlag = (typeof VECTOR_SQE_FLAGS)[number];
/** A requirement name. */
export type VectorRequirement = (typeof VECTOR_REQUIREMENTS)[number];

/**
 * A result as the vectors write it and `resultName()` prints it: a byte count (`"16"`) or a
 * negative errno name (`"-ECANCELED"`).
 */
export type VectorResult = string;

/** What test0 does with one SQE (encoded into `iodevFlags` with `testIodevScript`). */
export interface VectorScript {
  readonly delayUs: number;
  /** `"0"` or a negative errno name. */
  readonly result: VectorResult;
  readonly hang: boolean;
}

/** One SQE to acquire and prepare; `name` is its userdata. */
export interface VectorSqe {
  readonly name: string;
  readonly op: VectorOp;
  /** `'test0'`, or null for an executor op. */
  readonly iodev: string | null;
  readonly flags: readonly VectorSqeFlag[];
  /** RX length (not for a mempool read). */
  readonly len: number;
  /** TX / TINY_TX / TXRX bytes. */
  readonly tx: Uint8Array | null;
  /** DELAY length, µs. */
  readonly delayUs: number;
  /** 0: no timeout. */
  readonly timeoutUs: number;
  readonly script: VectorScript;
}

/** One step of a case, run in order. */
export type VectorStep =
  | { readonly do: 'prepare'; readonly sqes: readonly VectorSqe[] }
  | { readonly do: 'submit'; readonly sqes: readonly VectorSqe[]; readonly returns: VectorResult }
  | { readonly do: 'advance'; readonly us: number }
  | { readonly do: 'run' }
  | { readonly do: 'cancel'; readonly sqe: string; readonly returns: VectorResult }
  | { readonly do: 'signal'; readonly sqe: string }
  | { readonly do: 'fault'; readonly fault: Fault; readonly count: number }
  | { readonly do: 'consume'; readonly n: number }
  | { readonly do: 'check'; readonly overflowPending: number };

/** One expected CQE, in the order CQEs are consumed (their posting order). */
export interface VectorCqe {
  readonly sqe: string;
  readonly result: VectorResult;
  /** `RTIO_CQE_FLAG_MORE`. */
  readonly more: boolean;
  /** Blocks of the mempool buffer the CQE carries, or null when it carries none (flags without RTIO_CQE_FLAG_MEMPOOL_BUFFER). */
  readonly mempoolBlocks: number | null;
  /** The bytes the SQE received (RX, TXRX, mempool read); empty when it received none. */
  readonly data: Uint8Array;
  /** Device µs from the start of the case at which the completion was posted. */
  readonly atUs: number;
}

/** One scenario. */
export interface ExecutorCase {
  readonly name: string;
  readonly description: string;
  readonly context: {
    readonly sqSize: number;
    readonly cqSize: number;
    readonly mempool?: { readonly blockSize: number; readonly blockCount: number };
  };
  readonly requires: readonly VectorRequirement[];
  readonly steps: readonly VectorStep[];
  readonly cqes: readonly VectorCqe[];
}

const STEPS = ['prepare', 'submit', 'advance', 'run', 'cancel', 'signal', 'fault', 'consume', 'check'] as const;
const FAULTS = ['nack', 'short-read', 'bus-timeout', 'delay'] as const;

/** Reads and checks protocol/vectors/executor.json; throws naming the first malformed field. */
export function loadExecutorVectors(): ExecutorCase[] {
  const doc = JsonReader.file('executor.json');
  if (doc.int('version') !== EXECUTOR_VECTORS_VERSION) {
    throw doc.error('version', `is ${String(doc.raw('version'))}; this loader reads version ${EXECUTOR_VECTORS_VERSION}`);
  }
  const names = new Set<string>();
  return doc.objs('cases').map((c) => {
    const name = c.str('name');
    if (names.has(name)) throw c.error('name', `"${name}" is used twice`);
    names.add(name);
    const ctx = c.obj('context');
    const pool = ctx.has('mempool') ? ctx.obj('mempool') : null;
    return {
      name,
      description: c.str('description'),
      context: {
        sqSize: ctx.int('sqSize'),
        cqSize: ctx.int('cqSize'),
        ...(pool === null ? {} : { mempool: { blockSize: pool.int('blockSize'), blockCount: pool.int('blockCount') } }),
      },
      requires: c.strs('requires', VECTOR_REQUIREMENTS),
      steps: c.objs('steps').map(step),
      cqes: c.objs('cqes').map(cqe),
    };
  });
}

function step(s: JsonReader): VectorStep {
  const kind = s.str('do', STEPS);
  switch (kind) {
    case 'prepare':
      return { do: kind, sqes: s.objs('sqes').map(sqe) };
    case 'submit':
      return { do: kind, sqes: s.objs('sqes', true).map(sqe), returns: result(s, 'returns', '0') };
    case 'advance':
      return { do: kind, us: s.int('us') };
    case 'run':
      return { do: kind };
    case 'cancel':
      return { do: kind, sqe: s.str('sqe'), returns: result(s, 'returns') };
    case 'signal':
      return { do: kind, sqe: s.str('sqe') };
    case 'fault':
      return { do: kind, fault: fault(s.obj('fault')), count: s.int('count', 1) };
    case 'consume':
      return { do: kind, n: s.int('n') };
    case 'check':
      return { do: kind, overflowPending: s.int('overflowPending') };
  }
}

function fault(f: JsonReader): Fault {
  const kind = f.str('kind', FAULTS);
  switch (kind) {
    case 'nack':
      return { kind, atByte: f.int('atByte') };
    case 'short-read':
      return { kind, bytes: f.int('bytes') };
    case 'bus-timeout':
      return { kind };
    case 'delay':
      return { kind, ms: f.int('delayUs') / 1000 };
  }
}

function sqe(s: JsonReader): VectorSqe {
  const script = s.has('script') ? s.obj('script') : null;
  return {
    name: s.str('name'),
    op: s.str('op', VECTOR_OPS),
    iodev: s.has('iodev') ? s.str('iodev') : null,
    flags: s.strs('flags', VECTOR_SQE_FLAGS),
    len: s.int('len', 0),
    tx: s.bytes('tx'),
    delayUs: s.int('delayUs', 0),
    timeoutUs: s.int('timeoutUs', 0),
    script: {
      delayUs: script === null ? 0 : script.int('delayUs', 0),
      result: script === null ? '0' : result(script, 'result', '0'),
      hang: script === null ? false : script.flag('hang'),
    },
  };
}

function cqe(c: JsonReader): VectorCqe {
  return {
    sqe: c.str('sqe'),
    result: result(c, 'result'),
    more: c.flag('more'),
    mempoolBlocks: c.has('mempoolBlocks') ? c.int('mempoolBlocks') : null,
    data: c.bytes('data') ?? new Uint8Array(0),
    atUs: c.int('atUs'),
  };
}

/** A result field: a non-negative integer or a negative errno name such as "-ECANCELED". */
function result(o: JsonReader, key: string, fallback?: VectorResult): VectorResult {
  const v = o.raw(key);
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v === 'number') return String(o.int(key));
  if (typeof v === 'string' && /^-E[A-Z0-9]+$/.test(v)) return v;
  throw o.error(key, 'expected a byte count or a negative errno name such as "-ECANCELED"');
}
