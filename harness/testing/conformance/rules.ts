/**
 * @file The promises the conformance kit holds an iodev to, each with the section of
 * docs/semantics.md that states it, and the typed failure a broken promise raises.
 */

/** The promises RTIO makes to its users that depend on the iodev keeping them. */
export const RULES = {
  'one-cqe-per-sqe': 'every submitted SQE yields exactly one terminal CQE: none dropped, none doubled (semantics §1, §19)',
  'failure-completes': 'a failing unit still completes, with a negative errno, and the rest of its chain with -ECANCELED (§2, §19)',
  'chain-order': 'a chain member starts only after the one before it has completed, so it sees its effect; CQEs come in chain order (§2)',
  'iodev-fifo': 'operations on one iodev run in submission order, one unit at a time (§19)',
  'byte-counts': 'a transfer completes with the bytes it moved; a short transfer says so, which ends its chain (§3)',
  'transaction-unit': 'a transaction is one unit at the head\'s iodev (one I2C transfer with repeated STARTs), one CQE per member, in order (§4)',
  'cs-held-in-transaction': 'SPI: chip select stays asserted across the members of a transaction (§4)',
  'cs-released-between-units': 'SPI: chip select is released between units: between chain members and between chains (§4)',
  'nack-is-eio': 'I2C: a NACK (an absent device, a refused byte) fails the operation with -EIO (§19)',
  'zero-length-rejected': 'a transfer of 0 bytes is refused before it starts: a RangeError from the prep helper or submit (§17)',
  'max-length': 'a transfer of the largest length the target takes moves every byte (§3)',
  'data-integrity': 'a read returns the bytes the device sent (§3)',
  'cancel': 'a cancelled unit that has not started completes once with -ECANCELED, and so does the rest of its chain (§8)',
  'timeout': 'a unit past its timeoutMs completes with -ETIMEDOUT and the rest of its chain with -ECANCELED; the iodev stays usable (§9)',
  'mempool': 'a mempool read takes blocks from the context\'s pool and its CQE says which (§6)',
  'multishot': 'a multishot read re-arms until cancelled, every CQE but the last carries MORE, buffers are recycled (§5)',
  'gpio-levels': 'GPIO: a write sets output levels that a read returns (§19)',
  'gpio-edges': 'GPIO: an edge read completes with the edge an output change made (§19)',
  'no-leak': 'after the test nothing is in flight, overflowed, stray or held: every SQE, CQE and mempool block is free (rtio-fixture)',
} as const;

/** Name of one promise in {@link RULES}. */
export type RuleId = keyof typeof RULES;

/** Every rule id, in the order of {@link RULES}. */
export const RULE_IDS: readonly RuleId[] = Object.keys(RULES) as RuleId[];

/**
 * An iodev broke a promise: `rule` names it, `check` the kit check that saw it and `iodev` the
 * iodev. The message reads `iodev "x" breaks rule "r": what happened`.
 */
export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';
  /** Marker for {@link isConformanceFailure}. */
  readonly conformance = true;

  constructor(readonly rule: RuleId, readonly iodev: string, readonly check: string, readonly detail: string) {
    super(`iodev "${iodev}" breaks rule "${rule}" (${RULES[rule]}): ${detail}`);
  }
}

/** True when `e` is a {@link ConformanceFailure} (structurally, so it works across module copies). */
export function isConformanceFailure(e: unknown): e is ConformanceFailure {
  return e instanceof Error && e.name === 'ConformanceFailure' && (e as { conformance?: unknown }).conformance === true;
}
