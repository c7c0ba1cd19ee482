import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { REFERENCE_IODEVS } from '../emulator/board';
import { EmulatorTarget } from '../emulator/emulator-target';
import { AGENT_CAPABILITIES } from '../remote';
import { BoardFileError, isBoardFileError } from './board-errors';
import { REPO_BOARDS_DIR, boardIodevs, boardSchema, boardTimeouts, readBoardFile, validateBoard } from './board-file';
import { IODEV_CAPABILITIES, TARGET_CAPABILITIES } from '../target/capabilities';
import type { BoardFileData } from './board-types';
import { boardFiles, loadBoards } from './load-boards';
import { scratchDir } from '../testing/scratch-dir';

/** A valid serial board file's contents, changed per test. */
function serialBoard(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'bench', name: 'A bench board', target: 'serial',
    match: { vendorId: '0483', productId: '374b', serialNumber: 'ABC' },
    iodevs: [{ name: 'eeprom0', kind: 'i2c', bus: 'i2c1', address: 0x50, part: '24c32', capabilities: ['chain'] }],
    ...over,
  };
}

function problemOf(data: unknown, file = '/boards/bench.json'): BoardFileError {
  try {
    validateBoard(data, file);
  } catch (e) {
    expect(isBoardFileError(e), String(e)).to.equal(true);
    return e as BoardFileError;
  }
  throw new Error('expected a BoardFileError');
}

describe('board files', function () {
  describe('the files in boards/', function () {
    it('are all valid against the schema and the rules', function () {
      const { boards, errors } = loadBoards([REPO_BOARDS_DIR]);
      expect(errors.map((e) => e.message)).to.deep.equal([]);
      expect(boards.map((b) => b.id)).to.include.members(['emulator', 'emulator-wire', 'native', 'example-nucleo', 'example-tcp']);
    });

    it('emulator.json lists exactly the emulator\'s iodev table (REFERENCE_IODEVS) and capabilities', function () {
      const board = readBoardFile(join(REPO_BOARDS_DIR, 'emulator.json'));
      expect(boardIodevs(board)).to.deep.equal(REFERENCE_IODEVS.map((d) => ({ ...d, capabilities: [...d.capabilities] })));
      expect(board.capabilities).to.deep.equal(new EmulatorTarget().capabilities);
    });

    it('emulator-wire.json, native.json and the qemu boards list the reference board their agents serve, with the agents\' capabilities', function () {
      for (const id of ['emulator-wire', 'native', 'qemu-lm3s6965evb', 'qemu-mps2-an385']) {
        const board = readBoardFile(join(REPO_BOARDS_DIR, `${id}.json`));
        expect(boardIodevs(board), id).to.deep.equal(REFERENCE_IODEVS.map((d) => ({ ...d, capabilities: [...d.capabilities] })));
        expect(board.capabilities, id).to.deep.equal([...AGENT_CAPABILITIES]);
      }
    });

    it('the example serial board is matched by USB ids and serial number, the example tcp board by address', function () {
      const nucleo = readBoardFile(join(REPO_BOARDS_DIR, 'example-nucleo.json'));
      expect([nucleo.target, nucleo.match?.vendorId, nucleo.match?.productId]).to.deep.equal(['serial', '0483', '374b']);
      expect(nucleo.match?.serialNumber).to.be.a('string');
      const tcp = readBoardFile(join(REPO_BOARDS_DIR, 'example-tcp.json'));
      expect([tcp.target, typeof tcp.tcp?.host, typeof tcp.tcp?.port]).to.deep.equal(['tcp', 'string', 'number']);
    });

    it('does not take the schema for a board file', function () {
      expect([...boardFiles([REPO_BOARDS_DIR]).keys()]).to.not.include('board.schema');
    });
  });

  describe('validation', function () {
    it('accepts a serial board, a qemu board with placeholder fields and a tcp board', function () {
      expect(validateBoard(serialBoard(), '/x/bench.json').file).to.equal('/x/bench.json');
      validateBoard({ id: 'mps2', name: 'QEMU MPS2', target: 'qemu', launch: { machine: 'mps2-an385', image: 'agent.elf' }, iodevs: [] }, '/x/mps2.json');
      validateBoard({ id: 'rack', name: 'Rack', target: 'tcp', tcp: { host: 'h', port: 4001 }, iodevs: [] }, '/x/rack.json');
    });

    it('accepts an rfc2217 board with its line settings and a labgrid board naming its place, and wants their blocks', function () {
      const reset = [{ dtr: false, rts: true }, { waitMs: 100 }, { rts: false }];
      const rfc = validateBoard({ id: 'rack', name: 'Rack', target: 'rfc2217', rfc2217: { host: 'h', port: 4001 }, serial: { baudRate: 921600, resetSequence: reset }, iodevs: [] }, '/x/rack.json');
      expect([rfc.rfc2217, rfc.serial?.baudRate]).to.deep.equal([{ host: 'h', port: 4001 }, 921600]);
      const lg = validateBoard({ id: 'lg', name: 'Place', target: 'labgrid', labgrid: { place: 'nucleo-3', coordinator: 'coord:20408', serialPort: 'console' }, iodevs: [] }, '/x/lg.json');
      expect(lg.labgrid).to.deep.equal({ place: 'nucleo-3', coordinator: 'coord:20408', serialPort: 'console' });
      expect(problemOf({ id: 'bench', name: 'n', target: 'rfc2217', iodevs: [] }).pointer).to.equal('/rfc2217');
      expect(problemOf({ id: 'bench', name: 'n', target: 'labgrid', labgrid: {}, iodevs: [] }).pointer).to.equal('/labgrid/place');
      expect(problemOf({ id: 'bench', name: 'n', target: 'labgrid', labgrid: { place: '+TOKEN' }, iodevs: [] }).pointer, 'a reservation token is not a place').to.equal('/labgrid/place');
      const tcpOnRfc = problemOf({ id: 'bench', name: 'n', target: 'rfc2217', rfc2217: { host: 'h', port: 1 }, tcp: { host: 'h', port: 1 }, iodevs: [] });
      expect([tcpOnRfc.pointer, tcpOnRfc.expected]).to.deep.equal(['/tcp', 'no "tcp" for target "rfc2217" (it is for tcp)']);
    });

    it('names the file, the field and the expected type of a wrong value', function () {
      const e = problemOf(serialBoard({ iodevs: [{ name: 'eeprom0', kind: 'i2c', address: '0x50' }] }));
      expect(e).to.be.instanceOf(BoardFileError);
      expect([e.name, e.file, e.pointer, e.expected]).to.deep.equal(['BoardFileError', '/boards/bench.json', '/iodevs/0/address', 'an integer']);
      expect(e.message).to.equal('board file /boards/bench.json: /iodevs/0/address: expected an integer, got "0x50"');
    });

    it('points at an unknown field and lists the known ones', function () {
      const e = problemOf(serialBoard({ iodevs: [{ name: 'eeprom0', kind: 'i2c', adress: 80 }] }));
      expect(e.pointer).to.equal('/iodevs/0/adress');
      expect(e.expected).to.equal('no field "adress" here (known: name, kind, bus, address, part, description, capabilities)');
    });

    it('rejects a misspelt capability, naming the field and the vocabulary', function () {
      const e = problemOf(serialBoard({ iodevs: [{ name: 'eeprom0', kind: 'i2c', capabilities: ['multi-shot'] }] }));
      expect(e.pointer).to.equal('/iodevs/0/capabilities/0');
      expect(e.expected).to.equal(`one of: ${IODEV_CAPABILITIES.join(', ')}`);
      const t = problemOf(serialBoard({ capabilities: ['fault_injection'] }));
      expect([t.pointer, t.expected]).to.deep.equal(['/capabilities/0', `one of: ${TARGET_CAPABILITIES.join(', ')}`]);
    });

    it('has the vocabulary of harness/target/capabilities in its schema, no more, no less', function () {
      const defs = (boardSchema() as { $defs: Record<string, { items: { enum: string[] } }> }).$defs;
      expect(defs.targetCapabilities!.items.enum).to.deep.equal([...TARGET_CAPABILITIES]);
      expect(defs.iodevCapabilities!.items.enum).to.deep.equal([...IODEV_CAPABILITIES]);
    });

    it('points at a missing required field', function () {
      const data = serialBoard();
      delete data.name;
      const e = problemOf(data);
      expect([e.pointer, e.expected, e.problems[0]?.keyword]).to.deep.equal(['/name', 'this required field', 'required']);
    });

    it('lists the allowed values of an enum, a bad pattern, and an out-of-range number, all at once', function () {
      const e = problemOf(serialBoard({
        target: 'usb',
      }));
      expect([e.pointer, e.expected]).to.deep.equal(['/target', 'one of: emulator, emulator-wire, native, qemu, serial, tcp, rfc2217, labgrid']);
      const many = problemOf(serialBoard({
        match: { vendorId: '483', productId: '374b' },
        iodevs: [{ name: 'x', kind: 'i2c', address: 2000 }],
      }));
      expect(many.problems.map((p) => p.pointer)).to.deep.equal(['/match/vendorId', '/iodevs/0/address']);
      expect(many.problems[0]!.expected).to.match(/^a string matching \^\[0-9a-fA-F\]\{4\}\$/);
      expect(many.problems[1]!.expected).to.equal('a number <= 1023');
      expect(many.message).to.contain('(and 1 more: /iodevs/0/address: expected a number <= 1023, got 2000)');
    });

    it('wants a vendorId when a productId is given', function () {
      const e = problemOf(serialBoard({ match: { productId: '374b' } }));
      expect([e.pointer, e.expected]).to.deep.equal(['/match/vendorId', 'this field, since "productId" is given']);
    });

    it('wants the launch section of a native board, with its command', function () {
      expect(problemOf({ id: 'bench', name: 'n', target: 'native', iodevs: [] }).pointer).to.equal('/launch');
      expect(problemOf({ id: 'bench', name: 'n', target: 'native', launch: { args: [] }, iodevs: [] }).pointer).to.equal('/launch/command');
      expect(problemOf({ id: 'bench', name: 'n', target: 'qemu', launch: { machine: 'm' }, iodevs: [] }).pointer).to.equal('/launch/image');
    });

    it('wants the id to be the file\'s name', function () {
      const e = problemOf(serialBoard({ id: 'other' }), '/boards/bench.json');
      expect([e.pointer, e.expected, e.problems[0]?.actual]).to.deep.equal(['/id', '"bench" (the file\'s name without .json)', '"other"']);
    });

    it('rejects a section that belongs to another target kind', function () {
      const e = problemOf(serialBoard({ launch: { command: 'agent' } }));
      expect([e.pointer, e.expected]).to.deep.equal(['/launch', 'no "launch" for target "serial" (it is for native, qemu)']);
      expect(problemOf({ id: 'bench', name: 'n', target: 'emulator', tcp: { host: 'h', port: 1 }, iodevs: [] }).pointer).to.equal('/tcp');
    });

    it('wants a serial board to say how its port is found: a match or a fixed path', function () {
      const data = serialBoard();
      delete data.match;
      expect(problemOf(data).pointer).to.equal('/match');
      validateBoard({ ...data, serial: { path: '/dev/serial/by-id/usb-x' } }, '/x/bench.json');
    });

    it('rejects two iodevs with one name, pointing at the second', function () {
      const e = problemOf(serialBoard({ iodevs: [{ name: 'a', kind: 'i2c' }, { name: 'b', kind: 'spi' }, { name: 'a', kind: 'gpio' }] }));
      expect([e.pointer, e.expected]).to.deep.equal(['/iodevs/2/name', 'a name not used by another iodev ("a" is /iodevs/0)']);
    });

    it('rejects a reset step with an unknown line and one with nothing in it', function () {
      const e = problemOf(serialBoard({ serial: { resetSequence: [{ dtr: true }, {}, { cts: true }] } }));
      expect(e.problems.map((p) => p.pointer)).to.deep.equal(['/serial/resetSequence/1', '/serial/resetSequence/2/cts']);
    });
  });

  describe('reading files', function () {
    const dir = scratchDir('rtio-hil-boards-');

    it('says where a file is not JSON', function () {
      const file = join(dir(), 'bench.json');
      writeFileSync(file, '{\n  "id": "bench",\n  "name": oops\n}\n');
      let err: unknown;
      try {
        readBoardFile(file);
      } catch (e) {
        err = e;
      }
      const e = err as BoardFileError;
      expect([e.file, e.pointer, e.expected, e.problems[0]?.keyword]).to.deep.equal([file, '', 'JSON', 'json']);
      expect(e.problems[0]?.actual).to.match(/line 3, column 11/);
    });

    it('says a file cannot be read', function () {
      expect(() => readBoardFile(join(dir(), 'missing.json'))).to.throw(BoardFileError, /missing\.json: \(file\): expected a readable file, got ENOENT/);
    });

    it('applies default timeouts and keeps the file\'s own', function () {
      const data: BoardFileData = { id: 'bench', name: 'n', target: 'emulator', timeouts: { handshakeMs: 50 }, iodevs: [] };
      expect(boardTimeouts(data)).to.deep.equal({ handshakeMs: 50, opMs: 1000, settleMs: 5000, connectMs: 3000 });
    });
  });
});

describe('a board file that is not JSON', function () {
  const dir = scratchDir('rtio-hil-json-');

  /** What readBoardFile says of `text`, as the problem's `actual`. */
  function whereNotJson(text: string): string | undefined {
    const file = join(dir(), 'bench.json');
    writeFileSync(file, text);
    try {
      readBoardFile(file);
    } catch (e) {
      expect(isBoardFileError(e), String(e)).to.equal(true);
      return (e as BoardFileError).problems[0]?.actual;
    }
    throw new Error('expected a BoardFileError');
  }

  it('names the line and column where it stops being JSON, and why', function () {
    const cases: [string, string][] = [
      ['{"a": oo}', 'invalid symbol at line 1, column 7'],
      ['{\n  "a": 1,\n}', 'property name expected at line 3, column 1'],
      ['{"a" 1}', 'colon expected at line 1, column 6'],
      ['{"a": "x', 'unexpected end of string at line 1, column 7'],
      ['[1, 2', 'close bracket expected at line 1, column 6'],
      ['{"a": 1} x', 'invalid symbol at line 1, column 10'],
      ['{"a": 1} // note', 'invalid comment token at line 1, column 10'],
      ['', 'unexpected end of file at line 1, column 1'],
    ];
    expect(cases.map(([text]) => [text, whereNotJson(text)])).to.deep.equal(cases);
  });
});
