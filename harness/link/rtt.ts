/** The adaptive retransmission timeout of RFC 6298, from round trips measured on the link's clock. */
import type { LinkLimits } from './limits';

/** The limits the estimator follows. */
export type RttLimits = Pick<LinkLimits, 'retransmitMs' | 'retransmitMinMs' | 'retransmitMaxMs'>;

/**
 * Smoothed round-trip time (SRTT), its deviation (RTTVAR) and the retransmission timeout
 * RTO = SRTT + 4 RTTVAR within `retransmitMinMs`..`retransmitMaxMs`, starting at `retransmitMs`
 * and doubled (up to the ceiling) by each timeout. Samples come from packets sent once only
 * (Karn's rule is the caller's). An SRTT of 0 counts as not measured yet, so a zero-length
 * sample is taken as a first one again.
 */
export class RttEstimator {
  #srtt = 0;
  #rttvar = 0;
  #rto: number;

  constructor(private readonly limits: RttLimits) {
    this.#rto = limits.retransmitMs;
  }

  /** Smoothed round-trip time in ms; 0 until measured. */
  get srttMs(): number {
    return this.#srtt;
  }

  /** The retransmission timeout in force, in ms. */
  get rtoMs(): number {
    return this.#rto;
  }

  /**
   * One round trip as the link counts time for holding back a second recovery: the smoothed
   * round trip, but at least `retransmitMinMs`.
   */
  get roundTripMs(): number {
    return Math.max(this.#srtt, this.limits.retransmitMinMs);
  }

  /** Takes one round-trip sample in ms (RFC 6298, section 2). */
  sample(rtt: number): void {
    if (this.#srtt === 0) {
      this.#srtt = rtt;
      this.#rttvar = rtt / 2;
    } else {
      this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - rtt);
      this.#srtt = 0.875 * this.#srtt + 0.125 * rtt;
    }
    this.#rto = Math.min(this.limits.retransmitMaxMs, Math.max(this.limits.retransmitMinMs, this.#srtt + 4 * this.#rttvar));
  }

  /** A retransmission timeout passed: the timeout doubles, up to `retransmitMaxMs`. */
  backOff(): void {
    this.#rto = Math.min(this.limits.retransmitMaxMs, this.#rto * 2);
  }
}
