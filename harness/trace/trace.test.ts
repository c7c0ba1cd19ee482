import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTarget } from '../boards/open-target';
import { runCli } from '../cli/run-cli';
import { RTIO_PRIO_NORM, RTIO_SQE_CHAINED, Rtio, sqePrepDelay, sqePrepRead, sqePrepWrite } from '../rtio';
import type { Sqe } from '../rtio';
import { buildNativeAgentOrSkip } from '../testing/qemu-support';
import { TRACK, startTrace } from './index';
import type { FlowEvent, InstantEvent, MetadataEvent, SliceEvent, TraceDocument, TraceEvent } from './index';
import { traceProblems } from './validate';

/** Traces, on `board`, an EEPROM write chained to a 6 ms DELAY, an address write and a read back. */
async function traceChain(board: string): Promise<TraceDocument> {
  const tracing = startTrace();
  try {
    const t = await openTarget(board);
    try {
      const r = new Rtio({ sqSize: 8, cqSize: 8, clock: t.clock });
      tracing.test('a chained write, delay and read back');
      const ee = t.iodev('eeprom0');
      const prep = [
        (q: Sqe): void => sqePrepWrite(q, ee, RTIO_PRIO_NORM, new Uint8Array([0, 0x40, 7, 8, 9]), 5, 'write'),
        (q: Sqe): void => sqePrepDelay(q, 6, 'delay'),
        (q: Sqe): void => sqePrepWrite(q, ee, RTIO_PRIO_NORM, new Uint8Array([0, 0x40]), 2, 'address'),
        (q: Sqe): void => sqePrepRead(q, ee, RTIO_PRIO_NORM, new Uint8Array(3), 3, 'read'),
      ];
      prep.forEach((p, i) => {
        const q = r.sqeAcquire()!;
        p(q);
        if (i < prep.length - 1) q.flags |= RTIO_SQE_CHAINED;
      });
      expect(await r.submit(4, 10_000)).to.equal(0);
      for (let c = r.cqeConsume(); c !== null; c = r.cqeConsume()) {
        expect(c.result, String(c.userdata)).to.be.at.least(0);
        r.cqeRelease(c);
      }
      tracing.testEnded();
    } finally {
      await t.close();
    }
  } finally {
    tracing.stop();
  }
  return tracing.stop();
}

const slices = (d: TraceDocument): SliceEvent[] => d.traceEvents.filter((e): e is SliceEvent => e.ph === 'X');
const threadNames = (d: TraceDocument): Map<string, string> => new Map(d.traceEvents
  .filter((e): e is MetadataEvent => e.ph === 'M' && e.name === 'thread_name')
  .map((e) => [`${e.pid}/${e.tid}`, e.args.name!]));
const named = (d: TraceDocument, e: TraceEvent): string => threadNames(d).get(`${e.pid}/${e.tid}`) ?? '?';

/** The accuracy (µs) `d` states for the device-to-host mapping of process `pid`; fails when it states none. */
function deviceClockAccuracy(d: TraceDocument, pid: number): number {
  const note = d.otherData[`deviceClock.${pid}`];
  expect(note, `otherData states how process ${pid}'s device times map to host time`).to.be.a('string');
  const m = /± ([0-9.]+) µs/.exec(note!);
  expect(m, `the note states an accuracy: ${note}`).to.not.equal(null);
  return Number(m![1]);
}

/** The chain's four SQE slices, in chain order, and the flows between them. */
function checkChain(d: TraceDocument): { sqes: SliceEvent[]; flows: FlowEvent[] } {
  expect(traceProblems(d), 'problems against the Trace Event format').to.deep.equal([]);
  const sqes = slices(d).filter((e) => e.cat === 'sqe');
  expect(sqes.map((e) => e.name.replace(/ #\d+$/, ''))).to.deep.equal(['TX', 'DELAY', 'TX', 'RX']);
  expect(sqes.map((e) => named(d, e).split(' ')[0])).to.deep.equal(['eeprom0', 'executor', 'eeprom0', 'eeprom0']);
  expect(named(d, sqes[0]!)).to.equal('eeprom0 (i2c0 0x50 24c32)');
  for (let i = 1; i < sqes.length; i++) expect(sqes[i]!.ts, `slice ${i} starts after its predecessor ends`).to.be.at.least(sqes[i - 1]!.ts + sqes[i - 1]!.dur - 0.001);
  const flows = d.traceEvents.filter((e): e is FlowEvent => e.ph === 's' || e.ph === 'f');
  expect(flows.filter((f) => f.ph === 's')).to.have.length(3);
  for (let i = 1; i < sqes.length; i++) {
    const [s, f] = [flows.find((x) => x.ph === 's' && x.ts === sqes[i - 1]!.ts && x.tid === sqes[i - 1]!.tid), flows.find((x) => x.ph === 'f' && x.ts === sqes[i]!.ts && x.tid === sqes[i]!.tid)];
    expect(s, `a flow leaves member ${i - 1}`).to.not.equal(undefined);
    expect(f?.id, `the flow from member ${i - 1} arrives in member ${i}`).to.equal(s!.id);
  }
  const host = d.traceEvents.filter((e) => e.ph === 'i' && e.tid === TRACK.host).map((e) => e.name);
  expect(host.filter((n) => n === 'acquire')).to.have.length(4);
  expect(host.filter((n) => n === 'submit')).to.have.length(1);
  expect(host.filter((n) => n === 'consume')).to.have.length(4);
  const test = slices(d).find((e) => e.cat === 'test')!;
  expect(test.name).to.equal('a chained write, delay and read back');
  expect(test.ts).to.be.at.most(sqes[0]!.ts);
  return { sqes, flows };
}

describe('timelines (Chrome Trace Event JSON for Perfetto)', function () {
  this.timeout(300_000);

  it('on the emulator: a track per iodev, each SQE a slice in virtual µs, the chain as flows', async function () {
    const d = await traceChain('emulator');
    const { sqes } = checkChain(d);
    expect(sqes[1]!.dur, 'the DELAY takes exactly 6 ms of virtual time').to.equal(6000);
    expect(sqes[0]!.ts, 'virtual time starts at 0').to.equal(0);
    expect(d.traceEvents.filter((e) => e.ph !== 'M' && e.tid === TRACK.link), 'an in-process target has no link').to.deep.equal([]);
  });

  it('on native: the same, in host µs, with the link\'s frames as instants', async function () {
    await buildNativeAgentOrSkip(this);
    const d = await traceChain('native');
    const { sqes } = checkChain(d);
    expect(sqes[3]!.ts + sqes[3]!.dur - sqes[0]!.ts, 'the chain holds the 6 ms DELAY').to.be.at.least(6000);
    const link = d.traceEvents.filter((e) => e.ph === 'i' && e.tid === TRACK.link).map((e) => e.name);
    expect(link).to.include('frame out');
    expect(link.filter((n) => n === 'frame in: complete').length, 'each completion arrived in a frame').to.be.at.least(1);
    const instants = d.traceEvents.filter((e): e is InstantEvent => e.ph === 'i');
    const firstOut = instants.find((e) => e.name === 'frame out')!;
    const lastIn = instants.filter((e) => e.name === 'frame in: complete').at(-1)!;
    const accuracy = deviceClockAccuracy(d, sqes[0]!.pid);
    expect(firstOut.ts, 'the Submit went out before the TX completed').to.be.at.most(sqes[0]!.ts + sqes[0]!.dur + accuracy + 0.001);
    expect(sqes[3]!.ts + sqes[3]!.dur, 'the RX ended before its CQE arrived').to.be.at.most(lastIn.ts + accuracy + 0.001);
  });

  it('on native: SQE slices span the device times the agent reported, one iodev\'s never overlapping', async function () {
    await buildNativeAgentOrSkip(this);
    const d = await traceChain('native');
    const { sqes } = checkChain(d);
    for (const e of sqes) {
      const { deviceStartUs, deviceEndUs } = e.args as { deviceStartUs?: number; deviceEndUs?: number };
      expect(deviceStartUs, `${e.name}: the agent reported when it started`).to.be.a('number');
      expect(deviceEndUs, `${e.name}: the agent reported when it completed`).to.be.a('number');
      const span = (deviceEndUs! - deviceStartUs!) >>> 0;
      expect(span, `${e.name}: starts no later than it ends (a span under 2^31 µs)`).to.be.below(2 ** 31);
      expect(e.dur, `${e.name}: the slice lasts exactly what the device reported`).to.equal(span);
    }
    expect(sqes[1]!.dur, 'the DELAY ran its 6 ms on the device clock').to.be.at.least(6000);
    const eeprom = sqes.filter((e) => named(d, e).startsWith('eeprom0 ')).sort((a, b) => a.ts - b.ts);
    for (let i = 1; i < eeprom.length; i++) {
      expect(eeprom[i]!.ts, `eeprom0 slice ${i} starts after slice ${i - 1} ends`).to.be.at.least(eeprom[i - 1]!.ts + eeprom[i - 1]!.dur - 0.001);
    }
    expect(deviceClockAccuracy(d, sqes[0]!.pid), 'the mapping states a finite accuracy').to.be.at.least(0);
  });

  it('rtio-hil test --trace: rtio-api on the emulator and on native, one process per board, in one file', async function () {
    await buildNativeAgentOrSkip(this);
    const dir = mkdtempSync(join(tmpdir(), 'rtio-hil-trace-'));
    try {
      const file = join(dir, 't.json');
      const r = await runCli(['test', '--board', 'emulator', '--board', 'native', 'suites/rtio-api', '--trace', file]);
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`Trace: ${file} (2 runs;`);
      const d = JSON.parse(readFileSync(file, 'utf8')) as TraceDocument;
      expect(traceProblems(d), 'problems against the Trace Event format').to.deep.equal([]);
      const procs = d.traceEvents.filter((e): e is MetadataEvent => e.ph === 'M' && e.name === 'process_name').map((e) => e.args.name!);
      expect(procs.some((p) => p.startsWith('emulator'))).to.equal(true);
      expect(procs.some((p) => p.startsWith('native (') && p.includes('rtio-agent-posix'))).to.equal(true);
      const tests = slices(d).filter((e) => e.cat === 'test');
      expect(tests.some((e) => e.name.startsWith('rtio-api on emulator '))).to.equal(true);
      expect(tests.some((e) => e.name.startsWith('rtio-api on native '))).to.equal(true);
      const tracks = new Set([...threadNames(d).values()].map((n) => n.split(' ')[0]));
      for (const io of ['eeprom0', 'temp0', 'imu0', 'flash0', 'gpio0', 'test0']) expect(tracks.has(io), io).to.equal(true);
      expect(slices(d).filter((e) => e.cat === 'sqe').length).to.be.greaterThan(1000);
      expect(d.traceEvents.filter((e) => e.ph === 's').length, 'chains as flows').to.be.greaterThan(50);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the validator finds what Perfetto would reject', function () {
    const M = (pid: number, tid: number): TraceEvent[] => [
      { ph: 'M', name: 'process_name', pid, tid: 0, args: { name: 'p' } }, { ph: 'M', name: 'thread_name', pid, tid, args: { name: 't' } }];
    const ok: TraceEvent[] = [...M(1, 10), { ph: 'X', name: 'a', cat: 'sqe', pid: 1, tid: 10, ts: 0, dur: 10 }];
    expect(traceProblems({ traceEvents: ok })).to.deep.equal([]);
    expect(traceProblems({})).to.deep.equal(['not an object with a "traceEvents" array']);
    expect(traceProblems({ traceEvents: [...ok, { ph: 'X', name: 'b', cat: 'sqe', pid: 1, tid: 10, ts: 5, dur: 10 }] }))
      .to.deep.equal(['track 1/10: slice 3 overlaps slice 2 without nesting in it']);
    expect(traceProblems({ traceEvents: [...ok, { ph: 's', name: 'chain', cat: 'chain', id: 7, pid: 1, tid: 10, ts: 1 }] }))
      .to.deep.equal(['flow 7: 1 start(s) and 0 end(s), not one of each']);
    expect(traceProblems({ traceEvents: [...ok, { ph: 'i', s: 't', name: 'x', cat: 'host', pid: 1, tid: 2, ts: -1 }] })[0]).to.match(/ts must be a finite number of µs >= 0/);
    expect(traceProblems({ traceEvents: [...ok, { ph: 'i', s: 't', name: 'x', cat: 'host', pid: 1, tid: 2, ts: 1 }] })).to.deep.equal(['track 1/2 has no thread_name']);
  });
});
