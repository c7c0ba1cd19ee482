/**
 * What a shipper has in flight on an agent, by wire id: an array indexed by the id's low bits
 * rather than a Map, so that shipping and completing an SQE hash nothing, and the table does not
 * grow and shrink with every batch (a Map rehashes as it fills up to the agent's max_sqes and
 * drains again). Ids are handed out in turn, skipping any whose place is taken, so no two entries
 * in flight share one.
 */

/** The largest wire id; ids run 1..MAX_WIRE_ID and then start at 1 again. */
export const MAX_WIRE_ID = 0x7fffffff;

/** Most entries a table holds at once, whatever an agent's max_sqes says: 32768. */
export const MAX_INFLIGHT = 1 << 15;

/** Entries in flight, each under the id {@link InflightTable.allocId} gave it. */
export class InflightTable<T extends { readonly id: number }> {
  readonly #entries: (T | undefined)[];
  /** When each place was filled (a count of fills): the order {@link InflightTable.values} gives. */
  readonly #filledAt: number[];
  readonly #mask: number;
  #size = 0;
  #fills = 0;
  #nextId = 1;

  /** Most entries it holds at once: the capacity asked for, at most {@link MAX_INFLIGHT}. */
  readonly capacity: number;

  /**
   * A table for at most `capacity` entries at once (the agent's max_sqes, at most
   * {@link MAX_INFLIGHT}), with places for twice as many.
   */
  constructor(capacity: number) {
    this.capacity = Math.min(Math.max(capacity, 0), MAX_INFLIGHT);
    let places = 16;
    while (places < 2 * this.capacity) places *= 2;
    this.#entries = new Array<T | undefined>(places).fill(undefined);
    this.#filledAt = new Array<number>(places).fill(0);
    this.#mask = places - 1;
  }

  /** Entries in flight. */
  get size(): number {
    return this.#size;
  }

  /** The entry under `id`, or undefined. */
  get(id: number): T | undefined {
    const e = this.#entries[id & this.#mask];
    return e !== undefined && e.id === id ? e : undefined;
  }

  /** The next id in turn (1..{@link MAX_WIRE_ID}) whose place is free; the table must hold fewer than its capacity. */
  allocId(): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id >= MAX_WIRE_ID ? 1 : id + 1;
      if (this.#entries[id & this.#mask] === undefined) return id;
    }
  }

  /** Adds `e` under its id, which {@link InflightTable.allocId} gave and nothing else holds. */
  add(e: T): void {
    const at = e.id & this.#mask;
    this.#entries[at] = e;
    this.#filledAt[at] = this.#fills++;
    this.#size++;
  }

  /** Removes the entry under `id`, if any. */
  delete(id: number): void {
    const at = id & this.#mask;
    const e = this.#entries[at];
    if (e === undefined || e.id !== id) return;
    this.#entries[at] = undefined;
    this.#size--;
  }

  /** The first entry `pred` accepts, in no particular order (a scan: no array made, nothing sorted), or undefined. */
  find(pred: (e: T) => boolean): T | undefined {
    for (const e of this.#entries) if (e !== undefined && pred(e)) return e;
    return undefined;
  }

  /** Every entry, in the order they were added. */
  values(): T[] {
    const at: number[] = [];
    for (let i = 0; i < this.#entries.length; i++) if (this.#entries[i] !== undefined) at.push(i);
    at.sort((a, b) => this.#filledAt[a]! - this.#filledAt[b]!);
    return at.map((i) => this.#entries[i]!);
  }

  /** Removes every entry; returns them in the order they were added. */
  clear(): T[] {
    const all = this.values();
    this.#entries.fill(undefined);
    this.#size = 0;
    return all;
  }
}
