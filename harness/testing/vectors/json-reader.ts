import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytes } from '../../../protocol/test-vectors';
import { PACKAGE_ROOT } from '../../package-root';

/** Where the vector files shared by the host's and the agent's tests live. */
export const VECTORS_DIR = join(PACKAGE_ROOT, 'protocol', 'vectors');

/**
 * A JSON object of a vector file, read field by field: every accessor throws an `Error` naming
 * the file and the path of the field (`executor.json: cases[3].steps[1].us`) when the field is
 * missing or of the wrong type, so a malformed vector fails loudly instead of testing nothing.
 */
export class JsonReader {
  private constructor(private readonly value: Record<string, unknown>, readonly at: string) {}

  /** Reads and parses `file` under {@link VECTORS_DIR}; its top level must be an object. */
  static file(file: string): JsonReader {
    return JsonReader.of(JSON.parse(readFileSync(join(VECTORS_DIR, file), 'utf8')), `${file}:`);
  }

  /** Wraps `value`, which must be an object, as the field at `at`. */
  static of(value: unknown, at: string): JsonReader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${at} expected an object`);
    return new JsonReader(value as Record<string, unknown>, at);
  }

  /** True when the object has `key`. */
  has(key: string): boolean {
    return this.value[key] !== undefined;
  }

  /** The string at `key`; one of `allowed` when given. */
  str<T extends string = string>(key: string, allowed?: readonly T[]): T {
    const v = this.value[key];
    if (typeof v !== 'string') throw this.error(key, 'expected a string');
    if (allowed !== undefined && !allowed.includes(v as T)) throw this.error(key, `expected one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  }

  /** The non-negative integer at `key`, or `fallback` when absent (required without one). */
  int(key: string, fallback?: number): number {
    const v = this.value[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw this.error(key, 'expected a non-negative integer');
    return v;
  }

  /** The boolean at `key`, false when absent. */
  flag(key: string): boolean {
    const v = this.value[key] ?? false;
    if (typeof v !== 'boolean') throw this.error(key, 'expected true or false');
    return v;
  }

  /** The object at `key`. */
  obj(key: string): JsonReader {
    return JsonReader.of(this.value[key], this.path(key));
  }

  /** The objects of the array at `key` (an empty list when absent and `optional`). */
  objs(key: string, optional = false): JsonReader[] {
    return this.list(key, optional).map((v, i) => JsonReader.of(v, `${this.path(key)}[${i}]`));
  }

  /** The strings of the array at `key`, each one of `allowed` (an empty list when absent). */
  strs<T extends string>(key: string, allowed: readonly T[]): T[] {
    return this.list(key, true).map((v, i) => {
      if (typeof v !== 'string' || !allowed.includes(v as T)) {
        throw new Error(`${this.path(key)}[${i}] expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
      }
      return v as T;
    });
  }

  /** The bytes at `key` (a byte spec: protocol/vectors/README.md), or null when absent. */
  bytes(key: string): Uint8Array | null {
    return this.has(key) ? bytes(this.value[key], this.path(key)) : null;
  }

  /** The raw value at `key`. */
  raw(key: string): unknown {
    return this.value[key];
  }

  /** An `Error` about field `key`. */
  error(key: string, message: string): Error {
    return new Error(`${this.path(key)} ${message}`);
  }

  private list(key: string, optional: boolean): unknown[] {
    const v = this.value[key];
    if (v === undefined && optional) return [];
    if (!Array.isArray(v)) throw this.error(key, 'expected an array');
    return v;
  }

  private path(key: string): string {
    return this.at.endsWith(':') ? `${this.at} ${key}` : `${this.at}.${key}`;
  }
}
