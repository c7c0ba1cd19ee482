/**
 * How each device of the reference board changes the model's state (./model-state) and what its
 * reads depend on: the executor's own ops, the test iodev, the 24C32 EEPROM, the W25Q flash, the
 * GPIO port, and register parts through their conformance probes.
 */
import { REFERENCE_PROBES } from '../conformance/probes';
import type { OpSpec, SqeSpec, Unit } from './program';
import { isRange } from './program';
import {
  EEPROM_PAGE, EEPROM_SIZE, FLASH_PAGE, GPIO_OUTPUTS, UNKNOWN, fixed, join, known, readPattern, record, store, txSyms,
  withDep,
} from './model-state';
import type { Dep, State, Sym } from './model-state';

export function runExecutorOp(st: State, s: SqeSpec): void {
  if (s.op.kind === 'callback' && s.op.fill !== undefined) {
    const f = s.op.fill;
    store(st, f.to, Array.from({ length: f.to.len }, () => known(f.byte, [s.id])));
  }
}

/** The test iodev: RX reads a pattern, TXRX echoes, mempool RX reads 16 pattern bytes. */
export function runTest(st: State, unit: Unit, ids: readonly number[], out: Map<number, Dep[]>): void {
  for (const s of unit) {
    const op = s.op;
    if (op.kind === 'rx') {
      const syms = readPattern(op.into.len, s.id).map((x) => ({ v: x.v, d: join(x.d, ids) }));
      record(out, s, syms);
      store(st, op.into, syms);
    } else if (op.kind === 'rx-pool') {
      record(out, s, readPattern(16, s.id));
    } else if (op.kind === 'txrx') {
      const syms = withDep(txSyms(st, op), ids);
      record(out, s, syms);
      store(st, op.rx, syms);
    }
  }
}

/**
 * The 24C32 on I2C: a unit is one transfer. Consecutive TX members form one write message; the
 * first two bytes written set the address, the rest are stored (wrapping within the 32-byte
 * page); an RX reads from the address on (wrapping at the end of memory).
 */
export function runEeprom(st: State, unit: Unit, ids: readonly number[], out: Map<number, Dep[]>): void {
  let i = 0;
  while (i < unit.length) {
    const s = unit[i]!;
    const op = s.op;
    if (op.kind === 'tx' || op.kind === 'tx-literal' || op.kind === 'tiny-tx') {
      const bytes: Sym[] = [];
      while (i < unit.length && isTx(unit[i]!.op)) bytes.push(...txSyms(st, unit[i++]!.op));
      eepromWrite(st, bytes, ids);
      continue;
    }
    if (op.kind === 'rx' || op.kind === 'rx-pool') {
      const len = op.kind === 'rx' ? op.into.len : 16;
      const syms: Sym[] = [];
      const a = st.eepromAddr;
      for (let k = 0; k < len; k++) {
        if (a.v === undefined) {
          syms.push(UNKNOWN);
          continue;
        }
        const at = (a.v + k) % EEPROM_SIZE;
        const cell = st.eeprom.get(at) ?? UNKNOWN;
        syms.push({ v: cell.v, d: join(join(cell.d, a.d), ids) });
      }
      if (a.v !== undefined) st.eepromAddr = { v: (a.v + len) % EEPROM_SIZE, d: join(a.d, ids) };
      record(out, s, syms);
      if (op.kind === 'rx') store(st, op.into, syms);
    } else if (op.kind !== 'nop' && op.kind !== 'await') {
      st.eepromAddr = UNKNOWN;
    }
    i++;
  }
}

export function isTx(op: OpSpec): boolean {
  return op.kind === 'tx' || op.kind === 'tx-literal' || op.kind === 'tiny-tx';
}

export function eepromWrite(st: State, bytes: readonly Sym[], ids: readonly number[]): void {
  const hi = bytes[0];
  const lo = bytes[1];
  if (hi === undefined || lo === undefined || hi.v === undefined || lo.v === undefined) {
    st.eepromAddr = UNKNOWN;
    if (bytes.length > 2) st.eeprom.clear();
    return;
  }
  const addr = ((hi.v << 8) | lo.v) % EEPROM_SIZE;
  const addrDep = join(join(hi.d, lo.d), ids);
  const page = addr - (addr % EEPROM_PAGE);
  let off = addr % EEPROM_PAGE;
  for (const b of bytes.slice(2)) {
    st.eeprom.set(page + off, { v: b.v, d: join(b.d, addrDep) });
    off = (off + 1) % EEPROM_PAGE;
  }
  st.eepromAddr = { v: page + off, d: addrDep };
}

/**
 * The W25Q flash on SPI: a unit is one chip-select assertion; the MOSI stream is the members'
 * TX bytes (an RX clocks zeros). Slots start erased (the runner gives each program fresh pages).
 */
export function runFlash(st: State, unit: Unit, ids: readonly number[], out: Map<number, Dep[]>): void {
  const first = unit[0]!.op;
  const lit = first.kind === 'tiny-tx' || first.kind === 'tx-literal' ? first.data :
    first.kind === 'txrx' && !isRange(first.tx) ? first.tx : null;
  const cmd = lit === null ? undefined : lit.flash?.cmd ?? lit.bytes[0];
  // Position of each member's first byte in the CS assertion.
  let pos = 0;
  const at: number[] = [];
  for (const s of unit) {
    at.push(pos);
    pos += opLength(s.op);
  }
  const base = lit?.flash === undefined ? undefined : lit.flash.slot * FLASH_PAGE + lit.flash.off;
  const readAt = (k: number): Sym => {
    if (cmd === 0x9f) return fixed(ids);
    if (cmd === 0x03 && base !== undefined) {
      if (k < 4) return fixed(ids);
      const addr = base + k - 4;
      const slotEnd = (Math.floor(base / FLASH_PAGE) + 1) * FLASH_PAGE;
      if (addr >= slotEnd) return UNKNOWN; // beyond the slot: another program's page
      const cell = st.flash.get(addr) ?? known(0xff);
      return { v: cell.v, d: join(cell.d, ids) };
    }
    if (cmd === 0x05) return k === 0 ? fixed(ids) : UNKNOWN;
    return cmd === undefined ? UNKNOWN : fixed(ids);
  };
  unit.forEach((s, m) => {
    const op = s.op;
    if (op.kind === 'rx' || op.kind === 'txrx') {
      const r = op.kind === 'rx' ? op.into : op.rx;
      const syms = Array.from({ length: r.len }, (_, k) => readAt(at[m]! + k));
      record(out, s, syms);
      store(st, r, syms);
    } else if (op.kind === 'rx-pool') {
      record(out, s, Array.from({ length: 16 }, (_, k) => readAt(at[m]! + k)));
    }
  });
  if (cmd === 0x06 && pos === 1) {
    st.flashWel = ids;
  } else if (cmd === 0x02 && base !== undefined) {
    const data: Sym[] = unit.flatMap((s) => txSyms(st, s.op)).slice(4);
    const page = base - (base % FLASH_PAGE);
    data.forEach((b, k) => {
      const a = page + ((base % FLASH_PAGE) + k) % FLASH_PAGE;
      const old = st.flash.get(a) ?? known(0xff);
      const v = old.v === undefined || b.v === undefined ? undefined : old.v & b.v;
      st.flash.set(a, { v, d: st.flashWel === null ? null : join(join(join(old.d, b.d), st.flashWel), ids) });
    });
    st.flashWel = null;
  } else if (cmd !== 0x03 && cmd !== 0x9f && cmd !== 0x05) {
    st.flashWel = null;
    if (cmd !== 0x04) st.lost.add('flash');
  }
}

export function opLength(op: OpSpec): number {
  switch (op.kind) {
    case 'rx':
      return op.into.len;
    case 'rx-pool':
      return 16;
    case 'tx':
      return op.from.len;
    case 'tx-literal':
    case 'tiny-tx':
      return op.data.bytes.length + (op.data.flash === undefined ? 0 : 4);
    case 'txrx':
      return op.rx.len;
    default:
      return 0;
  }
}

/** The GPIO port: TX `(line, level)` pairs set outputs 0–3; RX n reads lines 0..n-1 (4–7 mirror 0–3). */
export function runGpio(st: State, unit: Unit, ids: readonly number[], out: Map<number, Dep[]>): void {
  for (const s of unit) {
    const op = s.op;
    if (isTx(op)) {
      const bytes = txSyms(st, op);
      for (let k = 0; k + 1 < bytes.length; k += 2) {
        const line = bytes[k]!;
        const level = bytes[k + 1]!;
        if (line.v === undefined || line.v >= GPIO_OUTPUTS) {
          st.gpio.fill(UNKNOWN);
          continue;
        }
        st.gpio[line.v] = { v: level.v, d: join(join(line.d, level.d), ids) };
      }
    } else if (op.kind === 'rx') {
      const syms = Array.from({ length: op.into.len }, (_, k) => {
        const g = st.gpio[k % GPIO_OUTPUTS]!;
        return k < 8 ? { v: g.v, d: join(g.d, ids) } : UNKNOWN;
      });
      record(out, s, syms);
      store(st, op.into, syms);
    } else if (op.kind === 'rx-pool') {
      record(out, s, Array.from({ length: 16 }, () => UNKNOWN));
    }
  }
}

/**
 * A register part known by its conformance probe: an identity read is constant; the scratch
 * register holds what the program wrote last; every other read depends on time or history.
 */
export function runProbed(st: State, iodev: string, part: string, unit: Unit, ids: readonly number[], out: Map<number, Dep[]>): void {
  const probe = REFERENCE_PROBES[part];
  const tx = unit.filter((s) => isTx(s.op)).flatMap((s) => txSyms(st, s.op));
  const txKnown = tx.every((b) => b.v !== undefined) ? tx.map((b) => b.v!) : null;
  const reads = unit.filter((s) => s.op.kind === 'rx' || s.op.kind === 'rx-pool' || s.op.kind === 'txrx');
  const same = (a: readonly number[] | null, b: Uint8Array | undefined): boolean =>
    a !== null && b !== undefined && a.length === b.length && a.every((v, k) => v === b[k]);
  let value: ((k: number) => Sym) | null = null;
  if (probe?.identity !== undefined && same(txKnown, probe.identity.tx)) {
    const id = probe.identity;
    value = (k) => (id.expect[k] === undefined ? UNKNOWN : known(id.expect[k]!, ids));
  } else if (probe?.scratch !== undefined && same(txKnown, probe.scratch.readTx)) {
    const cell = st.scratch.get(iodev);
    const sc = probe.scratch;
    value = (k) => {
      if (cell === undefined || cell.v === undefined) return UNKNOWN;
      const e = sc.expect(cell.v)[k];
      return e === undefined || e === null ? UNKNOWN : { v: e, d: join(cell.d, ids) };
    };
  } else if (probe?.scratch !== undefined && txKnown !== null && reads.length === 0) {
    const v = probe.scratch.values.find((x) => same(txKnown, probe.scratch!.write(x)));
    if (v !== undefined) st.scratch.set(iodev, known(v, ids));
    else if (!same(txKnown, probe.select ?? new Uint8Array(0))) st.scratch.delete(iodev);
  } else if (tx.length > 0 && reads.length === 0) {
    st.scratch.delete(iodev);
  }
  for (const s of reads) {
    const len = s.op.kind === 'rx' ? s.op.into.len : s.op.kind === 'txrx' ? s.op.rx.len : 16;
    const syms = Array.from({ length: len }, (_, k) => (value === null ? UNKNOWN : value(k)));
    record(out, s, syms);
    if (s.op.kind === 'rx') store(st, s.op.into, syms);
    else if (s.op.kind === 'txrx') store(st, s.op.rx, syms);
  }
}
