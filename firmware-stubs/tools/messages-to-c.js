#!/usr/bin/env node
// Converts protocol/vectors/messages.json into a C header for firmware-stubs/tests/messages-test.c:
// per case its bytes and the packet as canonical text (fields in field-number order, proto3 JSON
// names, defaults left out, enums by name, bytes in base64), which the C test renders from what
// nanopb decoded and compares. Field numbers and types come from protocol/rtio.proto.
// Usage: node messages-to-c.js <messages.json> <rtio.proto> <output header>. Plain CommonJS, no
// dependencies; the header is a build product (build/), never committed. A missing or malformed
// vectors file is an error naming the file: the C test must not pass without its vectors.
'use strict';

const fs = require('node:fs');

function fail(message) {
  process.stderr.write(`messages-to-c: ${message}\n`);
  process.exit(1);
}

const [vectorsPath, protoPath, outPath] = process.argv.slice(2);
if (!vectorsPath || !protoPath || !outPath) fail('usage: node messages-to-c.js <messages.json> <rtio.proto> <output header>');
if (!fs.existsSync(vectorsPath)) {
  fail(`${vectorsPath} is missing: the message vectors (written with the TypeScript link layer) are required`);
}

// ------------------------------------------------------------------ rtio.proto, just enough

function parseProto(text) {
  const src = text.replace(/\/\/.*$/gm, '');
  const messages = {};
  const enums = {};
  const blockRe = /\b(message|enum)\s+(\w+)\s*\{/g;
  let m;
  while ((m = blockRe.exec(src)) !== null) {
    let depth = 1;
    let i = blockRe.lastIndex;
    while (depth > 0 && i < src.length) {
      if (src[i] === '{') depth++;
      else if (src[i] === '}') depth--;
      i++;
    }
    const body = src.slice(blockRe.lastIndex, i - 1);
    if (m[1] === 'enum') {
      enums[m[2]] = {};
      for (const e of body.matchAll(/(\w+)\s*=\s*(\d+)\s*;/g)) enums[m[2]][e[1]] = Number(e[2]);
    } else {
      const fields = [];
      for (const f of body.matchAll(/(repeated\s+|optional\s+)?(\w+)\s+(\w+)\s*=\s*(\d+)\s*;/g)) {
        const label = (f[1] ?? '').trim();
        fields.push({ repeated: label === 'repeated', optional: label === 'optional', type: f[2], name: f[3], number: Number(f[4]) });
      }
      fields.sort((a, b) => a.number - b.number);
      messages[m[2]] = fields;
    }
  }
  return { messages, enums };
}

const proto = parseProto(fs.readFileSync(protoPath, 'utf8'));
if (!proto.messages.Packet) fail(`${protoPath}: no message Packet`);

const SCALARS = new Set(['uint32', 'sint32', 'int32']);

function jsonName(name) {
  return name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

function isDefault(value) {
  return value === undefined || value === null || value === 0 || value === '' || value === false ||
    (Array.isArray(value) && value.length === 0);
}

// Canonical text of `obj` as message type `type`; `at` names the place for errors.
function canonical(type, obj, at) {
  const fields = proto.messages[type];
  if (fields === undefined) fail(`${at}: unknown message type ${type}`);
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) fail(`${at}: expected an object for ${type}`);
  const known = new Set(fields.map((f) => jsonName(f.name)));
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) fail(`${at}: ${type} has no field "${key}"`);
  }
  const parts = [];
  for (const f of fields) {
    const key = jsonName(f.name);
    const value = obj[key];
    // An empty message ({}) is not a default: it is present. A proto3 `optional` field is
    // present whenever it is set, 0 included.
    if (f.optional ? value === undefined || value === null : isDefault(value)) continue;
    const one = (v, where) => {
      if (SCALARS.has(f.type)) {
        if (!Number.isInteger(v)) fail(`${where}: expected an integer`);
        return String(v);
      }
      if (f.type === 'bool') {
        if (typeof v !== 'boolean') fail(`${where}: expected true or false`);
        return String(v);
      }
      if (f.type === 'string') {
        if (typeof v !== 'string') fail(`${where}: expected a string`);
        return JSON.stringify(v);
      }
      if (f.type === 'bytes') {
        if (typeof v !== 'string') fail(`${where}: expected base64`);
        return JSON.stringify(Buffer.from(v, 'base64').toString('base64'));
      }
      if (proto.enums[f.type]) {
        if (typeof v !== 'string' || !(v in proto.enums[f.type])) fail(`${where}: not a ${f.type} name: ${v}`);
        return JSON.stringify(v);
      }
      return canonical(f.type, v, where);
    };
    if (f.repeated) {
      if (!Array.isArray(value)) fail(`${at}.${key}: expected an array`);
      parts.push(`${JSON.stringify(key)}:[${value.map((v, i) => one(v, `${at}.${key}[${i}]`)).join(',')}]`);
    } else {
      if (proto.enums[f.type] && value === Object.keys(proto.enums[f.type]).find((k) => proto.enums[f.type][k] === 0)) continue;
      parts.push(`${JSON.stringify(key)}:${one(value, `${at}.${key}`)}`);
    }
  }
  return `{${parts.join(',')}}`;
}

function hexBytes(text, at) {
  if (typeof text !== 'string') fail(`${at}: expected a hex string`);
  const digits = text.replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/.test(digits)) fail(`${at}: not lower-case hex bytes`);
  return (digits.match(/../g) || []).map((h) => parseInt(h, 16));
}

// A C string literal: printable ASCII as is (but " \ ?), every other byte in octal.
function cString(text) {
  let out = '"';
  for (const b of Buffer.from(text, 'utf8')) {
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c && b !== 0x3f) out += String.fromCharCode(b);
    else out += `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

function cBytes(name, bytes) {
  if (bytes.length === 0) return '';
  const rows = [];
  for (let i = 0; i < bytes.length; i += 12) {
    rows.push(`\t${bytes.slice(i, i + 12).map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')},`);
  }
  return `static const uint8_t ${name}[] = {\n${rows.join('\n')}\n};\n`;
}

let doc;
try {
  doc = JSON.parse(fs.readFileSync(vectorsPath, 'utf8'));
} catch (e) {
  fail(`${vectorsPath}: ${e.message}`);
}
if (!Array.isArray(doc.cases) || doc.cases.length === 0) fail(`${vectorsPath}: expected a non-empty "cases" array`);
if (!Array.isArray(doc.decodeErrors)) fail(`${vectorsPath}: expected a "decodeErrors" array`);

let out = '/* Generated from protocol/vectors/messages.json by tools/messages-to-c.js. Do not edit. */\n';
out += '#ifndef MESSAGES_VECTORS_H\n#define MESSAGES_VECTORS_H\n\n#include <stddef.h>\n#include <stdint.h>\n\n';
out += 'struct msg_case {\n\tconst char *description;\n\tconst uint8_t *bytes;\n\tsize_t len;\n\tconst char *canonical;\n};\n\n';
out += 'struct msg_error {\n\tconst char *description;\n\tconst uint8_t *bytes;\n\tsize_t len;\n};\n\n';
const caseRows = [];
doc.cases.forEach((c, i) => {
  const at = `${vectorsPath}: cases[${i}]`;
  if (typeof c.description !== 'string') fail(`${at}: "description" must be a string`);
  const bytes = hexBytes(c.hex, `${at}.hex`);
  const text = canonical('Packet', c.packet, `${at}.packet`);
  out += cBytes(`msg_case_${i}`, bytes);
  caseRows.push(`\t{ ${cString(c.description)}, ${bytes.length ? `msg_case_${i}` : 'NULL'}, ${bytes.length}u, ${cString(text)} },`);
});
const errorRows = [];
doc.decodeErrors.forEach((c, i) => {
  const at = `${vectorsPath}: decodeErrors[${i}]`;
  if (typeof c.description !== 'string') fail(`${at}: "description" must be a string`);
  const bytes = hexBytes(c.hex, `${at}.hex`);
  out += cBytes(`msg_error_${i}`, bytes);
  errorRows.push(`\t{ ${cString(c.description)}, ${bytes.length ? `msg_error_${i}` : 'NULL'}, ${bytes.length}u },`);
});
out += `\nstatic const struct msg_case msg_cases[] = {\n${caseRows.join('\n')}\n};\n`;
out += `#define MSG_CASE_COUNT ${caseRows.length}u\n\n`;
out += `static const struct msg_error msg_errors[] = {\n${errorRows.join('\n') || '\t{ NULL, NULL, 0u },'}\n};\n`;
out += `#define MSG_ERROR_COUNT ${errorRows.length}u\n\n#endif /* MESSAGES_VECTORS_H */\n`;
fs.writeFileSync(outPath, out);
