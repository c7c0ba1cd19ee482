/**
 * The sending half of go-back-N: numbering, the window and its queue, cumulative
 * acknowledgements, retransmission on a timeout or a REJ, and the adaptive timeout.
 */
import type { Clock, TimerId } from '../clock';
import type { LinkLimits } from './limits';
import { linkObservers } from './observer';
import type { RttEstimator } from './rtt';
import type { LinkStats } from './stats';

/** What a {@link Sender} asks of the link it serves. */
export interface SenderLink {
  /** Writes sequenced packet `seq` carrying `body` (the encoded body alone; the link adds seq and ack). */
  transmit(seq: number, body: Uint8Array): void;
  /**
   * The retransmission timer expired with `seq` the oldest unacknowledged packet, after `rounds`
   * timeouts without progress and `stalledMs` without an acknowledgement: true when the link
   * gave up, false to send everything again.
   */
  retransmitExpired(seq: number, rounds: number, stalledMs: number): boolean;
  /** The time by which acknowledgements must progress, given when they last did; undefined for none. */
  stallDeadline(progressAt: number): number | undefined;
}

/** A sequenced packet from `send()` (or a keepalive) until it is acknowledged. */
interface Outgoing {
  readonly seq: number;
  /** The body alone, encoded: the tail of the packet after seq and ack; empty for a keepalive. */
  readonly body: Uint8Array;
  /** When it was last sent, on the link's clock; 0 before it was sent. */
  sentAt: number;
  /** Sent more than once: its acknowledgement says nothing of the round trip (Karn). */
  resent: boolean;
}

/**
 * Sends numbered packets, at most `window` unacknowledged (host to agent: HelloReply.window;
 * agent to host: the agent's own `window` option), later ones queued (at most
 * `maxQueuedPackets`). Go-back-N: when the retransmission timeout passes, or the peer sends a
 * REJ (the packet after `ack` is lost), every unacknowledged packet goes again, in order, without
 * waiting for a timeout for a REJ but at most once per round trip, so the REJs of packets
 * already on their way cause no round of their own. The timeout follows the round trips
 * measured (rtt.ts) and doubles after each timeout. Counts retransmits, fastRetransmits, and
 * acks of packets never sent as unexpected.
 */
export class Sender {
  /** Sequenced packets that may be unacknowledged at once (the peer's window). */
  window: number;
  #nextSeq = 1;
  #unacked: Outgoing[] = [];
  #queue: Outgoing[] = [];
  /** The clock timer, armed for {@link Sender.#timerAt}; 0 when none. */
  #timer: TimerId = 0;
  #timerAt = Infinity;
  /**
   * When the retransmission is due; Infinity when nothing is. The clock timer is armed lazily:
   * stopping leaves it armed, and it fires, finds nothing due (or not yet) and re-arms only when
   * needed, so no timer is re-armed per acknowledgement.
   */
  #dueAt = Infinity;
  readonly #fire = (): void => this.#onTimer();
  #rounds = 0;
  /** When acknowledgements last made progress (or the first unacknowledged packet went out). */
  #progressAt = 0;
  /** No fast retransmit before this time: the last one's packets are still on their way. */
  #fastHoldUntil = -Infinity;

  constructor(
    private readonly link: SenderLink,
    private readonly clock: Clock,
    private readonly limits: Pick<LinkLimits, 'window' | 'maxQueuedPackets'>,
    private readonly rtt: RttEstimator,
    private readonly counters: LinkStats,
  ) {
    this.window = limits.window;
  }

  /** Packets sent and not yet acknowledged. */
  get inFlight(): number {
    return this.#unacked.length;
  }

  /** Packets waiting for room in the window. */
  get queued(): number {
    return this.#queue.length;
  }

  /** True when nothing is unacknowledged or queued. */
  get idle(): boolean {
    return this.#unacked.length === 0 && this.#queue.length === 0;
  }

  /**
   * Numbers an encoded body and sends it, or queues it behind the window. Throws `RangeError`
   * when `maxQueuedPackets` already wait.
   */
  send(body: Uint8Array): void {
    const outgoing: Outgoing = { seq: this.#nextSeq, body, sentAt: 0, resent: false };
    if (this.#queue.length === 0 && this.#unacked.length < this.window) {
      this.#nextSeq++;
      this.#unacked.push(outgoing);
      this.#transmit(outgoing);
      return;
    }
    if (this.#queue.length >= this.limits.maxQueuedPackets) {
      throw new RangeError(`"send" queue is full: ${this.#queue.length} packets wait for the window (maxQueuedPackets)`);
    }
    this.#nextSeq++;
    this.#queue.push(outgoing);
  }

  /**
   * Takes a cumulative ack: the packets it covers leave the window, a round trip is measured
   * (from a packet sent once), queued ones go out. True when it acknowledged something new.
   */
  takeAck(ack: number): boolean {
    const now = this.clock.now();
    let newest: Outgoing | undefined;
    while (this.#unacked.length > 0 && this.#unacked[0]!.seq <= ack) newest = this.#unacked.shift();
    if (newest === undefined) {
      if (ack >= this.#nextSeq) this.counters.unexpected++;
      return false;
    }
    if (!newest.resent) this.rtt.sample(now - newest.sentAt);
    this.#rounds = 0;
    this.#progressAt = now;
    this.#stopTimer();
    while (this.#queue.length > 0 && this.#unacked.length < this.window) {
      const next = this.#queue.shift()!;
      this.#unacked.push(next);
      this.#transmit(next);
    }
    this.#armTimer();
    return true;
  }

  /** The peer sent a REJ: everything unacknowledged again now, unless a REJ did so within a round trip. */
  fastRetransmit(): void {
    if (this.#unacked.length === 0) return;
    const now = this.clock.now();
    if (now < this.#fastHoldUntil) return;
    this.counters.fastRetransmits++;
    // The duplicate acks still on their way answer packets sent before this round.
    this.#fastHoldUntil = now + this.rtt.roundTripMs;
    this.#stopTimer();
    this.#resendAll();
  }

  /** Forgets every packet and starts numbering at 1 again (a new session); the round-trip estimate stays. */
  reset(): void {
    this.#stopTimer();
    this.clock.clearTimer(this.#timer);
    this.#timer = 0;
    this.#timerAt = Infinity;
    this.#nextSeq = 1;
    this.#unacked = [];
    this.#queue = [];
    this.#rounds = 0;
    this.#fastHoldUntil = -Infinity;
  }

  #transmit(o: Outgoing): void {
    if (this.#unacked[0] === o && !o.resent && o.sentAt === 0) this.#progressAt = this.clock.now();
    o.sentAt = this.clock.now();
    this.link.transmit(o.seq, o.body);
    this.#armTimer();
  }

  /** Go-back-N: every unacknowledged packet again, in order. */
  #resendAll(): void {
    for (const o of this.#unacked) {
      this.counters.retransmits++;
      linkObservers.current?.retransmit(this.link, o.seq);
      o.resent = true;
      this.#transmit(o);
    }
  }

  #armTimer(): void {
    if (this.#dueAt !== Infinity || this.#unacked.length === 0) return;
    this.#setDue(this.clock.now() + this.rtt.rtoMs);
  }

  #stopTimer(): void {
    this.#dueAt = Infinity;
  }

  /** Due at `at`: the clock timer is armed for then unless it already fires no later. */
  #setDue(at: number): void {
    this.#dueAt = at;
    if (this.#timer !== 0 && this.#timerAt <= at) return;
    this.clock.clearTimer(this.#timer);
    this.#timerAt = at;
    this.#timer = this.clock.setTimer(at, this.#fire, undefined);
  }

  #onTimer(): void {
    this.#timer = 0;
    this.#timerAt = Infinity;
    if (this.#dueAt === Infinity) return;
    if (this.clock.now() < this.#dueAt) {
      this.#setDue(this.#dueAt); // acknowledgements moved it later since it was armed
      return;
    }
    this.#dueAt = Infinity;
    this.#onTimeout();
  }

  #onTimeout(): void {
    const oldest = this.#unacked[0];
    if (oldest === undefined) return;
    if (this.link.retransmitExpired(oldest.seq, this.#rounds, this.clock.now() - this.#progressAt)) return;
    this.#rounds++;
    this.rtt.backOff();
    this.#resendAll();
    // Time out no later than the stall deadline, however long the backed-off timeout is.
    const deadline = this.link.stallDeadline(this.#progressAt);
    if (deadline !== undefined && this.#dueAt !== Infinity) this.#setDue(Math.min(this.clock.now() + this.rtt.rtoMs, deadline));
  }
}
