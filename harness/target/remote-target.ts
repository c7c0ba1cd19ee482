import type { Clock } from '../clock';
import { systemClock } from '../clock';
import type { Fault } from '../emulator/faults';
import { validateFault } from '../emulator/faults';
import {
  RTIO_CQE_FLAG_MORE, RTIO_OP_AWAIT, RTIO_OP_DELAY, RTIO_OP_NOP, RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_OP_TX,
  RTIO_OP_TXRX, RTIO_SQE_CHAINED, RTIO_SQE_MEMPOOL_BUFFER, RTIO_SQE_NO_RESPONSE, RTIO_SQE_TRANSACTION,
} from '../rtio/constants';
import { ECANCELED, ECONNRESET, EMSGSIZE, ENOMEM, ENOTCONN } from '../rtio/errno';
import { iodevSqeErr, iodevSqeOk, sqeRxBuf, txnNext, txnSetResult } from '../rtio/iodev';
import type { Iodev, IodevSqe, RemoteCompletion, RemoteExecutor } from '../rtio/iodev';
import { Rtio } from '../rtio/rtio';
import { sqePrepNop } from '../rtio/sqe';
import type { Sqe } from '../rtio/sqe';
import type { IodevInfo, IodevKind, Target } from './target';
import { unknownIodev } from './target';

/** A wire SQE (protocol/rtio.proto `Sqe`), fields as the generated code names them. */
export interface WireSqe {
  id: number;
  op: number;
  flags: number;
  iodev: number;
  iodevFlags: number;
  prio: number;
  tx: Uint8Array;
  len: number;
  txRef: number;
  timeoutUs: number;
  delayUs: number;
  i2cConfig: number;
}

/** A wire CQE (protocol/rtio.proto `Cqe`). */
export interface WireCqe {
  id: number;
  result: number;
  flags: number;
  data: Uint8Array;
}

/** A row of the agent's iodev table (protocol/rtio.proto `IodevDesc`). */
export interface WireIodev {
  id: number;
  name: string;
  kind: number;
  bus: string;
  address: number;
  part: string;
  capabilities: string[];
}

/** What the agent said in its HelloReply. */
export interface AgentHello {
  readonly protocolVersion: number;
  readonly buildId: string;
  readonly bootNonce: number;
  readonly maxFrameBytes: number;
  readonly window: number;
  readonly maxSqes: number;
  readonly maxBufferBytes: number;
  readonly iodevs: readonly WireIodev[];
}

/** Bodies the remote target sends (sequenced). */
export type HostBody =
  | { submit: { sqes: WireSqe[] } }
  | { cancel: { id: number } }
  | { signal: { id: number } }
  | { injectFault: { iodev: number; kind: number; atByte: number; bytes: number; delayUs: number; count: number } }
  | { clearFaults: Record<string, never> };

/** Bodies the remote target handles. */
export interface AgentBody {
  complete?: { cqes: WireCqe[] } | null;
  cancelReply?: { id: number; result: number } | null;
  log?: { level: number; text: string } | null;
  status?: { result: number } | null;
}

/** The link a remote target talks through (harness/link's Link in the host role). */
export interface PacketLink {
  /** Sends a sequenced body (delivered once, in order). */
  send(body: HostBody): void;
  /** Subscribes to packets from the agent, in order, each once. */
  onPacket(cb: (body: AgentBody) => void): void;
  /** Subscribes to link failures (reset, disconnect, timeout). */
  onError(cb: (err: Error) => void): void;
  /** Closes the link. */
  close(): Promise<void>;
}

/** Options of a {@link RemoteTarget}. */
export interface RemoteTargetOptions {
  /** Target-level capabilities from the board file, e.g. `'fault-injection'`. */
  readonly capabilities?: readonly string[];
  /** Called by `close()` after the link closed: stop the agent process, and so on. */
  readonly onClose?: () => Promise<void>;
  /** Longest `settle()` waits for the agent to finish what is in flight, in ms. Default 5000. */
  readonly settleTimeoutMs?: number;
  /** Receives the agent's log lines. Default: dropped. */
  readonly onLog?: (level: number, text: string) => void;
}

/** Upper bound of the bytes one SQE adds to a Submit besides its TX data (tags, varints). */
export const SQE_WIRE_OVERHEAD = 40;

/** Default of {@link RemoteTargetOptions.settleTimeoutMs}. */
export const REMOTE_SETTLE_TIMEOUT_MS = 5000;

const KINDS: Readonly<Record<number, IodevKind>> = { 1: 'i2c', 2: 'spi', 3: 'gpio', 4: 'sensor', 5: 'test' };
const FAULT_KIND: Readonly<Record<Fault['kind'], number>> = { nack: 1, 'short-read': 2, 'bus-timeout': 3, delay: 4 };
/** Executor ops an agent runs itself (CALLBACK cannot travel: it is host code). */
const AGENT_EXECUTOR_OPS: readonly number[] = [RTIO_OP_NOP, RTIO_OP_DELAY, RTIO_OP_AWAIT];

/** One iodev of a remote target, as the host's executor sees it. */
class RemoteIodev implements Iodev {
  constructor(readonly name: string, readonly wireId: number, readonly remote: RemoteTarget) {}

  /** A unit of a chain the host runs itself (one with a CALLBACK): shipped alone. */
  submit(iodevSqe: IodevSqe): void {
    this.remote.submitUnit(iodevSqe);
  }
}

/**
 * Completes the members of one shipped unit through the iodev contract, for chains the host
 * executor runs itself: per-member results with `txnSetResult`, then one `iodevSqeOk/Err`.
 */
class UnitCompletion implements RemoteCompletion {
  private left: number;
  private failed: IodevSqe | null = null;
  private failResult = 0;

  constructor(private readonly head: IodevSqe) {
    let n = 0;
    for (let m: IodevSqe | null = head; m !== null; m = txnNext(m)) n++;
    this.left = n;
  }

  remoteComplete(s: IodevSqe, result: number, _more: boolean, data: Uint8Array | null): boolean {
    const sqe = s.sqe;
    if (result >= 0 && data !== null) {
      if (sqe.op === RTIO_OP_RX) {
        const buf = sqeRxBuf(s, data.length, data.length);
        if (typeof buf === 'number') result = buf;
        else buf.set(data.subarray(0, buf.length));
      } else if (sqe.op === RTIO_OP_TXRX && sqe.rxBuf !== null) {
        sqe.rxBuf.set(data.subarray(0, sqe.bufLen));
      }
    }
    if (result < 0 && this.failed === null && result !== -ECANCELED) {
      this.failed = s;
      this.failResult = result;
    }
    txnSetResult(s, result);
    if (--this.left > 0) return false;
    if (this.failed !== null) iodevSqeErr(this.failed, this.failResult);
    else iodevSqeOk(this.head, this.head.txnResult);
    return false;
  }
}

interface Shipped {
  readonly slot: IodevSqe;
  readonly owner: RemoteCompletion;
  /** The host ended this SQE early (a multishot): drop the agent's CQEs until its final one. */
  abandoned: boolean;
}

/**
 * A target whose chains run on an agent at the other end of a link: a board's firmware, the
 * native agent process, or the emulator behind the wire. Chains are shipped whole; the agent's
 * CQEs complete them. A reset or a lost link completes everything in flight at once with
 * `-ECONNRESET` or `-ENOTCONN` and keeps the typed error in {@link RemoteTarget.lastError}.
 */
export class RemoteTarget implements Target, RemoteExecutor {
  readonly clock: Clock = systemClock;
  readonly iodevs: readonly IodevInfo[];
  readonly capabilities: readonly string[];
  /** The link failure that ended this target, if any (AgentResetError, DisconnectedError, ...). */
  lastError: Error | null = null;
  /** CQEs for SQE ids not in flight, counted and ignored. */
  strayCqes = 0;
  /** Log lines the agent sent. */
  readonly logs: { level: number; text: string }[] = [];

  private readonly byName = new Map<string, RemoteIodev>();
  private readonly byIodev = new Set<Iodev>();
  private readonly inflight = new Map<number, Shipped>();
  private readonly ids = new Map<IodevSqe, number>();
  private readonly waiting: { head: IodevSqe; owner: RemoteCompletion; count: number }[] = [];
  private nextId = 1;
  private used = 0;
  private batch: WireSqe[] = [];
  private batchBytes = 0;
  private batchSignals: number[] = [];
  private flushQueued = false;
  private closed = false;
  private settleWake: (() => void) | null = null;

  constructor(readonly id: string, private readonly link: PacketLink, readonly hello: AgentHello, private readonly opts: RemoteTargetOptions = {}) {
    this.capabilities = opts.capabilities ?? [];
    this.iodevs = hello.iodevs.map((d) => ({
      name: d.name,
      kind: KINDS[d.kind] ?? 'test',
      ...(d.bus === '' ? {} : { bus: d.bus }),
      address: d.address,
      ...(d.part === '' ? {} : { part: d.part }),
      capabilities: [...d.capabilities],
    }));
    for (const d of hello.iodevs) {
      const dev = new RemoteIodev(d.name, d.id, this);
      this.byName.set(d.name, dev);
      this.byIodev.add(dev);
    }
    link.onPacket((body) => this.onPacket(body));
    link.onError((err) => this.fail(err));
  }

  iodev(name: string): Iodev {
    const dev = this.byName.get(name);
    if (dev === undefined) throw unknownIodev(this.id, name, this.iodevs);
    return dev;
  }

  has(capability: string, name?: string): boolean {
    if (name === undefined) return this.capabilities.includes(capability);
    return this.iodevs.find((i) => i.name === name)?.capabilities.includes(capability) ?? false;
  }

  injectFault(name: string, fault: Fault, count = 1): void {
    if (!this.capabilities.includes('fault-injection')) throw new RangeError(`target "${this.id}" lacks "fault-injection"`);
    validateFault(fault);
    const dev = this.byName.get(name);
    if (dev === undefined) throw unknownIodev(this.id, name, this.iodevs);
    this.send({
      injectFault: {
        iodev: dev.wireId,
        kind: FAULT_KIND[fault.kind],
        atByte: fault.kind === 'nack' ? fault.atByte : 0,
        bytes: fault.kind === 'short-read' ? fault.bytes : 0,
        delayUs: fault.kind === 'delay' ? Math.round(fault.ms * 1000) : 0,
        count: count === Infinity ? 0 : count,
      },
    });
  }

  clearFaults(): void {
    if (this.capabilities.includes('fault-injection') && this.lastError === null) this.send({ clearFaults: {} });
  }

  /**
   * Waits until the agent has completed everything shipped to it, then until every iodev is
   * idle: a NOP through each iodev's FIFO completes only after the work queued before it,
   * including operations whose SQE already timed out on the host.
   */
  async settle(): Promise<void> {
    const limit = this.opts.settleTimeoutMs ?? REMOTE_SETTLE_TIMEOUT_MS;
    await this.waitIdle(performance.now() + limit, limit);
    if (this.lastError !== null) return;
    const r = new Rtio({ sqSize: this.byName.size, cqSize: this.byName.size });
    for (const dev of this.byName.values()) sqePrepNop(r.sqeAcquire()!, dev, dev.name);
    if ((await r.submit(this.byName.size, limit)) !== 0) {
      throw new Error(`target "${this.id}": its iodevs were still busy after ${limit} ms`);
    }
  }

  private async waitIdle(deadline: number, limit: number): Promise<void> {
    while (this.inflight.size > 0 || this.waiting.length > 0) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`target "${this.id}": ${this.inflight.size} SQEs still in flight after ${limit} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.settleWake = (): void => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error(`target "${this.id}" closed`), -ENOTCONN);
    await this.link.close();
    await this.opts.onClose?.();
  }

  // ------------------------------------------------------------ RemoteExecutor

  canRun(sqe: Sqe): boolean {
    if (sqe.iodev !== null) return this.byIodev.has(sqe.iodev);
    return AGENT_EXECUTOR_OPS.includes(sqe.op);
  }

  submitChain(head: IodevSqe, owner: RemoteCompletion): void {
    let count = 0;
    for (let m: IodevSqe | null = head; m !== null; m = m.next) count++;
    if (this.lastError !== null) {
      this.failChain(head, owner, this.lastError);
      return;
    }
    if (count > this.hello.maxSqes) {
      for (let m: IodevSqe | null = head, first = true; m !== null; m = m.next, first = false) {
        owner.remoteComplete(m, first ? -ENOMEM : -ECANCELED, false, null);
      }
      return;
    }
    if (this.waiting.length > 0 || this.used + count > this.hello.maxSqes) {
      this.waiting.push({ head, owner, count });
      return;
    }
    this.ship(head, owner, count, false);
  }

  /** Ships one unit of a host-run chain (see {@link RemoteIodev.submit}). */
  submitUnit(head: IodevSqe): void {
    const owner = new UnitCompletion(head);
    let count = 0;
    for (let m: IodevSqe | null = head; m !== null; m = txnNext(m)) count++;
    if (this.lastError !== null) {
      iodevSqeErr(head, this.errnoOf(this.lastError));
      return;
    }
    this.ship(head, owner, count, true);
  }

  cancel(s: IodevSqe): void {
    const id = this.ids.get(s);
    if (id !== undefined && this.lastError === null) this.send({ cancel: { id } });
  }

  signal(s: IodevSqe): void {
    const id = this.ids.get(s);
    if (id !== undefined && this.lastError === null) this.send({ signal: { id } });
  }

  // ------------------------------------------------------------ internals

  private ship(head: IodevSqe, owner: RemoteCompletion, count: number, unitOnly: boolean): void {
    const sqes: WireSqe[] = [];
    const members: IodevSqe[] = [];
    const signalled: number[] = [];
    for (let m: IodevSqe | null = head; m !== null; m = unitOnly ? txnNext(m) : m.next) members.push(m);
    let tooBig = false;
    members.forEach((m, i) => {
      const sqe = m.sqe;
      const id = this.allocId();
      const w = this.wireSqe(sqe, id, members, i);
      if (unitOnly && i === members.length - 1) w.flags &= ~(RTIO_SQE_CHAINED | RTIO_SQE_TRANSACTION);
      if (w.tx.length > this.hello.maxBufferBytes || w.len > this.hello.maxBufferBytes) tooBig = true;
      sqes.push(w);
      this.inflight.set(id, { slot: m, owner, abandoned: false });
      this.ids.set(m, id);
      if (m.awaitSignaled) signalled.push(id);
    });
    this.used += count;
    const bytes = sqes.reduce((n, w) => n + SQE_WIRE_OVERHEAD + w.tx.length, 0);
    // A chain whose Submit cannot fit one frame fails here, like a buffer over the agent's limit.
    if (tooBig || bytes > this.submitBudget()) {
      sqes.forEach((w, i) => this.deliver(w.id, i === 0 ? -EMSGSIZE : -ECANCELED, 0, null));
      return;
    }
    if (this.batch.length > 0 && this.batchBytes + bytes > this.submitBudget()) this.flush();
    this.batch.push(...sqes);
    this.batchBytes += bytes;
    this.batchSignals.push(...signalled);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Sends a body after the chains batched so far, keeping the agent's view in order. */
  private send(body: HostBody): void {
    this.flush();
    this.link.send(body);
  }

  /** Sends the chains shipped since the last flush as one Submit packet. */
  private flush(): void {
    this.flushQueued = false;
    if (this.batch.length === 0 || this.lastError !== null) return;
    const sqes = this.batch;
    const signals = this.batchSignals;
    this.batch = [];
    this.batchSignals = [];
    this.batchBytes = 0;
    this.link.send({ submit: { sqes } });
    for (const id of signals) this.link.send({ signal: { id } });
  }

  /** Bytes of SQEs one Submit may carry: the agent's frame limit less headers and COBS overhead. */
  private submitBudget(): number {
    const frame = this.hello.maxFrameBytes > 0 ? this.hello.maxFrameBytes : 1033;
    return Math.floor(frame * 0.9) - 32;
  }

  private wireSqe(sqe: Sqe, id: number, members: readonly IodevSqe[], index: number): WireSqe {
    const dev = sqe.iodev as RemoteIodev | null;
    let tx: Uint8Array = new Uint8Array(0);
    let len = 0;
    let txRef = 0;
    if (sqe.op === RTIO_OP_TX || sqe.op === RTIO_OP_TINY_TX) {
      const src = sqe.buf!.subarray(0, sqe.bufLen);
      txRef = sqe.op === RTIO_OP_TX ? earlierRx(members, index, sqe.buf!, sqe.bufLen) : 0;
      if (txRef === 0) tx = src;
    } else if (sqe.op === RTIO_OP_TXRX) {
      tx = sqe.txBuf!.subarray(0, sqe.bufLen);
      len = sqe.bufLen;
    } else if (sqe.op === RTIO_OP_RX && !(sqe.flags & RTIO_SQE_MEMPOOL_BUFFER)) {
      len = sqe.bufLen;
    }
    return {
      // NO_RESPONSE stays on the host: the agent always answers, so the host can free the slot.
      id, op: sqe.op, flags: sqe.flags & ~RTIO_SQE_NO_RESPONSE, iodev: dev === null ? 0 : dev.wireId, iodevFlags: sqe.iodevFlags >>> 0,
      prio: sqe.prio, tx, len, txRef, timeoutUs: Math.round(sqe.timeoutMs * 1000),
      delayUs: Math.round(sqe.delayMs * 1000), i2cConfig: sqe.i2cConfig >>> 0,
    };
  }

  private allocId(): number {
    for (;;) {
      const id = this.nextId;
      this.nextId = this.nextId >= 0x7fffffff ? 1 : this.nextId + 1;
      if (!this.inflight.has(id)) return id;
    }
  }

  private onPacket(body: AgentBody): void {
    if (body.complete) for (const c of body.complete.cqes) this.deliver(c.id, c.result, c.flags, c.data);
    if (body.log) {
      this.logs.push({ level: body.log.level, text: body.log.text });
      this.opts.onLog?.(body.log.level, body.log.text);
    }
  }

  private deliver(id: number, result: number, flags: number, data: Uint8Array | null): void {
    const shipped = this.inflight.get(id);
    if (shipped === undefined) {
      this.strayCqes++;
      return;
    }
    const more = (flags & RTIO_CQE_FLAG_MORE) !== 0;
    if (!more) {
      this.inflight.delete(id);
      if (!shipped.abandoned) this.ids.delete(shipped.slot);
      this.used--;
    }
    if (!shipped.abandoned) {
      const armed = shipped.owner.remoteComplete(shipped.slot, result, more, data !== null && data.length > 0 ? data : null);
      if (more && !armed) {
        shipped.abandoned = true;
        this.ids.delete(shipped.slot);
      }
    }
    if (!more) this.pump();
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (this.used + next.count > this.hello.maxSqes) break;
      this.waiting.shift();
      this.ship(next.head, next.owner, next.count, false);
    }
    if (this.inflight.size === 0 && this.waiting.length === 0 && this.settleWake !== null) {
      const wake = this.settleWake;
      this.settleWake = null;
      wake();
    }
  }

  private fail(err: Error, errno?: number): void {
    if (this.lastError === null) this.lastError = err;
    const e = errno ?? this.errnoOf(err);
    const shipped = [...this.inflight.values()];
    this.inflight.clear();
    this.ids.clear();
    this.used = 0;
    for (const s of shipped) if (!s.abandoned) s.owner.remoteComplete(s.slot, e, false, null);
    const waiting = this.waiting.splice(0);
    for (const w of waiting) this.failChain(w.head, w.owner, err);
    this.pump();
  }

  private failChain(head: IodevSqe, owner: RemoteCompletion, err: Error): void {
    const e = this.errnoOf(err);
    for (let m: IodevSqe | null = head; m !== null; m = m.next) owner.remoteComplete(m, e, false, null);
  }

  private errnoOf(err: Error): number {
    return err.name === 'AgentResetError' ? -ECONNRESET : -ENOTCONN;
  }
}

/** 1 + the index of an earlier RX member reading into exactly `buf[0, len)`, or 0. */
function earlierRx(members: readonly IodevSqe[], index: number, buf: Uint8Array, len: number): number {
  for (let j = index - 1; j >= 0; j--) {
    const m = members[j]!.sqe;
    if (m.op === RTIO_OP_RX && m.buf !== null && !(m.flags & RTIO_SQE_MEMPOOL_BUFFER) &&
      m.buf.buffer === buf.buffer && m.buf.byteOffset === buf.byteOffset && m.bufLen === len) {
      return j + 1;
    }
  }
  return 0;
}
