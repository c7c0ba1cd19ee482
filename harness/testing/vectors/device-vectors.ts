/**
 * protocol/vectors/devices/*.json, checked and typed: golden cases for every device model the
 * emulator and the agent's simulated board share (a device with its options, bus transactions
 * or line changes at device times, the bytes and levels they must give). The format is
 * protocol/vectors/README.md's.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { JsonReader, VECTORS_DIR } from './json-reader';

/** The format version this loader reads. */
export const DEVICE_VECTORS_VERSION = 1;

/** Parts the device vectors cover, as their files name them. */
export const VECTOR_PARTS = ['24c32', 'tmp102', 'icm42688', 'w25q80', 'pcf8563', 'gpio-8'] as const;
/** A part. */
export type VectorPart = (typeof VECTOR_PARTS)[number];

/** A device's options; absent ones take the model's default. */
export interface DeviceOptions {
  readonly address?: number;
  readonly seed?: number;
  readonly writeCycleUs?: number;
  readonly streaming?: boolean;
  readonly startSeconds?: number;
  readonly jumpers?: boolean;
  /** Pins a TMP102's temperature, milli-°C. */
  readonly temperatureMc?: number;
}

/** One message of an I2C transfer: a write, or a read of `len` bytes that must equal `expect` when given. */
export interface VectorI2cMsg {
  readonly read: boolean;
  readonly restart: boolean;
  /** The bytes a write sends. */
  readonly data: Uint8Array;
  readonly len: number;
  readonly expect: Uint8Array | null;
}

/** Timing a step must report, ns; null: not checked. */
interface Timing {
  readonly startNs: number | null;
  readonly endNs: number | null;
}

/** One step of a device case. */
export type DeviceStep =
  | ({ readonly do: 'i2c'; readonly atNs: number; readonly address: number | null; readonly msgs: readonly VectorI2cMsg[];
    readonly status: string; readonly counts: readonly number[] | null } & Timing)
  | ({ readonly do: 'spi'; readonly atNs: number; readonly cs: number; readonly mosi: Uint8Array; readonly miso: Uint8Array | null } & Timing)
  | { readonly do: 'set' | 'drive'; readonly atNs: number; readonly line: number; readonly level: number; readonly status: string;
    readonly levels: number; readonly edges: readonly { readonly line: number; readonly level: number }[] };

/** One device case. */
export interface DeviceCase {
  readonly part: VectorPart;
  readonly name: string;
  readonly description: string;
  readonly device: DeviceOptions;
  readonly steps: readonly DeviceStep[];
}

/** One hash32 case. */
export interface HashCase {
  readonly name: string;
  readonly description: string;
  readonly input: number;
  readonly output: number;
}

const STEPS = ['i2c', 'spi', 'set', 'drive'] as const;

function version(doc: JsonReader): void {
  if (doc.int('version') !== DEVICE_VECTORS_VERSION) {
    throw doc.error('version', `is ${String(doc.raw('version'))}; this loader reads version ${DEVICE_VECTORS_VERSION}`);
  }
}

/** Reads every part's file of protocol/vectors/devices (not hash32.json); throws naming the first malformed field. */
export function loadDeviceVectors(): DeviceCase[] {
  const files = readdirSync(join(VECTORS_DIR, 'devices')).filter((f) => f.endsWith('.json') && f !== 'hash32.json').sort();
  return files.flatMap((file) => {
    const doc = JsonReader.file(join('devices', file));
    version(doc);
    const part = doc.str('part', VECTOR_PARTS);
    return doc.objs('cases').map((c) => ({
      part,
      name: c.str('name'),
      description: c.str('description'),
      device: options(c.obj('device')),
      steps: c.objs('steps').map(step),
    }));
  });
}

/** Reads protocol/vectors/devices/hash32.json. */
export function loadHashVectors(): HashCase[] {
  const doc = JsonReader.file(join('devices', 'hash32.json'));
  version(doc);
  const word = (c: JsonReader, key: string): number => {
    const v = c.str(key);
    if (!/^[0-9a-f]{8}$/.test(v)) throw c.error(key, 'expected 8 lower-case hex digits');
    return parseInt(v, 16);
  };
  return doc.objs('cases').map((c) => ({ name: c.str('name'), description: c.str('description'), input: word(c, 'in'), output: word(c, 'out') }));
}

function options(d: JsonReader): DeviceOptions {
  const out: Record<string, number | boolean> = {};
  for (const key of ['address', 'seed', 'writeCycleUs', 'startSeconds'] as const) if (d.has(key)) out[key] = d.int(key);
  for (const key of ['streaming', 'jumpers'] as const) if (d.has(key)) out[key] = d.flag(key);
  if (d.has('temperatureMc')) {
    const v = d.raw('temperatureMc');
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw d.error('temperatureMc', 'expected an integer');
    out['temperatureMc'] = v;
  }
  return out as DeviceOptions;
}

function timing(s: JsonReader): Timing {
  return { startNs: s.has('startNs') ? s.int('startNs') : null, endNs: s.has('endNs') ? s.int('endNs') : null };
}

function status(s: JsonReader): string {
  const v = s.raw('status') ?? 0;
  if (v === 0) return '0';
  if (typeof v === 'string' && /^-E[A-Z0-9]+$/.test(v)) return v;
  throw s.error('status', 'expected 0 or a negative errno name such as "-EIO"');
}

function step(s: JsonReader): DeviceStep {
  const kind = s.str('do', STEPS);
  const atNs = s.int('atNs');
  switch (kind) {
    case 'i2c':
      return {
        do: kind, atNs, address: s.has('address') ? s.int('address') : null, msgs: s.objs('msgs').map(msg),
        status: status(s), counts: s.has('counts') ? ints(s, 'counts') : null, ...timing(s),
      };
    case 'spi':
      return { do: kind, atNs, cs: s.int('cs', 0), mosi: s.bytes('mosi')!, miso: s.bytes('miso'), ...timing(s) };
    case 'set':
    case 'drive': {
      const levels = s.str('levels');
      if (!/^[0-9a-f]{2}$/.test(levels)) throw s.error('levels', 'expected 2 lower-case hex digits');
      return {
        do: kind, atNs, line: s.int('line'), level: s.int('level'), status: status(s), levels: parseInt(levels, 16),
        edges: s.objs('edges').map((e) => ({ line: e.int('line'), level: e.int('level') })),
      };
    }
  }
}

function ints(s: JsonReader, key: string): number[] {
  const v = s.raw(key);
  if (!Array.isArray(v) || !v.every((n) => Number.isSafeInteger(n) && n >= 0)) throw s.error(key, 'expected an array of non-negative integers');
  return v as number[];
}

function msg(m: JsonReader): VectorI2cMsg {
  const restart = m.flag('restart');
  if (m.has('write')) {
    const data = m.bytes('write')!;
    return { read: false, restart, data, len: data.length, expect: null };
  }
  if (typeof m.raw('read') === 'number') return { read: true, restart, data: new Uint8Array(0), len: m.int('read'), expect: null };
  const expect = m.bytes('read');
  if (expect === null) throw m.error('read', 'a message is {"write": bytes} or {"read": expected bytes or a length}');
  return { read: true, restart, data: new Uint8Array(0), len: expect.length, expect };
}
