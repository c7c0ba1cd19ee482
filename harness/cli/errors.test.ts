import { expect } from 'chai';
import { BoardFileError } from '../boards/board-errors';
import { UnknownBoardError } from '../boards/load-boards';
import { HandshakeTimeoutError, PortOpenError } from '../link/errors';
import { EXIT, UsageError, intOption, parseCommandLine, reportError } from './errors';

describe('how the command reports errors', function () {
  it('a bad command line exits 2 with the usage; an unknown board exits 2 listing the known ones', function () {
    expect(reportError(new UsageError('unknown option "--x"', 'usage: rtio-hil list'))).to.deep.equal({
      lines: ['rtio-hil: unknown option "--x"', '', 'usage: rtio-hil list'], code: EXIT.usage,
    });
    expect(reportError(new UnknownBoardError('b', ['emulator'], ['/boards']))).to.deep.equal({
      lines: ['rtio-hil: unknown board "b"; known boards: emulator (board files in /boards)'], code: EXIT.usage,
    });
  });

  it('a port that will not open gets a hint for its reason, serial or TCP', function () {
    const hint = (e: Error): string => reportError(e).lines[1] ?? '';
    expect(hint(new PortOpenError('/dev/ttyACM0', 'permission', new Error('Permission denied')))).to.match(/^ {2}you may not open it: add yourself to its group/);
    expect(hint(new PortOpenError('/dev/ttyACM0', 'busy'))).to.match(/^ {2}another process has it open/);
    expect(hint(new PortOpenError('/dev/ttyACM0', 'missing'))).to.match(/^ {2}it is gone/);
    expect(hint(new PortOpenError('tcp:h:1', 'missing'))).to.match(/^ {2}nothing listens there, or the host is unknown/);
    expect(hint(new PortOpenError('tcp:h:1', 'other'))).to.match(/\/timeouts\/connectMs/);
    expect(reportError(new PortOpenError('/dev/ttyACM0', 'busy')).code, 'an infrastructure failure').to.equal(EXIT.infrastructure);
  });

  it('a silent agent exits 3 (infrastructure), an invalid board file 2 (setup) with one line per problem', function () {
    const silent = reportError(new HandshakeTimeoutError('/dev/ttyACM0', 3000));
    expect([silent.lines[0], silent.code]).to.deep.equal(['rtio-hil: handshake timeout: no HelloReply from /dev/ttyACM0 within 3000 ms', EXIT.infrastructure]);
    const bad = new BoardFileError('/b/x.json', [
      { pointer: '/id', expected: '"x"', actual: '"y"', keyword: 'id-file-name' },
      { pointer: '/name', expected: 'this required field', actual: 'nothing', keyword: 'required' },
    ]);
    expect(reportError(bad)).to.deep.equal({
      lines: ['rtio-hil: invalid board file /b/x.json', '  /id: expected "x", got "y"', '  /name: expected this required field, got nothing'],
      code: EXIT.usage,
    });
  });

  it('turns parseArgs errors into usage errors and checks integer options', function () {
    expect(() => parseCommandLine(['--nope'], { json: { type: 'boolean' } }, 'usage: x')).to.throw(UsageError, /^Unknown option '--nope'$/);
    expect(parseCommandLine(['a', '--json'], { json: { type: 'boolean' } }, 'usage: x')).to.deep.include({ positionals: ['a'] });
    expect(intOption('count', undefined, 10, 'u')).to.equal(10);
    expect(intOption('count', '3', 10, 'u')).to.equal(3);
    expect(() => intOption('count', '0', 10, 'u')).to.throw(UsageError, '"--count" must be an integer >= 1; got "0"');
  });
});
