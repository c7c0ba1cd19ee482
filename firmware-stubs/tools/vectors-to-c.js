#!/usr/bin/env node
// Converts protocol/vectors/{cobs,crc32,frames}.json into a C header of static tables for
// firmware-stubs/tests/framing-test.c, so the agent's C code runs the host's vectors.
// Usage: node vectors-to-c.js <vectors dir> <output header>. Plain CommonJS, no dependencies;
// the header is a build product (build/), never committed.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const STATUSES = ['ok', 'crc-mismatch', 'cobs-error', 'too-long', 'too-short'];
const REASONS = ['zero-byte', 'code-overrun'];

function fail(at, message) {
  throw new Error(`${at}: ${message}`);
}

function hexBytes(text, at) {
  const digits = text.replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/.test(digits)) fail(at, `not lower-case hex bytes: "${text}"`);
  return (digits.match(/../g) || []).map((h) => parseInt(h, 16));
}

function nonNegativeInt(value, at) {
  if (!Number.isSafeInteger(value) || value < 0) fail(at, 'expected a non-negative integer');
  return value;
}

function str(value, at) {
  if (typeof value !== 'string') fail(at, 'expected a string');
  return value;
}

function list(value, at) {
  if (!Array.isArray(value)) fail(at, 'expected an array');
  if (value.length === 0) fail(at, 'expected at least one case');
  return value;
}

// A byte spec: a hex string, or an array of hex strings, {repeat, count} and {from, count}.
function bytes(spec, at) {
  if (typeof spec === 'string') return hexBytes(spec, at);
  if (!Array.isArray(spec)) fail(at, 'expected hex or an array of parts');
  const out = [];
  spec.forEach((part, i) => {
    const partAt = `${at}[${i}]`;
    if (typeof part === 'string') {
      out.push(...hexBytes(part, partAt));
      return;
    }
    const count = nonNegativeInt(part && part.count, `${partAt}.count`);
    if (typeof part.repeat === 'string') {
      const unit = hexBytes(part.repeat, `${partAt}.repeat`);
      for (let k = 0; k < count; k++) out.push(...unit);
      return;
    }
    const from = hexBytes(str(part.from, `${partAt}.from`), `${partAt}.from`);
    if (from.length !== 1) fail(`${partAt}.from`, 'expected one byte');
    for (let k = 0; k < count; k++) out.push((from[0] + k) & 0xff);
  });
  return out;
}

function u32(value, at) {
  if (!/^[0-9a-f]{8}$/.test(str(value, at))) fail(at, 'expected 8 lower-case hex digits');
  return `0x${value}u`;
}

// A C string literal; anything but printable ASCII becomes an octal escape.
function cString(text) {
  let out = '"';
  for (const b of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(b);
    out += b >= 0x20 && b < 0x7f && c !== '"' && c !== '\\' && c !== '?' ? c : `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

function generate(vectorsDir) {
  const read = (file) => JSON.parse(fs.readFileSync(path.join(vectorsDir, file), 'utf8'));
  const cobs = read('cobs.json');
  const crc = read('crc32.json');
  const frames = read('frames.json');
  const arrays = [];
  const tables = [];

  const byteRef = (spec, at) => {
    const data = bytes(spec, at);
    if (data.length === 0) return '{ NULL, 0u }';
    const name = `vec_bytes_${arrays.length}`;
    const rows = [];
    for (let i = 0; i < data.length; i += 16) {
      rows.push(`\t${data.slice(i, i + 16).map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')},`);
    }
    arrays.push(`static const uint8_t ${name}[${data.length}] = {\n${rows.join('\n')}\n};`);
    return `{ ${name}, ${data.length}u }`;
  };
  const table = (type, name, entries) => {
    tables.push(`static const struct ${type} ${name}[] = {\n${entries.map((e) => `\t${e},`).join('\n')}\n};`);
    tables.push(`#define ${name.toUpperCase()}_COUNT ${entries.length}u`);
  };
  const desc = (c, at) => cString(str(c.description, `${at}.description`));

  table('vec_cobs_len', 'vec_cobs_len', list(cobs.encodedLengthMax, 'cobs.encodedLengthMax').map((c, i) => {
    const at = `cobs.encodedLengthMax[${i}]`;
    return `{ ${desc(c, at)}, ${nonNegativeInt(c.length, `${at}.length`)}u, ${nonNegativeInt(c.max, `${at}.max`)}u }`;
  }));
  for (const key of ['roundTrip', 'decodeOnly']) {
    table('vec_cobs_bytes', `vec_cobs_${key === 'roundTrip' ? 'round_trip' : 'decode_only'}`, list(cobs[key], `cobs.${key}`).map((c, i) => {
      const at = `cobs.${key}[${i}]`;
      return `{ ${desc(c, at)}, ${byteRef(c.decoded, `${at}.decoded`)}, ${byteRef(c.encoded, `${at}.encoded`)} }`;
    }));
  }
  table('vec_cobs_error', 'vec_cobs_errors', list(cobs.decodeErrors, 'cobs.decodeErrors').map((c, i) => {
    const at = `cobs.decodeErrors[${i}]`;
    if (!REASONS.includes(c.reason)) fail(`${at}.reason`, `unknown reason "${c.reason}"`);
    return `{ ${desc(c, at)}, ${byteRef(c.encoded, `${at}.encoded`)}, ${cString(c.reason)}, ${nonNegativeInt(c.offset, `${at}.offset`)}u }`;
  }));
  table('vec_crc', 'vec_crc', list(crc.cases, 'crc32.cases').map((c, i) => {
    const at = `crc32.cases[${i}]`;
    const seed = c.seed === undefined ? '0x00000000u' : u32(c.seed, `${at}.seed`);
    return `{ ${desc(c, at)}, ${byteRef(c.data, `${at}.data`)}, ${seed}, ${u32(c.crc, `${at}.crc`)} }`;
  }));
  table('vec_frame_len', 'vec_frame_len', list(frames.encodedLengthMax, 'frames.encodedLengthMax').map((c, i) => {
    const at = `frames.encodedLengthMax[${i}]`;
    return `{ ${desc(c, at)}, ${nonNegativeInt(c.payloadLength, `${at}.payloadLength`)}u, ${nonNegativeInt(c.max, `${at}.max`)}u }`;
  }));
  table('vec_frame_encoding', 'vec_frame_encoding', list(frames.encoding, 'frames.encoding').map((c, i) => {
    const at = `frames.encoding[${i}]`;
    return `{ ${desc(c, at)}, ${byteRef(c.payload, `${at}.payload`)}, ${byteRef(c.frame, `${at}.frame`)} }`;
  }));

  const sections = list(frames.decoding, 'frames.decoding').map((section, s) => {
    const sectionAt = `frames.decoding[${s}]`;
    const cases = list(section.cases, `${sectionAt}.cases`).map((c, i) => {
      const at = `${sectionAt}.cases[${i}]`;
      if (!Array.isArray(c.expect)) fail(`${at}.expect`, 'expected an array');
      let expect = 'NULL';
      if (c.expect.length > 0) {
        expect = `vec_expect_${s}_${i}`;
        const entries = c.expect.map((e, k) => {
          const eAt = `${at}.expect[${k}]`;
          if (!STATUSES.includes(e && e.status)) fail(`${eAt}.status`, `unknown status "${e && e.status}"`);
          const payload = e.status === 'ok' ? byteRef(e.payload, `${eAt}.payload`) : '{ NULL, 0u }';
          return `\t{ ${cString(e.status)}, ${payload} },`;
        });
        tables.push(`static const struct vec_expect ${expect}[] = {\n${entries.join('\n')}\n};`);
      }
      return `{ ${desc(c, at)}, ${byteRef(c.stream, `${at}.stream`)}, ${expect}, ${c.expect.length}u }`;
    });
    table('vec_frame_decoding', `vec_decoding_${s}`, cases);
    const limit = section.maxFrameBytes === undefined ? 0 : nonNegativeInt(section.maxFrameBytes, `${sectionAt}.maxFrameBytes`);
    return `{ ${desc(section, sectionAt)}, ${limit}u, vec_decoding_${s}, VEC_DECODING_${s}_COUNT }`;
  });
  table('vec_frame_section', 'vec_decoding_sections', sections);

  const limits = frames.limits || fail('frames.limits', 'missing');
  return `/* Generated by firmware-stubs/tools/vectors-to-c.js from protocol/vectors/{cobs,crc32,frames}.json; do not edit. */
#ifndef VECTORS_H
#define VECTORS_H

#include <stddef.h>
#include <stdint.h>

struct vec_bytes { const uint8_t *data; size_t len; };
struct vec_cobs_len { const char *description; size_t length; size_t max; };
struct vec_cobs_bytes { const char *description; struct vec_bytes decoded; struct vec_bytes encoded; };
struct vec_cobs_error { const char *description; struct vec_bytes encoded; const char *reason; size_t offset; };
struct vec_crc { const char *description; struct vec_bytes data; uint32_t seed; uint32_t crc; };
struct vec_frame_len { const char *description; size_t payload_length; size_t max; };
struct vec_frame_encoding { const char *description; struct vec_bytes payload; struct vec_bytes frame; };
struct vec_expect { const char *status; struct vec_bytes payload; };
struct vec_frame_decoding {
	const char *description;
	struct vec_bytes stream;
	const struct vec_expect *expect;
	size_t expect_len;
};
/* max_frame_bytes 0: the decoder's default limit. */
struct vec_frame_section {
	const char *description;
	size_t max_frame_bytes;
	const struct vec_frame_decoding *cases;
	size_t cases_len;
};

#define VEC_LIMIT_MAX_PAYLOAD_BYTES ${nonNegativeInt(limits.maxPayloadBytes, 'frames.limits.maxPayloadBytes')}u
#define VEC_LIMIT_DEFAULT_MAX_FRAME_BYTES ${nonNegativeInt(limits.defaultMaxFrameBytes, 'frames.limits.defaultMaxFrameBytes')}u

${arrays.join('\n')}

${tables.join('\n')}

#endif /* VECTORS_H */
`;
}

function main(argv) {
  if (argv.length !== 2) {
    process.stderr.write('usage: node vectors-to-c.js <vectors dir> <output header>\n');
    return 2;
  }
  const [vectorsDir, output] = argv;
  const header = generate(vectorsDir);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  const temporary = `${output}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, header);
  fs.renameSync(temporary, output);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`vectors-to-c: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
