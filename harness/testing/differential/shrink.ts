/**
 * @file Shrinks a failing program: removes steps, chains and blocks, and drops the flags that
 * do not change a block's meaning, as long as the program still fails. Blocks are removed whole,
 * so what keeps a program free of races (an EEPROM write's settle DELAY) is never taken apart.
 */
import type { Block, Chain, Program, SqeSpec, Step } from './program';

/** Most candidate programs one shrink tries. */
export const SHRINK_MAX_ATTEMPTS = 400;

/** The smallest program found that still `fails`; `fails(p)` must be true at the start. */
export async function shrinkProgram(p: Program, fails: (p: Program) => Promise<boolean>, maxAttempts = SHRINK_MAX_ATTEMPTS): Promise<Program> {
  let best = p;
  let attempts = 0;
  for (let progress = true; progress && attempts < maxAttempts;) {
    progress = false;
    for (const raw of candidates(best)) {
      const candidate = keepGates(raw);
      if (attempts++ >= maxAttempts) break;
      if (await fails(candidate)) {
        best = candidate;
        progress = true;
        break;
      }
    }
  }
  return best;
}

/** Programs one simplification smaller than `p`, biggest cuts first. */
function* candidates(p: Program): Generator<Program> {
  const steps = p.steps;
  if (steps.length > 1) {
    for (let i = 0; i < steps.length; i++) yield { ...p, steps: steps.filter((_, j) => j !== i) };
  }
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.kind !== 'chains') continue;
    const chains = step.chains;
    if (chains.length > 1) {
      for (let c = 0; c < chains.length; c++) yield withStep(p, i, { kind: 'chains', chains: chains.filter((_, k) => k !== c) });
    }
    for (let c = 0; c < chains.length; c++) {
      const chain = chains[c]!;
      if (chain.length > 1) {
        for (let b = 0; b < chain.length; b++) yield withChain(p, i, c, chain.filter((_, k) => k !== b));
      }
    }
    for (let c = 0; c < chains.length; c++) {
      const chain = chains[c]!;
      for (let b = 0; b < chain.length; b++) {
        const block = chain[b]!;
        for (const simpler of simplerBlocks(block)) yield withChain(p, i, c, chain.map((x, k) => (k === b ? simpler : x)));
      }
    }
  }
}

/** The block with one optional flag dropped from one SQE. */
function* simplerBlocks(block: Block): Generator<Block> {
  for (let u = 0; u < block.units.length; u++) {
    const unit = block.units[u]!;
    for (let m = 0; m < unit.length; m++) {
      const s = unit[m]!;
      for (const t of simplerSqes(s)) {
        yield { note: block.note, units: block.units.map((x, k) => (k === u ? x.map((y, j) => (j === m ? t : y)) : x)) };
      }
    }
  }
}

function* simplerSqes(s: SqeSpec): Generator<SqeSpec> {
  const hangs = s.script?.hang === true;
  if (s.noResponse) yield without(s, 'noResponse');
  if (s.timeoutMs !== undefined && !hangs && !(s.op.kind === 'await' && s.op.signal === 'never')) yield without(s, 'timeoutMs');
  if (s.cancel === 'before-submit') yield without(s, 'cancel');
  if (s.cancel === 'after-submit' && !hangs) yield without(s, 'cancel');
  if (s.script !== undefined && !hangs && (s.script.delayMs ?? 0) > 0) yield { ...s, script: { ...s.script, delayMs: 0 } };
}

function without(s: SqeSpec, key: 'noResponse' | 'timeoutMs' | 'cancel'): SqeSpec {
  const copy: { -readonly [K in keyof SqeSpec]?: SqeSpec[K] } = { ...s };
  delete copy[key];
  return copy as SqeSpec;
}

/**
 * Drops "cancel after submit" from SQEs that no earlier member of their chain holds back any
 * more (its hanging operation was shrunk away): cancelling them would race their completion.
 */
function keepGates(p: Program): Program {
  const steps = p.steps.map((step): Step => {
    if (step.kind !== 'chains') return step;
    return {
      kind: 'chains',
      chains: step.chains.map((chain) => {
        let gated = false;
        return chain.map((block) => ({
          note: block.note,
          units: block.units.map((unit) => unit.map((s) => {
            const hangs = s.script?.hang === true;
            const out = s.cancel === 'after-submit' && !hangs && !gated ? without(s, 'cancel') : s;
            if (hangs && s.cancel === 'after-submit') gated = true;
            return out;
          })),
        }));
      }),
    };
  });
  return { ...p, steps };
}

function withStep(p: Program, i: number, step: Step): Program {
  return { ...p, steps: p.steps.map((s, k) => (k === i ? step : s)) };
}

function withChain(p: Program, i: number, c: number, chain: Chain): Program {
  const step = p.steps[i]!;
  if (step.kind !== 'chains') return p;
  return withStep(p, i, { kind: 'chains', chains: step.chains.map((x, k) => (k === c ? chain : x)) });
}
