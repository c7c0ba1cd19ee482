import type { Clock, TimerId } from '../clock';
import { systemClock } from '../clock';
import type { Fault } from '../emulator/faults';
import { validateFault } from '../emulator/faults';
import {
  ECANCELED, ECONNRESET, EMSGSIZE, ENOTCONN, ETIMEDOUT, iodevSqeErr, iodevSqeOk, Rtio,
  RTIO_CQE_FLAG_MORE, RTIO_OP_AWAIT, RTIO_OP_DELAY, RTIO_OP_NOP, RTIO_OP_RX, RTIO_OP_TXRX,
  RTIO_SQE_CANCELED, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION, sqePrepNop, sqeRxBuf, txnNext,
  txnSetResult,
} from '../rtio';
import type { Iodev, IodevSqe, RemoteCompletion, RemoteExecutor, Sqe } from '../rtio';
import type { IodevInfo, IodevKind, Target } from './target';
import { unknownIodev } from './target';
import type { Cqe as ProtoCqe, IodevDesc, Region as WireRegion, Sqe as ProtoSqe } from '../../protocol/messages';
import { MAX_PAYLOAD_BYTES, frameMaxEncodedLength } from '../../protocol/frame';
import { PLAN_ID_PLACEHOLDER, appendPlan, isTooBig, planChain } from './remote-plan';
import type { ChainPlan } from './remote-plan';

/** A wire SQE (protocol/rtio.proto `Sqe`), as the generated code names its fields. */
export type WireSqe = ProtoSqe;
/** A wire CQE (protocol/rtio.proto `Cqe`). */
export type WireCqe = ProtoCqe;
/** A row of the agent's iodev table (protocol/rtio.proto `IodevDesc`). */
export type WireIodev = IodevDesc;

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
  | { submit: { sqes: WireSqe[]; regions: WireRegion[] } }
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
  /** Probes the agent while the link is idle (see the Link's keepalive); a link without it may ignore this. */
  setKeepalive?(on: boolean): void;
  /** Packets sent again so far (the Link's `retransmits`): a sign of a noisy line. */
  retransmits?(): number;
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
  /**
   * Time beyond an SQE's own deadline after which the host completes it with `-ETIMEDOUT` if the
   * agent has not, in ms. Default {@link REMOTE_DEADLINE_ALLOWANCE_MS}.
   */
  readonly deadlineAllowanceMs?: number;
}

/**
 * Bytes of chains one Submit carries for a while after the link had to retransmit: on a noisy
 * line a long frame is hit more often, so chains then travel in smaller Submits (a chain bigger
 * than this still travels, alone). The C agent does the same with its Complete packets.
 */
export const LOSSY_SUBMIT_BYTES = 256;
/** Submits kept to {@link LOSSY_SUBMIT_BYTES} after each retransmission. */
export const LOSSY_SUBMITS = 32;

/** Default of {@link RemoteTargetOptions.deadlineAllowanceMs}: more than the link's stall limit. */
export const REMOTE_DEADLINE_ALLOWANCE_MS = 1000;

/**
 * Bytes of a Packet around its Submit's SQEs and regions, at most: seq and ack (tag and a
 * 5-byte varint each), the body's tag and a 3-byte length.
 */
export const SUBMIT_PACKET_OVERHEAD = 16;

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

  /** Drops a unit still waiting on the host for room on the agent; else asks the agent (see {@link RemoteTarget.cancelUnit}). */
  cancel(iodevSqe: IodevSqe): boolean {
    return this.remote.cancelUnit(iodevSqe);
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
    // The first member that did not succeed fails the unit, whatever its errno: the agent
    // reports later members as -ECANCELED only after an earlier one failed.
    if (result < 0 && this.failed === null) {
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
  /** The host ended this SQE early (a multishot, a deadline): drop the agent's CQEs until its final one. */
  abandoned: boolean;
  /** Host clock time by which the agent must have completed it, or Infinity (see {@link deadlinesOf}). */
  readonly deadline: number;
  /** The shipped members of its chain (or unit), in order, for a deadline that expires. */
  readonly members: readonly IodevSqe[];
}

/** Members waiting for room on the agent (its `max_sqes`), in submission order. */
interface Waiting {
  readonly members: readonly IodevSqe[];
  readonly owner: RemoteCompletion;
  /** One unit of a chain the host runs: its last member links to nothing on the agent. */
  readonly unit: boolean;
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
  /** SQEs the host completed with -ETIMEDOUT because the agent had not by their deadline. */
  expiredDeadlines = 0;
  /** Log lines the agent sent. */
  readonly logs: { level: number; text: string }[] = [];

  private readonly byName = new Map<string, RemoteIodev>();
  private readonly byIodev = new Set<Iodev>();
  private readonly inflight = new Map<number, Shipped>();
  private readonly ids = new Map<IodevSqe, number>();
  private readonly waiting: Waiting[] = [];
  private nextId = 1;
  private used = 0;
  private batch: WireSqe[] = [];
  private batchRegions: WireRegion[] = [];
  private batchBytes = 0;
  private readonly budget: number;
  /** The plan {@link RemoteTarget.canShip} made, kept for the `submitChain` that follows. */
  private planned: { head: IodevSqe; plan: ChainPlan } | null = null;
  private batchSignals: number[] = [];
  private flushQueued = false;
  private closed = false;
  private deadlineTimer: TimerId = 0;
  private deadlineAt = Infinity;
  private seenRetransmits = 0;
  private lossySubmits = 0;
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
    this.budget = submitBudget(hello.maxFrameBytes);
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

  /**
   * True when the chain headed by `head` fits the agent at once: no more SQEs than it holds
   * (`max_sqes`) and one Submit frame. A chain that does not is run by the host executor, one
   * unit at a time, as a chain with a CALLBACK is.
   */
  canShip(head: IodevSqe): boolean {
    const members = chainMembers(head);
    if (members.length > this.hello.maxSqes) return false;
    const plan = this.plan(members, false);
    if (plan === null || plan.bytes > this.budget) return false;
    this.planned = { head, plan };
    return true;
  }

  submitChain(head: IodevSqe, owner: RemoteCompletion): void {
    const members = chainMembers(head);
    const plan = this.planned?.head === head ? this.planned.plan : null;
    this.planned = null;
    this.admit({ members, owner, unit: false }, plan);
  }

  /** Ships one unit of a chain the host runs itself (see {@link RemoteIodev.submit}). */
  submitUnit(head: IodevSqe): void {
    const members: IodevSqe[] = [];
    for (let m: IodevSqe | null = head; m !== null; m = txnNext(m)) members.push(m);
    if (this.lastError !== null) {
      iodevSqeErr(head, this.errnoOf(this.lastError));
      return;
    }
    this.admit({ members, owner: new UnitCompletion(head), unit: true }, null);
  }

  cancel(s: IodevSqe): void {
    const id = this.ids.get(s);
    if (id !== undefined) {
      if (this.lastError === null) this.send({ cancel: { id } });
      return;
    }
    // Still waiting on the host for room on the agent: it travels cancelled.
    if (this.waiting.some((w) => w.members.includes(s))) s.sqe.flags |= RTIO_SQE_CANCELED;
  }

  /**
   * The cancel hook of a unit the host executor gave a remote iodev: true when the unit was
   * still waiting on the host (it is dropped, and the executor completes it); otherwise the
   * agent is asked to cancel it and false is returned: the agent's CQEs tell the outcome.
   */
  cancelUnit(head: IodevSqe): boolean {
    const i = this.waiting.findIndex((w) => w.unit && w.members[0] === head);
    if (i >= 0) {
      this.waiting.splice(i, 1);
      return true;
    }
    this.cancel(head);
    return false;
  }

  signal(s: IodevSqe): void {
    const id = this.ids.get(s);
    // Not shipped yet (waiting for room on the agent): the Signal follows its Submit.
    if (id === undefined) s.awaitSignaled = true;
    else if (this.lastError === null) this.send({ signal: { id } });
  }

  // ------------------------------------------------------------ internals

  /** The wire form of `members` with placeholder ids, or null when a buffer is too big for the agent. */
  private plan(members: readonly IodevSqe[], unit: boolean): ChainPlan | null {
    const plan = planChain(members, members.map(() => PLAN_ID_PLACEHOLDER), wireIodevOf, this.hello.maxBufferBytes);
    if (isTooBig(plan)) return null;
    if (unit) plan.sqes[plan.sqes.length - 1]!.flags &= ~(RTIO_SQE_CHAINED | RTIO_SQE_TRANSACTION);
    return plan;
  }

  /** Ships `w` now, or queues it behind earlier work until the agent has room for its SQEs. */
  private admit(w: Waiting, plan: ChainPlan | null): void {
    if (this.lastError !== null) {
      this.failMembers(w, this.errnoOf(this.lastError));
      return;
    }
    if (this.waiting.length > 0 || this.used + w.members.length > this.hello.maxSqes) {
      this.waiting.push(w);
      return;
    }
    this.ship(w, plan ?? this.plan(w.members, w.unit));
  }

  private ship(w: Waiting, plan: ChainPlan | null): void {
    const { members, owner } = w;
    const signalled: number[] = [];
    const allowance = this.opts.deadlineAllowanceMs ?? REMOTE_DEADLINE_ALLOWANCE_MS;
    const deadlines = deadlinesOf(members, this.clock.now(), allowance);
    const ids = members.map((m, i) => {
      const id = this.allocId();
      this.inflight.set(id, { slot: m, owner, abandoned: false, deadline: deadlines[i]!, members });
      this.ids.set(m, id);
      if (m.awaitSignaled) signalled.push(id);
      return id;
    });
    this.used += members.length;
    this.watch();
    for (const d of deadlines) if (d < this.deadlineAt) this.armDeadline(d);
    // What cannot fit one frame (a unit whose buffers are too big for the agent) fails here, as
    // the agent fails a buffer over its limit: the head with -EMSGSIZE, the rest -ECANCELED.
    if (plan === null || plan.bytes > this.budget) {
      ids.forEach((id, i) => this.deliver(id, i === 0 ? -EMSGSIZE : -ECANCELED, 0, null));
      return;
    }
    plan.sqes.forEach((s, i) => {
      s.id = ids[i]!;
    });
    if (this.batch.length > 0 && this.batchBytes + plan.bytes > this.batchBudget()) this.flush();
    appendPlan(this.batch, this.batchRegions, plan);
    this.batchBytes += plan.bytes;
    this.batchSignals.push(...signalled);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Bytes the Submit being built may hold: the frame's, or {@link LOSSY_SUBMIT_BYTES} on a noisy line. */
  private batchBudget(): number {
    const retransmits = this.link.retransmits?.() ?? 0;
    if (retransmits !== this.seenRetransmits) {
      this.seenRetransmits = retransmits;
      this.lossySubmits = LOSSY_SUBMITS;
    }
    return this.lossySubmits > 0 ? Math.min(this.budget, LOSSY_SUBMIT_BYTES) : this.budget;
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
    const regions = this.batchRegions;
    const signals = this.batchSignals;
    this.batch = [];
    this.batchRegions = [];
    this.batchSignals = [];
    this.batchBytes = 0;
    if (this.lossySubmits > 0) this.lossySubmits--;
    this.link.send({ submit: { sqes, regions } });
    for (const id of signals) this.link.send({ signal: { id } });
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
    this.watch();
  }

  /** Keepalive on while the agent holds work: a reset or silent agent is noticed then. */
  private watch(): void {
    this.link.setKeepalive?.(this.lastError === null && (this.inflight.size > 0 || this.waiting.length > 0));
  }

  private armDeadline(at: number): void {
    if (this.deadlineTimer !== 0) this.clock.clearTimer(this.deadlineTimer);
    this.deadlineAt = at;
    this.deadlineTimer = this.clock.setTimer(at, () => this.expireDeadlines(), undefined);
  }

  /**
   * The agent did not complete SQEs by their deadline (plus the allowance): the host completes
   * each with -ETIMEDOUT and the rest of its chain with -ECANCELED, as the agent would have, and
   * asks the agent to cancel it; the agent's CQEs for them, if any come, are dropped.
   */
  private expireDeadlines(): void {
    this.deadlineTimer = 0;
    this.deadlineAt = Infinity;
    const now = this.clock.now();
    for (const [id, s] of [...this.inflight]) {
      if (s.abandoned || s.deadline > now) continue;
      if (this.lastError === null) this.send({ cancel: { id } });
      const at = s.members.indexOf(s.slot);
      s.members.forEach((m, i) => {
        if (i < at) return;
        const mid = this.ids.get(m);
        const entry = mid === undefined ? undefined : this.inflight.get(mid);
        if (entry === undefined || entry.abandoned) return;
        entry.abandoned = true;
        this.ids.delete(m);
        if (i === at) this.expiredDeadlines++;
        entry.owner.remoteComplete(m, i === at ? -ETIMEDOUT : -ECANCELED, false, null);
      });
    }
    let next = Infinity;
    for (const s of this.inflight.values()) if (!s.abandoned && s.deadline < next) next = s.deadline;
    if (next < Infinity) this.armDeadline(next);
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (this.used + next.members.length > this.hello.maxSqes) break;
      this.waiting.shift();
      this.ship(next, this.plan(next.members, next.unit));
    }
    if (this.inflight.size === 0 && this.waiting.length === 0 && this.settleWake !== null) {
      const wake = this.settleWake;
      this.settleWake = null;
      wake();
    }
  }

  private fail(err: Error, errno?: number): void {
    if (this.lastError === null) this.lastError = err;
    if (this.deadlineTimer !== 0) this.clock.clearTimer(this.deadlineTimer);
    this.deadlineTimer = 0;
    this.deadlineAt = Infinity;
    this.link.setKeepalive?.(false);
    const e = errno ?? this.errnoOf(err);
    const shipped = [...this.inflight.values()];
    this.inflight.clear();
    this.ids.clear();
    this.used = 0;
    for (const s of shipped) if (!s.abandoned) s.owner.remoteComplete(s.slot, e, false, null);
    const waiting = this.waiting.splice(0);
    for (const w of waiting) this.failMembers(w, e);
    this.pump();
  }

  /** Completes every member of `w` with `errno` (the members were never shipped). */
  private failMembers(w: Waiting, errno: number): void {
    for (const m of w.members) w.owner.remoteComplete(m, errno, false, null);
  }

  private errnoOf(err: Error): number {
    return err.name === 'AgentResetError' ? -ECONNRESET : -ENOTCONN;
  }
}

/**
 * For each member shipped at `now`, the host time by which the agent must have completed it, or
 * Infinity. Only an SQE with a `timeoutMs` has one: the longest its unit and every unit before
 * it in the chain may take (their heads' timeouts, a DELAY's length) plus `allowanceMs`; a unit
 * before it without a bound (no timeout) leaves it none.
 */
export function deadlinesOf(members: readonly IodevSqe[], now: number, allowanceMs: number): number[] {
  const out: number[] = [];
  let elapsed = 0;
  let unitHead: IodevSqe | null = null;
  for (const m of members) {
    const head: IodevSqe = unitHead ?? m;
    if (head === m) {
      const sqe = m.sqe;
      const bound = sqe.timeoutMs > 0 ? sqe.timeoutMs : sqe.op === RTIO_OP_DELAY ? sqe.delayMs : sqe.op === RTIO_OP_NOP && sqe.iodev === null ? 0 : Infinity;
      elapsed += bound;
    }
    out.push(head.sqe.timeoutMs > 0 ? now + elapsed + allowanceMs : Infinity);
    unitHead = m.sqe.flags & RTIO_SQE_TRANSACTION ? head : null;
  }
  return out;
}

/** The members of the chain headed by `head`, in order (collected first: completing one unlinks it). */
function chainMembers(head: IodevSqe): IodevSqe[] {
  const out: IodevSqe[] = [];
  for (let m: IodevSqe | null = head; m !== null; m = m.next) out.push(m);
  return out;
}

/** The wire id of a remote target's iodev, 0 for none. */
function wireIodevOf(iodev: Iodev | null): number {
  return iodev === null ? 0 : (iodev as RemoteIodev).wireId;
}

/**
 * Bytes of SQEs and regions one Submit may carry to an agent whose frames are at most
 * `maxFrameBytes` (0: the default 1033): the largest payload such a frame holds, less the
 * packet's own fields.
 */
export function submitBudget(maxFrameBytes: number): number {
  const frame = maxFrameBytes > 0 ? maxFrameBytes : frameMaxEncodedLength(MAX_PAYLOAD_BYTES);
  let payload = frame;
  while (payload > 0 && frameMaxEncodedLength(payload) > frame) payload--;
  return payload - SUBMIT_PACKET_OVERHEAD;
}
