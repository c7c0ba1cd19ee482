import { expect } from 'chai';
import { VirtualClock } from '../../clock';
import { EIO } from '../../rtio';
import { I2cBus } from '../bus/i2c-bus';
import type { I2cMsg } from '../bus/i2c-bus';
import { EEPROM_24C32_PAGE_SIZE, EEPROM_24C32_SIZE, Eeprom24c32 } from './eeprom-24c32';

const W = (...bytes: number[]): I2cMsg => ({ read: false, buf: Uint8Array.of(...bytes), len: bytes.length });
const R = (buf: Uint8Array, restart = false): I2cMsg => ({ read: true, buf, len: buf.length, restart });

describe('Eeprom24c32', function () {
  let clock: VirtualClock;
  let bus: I2cBus;
  let ee: Eeprom24c32;

  /** Random read: word address, repeated START, `len` bytes. */
  function readAt(addr: number, len: number): Uint8Array {
    const buf = new Uint8Array(len);
    const r = bus.transfer(0x50, [W(addr >> 8, addr & 0xff), R(buf)]);
    expect(r.status, `read at 0x${addr.toString(16)}`).to.equal(0);
    return buf;
  }

  /** Moves the clock to exactly `t` (a timer lands on it without rounding). */
  function advanceTo(t: number): void {
    clock.setTimer(t, () => undefined, undefined);
    clock.runUntilIdle();
  }

  beforeEach(function () {
    clock = new VirtualClock();
    bus = new I2cBus({ clock });
    ee = new Eeprom24c32(bus);
    bus.attach(ee);
  });

  it('starts erased to 0xFF at address 0x50', function () {
    expect(ee.address).to.equal(0x50);
    expect([...readAt(0x123, 4)]).to.deep.equal([0xff, 0xff, 0xff, 0xff]);
    expect(EEPROM_24C32_SIZE).to.equal(4096);
  });

  it('commits a page write at STOP and wraps it within the 32-byte page', function () {
    const r = bus.transfer(0x50, [W(0x00, 0x3e, 1, 2, 3, 4)]);
    expect(r.status).to.equal(0);
    expect(ee.writeCycles).to.equal(1);
    expect([...ee.peek(0x3e, 2)]).to.deep.equal([1, 2]);
    expect([...ee.peek(0x20, 2)]).to.deep.equal([3, 4]);
    expect(ee.peek(0x40, 1)[0]).to.equal(0xff);
    expect(ee.addressPointer).to.equal(0x22);
    expect(EEPROM_24C32_PAGE_SIZE).to.equal(32);
  });

  it('keeps the last byte written to a page offset when a page write wraps onto it', function () {
    const data = Array.from({ length: 34 }, (_, i) => i);
    bus.transfer(0x50, [W(0x01, 0x00, ...data)]);
    const page = ee.peek(0x100, 32);
    expect(page[0]).to.equal(32);
    expect(page[1]).to.equal(33);
    expect(page[2]).to.equal(2);
    expect(page[31]).to.equal(31);
  });

  it('ignores the upper 4 bits of the word address', function () {
    bus.transfer(0x50, [W(0xf0, 0x10, 0xab)]);
    expect(ee.peek(0x010, 1)[0]).to.equal(0xab);
  });

  it('NACKs its address for tWR = 5 ms after the STOP, then answers', function () {
    const w = bus.transfer(0x50, [W(0x00, 0x00, 0x5a)]);
    const stopAt = w.startMs + w.durationMs;
    expect(ee.busy).to.equal(true);
    const early = bus.transfer(0x50, [W(0x00, 0x00), R(new Uint8Array(1))]);
    expect(early.status).to.equal(-EIO);
    expect(early.failedMsg).to.equal(0);
    advanceTo(stopAt + 4.9);
    const busyRead = bus.transfer(0x50, [W(0x00, 0x00), R(new Uint8Array(1))]);
    expect(busyRead.status).to.equal(-EIO);
    advanceTo(stopAt + 4.999);
    expect(ee.busy).to.equal(true);
    advanceTo(stopAt + 5);
    expect(ee.busy).to.equal(false);
    expect([...readAt(0, 1)]).to.deep.equal([0x5a]);
  });

  it('discards latched data when a repeated START comes instead of STOP', function () {
    const buf = new Uint8Array(1);
    const r = bus.transfer(0x50, [W(0x00, 0x07, 0x11), R(buf)]);
    expect(r.status).to.equal(0);
    expect(buf[0]).to.equal(0xff);
    expect(ee.writeCycles).to.equal(0);
    expect(ee.busy).to.equal(false);
  });

  it('does not start a write cycle for a word address alone', function () {
    bus.transfer(0x50, [W(0x02, 0x00)]);
    expect(ee.busy).to.equal(false);
    expect(ee.addressPointer).to.equal(0x200);
  });

  it('reads sequentially, wrapping from the last byte to the first', function () {
    ee.poke(0xffe, [0x0e, 0x0f]);
    ee.poke(0, [0x10, 0x11]);
    expect([...readAt(0xffe, 4)]).to.deep.equal([0x0e, 0x0f, 0x10, 0x11]);
  });

  it('serves a current-address read after a read or a write', function () {
    ee.poke(0x100, [1, 2, 3, 4]);
    readAt(0x100, 2);
    const cur = new Uint8Array(2);
    bus.transfer(0x50, [R(cur)]);
    expect([...cur]).to.deep.equal([3, 4]);
    const w = bus.transfer(0x50, [W(0x02, 0x00, 7, 8, 9)]);
    advanceTo(w.startMs + w.durationMs + 5);
    ee.poke(0x203, [0x42]);
    const after = new Uint8Array(1);
    expect(bus.transfer(0x50, [R(after)]).status).to.equal(0);
    expect(after[0]).to.equal(0x42);
  });

  it('checks its options and backdoor ranges', function () {
    expect(() => new Eeprom24c32(bus, { address: 0x48 })).to.throw(RangeError, /"address"/);
    expect(() => new Eeprom24c32(bus, { writeCycleMs: -1 })).to.throw(RangeError, /"writeCycleMs"/);
    expect(() => new Eeprom24c32({} as never)).to.throw(TypeError, /"time"/);
    expect(() => ee.peek(4095, 2)).to.throw(RangeError, /"len"/);
    expect(() => ee.poke(4096, [1])).to.throw(RangeError, /"addr"/);
    const fast = new Eeprom24c32(() => 0, { address: 0x51, writeCycleMs: 0 });
    fast.start(false);
    [0, 0, 1].forEach((b) => fast.write(b));
    fast.stop();
    expect(fast.busy).to.equal(false);
  });
});
