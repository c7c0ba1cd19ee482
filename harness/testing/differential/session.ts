/**
 * @file A differential session: one open target, the reference (a fresh emulator per program),
 * and what it takes to run seed after seed on them: the generator's profile of the target, fresh
 * flash pages for every program, comparison and, on a mismatch, shrinking and printing.
 */
import {
  Rtio, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, sqePrepDelay, sqePrepTinyWrite, sqePrepTransceive,
} from '../../rtio';
import { EmulatorTarget } from '../../emulator/emulator-target';
import type { Target } from '../../target/target';
import { programToCode } from './codegen';
import { compareTraces } from './compare';
import type { Mismatch } from './compare';
import { generateProgram } from './generate';
import type { GeneratorProfile } from './generate';
import { dataDeps } from './model';
import type { Program } from './program';
import { DIFFERENTIAL_WAIT_MS, runProgram } from './run';
import type { Trace } from './run';
import { shrinkProgram } from './shrink';

/** Largest transfer the generator uses on a target that states no limit. */
export const DIFFERENTIAL_MAX_BUFFER_BYTES = 512;
/** First flash byte the differential test programs (the suites use the pages below it). */
export const DIFFERENTIAL_FLASH_START = 0x80000;
/** Flash bytes it may use from there. */
export const DIFFERENTIAL_FLASH_BYTES = 0x80000;
const FLASH_PAGE = 256;
const FLASH_SECTOR = 4096;

/** How one seed went. */
export interface SeedOutcome {
  readonly seed: number;
  readonly program: Program;
  readonly mismatches: readonly Mismatch[];
}

/** A mismatch, shrunk and printed. */
export interface ShrunkFailure {
  readonly seed: number;
  /** The smallest program found that still fails. */
  readonly program: Program;
  readonly mismatches: readonly Mismatch[];
  /** The program as a mocha test, with the reference's results as expectations. */
  readonly code: string;
  /** SQEs in the original program and in the shrunk one. */
  readonly sizes: readonly [number, number];
}

/** What a target offers the generator: the iodevs it shares with the reference, and its limits. */
export function profileOf(reference: Target, target: Target): GeneratorProfile {
  const iodevs = target.iodevs.flatMap((t) => {
    const r = reference.iodevs.find((x) => x.name === t.name && x.part === t.part);
    if (r === undefined || t.part === undefined) return [];
    return [{ name: t.name, part: t.part, capabilities: t.capabilities.filter((c) => r.capabilities.includes(c)) }];
  });
  const hello = (target as { hello?: { maxBufferBytes?: number } }).hello;
  const limit = hello?.maxBufferBytes ?? DIFFERENTIAL_MAX_BUFFER_BYTES;
  const capabilities = target.capabilities.filter((c) => reference.capabilities.includes(c));
  return { iodevs, maxBufferBytes: Math.min(limit, DIFFERENTIAL_MAX_BUFFER_BYTES), capabilities };
}

/** Runs differential programs on one open target. */
export class DifferentialSession {
  readonly profile: GeneratorProfile;
  private readonly parts: Map<string, string>;
  private nextPage = 0;
  private readonly usedSectors = new Set<number>();
  private readonly flashIodev: string | null;

  /** `target` stays open (and owned by the caller) for the session's life. */
  constructor(readonly target: Target, readonly boardId: string) {
    const reference = new EmulatorTarget('emulator');
    this.profile = profileOf(reference, target);
    this.parts = new Map(this.profile.iodevs.map((d) => [d.name, d.part]));
    this.flashIodev = this.profile.iodevs.find((d) => d.part === 'w25q80')?.name ?? null;
  }

  /** The program of `seed` for this target. */
  program(seed: number): Program {
    return generateProgram(seed, this.profile);
  }

  /** Runs `p` on a fresh reference and on the target; their differences (none: they agree). */
  async check(p: Program): Promise<{ mismatches: Mismatch[]; ref: Trace; flashBase: (slot: number) => number }> {
    const pages = await this.flashPages(p.flashSlots);
    const flashBase = (slot: number): number => pages[slot] ?? DIFFERENTIAL_FLASH_START;
    const reference = new EmulatorTarget('emulator');
    const opts = { flashBase, waitMs: DIFFERENTIAL_WAIT_MS };
    const ref = await runProgram(reference, p, opts);
    await reference.close();
    const got = await runProgram(this.target, p, opts);
    const deps = dataDeps(p, this.parts);
    const syncCancel = reference.has('sync-cancel') && this.target.has('sync-cancel');
    return { mismatches: compareTraces(p, deps, ref, got, { target: this.boardId, syncCancel }), ref, flashBase };
  }

  /** Generates and checks the program of `seed`. */
  async runSeed(seed: number): Promise<SeedOutcome> {
    const program = this.program(seed);
    const { mismatches } = await this.check(program);
    return { seed, program, mismatches };
  }

  /** Shrinks a failing program and prints it as a test. */
  async shrink(seed: number, p: Program): Promise<ShrunkFailure> {
    const small = await shrinkProgram(p, async (q) => (await this.check(q)).mismatches.length > 0);
    const { mismatches, ref, flashBase } = await this.check(small);
    const deps = dataDeps(small, this.parts);
    const code = programToCode(small, ref, deps, { board: this.boardId, flashBase, title: `agrees with the emulator (differential seed ${seed}, shrunk)` });
    const count = (q: Program): number => q.steps.reduce((n, s) => n + (s.kind === 'chains' ? s.chains.flat().flatMap((b) => b.units.flat()).length : 1), 0);
    return { seed, program: small, mismatches, code, sizes: [count(p), count(small)] };
  }

  /**
   * `n` flash pages no earlier program of this session used, erased: pages are handed out in
   * order from {@link DIFFERENTIAL_FLASH_START}; a sector used before is erased first.
   */
  private async flashPages(n: number): Promise<number[]> {
    const pages: number[] = [];
    const count = DIFFERENTIAL_FLASH_BYTES / FLASH_PAGE;
    for (let i = 0; i < n; i++) {
      const addr = DIFFERENTIAL_FLASH_START + (this.nextPage % count) * FLASH_PAGE;
      this.nextPage++;
      const sector = addr - (addr % FLASH_SECTOR);
      if (addr === sector) {
        if (this.usedSectors.has(sector)) await this.eraseSector(sector);
        this.usedSectors.add(sector);
      }
      pages.push(addr);
    }
    return pages;
  }

  private async eraseSector(addr: number): Promise<void> {
    if (this.flashIodev === null) return;
    const flash = this.target.iodev(this.flashIodev);
    const r = new Rtio({ sqSize: 4, cqSize: 4, clock: this.target.clock });
    const wren = r.sqeAcquire()!;
    sqePrepTinyWrite(wren, flash, RTIO_PRIO_NORM, Uint8Array.of(0x06), 1);
    wren.flags |= RTIO_SQE_CHAINED;
    sqePrepTinyWrite(r.sqeAcquire()!, flash, RTIO_PRIO_NORM, Uint8Array.of(0x20, (addr >>> 16) & 0xff, (addr >>> 8) & 0xff, addr & 0xff), 4);
    await r.submit(2, DIFFERENTIAL_WAIT_MS);
    for (let c = r.cqeConsume(); c !== null; c = r.cqeConsume()) {
      if (c.result < 0) throw new Error(`erasing flash sector 0x${addr.toString(16)} on ${this.boardId} failed: ${c.result}`);
      r.cqeRelease(c);
    }
    const rx = new Uint8Array(2);
    for (let polls = 0; ; polls++) {
      if (polls > 1000) throw new Error(`flash sector 0x${addr.toString(16)} on ${this.boardId} stayed busy`);
      const d = r.sqeAcquire()!;
      sqePrepDelay(d, 5);
      d.flags |= RTIO_SQE_CHAINED;
      sqePrepTransceive(r.sqeAcquire()!, flash, RTIO_PRIO_NORM, Uint8Array.of(0x05, 0), rx, 2);
      await r.submit(2, DIFFERENTIAL_WAIT_MS);
      r.flushCompletionQueue();
      if ((rx[1]! & 0x01) === 0) return;
    }
  }
}
