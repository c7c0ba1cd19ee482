import { expect } from 'chai';
import type { Board } from './board-types';
import type { PortInfo } from './discovery';
import { AmbiguousPortError, BoardNotConnectedError, findBoardPort, matchPorts, portMatches } from './match';

const STLINK_A: PortInfo = { path: '/dev/ttyACM0', vendorId: '0483', productId: '374b', serialNumber: 'AAA1', location: '1-2', interface: 2 };
const STLINK_B: PortInfo = { path: '/dev/ttyACM1', vendorId: '0483', productId: '374b', serialNumber: 'BBB2', location: '1-3', interface: 2 };
const FTDI_1: PortInfo = { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001', location: '1-1.3', interface: 0, byId: '/dev/serial/by-id/usb-FTDI-if00-port0' };
const FTDI_2: PortInfo = { path: '/dev/ttyUSB1', vendorId: '0403', productId: '6001', location: '1-1.4', interface: 0 };
const PORTS = [STLINK_A, STLINK_B, FTDI_1, FTDI_2];

function board(id: string, over: Partial<Board>): Board {
  return { id, name: id, target: 'serial', iodevs: [], file: `/boards/${id}.json`, ...over };
}

describe('matching ports to boards', function () {
  it('compares USB ids without regard to case, everything else exactly', function () {
    expect(portMatches({ vendorId: '0483', productId: '374B' }, STLINK_A)).to.equal(true);
    expect(portMatches({ vendorId: '0483', serialNumber: 'aaa1' }, STLINK_A)).to.equal(false);
    expect(portMatches({ interface: 2 }, STLINK_A)).to.equal(true);
    expect(portMatches({ serialNumber: 'X' }, FTDI_1), 'a port without a serial number does not match one').to.equal(false);
  });

  it('tells two identical ST-LINKs apart by serial number', function () {
    const b = board('nucleo-b', { match: { vendorId: '0483', productId: '374b', serialNumber: 'BBB2' } });
    expect(findBoardPort(b, PORTS).path).to.equal('/dev/ttyACM1');
  });

  it('tells two identical adapters without serial numbers apart by USB location', function () {
    const b = board('rig-2', { match: { vendorId: '0403', productId: '6001', location: '1-1.4' } });
    expect(findBoardPort(b, PORTS).path).to.equal('/dev/ttyUSB1');
  });

  it('says which ports a too-loose match hits, and what to add', function () {
    const b = board('any-nucleo', { match: { vendorId: '0483', productId: '374b' } });
    let err: unknown;
    try {
      findBoardPort(b, PORTS);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(AmbiguousPortError);
    const e = err as AmbiguousPortError;
    expect([e.name, e.boardId, e.paths]).to.deep.equal(['AmbiguousPortError', 'any-nucleo', ['/dev/ttyACM0', '/dev/ttyACM1']]);
    expect(e.message).to.match(/add "serialNumber" or "location" \(and "interface"\) to its \/match$/);
  });

  it('says a board is not connected, with its match and the ports that were found', function () {
    const b = board('nucleo-c', { match: { vendorId: '0483', productId: '374b', serialNumber: 'CCC3' } });
    let err: unknown;
    try {
      findBoardPort(b, [FTDI_1]);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(BoardNotConnectedError);
    const e = err as BoardNotConnectedError;
    expect([e.boardId, e.seen]).to.deep.equal(['nucleo-c', ['/dev/ttyUSB0 0403:6001 usb 1-1.3 if 0']]);
    expect(e.message).to.equal('board "nucleo-c" is not connected: no port matches /match {vendorId 0483, productId 374b, serialNumber CCC3}; ports found: /dev/ttyUSB0 0403:6001 usb 1-1.3 if 0');
    expect(() => findBoardPort(b, [])).to.throw(BoardNotConnectedError, /; ports found: none$/);
  });

  it('lists, per port, the serial boards naming it by match or by a fixed path (or link)', function () {
    const a = board('a', { match: { vendorId: '0483', serialNumber: 'AAA1' } });
    const fixed = board('fixed', { serial: { path: '/dev/serial/by-id/usb-FTDI-if00-port0' } });
    const twin = board('twin', { match: { vendorId: '0483', productId: '374b', serialNumber: 'AAA1' } });
    const emu = board('emu', { target: 'emulator' });
    const got = matchPorts(PORTS, [a, fixed, twin, emu]).map((p) => [p.port.path, p.boards.map((b) => b.id)]);
    expect(got).to.deep.equal([
      ['/dev/ttyACM0', ['a', 'twin']],
      ['/dev/ttyACM1', []],
      ['/dev/ttyUSB0', ['fixed']],
      ['/dev/ttyUSB1', []],
    ]);
  });
});
