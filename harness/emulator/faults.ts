/** How an emulated iodev applies injected faults: a queue of armed rules per iodev. */
import { validateFault } from '../target/faults';
import type { Fault } from '../target/faults';

interface Rule {
  readonly fault: Fault;
  remaining: number;
}

/**
 * Faults queued on one iodev. Each operation (a transaction counts as one) the iodev starts
 * takes the oldest rule still armed; `count` says how many operations a rule affects: 1 for the
 * next SQE only, `Infinity` for every operation until {@link FaultInjector.clear}.
 */
export class FaultInjector {
  private readonly rules: Rule[] = [];
  /** Faults applied so far. */
  applied = 0;

  /** Arms `fault` for the next `count` operations (default 1). Throws `RangeError` on a malformed fault. */
  inject(fault: Fault, count = 1): void {
    validateFault(fault);
    if (!(count >= 1)) throw new RangeError(`"count" must be >= 1 (or Infinity), got ${count}`);
    this.rules.push({ fault, remaining: count });
  }

  /** The fault for the operation starting now, or null; consumes one use of it. */
  take(): Fault | null {
    const rule = this.rules[0];
    if (rule === undefined) return null;
    rule.remaining--;
    if (rule.remaining <= 0) this.rules.shift();
    this.applied++;
    return rule.fault;
  }

  /** Disarms every fault. */
  clear(): void {
    this.rules.length = 0;
  }

  /** Faults still armed. */
  get armed(): number {
    return this.rules.length;
  }
}

