import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { ValidateFunction } from 'ajv/dist/2020';
import { REPO_BOARDS_DIR, boardSchema, boardSchemaAjv } from './board-file';
import { writeBoardValidator } from './compile-board-schema';

describe('the board-file validator compiled at build time', function () {
  let dir = '';
  let compiled: ValidateFunction;
  const atRuntime = boardSchemaAjv().compile(boardSchema());
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'rtio-hil-validator-'));
    const file = join(dir, 'board-validator.js');
    writeBoardValidator(file);
    // Loaded as a module of this folder would be (its requires of ajv's runtime resolve from here).
    const mod = { exports: {} as unknown };
    new Function('module', 'exports', 'require', readFileSync(file, 'utf8'))(mod, mod.exports, createRequire(__filename));
    compiled = mod.exports as ValidateFunction;
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a shipped board file and reports the same errors as the schema compiled at run time', function () {
    const good: unknown = JSON.parse(readFileSync(join(REPO_BOARDS_DIR, 'emulator.json'), 'utf8'));
    expect(compiled(good)).to.equal(true);
    const bad = { ...(good as object), target: 'nope', extra: 1, iodevs: [{ name: '' }] };
    expect(compiled(bad)).to.equal(false);
    expect(atRuntime(bad)).to.equal(false);
    const strip = (errs: ValidateFunction['errors']): unknown => (errs ?? []).map((e) => [e.instancePath, e.keyword, e.params, e.data]);
    expect(strip(compiled.errors)).to.deep.equal(strip(atRuntime.errors));
    expect(compiled.errors!.length).to.be.greaterThan(1);
  });
});
