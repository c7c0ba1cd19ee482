/**
 * The queue between a remote target and its agent: it admits chains while the agent has room for
 * their SQEs (its `max_sqes`) and holds the rest in order, batches what is shipped into Submit
 * packets (smaller ones on a noisy line), routes each CQE back to its SQE, completes what the
 * agent has not by its deadline, and fails everything in flight when the link goes.
 */
import type { Clock, TimerId } from '../clock';
import {
  ECANCELED, ECONNRESET, EMSGSIZE, ENOTCONN, ETIMEDOUT, RTIO_CQE_FLAG_MORE, RTIO_OP_DELAY,
  RTIO_OP_NOP, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION,
} from '../rtio';
import type { IodevSqe, RemoteCompletion } from '../rtio';
import { awaitRendezvous, setDeviceTimes } from '../rtio/sqe';
import type { Cqe as WireCqe, HostBody, Region as WireRegion, Sqe as WireSqe } from '../../protocol/messages';
import { InflightTable } from './inflight-table';
import type { AgentHello, PacketLink } from './packet-link';
import { wireIodevOf } from './remote-iodev';
import { PLAN_ID_PLACEHOLDER, appendPlan, isTooBig, planChain, submitBudget } from './remote-plan';
import type { ChainPlan } from './remote-plan';

/**
 * Bytes of chains one Submit carries for a while after the link had to retransmit: on a noisy
 * line a long frame is hit more often, so chains then travel in smaller Submits (a chain bigger
 * than this still travels, alone). The C agent does the same with its Complete packets.
 */
export const LOSSY_SUBMIT_BYTES = 256;
/** Submits kept to {@link LOSSY_SUBMIT_BYTES} after each retransmission. */
export const LOSSY_SUBMITS = 32;

/** The ids a chain of one is planned with. */
const ONE_PLACEHOLDER_ID: readonly number[] = [PLAN_ID_PLACEHOLDER];

/** Members that travel together: a whole chain, or one unit of a chain the host runs. */
export interface Shipment {
  readonly members: readonly IodevSqe[];
  /** Receives the members' completions. */
  readonly owner: RemoteCompletion;
  /** One unit of a chain the host runs: its last member links to nothing on the agent. */
  readonly unit: boolean;
}

interface Shipped {
  /** The wire id it travels under. */
  readonly id: number;
  readonly slot: IodevSqe;
  readonly owner: RemoteCompletion;
  /** The host ended this SQE early (a multishot, a deadline): drop the agent's CQEs until its final one. */
  abandoned: boolean;
  /** Host clock time by which the agent must have completed it, or Infinity (see {@link deadlinesOf}). */
  readonly deadline: number;
  /** The shipped members of its chain (or unit), in order, for a deadline that expires. */
  readonly members: readonly IodevSqe[];
}

/** The errno that ends SQEs in flight when the link failed with `err`. */
export function errnoOfLinkError(err: Error): number {
  return err.name === 'AgentResetError' ? -ECONNRESET : -ENOTCONN;
}

/** One agent's queue; see the module comment. */
export class Shipper {
  /** CQEs for SQE ids not in flight, counted and ignored. */
  strayCqes = 0;
  /** SQEs the host completed with -ETIMEDOUT because the agent had not by their deadline. */
  expiredDeadlines = 0;
  /** The link failure that ended this queue, if any. */
  lastError: Error | null = null;

  private readonly inflight: InflightTable<Shipped>;
  private readonly waiting: Shipment[] = [];
  private used = 0;
  private batch: WireSqe[] = [];
  private batchRegions: WireRegion[] = [];
  private batchBytes = 0;
  /**
   * {@link Shipper.batchBudget} when the Submit being built got its first chain: the link's
   * counters cannot change before the microtask that sends it, and reading them builds a snapshot.
   */
  private batchLimit = 0;
  private batchSignals: number[] = [];
  private flushQueued = false;
  private readonly budget: number;
  private deadlineTimer: TimerId = 0;
  private deadlineAt = Infinity;
  private seenRetransmits = 0;
  private lossySubmits = 0;
  private idleWake: (() => void) | null = null;
  /** {@link Shipper.flush}, bound once: queued as a microtask for every Submit. */
  private readonly flushSoon = (): void => this.flush();
  /** What the link was last told by {@link Shipper.watch}. */
  private keepaliveOn = false;

  /** `allowanceMs`: time beyond an SQE's own deadline before the host completes it. */
  constructor(
    private readonly link: PacketLink,
    private readonly hello: AgentHello,
    private readonly clock: Clock,
    private readonly allowanceMs: number,
  ) {
    this.budget = submitBudget(hello.maxFrameBytes);
    this.inflight = new InflightTable(hello.maxSqes);
  }

  /** SQEs the agent is given at once: its max_sqes, at most the in-flight table's MAX_INFLIGHT. */
  get maxSqes(): number {
    return this.inflight.capacity;
  }

  /** True while anything is shipped or waiting to be. */
  get busy(): boolean {
    return this.inflight.size > 0 || this.waiting.length > 0;
  }

  /** SQEs shipped and not yet completed by the agent. */
  get shipped(): number {
    return this.inflight.size;
  }

  /** True when `s` is shipped (the agent knows it by an id). */
  isShipped(s: IodevSqe): boolean {
    return this.idOf(s) !== undefined;
  }

  /** The wire form of `members`, or null when a buffer is too big for one frame or the agent. */
  plan(members: readonly IodevSqe[], unit: boolean): ChainPlan | null {
    const ids = members.length === 1 ? ONE_PLACEHOLDER_ID : members.map(() => PLAN_ID_PLACEHOLDER);
    const plan = planChain(members, ids, wireIodevOf, this.hello.maxBufferBytes);
    if (isTooBig(plan) || plan.bytes > this.budget) return null;
    if (unit) plan.sqes[plan.sqes.length - 1]!.flags &= ~(RTIO_SQE_CHAINED | RTIO_SQE_TRANSACTION);
    return plan;
  }

  /** Ships `w` now, or queues it behind earlier work until the agent has room for its SQEs. */
  admit(w: Shipment, plan: ChainPlan | null): void {
    if (this.lastError !== null) {
      this.failMembers(w, errnoOfLinkError(this.lastError));
      return;
    }
    if (this.waiting.length > 0 || this.used + w.members.length > this.maxSqes) {
      this.waiting.push(w);
      return;
    }
    this.ship(w, plan ?? this.plan(w.members, w.unit));
  }

  /** Drops the waiting unit headed by `head`; false when it is not waiting. */
  dropWaitingUnit(head: IodevSqe): boolean {
    const i = this.waiting.findIndex((w) => w.unit && w.members[0] === head);
    if (i < 0) return false;
    this.waiting.splice(i, 1);
    return true;
  }

  /** Asks the agent to cancel `s`; one still waiting on the host travels cancelled. False when neither. */
  cancel(s: IodevSqe): boolean {
    const id = this.idOf(s);
    if (id !== undefined) {
      if (this.lastError === null) this.send({ cancel: { id } });
      return true;
    }
    return this.waiting.some((w) => w.members.includes(s));
  }

  /** Forwards a signal for `s`; one not shipped yet is signalled once its Submit has gone. */
  signal(s: IodevSqe): void {
    const id = this.idOf(s);
    if (id === undefined) awaitRendezvous(s).signaled = true;
    else if (this.lastError === null) this.send({ signal: { id } });
  }

  /** Sends a body after the chains batched so far, keeping the agent's view in order. */
  send(body: HostBody): void {
    this.flush();
    this.link.send(body);
  }

  /** Routes the agent's CQEs to their SQEs. */
  complete(cqes: readonly WireCqe[]): void {
    for (const c of cqes) this.deliver(c.id, c.result, c.flags, c.data, c.startUs, c.endUs);
  }

  /** Resolves once nothing is shipped or waiting; rejects with a message naming `what` after `limitMs` (wall clock). */
  async idle(limitMs: number, what: string): Promise<void> {
    const deadline = performance.now() + limitMs;
    while (this.busy) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${what}: ${this.inflight.size} SQEs still in flight after ${limitMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.idleWake = (): void => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Completes everything shipped or waiting with `errno` (default: from `err`); later shipments fail at once. */
  fail(err: Error, errno?: number): void {
    if (this.lastError === null) this.lastError = err;
    if (this.deadlineTimer !== 0) this.clock.clearTimer(this.deadlineTimer);
    this.deadlineTimer = 0;
    this.deadlineAt = Infinity;
    this.keepaliveOn = false;
    this.link.setKeepalive?.(false);
    const e = errno ?? errnoOfLinkError(err);
    const shipped = this.inflight.clear();
    this.used = 0;
    for (const s of shipped) {
      if (s.abandoned) continue;
      setDeviceTimes(s.slot, undefined, undefined); // failed here, not timed by the device
      s.owner.remoteComplete(s.slot, e, false, null);
    }
    const waiting = this.waiting.splice(0);
    for (const w of waiting) this.failMembers(w, e);
    this.pump();
  }

  private ship(w: Shipment, plan: ChainPlan | null): void {
    const { members, owner } = w;
    const n = members.length;
    // A lone SQE without a timeout (the common case) has no deadline: no array for it.
    const deadlines = n === 1 && members[0]!.sqe.timeoutMs <= 0 ? null : deadlinesOf(members, this.clock.now(), this.allowanceMs);
    let signalled: number[] | null = null;
    let failedIds: number[] | null = null;
    for (let i = 0; i < n; i++) {
      const m = members[i]!;
      const id = this.inflight.allocId();
      const deadline = deadlines === null ? Infinity : deadlines[i]!;
      this.inflight.add({ id, slot: m, owner, abandoned: false, deadline, members });
      if (plan === null) (failedIds ??= []).push(id);
      if (m.rendezvous?.signaled === true) (signalled ??= []).push(id);
      if (deadline < this.deadlineAt) this.armDeadline(deadline);
      if (plan !== null) plan.sqes[i]!.id = id;
    }
    this.used += n;
    this.watch();
    // What cannot fit one frame (a unit whose buffers are too big for the agent) fails here, as
    // the agent fails a buffer over its limit: the head with -EMSGSIZE, the rest -ECANCELED.
    if (plan === null) {
      failedIds?.forEach((id, i) => this.deliver(id, i === 0 ? -EMSGSIZE : -ECANCELED, 0, null));
      return;
    }
    if (this.batch.length === 0) this.batchLimit = this.batchBudget();
    else if (this.batchBytes + plan.bytes > this.batchLimit) {
      this.flush();
      this.batchLimit = this.batchBudget();
    }
    appendPlan(this.batch, this.batchRegions, plan);
    this.batchBytes += plan.bytes;
    if (signalled !== null) this.batchSignals.push(...signalled);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushSoon);
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

  /**
   * The id `s` is shipped under, unless the host ended it early (abandoned); else undefined. A
   * scan of what is in flight (at most the agent's max_sqes): only cancel, signal and expiring
   * deadlines ask, so shipping and completing keep no second map.
   */
  private idOf(s: IodevSqe): number | undefined {
    return this.inflight.find((e) => e.slot === s && !e.abandoned)?.id;
  }

  private deliver(id: number, result: number, flags: number, data: Uint8Array | null, startUs?: number, endUs?: number): void {
    const shipped = this.inflight.get(id);
    if (shipped === undefined) {
      this.strayCqes++;
      return;
    }
    // The agent's device times, for whoever watches the completion (the tracer).
    setDeviceTimes(shipped.slot, startUs, endUs);
    const more = (flags & RTIO_CQE_FLAG_MORE) !== 0;
    if (!more) {
      this.inflight.delete(id);
      this.used--;
    }
    if (!shipped.abandoned) {
      const armed = shipped.owner.remoteComplete(shipped.slot, result, more, data !== null && data.length > 0 ? data : null);
      if (more && !armed) shipped.abandoned = true;
    }
    if (!more) this.pump();
    this.watch();
  }

  /** Keepalive on while the agent holds work: a reset or silent agent is noticed then. Told only on a change. */
  private watch(): void {
    const on = this.lastError === null && this.busy;
    if (on === this.keepaliveOn) return;
    this.keepaliveOn = on;
    this.link.setKeepalive?.(on);
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
    for (const s of this.inflight.values()) {
      if (s.abandoned || s.deadline > now) continue;
      if (this.lastError === null) this.send({ cancel: { id: s.id } });
      const at = s.members.indexOf(s.slot);
      s.members.forEach((m, i) => {
        if (i < at) return;
        const mid = this.idOf(m);
        const entry = mid === undefined ? undefined : this.inflight.get(mid);
        if (entry === undefined || entry.abandoned) return;
        entry.abandoned = true;
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
      if (this.used + next.members.length > this.maxSqes) break;
      this.waiting.shift();
      this.ship(next, this.plan(next.members, next.unit));
    }
    if (!this.busy && this.idleWake !== null) {
      const wake = this.idleWake;
      this.idleWake = null;
      wake();
    }
  }

  /** Completes every member of `w` with `errno` (the members were never shipped). */
  private failMembers(w: Shipment, errno: number): void {
    for (const m of w.members) w.owner.remoteComplete(m, errno, false, null);
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
