/**
 * @file Which bytes of a program's reads are the same on every target, and why. The program is
 * interpreted symbolically: every byte carries the ids of the SQEs whose success fixes its value
 * (or null when it depends on time, or on what earlier programs left in a device). After a run,
 * a byte of a read is compared only when every SQE it depends on succeeded on the reference.
 *
 * The devices are modelled only as far as the generator uses them, by part name: the 24C32
 * EEPROM, the W25Q NOR flash, the 8-line GPIO port and the test iodev in full; register parts
 * through their conformance probes (identity reads are constant, scratch registers hold what the
 * program wrote). Anything else a unit does to a device makes that device's state unknown.
 */

import type { OpSpec, Program, Unit } from './program';
import { State, readPattern } from './model-state';
import type { DataDeps, Dep } from './model-state';
import { runEeprom, runExecutorOp, runFlash, runGpio, runProbed, runTest } from './model-devices';

export type { DataDeps, Dep } from './model-state';

/**
 * The data dependencies of every SQE of `p` that returns data. `parts` maps iodev names to
 * their part (the iodev table's `part`).
 */
export function dataDeps(p: Program, parts: ReadonlyMap<string, string>): DataDeps {
  const st = new State(p);
  const out = new Map<number, Dep[]>();
  for (const step of p.steps) {
    if (step.kind === 'multishot') {
      out.set(step.sqe.id, readPattern(16, step.sqe.id).map((s) => s.d));
      continue;
    }
    for (const chain of step.chains) {
      for (const block of chain) {
        for (const unit of block.units) runUnit(st, unit, parts, out);
      }
    }
    // A fault leaves the device as it left it (a write cut short): unknown from now on.
    for (const f of step.faults ?? []) st.forget(f.iodev, parts.get(f.iodev) ?? '');
  }
  return out;
}

/** Runs one unit: its effects on buffers and devices, and the deps of what it reads. */
function runUnit(st: State, unit: Unit, parts: ReadonlyMap<string, string>, out: Map<number, Dep[]>): void {
  const head = unit[0]!;
  const ids = unit.map((s) => s.id);
  const iodev = iodevOf(head.op);
  if (iodev === null) {
    for (const s of unit) runExecutorOp(st, s);
    return;
  }
  const part = parts.get(iodev) ?? '';
  switch (part) {
    case 'rtio-iodev-test':
      runTest(st, unit, ids, out);
      return;
    case '24c32':
      runEeprom(st, unit, ids, out);
      return;
    case 'w25q80':
      runFlash(st, unit, ids, out);
      return;
    case 'gpio-8':
      runGpio(st, unit, ids, out);
      return;
    default:
      runProbed(st, iodev, part, unit, ids, out);
  }
}

function iodevOf(op: OpSpec): string | null {
  switch (op.kind) {
    case 'delay':
    case 'callback':
      return null;
    case 'nop':
    case 'await':
      return op.iodev;
    default:
      return op.iodev;
  }
}
