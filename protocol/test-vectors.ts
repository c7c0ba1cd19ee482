/**
 * Test helpers: loads protocol/vectors/*.json (the cases shared with the agent's C tests),
 * checks their shape and expands their byte specs; plus a seeded PRNG. Tests only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameStatus } from './frame';

/** A COBS length-bound case: `cobsMaxEncodedLength(length) === max`. */
export interface CobsLengthCase { description: string; length: number; max: number }
/** A COBS case where `decoded` encodes to `encoded` (roundTrip) or `encoded` decodes to `decoded`. */
export interface CobsBytesCase { description: string; decoded: Uint8Array; encoded: Uint8Array }
/** A COBS input the decoder must reject with `reason` at `offset`. */
export interface CobsErrorCase { description: string; encoded: Uint8Array; reason: string; offset: number }
/** protocol/vectors/cobs.json, expanded. */
export interface CobsVectors {
  encodedLengthMax: CobsLengthCase[];
  roundTrip: CobsBytesCase[];
  decodeOnly: CobsBytesCase[];
  decodeErrors: CobsErrorCase[];
}

/** A CRC-32 case: `crc32(data, seed) === crc` (seed 0 when absent). */
export interface Crc32Case { description: string; data: Uint8Array; seed: number | undefined; crc: number }

/** A frame length-bound case: `frameMaxEncodedLength(payloadLength) === max`. */
export interface FrameLengthCase { description: string; payloadLength: number; max: number }
/** `encodeFrame(payload)` gives exactly `frame`, delimiter included. */
export interface FrameEncodingCase { description: string; payload: Uint8Array; frame: Uint8Array }
/** One expected decoder result: a status, and the payload when it is `'ok'`. */
export interface ExpectedFrame { status: FrameStatus; payload?: Uint8Array }
/** A byte stream and every result a fresh decoder must report for it, in order. */
export interface FrameDecodingCase { description: string; stream: Uint8Array; expect: ExpectedFrame[] }
/** Decoding cases sharing one decoder limit (`undefined`: the default). */
export interface FrameDecodingSection { description: string; maxFrameBytes: number | undefined; cases: FrameDecodingCase[] }
/** protocol/vectors/frames.json, expanded. */
export interface FrameVectors {
  limits: { maxPayloadBytes: number; defaultMaxFrameBytes: number };
  encodedLengthMax: FrameLengthCase[];
  encoding: FrameEncodingCase[];
  decoding: FrameDecodingSection[];
}

const VECTORS_DIR = join(__dirname, 'vectors');
const STATUSES: readonly string[] = ['ok', 'crc-mismatch', 'cobs-error', 'too-long', 'too-short'];

type Json = Record<string, unknown>;

/** Reads and checks protocol/vectors/cobs.json. */
export function loadCobsVectors(): CobsVectors {
  const doc = readVectors('cobs.json');
  const bytesCase = (c: Json, at: string): CobsBytesCase => ({
    description: str(c, 'description', at),
    decoded: bytes(c['decoded'], `${at}.decoded`),
    encoded: bytes(c['encoded'], `${at}.encoded`),
  });
  return {
    encodedLengthMax: cases(doc, 'encodedLengthMax', 'cobs.json', (c, at) => ({
      description: str(c, 'description', at),
      length: int(c, 'length', at),
      max: int(c, 'max', at),
    })),
    roundTrip: cases(doc, 'roundTrip', 'cobs.json', bytesCase),
    decodeOnly: cases(doc, 'decodeOnly', 'cobs.json', bytesCase),
    decodeErrors: cases(doc, 'decodeErrors', 'cobs.json', (c, at) => ({
      description: str(c, 'description', at),
      encoded: bytes(c['encoded'], `${at}.encoded`),
      reason: str(c, 'reason', at),
      offset: int(c, 'offset', at),
    })),
  };
}

/** Reads and checks protocol/vectors/crc32.json. */
export function loadCrc32Vectors(): Crc32Case[] {
  return cases(readVectors('crc32.json'), 'cases', 'crc32.json', (c, at) => ({
    description: str(c, 'description', at),
    data: bytes(c['data'], `${at}.data`),
    seed: c['seed'] === undefined ? undefined : u32(c, 'seed', at),
    crc: u32(c, 'crc', at),
  }));
}

/** Reads and checks protocol/vectors/frames.json. */
export function loadFrameVectors(): FrameVectors {
  const doc = readVectors('frames.json');
  const limits = obj(doc['limits'], 'frames.json.limits');
  return {
    limits: {
      maxPayloadBytes: int(limits, 'maxPayloadBytes', 'frames.json.limits'),
      defaultMaxFrameBytes: int(limits, 'defaultMaxFrameBytes', 'frames.json.limits'),
    },
    encodedLengthMax: cases(doc, 'encodedLengthMax', 'frames.json', (c, at) => ({
      description: str(c, 'description', at),
      payloadLength: int(c, 'payloadLength', at),
      max: int(c, 'max', at),
    })),
    encoding: cases(doc, 'encoding', 'frames.json', (c, at) => ({
      description: str(c, 'description', at),
      payload: bytes(c['payload'], `${at}.payload`),
      frame: bytes(c['frame'], `${at}.frame`),
    })),
    decoding: cases(doc, 'decoding', 'frames.json', (section, sectionAt) => ({
      description: str(section, 'description', sectionAt),
      maxFrameBytes: section['maxFrameBytes'] === undefined ? undefined : int(section, 'maxFrameBytes', sectionAt),
      cases: cases(section, 'cases', sectionAt, (c, at) => ({
        description: str(c, 'description', at),
        stream: bytes(c['stream'], `${at}.stream`),
        expect: list(c['expect'], `${at}.expect`).map((e, k) => expected(obj(e, `${at}.expect[${k}]`), `${at}.expect[${k}]`)),
      })),
    })),
  };
}

/** Number of cases in all three vector files: what the C test must report having run. */
export function vectorCaseCount(): number {
  const cobs = loadCobsVectors();
  const frames = loadFrameVectors();
  return (
    cobs.encodedLengthMax.length +
    cobs.roundTrip.length +
    cobs.decodeOnly.length +
    cobs.decodeErrors.length +
    loadCrc32Vectors().length +
    frames.encodedLengthMax.length +
    frames.encoding.length +
    frames.decoding.reduce((n, s) => n + s.cases.length, 0)
  );
}

/** Lower-case hex with a space between bytes, the vectors' own notation. */
export function hex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** A deterministic PRNG (mulberry32) returning integers in [0, 2^32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function readVectors(file: string): Json {
  return obj(JSON.parse(readFileSync(join(VECTORS_DIR, file), 'utf8')), file);
}

function cases<T>(doc: Json, key: string, at: string, parse: (c: Json, at: string) => T): T[] {
  return list(doc[key], `${at}.${key}`).map((c, i) => parse(obj(c, `${at}.${key}[${i}]`), `${at}.${key}[${i}]`));
}

function expected(e: Json, at: string): ExpectedFrame {
  const status = str(e, 'status', at);
  if (!STATUSES.includes(status)) throw new Error(`${at}.status: unknown status "${status}"`);
  if (status === 'ok') return { status: 'ok', payload: bytes(e['payload'], `${at}.payload`) };
  return { status: status as FrameStatus };
}

/**
 * Expands a vectors byte spec (protocol/vectors/README.md): a hex string, or an array of hex
 * strings, `{repeat, count}` and `{from, count}` parts. Throws naming `at` when it is malformed.
 */
export function bytes(spec: unknown, at: string): Uint8Array {
  if (typeof spec === 'string') return hexBytes(spec, at);
  const parts = list(spec, at).map((part, i): number[] => {
    const partAt = `${at}[${i}]`;
    if (typeof part === 'string') return Array.from(hexBytes(part, partAt));
    const p = obj(part, partAt);
    const count = int(p, 'count', partAt);
    if (typeof p['repeat'] === 'string') {
      const unit = Array.from(hexBytes(p['repeat'], `${partAt}.repeat`));
      return Array.from({ length: count }, () => unit).flat();
    }
    const from = hexBytes(str(p, 'from', partAt), `${partAt}.from`);
    if (from.length !== 1) throw new Error(`${partAt}.from: expected one byte`);
    return Array.from({ length: count }, (_, k) => (from[0]! + k) & 0xff);
  });
  return Uint8Array.from(parts.flat());
}

function hexBytes(text: string, at: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/.test(digits)) throw new Error(`${at}: not lower-case hex bytes: "${text}"`);
  return Uint8Array.from(digits.match(/../g) ?? [], (h) => parseInt(h, 16));
}

function obj(value: unknown, at: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${at}: expected an object`);
  return value as Json;
}

function list(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${at}: expected an array`);
  return value;
}

function str(o: Json, key: string, at: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Error(`${at}.${key}: expected a string`);
  return v;
}

function int(o: Json, key: string, at: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Error(`${at}.${key}: expected a non-negative integer`);
  return v;
}

function u32(o: Json, key: string, at: string): number {
  const v = str(o, key, at);
  if (!/^[0-9a-f]{8}$/.test(v)) throw new Error(`${at}.${key}: expected 8 lower-case hex digits`);
  return parseInt(v, 16);
}
