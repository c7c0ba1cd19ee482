/**
 * Maps an agent's device times (its µs clock modulo 2^32, docs/wire.md "Device times") onto the
 * host's clock for one traced target: values are unwrapped into one increasing timeline, and the
 * offset between the clocks comes from round trips. A unit the host handed over at host time `a`
 * (µs) and whose CQE arrived at `b` ran on the device within [a, b], so the device's [start, end]
 * fits that window with `slack = (b - a) - (end - start)` to spare; centring it puts the offset
 * within ± slack / 2 of the truth. The tightest round trip seen wins (a NOP's is the link's own).
 */

/** 2^32: the wire's device times wrap at it. */
const WRAP = 2 ** 32;

/** Device-to-host time mapping of one target, refined by every bounded unit. */
export class DeviceClock {
  private last = NaN;
  private bestSlack = Infinity;
  private fallback = Infinity;
  /** Host µs minus device µs, from the tightest round trip; NaN before the first. */
  private offset = NaN;
  /** Round trips that bounded the offset (units with a known hand-over time). */
  samples = 0;

  /** True once a device time was seen: the agent reports them. */
  get seen(): boolean {
    return !Number.isNaN(this.last);
  }

  /** Device µs (unwrapped) of wire value `wire` (µs modulo 2^32), taken as within 2^31 µs of the last one. */
  unwrap(wire: number): number {
    if (Number.isNaN(this.last)) {
      this.last = wire;
      return wire;
    }
    const diff = ((((wire - this.last) % WRAP) + WRAP + WRAP / 2) % WRAP) - WRAP / 2;
    this.last += diff;
    return this.last;
  }

  /**
   * A unit that started on the device at `devStart` and ended at `devEnd` (unwrapped µs) no
   * earlier than host µs `hostFrom` (NaN: unknown, e.g. a chain member the device started on its
   * own) and no later than `hostTo`, its CQE's arrival.
   */
  bound(hostFrom: number, hostTo: number, devStart: number, devEnd: number): void {
    this.fallback = Math.min(this.fallback, hostTo - devEnd);
    const slack = hostTo - hostFrom - (devEnd - devStart);
    if (!(slack >= 0)) return;
    this.samples++;
    if (slack >= this.bestSlack) return;
    this.bestSlack = slack;
    this.offset = hostFrom + slack / 2 - devStart;
  }

  /** Host µs minus device µs: from the tightest round trip, else the latest the CQEs allow. */
  get offsetUs(): number {
    return Number.isNaN(this.offset) ? this.fallback : this.offset;
  }

  /** How far {@link DeviceClock.offsetUs} may be off, µs: half the tightest round trip's slack (Infinity when none bounded it). */
  get accuracyUs(): number {
    return this.bestSlack / 2;
  }
}
