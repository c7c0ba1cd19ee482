import { expect } from 'chai';
import { validateBoard } from './board-file';
import type { PortInfo } from './discovery';
import { suggestBoard, suggestId, suggestMatch } from './suggest';

const STLINK: PortInfo = { path: '/dev/ttyACM0', vendorId: '0483', productId: '374b', serialNumber: '0671FF485550755187121723', manufacturer: 'STMicroelectronics', product: 'STM32 STLink', location: '1-2', interface: 2 };
const FTDI_1: PortInfo = { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001', manufacturer: 'FTDI', product: 'FT232R USB UART', location: '1-1.3', interface: 0 };
const FTDI_2: PortInfo = { ...FTDI_1, path: '/dev/ttyUSB1', location: '1-1.4' };
const DUAL_A: PortInfo = { path: '/dev/ttyUSB2', vendorId: '0403', productId: '6010', serialNumber: 'FT1', location: '1-5', interface: 0 };
const DUAL_B: PortInfo = { ...DUAL_A, path: '/dev/ttyUSB3', interface: 1 };

describe('board-file skeletons', function () {
  it('match by USB ids and serial number when that names the port alone', function () {
    expect(suggestMatch(STLINK, [STLINK, FTDI_1])).to.deep.equal({ vendorId: '0483', productId: '374b', serialNumber: '0671FF485550755187121723' });
  });

  it('add the USB location only when an identical adapter is connected too', function () {
    expect(suggestMatch(FTDI_1, [FTDI_1])).to.deep.equal({ vendorId: '0403', productId: '6001' });
    expect(suggestMatch(FTDI_2, [FTDI_1, FTDI_2])).to.deep.equal({ vendorId: '0403', productId: '6001', location: '1-1.4' });
  });

  it('add the interface for the second UART of a dual adapter', function () {
    expect(suggestMatch(DUAL_B, [DUAL_A, DUAL_B])).to.deep.equal({ vendorId: '0403', productId: '6010', serialNumber: 'FT1', location: '1-5', interface: 1 });
  });

  it('name a port without USB ids (a pty) by its path', function () {
    const s = suggestBoard({ path: '/tmp/agent/tty' });
    expect([s.match, s.serial?.path, s.id]).to.deep.equal([undefined, '/tmp/agent/tty', 'board-tty']);
  });

  it('pass the schema, with the agent\'s iodev table when it answered', function () {
    const s = suggestBoard(STLINK, {
      others: [STLINK],
      iodevs: [{ name: 'temp0', kind: 'i2c', bus: 'i2c1', address: 0x48, part: 'tmp102', capabilities: ['chain'] }, { name: 'gpio0', kind: 'gpio', address: 0, capabilities: [] }],
      agentBuild: 'rtio-agent 0.1.0',
    });
    expect(s.id).to.equal('stm32-stlink-1723');
    expect(s.iodevs).to.deep.equal([
      { name: 'temp0', kind: 'i2c', bus: 'i2c1', address: 0x48, part: 'tmp102', capabilities: ['chain'] },
      { name: 'gpio0', kind: 'gpio', capabilities: [] },
    ]);
    expect(s.description).to.contain('agent: rtio-agent 0.1.0');
    expect(validateBoard(s, `${s.id}.json`).id).to.equal(s.id);
  });

  it('make ids from the USB strings', function () {
    expect(suggestId(FTDI_1)).to.equal('ft232r-usb-uart-1-1-3');
    expect(suggestId({ path: '/dev/ttyS0' })).to.equal('board-ttys0');
    expect(suggestId({ path: '/dev/ttyACM9', vendorId: 'cafe', productId: '4011' })).to.equal('usb-cafe-4011');
  });
});
