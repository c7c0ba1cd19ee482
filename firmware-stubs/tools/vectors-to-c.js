#!/usr/bin/env node
// Converts protocol/vectors/*.json into C headers of static tables, so the agent's C code runs the
// host's vectors:
//   node vectors-to-c.js <vectors dir> <output header>
//       {cobs,crc32,frames}.json for firmware-stubs/tests/framing-test.c
//   node vectors-to-c.js --executor <executor.json> <output header>
//       executor scenarios for firmware-stubs/sim/tests/executor-vectors-test.c (include
//       core/iodev.h first: the tables use its AGENT_* names)
//   node vectors-to-c.js --devices <devices dir> <output header>
//       device model cases for firmware-stubs/sim/tests/device-vectors-test.c (the same)
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

// ------------------------------------------------------------------ device models

const DEVICE_VERSION = 1;
const PARTS = ['24c32', 'tmp102', 'icm42688', 'w25q80', 'pcf8563', 'gpio-8'];
const DEVICE_STEPS = ['i2c', 'spi', 'set', 'drive'];

// An optional device field: its C value, or `none` when absent.
function opt(value, at, none, check = nonNegativeInt) {
  return value === undefined ? none : String(check(value, at));
}

function int32(value, at) {
  if (!Number.isSafeInteger(value) || Math.abs(value) > 0x7fffffff) fail(at, 'expected a 32-bit integer');
  return value;
}

function hex8(value, at) {
  if (!/^[0-9a-f]{8}$/.test(str(value, at))) fail(at, 'expected 8 lower-case hex digits');
  return `0x${value}u`;
}

function generateDevices(dir) {
  const header = new Header('dv');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const cases = [];
  let hashes = [];
  for (const file of files) {
    const doc = readJson(path.join(dir, file));
    const where = `devices/${file}`;
    if (doc.version !== DEVICE_VERSION) fail(`${where}: version`, `is ${doc.version}; this converter reads ${DEVICE_VERSION}`);
    if (doc.part === 'hash32') {
      hashes = list(doc.cases, `${where}: cases`).map((c, i) => {
        const at = `${where}: cases[${i}]`;
        return `{ ${cString(str(c.name, `${at}.name`))}, ${hex8(c.in, `${at}.in`)}, ${hex8(c.out, `${at}.out`)} }`;
      });
      continue;
    }
    const part = oneOf(doc.part, PARTS, `${where}: part`);
    list(doc.cases, `${where}: cases`).forEach((c, i) => {
      const at = `${where}: cases[${i}]`;
      const d = c.device || fail(`${at}.device`, 'missing');
      const steps = list(c.steps, `${at}.steps`).map((s, k) => deviceStep(header, s, `${at}.steps[${k}]`, `${cases.length}_${k}`));
      const stepTable = header.table('dv_step', `dv_steps_${cases.length}`, steps);
      const bool = (v, key) => (v === undefined ? '-1' : typeof v === 'boolean' ? (v ? '1' : '0') : fail(`${at}.device.${key}`, 'expected true or false'));
      cases.push(`{ ${cString(part)}, ${cString(str(c.name, `${at}.name`))}, ${cString(str(c.description, `${at}.description`))}, ` +
        `{ ${opt(d.address, `${at}.device.address`, '-1')}, ${opt(d.seed, `${at}.device.seed`, '1')}u, ` +
        `${opt(d.writeCycleUs, `${at}.device.writeCycleUs`, '-1')}, ${bool(d.streaming, 'streaming')}, ` +
        `${opt(d.startSeconds, `${at}.device.startSeconds`, '0')}u, ${bool(d.jumpers, 'jumpers')}, ${d.temperatureMc !== undefined}, ` +
        `${opt(d.temperatureMc, `${at}.device.temperatureMc`, '0', int32)} }, ${stepTable}, ${stepTable.toUpperCase()}_COUNT }`);
    });
  }
  header.table('dv_case', 'dv_cases', cases);
  header.table('dv_hash', 'dv_hashes', hashes);
  return `/* Generated by firmware-stubs/tools/vectors-to-c.js from the files of protocol/vectors/devices; do not edit. */
#ifndef DEVICE_VECTORS_H
#define DEVICE_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dv_kind { DV_I2C, DV_SPI, DV_SET, DV_DRIVE };

struct dv_bytes { const uint8_t *data; size_t len; };
/* A message: a write of data, or a read of len bytes that must equal data when check. */
struct dv_msg { bool read; bool restart; bool check; uint32_t len; struct dv_bytes data; };
struct dv_edge { uint8_t line; uint8_t level; };
/* A step; -1: not given (address: the device's; start_ns, end_ns, levels: not checked). */
struct dv_step {
	enum dv_kind kind;
	uint64_t at_ns;
	int32_t address;
	const struct dv_msg *msgs;
	size_t n_msgs;
	int32_t status;
	const uint32_t *counts;
	size_t n_counts;
	int64_t start_ns;
	int64_t end_ns;
	uint8_t cs;
	struct dv_bytes mosi;
	bool check_miso;
	struct dv_bytes miso;
	uint32_t line;
	uint32_t level;
	int32_t levels;
	const struct dv_edge *edges;
	size_t n_edges;
};
/* A device's options; -1: the model's default. */
struct dv_device {
	int32_t address;
	uint32_t seed;
	int64_t write_cycle_us;
	int8_t streaming;
	uint64_t start_seconds;
	int8_t jumpers;
	bool pinned;
	int32_t temperature_mc;
};
struct dv_case {
	const char *part;
	const char *name;
	const char *description;
	struct dv_device device;
	const struct dv_step *steps;
	size_t n_steps;
};
struct dv_hash { const char *name; uint32_t in; uint32_t out; };

${header.body()}

#endif /* DEVICE_VECTORS_H */
`;
}

function deviceStep(header, s, at, id) {
  const kind = oneOf(s.do, DEVICE_STEPS, `${at}.do`);
  const status = s.status === undefined || s.status === 0 ? '0' : result(s.status, `${at}.status`);
  let msgs = 'NULL, 0u';
  let counts = 'NULL, 0u';
  if (kind === 'i2c') {
    const table = header.table('dv_msg', `dv_msgs_${id}`, list(s.msgs, `${at}.msgs`).map((m, k) => {
      const mAt = `${at}.msgs[${k}]`;
      const restart = m.restart === true;
      if (m.write !== undefined) return `{ false, ${restart}, false, ${bytes(m.write, `${mAt}.write`).length}u, ${header.byteRef(m.write, `${mAt}.write`)} }`;
      if (typeof m.read === 'number') return `{ true, ${restart}, false, ${nonNegativeInt(m.read, `${mAt}.read`)}u, { NULL, 0u } }`;
      if (m.read === undefined) fail(mAt, 'a message is {"write": bytes} or {"read": expected bytes or a length}');
      return `{ true, ${restart}, true, ${bytes(m.read, `${mAt}.read`).length}u, ${header.byteRef(m.read, `${mAt}.read`)} }`;
    }));
    msgs = `${table}, ${table.toUpperCase()}_COUNT`;
    if (s.counts !== undefined) {
      const name = `dv_counts_${id}`;
      const values = list(s.counts, `${at}.counts`).map((n, k) => `${nonNegativeInt(n, `${at}.counts[${k}]`)}u`);
      header.arrays.push(`static const uint32_t ${name}[${values.length}] = { ${values.join(', ')} };`);
      counts = `${name}, ${values.length}u`;
    }
  }
  let edges = 'NULL, 0u';
  let levels = '-1';
  if (kind === 'set' || kind === 'drive') {
    if (!/^[0-9a-f]{2}$/.test(str(s.levels, `${at}.levels`))) fail(`${at}.levels`, 'expected 2 lower-case hex digits');
    levels = `0x${s.levels}`;
    if (!Array.isArray(s.edges)) fail(`${at}.edges`, 'expected an array');
    if (s.edges.length > 0) {
      const table = header.table('dv_edge', `dv_edges_${id}`, s.edges.map((e, k) =>
        `{ ${nonNegativeInt(e.line, `${at}.edges[${k}].line`)}u, ${nonNegativeInt(e.level, `${at}.edges[${k}].level`)}u }`));
      edges = `${table}, ${table.toUpperCase()}_COUNT`;
    }
  }
  return `{ DV_${kind.toUpperCase()}, ${nonNegativeInt(s.atNs, `${at}.atNs`)}u, ${opt(s.address, `${at}.address`, '-1')}, ${msgs}, ` +
    `${status}, ${counts}, ${opt(s.startNs, `${at}.startNs`, '-1')}, ${opt(s.endNs, `${at}.endNs`, '-1')}, ` +
    `${opt(s.cs, `${at}.cs`, '0')}u, ${header.byteRef(s.mosi === undefined ? '' : s.mosi, `${at}.mosi`)}, ${s.miso !== undefined}, ` +
    `${header.byteRef(s.miso === undefined ? '' : s.miso, `${at}.miso`)}, ${opt(s.line, `${at}.line`, '0')}u, ` +
    `${opt(s.level, `${at}.level`, '0')}u, ${levels}, ${edges} }`;
}

// ------------------------------------------------------------------ command line

const GENERATORS = {
  '--executor': generateExecutor,
  '--devices': generateDevices,
};

function main(argv) {
  const generator = argv.length === 3 ? GENERATORS[argv[0]] : argv.length === 2 ? generateFraming : undefined;
  if (generator === undefined) {
    process.stderr.write('usage: node vectors-to-c.js <vectors dir> <output header>\n' +
      '       node vectors-to-c.js --executor <executor.json> <output header>\n' +
      '       node vectors-to-c.js --devices <devices dir> <output header>\n');
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
