import { PROTOCOL_VERSION } from '../../protocol/messages';
import { createReferenceBoard } from '../emulator/board';
import type { ReferenceBoard } from '../emulator/board';
import type { Fault } from '../target/faults';
import { RealtimeDriver } from '../emulator/realtime';
import {
  EBUSY, ECANCELED, EINVAL, EMSGSIZE, ENODEV, ENOENT, Rtio, RTIO_CQE_FLAG_GET,
  RTIO_CQE_FLAG_MEMPOOL_BUFFER, RTIO_CQE_FLAG_MORE, RTIO_OP_CALLBACK, RTIO_OP_RX, RTIO_OP_TINY_TX,
  RTIO_OP_TX, RTIO_OP_TXRX, RTIO_OPS, RTIO_SQE_CHAINED, RTIO_SQE_MEMPOOL_BUFFER,
  RTIO_SQE_TRANSACTION, sqeSignal, sqeSignalable,
} from '../rtio';
import type { Iodev, Sqe } from '../rtio';
import { faultFromWire, iodevInfoToWire } from '../target/wire';
import type { WireFault } from '../target/wire';
import type {
  AgentBody, BodyInit, Cqe as WireCqe, Packet, Region as WireRegion, Sqe as WireSqe,
} from '../../protocol/messages';

/** Zephyr's LOG_LEVEL_WRN, the level of the agent's warnings. */
export const LOG_LEVEL_WRN = 2;
/** SQEs the TS agent holds at once (its HelloReply.max_sqes). */
export const TS_AGENT_MAX_SQES = 64;
/**
 * Largest RX length or TX data of one SQE, in bytes: the C agent's AGENT_MAX_BUFFER_BYTES, so that
 * the Submit or Complete carrying it fits the link's largest frame (1033 bytes).
 */
export const TS_AGENT_MAX_BUFFER_BYTES = 512;
/** Reliable packets the host may have unacknowledged. */
export const TS_AGENT_WINDOW = 8;
/** Bytes of CQE data batched into one Complete packet before it is sent. */
export const TS_AGENT_COMPLETE_BATCH_BYTES = 900;
/**
 * Most bytes one CQE adds to a Complete besides its data: its element's tag and length (3), id
 * (6), result (6), flags (6), the data's tag and length (3), and the device times (6 + 6).
 */
const CQE_MAX_OVERHEAD_BYTES = 36;
/** Mempool of the agent's context: blocks of this many bytes ... */
export const TS_AGENT_MEMPOOL_BLOCK = 16;
/** ... and this many blocks. */
export const TS_AGENT_MEMPOOL_BLOCKS = 256;

/** The link end the agent serves: a `Link` in the agent role, or a test's stand-in. */
export interface AgentEnd {
  /** Sends a sequenced body to the host. */
  send(body: AgentBody): void;
  /** Subscribes to the host's packets, in order, each once. */
  onPacket(cb: (packet: Packet) => void): void;
  /** Forgets the session, as a reset board's link would. */
  restart(): void;
}

interface Tracked {
  readonly sqe: Sqe;
  readonly op: number;
  readonly pool: boolean;
  readonly rx: Uint8Array | null;
}

/**
 * The agent side of the wire, in TypeScript: the emulated reference board served over a link,
 * with the host's own executor running the shipped chains. It follows the C agent's rules:
 * every SQE gets CQEs (the host drops those of NO_RESPONSE SQEs), invalid SQEs and capacity
 * overruns complete with negative errnos, and time runs with the wall clock.
 */
export class TsAgent {
  /** The emulated board (a new one after each reset). */
  board: ReferenceBoard;
  /** The agent's RTIO context. */
  r: Rtio;
  /** Random per boot: a new one after each reset. */
  bootNonce: number;
  private driver: RealtimeDriver;
  private readonly byId = new Map<number, Tracked>();
  private readonly iodevById = new Map<number, Iodev>();
  private pending: WireCqe[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  private readonly seed: number;

  constructor(private readonly link: AgentEnd, opts: { seed?: number } = {}) {
    this.seed = opts.seed ?? 1;
    link.onPacket((p) => this.onPacket(p));
    ({ board: this.board, r: this.r, driver: this.driver, bootNonce: this.bootNonce } = this.boot());
  }

  /** Reboots: a fresh board and context, a new boot nonce, nothing in flight, the link's session forgotten. */
  reset(): void {
    this.driver.stop();
    this.byId.clear();
    this.pending = [];
    this.pendingBytes = 0;
    ({ board: this.board, r: this.r, driver: this.driver, bootNonce: this.bootNonce } = this.boot());
    this.link.restart();
  }

  private boot(): { board: ReferenceBoard; r: Rtio; driver: RealtimeDriver; bootNonce: number } {
    const board = createReferenceBoard({ seed: this.seed });
    const r = new Rtio({
      sqSize: TS_AGENT_MAX_SQES, cqSize: 2 * TS_AGENT_MAX_SQES, clock: board.clock, stampTimes: true,
      mempool: { blockSize: TS_AGENT_MEMPOOL_BLOCK, blockCount: TS_AGENT_MEMPOOL_BLOCKS },
    });
    this.iodevById.clear();
    board.info.forEach((info, i) => this.iodevById.set(i + 1, board.iodevs.get(info.name)!));
    r.setCqeCallback(() => this.scheduleDrain());
    const driver = new RealtimeDriver(board.clock);
    driver.start();
    return { board, r, driver, bootNonce: (Math.random() * 0xffffffff) >>> 0 || 1 };
  }

  /** What the agent answers to a Hello. */
  hello(): BodyInit<'helloReply'> {
    return {
      protocolVersion: PROTOCOL_VERSION,
      buildId: 'ts-agent (emulated reference board)',
      bootNonce: this.bootNonce,
      maxFrameBytes: 0,
      window: TS_AGENT_WINDOW,
      maxSqes: TS_AGENT_MAX_SQES,
      maxBufferBytes: TS_AGENT_MAX_BUFFER_BYTES,
      iodevs: this.board.info.map((info, i) => iodevInfoToWire(info, i + 1)),
    };
  }

  /** Stops the board's clock driver. */
  stop(): void {
    this.driver.stop();
  }

  private onPacket(p: Packet): void {
    if (p.body === 'reset') {
      this.reset();
      return;
    }
    this.driver.catchUp();
    switch (p.body) {
      case 'submit':
        this.submit(p.submit.sqes, p.submit.regions);
        break;
      case 'cancel':
        this.cancel(p.cancel.id);
        break;
      case 'signal': {
        // A Signal may cross the CQE of an AWAIT whose chain failed first: ignored, as in the C agent.
        const t = this.live(p.signal.id);
        if (t !== undefined && sqeSignalable(t.sqe)) sqeSignal(t.sqe);
        else this.link.send({ log: { level: LOG_LEVEL_WRN, text: `Signal: no waiting or running AWAIT has id ${p.signal.id}` } });
        break;
      }
      case 'injectFault':
        this.injectFault(p.injectFault);
        break;
      case 'clearFaults':
        for (const dev of this.board.iodevs.values()) dev.faults.clear();
        this.link.send({ status: { result: 0 } });
        break;
      default:
        break;
    }
    this.driver.poke();
  }

  /**
   * Takes a Submit chain by chain, as the C agent does: a chain with a member it cannot take
   * completes at once (that member with its errno, the rest -ECANCELED) and the others run.
   * Members share the Submit's regions as the host's members shared its buffers.
   */
  private submit(sqes: readonly WireSqe[], wireRegions: readonly WireRegion[]): void {
    const regions = wireRegions.map((g) => (g.len > TS_AGENT_MAX_BUFFER_BYTES || (g.init.length !== 0 && g.init.length !== g.len) ?
      null : g.init.length === 0 ? new Uint8Array(g.len) : Uint8Array.from(g.init)));
    for (let i = 0; i < sqes.length;) {
      let j = i;
      while (j < sqes.length - 1 && sqes[j]!.flags & (RTIO_SQE_CHAINED | RTIO_SQE_TRANSACTION)) j++;
      this.submitChain(sqes.slice(i, j + 1), regions);
      i = j + 1;
    }
  }

  private submitChain(chain: readonly WireSqe[], regions: readonly (Uint8Array | null)[]): void {
    const reject = (at: number, errno: number, why: string): void => {
      chain.forEach((w, k) => this.queueCqe({ id: w.id, result: k === at ? errno : -ECANCELED, flags: 0, data: new Uint8Array(0) }));
      if (why !== '') this.link.send({ log: { level: LOG_LEVEL_WRN, text: `Submit: sqe ${chain[at]!.id} rejected: ${why}` } });
    };
    const last = chain[chain.length - 1]!;
    if (last.flags & (RTIO_SQE_CHAINED | RTIO_SQE_TRANSACTION)) {
      reject(chain.length - 1, -EINVAL, 'it links to a next SQE the Submit does not hold');
      return;
    }
    for (const [k, w] of chain.entries()) {
      const bad = this.check(w);
      if (bad < 0) {
        reject(k, bad, '');
        return;
      }
    }
    if (chain.length > this.r.sqeAcquirable()) {
      reject(0, -EBUSY, '');
      return;
    }
    const slice = (region: number, offset: number, len: number): Uint8Array | null => {
      const mem = regions[region - 1];
      return mem === undefined || mem === null || offset + len > mem.length ? null : mem.subarray(offset, offset + len);
    };
    const tracked: [number, Tracked][] = [];
    for (const [k, w] of chain.entries()) {
      const sqe = this.r.sqeAcquire()!;
      sqe.op = w.op;
      sqe.flags = w.flags;
      sqe.iodev = w.iodev === 0 ? null : this.iodevById.get(w.iodev)!;
      sqe.iodevFlags = w.iodevFlags;
      sqe.prio = w.prio;
      sqe.userdata = w.id;
      sqe.timeoutMs = w.timeoutUs / 1000;
      sqe.delayMs = w.delayUs / 1000;
      sqe.i2cConfig = w.i2cConfig;
      let rxBuf: Uint8Array | null = null;
      let txBuf: Uint8Array | null = null;
      if (w.op === RTIO_OP_TX || w.op === RTIO_OP_TINY_TX || w.op === RTIO_OP_TXRX) {
        txBuf = w.txRegion > 0 ? slice(w.txRegion, w.txOffset, w.len) : Uint8Array.from(w.tx);
      }
      if ((w.op === RTIO_OP_RX && !(w.flags & RTIO_SQE_MEMPOOL_BUFFER)) || w.op === RTIO_OP_TXRX) {
        rxBuf = w.rxRegion > 0 ? slice(w.rxRegion, w.rxOffset, w.len) : new Uint8Array(w.len);
      }
      if ((txBuf === null && w.txRegion > 0) || (rxBuf === null && w.rxRegion > 0)) {
        this.r.sqeDropAll();
        reject(k, -EINVAL, 'it names a region the Submit does not hold, or a range outside it');
        return;
      }
      if (w.op === RTIO_OP_TX || w.op === RTIO_OP_TINY_TX) {
        sqe.buf = txBuf;
        sqe.bufLen = txBuf!.length;
      } else if (w.op === RTIO_OP_RX) {
        sqe.buf = rxBuf;
        sqe.bufLen = w.len;
      } else if (w.op === RTIO_OP_TXRX) {
        sqe.txBuf = txBuf;
        sqe.rxBuf = rxBuf;
        sqe.bufLen = w.len;
      }
      tracked.push([w.id, { sqe, op: w.op, pool: (w.flags & RTIO_SQE_MEMPOOL_BUFFER) !== 0, rx: rxBuf }]);
    }
    try {
      void this.r.submit(0);
    } catch (e) {
      this.r.sqeDropAll();
      reject(0, -EINVAL, e instanceof Error ? e.message : String(e));
      return;
    }
    for (const [id, t] of tracked) this.byId.set(id, t);
  }

  /** 0 or the negative errno a wire SQE completes with before it runs. */
  private check(w: WireSqe): number {
    if (!RTIO_OPS.includes(w.op) || w.op === RTIO_OP_CALLBACK) return -EINVAL;
    if (w.iodev !== 0 && !this.iodevById.has(w.iodev)) return -ENODEV;
    if (w.tx.length > TS_AGENT_MAX_BUFFER_BYTES || w.len > TS_AGENT_MAX_BUFFER_BYTES) return -EMSGSIZE;
    if (this.byId.has(w.id)) return -EINVAL;
    return 0;
  }

  /**
   * The SQE with wire id `id` while it has not completed. Its entry outlives it until its CQE
   * is drained, and by then its slot may hold an SQE of a later chain: the userdata tells.
   */
  private live(id: number): Tracked | undefined {
    const t = this.byId.get(id);
    return t !== undefined && t.sqe.userdata === id ? t : undefined;
  }

  private cancel(id: number): void {
    const t = this.live(id);
    const result = t === undefined ? -ENOENT : this.r.sqeCancel(t.sqe);
    this.link.send({ cancelReply: { id, result } });
  }

  private injectFault(f: WireFault): void {
    const dev = this.iodevById.get(f.iodev) as { faults?: { inject(fault: Fault, count: number): void } } | undefined;
    const armed = faultFromWire(f);
    if (dev?.faults === undefined || armed === null) {
      this.link.send({ status: { result: dev === undefined ? -ENODEV : -EINVAL } });
      return;
    }
    dev.faults.inject(armed.fault, armed.count);
    this.link.send({ status: { result: 0 } });
  }

  private scheduleDrain(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    for (let c = this.r.cqeConsume(); c !== null; c = this.r.cqeConsume()) {
      const id = c.userdata as number;
      const t = this.byId.get(id);
      const more = (RTIO_CQE_FLAG_GET(c.flags) & RTIO_CQE_FLAG_MORE) !== 0;
      let data = new Uint8Array(0);
      if (t !== undefined && c.result > 0) {
        if (t.pool && RTIO_CQE_FLAG_GET(c.flags) & RTIO_CQE_FLAG_MEMPOOL_BUFFER) {
          data = Uint8Array.from(this.r.cqeGetMempoolBuffer(c).subarray(0, c.result));
        } else if (t.rx !== null && (t.op === RTIO_OP_RX || t.op === RTIO_OP_TXRX)) {
          data = Uint8Array.from(t.rx.subarray(0, c.result));
        }
      }
      if (RTIO_CQE_FLAG_GET(c.flags) & RTIO_CQE_FLAG_MEMPOOL_BUFFER) {
        const buf = this.r.cqeGetMempoolBuffer(c);
        if (buf.length > 0) this.r.releaseBuffer(buf);
      }
      if (!more) this.byId.delete(id);
      // Device times (docs/wire.md): the board's clock, µs modulo 2^32, for an SQE that ran.
      const ct = c.times;
      const times = ct === null || Number.isNaN(ct.startedAt) ? {} : { startUs: deviceUs(ct.startedAt), endUs: deviceUs(ct.postedAt) };
      this.queueCqe({ id, result: c.result, flags: more ? RTIO_CQE_FLAG_MORE : 0, data, ...times });
      this.r.cqeRelease(c);
    }
    this.flush();
  }

  private queueCqe(c: WireCqe): void {
    const bytes = c.data.length + CQE_MAX_OVERHEAD_BYTES;
    if (this.pendingBytes + bytes > TS_AGENT_COMPLETE_BATCH_BYTES) this.flush();
    this.pending.push(c);
    this.pendingBytes += bytes;
    this.scheduleDrain();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.link.send({ complete: { cqes: this.pending } });
    this.pending = [];
    this.pendingBytes = 0;
  }
}

/** `ms` on the board's clock as the wire's device time: whole µs modulo 2^32. */
function deviceUs(ms: number): number {
  return Math.round(ms * 1000) >>> 0;
}
