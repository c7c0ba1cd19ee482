/** Faults a test can inject into a target's iodevs (targets that have `'fault-injection'`). */
/**
 * A fault an emulated iodev applies to the operations it runs:
 * - `nack`: the I2C target NACKs byte `atByte` of the transfer (0 = the address byte); the
 *   operation fails with `-EIO` and the bus sends STOP.
 * - `short-read`: a read delivers only `bytes` bytes; the operation completes with that count.
 * - `bus-timeout`: the bus hangs (clock stretched, no response); the operation fails with
 *   `-ETIMEDOUT` after the bus's timeout.
 * - `delay`: the operation takes `ms` longer.
 */
export type Fault =
  | { readonly kind: 'nack'; readonly atByte: number }
  | { readonly kind: 'short-read'; readonly bytes: number }
  | { readonly kind: 'bus-timeout' }
  | { readonly kind: 'delay'; readonly ms: number };

/** Every fault kind, for validation and docs. */
export const FAULT_KINDS: readonly Fault['kind'][] = ['nack', 'short-read', 'bus-timeout', 'delay'];

/** Throws `RangeError` naming the field when `fault` is not a well-formed {@link Fault}. */
export function validateFault(fault: Fault): void {
  const f = fault as { kind?: unknown; atByte?: unknown; bytes?: unknown; ms?: unknown };
  switch (f.kind) {
    case 'nack':
      if (!Number.isInteger(f.atByte) || (f.atByte as number) < 0) throw new RangeError(`"fault.atByte" must be an integer >= 0, got ${String(f.atByte)}`);
      return;
    case 'short-read':
      if (!Number.isInteger(f.bytes) || (f.bytes as number) < 0) throw new RangeError(`"fault.bytes" must be an integer >= 0, got ${String(f.bytes)}`);
      return;
    case 'bus-timeout':
      return;
    case 'delay':
      if (typeof f.ms !== 'number' || !(f.ms >= 0) || !Number.isFinite(f.ms)) throw new RangeError(`"fault.ms" must be a finite number >= 0, got ${String(f.ms)}`);
      return;
    default:
      throw new RangeError(`"fault.kind" must be one of ${FAULT_KINDS.join(', ')}, got ${String(f.kind)}`);
  }
}
