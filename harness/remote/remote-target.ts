/**
 * A target whose chains run on an agent at the other end of a link: a board's firmware, the
 * native agent process, or the emulator behind the wire. The host executor ships it every chain
 * all of whose members the agent can run; ./shipper keeps the queue to the agent.
 */
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import {
  ENOTCONN, Rtio, RTIO_OP_AWAIT, RTIO_OP_DELAY, RTIO_OP_NOP, RTIO_SQE_CANCELED, iodevSqeErr,
  sqePrepNop, txnNext,
} from '../rtio';
import type { Iodev, IodevSqe, RemoteCompletion, Sqe } from '../rtio';
import type { Fault } from '../target/faults';
import { validateFault } from '../target/faults';
import type { IodevInfo, Target } from '../target/target';
import { targetHas, unknownIodev } from '../target/target';
import type { IodevCapability, TargetCapability } from '../target/capabilities';
import { faultToWire, iodevInfoFromWire } from '../target/wire';
import type { Packet } from '../../protocol/messages';
import { linkObservers } from '../link/observer';
import type { AgentHello, PacketLink } from './packet-link';
import { RemoteIodev, UnitCompletion } from './remote-iodev';
import type { UnitShipper } from './remote-iodev';
import type { ChainPlan } from './remote-plan';
import { Shipper, errnoOfLinkError } from './shipper';

/** Options of a {@link RemoteTarget}. */
export interface RemoteTargetOptions {
  /** Target-level capabilities from the board file, e.g. `'fault-injection'`. */
  readonly capabilities?: readonly TargetCapability[];
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

/** Default of {@link RemoteTargetOptions.deadlineAllowanceMs}: more than the link's stall limit. */
export const REMOTE_DEADLINE_ALLOWANCE_MS = 1000;

/** Default of {@link RemoteTargetOptions.settleTimeoutMs}. */
export const REMOTE_SETTLE_TIMEOUT_MS = 5000;

/** No chain planned (shared, never written). */
const NO_MEMBERS: IodevSqe[] = [];

/** Executor ops an agent runs itself (CALLBACK cannot travel: it is host code). */
const AGENT_EXECUTOR_OPS: readonly number[] = [RTIO_OP_NOP, RTIO_OP_DELAY, RTIO_OP_AWAIT];

/**
 * A target whose chains run on an agent at the other end of a link. Chains are shipped whole; the
 * agent's CQEs complete them. A reset or a lost link completes everything in flight at once with
 * `-ECONNRESET` or `-ENOTCONN` and keeps the typed error in {@link RemoteTarget.lastError}.
 */
export class RemoteTarget implements Target, UnitShipper {
  readonly clock: Clock = systemClock;
  readonly iodevs: readonly IodevInfo[];
  readonly capabilities: readonly TargetCapability[];
  /** Log lines the agent sent. */
  readonly logs: { level: number; text: string }[] = [];

  private readonly byName = new Map<string, RemoteIodev>();
  private readonly byIodev = new Set<Iodev>();
  private readonly shipper: Shipper;
  /**
   * The plan {@link RemoteTarget.canShip} made, kept for the `submitChain` that follows (in fields
   * of their own, not an object made per chain): the chain's head, its members and their plan.
   */
  private plannedHead: IodevSqe | null = null;
  private plannedMembers: IodevSqe[] = NO_MEMBERS;
  private plannedPlan: ChainPlan | null = null;
  private closed = false;

  constructor(readonly id: string, private readonly link: PacketLink, readonly hello: AgentHello, private readonly opts: RemoteTargetOptions = {}) {
    this.capabilities = opts.capabilities ?? [];
    this.iodevs = hello.iodevs.map(iodevInfoFromWire);
    for (const d of hello.iodevs) {
      const dev = new RemoteIodev(d.name, d.id, this);
      this.byName.set(d.name, dev);
      this.byIodev.add(dev);
    }
    this.shipper = new Shipper(link, hello, this.clock, opts.deadlineAllowanceMs ?? REMOTE_DEADLINE_ALLOWANCE_MS);
    link.onPacket((p) => this.onPacket(p));
    link.onError((err) => this.shipper.fail(err));
  }

  /** The link failure that ended this target, if any (AgentResetError, DisconnectedError, ...). */
  get lastError(): Error | null {
    return this.shipper.lastError;
  }

  /** CQEs for SQE ids not in flight, counted and ignored. */
  get strayCqes(): number {
    return this.shipper.strayCqes;
  }

  /** SQEs the host completed with -ETIMEDOUT because the agent had not by their deadline. */
  get expiredDeadlines(): number {
    return this.shipper.expiredDeadlines;
  }

  iodev(name: string): Iodev {
    const dev = this.byName.get(name);
    if (dev === undefined) throw unknownIodev(this.id, name, this.iodevs);
    return dev;
  }

  has(capability: TargetCapability | IodevCapability, name?: string): boolean {
    return targetHas(this, capability, name);
  }

  injectFault(name: string, fault: Fault, count = 1): void {
    if (!this.capabilities.includes('fault-injection')) throw new RangeError(`target "${this.id}" lacks "fault-injection"`);
    validateFault(fault);
    const dev = this.byName.get(name);
    if (dev === undefined) throw unknownIodev(this.id, name, this.iodevs);
    this.shipper.send({ injectFault: faultToWire(dev.wireId, fault, count) });
  }

  clearFaults(): void {
    if (this.capabilities.includes('fault-injection') && this.lastError === null) this.shipper.send({ clearFaults: {} });
  }

  /**
   * Waits until the agent has completed everything shipped to it, then until every iodev is
   * idle: a NOP through each iodev's FIFO completes only after the work queued before it,
   * including operations whose SQE already timed out on the host.
   */
  async settle(): Promise<void> {
    const limit = this.opts.settleTimeoutMs ?? REMOTE_SETTLE_TIMEOUT_MS;
    await this.shipper.idle(limit, `target "${this.id}"`);
    if (this.lastError !== null) return;
    const r = new Rtio({ sqSize: this.byName.size, cqSize: this.byName.size });
    for (const dev of this.byName.values()) sqePrepNop(r.sqeAcquire()!, dev, dev.name);
    if ((await r.submit(this.byName.size, limit)) !== 0) {
      throw new Error(`target "${this.id}": its iodevs were still busy after ${limit} ms`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.shipper.fail(new Error(`target "${this.id}" closed`), -ENOTCONN);
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
    if (members.length > this.shipper.maxSqes) return false;
    const plan = this.shipper.plan(members, false);
    if (plan === null) return false;
    this.plannedHead = head;
    this.plannedMembers = members;
    this.plannedPlan = plan;
    return true;
  }

  submitChain(head: IodevSqe, owner: RemoteCompletion): void {
    const planned = this.plannedHead === head;
    const members = planned ? this.plannedMembers : chainMembers(head);
    const plan = planned ? this.plannedPlan : null;
    this.plannedHead = null;
    this.plannedMembers = NO_MEMBERS;
    this.plannedPlan = null;
    this.shipper.admit({ members, owner, unit: false }, plan);
  }

  submitUnit(head: IodevSqe): void {
    const members: IodevSqe[] = [];
    for (let m: IodevSqe | null = head; m !== null; m = txnNext(m)) members.push(m);
    if (this.lastError !== null) {
      iodevSqeErr(head, errnoOfLinkError(this.lastError));
      return;
    }
    this.shipper.admit({ members, owner: new UnitCompletion(head), unit: true }, null);
  }

  cancel(s: IodevSqe): void {
    // Still waiting on the host for room on the agent: it travels cancelled.
    if (this.shipper.cancel(s) && !this.shipper.isShipped(s)) s.sqe.flags |= RTIO_SQE_CANCELED;
  }

  cancelUnit(head: IodevSqe): boolean {
    if (this.shipper.dropWaitingUnit(head)) return true;
    this.cancel(head);
    return false;
  }

  signal(s: IodevSqe): void {
    this.shipper.signal(s);
  }

  private onPacket(p: Packet): void {
    if (p.body === 'complete') {
      this.shipper.complete(p.complete.cqes);
    } else if (p.body === 'log') {
      this.logs.push({ level: p.log.level, text: p.log.text });
      linkObservers.current?.deviceLog(this, p.log.level, p.log.text);
      this.opts.onLog?.(p.log.level, p.log.text);
    }
  }
}

/**
 * The members of the chain headed by `head`, in order (collected first: completing one unlinks
 * it), in an array of their number (one grown by push would hold room for 17).
 */
function chainMembers(head: IodevSqe): IodevSqe[] {
  if (head.next === null) return [head];
  let n = 0;
  for (let m: IodevSqe | null = head; m !== null; m = m.next) n++;
  const out = new Array<IodevSqe>(n);
  let i = 0;
  for (let m: IodevSqe | null = head; m !== null; m = m.next) out[i++] = m;
  return out;
}
