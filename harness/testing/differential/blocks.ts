/**
 * The blocks a differential program's chains are made of, one maker per kind of iodev (the test
 * iodev, the executor's own ops, the EEPROM, the flash, GPIO, and parts the conformance kit has a
 * probe for). Each draws from the generator's random stream in a fixed order, so a seed always
 * gives the same program.
 */
import { REFERENCE_PROBES } from '../conformance/probes';
import type { Block, BufRange, Literal, OpSpec, Script, SqeSpec, Unit } from './program';
import type { Rand } from './random';

/** What a block maker needs of the generator. */
export interface BlockMaker {
  /** The program's random stream. */
  readonly r: Rand;
  /** Addresses near which EEPROM blocks read and write, so that reads see earlier writes. */
  readonly eepromHot: readonly number[];
  /** Largest transfer the target takes, in bytes. */
  readonly maxBufferBytes: number;
  /**
   * How much the program stretches the times a race between two of its timers is decided by:
   * 1 on a target that keeps virtual time, {@link REAL_TIME_RACE_SCALE} on one that keeps real
   * time, where the agent may be preempted for a millisecond or more between the two.
   */
  readonly raceScale: number;
  /** True when iodev `iodev` has capability `cap`. */
  has(iodev: string, cap: string): boolean;
  /** A new SQE of the program (the next id). */
  sqe(op: OpSpec, extra?: Partial<Omit<SqeSpec, 'id' | 'op'>>): SqeSpec;
  /** A range the chain reads `len` bytes into. */
  receive(ctx: ChainCtx, len: number): BufRange;
  /** A range the chain transmits `min`..`max` bytes from (possibly what it received). */
  txFrom(ctx: ChainCtx, min: number, max: number): BufRange;
  /** A short length, most often small, at most `max`. */
  smallLen(max?: number): number;
  /** A flash page slot: an earlier one again, or a new one. */
  flashSlot(): number;
}

/**
 * How much a real-time target stretches a DELAY racing a timeout: the 1-4 ms by which the winner
 * is ahead becomes 10-40 ms, more than a busy 2-core machine preempts an agent for.
 */
export const REAL_TIME_RACE_SCALE = 10;

/** What one chain of a step owns and has done so far. */
export interface ChainCtx {
  /** Stateful iodevs this chain owns in its step. */
  readonly own: readonly string[];
  /** Ranges an earlier member of this chain reads into (sources for TX of received data). */
  readonly received: BufRange[];
  /** Buffers this chain owns in its step. */
  readonly bufs: number[];
  /** Ranges this chain writes in its step (reads, CALLBACK fills): never written twice. */
  readonly written: BufRange[];
  /** An earlier member hangs until cancelled: later members may be cancelled after submit. */
  gated: boolean;
}

/** Errnos a test0 SQE may be scripted to fail with. */
const SCRIPTED_ERRNOS: readonly number[] = [-5, -22, -16, -19, -71, -134];
/** DELAY after an EEPROM write: more than the 5 ms write cycle, ms. */
export const EEPROM_SETTLE_MS = 6;
/** DELAY after a flash page program: more than its 0.7 ms busy time, ms. */
export const FLASH_SETTLE_MS = 2;

function hex3(n: number): string {
  return n.toString(16).padStart(3, '0');
}

export function test0Block(g: BlockMaker, ctx: ChainCtx, dev: string): Block {
  const r = g.r;
  const kind = r.weighted({
    rx: 4, tx: 3, tiny: 1, txrx: g.has(dev, 'txrx') ? 3 : 0, pool: g.has(dev, 'mempool') ? 2 : 0,
    nop: 1, txn: g.has(dev, 'transaction') ? 3 : 0, hangTimeout: g.has(dev, 'timeout') ? 1 : 0,
    hangCancel: g.has(dev, 'cancel') ? 1 : 0, await: g.has(dev, 'await') ? 1 : 0,
  } as const);
  switch (kind) {
    case 'txn': {
      const n = r.int(2, 3);
      const members = Array.from({ length: n }, () => test0Member(g, ctx, dev, true));
      return { units: [members], note: `${dev} transaction of ${n}` };
    }
    case 'hangTimeout':
      return { units: [[g.sqe({ kind: 'nop', iodev: dev }, { script: { hang: true }, timeoutMs: r.int(1, 10) })]], note: `${dev} hang, timed out` };
    case 'hangCancel':
      ctx.gated = true;
      return { units: [[g.sqe({ kind: 'nop', iodev: dev }, { script: { hang: true }, cancel: 'after-submit' })]], note: `${dev} hang, cancelled` };
    case 'await':
      return { units: [[g.sqe({ kind: 'await', iodev: dev, signal: r.chance(0.5) ? 'before' : 'after' })]], note: `${dev} AWAIT` };
    case 'pool':
      return { units: [[g.sqe({ kind: 'rx-pool', iodev: dev }, { script: testScript(g) })]], note: `${dev} mempool read` };
    default:
      return { units: [[test0Member(g, ctx, dev, false, kind)]], note: `${dev} ${kind}` };
  }
}

export function testScript(g: BlockMaker): Script {
  const r = g.r;
  const delayMs = r.chance(0.5) ? 0 : r.int(1, 30) / 100;
  return r.chance(0.1) ? { delayMs, result: r.pick(SCRIPTED_ERRNOS) } : { delayMs };
}

export function test0Member(g: BlockMaker, ctx: ChainCtx, dev: string, inTxn: boolean, kind?: 'rx' | 'tx' | 'tiny' | 'txrx' | 'nop'): SqeSpec {
  const r = g.r;
  const k = kind ?? r.weighted({ rx: 3, tx: 3, tiny: 1, txrx: g.has(dev, 'txrx') ? 2 : 0, nop: 1 } as const);
  const big = !inTxn && r.chance(0.1);
  const len = big ? r.int(17, g.maxBufferBytes) : g.smallLen(16);
  const script = testScript(g);
  switch (k) {
    case 'rx':
      return g.sqe({ kind: 'rx', iodev: dev, into: g.receive(ctx, len) }, { script });
    case 'tx':
      return g.sqe({ kind: 'tx', iodev: dev, from: g.txFrom(ctx, 1, len) }, { script });
    case 'tiny':
      return g.sqe({ kind: 'tiny-tx', iodev: dev, data: { bytes: r.bytes(r.int(1, 7)) } }, { script });
    case 'txrx': {
      const tx: BufRange | Literal = r.chance(0.7) ? g.txFrom(ctx, 1, len) : { bytes: r.bytes(len) };
      const n = 'buf' in tx ? tx.len : tx.bytes.length;
      const rx = g.receive(ctx, n);
      return g.sqe({ kind: 'txrx', iodev: dev, tx, rx }, { script });
    }
    case 'nop':
      return g.sqe({ kind: 'nop', iodev: dev }, { script });
  }
}

export function executorBlock(g: BlockMaker, ctx: ChainCtx): Block {
  const r = g.r;
  const kind = r.weighted({ nop: 3, delay: 2, callback: 3, await: 2, delayTimeout: 1, awaitTimeout: 1 } as const);
  switch (kind) {
    case 'nop':
      return { units: [[g.sqe({ kind: 'nop', iodev: null })]], note: 'NOP' };
    case 'delay':
      return { units: [[g.sqe({ kind: 'delay', ms: r.int(0, 3) })]], note: 'DELAY' };
    case 'callback': {
      if (ctx.bufs.length > 0 && r.chance(0.5)) {
        const to = g.receive(ctx, r.int(1, 8));
        return { units: [[g.sqe({ kind: 'callback', fill: { to, byte: r.int(0, 255) } })]], note: 'CALLBACK filling a buffer' };
      }
      return { units: [[g.sqe({ kind: 'callback' })]], note: 'CALLBACK' };
    }
    case 'await':
      return { units: [[g.sqe({ kind: 'await', iodev: null, signal: r.chance(0.5) ? 'before' : 'after' })]], note: 'AWAIT' };
    case 'delayTimeout': {
      // The same draws on every target; only a real-time one stretches the race.
      const t = r.int(1, 6);
      const d = r.chance(0.5) ? t + r.int(1, 4) : Math.max(0, t - r.int(1, t));
      const [ms, timeoutMs] = [d * g.raceScale, t * g.raceScale];
      return { units: [[g.sqe({ kind: 'delay', ms }, { timeoutMs })]], note: `DELAY ${ms} ms, timeout ${timeoutMs} ms` };
    }
    case 'awaitTimeout':
      return { units: [[g.sqe({ kind: 'await', iodev: null, signal: 'never' }, { timeoutMs: r.int(1, 6) })]], note: 'AWAIT nobody signals, timed out' };
  }
}

export function eepromBlock(g: BlockMaker, ctx: ChainCtx, dev: string): Block {
  const r = g.r;
  const addr = r.chance(0.8) ? r.pick(g.eepromHot) + r.int(0, 8) : r.int(0, 4095);
  const at = [(addr >> 8) & 0x0f, addr & 0xff];
  const kind = r.weighted({ write: 3, read: 3, pool: g.has(dev, 'mempool') ? 1 : 0 } as const);
  const settle: Unit = [g.sqe({ kind: 'delay', ms: EEPROM_SETTLE_MS }, { settle: true })];
  switch (kind) {
    case 'write': {
      const len = g.smallLen(16);
      if (r.chance(0.5)) {
        const data = g.txFrom(ctx, 1, len);
        const unit: Unit = [g.sqe({ kind: 'tiny-tx', iodev: dev, data: { bytes: at } }), g.sqe({ kind: 'tx', iodev: dev, from: data })];
        return { units: [unit, settle], note: `${dev} write ${data.len} B at 0x${hex3(addr)} from a buffer` };
      }
      return { units: [[g.sqe({ kind: 'tx-literal', iodev: dev, data: { bytes: [...at, ...r.bytes(len)] } })], settle], note: `${dev} write ${len} B at 0x${hex3(addr)}` };
    }
    case 'read': {
      const into = g.receive(ctx, g.smallLen(32));
      return { units: [[g.sqe({ kind: 'tiny-tx', iodev: dev, data: { bytes: at } }), g.sqe({ kind: 'rx', iodev: dev, into })]], note: `${dev} read ${into.len} B at 0x${hex3(addr)}` };
    }
    case 'pool':
      return { units: [[g.sqe({ kind: 'tiny-tx', iodev: dev, data: { bytes: at } })], [g.sqe({ kind: 'rx-pool', iodev: dev })]], note: `${dev} mempool read at 0x${hex3(addr)}` };
  }
}

export function flashBlock(g: BlockMaker, ctx: ChainCtx, dev: string): Block {
  const r = g.r;
  const slot = g.flashSlot();
  const off = r.chance(0.5) ? 0 : r.int(0, 255);
  const txrx = g.has(dev, 'txrx');
  const kind = r.weighted({ jedec: 1, program: 3, read: 3, status: 1 } as const);
  switch (kind) {
    case 'jedec':
      if (txrx && r.chance(0.5)) {
        const rx = g.receive(ctx, 4);
        return { units: [[g.sqe({ kind: 'txrx', iodev: dev, tx: { bytes: [0x9f, 0, 0, 0] }, rx })]], note: `${dev} JEDEC ID (TXRX)` };
      }
      return { units: [[g.sqe({ kind: 'tiny-tx', iodev: dev, data: { bytes: [0x9f] } }), g.sqe({ kind: 'rx', iodev: dev, into: g.receive(ctx, 3) })]], note: `${dev} JEDEC ID` };
    case 'program': {
      const data = g.txFrom(ctx, 1, g.smallLen(32));
      const units: Unit[] = [
        [g.sqe({ kind: 'tiny-tx', iodev: dev, data: { bytes: [0x06] } })],
        [g.sqe({ kind: 'tiny-tx', iodev: dev, data: { bytes: [], flash: { cmd: 0x02, slot, off } } }), g.sqe({ kind: 'tx', iodev: dev, from: data })],
        [g.sqe({ kind: 'delay', ms: FLASH_SETTLE_MS }, { settle: true })],
      ];
      return { units, note: `${dev} program ${data.len} B at slot ${slot} + ${off}` };
    }
    case 'read': {
      const len = g.smallLen(32);
      if (txrx && r.chance(0.4)) {
        const rx = g.receive(ctx, len + 4);
        return { units: [[g.sqe({ kind: 'txrx', iodev: dev, tx: { bytes: new Array<number>(len).fill(0), flash: { cmd: 0x03, slot, off } }, rx })]], note: `${dev} read ${len} B at slot ${slot} + ${off} (TXRX)` };
      }
      const into = g.receive(ctx, len);
      return { units: [[g.sqe({ kind: 'tiny-tx', iodev: dev, data: { bytes: [], flash: { cmd: 0x03, slot, off } } }), g.sqe({ kind: 'rx', iodev: dev, into })]], note: `${dev} read ${len} B at slot ${slot} + ${off}` };
    }
    case 'status': {
      const into = g.receive(ctx, 1);
      return { units: [[g.sqe({ kind: 'tiny-tx', iodev: dev, data: { bytes: [0x05] } }), g.sqe({ kind: 'rx', iodev: dev, into })]], note: `${dev} status` };
    }
  }
}

export function gpioBlock(g: BlockMaker, ctx: ChainCtx, dev: string): Block {
  const r = g.r;
  if (r.chance(0.5)) {
    const pairs = Array.from({ length: r.int(1, 3) }, () => [r.int(0, 3), r.int(0, 1)]).flat();
    return { units: [[g.sqe({ kind: 'tiny-tx', iodev: dev, data: { bytes: pairs } })]], note: `${dev} set ${pairs.join(',')}` };
  }
  const into = g.receive(ctx, r.int(1, 8));
  return { units: [[g.sqe({ kind: 'rx', iodev: dev, into })]], note: `${dev} read ${into.len} lines` };
}

export function probedBlock(g: BlockMaker, ctx: ChainCtx, dev: string, part: string): Block {
  const r = g.r;
  const probe = REFERENCE_PROBES[part]!;
  const kind = r.weighted({ identity: probe.identity === undefined ? 0 : 2, write: probe.scratch === undefined ? 0 : 2, read: probe.scratch === undefined ? 0 : 2, select: probe.select === undefined ? 0 : 1 } as const);
  const readUnit = (tx: Uint8Array, len: number): Unit => [
    g.sqe({ kind: 'tiny-tx', iodev: dev, data: { bytes: [...tx] } }),
    g.sqe({ kind: 'rx', iodev: dev, into: g.receive(ctx, len) }),
  ];
  switch (kind) {
    case 'identity':
      return { units: [readUnit(probe.identity!.tx, probe.identity!.expect.length)], note: `${dev} identity read` };
    case 'write': {
      const v = r.pick(probe.scratch!.values);
      const bytes = [...probe.scratch!.write(v)];
      const op: OpSpec = bytes.length <= 7 ? { kind: 'tiny-tx', iodev: dev, data: { bytes } } : { kind: 'tx-literal', iodev: dev, data: { bytes } };
      const settle = probe.scratch!.settleMs ?? 0;
      const units: Unit[] = [[g.sqe(op)]];
      if (settle > 0) units.push([g.sqe({ kind: 'delay', ms: settle }, { settle: true })]);
      return { units, note: `${dev} scratch write 0x${v.toString(16)}` };
    }
    case 'read':
      return { units: [readUnit(probe.scratch!.readTx, probe.scratch!.readLen)], note: `${dev} scratch read` };
    case 'select':
      return { units: [readUnit(probe.select!, probe.readLen ?? 2)], note: `${dev} register read` };
  }
}
