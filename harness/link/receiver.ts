/**
 * The receiving half of go-back-N: in-order delivery by sequence number, delayed and immediate
 * cumulative acknowledgements, and REJ after a gap.
 */
import type { Clock, TimerId } from '../clock';
import { ACK_EVERY_PACKETS } from './limits';
import type { LinkLimits } from './limits';
import type { RttEstimator } from './rtt';
import type { LinkStats } from './stats';

/** What became of a received sequenced packet. */
export enum Arrival {
  /** The next in sequence: deliver it (a keepalive is only acknowledged). */
  Next,
  /** Delivered before: dropped, acknowledged again at once. */
  Duplicate,
  /** Ahead of a missing one: dropped; the first after a gap is answered with a REJ. */
  OutOfOrder,
}

/** A pure ack to send now: `{ rej: true }` makes it a REJ. */
export type AckFlags = { rej?: true };

/**
 * Delivers seq = delivered + 1 only: a duplicate (seq <= delivered) or an out-of-order packet
 * (seq > delivered + 1) is dropped, so a retransmitted Submit never runs twice. Owes the peer
 * acknowledgements: after every {@link ACK_EVERY_PACKETS} packets, on the next turn of the event
 * loop (setImmediate: after the packets read with them, and after what their listeners send in
 * reply, which carries the ack instead), else a pure ack (seq 0, no body) after `ackDelayMs`
 * unless a packet carries the ack first ({@link Receiver.ackSent}). A duplicate (its sender lost
 * an ack) is acknowledged at once; the first out-of-order packet after a gap is answered at once
 * with a REJ. Counts duplicates, outOfOrder and acksSent.
 */
export class Receiver {
  #delivered = 0;
  #owed = 0;
  /** The clock timer for a delayed pure ack, armed for {@link Receiver.#ackTimerAt}; 0 when none. */
  #ackTimer: TimerId = 0;
  #ackTimerAt = Infinity;
  /**
   * When a delayed pure ack is due; Infinity when none is owed. The clock timer is armed lazily:
   * a packet carrying the ack leaves it armed, and it fires, finds nothing owed and stops, so no
   * timer is armed and cleared per packet.
   */
  #ackDueAt = Infinity;
  readonly #ackFire = (): void => this.#onAckTimer();
  /** The ack owed after {@link ACK_EVERY_PACKETS} packets, due on the next turn of the event loop. */
  #ackSoon: NodeJS.Immediate | undefined;
  /** `#delivered` when the last REJ was sent, or -1; and when. */
  #rejectedAt = -1;
  #rejectedTime = -Infinity;

  /** `sendAck` writes a pure ack of {@link Receiver.delivered} (and calls {@link Receiver.ackSent}). */
  constructor(
    private readonly sendAck: (flags: AckFlags) => void,
    private readonly clock: Clock,
    private readonly limits: Pick<LinkLimits, 'ackDelayMs'>,
    private readonly rtt: RttEstimator,
    private readonly counters: LinkStats,
  ) {}

  /** The highest sequence number received in order: the ack every packet carries. */
  get delivered(): number {
    return this.#delivered;
  }

  /** Takes sequenced packet `seq` (>= 1) and says what became of it. */
  receive(seq: number): Arrival {
    if (seq === this.#delivered + 1) {
      this.#delivered++;
      this.#oweAck();
      return Arrival.Next;
    }
    if (seq <= this.#delivered) {
      this.counters.duplicates++;
      this.#ackNow({});
      return Arrival.Duplicate;
    }
    this.counters.outOfOrder++;
    this.#reject();
    return Arrival.OutOfOrder;
  }

  /** A packet carrying the current ack was sent: no acknowledgement is owed any more. */
  ackSent(): void {
    this.#ackDueAt = Infinity;
    if (this.#ackSoon !== undefined) clearImmediate(this.#ackSoon);
    this.#ackSoon = undefined;
    this.#owed = 0;
  }

  /** Starts a new session: nothing delivered, nothing owed. */
  reset(): void {
    this.ackSent();
    this.clock.clearTimer(this.#ackTimer);
    this.#ackTimer = 0;
    this.#ackTimerAt = Infinity;
    this.#delivered = 0;
    this.#rejectedAt = -1;
  }

  #oweAck(): void {
    if (++this.#owed >= ACK_EVERY_PACKETS) {
      this.#ackSoon ??= setImmediate(() => {
        this.#ackSoon = undefined;
        this.#ackNow({});
      });
      return;
    }
    if (this.#ackDueAt !== Infinity) return;
    this.#ackDueAt = this.clock.now() + this.limits.ackDelayMs;
    this.#armAckTimer();
  }

  /** Arms the clock timer for {@link Receiver.#ackDueAt} unless it already fires no later. */
  #armAckTimer(): void {
    if (this.#ackTimer !== 0 && this.#ackTimerAt <= this.#ackDueAt) return;
    this.clock.clearTimer(this.#ackTimer);
    this.#ackTimerAt = this.#ackDueAt;
    this.#ackTimer = this.clock.setTimer(this.#ackDueAt, this.#ackFire, undefined);
  }

  #onAckTimer(): void {
    this.#ackTimer = 0;
    this.#ackTimerAt = Infinity;
    if (this.#ackDueAt === Infinity) return;
    if (this.clock.now() < this.#ackDueAt) {
      this.#armAckTimer(); // owed again since it was armed: due later
      return;
    }
    this.#ackNow({});
  }

  /**
   * Answers the first out-of-order packet after a gap with a REJ: resend from ack + 1. Another
   * for the same gap only a round trip later (its retransmission was lost too), so packets
   * already on their way after the first do not each cause a round of their own.
   */
  #reject(): void {
    const now = this.clock.now();
    if (this.#rejectedAt === this.#delivered && now - this.#rejectedTime < this.rtt.roundTripMs) return;
    this.#rejectedAt = this.#delivered;
    this.#rejectedTime = now;
    this.#ackNow({ rej: true });
  }

  #ackNow(flags: AckFlags): void {
    this.counters.acksSent++;
    this.sendAck(flags);
  }
}
