/** A completion as plain data (what `cqeCopyOut` returns). */
export interface CqeData {
  /** Bytes transferred or 0 on success; a negative errno on failure. */
  readonly result: number;
  /** The SQE's userdata. */
  readonly userdata: unknown;
  /** `RTIO_CQE_FLAG_*` value plus mempool block index and count. */
  readonly flags: number;
}

/** Where a CQE is: in its context's pool, queued in the CQ, or held by the user. */
export enum CqeState {
  /** In the pool. */
  Free,
  /** Queued in the CQ, not yet consumed. */
  Queued,
  /** Consumed by the user, not yet released. */
  Consumed,
}

/**
 * A completion queue entry, Zephyr's `struct rtio_cqe`, owned by its context's CQE pool.
 * Read it after `cqeConsume`, then give it back with `cqeRelease`.
 */
export class Cqe implements CqeData {
  /** Bytes transferred or 0 on success; a negative errno on failure. */
  result = 0;
  /** The SQE's userdata. */
  userdata: unknown = undefined;
  /** `RTIO_CQE_FLAG_*` value plus mempool block index and count. */
  flags = 0;
  /** @internal */
  state = CqeState.Free;
  /** @internal The context whose pool owns this CQE. */
  owner: unknown = null;
  /**
   * @internal When the SQE's unit started and when this CQE was posted, ms on the context's
   * clock (what an agent reports as device times); NaN for a completion of no SQE that ran.
   */
  startedAt = NaN;
  /** @internal See {@link Cqe.startedAt}. */
  postedAt = NaN;
}
