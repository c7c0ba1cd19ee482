/**
 * The wire's messages: the one door from TypeScript to the code protobufjs generates from
 * protocol/rtio.proto (`npm run build:proto` writes protocol/generated/rtio-pb.js and .d.ts; they
 * are never committed). Pure functions, no I/O. A frame carries one {@link Packet}; both
 * implementations are held to protocol/vectors/messages.json.
 */
import type { IConversionOptions } from 'protobufjs';
import { rtiohil } from './generated/rtio-pb';
import { decodeCompletePacket, encodeSubmitPacket } from './hot-packets';

/**
 * The generated namespace (package `rtiohil`): a class per message with static `encode`,
 * `decode`, `verify`, `fromObject` and `toObject`, and `$Properties` / `$Shape` types. Prefer
 * {@link encodePacket} and {@link decodePacket}; use `rtiohil.Packet.fromObject` to read the
 * JSON form of protocol/vectors/messages.json.
 */
export { rtiohil };

/**
 * Version of the protocol this host speaks, sent in `Hello.protocol_version` and required in
 * `HelloReply.protocol_version`. Bump it (and the agent's `AGENT_PROTOCOL_VERSION`,
 * firmware-stubs/core/agent.h) on any incompatible change to rtio.proto or to the link's rules.
 */
export const PROTOCOL_VERSION = 2;

/**
 * The name a value of a generated enum goes by outside the wire: its constant without the
 * enum's prefix, lower-case, `_` as `-` (`IODEV_KIND_I2C` → `'i2c'`, `FAULT_KIND_SHORT_READ` →
 * `'short-read'`); undefined for a value the enum lacks and for its `…_UNSPECIFIED` 0.
 */
export function enumName(values: object, prefix: string, value: number): string | undefined {
  for (const [key, v] of Object.entries(values)) {
    if (v === value && v !== 0 && key.startsWith(prefix)) return key.slice(prefix.length).toLowerCase().replace(/_/g, '-');
  }
  return undefined;
}

/** The value of `name` ({@link enumName}'s form) in a generated enum, or undefined. */
export function enumValue(values: object, prefix: string, name: string): number | undefined {
  const v: unknown = (values as Record<string, unknown>)[prefix + name.toUpperCase().replace(/-/g, '_')];
  return typeof v === 'number' && v !== 0 ? v : undefined;
}

/** Kinds of iodev an agent reports (`rtiohil.IodevKind`). */
export const IodevKind = rtiohil.IodevKind;
/** Kinds of iodev an agent reports (`rtiohil.IodevKind`). */
export type IodevKind = rtiohil.IodevKind;
/** Fault kinds of the agent's simulated peripherals (`rtiohil.FaultKind`). */
export const FaultKind = rtiohil.FaultKind;
/** Fault kinds of the agent's simulated peripherals (`rtiohil.FaultKind`). */
export type FaultKind = rtiohil.FaultKind;

/** Name of each member of `Packet.body`, the oneof: `'hello'`, `'helloReply'`, `'submit'`, … */
export type BodyKind = NonNullable<rtiohil.Packet['body']>;

/** Every body kind, in field-number order. */
export const BODY_KINDS: readonly BodyKind[] = [
  'hello',
  'helloReply',
  'submit',
  'complete',
  'cancel',
  'cancelReply',
  'signal',
  'log',
  'reset',
  'injectFault',
  'clearFaults',
  'status',
];

/**
 * Bodies outside sequencing: sent with seq 0, never acknowledged or retransmitted by the link
 * (Hello, HelloReply, Reset). Every other body is sequenced.
 */
export type UnsequencedBodyKind = 'hello' | 'helloReply' | 'reset';

/** Bodies the link numbers, acknowledges and retransmits: every kind but {@link UnsequencedBodyKind}. */
export type SequencedBodyKind = Exclude<BodyKind, UnsequencedBodyKind>;

/** The {@link UnsequencedBodyKind}s as a list. */
export const UNSEQUENCED_BODY_KINDS: readonly UnsequencedBodyKind[] = ['hello', 'helloReply', 'reset'];

/** Input form of each body: the generated `$Properties` (every field optional, 0 by default). */
export type BodyInit<K extends BodyKind> = NonNullable<rtiohil.Packet.$Properties[K]>;

/**
 * One body to send, named by its oneof member, e.g. `{ submit: { sqes: [{ id: 1 }] } }`. Exactly
 * one member is set.
 */
export type PacketBody = {
  [K in BodyKind]: { [P in K]: BodyInit<K> } & { [P in Exclude<BodyKind, K>]?: never };
}[BodyKind];

/** The {@link PacketBody} members of the given kinds, e.g. `PacketBodyOf<'submit' | 'cancel'>`. */
export type PacketBodyOf<K extends BodyKind> = K extends BodyKind ? Extract<PacketBody, { [P in K]: unknown }> : never;

/** Sequenced bodies the host sends an agent. */
export type HostBodyKind = 'submit' | 'cancel' | 'signal' | 'injectFault' | 'clearFaults';
/** Sequenced bodies an agent sends the host. */
export type AgentBodyKind = 'complete' | 'cancelReply' | 'log' | 'status';
/** A sequenced body the host sends. */
export type HostBody = PacketBodyOf<HostBodyKind>;
/** A sequenced body an agent sends. */
export type AgentBody = PacketBodyOf<AgentBodyKind>;

/**
 * Input of {@link encodePacket}: seq and ack (0 when absent) and at most one body member, as
 * in protocol/vectors/messages.json once converted with `rtiohil.Packet.fromObject`.
 */
export type PacketInit = { seq?: number; ack?: number; rej?: boolean } & (PacketBody | { [P in BodyKind]?: never });

type DecodedField<V> = V extends Uint8Array
  ? Uint8Array
  : V extends readonly (infer E)[]
    ? DecodedField<NonNullable<E>>[]
    : V extends object
      ? Decoded<V>
      : V;

/**
 * A decoded message: the generated `$Properties` with every field present (proto3 defaults
 * filled in: 0, `''`, an empty `Uint8Array`, `[]`), sub-messages decoded likewise.
 */
export type Decoded<P> = { [K in keyof P as K extends '$unknowns' ? never : K]-?: DecodedField<NonNullable<P[K]>> };

/** A decoded Hello. */
export type Hello = Decoded<rtiohil.Hello.$Properties>;
/** A decoded HelloReply. */
export type HelloReply = Decoded<rtiohil.HelloReply.$Properties>;
/** A decoded IodevDesc, one row of `HelloReply.iodevs`. */
export type IodevDesc = Decoded<rtiohil.IodevDesc.$Properties>;
/** A decoded Sqe. */
export type Sqe = Decoded<rtiohil.Sqe.$Properties>;
/**
 * A decoded Cqe. `startUs` and `endUs` (the agent's µs clock modulo 2^32 when the SQE's unit
 * started and when this CQE was posted, docs/wire.md "Device times") are proto3 `optional`: both
 * present, 0 included, or both absent (an SQE that never ran, an agent that predates them).
 */
export type Cqe = Omit<Decoded<rtiohil.Cqe.$Properties>, 'startUs' | 'endUs'> & { startUs?: number; endUs?: number };
/** A decoded Region, memory the members of one shipped chain share. */
export type Region = Decoded<rtiohil.Region.$Properties>;

/** The decoded body of each kind. */
export type DecodedBody<K extends BodyKind> = Decoded<BodyInit<K>>;

/**
 * A decoded packet: `seq`, `ack` (0 when absent) and `rej` (false when absent) and, discriminated by `body`, the one body
 * member present, e.g. `if (p.body === 'complete') p.complete.cqes`. `body` is undefined for a
 * pure acknowledgement. Plain data: own properties only, bytes in `Uint8Array`s of their own (an empty
 * CQE `data` may be one frozen empty array, shared).
 */
export type Packet = { readonly seq: number; readonly ack: number; readonly rej: boolean } & (
  | { [K in BodyKind]: { readonly body: K } & { readonly [P in K]: DecodedBody<K> } }[BodyKind]
  | { readonly body?: undefined }
);

/**
 * Why {@link decodePacket} rejected its input:
 * - `'truncated'`: the input ends inside a field (a varint, a length-delimited field, a fixed
 *   field or a nested message runs past its end);
 * - `'malformed'`: anything else: a varint longer than 10 bytes, wire type 6 or 7, field number 0,
 *   a mismatched end-group tag, nesting deeper than protobufjs's recursion limit.
 */
export type DecodeErrorReason = 'truncated' | 'malformed';

/** A decoding failure, returned (not thrown) by {@link decodePacket}. */
export interface DecodeError {
  /** Discriminant, always `'decode-error'`. */
  readonly kind: 'decode-error';
  /** What is wrong with the input. */
  readonly reason: DecodeErrorReason;
  /** protobufjs's own message, e.g. `'index out of range: 4 + 8 > 4'`, for people. */
  readonly detail: string;
}

/** True when {@link decodePacket} returned an error rather than a packet. */
export function isDecodeError(result: Packet | DecodeError): result is DecodeError {
  return (result as Partial<DecodeError>).kind === 'decode-error';
}

/** The body member set in `packet` (the first in field-number order), or undefined for none. */
export function packetBodyKind(packet: PacketInit): BodyKind | undefined {
  return BODY_KINDS.find((k) => packet[k] !== undefined && packet[k] !== null);
}

/**
 * Encodes `packet` canonically (field-number order, default values omitted, minimal varints) in
 * a new array. Throws `TypeError` naming the culprit when a field has the wrong type (as
 * `rtiohil.Packet.verify` reports it, e.g. `'"packet" is invalid: seq: integer expected'`),
 * including more than one body member (`'"packet" is invalid: body: multiple values'`). Values are not range-checked: a uint32 field takes
 * its value modulo 2^32.
 */
export function encodePacket(packet: PacketInit): Uint8Array {
  const fast = encodeSubmitPacket(packet);
  if (fast !== null) return fast;
  const invalid = rtiohil.Packet.verify(packet);
  if (invalid !== null) throw new TypeError(`"packet" is invalid: ${invalid}`);
  return own(rtiohil.Packet.encode(packet).finish());
}

/** Most bytes {@link encodeSeqAck} writes: two one-byte tags and two 5-byte varints. */
export const SEQ_ACK_MAX_BYTES = 12;

/**
 * Writes the bytes `encodePacket({ seq, ack })` gives (fields 1 and 2 as varints, each left out
 * when 0) into `dst` at `offset`, without building a message, and returns how many it wrote (at
 * most {@link SEQ_ACK_MAX_BYTES}): the head of every sequenced packet, its encoded body appended.
 * `seq` and `ack` must be integers in [0, 2^32); `dst` must have room.
 */
export function encodeSeqAck(dst: Uint8Array, offset: number, seq: number, ack: number): number {
  let n = offset;
  if (seq !== 0) {
    dst[n++] = 0x08;
    n = putVarint(dst, n, seq);
  }
  if (ack !== 0) {
    dst[n++] = 0x10;
    n = putVarint(dst, n, ack);
  }
  return n - offset;
}

/** Writes unsigned 32-bit `value` as a varint at `at`; returns the index after it. */
function putVarint(dst: Uint8Array, at: number, value: number): number {
  let v = value >>> 0;
  while (v > 0x7f) {
    dst[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  dst[at++] = v;
  return at;
}

/**
 * Decodes one packet (a frame's payload) into plain data, or returns a {@link DecodeError};
 * never throws. Unknown fields are skipped (a newer peer may send them); when the input holds
 * several body members the last one wins, as protobuf specifies for a oneof. The input is not
 * kept: bytes fields are copied.
 */
export function decodePacket(bytes: Uint8Array): Packet | DecodeError {
  const fast = decodeCompletePacket(bytes);
  // Packet's Complete types startUs/endUs as always there; like toObject's output, they are there only when sent.
  if (fast !== null) return fast as unknown as Packet;
  try {
    const message = rtiohil.Packet.decode(bytes);
    return ownBytes(rtiohil.Packet.toObject(message, TO_OBJECT)) as Packet;
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    const reason: DecodeErrorReason = e instanceof RangeError && detail.startsWith('index out of range') ? 'truncated' : 'malformed';
    return { kind: 'decode-error', reason, detail };
  }
}

/** Copies bytes into an array of their own that is a plain `Uint8Array` (not a Node Buffer). */
function own(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes); // a memcpy; new Uint8Array(bytes) copies element by element
  return out;
}

/** How {@link decodePacket} asks toObject for plain data: defaults filled in, empty arrays, the oneof's name. */
const TO_OBJECT: Readonly<IConversionOptions> = Object.freeze({ defaults: true, arrays: true, oneofs: true });

/**
 * Gives every bytes field of toObject's output (a Buffer, or a view of the decoder's input) an
 * array of its own, {@link own}, in place: toObject's objects and arrays are new and plain
 * already, so only the bytes need copying.
 */
function ownBytes<T extends object>(value: T): T {
  const o = value as Record<string, unknown>;
  for (const k in o) {
    const v = o[k];
    if (typeof v !== 'object' || v === null) continue;
    if (v instanceof Uint8Array) o[k] = own(v);
    else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const e: unknown = v[i];
        if (e instanceof Uint8Array) v[i] = own(e);
        else if (typeof e === 'object' && e !== null) ownBytes(e);
      }
    } else ownBytes(v);
  }
  return value;
}
