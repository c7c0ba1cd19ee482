import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { expect } from 'chai';
import { REPO_BOARDS_DIR } from './board-file';
import { BOARDS_DIR_ENV, UnknownBoardError, boardDirs, boardIds, loadBoard, loadBoards } from './load-boards';

describe('finding board files', function () {
  let dir: string;
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'rtio-hil-boards-'));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  function write(name: string, data: unknown): void {
    writeFileSync(join(dir, name), typeof data === 'string' ? data : JSON.stringify(data));
  }

  it('searches RTIO_BOARDS_DIR folders first, then the repository\'s boards/', function () {
    const other = join(dir, 'other');
    mkdirSync(other);
    expect(boardDirs({})).to.deep.equal([REPO_BOARDS_DIR]);
    expect(boardDirs({ [BOARDS_DIR_ENV]: [dir, other, REPO_BOARDS_DIR].join(delimiter) })).to.deep.equal([dir, other, REPO_BOARDS_DIR]);
  });

  it('a board file in an earlier folder shadows one of the same id in a later one', function () {
    write('emulator.json', { id: 'emulator', name: 'My own emulator settings', target: 'emulator', iodevs: [] });
    const board = loadBoard('emulator', [dir, REPO_BOARDS_DIR]);
    expect([board.name, board.file]).to.deep.equal(['My own emulator settings', join(dir, 'emulator.json')]);
  });

  it('an unknown id is an UnknownBoardError (a RangeError) listing the boards that exist', function () {
    write('bench.json', { id: 'bench', name: 'n', target: 'emulator', iodevs: [] });
    let err: unknown;
    try {
      loadBoard('nucleo', [dir, REPO_BOARDS_DIR]);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(UnknownBoardError).and.instanceOf(RangeError);
    const e = err as UnknownBoardError;
    expect([e.name, e.id]).to.deep.equal(['UnknownBoardError', 'nucleo']);
    expect(e.known).to.deep.equal(boardIds([dir, REPO_BOARDS_DIR]));
    expect(e.known).to.include.members(['bench', 'emulator', 'native']);
    expect(e.message).to.match(/^unknown board "nucleo"; known boards: bench, emulator, /);
  });

  it('loads every valid file and reports each invalid one without stopping', function () {
    write('good.json', { id: 'good', name: 'n', target: 'emulator', iodevs: [] });
    write('bad.json', { id: 'bad', name: 'n', target: 'emulator', iodevs: [{ name: 'x', kind: 'uart' }] });
    write('broken.json', '{');
    write('notes.txt', 'not a board');
    const { boards, errors } = loadBoards([dir]);
    expect(boards.map((b) => b.id)).to.deep.equal(['good']);
    expect(errors.map((e) => [e.file, e.pointer])).to.deep.equal([[join(dir, 'bad.json'), '/iodevs/0/kind'], [join(dir, 'broken.json'), '']]);
  });
});
