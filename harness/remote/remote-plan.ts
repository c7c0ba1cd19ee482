/**
 * @file How a chain travels to an agent: its SQEs as wire SQEs, and the regions of host memory
 * its members share. A member that transmits bytes an earlier member of the same chain receives
 * (the whole buffer, a slice of it, or a TXRX's receive buffer) must send what that member read,
 * not what the buffer held at submit time; so every such overlap becomes a Region that the agent
 * holds for the chain, the receiving member reads into it and the transmitting one sends from
 * it, exactly as they share the host's memory (docs/wire.md, "Buffers").
 */
import type { Region as WireRegion, Sqe as WireSqe } from '../../protocol/messages';
import {
  RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_OP_TX, RTIO_OP_TXRX, RTIO_SQE_MEMPOOL_BUFFER, RTIO_SQE_NO_RESPONSE,
} from '../rtio';
import type { Iodev, IodevSqe } from '../rtio';
import { MAX_PAYLOAD_BYTES, frameMaxEncodedLength } from '../../protocol/frame';

/** The wire form of a chain (or of one unit of a chain the host runs itself). */
export interface ChainPlan {
  /** One wire SQE per member, in order; region numbers are 1-based within {@link ChainPlan.regions}. */
  readonly sqes: WireSqe[];
  /** The memory its members share. */
  readonly regions: WireRegion[];
  /** Bytes the SQEs and regions add to a Submit (field tags and lengths included). */
  readonly bytes: number;
}

/** Why a chain cannot travel: a transfer or a shared region larger than the agent takes. */
export interface PlanTooBig {
  readonly tooBig: true;
}

/** An SQE id of the largest encoded size, for planning before ids are known. */
export const PLAN_ID_PLACEHOLDER = 0x7fffffff;

interface Span {
  readonly mem: ArrayBufferLike;
  readonly start: number;
  readonly end: number;
  readonly member: number;
  readonly rx: boolean;
}

function spanOf(buf: Uint8Array, len: number, member: number, rx: boolean): Span {
  return { mem: buf.buffer, start: buf.byteOffset, end: buf.byteOffset + len, member, rx };
}

function overlaps(a: Span, b: Span): boolean {
  return a.mem === b.mem && a.start < b.end && b.start < a.end;
}

function varintSize(v: number): number {
  let n = 1;
  for (let x = v >>> 0; x >= 0x80; x >>>= 7) n++;
  return n;
}

/** Bytes of a repeated message field entry: one tag byte, the length, the message. */
function fieldSize(messageLen: number): number {
  return 1 + varintSize(messageLen) + messageLen;
}

/** Bytes of a uint32 field holding `v`: none when 0, else a one-byte tag (fields 1..15) and a varint. */
function u32FieldSize(v: number): number {
  return v === 0 ? 0 : 1 + varintSize(v);
}

/**
 * Bytes `rtiohil.Sqe.encode(w)` gives, counted without encoding: a tag and a varint per non-zero
 * field, a tag, a length and the bytes for a non-empty `tx`. (Fields written out: a loop over their
 * names would be a keyed load each, on the path of every SQE shipped.)
 */
export function wireSqeBytes(w: WireSqe): number {
  const tx = w.tx.length > 0 ? 1 + varintSize(w.tx.length) + w.tx.length : 0;
  return tx + u32FieldSize(w.id) + u32FieldSize(w.op) + u32FieldSize(w.flags) + u32FieldSize(w.iodev) + u32FieldSize(w.iodevFlags) +
    u32FieldSize(w.prio) + u32FieldSize(w.len) + u32FieldSize(w.txRegion) + u32FieldSize(w.timeoutUs) + u32FieldSize(w.delayUs) +
    u32FieldSize(w.i2cConfig) + u32FieldSize(w.txOffset) + u32FieldSize(w.rxRegion) + u32FieldSize(w.rxOffset);
}

/**
 * Plans `members` (a chain, or one unit) for an agent. `ids[i]` is member i's wire id (use
 * {@link PLAN_ID_PLACEHOLDER} to size a plan before ids are allocated), `wireIodev` maps an
 * iodev to its wire id (0 for none). Returns {@link PlanTooBig} when a transfer or a region is
 * over `maxBufferBytes`.
 */
export function planChain(
  members: readonly IodevSqe[], ids: readonly number[], wireIodev: (iodev: Iodev | null) => number, maxBufferBytes: number,
): ChainPlan | PlanTooBig {
  if (members.length === 1) return planOne(members[0]!, ids[0]!, wireIodev, maxBufferBytes);
  const rx: Span[] = [];
  const tx: (Span | null)[] = [];
  members.forEach((m, i) => {
    const sqe = m.sqe;
    if (sqe.op === RTIO_OP_RX && !(sqe.flags & RTIO_SQE_MEMPOOL_BUFFER) && sqe.buf !== null) rx.push(spanOf(sqe.buf, sqe.bufLen, i, true));
    if (sqe.op === RTIO_OP_TXRX && sqe.rxBuf !== null) rx.push(spanOf(sqe.rxBuf, sqe.bufLen, i, true));
    const src = sqe.op === RTIO_OP_TX ? sqe.buf : sqe.op === RTIO_OP_TXRX ? sqe.txBuf : null;
    const span = src === null ? null : spanOf(src, sqe.bufLen, i, false);
    // A transmit range that an earlier member receives into is shared; any other is copied.
    tx.push(span !== null && rx.some((r) => r.member < i && overlaps(r, span)) ? span : null);
  });
  const nodes: Span[] = [...rx, ...tx.filter((s): s is Span => s !== null)];
  const group = nodes.map((_, i) => i);
  const root = (i: number): number => {
    while (group[i] !== i) i = group[i] = group[group[i]!]!;
    return i;
  };
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) if (overlaps(nodes[i]!, nodes[j]!)) group[root(i)] = root(j);
  }
  const shared = new Set(nodes.flatMap((n, i) => (n.rx ? [] : [root(i)])));
  const regionOf = new Map<number, number>();
  const regions: { start: number; end: number; mem: ArrayBufferLike }[] = [];
  nodes.forEach((n, i) => {
    const g = root(i);
    if (!shared.has(g)) return;
    let at = regionOf.get(g);
    if (at === undefined) {
      at = regions.length;
      regionOf.set(g, at);
      regions.push({ start: n.start, end: n.end, mem: n.mem });
    }
    const r = regions[at]!;
    r.start = Math.min(r.start, n.start);
    r.end = Math.max(r.end, n.end);
  });
  if (regions.some((r) => r.end - r.start > maxBufferBytes)) return { tooBig: true };
  const place = (span: Span): { region: number; offset: number } => {
    const at = regionOf.get(root(nodes.indexOf(span)))!;
    return { region: at + 1, offset: span.start - regions[at]!.start };
  };
  const sqes: WireSqe[] = [];
  let bytes = 0;
  members.forEach((m, i) => {
    const sqe = m.sqe;
    const w = wireSqeOf(m, ids[i]!, wireIodev);
    const rxSpan = rx.find((r) => r.member === i);
    if (rxSpan !== undefined) {
      w.len = sqe.bufLen;
      if (regionOf.has(root(nodes.indexOf(rxSpan)))) ({ region: w.rxRegion, offset: w.rxOffset } = place(rxSpan));
    }
    const txSpan = tx[i] ?? null;
    if (txSpan !== null) {
      ({ region: w.txRegion, offset: w.txOffset } = place(txSpan));
      w.len = sqe.bufLen;
    } else if (sqe.op === RTIO_OP_TX || sqe.op === RTIO_OP_TINY_TX) {
      w.tx = sqe.buf!.slice(0, sqe.bufLen);
    } else if (sqe.op === RTIO_OP_TXRX) {
      w.tx = sqe.txBuf!.slice(0, sqe.bufLen);
    }
    if (w.tx.length > maxBufferBytes || w.len > maxBufferBytes) return;
    sqes.push(w);
    bytes += fieldSize(wireSqeBytes(w));
  });
  if (sqes.length < members.length) return { tooBig: true };
  const wireRegions: WireRegion[] = regions.map((r) => {
    const init = new Uint8Array(r.mem, r.start, r.end - r.start).slice();
    // Region { len = 1; init = 2 }, each left out when empty.
    bytes += fieldSize(init.length > 0 ? 2 * (1 + varintSize(init.length)) + init.length : 0);
    return { len: init.length, init };
  });
  return { sqes, regions: wireRegions, bytes };
}

/** `ms` in whole µs; 0 (most SQEs have no timeout and no delay) without a float operation, whose result V8 would box. */
function usOf(ms: number): number {
  return ms === 0 ? 0 : Math.round(ms * 1000);
}

/** The wire SQE of member `m` with id `id`, before its buffers are placed (no bytes, no regions). */
function wireSqeOf(m: IodevSqe, id: number, wireIodev: (iodev: Iodev | null) => number): WireSqe {
  const sqe = m.sqe;
  return {
    // NO_RESPONSE stays on the host: the agent always answers, so the host can free the slot.
    id, op: sqe.op, flags: sqe.flags & ~RTIO_SQE_NO_RESPONSE, iodev: wireIodev(sqe.iodev), iodevFlags: sqe.iodevFlags >>> 0,
    prio: sqe.prio, tx: EMPTY, len: 0, txRegion: 0, txOffset: 0, rxRegion: 0, rxOffset: 0,
    timeoutUs: usOf(sqe.timeoutMs), delayUs: usOf(sqe.delayMs), i2cConfig: sqe.i2cConfig >>> 0,
  };
}

/** The regions of a plan without any (shared: {@link appendPlan} only reads a plan's regions). */
const NO_REGIONS = Object.freeze([]) as unknown as WireRegion[];

/** No bytes to send (shared: a wire SQE's `tx` is never written to). */
const EMPTY = new Uint8Array(0);

/**
 * {@link planChain} of a chain of one: no earlier member can share its memory, so it has no
 * regions: its receive length, or the bytes it sends.
 */
function planOne(m: IodevSqe, id: number, wireIodev: (iodev: Iodev | null) => number, maxBufferBytes: number): ChainPlan | PlanTooBig {
  const sqe = m.sqe;
  const w = wireSqeOf(m, id, wireIodev);
  if ((sqe.op === RTIO_OP_RX && !(sqe.flags & RTIO_SQE_MEMPOOL_BUFFER) && sqe.buf !== null) || (sqe.op === RTIO_OP_TXRX && sqe.rxBuf !== null)) {
    w.len = sqe.bufLen;
  }
  if (sqe.op === RTIO_OP_TX || sqe.op === RTIO_OP_TINY_TX) w.tx = sqe.buf!.slice(0, sqe.bufLen);
  else if (sqe.op === RTIO_OP_TXRX) w.tx = sqe.txBuf!.slice(0, sqe.bufLen);
  if (w.tx.length > maxBufferBytes || w.len > maxBufferBytes) return { tooBig: true };
  return { sqes: [w], regions: NO_REGIONS, bytes: fieldSize(wireSqeBytes(w)) };
}

/** True for a {@link PlanTooBig}. */
export function isTooBig(p: ChainPlan | PlanTooBig): p is PlanTooBig {
  return (p as PlanTooBig).tooBig === true;
}

/**
 * Appends `plan`'s SQEs and regions to a Submit being built, renumbering its regions after the
 * `regions` already there.
 */
export function appendPlan(sqes: WireSqe[], regions: WireRegion[], plan: ChainPlan): void {
  const base = regions.length;
  for (const w of plan.sqes) {
    if (w.txRegion > 0) w.txRegion += base;
    if (w.rxRegion > 0) w.rxRegion += base;
    sqes.push(w);
  }
  regions.push(...plan.regions);
}

/**
 * Bytes of a Packet around its Submit's SQEs and regions, at most: seq and ack (tag and a
 * 5-byte varint each), the body's tag and a 3-byte length.
 */
export const SUBMIT_PACKET_OVERHEAD = 16;

/**
 * Bytes of SQEs and regions one Submit may carry to an agent whose frames are at most
 * `maxFrameBytes` (0: the default 1033): the largest payload such a frame holds, less the
 * packet's own fields.
 */
export function submitBudget(maxFrameBytes: number): number {
  const frame = maxFrameBytes > 0 ? maxFrameBytes : frameMaxEncodedLength(MAX_PAYLOAD_BYTES);
  let payload = frame;
  while (payload > 0 && frameMaxEncodedLength(payload) > frame) payload--;
  return payload - SUBMIT_PACKET_OVERHEAD;
}
