import { expect } from 'chai';
import { UnknownBoardError } from '../boards/load-boards';
import { DEFAULT_SUITE_BOARDS, suiteBoards } from './suite-boards';

describe('suiteBoards', function () {
  it('defaults to every board that needs no hardware', function () {
    expect(suiteBoards({})).to.deep.equal(DEFAULT_SUITE_BOARDS);
    expect(suiteBoards({ RTIO_BOARD: '' })).to.deep.equal(DEFAULT_SUITE_BOARDS);
  });

  it('takes one board id or a comma-separated list, once each', function () {
    expect(suiteBoards({ RTIO_BOARD: 'native' })).to.deep.equal(['native']);
    expect(suiteBoards({ RTIO_BOARD: 'emulator-wire, native,emulator-wire' })).to.deep.equal(['emulator-wire', 'native']);
  });

  it('names an unknown board and lists the known ones', function () {
    expect(() => suiteBoards({ RTIO_BOARD: 'emulator,nucleo' })).to.throw(UnknownBoardError, /^unknown board "nucleo"; known boards: emulator, emulator-wire/);
  });
});
