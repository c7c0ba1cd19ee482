/**
 * @file The differential test's programs: plain data (JSON-able), so that one program can be run
 * on every target, shrunk by removing parts, and printed as code. A program is a sequence of
 * steps; a step submits chains together and waits for all of them; a chain is a list of blocks,
 * each a list of units (an SQE, or a transaction of several), linked by `RTIO_SQE_CHAINED`.
 *
 * A block is what the shrinker removes as a whole: the SQEs that only make sense together, such
 * as an EEPROM write and the DELAY that waits out its write cycle.
 */
import type { Fault } from '../../target/faults';

/** A range of one of the program's buffers. */
export interface BufRange {
  /** Index in {@link Program.buffers}. */
  readonly buf: number;
  /** First byte. */
  readonly off: number;
  /** Bytes. */
  readonly len: number;
}

/**
 * Bytes a TINY_TX or TX sends that the program knows when it is written: a register pointer, an
 * EEPROM address, a flash command. A flash address is given as a slot and an offset in it; the
 * runner maps slots to pages no earlier program used.
 */
export interface Literal {
  /** The bytes, after the command byte when `flash` is set. */
  readonly bytes: readonly number[];
  /** A flash command with a 24-bit address: `[cmd, a23..16, a15..8, a7..0, ...bytes]`. */
  readonly flash?: { readonly cmd: number; readonly slot: number; readonly off: number };
}

/** What one SQE does. */
export type OpSpec =
  | { readonly kind: 'nop'; readonly iodev: string | null }
  | { readonly kind: 'delay'; readonly ms: number }
  /** A CALLBACK; records the result it is passed, and writes `fill` into a buffer when it runs. */
  | { readonly kind: 'callback'; readonly fill?: { readonly to: BufRange; readonly byte: number } }
  /** An AWAIT (on an iodev, or in the executor), signalled before or after submit, or never (it times out). */
  | { readonly kind: 'await'; readonly iodev: string | null; readonly signal: 'before' | 'after' | 'never' }
  | { readonly kind: 'rx'; readonly iodev: string; readonly into: BufRange }
  /** A mempool read. */
  | { readonly kind: 'rx-pool'; readonly iodev: string }
  | { readonly kind: 'tx'; readonly iodev: string; readonly from: BufRange }
  /** A TX of known bytes, from a buffer of their own (never written by the program). */
  | { readonly kind: 'tx-literal'; readonly iodev: string; readonly data: Literal }
  | { readonly kind: 'tiny-tx'; readonly iodev: string; readonly data: Literal }
  /** TXRX: transmit `tx` (a range, or known bytes) while receiving into `rx`. */
  | { readonly kind: 'txrx'; readonly iodev: string; readonly tx: BufRange | Literal; readonly rx: BufRange };

/** What the test iodev does with one SQE (`testIodevScript`'s argument). */
export interface Script {
  readonly delayMs?: number;
  readonly result?: number;
  readonly hang?: boolean;
}

/** One SQE of a program. */
export interface SqeSpec {
  /** Unique in the program; the SQE's userdata. */
  readonly id: number;
  readonly op: OpSpec;
  /** test0's script (`testIodevScript`). */
  readonly script?: Script;
  /** `sqe.timeoutMs`; absent: none. */
  readonly timeoutMs?: number;
  /** `RTIO_SQE_NO_RESPONSE`. */
  readonly noResponse?: boolean;
  /** `sqeCancel` on it while it is still queued, or right after `submit`. */
  readonly cancel?: 'before-submit' | 'after-submit';
  /** A DELAY that lets a device finish (an EEPROM write cycle): never cancelled. */
  readonly settle?: true;
}

/** A unit: one SQE, or the members of one transaction. */
export type Unit = readonly SqeSpec[];

/** A block: units the shrinker keeps or removes together. */
export interface Block {
  readonly units: readonly Unit[];
  /** What it does, for the printed program (e.g. `eeprom0 write 4 B at 0x012`). */
  readonly note: string;
}

/** A chain: blocks whose units are linked by `RTIO_SQE_CHAINED`. */
export type Chain = readonly Block[];

/**
 * A step: chains submitted together, then waited for (every CQE), then settled.
 * A multishot step submits one multishot read alone and ends it as `end` says:
 * - `pool`: the mempool runs out after `blockCount` shots (nothing released meanwhile): `-ENOMEM`;
 * - `cq`: the CQ fills (nothing consumed until `cqSize` CQEs are posted): the last shot lacks MORE;
 * - `cancel`: `sqeCancel` after `shots` CQEs.
 */
export type Step =
  | { readonly kind: 'chains'; readonly chains: readonly Chain[]; readonly faults?: readonly FaultSpec[] }
  | { readonly kind: 'multishot'; readonly sqe: SqeSpec; readonly end: 'pool' | 'cq' | 'cancel'; readonly shots: number };

/**
 * A fault armed (`target.injectFault`) before a step's submit, on an iodev only one chain of the
 * step uses, so the operations it hits do not depend on timing.
 */
export interface FaultSpec {
  readonly iodev: string;
  readonly fault: Fault;
  readonly count: number;
}

/** A buffer of the program with the bytes it starts with. */
export interface BufferSpec {
  readonly init: readonly number[];
}

/** A whole program, and the context it runs on. */
export interface Program {
  /** The seed it was generated from. */
  readonly seed: number;
  readonly sqSize: number;
  readonly cqSize: number;
  readonly mempool: { readonly blockSize: number; readonly blockCount: number };
  readonly buffers: readonly BufferSpec[];
  readonly steps: readonly Step[];
  /** Flash slots (pages) the program uses: 0..flashSlots-1. */
  readonly flashSlots: number;
}

/** Every SQE of a step, in submission order. */
export function stepSqes(step: Step): SqeSpec[] {
  if (step.kind === 'multishot') return [step.sqe];
  return step.chains.flatMap((c) => chainSqes(c));
}

/** Every SQE of a chain, in order. */
export function chainSqes(chain: Chain): SqeSpec[] {
  return chain.flatMap((b) => b.units.flat());
}

/** Every SQE of a program, in submission order. */
export function programSqes(p: Program): SqeSpec[] {
  return p.steps.flatMap((s) => stepSqes(s));
}

/** True for a BufRange (as opposed to a Literal). */
export function isRange(x: BufRange | Literal): x is BufRange {
  return (x as BufRange).buf !== undefined;
}

/** The bytes a literal stands for, with flash slot `slot` at byte address `flashBase(slot)`. */
export function literalBytes(l: Literal, flashBase: (slot: number) => number): Uint8Array {
  if (l.flash === undefined) return Uint8Array.from(l.bytes);
  const a = flashBase(l.flash.slot) + l.flash.off;
  return Uint8Array.from([l.flash.cmd, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff, ...l.bytes]);
}

/** Bytes of a literal. */
export function literalLength(l: Literal): number {
  return l.bytes.length + (l.flash === undefined ? 0 : 4);
}
