/**
 * @file Prints a differential program as a mocha test written with the public API, to paste
 * into a suite: the SQEs as a test author would prepare them, and the reference's results as
 * the expectations.
 */
import { resultName } from '../../rtio';
import type { DataDeps } from './model';
import type { BufRange, Literal, Program, SqeSpec } from './program';
import { chainSqes, isRange, literalBytes } from './program';
import { succeeded } from './compare';
import type { Trace } from './run';

/** Options of {@link programToCode}. */
export interface CodegenOptions {
  /** The board the test opens. */
  readonly board: string;
  /** Byte address of each flash slot, as in the failing run. */
  readonly flashBase: (slot: number) => number;
  /** The test's title. */
  readonly title: string;
}

const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;
const bytes = (xs: ArrayLike<number>): string => Array.from(xs, hex).join(', ');

/** `p` as the source of one mocha test that expects what `ref` recorded. */
export function programToCode(p: Program, ref: Trace, deps: DataDeps, opts: CodegenOptions): string {
  const out: string[] = [];
  const w = (line: string, indent = 2): void => {
    out.push(' '.repeat(indent) + line);
  };
  out.push('// imports: openTarget, Rtio, Sqe, sqePrep*, sqeSignal, testIodevScript, RTIO_* and errno constants from \'rtio-hil\'; expect from chai');
  out.push(`it(${JSON.stringify(opts.title)}, async function () {`);
  w(`const target = await openTarget(${JSON.stringify(opts.board)});`);
  w('try {');
  w(`const r = new Rtio({ sqSize: ${p.sqSize}, cqSize: ${p.cqSize}, mempool: { blockSize: ${p.mempool.blockSize}, blockCount: ${p.mempool.blockCount} }, clock: target.clock });`, 4);
  const usedBufs = new Set<number>();
  for (const step of p.steps) {
    if (step.kind !== 'chains') continue;
    for (const s of step.chains.flatMap((c) => chainSqes(c))) for (const r of ranges(s)) usedBufs.add(r.buf);
  }
  for (const b of [...usedBufs].sort((x, y) => x - y)) w(`const b${b} = Uint8Array.of(${bytes(p.buffers[b]!.init)});`, 4);
  w('const seen: [number, number][] = [];', 4);
  w('let s: Sqe;', 4);
  p.steps.forEach((step, i) => {
    w(`// step ${i + 1}`, 4);
    if (step.kind === 'multishot') {
      w(`// a multishot mempool read on ${step.sqe.op.kind === 'rx-pool' ? step.sqe.op.iodev : '?'}, ended by ${step.end}${step.shots > 0 ? ` after ${step.shots} shots` : ''} (see harness/testing/differential/run.ts)`, 4);
      return;
    }
    const specs = step.chains.flatMap((c) => chainSqes(c));
    const handles: string[] = [];
    step.chains.forEach((chain, c) => {
      w(`// chain ${c + 1}: ${chain.map((b) => b.note).join('; ')}`, 4);
      const units = chain.flatMap((b) => b.units);
      units.forEach((unit, u) => unit.forEach((s, m) => {
        const flags: string[] = [];
        if (m < unit.length - 1) flags.push('RTIO_SQE_TRANSACTION');
        else if (u < units.length - 1) flags.push('RTIO_SQE_CHAINED');
        if (s.noResponse) flags.push('RTIO_SQE_NO_RESPONSE');
        const name = needsHandle(s) ? `q${s.id}` : 's';
        if (name !== 's') handles.push(name);
        const decl = name === 's' ? 's = r.sqeAcquire()!;' : `const ${name} = r.sqeAcquire()!;`;
        w(`${decl} ${prepCall(s, name, opts)}`, 4);
        if (s.script !== undefined) w(`${name}.iodevFlags = testIodevScript(${JSON.stringify(s.script)});`, 4);
        if (flags.length > 0) w(`${name}.flags |= ${flags.join(' | ')};`, 4);
        if (s.timeoutMs !== undefined) w(`${name}.timeoutMs = ${s.timeoutMs};`, 4);
      }));
    });
    for (const s of specs) {
      if (s.op.kind === 'await' && s.op.signal === 'before') w(`sqeSignal(q${s.id});`, 4);
      if (s.cancel === 'before-submit') w(`r.sqeCancel(q${s.id});`, 4);
    }
    w('await r.submit(0);', 4);
    for (const s of specs) {
      if (s.op.kind === 'await' && s.op.signal === 'after') w(`try { sqeSignal(q${s.id}); } catch { /* its chain failed first */ }`, 4);
      if (s.cancel === 'after-submit') w(`r.sqeCancel(q${s.id});`, 4);
    }
    const expected = specs.filter((s) => !s.noResponse);
    w(`const cqes${i + 1} = await r.cqeCopyOut(${expected.length}, 5000);`, 4);
    const want = expected.map((s) => `[${s.id}, ${resultOf(ref, s)}]`).join(', ');
    w(`expect(cqes${i + 1}.map((c) => [c.userdata, c.result]).sort((a, b) => Number(a[0]) - Number(b[0]))).to.deep.equal([${want}]);`, 4);
    for (const s of expected) {
      const check = dataCheck(s, ref, deps, p);
      if (check !== null) w(check, 4);
    }
  });
  const calls = p.steps.flatMap((st) => (st.kind === 'chains' ? st.chains.flatMap((c) => chainSqes(c)) : []))
    .filter((s) => s.op.kind === 'callback' && ref.sqes.get(s.id)?.callbackResult !== undefined)
    .map((s) => `[${s.id}, ${ref.sqes.get(s.id)!.callbackResult!}]`);
  if (calls.length > 0) w(`expect(seen.sort((a, b) => a[0] - b[0])).to.deep.equal([${calls.join(', ')}]); // what each CALLBACK was passed`, 4);
  w('} finally {');
  w('await target.close();', 4);
  w('}');
  out.push('});');
  return out.join('\n');
}

function needsHandle(s: SqeSpec): boolean {
  return s.cancel !== undefined || (s.op.kind === 'await' && s.op.signal !== 'never');
}

function ranges(s: SqeSpec): BufRange[] {
  const op = s.op;
  switch (op.kind) {
    case 'rx':
      return [op.into];
    case 'tx':
      return [op.from];
    case 'txrx':
      return isRange(op.tx) ? [op.tx, op.rx] : [op.rx];
    case 'callback':
      return op.fill === undefined ? [] : [op.fill.to];
    default:
      return [];
  }
}

function view(x: BufRange): string {
  return `b${x.buf}.subarray(${x.off}, ${x.off + x.len})`;
}

function literal(l: Literal, opts: CodegenOptions): string {
  const b = literalBytes(l, opts.flashBase);
  return `Uint8Array.of(${bytes(b)})`;
}

function dev(name: string | null): string {
  return name === null ? 'null' : `target.iodev(${JSON.stringify(name)})`;
}

function prepCall(s: SqeSpec, name: string, opts: CodegenOptions): string {
  const op = s.op;
  const id = s.id;
  switch (op.kind) {
    case 'nop':
      return `sqePrepNop(${name}, ${dev(op.iodev)}, ${id});`;
    case 'delay':
      return `sqePrepDelay(${name}, ${op.ms}, ${id});`;
    case 'callback': {
      const fill = op.fill === undefined ? '' : ` b${op.fill.to.buf}.fill(${hex(op.fill.byte)}, ${op.fill.to.off}, ${op.fill.to.off + op.fill.to.len});`;
      return `sqePrepCallback(${name}, (_r, _s, result) => { seen.push([${id}, result]);${fill} }, null, ${id});`;
    }
    case 'await':
      return `sqePrepAwait(${name}, ${dev(op.iodev)}, RTIO_PRIO_NORM, ${id});${op.signal === 'never' ? ' // never signalled' : ''}`;
    case 'rx':
      return `sqePrepRead(${name}, ${dev(op.iodev)}, RTIO_PRIO_NORM, ${view(op.into)}, ${op.into.len}, ${id});`;
    case 'rx-pool':
      return `sqePrepReadWithPool(${name}, ${dev(op.iodev)}, RTIO_PRIO_NORM, ${id});`;
    case 'tx':
      return `sqePrepWrite(${name}, ${dev(op.iodev)}, RTIO_PRIO_NORM, ${view(op.from)}, ${op.from.len}, ${id});`;
    case 'tx-literal': {
      const n = literalBytes(op.data, opts.flashBase).length;
      return `sqePrepWrite(${name}, ${dev(op.iodev)}, RTIO_PRIO_NORM, ${literal(op.data, opts)}, ${n}, ${id});`;
    }
    case 'tiny-tx': {
      const n = literalBytes(op.data, opts.flashBase).length;
      return `sqePrepTinyWrite(${name}, ${dev(op.iodev)}, RTIO_PRIO_NORM, ${literal(op.data, opts)}, ${n}, ${id});`;
    }
    case 'txrx': {
      const tx = isRange(op.tx) ? view(op.tx) : literal(op.tx, opts);
      return `sqePrepTransceive(${name}, ${dev(op.iodev)}, RTIO_PRIO_NORM, ${tx}, ${view(op.rx)}, ${op.rx.len}, ${id});`;
    }
  }
}

function resultOf(ref: Trace, s: SqeSpec): string {
  const cqes = ref.sqes.get(s.id)?.cqes ?? [];
  const last = cqes[cqes.length - 1];
  if (last === undefined) return 'undefined';
  return last.result < 0 ? resultName(last.result).replace(/^-/, '-') : String(last.result);
}

function dataCheck(s: SqeSpec, ref: Trace, deps: DataDeps, p: Program): string | null {
  const op = s.op;
  const range = op.kind === 'rx' ? op.into : op.kind === 'txrx' ? op.rx : null;
  const cqes = ref.sqes.get(s.id)?.cqes ?? [];
  const data = cqes[cqes.length - 1]?.data;
  if (range === null || data === undefined || !succeeded(s, ref)) return null;
  const mask = deps.get(s.id) ?? [];
  const byId = new Map(p.steps.flatMap((st) => (st.kind === 'chains' ? st.chains.flatMap((c) => chainSqes(c)) : [st.sqe])).map((x) => [x.id, x]));
  const keep = data.map((_, i) => {
    const d = mask[i];
    return d !== undefined && d !== null && d.every((id) => byId.get(id) !== undefined && succeeded(byId.get(id)!, ref));
  });
  if (!keep.some((k) => k)) return null;
  if (keep.every((k) => k)) return `expect([...${view(range)}]).to.deep.equal([${bytes(data)}]);`;
  const idx = keep.flatMap((k, i) => (k ? [i] : []));
  return `expect([${idx.join(', ')}].map((i) => ${view(range)}[i])).to.deep.equal([${bytes(idx.map((i) => data[i]!))}]); // the other bytes depend on time or earlier runs`;
}
