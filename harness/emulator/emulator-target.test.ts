import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { EmulatorTarget } from './emulator-target';
import { openTarget } from '../boards/open-target';

describe('emulator target', function () {
  it('exposes exactly the iodevs and capabilities boards/emulator.json describes', function () {
    const file = JSON.parse(readFileSync(join(__dirname, '..', '..', 'boards', 'emulator.json'), 'utf8')) as {
      iodevs: unknown[]; capabilities: string[];
    };
    const t = new EmulatorTarget();
    expect(t.iodevs).to.deep.equal(file.iodevs);
    expect(t.capabilities).to.deep.equal(file.capabilities);
  });

  it('openTarget names the known boards when asked for an unknown one', async function () {
    let err: unknown = null;
    await openTarget('no-such-board').catch((e: unknown) => { err = e; });
    expect(err).to.be.instanceOf(RangeError);
    expect(String(err)).to.match(/unknown board "no-such-board"; known boards: emulator/);
  });

  it('injectFault names the iodev table when the iodev is unknown, and validates the fault', function () {
    const t = new EmulatorTarget();
    expect(() => t.injectFault('nosuch0', { kind: 'delay', ms: 1 })).to.throw(RangeError, /no iodev "nosuch0"/);
    expect(() => t.injectFault('eeprom0', { kind: 'nack', atByte: -1 })).to.throw(RangeError, /"fault.atByte"/);
  });
});
