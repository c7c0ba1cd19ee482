/**
 * @file Compares a target's trace with the reference's, SQE by SQE: the CQEs (count, results,
 * flags), the bytes read where the program makes them the same everywhere (see model.ts), the
 * result each CALLBACK was passed and, where both targets know it, what `sqeCancel` returned.
 */
import { resultName } from '../../rtio';
import type { DataDeps } from './model';
import type { OpSpec, Program, SqeSpec } from './program';
import { literalLength, programSqes } from './program';
import type { CqeRecord, Trace } from './run';

/** One difference between a target and the reference. */
export interface Mismatch {
  /** The SQE it is about, or null for a broken rule of the whole run. */
  readonly sqeId: number | null;
  /** What differs, in words, naming both values. */
  readonly what: string;
}

/** Options of {@link compareTraces}. */
export interface CompareOptions {
  /** The target's name, for messages. */
  readonly target: string;
  /** Both the reference and the target return the exact `sqeCancel` results (`sync-cancel`). */
  readonly syncCancel: boolean;
}

/** The byte count a successful SQE of kind `op` moves, or null when any result ≥ 0 is a success. */
export function expectedLength(op: OpSpec): number | null {
  switch (op.kind) {
    case 'rx':
      return op.into.len;
    case 'txrx':
      return op.rx.len;
    case 'tx':
      return op.from.len;
    case 'tx-literal':
    case 'tiny-tx':
      return literalLength(op.data);
    default:
      return null;
  }
}

/** True when SQE `s` completed in full on the run `t` (one final CQE, no error, no short count). */
export function succeeded(s: SqeSpec, t: Trace): boolean {
  if (s.noResponse) return false;
  const cqes = t.sqes.get(s.id)?.cqes ?? [];
  const last = cqes[cqes.length - 1];
  if (last === undefined || last.result < 0) return false;
  const len = expectedLength(s.op);
  return len === null || last.result === len;
}

/** Every difference between `got` (on the target) and `ref` (on the reference) for program `p`. */
export function compareTraces(p: Program, deps: DataDeps, ref: Trace, got: Trace, opts: CompareOptions): Mismatch[] {
  const out: Mismatch[] = [];
  for (const problem of ref.problems) out.push({ sqeId: null, what: `the reference broke a rule: ${problem}` });
  for (const problem of got.problems) out.push({ sqeId: null, what: `${opts.target} broke a rule: ${problem}` });
  if (out.length > 0) return out;
  const all = programSqes(p);
  const byId = new Map(all.map((s) => [s.id, s]));
  const ok = (id: number): boolean => {
    const s = byId.get(id);
    return s !== undefined && succeeded(s, ref);
  };
  for (const s of all) {
    const a = ref.sqes.get(s.id);
    const b = got.sqes.get(s.id);
    const ra = a?.cqes ?? [];
    const rb = b?.cqes ?? [];
    if (ra.length !== rb.length) {
      out.push({ sqeId: s.id, what: `${rb.length} CQEs on ${opts.target}, ${ra.length} on the reference (${show(rb)} vs ${show(ra)})` });
      continue;
    }
    const mask = deps.get(s.id);
    for (let k = 0; k < ra.length; k++) {
      const x = ra[k]!;
      const y = rb[k]!;
      const which = ra.length > 1 ? `CQE ${k + 1}: ` : '';
      if (x.result !== y.result) {
        out.push({ sqeId: s.id, what: `${which}result ${resultName(y.result)} on ${opts.target}, ${resultName(x.result)} on the reference` });
        continue;
      }
      if (x.flags !== y.flags) {
        out.push({ sqeId: s.id, what: `${which}flags 0x${y.flags.toString(16)} on ${opts.target}, 0x${x.flags.toString(16)} on the reference` });
        continue;
      }
      const diff = dataDiff(x, y, mask, ok);
      if (diff !== null) out.push({ sqeId: s.id, what: `${which}${diff.replace('%T', opts.target)}` });
    }
    if (a?.callbackResult !== b?.callbackResult) {
      out.push({ sqeId: s.id, what: `the CALLBACK was passed ${String(b?.callbackResult)} on ${opts.target}, ${String(a?.callbackResult)} on the reference` });
    }
    if (opts.syncCancel && a?.cancelResult !== b?.cancelResult) {
      out.push({ sqeId: s.id, what: `sqeCancel returned ${String(b?.cancelResult)} on ${opts.target}, ${String(a?.cancelResult)} on the reference` });
    }
  }
  return out;
}

function dataDiff(x: CqeRecord, y: CqeRecord, mask: readonly (readonly number[] | null)[] | undefined, ok: (id: number) => boolean): string | null {
  const a = x.data ?? [];
  const b = y.data ?? [];
  if (a.length !== b.length) return `read ${b.length} bytes on %T, ${a.length} on the reference`;
  for (let i = 0; i < a.length; i++) {
    const dep = mask?.[i];
    if (dep === undefined || dep === null || !dep.every(ok)) continue;
    if (a[i] !== b[i]) {
      return `byte ${i} read 0x${hex(b[i]!)} on %T, 0x${hex(a[i]!)} on the reference (read ${hexes(b)} vs ${hexes(a)})`;
    }
  }
  return null;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function hexes(xs: readonly number[]): string {
  const shown = xs.slice(0, 24).map(hex).join(' ');
  return xs.length > 24 ? `${shown} …` : shown;
}

function show(cqes: readonly CqeRecord[]): string {
  return `[${cqes.map((c) => resultName(c.result)).join(', ')}]`;
}
