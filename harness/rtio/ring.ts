/** A growable FIFO ring of references; O(1) push and shift without `Array.prototype.shift`. */
export class Ring<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;

  /** `capacity` is the initial size; the ring doubles when full. */
  constructor(capacity = 16) {
    this.items = new Array<T | undefined>(Math.max(1, capacity));
  }

  /** Number of items queued. */
  get length(): number {
    return this.count;
  }

  /** Appends an item at the tail. */
  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) % this.items.length] = item;
    this.count++;
  }

  /** Removes and returns the head item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return item;
  }

  /** The head item without removing it. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** The item `i` places from the head (0 = head), or `undefined` past the end. */
  at(i: number): T | undefined {
    return i < 0 || i >= this.count ? undefined : this.items[(this.head + i) % this.items.length];
  }

  /** Removes every item. */
  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.items.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }
}
