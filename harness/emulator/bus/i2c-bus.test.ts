import { expect } from 'chai';
import { VirtualClock } from '../../clock';
import { EIO, ENOTSUP, ETIMEDOUT } from '../../rtio';
import { I2cBus, timeFn } from './i2c-bus';
import type { I2cDevice } from './i2c-bus';

/** A target that logs every bus event (with the bus time) and serves bytes 0xA0, 0xA1, ... */
class LogDevice implements I2cDevice {
  readonly log: string[] = [];
  readonly times: number[] = [];
  nackAddress = false;
  nackDataAfter = Infinity;
  private next = 0xa0;
  private written = 0;

  constructor(readonly address: number, private readonly bus: I2cBus) {}

  start(read: boolean): boolean {
    this.note(read ? 'S R' : 'S W');
    this.written = 0;
    return !this.nackAddress;
  }

  write(byte: number): boolean {
    this.note(`w ${byte.toString(16)}`);
    return this.written++ < this.nackDataAfter;
  }

  read(): number {
    this.note('r');
    return this.next++;
  }

  stop(): void {
    this.note('P');
  }

  private note(what: string): void {
    this.log.push(what);
    this.times.push(this.bus.now());
  }
}

/** ms of `bits` bit times at `hz`. */
const ms = (bits: number, hz = 400_000): number => (bits * 1000) / hz;
/** Write one register byte, then read two: START, addr, reg, RESTART, addr, 2 bytes, STOP. */
const REG_READ_BITS = 1 + 9 + 9 + 1 + 9 + 18 + 1;

function regRead(reg: number, rx: Uint8Array): { read: boolean; buf: Uint8Array; len: number }[] {
  return [{ read: false, buf: Uint8Array.of(reg), len: 1 }, { read: true, buf: rx, len: 2 }];
}

describe('I2cBus', function () {
  let bus: I2cBus;
  let dev: LogDevice;

  beforeEach(function () {
    bus = new I2cBus();
    dev = new LogDevice(0x42, bus);
    bus.attach(dev);
  });

  it('sends START, write phase, repeated START, read phase, STOP for a register read', function () {
    const rx = new Uint8Array(2);
    const r = bus.transfer(0x42, regRead(0x10, rx));
    expect(r.status).to.equal(0);
    expect(r.counts).to.deep.equal([1, 2]);
    expect(r.failedMsg).to.equal(-1);
    expect(dev.log).to.deep.equal(['S W', 'w 10', 'S R', 'r', 'r', 'P']);
    expect([...rx]).to.deep.equal([0xa0, 0xa1]);
    expect(r.durationMs).to.equal(ms(REG_READ_BITS));
    expect(bus.restarts).to.equal(1);
    expect(bus.transfers).to.equal(1);
    expect(bus.bytes).to.equal(5);
  });

  it('continues one write phase across consecutive writes and restarts only when asked', function () {
    const a = Uint8Array.of(1, 2);
    const b = Uint8Array.of(3);
    const r1 = bus.transfer(0x42, [{ read: false, buf: a, len: 2 }, { read: false, buf: b, len: 1 }]);
    expect(dev.log).to.deep.equal(['S W', 'w 1', 'w 2', 'w 3', 'P']);
    expect(r1.durationMs).to.equal(ms(1 + 9 + 27 + 1));
    expect(bus.restarts).to.equal(0);
    dev.log.length = 0;
    const r2 = bus.transfer(0x42, [{ read: false, buf: a, len: 2 }, { read: false, buf: b, len: 1, restart: true }]);
    expect(dev.log).to.deep.equal(['S W', 'w 1', 'w 2', 'S W', 'w 3', 'P']);
    expect(r2.durationMs).to.equal(ms(1 + 9 + 18 + 1 + 9 + 9 + 1));
    expect(bus.restarts).to.equal(1);
  });

  it('times transfers from the bitrate: 9 bit times per byte, 1 per START/RESTART/STOP', function () {
    for (const hz of [100_000, 400_000, 1_000_000]) {
      const b = new I2cBus({ bitrateHz: hz });
      b.attach(new LogDevice(0x42, b));
      expect(b.transfer(0x42, regRead(0, new Uint8Array(2))).durationMs, `${hz} Hz`).to.equal(ms(REG_READ_BITS, hz));
    }
    expect(new I2cBus().bitrateHz).to.equal(400_000);
    expect(new I2cBus().timeoutMs).to.equal(25);
  });

  it('NACKs an absent address with -EIO after START, address and STOP', function () {
    const rx = new Uint8Array(2).fill(0x55);
    const r = bus.transfer(0x43, regRead(0, rx));
    expect(r.status).to.equal(-EIO);
    expect(r.failedMsg).to.equal(0);
    expect(r.counts).to.deep.equal([0, 0]);
    expect(r.durationMs).to.equal(ms(11));
    expect(bus.nacks).to.equal(1);
    expect([...rx]).to.deep.equal([0x55, 0x55]);
  });

  it('NACKs the address of a busy device and does not send it STOP', function () {
    dev.nackAddress = true;
    const r = bus.transfer(0x42, [{ read: false, buf: Uint8Array.of(1), len: 1 }]);
    expect(r.status).to.equal(-EIO);
    expect(dev.log).to.deep.equal(['S W']);
  });

  it('ends the transfer at a data byte the device NACKs, counting only acknowledged bytes', function () {
    dev.nackDataAfter = 1;
    const tx = Uint8Array.of(1, 2, 3, 4);
    const r = bus.transfer(0x42, [{ read: false, buf: Uint8Array.of(9), len: 1 }, { read: false, buf: tx, len: 4, restart: true }]);
    expect(r.status).to.equal(-EIO);
    expect(r.failedMsg).to.equal(1);
    expect(r.counts).to.deep.equal([1, 1]);
    expect(dev.log).to.deep.equal(['S W', 'w 9', 'S W', 'w 1', 'w 2', 'P']);
    expect(r.durationMs).to.equal(ms(1 + 9 + 9 + 1 + 9 + 18 + 1));
  });

  it('injects a NACK at wire byte N, counting address bytes', function () {
    const cases: [number, number, number[], string[]][] = [
      [0, 0, [0, 0], []],
      [1, 0, [0, 0], ['S W', 'P']],
      [2, 1, [1, 0], ['S W', 'w 10', 'P']],
      [3, 1, [1, 0], ['S W', 'w 10', 'S R', 'P']],
      [4, 1, [1, 1], ['S W', 'w 10', 'S R', 'r', 'P']],
    ];
    for (const [atByte, failedMsg, counts, log] of cases) {
      const d = new LogDevice(0x42, bus);
      bus.detach(0x42);
      bus.attach(d);
      const r = bus.transfer(0x42, regRead(0x10, new Uint8Array(2)), { kind: 'nack', atByte });
      expect(r.status, `atByte ${atByte}`).to.equal(-EIO);
      expect(r.failedMsg, `atByte ${atByte}`).to.equal(failedMsg);
      expect(r.counts, `atByte ${atByte}`).to.deep.equal(counts);
      expect(d.log, `atByte ${atByte}`).to.deep.equal(log);
      expect(r.durationMs, `atByte ${atByte}`).to.equal(ms(1 + 9 * (atByte + 1) + (atByte >= 2 ? 1 : 0) + 1));
    }
    const beyond = bus.transfer(0x42, regRead(0x10, new Uint8Array(2)), { kind: 'nack', atByte: 5 });
    expect(beyond.status).to.equal(0);
  });

  it('makes a short read move only the given bytes, status 0', function () {
    const rx = new Uint8Array(4);
    const r = bus.transfer(0x42, [{ read: false, buf: Uint8Array.of(0), len: 1 }, { read: true, buf: rx, len: 4 }], { kind: 'short-read', bytes: 1 });
    expect(r.status).to.equal(0);
    expect(r.counts).to.deep.equal([1, 1]);
    expect([...rx]).to.deep.equal([0xa0, 0, 0, 0]);
    expect(dev.log).to.deep.equal(['S W', 'w 0', 'S R', 'r', 'P']);
    expect(r.durationMs).to.equal(ms(1 + 9 + 9 + 1 + 9 + 9 + 1));
  });

  it('fails a hung bus with -ETIMEDOUT after timeoutMs, before any device sees it', function () {
    const b = new I2cBus({ timeoutMs: 10 });
    const d = new LogDevice(0x42, b);
    b.attach(d);
    const r = b.transfer(0x42, regRead(0, new Uint8Array(2)), { kind: 'bus-timeout' });
    expect(r.status).to.equal(-ETIMEDOUT);
    expect(r.durationMs).to.equal(10);
    expect(r.failedMsg).to.equal(0);
    expect(d.log).to.deep.equal([]);
    expect(b.timeouts).to.equal(1);
  });

  it('returns -ENOTSUP for a 10-bit address and does nothing for zero messages', function () {
    expect(bus.transfer(0x142, regRead(0, new Uint8Array(2))).status).to.equal(-ENOTSUP);
    const none = bus.transfer(0x42, []);
    expect(none.status).to.equal(0);
    expect(none.durationMs).to.equal(0);
    expect(dev.log).to.deep.equal([]);
    expect(bus.transfers).to.equal(0);
  });

  it('serialises transfers on its clock and shows devices the wire time', function () {
    const clock = new VirtualClock();
    clock.advance(2);
    const b = new I2cBus({ clock });
    const d = new LogDevice(0x42, b);
    b.attach(d);
    const r1 = b.transfer(0x42, regRead(0, new Uint8Array(2)));
    const r2 = b.transfer(0x42, regRead(0, new Uint8Array(2)));
    expect(r1.startMs).to.equal(2);
    expect(r2.startMs).to.equal(2 + ms(REG_READ_BITS));
    expect(d.times.slice(0, 6)).to.deep.equal([10, 19, 29, 29, 38, 48].map((bits) => 2 + ms(bits)));
    expect(b.now()).to.equal(2);
    const rec = b.recover();
    expect(rec.startMs).to.equal(r2.startMs + r2.durationMs);
    expect(rec.durationMs).to.equal(ms(10));
    expect(b.recoveries).to.equal(1);
  });

  it('rejects bad options, addresses and messages naming the culprit', function () {
    expect(() => new I2cBus({ bitrateHz: 0 })).to.throw(RangeError, /"bitrateHz"/);
    expect(() => new I2cBus({ timeoutMs: -1 })).to.throw(RangeError, /"timeoutMs"/);
    expect(() => bus.attach(new LogDevice(0x42, bus))).to.throw(RangeError, /already taken/);
    expect(() => bus.attach(new LogDevice(0x78, bus))).to.throw(RangeError, /"dev.address"/);
    expect(() => bus.transfer(-1, [])).to.throw(RangeError, /"address"/);
    expect(() => bus.transfer(0x42, [{ read: true, buf: new Uint8Array(1), len: 2 }])).to.throw(RangeError, /"msgs\[0\].len"/);
    expect(() => timeFn(42 as never, 'clock')).to.throw(TypeError, /"clock"/);
  });
});
