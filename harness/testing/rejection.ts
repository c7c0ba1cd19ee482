/** Awaiting a promise that must reject, in a test. */

/**
 * Resolves with the reason `promise` rejects with; rejects with `Error('expected a rejection')`
 * when it resolves instead.
 */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}
