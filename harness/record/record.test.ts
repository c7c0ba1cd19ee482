import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli';
import { EmulatorTarget } from '../emulator/emulator-target';
import { skipBecause } from '../report/skip-reason';
import { RTIO_OP_RX, RTIO_OP_TINY_TX } from '../rtio';
import { buildNativeAgentOrSkip, missingQemuPrerequisite } from '../testing/qemu-support';
import { RECORDING_FORMAT, RECORDING_VERSION, RecordingFormatError, fromHex, parseRecording } from './format';
import type { RecordingLine, SessionLine, SubmitLine } from './format';
import { replay } from './replay';
import { scratchDir } from '../testing/scratch-dir';

/** Iodevs of the reference board whose data depend on when they are read (docs/recording.md). */
const TIME_DRIVEN = ['imu0', 'temp0', 'gpio0', 'rtc0'];

function lines(file: string): RecordingLine[] {
  return parseRecording(readFileSync(file, 'utf8'), file);
}

/** Records `suites` on `board` with the command, checks the file's shape, and returns its lines. */
async function record(board: string, file: string, suites: readonly string[]): Promise<RecordingLine[]> {
  const r = await runCli(['record', '--board', board, '--out', file, ...suites]);
  expect(r.code, r.stdout + r.stderr).to.equal(0);
  const got = lines(file);
  expect(got[0]).to.deep.include({ kind: 'header', format: RECORDING_FORMAT, version: RECORDING_VERSION });
  const session = got.find((l): l is SessionLine => l.kind === 'session')!;
  expect(session.board).to.equal(board);
  expect(session.build, 'the agent build the recording was made with').to.be.a('string').and.not.equal('');
  expect(session.iodevs.map((i) => i.name)).to.include.members(['eeprom0', 'flash0', 'test0']);
  expect(got.filter((l) => l.kind === 'test').length, 'the tests the programs came from').to.be.greaterThan(2);
  expect(got.filter((l) => l.kind === 'cqe' && l.data !== undefined).length, 'completions with the bytes read').to.be.greaterThan(5);
  return got;
}

/** The first EEPROM read of a recording, as [address TINY_TX, RX]: the address it read from. */
function firstEepromRead(rec: readonly RecordingLine[]): number {
  for (const l of rec) {
    if (l.kind !== 'submit') continue;
    const s = l as SubmitLine;
    const [a, b] = s.sqes;
    if (a?.op === RTIO_OP_TINY_TX && a.iodev === 'eeprom0' && b?.op === RTIO_OP_RX && b.iodev === 'eeprom0' && a.buf !== undefined) {
      const addr = fromHex(s.regions[a.buf.region]!.init).subarray(a.buf.offset, a.buf.offset + 2);
      return (addr[0]! << 8) | addr[1]!;
    }
  }
  throw new Error('the recording reads no EEPROM');
}

describe('golden traces: record on a board, replay on the emulator', function () {
  this.timeout(300_000);
  const dir = scratchDir('rtio-hil-record-', 'all');

  describe('on native (the C agent as a process)', function () {
    let rec: RecordingLine[];
    let file: string;

    before(async function () {
      await buildNativeAgentOrSkip(this);
      file = join(dir(), 'native.jsonl');
      // Without the flash tests that poll its status while a program or an erase runs: replay paces
      // by host time (recordings keep no device times yet; docs/recording.md), so how far the flash
      // got at each poll can differ (seen as status ff03 recorded, ff00 replayed).
      rec = await record('native', file, ['suites/peripherals', 'suites/conformance', '--', '--grep', 'SPI NOR flash', '--invert']);
    });

    it('replays on the emulator with every completion equal (rtio-hil replay exits 0)', async function () {
      const r = await runCli(['replay', file, '--board', 'emulator', '--time-driven', TIME_DRIVEN.join(','), '--json']);
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      const report = JSON.parse(r.stdout) as { mismatch: unknown; matched: number; submits: number };
      expect(report.mismatch).to.equal(null);
      const recorded = rec.filter((l) => l.kind === 'cqe').length;
      expect(report.matched, 'completions compared').to.be.greaterThan(recorded / 2);
      expect(report.submits).to.equal(rec.filter((l) => l.kind === 'submit').length);
    });

    it('catches a model change that alters one byte, naming the iodev, the op, both values and the test', async function () {
      const addr = firstEepromRead(rec) + 1;
      const report = await replay(rec, {
        timeDriven: TIME_DRIVEN,
        open: async (s) => {
          const t = new EmulatorTarget('emulator', { seed: s.seed });
          // The changed model: the EEPROM returns one bit wrong at one address.
          const ee = t.board.devices.eeprom;
          const read = ee.read.bind(ee);
          ee.read = (): number => (ee.addressPointer === addr ? read() ^ 0x01 : read());
          return t;
        },
      });
      const m = report.mismatch;
      expect(m, 'the changed byte is caught').to.not.equal(null);
      expect(m).to.include({ what: 'data', iodev: 'eeprom0', op: 'RX' });
      expect(m!.test).to.match(/^peripherals on native /);
      const [want, got] = [fromHex(m!.recorded), fromHex(m!.replayed)];
      expect(got.length).to.equal(want.length);
      const differing = [...want.keys()].filter((i) => want[i] !== got[i]);
      expect(differing, 'exactly one byte differs').to.deep.equal([1]);
      expect(got[1]).to.equal(want[1]! ^ 0x01);
      expect(m!.message).to.contain('RX on eeprom0').and.contain(m!.test!).and.contain(m!.recorded).and.contain(m!.replayed);
    });

    it('rtio-hil replay exits 1 and names the first difference when data differ', async function () {
      const changed = join(dir(), 'changed.jsonl');
      const text = readFileSync(file, 'utf8').split('\n');
      const at = text.findIndex((l) => l.includes('"kind":"cqe"') && l.includes('"data":"'));
      const line = JSON.parse(text[at]!) as { data: string };
      const flipped = (parseInt(line.data.slice(0, 2), 16) ^ 0xff).toString(16).padStart(2, '0');
      text[at] = JSON.stringify({ ...line, data: flipped + line.data.slice(2) });
      writeFileSync(changed, text.join('\n'));
      const r = await runCli(['replay', changed, '--time-driven', TIME_DRIVEN.join(',')]);
      expect(r.code, r.stdout + r.stderr).to.equal(1);
      expect(r.stdout).to.match(/MISMATCH after \d+ matching completions\n {2}\w+ on \w+ \(SQE #\d+\) in test "[^"]+": data differ at byte 0: recorded /);
    });
  });

  describe('on qemu-lm3s6965evb (the agent built for a Cortex-M3, under QEMU)', function () {
    // Not the flash's BUSY tests: QEMU's device clock does not keep the host's pace, and a
    // recording holds host times only (docs/recording.md, "Time").
    it('records the EEPROM and RTC tests and replays them on the emulator with every completion equal', async function () {
      const missing = missingQemuPrerequisite();
      if (missing !== null) skipBecause(this, `QEMU firmware cannot be built and run here: ${missing}`);
      const file = join(dir(), 'qemu.jsonl');
      const rec = await record('qemu-lm3s6965evb', file, ['--grep', 'EEPROM|real-time clock', 'suites/peripherals']);
      const report = await replay(rec, { timeDriven: TIME_DRIVEN, open: async (s) => new EmulatorTarget('emulator', { seed: s.seed }) });
      expect(report.mismatch, report.mismatch?.message).to.equal(null);
      expect(report.matched).to.be.greaterThan(50);
    });
  });

  describe('the commands refuse what they cannot do, naming the culprit (exit status 2)', function () {
    it('record without --out or on two boards, replay of a missing or foreign file or on an unknown board', async function () {
      const foreign = join(dir(), 'foreign.jsonl');
      writeFileSync(foreign, '{"kind":"submit"}\n');
      const runs = await Promise.all([
        runCli(['record', '--board', 'native']), runCli(['record', '--board', 'native,emulator', '--out', join(dir(), 'x.jsonl')]),
        runCli(['replay', join(dir(), 'missing.jsonl')]), runCli(['replay', foreign]), runCli(['replay', foreign, '--board', 'nosuch0']),
      ]);
      expect(runs.map((r) => r.code)).to.deep.equal([2, 2, 2, 2, 2]);
      expect(runs[0]!.stderr).to.match(/^rtio-hil: give the recording file once: --out FILE/);
      expect(runs[1]!.stderr).to.match(/^rtio-hil: record on exactly one board: --board ID/);
      expect(runs[2]!.stderr).to.match(/^rtio-hil: cannot read the recording .*missing\.jsonl: ENOENT/);
      expect(runs[3]!.stderr).to.match(/^rtio-hil: .*foreign\.jsonl:1: not an rtio-hil recording/);
      expect(runs[4]!.stderr).to.match(/^rtio-hil: unknown board "nosuch0"/);
    });
  });

  describe('the format', function () {
    it('refuses a file that is not a recording, or of another version, naming the file and line', function () {
      expect(() => parseRecording('{"kind":"submit"}\n', 'x.jsonl')).to.throw(RecordingFormatError, /^x\.jsonl:1: not an rtio-hil recording/);
      const v2 = JSON.stringify({ kind: 'header', format: RECORDING_FORMAT, version: RECORDING_VERSION + 1, tool: 't' });
      expect(() => parseRecording(`${v2}\n`, 'y.jsonl')).to.throw(RecordingFormatError, /^y\.jsonl:1: recording format version 2; this rtio-hil reads version 1/);
      const head = JSON.stringify({ kind: 'header', format: RECORDING_FORMAT, version: RECORDING_VERSION, tool: 't' });
      expect(() => parseRecording(`${head}\n{"kind":"frob"}\n`, 'z.jsonl')).to.throw(RecordingFormatError, /^z\.jsonl:2: unknown line kind "frob"/);
      expect(() => parseRecording(`${head}\n{oops\n`, 'w.jsonl')).to.throw(RecordingFormatError, /^w\.jsonl:2: not JSON/);
    });
  });
});
