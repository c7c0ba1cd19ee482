/**
 * @file Random programs for the differential test: several steps of several chains of several
 * SQEs over every iodev a target shares with the reference board. Each program is a function of
 * its seed and of the {@link GeneratorProfile} (what the target can do): a target is only given
 * what its iodev table says it has.
 *
 * Programs are built so that their outcome does not depend on timing:
 * - within a step, each stateful device (every iodev but the test iodev) belongs to one chain,
 *   and each buffer to one chain, so concurrent chains never race;
 * - an EEPROM write is followed by a DELAY that outlasts its write cycle, a flash page program
 *   by one that outlasts its busy time;
 * - timeouts either cannot fire (a generous limit) or must (on an operation that hangs, an AWAIT
 *   nobody signals, a DELAY longer than its timeout by a millisecond or more);
 * - cancels after submit only reach SQEs held back by an operation that hangs until cancelled;
 * - multishot reads end by pool exhaustion, a full CQ or a cancel, never by a race.
 */
import { REFERENCE_PROBES } from '../conformance/probes';
import type { Fault } from '../../target/faults';
import type { BufRange, Block, Chain, FaultSpec, OpSpec, Program, SqeSpec, Step } from './program';
import { Rand } from './random';
import { REAL_TIME_RACE_SCALE, eepromBlock, executorBlock, flashBlock, gpioBlock, probedBlock, test0Block } from './blocks';
import type { BlockMaker, ChainCtx } from './blocks';

/** What a target offers the generator. */
export interface GeneratorProfile {
  /** Iodevs the target shares with the reference board: name, part and capabilities. */
  readonly iodevs: readonly { readonly name: string; readonly part: string; readonly capabilities: readonly string[] }[];
  /** Largest RX length or TX data of one SQE on the target (HelloReply.max_buffer_bytes). */
  readonly maxBufferBytes: number;
  /** Target-level capabilities it shares with the reference, e.g. `'fault-injection'`. */
  readonly capabilities: readonly string[];
}

/** Parts whose faults the generator arms, by bus. */
const I2C_PARTS: readonly string[] = ['24c32', 'tmp102', 'icm42688', 'pcf8563'];
const SPI_PARTS: readonly string[] = ['w25q80'];

/** A timeout long enough never to fire in a differential program, ms. */
export const GENEROUS_TIMEOUT_MS = 5000;
type ChainMacro = 'test0' | 'executor' | 'eeprom' | 'flash' | 'gpio' | 'probed' | 'long';

class Generator implements BlockMaker {
  readonly r: Rand;
  private nextId = 1;
  private readonly buffers: { init: number[] }[] = [];
  private flashSlots = 0;
  private readonly byPart = new Map<string, string>();
  private readonly caps = new Map<string, readonly string[]>();
  /** Buffers of earlier steps, free for any chain of a later step. */
  private spare: number[] = [];
  eepromHot: number[] = [];

  constructor(private readonly seed: number, private readonly profile: GeneratorProfile) {
    this.r = new Rand(seed);
    for (const d of profile.iodevs) {
      if (!this.byPart.has(d.part)) this.byPart.set(d.part, d.name);
      this.caps.set(d.name, d.capabilities);
    }
  }

  program(): Program {
    const r = this.r;
    this.eepromHot = Array.from({ length: 3 }, () => r.int(0, 4095 - 40));
    const steps: Step[] = [];
    const n = r.int(1, 4);
    for (let i = 0; i < n; i++) {
      const test0 = this.test0();
      if (test0 !== null && this.has(test0, 'multishot') && this.has(test0, 'mempool') && r.chance(0.1)) {
        steps.push(this.multishotStep(test0));
      } else {
        steps.push(this.chainsStep());
      }
    }
    let most = 1;
    for (const s of steps) most = Math.max(most, s.kind === 'chains' ? s.chains.flat().flatMap((b) => b.units.flat()).length : 1);
    return {
      seed: this.seed,
      sqSize: most + r.int(0, 8),
      cqSize: r.chance(0.2) ? r.int(1, 4) : most + r.int(0, 8),
      mempool: { blockSize: 16, blockCount: r.int(24, 64) },
      buffers: this.buffers,
      steps,
      flashSlots: this.flashSlots,
    };
  }

  // ------------------------------------------------------------------ helpers

  get raceScale(): number {
    return this.profile.capabilities.includes('virtual-time') ? 1 : REAL_TIME_RACE_SCALE;
  }

  get maxBufferBytes(): number {
    return this.profile.maxBufferBytes;
  }

  flashSlot(): number {
    return this.flashSlots > 0 && this.r.chance(0.6) ? this.r.int(0, this.flashSlots - 1) : this.flashSlots++;
  }

  has(iodev: string, cap: string): boolean {
    return this.caps.get(iodev)?.includes(cap) ?? false;
  }

  private test0(): string | null {
    return this.byPart.get('rtio-iodev-test') ?? null;
  }

  sqe(op: OpSpec, extra: Partial<Omit<SqeSpec, 'id' | 'op'>> = {}): SqeSpec {
    return { id: this.nextId++, op, ...extra };
  }

  private newBuf(ctx: ChainCtx, len: number): number {
    const i = this.buffers.length;
    this.buffers.push({ init: this.r.bytes(len) });
    ctx.bufs.push(i);
    return i;
  }

  /**
   * A range of `len` bytes for an RX to land in, or a TX to send from: a new buffer, a spare one
   * of an earlier step, or a free part of one of this chain's. It never overlaps what this chain
   * already received into in this step, so each read's bytes stay as it left them until its CQE
   * is consumed.
   */
  private place(ctx: ChainCtx, len: number): BufRange {
    const r = this.r;
    const free = (buf: number): BufRange | null => {
      const size = this.buffers[buf]!.init.length;
      if (size < len) return null;
      for (let tries = 0; tries < 4; tries++) {
        const off = r.int(0, size - len);
        if (!ctx.written.some((w) => w.buf === buf && w.off < off + len && off < w.off + w.len)) return { buf, off, len };
      }
      return null;
    };
    if (ctx.bufs.length > 0 && r.chance(0.35)) {
      const hit = free(r.pick(ctx.bufs));
      if (hit !== null) return hit;
    }
    if (this.spare.length > 0 && r.chance(0.3)) {
      const buf = r.pick(this.spare);
      const hit = free(buf);
      if (hit !== null) {
        this.spare = this.spare.filter((b) => b !== buf);
        ctx.bufs.push(buf);
        return hit;
      }
    }
    const size = len + (r.chance(0.4) ? r.int(1, 8) : 0);
    const buf = this.newBuf(ctx, size);
    return { buf, off: r.int(0, size - len), len };
  }

  /** A range an RX (or a TXRX's receive side) of `len` bytes reads into; later TXs may send it. */
  receive(ctx: ChainCtx, len: number): BufRange {
    const range = this.place(ctx, len);
    ctx.written.push(range);
    ctx.received.push(range);
    return range;
  }

  /** What a TX of `min`..`max` bytes sends: often (a slice of) what an earlier member received. */
  txFrom(ctx: ChainCtx, min: number, max: number): BufRange {
    const r = this.r;
    const fits = ctx.received.filter((x) => x.len >= min);
    if (fits.length > 0 && r.chance(0.6)) {
      const src = r.pick(fits);
      const len = r.int(min, Math.min(max, src.len));
      const off = src.off + (r.chance(0.5) ? 0 : r.int(0, src.len - len));
      return { buf: src.buf, off, len };
    }
    return this.place(ctx, r.int(min, max));
  }

  smallLen(max = 16): number {
    const r = this.r;
    const cap = Math.min(max, this.profile.maxBufferBytes);
    return r.chance(0.08) ? r.int(Math.min(cap, 17), cap) : r.int(1, Math.min(cap, 16));
  }

  // ------------------------------------------------------------------ steps

  private multishotStep(test0: string): Step {
    const r = this.r;
    const end = r.weighted({ pool: 2, cq: 2, cancel: 1 } as const);
    const delayMs = r.int(5, 50) / 100;
    const sqe = this.sqe({ kind: 'rx-pool', iodev: test0 }, { script: end === 'cancel' ? { hang: true } : { delayMs } });
    return { kind: 'multishot', sqe, end, shots: end === 'cancel' ? 0 : r.int(2, 6) };
  }

  private chainsStep(): Step {
    const r = this.r;
    const n = r.int(1, 4);
    const stateful = this.profile.iodevs.filter((d) => d.part !== 'rtio-iodev-test').map((d) => d.name);
    const owners = new Map<number, string[]>();
    for (const name of r.shuffle(stateful)) {
      const c = r.int(0, n);
      if (c < n) owners.set(c, [...(owners.get(c) ?? []), name]);
    }
    const chains: Chain[] = [];
    const used: number[] = [];
    for (let c = 0; c < n; c++) {
      const ctx: ChainCtx = { own: owners.get(c) ?? [], received: [], bufs: [], written: [], gated: false };
      chains.push(this.chain(ctx));
      used.push(...ctx.bufs);
    }
    this.spare = [...new Set([...this.spare, ...used])];
    const faults = this.faults([...owners.values()].flat());
    return faults.length === 0 ? { kind: 'chains', chains } : { kind: 'chains', chains, faults };
  }

  /** Sometimes a fault on one of the step's stateful iodevs (each is used by one chain only). */
  private faults(owned: readonly string[]): FaultSpec[] {
    const r = this.r;
    if (!this.profile.capabilities.includes('fault-injection') || !r.chance(0.25)) return [];
    const candidates = owned.filter((n) => {
      const part = this.profile.iodevs.find((d) => d.name === n)?.part ?? '';
      return I2C_PARTS.includes(part) || SPI_PARTS.includes(part);
    });
    if (candidates.length === 0) return [];
    const iodev = r.pick(candidates);
    const i2c = I2C_PARTS.includes(this.profile.iodevs.find((d) => d.name === iodev)!.part);
    const kind = r.weighted({ nack: i2c ? 3 : 0, 'short-read': 3, 'bus-timeout': 1, delay: 1 } as const);
    const fault: Fault = kind === 'nack' ? { kind, atByte: r.int(0, 3) } :
      kind === 'short-read' ? { kind, bytes: r.int(0, 2) } : kind === 'delay' ? { kind, ms: r.int(1, 3) } : { kind };
    return [{ iodev, fault, count: r.int(1, 2) }];
  }

  private chain(ctx: ChainCtx): Chain {
    const r = this.r;
    const blocks: Block[] = [];
    const n = r.int(1, 5);
    for (let i = 0; i < n; i++) {
      const block = this.block(ctx);
      if (block !== null) blocks.push(this.decorate(ctx, block));
    }
    if (blocks.length === 0) blocks.push({ units: [[this.sqe({ kind: 'nop', iodev: null })]], note: 'NOP' });
    return blocks;
  }

  private block(ctx: ChainCtx): Block | null {
    const r = this.r;
    const parts = ctx.own.map((name) => this.profile.iodevs.find((d) => d.name === name)!.part);
    const w: Partial<Record<ChainMacro, number>> = { executor: 2, long: 0.08 };
    if (this.test0() !== null) w.test0 = 5;
    if (parts.includes('24c32')) w.eeprom = 4;
    if (parts.includes('w25q80')) w.flash = 3;
    if (parts.includes('gpio-8')) w.gpio = 3;
    if (parts.some((p) => REFERENCE_PROBES[p] !== undefined && !['24c32', 'w25q80', 'gpio-8', 'rtio-iodev-test'].includes(p))) w.probed = 2;
    switch (r.weighted(w)) {
      case 'test0':
        return test0Block(this, ctx, this.test0()!);
      case 'executor':
        return executorBlock(this, ctx);
      case 'eeprom':
        return eepromBlock(this, ctx, ctx.own[parts.indexOf('24c32')]!);
      case 'flash':
        return flashBlock(this, ctx, ctx.own[parts.indexOf('w25q80')]!);
      case 'gpio':
        return gpioBlock(this, ctx, ctx.own[parts.indexOf('gpio-8')]!);
      case 'probed': {
        const i = parts.findIndex((p) => REFERENCE_PROBES[p] !== undefined && !['24c32', 'w25q80', 'gpio-8', 'rtio-iodev-test'].includes(p));
        return probedBlock(this, ctx, ctx.own[i]!, parts[i]!);
      }
      case 'long': {
        const n = r.int(20, 70);
        return { units: Array.from({ length: n }, () => [this.sqe({ kind: 'nop', iodev: null })]), note: `${n} NOPs` };
      }
    }
  }

  /** Adds flags that do not change a block's meaning: NO_RESPONSE, generous timeouts, cancels. */
  private decorate(ctx: ChainCtx, block: Block): Block {
    const r = this.r;
    const units = block.units.map((u) => {
      if (u.length !== 1) return u;
      let s = u[0]!;
      if (s.script?.hang === true || s.timeoutMs !== undefined || s.cancel !== undefined || s.settle === true) return u;
      if (r.chance(0.05)) s = { ...s, noResponse: true };
      if (r.chance(0.07)) s = { ...s, timeoutMs: GENEROUS_TIMEOUT_MS };
      if (r.chance(0.03)) s = { ...s, cancel: 'before-submit' };
      else if (ctx.gated && r.chance(0.15)) s = { ...s, cancel: 'after-submit' };
      return [s];
    });
    return { units, note: block.note };
  }
}

/** The program of `seed` for a target offering `profile`. */
export function generateProgram(seed: number, profile: GeneratorProfile): Program {
  return new Generator(seed, profile).program();
}
