/**
 * The two packets a busy link carries most, coded by hand: a Submit encoded without protobufjs's
 * verify, writer and copy, and a Complete (or a pure ack) decoded into plain data without
 * protobufjs's message objects, toObject and the copy after it. Each is a fast path of
 * messages.ts (`encodePacket`, `decodePacket`) and gives exactly what protobufjs gives: bytes
 * canonically encoded, the same plain data. Anything else, or anything unusual (an unknown field,
 * a repeated body, a varint over 5 bytes, a value that is not a uint32, a truncated field), is
 * not taken: the caller falls back to protobufjs, which then encodes, decodes or reports it.
 */

/** A CQE as decodePacket gives it (messages.ts, Cqe): device times only when sent. */
export interface HotCqe {
  id: number;
  result: number;
  flags: number;
  data: Uint8Array;
  startUs?: number;
  endUs?: number;
}

/** A Complete or a pure ack as decodePacket gives it (messages.ts, Packet). */
export type HotPacket = { seq: number; ack: number; rej: boolean } & ({ complete: { cqes: HotCqe[] }; body: 'complete' } | { complete?: undefined; body?: undefined });

/** Returned when the input is not one the fast path takes. */
export const NOT_TAKEN = null;

// ------------------------------------------------------------------ encoding a Submit

const SQE_TX_TAG = 0x3a;
const SUBMIT_SQE_TAG = 0x0a;
const SUBMIT_REGION_TAG = 0x12;
const PACKET_SUBMIT_TAG = 0x2a;
const REGION_LEN_TAG = 0x08;
const REGION_INIT_TAG = 0x12;

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

function putVarint(dst: Uint8Array, at: number, value: number): number {
  let v = value;
  while (v > 0x7f) {
    dst[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  dst[at++] = v;
  return at;
}

/** A uint32 protobufjs would encode as is: an integer in [0, 2^32). Anything else goes the slow way. */
function isUint32(v: unknown): v is number {
  return typeof v === 'number' && v >= 0 && v <= 0xffffffff && Math.floor(v) === v;
}

/** A plain object (an object literal): the only kind whose fields the fast path reads. */
function isPlain(o: unknown): o is Record<string, unknown> {
  return typeof o === 'object' && o !== null && Object.getPrototypeOf(o) === Object.prototype;
}

/** A field the fast path does not take: -Infinity, so that any sum of sizes holding one stays negative. */
const JUDGED = -Infinity;

/** Bytes of a uint32 field holding `v` (none when absent or 0), or {@link JUDGED} when protobufjs must judge it. */
function u32Size(v: unknown): number {
  return v === undefined || v === null || v === 0 ? 0 : isUint32(v) ? 1 + varintSize(v) : JUDGED;
}

/** Bytes of a bytes field holding `v` (0 when absent or empty), or {@link JUDGED} when protobufjs must judge it. */
function bytesSize(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (!(v instanceof Uint8Array)) return JUDGED;
  return v.length > 0 ? 1 + varintSize(v.length) + v.length : 0;
}

/**
 * Bytes of `sqe` encoded, or a negative number when the fast path does not take it. Its fields are
 * read by name, one by one: no array is made per SQE.
 */
function sqeSize(sqe: Record<string, unknown>): number {
  return u32Size(sqe.id) + u32Size(sqe.op) + u32Size(sqe.flags) + u32Size(sqe.iodev) + u32Size(sqe.iodevFlags) +
    u32Size(sqe.prio) + bytesSize(sqe.tx) + u32Size(sqe.len) + u32Size(sqe.txRegion) + u32Size(sqe.timeoutUs) +
    u32Size(sqe.delayUs) + u32Size(sqe.i2cConfig) + u32Size(sqe.txOffset) + u32Size(sqe.rxRegion) + u32Size(sqe.rxOffset);
}

/** Writes uint32 field `field` holding `v` (checked by {@link sqeSize}) unless it is 0; returns the index after it. */
function putU32(dst: Uint8Array, at: number, field: number, v: unknown): number {
  if (!v) return at;
  dst[at++] = field << 3; // a varint
  return putVarint(dst, at, v as number);
}

/**
 * Writes up to eight uint32 fields numbered from `first` on, in order, each unless it is 0 (or
 * absent); returns the index after them.
 */
function putRun(dst: Uint8Array, at: number, first: number, v0: unknown, v1: unknown, v2: unknown, v3: unknown, v4: unknown, v5: unknown, v6: unknown, v7: unknown): number {
  at = putU32(dst, at, first, v0);
  at = putU32(dst, at, first + 1, v1);
  at = putU32(dst, at, first + 2, v2);
  at = putU32(dst, at, first + 3, v3);
  at = putU32(dst, at, first + 4, v4);
  at = putU32(dst, at, first + 5, v5);
  at = putU32(dst, at, first + 6, v6);
  return putU32(dst, at, first + 7, v7);
}

/** Writes `sqe` (checked by {@link sqeSize}) in field order: 1..6, `tx` (7), 8..15; returns the index after it. */
function putSqe(dst: Uint8Array, at: number, sqe: Record<string, unknown>): number {
  at = putRun(dst, at, 1, sqe.id, sqe.op, sqe.flags, sqe.iodev, sqe.iodevFlags, sqe.prio, undefined, undefined);
  const tx = sqe.tx as Uint8Array | null | undefined;
  if (tx && tx.length > 0) {
    dst[at++] = SQE_TX_TAG;
    at = putVarint(dst, at, tx.length);
    dst.set(tx, at);
    at += tx.length;
  }
  return putRun(dst, at, 8, sqe.len, sqe.txRegion, sqe.timeoutUs, sqe.delayUs, sqe.i2cConfig, sqe.txOffset, sqe.rxRegion, sqe.rxOffset);
}

/** Bytes of `region` encoded, or -1 when the fast path does not take it. */
function regionSize(region: unknown): number {
  if (!isPlain(region) || region.$unknowns !== undefined) return -1;
  const n = u32Size(region.len) + bytesSize(region.init);
  return n < 0 ? -1 : n;
}

function putRegion(dst: Uint8Array, at: number, region: { len?: number | null; init?: Uint8Array | null }): number {
  if (region.len) {
    dst[at++] = REGION_LEN_TAG;
    at = putVarint(dst, at, region.len);
  }
  const init = region.init;
  if (init && init.length > 0) {
    dst[at++] = REGION_INIT_TAG;
    at = putVarint(dst, at, init.length);
    dst.set(init, at);
    at += init.length;
  }
  return at;
}

/** The members of a plain list, or undefined when it is not one the fast path takes (a missing list is empty). */
function listOf(v: unknown): readonly unknown[] | undefined {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : undefined;
}

/**
 * `encodePacket(packet)`'s bytes for a packet that is a Submit body alone (`{ submit: { sqes,
 * regions } }`, no seq or ack: the link adds those), in a new array; {@link NOT_TAKEN} for any
 * other packet, or one with a value protobufjs's verify would have to judge.
 */
export function encodeSubmitPacket(packet: object): Uint8Array | typeof NOT_TAKEN {
  if (!isPlain(packet)) return NOT_TAKEN;
  let keys = 0;
  for (const k in packet) {
    if (k !== 'submit' || ++keys > 1) return NOT_TAKEN;
  }
  const submit: unknown = packet.submit;
  if (!isPlain(submit) || submit.$unknowns !== undefined) return NOT_TAKEN;
  const sqes = listOf(submit.sqes);
  const regions = listOf(submit.regions);
  if (sqes === undefined || regions === undefined) return NOT_TAKEN;
  const sqeSizes: number[] = new Array<number>(sqes.length);
  let inner = 0;
  for (let i = 0; i < sqes.length; i++) {
    const sqe = sqes[i];
    if (!isPlain(sqe) || sqe.$unknowns !== undefined) return NOT_TAKEN;
    const n = sqeSize(sqe);
    if (n < 0) return NOT_TAKEN;
    sqeSizes[i] = n;
    inner += 1 + varintSize(n) + n;
  }
  const regionSizes: number[] = new Array<number>(regions.length);
  for (let i = 0; i < regions.length; i++) {
    const n = regionSize(regions[i]);
    if (n < 0) return NOT_TAKEN;
    regionSizes[i] = n;
    inner += 1 + varintSize(n) + n;
  }
  const out = new Uint8Array(1 + varintSize(inner) + inner);
  out[0] = PACKET_SUBMIT_TAG;
  let at = putVarint(out, 1, inner);
  for (let i = 0; i < sqes.length; i++) {
    out[at++] = SUBMIT_SQE_TAG;
    at = putVarint(out, at, sqeSizes[i]!);
    at = putSqe(out, at, sqes[i] as Record<string, unknown>);
  }
  for (let i = 0; i < regions.length; i++) {
    out[at++] = SUBMIT_REGION_TAG;
    at = putVarint(out, at, regionSizes[i]!);
    at = putRegion(out, at, regions[i] as { len?: number; init?: Uint8Array });
  }
  return out;
}

// ------------------------------------------------------------------ decoding a Complete

/** A cursor over the input; `pos` < 0 once the fast path gives up. */
interface Cursor {
  readonly buf: Uint8Array;
  pos: number;
}

/** A varint of at most 5 bytes whose value fits 32 bits, or -1 (the cursor then gives up). */
function getVarint(c: Cursor, end: number): number {
  const buf = c.buf;
  let at = c.pos;
  if (at < end && buf[at]! < 0x80) {
    c.pos = at + 1;
    return buf[at]!;
  }
  let v = 0;
  let scale = 1;
  for (let i = 0; i < 5 && at < end; i++) {
    const b = buf[at++]!;
    if (i === 4 && b > 0x0f) break;
    v += (b & 0x7f) * scale;
    if (b < 0x80) {
      c.pos = at;
      return v;
    }
    scale *= 0x80;
  }
  c.pos = -1;
  return -1;
}

/** The `data` of a CQE that carries none: empty, so nothing can be written into it, and shared. */
const NO_DATA: Uint8Array = Object.freeze(new Uint8Array(0)) as Uint8Array;

/** Decodes a Cqe of `len` bytes at the cursor, as toObject gives it; null when the fast path gives up. */
function getCqe(c: Cursor, len: number): HotCqe | null {
  const end = c.pos + len;
  if (end > c.buf.length) return null;
  let id = 0;
  let result = 0;
  let flags = 0;
  let data: Uint8Array | null = null;
  let startUs: number | undefined;
  let endUs: number | undefined;
  while (c.pos < end) {
    const tag = getVarint(c, end);
    if (tag < 0) return null;
    if (tag === 0x22) {
      const n = getVarint(c, end);
      if (n < 0 || c.pos + n > end) return null;
      data = new Uint8Array(n); // of its own, and a plain Uint8Array even when the input is a Buffer
      data.set(c.buf.subarray(c.pos, c.pos + n));
      c.pos += n;
      continue;
    }
    const v = getVarint(c, end);
    if (v < 0) return null;
    if (tag === 0x08) id = v;
    else if (tag === 0x10) result = (v >>> 1) ^ -(v & 1);
    else if (tag === 0x18) flags = v;
    else if (tag === 0x28) startUs = v;
    else if (tag === 0x30) endUs = v;
    else return null; // an unknown field or an unexpected wire type: protobufjs judges
  }
  // Both times (the usual case) in the literal: added afterwards, they would take a property store of their own.
  if (startUs !== undefined && endUs !== undefined) return { id, result, flags, data: data ?? NO_DATA, startUs, endUs };
  const cqe: HotCqe = { id, result, flags, data: data ?? NO_DATA };
  if (startUs !== undefined) cqe.startUs = startUs;
  if (endUs !== undefined) cqe.endUs = endUs;
  return cqe;
}

/**
 * `decodePacket(bytes)` for a Complete or a pure ack (seq, ack, rej and at most one Complete
 * body, nothing else), as plain data of its own; {@link NOT_TAKEN} for anything else, including
 * every input protobufjs would reject.
 */
export function decodeCompletePacket(bytes: Uint8Array): HotPacket | typeof NOT_TAKEN {
  const c: Cursor = { buf: bytes, pos: 0 };
  const end = bytes.length;
  let seq = 0;
  let ack = 0;
  let rej = false;
  let cqes: HotCqe[] | null = null;
  while (c.pos < end) {
    const tag = getVarint(c, end);
    if (tag < 0) return NOT_TAKEN;
    if (tag === 0x32) {
      if (cqes !== null) return NOT_TAKEN; // a second body: protobufjs merges
      const len = getVarint(c, end);
      if (len < 0 || c.pos + len > end) return NOT_TAKEN;
      const bodyEnd = c.pos + len;
      cqes = [];
      while (c.pos < bodyEnd) {
        if (getVarint(c, bodyEnd) !== 0x0a) return NOT_TAKEN;
        const n = getVarint(c, bodyEnd);
        if (n < 0 || c.pos + n > bodyEnd) return NOT_TAKEN;
        const cqe = getCqe(c, n);
        if (cqe === null) return NOT_TAKEN;
        cqes.push(cqe);
      }
      continue;
    }
    const v = getVarint(c, end);
    if (v < 0) return NOT_TAKEN;
    if (tag === 0x08) seq = v;
    else if (tag === 0x10) ack = v;
    else if (tag === 0x78) rej = v !== 0;
    else return NOT_TAKEN;
  }
  if (cqes === null) return { seq, ack, rej };
  return { seq, ack, rej, complete: { cqes }, body: 'complete' };
}
