/** A completion as plain data (what `cqeCopyOut` returns). */
export interface CqeData {
  /** Bytes transferred or 0 on success; a negative errno on failure. */
  readonly result: number;
  /** The SQE's userdata. */
  readonly userdata: unknown;
  /** `RTIO_CQE_FLAG_*` value plus mempool block index and count. */
  readonly flags: number;
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
  /** @internal The context the user consumed this CQE from, until released; null while pooled or queued. */
  heldBy: object | null = null;
  /**
   * @internal When the SQE's unit started and when this CQE was posted (what an agent reports as
   * device times), on a context that stamps times; made on the first such CQE and kept.
   */
  times: CqeTimes | null = null;
  /** @internal Where it is in its context's ring of CQEs (completion-queue.ts); -1 for none. */
  index: number;

  /** @internal CQEs are made by their context's completion queue, `index` being its place there. */
  constructor(index = -1) {
    this.index = index;
  }
}

/** @internal When a CQE's unit started and when the CQE was posted, ms on the context's clock; NaN for a completion of no SQE that ran. */
export class CqeTimes {
  /** When the SQE's unit started. */
  startedAt = NaN;
  /** When the CQE was posted. */
  postedAt = NaN;
}

/** @internal Stamps `cqe` with `startedAt` and `postedAt`; allocates nothing for a CQE that never carried times and gets none. */
export function setCqeTimes(cqe: Cqe, startedAt: number, postedAt: number): void {
  if (cqe.times === null) {
    if (Number.isNaN(startedAt)) return;
    cqe.times = new CqeTimes();
  }
  cqe.times.startedAt = startedAt;
  cqe.times.postedAt = postedAt;
}
