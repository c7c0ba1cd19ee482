import { expect } from 'chai';
import { EmulatorTarget } from '../../emulator/emulator-target';
import { compareTraces } from './compare';
import { dataDeps } from './model';
import type { Program } from './program';
import { programSqes } from './program';
import type { Trace } from './run';
import { DifferentialSession } from './session';
import { shrinkProgram } from './shrink';

const PARTS = new Map([['test0', 'rtio-iodev-test'], ['temp0', 'tmp102'], ['eeprom0', '24c32']]);

function oneStep(units: Program['steps'][number]): Program {
  return { seed: 0, sqSize: 8, cqSize: 8, mempool: { blockSize: 16, blockCount: 8 }, buffers: [{ init: [0, 0, 0, 0] }], steps: [units], flashSlots: 0 };
}

describe('the differential test itself', function () {
  it('masks bytes that depend on time and compares those the program fixes', function () {
    const p = oneStep({ kind: 'chains', chains: [[
      { note: 'temperature', units: [[{ id: 1, op: { kind: 'tiny-tx', iodev: 'temp0', data: { bytes: [0] } } }, { id: 2, op: { kind: 'rx', iodev: 'temp0', into: { buf: 0, off: 0, len: 2 } } }]] },
      { note: 'echo', units: [[{ id: 3, op: { kind: 'txrx', iodev: 'test0', tx: { buf: 0, off: 0, len: 2 }, rx: { buf: 0, off: 2, len: 2 } } }]] },
      { note: 'pattern', units: [[{ id: 4, op: { kind: 'rx', iodev: 'test0', into: { buf: 0, off: 0, len: 2 } } }]] },
    ]] });
    const deps = dataDeps(p, PARTS);
    expect(deps.get(2), 'a temperature read depends on time').to.deep.equal([null, null]);
    expect(deps.get(3), 'an echo of it too').to.deep.equal([null, null]);
    expect(deps.get(4), 'test0 reads a fixed pattern').to.deep.equal([[4], [4]]);
  });

  it('reports a byte that differs, a result that differs and a missing CQE', function () {
    const p = oneStep({ kind: 'chains', chains: [[{ note: 'read', units: [[{ id: 1, op: { kind: 'rx', iodev: 'test0', into: { buf: 0, off: 0, len: 2 } } }]] }]] });
    const trace = (result: number, data: number[]): Trace => ({ sqes: new Map([[1, { cqes: [{ result, flags: 0, data }] }]]), problems: [] });
    const deps = dataDeps(p, PARTS);
    const opts = { target: 'board', syncCancel: false };
    expect(compareTraces(p, deps, trace(2, [1, 2]), trace(2, [1, 2]), opts)).to.deep.equal([]);
    expect(compareTraces(p, deps, trace(2, [1, 2]), trace(2, [1, 3]), opts).map((m) => m.what)[0]).to.match(/^byte 1 read 0x03 on board, 0x02 on the reference/);
    expect(compareTraces(p, deps, trace(2, [1, 2]), trace(-5, []), opts).map((m) => m.what)[0]).to.contain('result -EIO on board, 2 on the reference');
    const none: Trace = { sqes: new Map(), problems: [] };
    expect(compareTraces(p, deps, trace(2, [1, 2]), none, opts).map((m) => m.what)[0]).to.contain('0 CQEs on board, 1 on the reference');
  });

  it('shrinks to the blocks that still fail, keeping each block whole', async function () {
    const blocks = Array.from({ length: 6 }, (_, i) => ({ note: `b${i}`, units: [[{ id: i + 1, op: { kind: 'nop' as const, iodev: null } }]] }));
    const p = oneStep({ kind: 'chains', chains: [blocks.slice(0, 3), blocks.slice(3)] });
    const small = await shrinkProgram(p, async (q) => programSqes(q).some((s) => s.id === 5));
    expect(programSqes(small).map((s) => s.id)).to.deep.equal([5]);
  });

  it('finds a target that gets reads wrong, and prints the smallest program that shows it', async function () {
    /** test0 reads one byte whatever was asked, even after clearFaults. */
    class Broken extends EmulatorTarget {
      override clearFaults(): void {
        super.clearFaults();
        this.injectFault('test0', { kind: 'short-read', bytes: 1 }, Infinity);
      }
    }
    const broken = new Broken('broken');
    broken.clearFaults();
    const session = new DifferentialSession(broken, 'broken');
    let seed = 1;
    let outcome = await session.runSeed(seed);
    while (outcome.mismatches.length === 0 && seed < 50) outcome = await session.runSeed(++seed);
    expect(outcome.mismatches, 'a mismatch within 50 seeds').to.not.deep.equal([]);
    const f = await session.shrink(seed, outcome.program);
    expect(f.sizes[1], 'shrunk to a few SQEs').to.be.at.most(3);
    expect(f.code).to.contain('openTarget("broken")').and.to.contain('target.iodev("test0")');
    await broken.close();
  });
});
