/**
 * Small helpers tests share for driving a context by hand: take an SQE or fail, consume
 * completions with a bound on the context's clock, and look at them as `[userdata, result]`.
 */
import type { Cqe, CqeData, Rtio, Sqe } from '../rtio';

/** How long, in ms of the context's clock, {@link takeCqes} and {@link nextCqe} wait by default for one completion. */
export const TAKE_TIMEOUT_MS = 10_000;

/** An acquired SQE; throws when the SQ is full. */
export function acquire(r: Rtio): Sqe {
  const sqe = r.sqeAcquire();
  if (sqe === null) throw new Error(`the SQ is full (${r.sqSize} SQEs)`);
  return sqe;
}

/** The next completion, not yet released; throws when none comes within `timeoutMs` of the context's clock. */
export async function nextCqe(r: Rtio, timeoutMs = TAKE_TIMEOUT_MS): Promise<Cqe> {
  const c = await r.cqeConsumeBlock(timeoutMs);
  if (c === null) throw new Error(`no completion within ${timeoutMs} ms`);
  return c;
}

/** Consumes `n` completions in CQ order as plain data, releasing each; throws naming the one that did not come. */
export async function takeCqes(r: Rtio, n: number, timeoutMs = TAKE_TIMEOUT_MS): Promise<CqeData[]> {
  const out: CqeData[] = [];
  for (let i = 0; i < n; i++) {
    const c = await r.cqeConsumeBlock(timeoutMs);
    if (c === null) throw new Error(`completion ${i + 1} of ${n} did not come within ${timeoutMs} ms`);
    out.push({ result: c.result, userdata: c.userdata, flags: c.flags });
    r.cqeRelease(c);
  }
  return out;
}

/** `[userdata, result]` pairs of `cqes`, the shape most assertions compare. */
export function results(cqes: readonly CqeData[]): [unknown, number][] {
  return cqes.map((c) => [c.userdata, c.result]);
}

/** Consumes `n` completions ({@link takeCqes}) and returns their `[userdata, result]` pairs. */
export async function takeResults(r: Rtio, n: number, timeoutMs = TAKE_TIMEOUT_MS): Promise<[unknown, number][]> {
  return results(await takeCqes(r, n, timeoutMs));
}

/** Virtual ms that `bits` bit times take on an I2C bus at `hz` (default 400 kHz). */
export function i2cBitsMs(bits: number, hz = 400_000): number {
  return (bits * 1000) / hz;
}
