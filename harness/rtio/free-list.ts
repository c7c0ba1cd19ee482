/**
 * A fixed set of reusable objects handed out last-in first-out (the SQE and CQE pools). Its array
 * never changes length: `pop` and `push` on a plain array would let the engine shrink and regrow
 * its storage on every batch that empties the pool.
 */
export class FreeList<T> {
  private readonly items: (T | null)[];
  private top: number;

  /** Holds `items`, all free. */
  constructor(items: readonly T[]) {
    this.items = [...items];
    this.top = items.length;
  }

  /** Items free now. */
  get length(): number {
    return this.top;
  }

  /** Takes the most recently returned free item, or null when none is free. */
  take(): T | null {
    if (this.top === 0) return null;
    const item = this.items[--this.top]!;
    this.items[this.top] = null;
    return item;
  }

  /** Returns `item`. Throws `RangeError` when more come back than the list holds (a double release). */
  give(item: T): void {
    if (this.top === this.items.length) throw new RangeError('more items returned than the free list holds');
    this.items[this.top++] = item;
  }
}
