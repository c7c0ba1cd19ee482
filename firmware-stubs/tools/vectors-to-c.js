#!/usr/bin/env node
// Converts protocol/vectors/*.json into C headers of static tables, so the agent's C code runs the
// host's vectors:
//   node vectors-to-c.js <vectors dir> <output header>
//       {cobs,crc32,frames}.json for firmware-stubs/tests/framing-test.c
//   node vectors-to-c.js --executor <executor.json> <output header>
//       executor scenarios for firmware-stubs/sim/tests/executor-vectors-test.c (include
//       core/iodev.h first: the tables use its AGENT_* names)
// Plain CommonJS, no dependencies; headers are build products (build/), never committed. A
// malformed vector is an error naming its file and field: a C test must not pass without them.
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

// The static arrays and tables of one generated header, in the order they are added.
class Header {
  constructor(prefix) {
    this.prefix = prefix;
    this.arrays = [];
    this.tables = [];
  }

  // A `{ data, len }` initializer for the bytes of `spec`, its array emitted once.
  byteRef(spec, at) {
    const data = bytes(spec, at);
    if (data.length === 0) return '{ NULL, 0u }';
    const name = `${this.prefix}_bytes_${this.arrays.length}`;
    const rows = [];
    for (let i = 0; i < data.length; i += 16) {
      rows.push(`\t${data.slice(i, i + 16).map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')},`);
    }
    this.arrays.push(`static const uint8_t ${name}[${data.length}] = {\n${rows.join('\n')}\n};`);
    return `{ ${name}, ${data.length}u }`;
  }

  // A static table `name` of `type` and a NAME_COUNT macro; returns `name`.
  table(type, name, entries) {
    this.tables.push(`static const struct ${type} ${name}[] = {\n${entries.map((e) => `\t${e},`).join('\n')}\n};`);
    this.tables.push(`#define ${name.toUpperCase()}_COUNT ${entries.length}u`);
    return name;
  }

  body() {
    return `${this.arrays.join('\n')}\n\n${this.tables.join('\n')}`;
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    fail(file, e instanceof Error ? e.message : String(e));
  }
}

function generateFraming(vectorsDir) {
  const read = (file) => readJson(path.join(vectorsDir, file));
  const cobs = read('cobs.json');
  const crc = read('crc32.json');
  const frames = read('frames.json');
  const header = new Header('vec');
  const byteRef = (spec, at) => header.byteRef(spec, at);
  const table = (type, name, entries) => header.table(type, name, entries);
  const tables = header.tables;
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

${header.body()}

#endif /* VECTORS_H */
`;
}

// ------------------------------------------------------------------ executor scenarios

const EXECUTOR_VERSION = 1;
const OPS = ['NOP', 'RX', 'TX', 'TINY_TX', 'CALLBACK', 'TXRX', 'DELAY', 'I2C_RECOVER', 'AWAIT'];
const SQE_FLAGS = ['CHAINED', 'TRANSACTION', 'MEMPOOL_BUFFER', 'MULTISHOT', 'NO_RESPONSE'];
const REQUIREMENTS = ['cq-overflow', 'cq-capacity', 'callback'];
const STEPS = ['prepare', 'submit', 'advance', 'run', 'cancel', 'signal', 'fault', 'consume', 'check'];
const FAULTS = { nack: 'NACK', 'short-read': 'SHORT_READ', 'bus-timeout': 'BUS_TIMEOUT', delay: 'DELAY' };

function oneOf(value, allowed, at) {
  if (!allowed.includes(value)) fail(at, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

function optInt(value, at) {
  return value === undefined ? 0 : nonNegativeInt(value, at);
}

// A result: a byte count, or a negative errno name ("-EIO") as the agent's -AGENT_EIO.
function result(value, at, fallback) {
  if (value === undefined && fallback !== undefined) return fallback;
  if (Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^-E[A-Z0-9]+$/.test(value)) return `-AGENT_${value.slice(1)}`;
  return fail(at, 'expected a byte count or a negative errno name such as "-ECANCELED"');
}

function flagsOf(list, names, prefix, at) {
  if (list === undefined) return '0u';
  if (!Array.isArray(list)) fail(at, 'expected an array');
  const parts = list.map((f, i) => `${prefix}${oneOf(f, names, `${at}[${i}]`)}`);
  return parts.length === 0 ? '0u' : `(${parts.join(' | ')})`;
}

function generateExecutor(file) {
  const doc = readJson(file);
  const where = path.basename(file);
  if (doc.version !== EXECUTOR_VERSION) fail(`${where}: version`, `is ${doc.version}; this converter reads ${EXECUTOR_VERSION}`);
  const header = new Header('xv');
  const sqeTable = (list, at) => {
    if (list === undefined) return 'NULL, 0u';
    const name = header.table('xv_sqe', `xv_sqes_${header.tables.length}`, list.map((q, i) => {
      const qAt = `${at}[${i}]`;
      const script = q.script || {};
      if (q.iodev !== undefined && q.iodev !== 'test0') fail(`${qAt}.iodev`, 'only test0 is known');
      return `{ ${cString(str(q.name, `${qAt}.name`))}, AGENT_OP_${oneOf(q.op, OPS, `${qAt}.op`)}, ${q.iodev !== undefined}, ` +
        `${flagsOf(q.flags, SQE_FLAGS, 'AGENT_SQE_', `${qAt}.flags`)}, ${optInt(q.len, `${qAt}.len`)}u, ` +
        `${header.byteRef(q.tx === undefined ? '' : q.tx, `${qAt}.tx`)}, ${optInt(q.delayUs, `${qAt}.delayUs`)}u, ` +
        `${optInt(q.timeoutUs, `${qAt}.timeoutUs`)}u, ${optInt(script.delayUs, `${qAt}.script.delayUs`)}u, ` +
        `${result(script.result, `${qAt}.script.result`, '0')}, ${script.hang === true} }`;
    }));
    return `${name}, ${name.toUpperCase()}_COUNT`;
  };
  const cases = list(doc.cases, `${where}: cases`).map((c, i) => {
    const at = `${where}: cases[${i}]`;
    const name = str(c.name, `${at}.name`);
    const ctx = c.context || fail(`${at}.context`, 'missing');
    const pool = ctx.mempool || { blockSize: 0, blockCount: 0 };
    const requires = (c.requires || []).map((r, k) => `XV_REQ_${oneOf(r, REQUIREMENTS, `${at}.requires[${k}]`).toUpperCase().replace('-', '_')}`);
    const steps = list(c.steps, `${at}.steps`).map((s, k) => {
      const sAt = `${at}.steps[${k}]`;
      const kind = oneOf(s.do, STEPS, `${sAt}.do`);
      const f = kind === 'fault' ? s.fault || fail(`${sAt}.fault`, 'missing') : {};
      const fault = kind === 'fault' ? `AGENT_FAULT_${FAULTS[f.kind] || fail(`${sAt}.fault.kind`, `unknown kind ${JSON.stringify(f.kind)}`)}` : 'AGENT_FAULT_NONE';
      const returns = kind === 'submit' || kind === 'cancel' ? result(s.returns, `${sAt}.returns`, kind === 'submit' ? '0' : undefined) : '0';
      return `{ XV_${kind.toUpperCase()}, ${sqeTable(s.sqes, `${sAt}.sqes`)}, ${s.sqe === undefined ? 'NULL' : cString(str(s.sqe, `${sAt}.sqe`))}, ` +
        `${returns}, ${optInt(s.us, `${sAt}.us`)}u, ${fault}, ${optInt(f.atByte, `${sAt}.fault.atByte`)}u, ` +
        `${optInt(f.bytes, `${sAt}.fault.bytes`)}u, ${optInt(f.delayUs, `${sAt}.fault.delayUs`)}u, ` +
        `${kind === 'fault' ? optInt(s.count === undefined ? 1 : s.count, `${sAt}.count`) : 0}u, ` +
        `${optInt(s.n === undefined ? s.overflowPending : s.n, `${sAt}.n`)}u }`;
    });
    const cqes = list(c.cqes, `${at}.cqes`).map((e, k) => {
      const eAt = `${at}.cqes[${k}]`;
      const blocks = e.mempoolBlocks === undefined ? -1 : nonNegativeInt(e.mempoolBlocks, `${eAt}.mempoolBlocks`);
      return `{ ${cString(str(e.sqe, `${eAt}.sqe`))}, ${result(e.result, `${eAt}.result`)}, ${e.more === true}, ${blocks}, ` +
        `${header.byteRef(e.data === undefined ? '' : e.data, `${eAt}.data`)}, ${nonNegativeInt(e.atUs, `${eAt}.atUs`)}u }`;
    });
    const stepTable = header.table('xv_step', `xv_steps_${i}`, steps);
    const cqeTable = cqes.length === 0 ? null : header.table('xv_cqe', `xv_cqes_${i}`, cqes);
    return `{ ${cString(name)}, ${cString(str(c.description, `${at}.description`))}, ` +
      `${nonNegativeInt(ctx.sqSize, `${at}.context.sqSize`)}u, ${nonNegativeInt(ctx.cqSize, `${at}.context.cqSize`)}u, ` +
      `${nonNegativeInt(pool.blockSize, `${at}.context.mempool.blockSize`)}u, ${nonNegativeInt(pool.blockCount, `${at}.context.mempool.blockCount`)}u, ` +
      `${requires.length === 0 ? '0u' : requires.join(' | ')}, ${stepTable}, ${stepTable.toUpperCase()}_COUNT, ` +
      `${cqeTable === null ? 'NULL, 0u' : `${cqeTable}, ${cqeTable.toUpperCase()}_COUNT`} }`;
  });
  header.table('xv_case', 'xv_cases', cases);
  return `/* Generated by firmware-stubs/tools/vectors-to-c.js from protocol/vectors/executor.json; do not edit. */
#ifndef EXECUTOR_VECTORS_H
#define EXECUTOR_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a case needs beyond the executor (protocol/vectors/README.md). */
#define XV_REQ_CQ_OVERFLOW (1u << 0)
#define XV_REQ_CQ_CAPACITY (1u << 1)
#define XV_REQ_CALLBACK (1u << 2)

enum xv_step_kind { XV_PREPARE, XV_SUBMIT, XV_ADVANCE, XV_RUN, XV_CANCEL, XV_SIGNAL, XV_FAULT, XV_CONSUME, XV_CHECK };

struct xv_bytes { const uint8_t *data; size_t len; };
/* An SQE; on_test0 false: an executor op. script_*: what test0 does with it. */
struct xv_sqe {
	const char *name;
	uint8_t op;
	bool on_test0;
	uint32_t flags;
	uint32_t len;
	struct xv_bytes tx;
	uint32_t delay_us;
	uint32_t timeout_us;
	uint32_t script_delay_us;
	int32_t script_result;
	bool script_hang;
};
/* A step: sqes (prepare, submit), sqe (cancel, signal), returns (submit, cancel), us (advance),
 * the fault and its count (fault), n (consume; check: overflowPending). */
struct xv_step {
	enum xv_step_kind kind;
	const struct xv_sqe *sqes;
	size_t n_sqes;
	const char *sqe;
	int32_t returns;
	uint32_t us;
	enum agent_fault_kind fault;
	uint32_t at_byte;
	uint32_t bytes;
	uint32_t delay_us;
	uint32_t count;
	uint32_t n;
};
/* An expected CQE; mempool_blocks -1: none. */
struct xv_cqe {
	const char *sqe;
	int32_t result;
	bool more;
	int32_t mempool_blocks;
	struct xv_bytes data;
	uint64_t at_us;
};
/* A case; block_size 0: no mempool. */
struct xv_case {
	const char *name;
	const char *description;
	uint32_t sq_size;
	uint32_t cq_size;
	uint32_t block_size;
	uint32_t block_count;
	uint32_t requires;
	const struct xv_step *steps;
	size_t n_steps;
	const struct xv_cqe *cqes;
	size_t n_cqes;
};

${header.body()}

#endif /* EXECUTOR_VECTORS_H */
`;
}

// ------------------------------------------------------------------ command line

const GENERATORS = {
  '--executor': generateExecutor,
};

function main(argv) {
  const generator = argv.length === 3 ? GENERATORS[argv[0]] : argv.length === 2 ? generateFraming : undefined;
  if (generator === undefined) {
    process.stderr.write('usage: node vectors-to-c.js <vectors dir> <output header>\n' +
      '       node vectors-to-c.js --executor <executor.json> <output header>\n');
    return 2;
  }
  const [input, output] = argv.slice(-2);
  const header = generator(input);
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
