import { expect } from 'chai';
import { VirtualClock } from '../../clock';
import { TestIodev } from '../../emulator/iodevs/test-iodev';
import { ETIMEDOUT, Rtio, RTIO_PRIO_NORM, sqePrepRead } from '../../rtio';
import { createBoardVariant, openBoardVariant } from './board-variant';
import type { BoardVariant } from './board-variant';
import { RTC_IODEV_INFO, RTC_VARIANT } from './variants';

describe('board variants', function () {
  it('serve the reference board plus the variant\'s iodevs, in table order, on one virtual clock', function () {
    const target = openBoardVariant(RTC_VARIANT);
    expect(target.id).to.equal('emulator+rtc');
    expect(target.iodevs.map((i) => i.name)).to.deep.equal(['eeprom0', 'temp0', 'imu0', 'flash0', 'gpio0', 'test0', 'rtc0']);
    expect(target.iodevs[6]).to.deep.equal(RTC_IODEV_INFO);
    expect(target.iodev('rtc0').clock).to.equal(target.clock);
    expect(target.has('multishot', 'rtc0')).to.equal(true);
    expect(target.has('txrx', 'rtc0')).to.equal(false);
    expect(target.has('fault-injection')).to.equal(true);
  });

  it('inject faults into the variant\'s iodevs and clear them', async function () {
    const target = openBoardVariant(RTC_VARIANT);
    const r = new Rtio({ sqSize: 4, cqSize: 4, clock: target.clock });
    target.injectFault('rtc0', { kind: 'bus-timeout' }, Infinity);
    sqePrepRead(r.sqeAcquire()!, target.iodev('rtc0'), RTIO_PRIO_NORM, new Uint8Array(2), 2, 'read');
    await r.submit(1);
    expect(r.cqeConsume()!.result).to.equal(-ETIMEDOUT);
    target.clearFaults();
    expect(target.board.iodevs.get('rtc0')!.faults.armed).to.equal(0);
    await target.close();
  });

  it('name the culprit: an unknown iodev, a name the board has, an iodev described under another name', function () {
    const target = openBoardVariant(RTC_VARIANT);
    expect(() => target.iodev('rtc1')).to.throw(RangeError, /target "emulator\+rtc" has no iodev "rtc1"; it has: .*rtc0/);
    expect(() => target.injectFault('rtc1', { kind: 'bus-timeout' })).to.throw(RangeError, /no iodev "rtc1"/);
    const clash: BoardVariant = {
      id: 'clash',
      extend: (b) => [{ info: { name: 'test0', kind: 'test', capabilities: [] }, iodev: new TestIodev('test0', b.clock) }],
    };
    expect(() => createBoardVariant(clash)).to.throw(RangeError, /variant "clash" adds iodev "test0", which the board already has/);
    const misnamed: BoardVariant = {
      id: 'misnamed',
      extend: () => [{ info: { name: 'extra0', kind: 'test', capabilities: [] }, iodev: new TestIodev('other', new VirtualClock()) }],
    };
    expect(() => createBoardVariant(misnamed)).to.throw(RangeError, /iodev "other" is described as "extra0"/);
  });
});
