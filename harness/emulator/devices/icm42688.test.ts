import { expect } from 'chai';
import { I2cBus } from '../bus/i2c-bus';
import {
  ICM42688_FIFO_EMPTY, ICM42688_FIFO_PACKETS, ICM42688_REG_ACCEL_CONFIG0, ICM42688_REG_BANK_SEL,
  ICM42688_REG_DEVICE_CONFIG, ICM42688_REG_FIFO_CONFIG,
  ICM42688_REG_FIFO_COUNTH, ICM42688_REG_FIFO_DATA, ICM42688_REG_INT_STATUS, ICM42688_REG_PWR_MGMT0,
  ICM42688_REG_SIGNAL_PATH_RESET, ICM42688_REG_TEMP_DATA1, ICM42688_REG_WHO_AM_I, Icm42688,
} from './icm42688';

describe('Icm42688', function () {
  let t: number;
  let bus: I2cBus;
  let imu: Icm42688;

  /** Reads `len` bytes from register `reg` (auto-increment) in one transfer with a repeated START. */
  function read(reg: number, len: number, dev = imu): Uint8Array {
    const rx = new Uint8Array(len);
    const r = bus.transfer(dev.address, [{ read: false, buf: Uint8Array.of(reg), len: 1 }, { read: true, buf: rx, len }], null, t);
    expect(r.status).to.equal(0);
    return rx;
  }

  function write(reg: number, ...values: number[]): void {
    const r = bus.transfer(imu.address, [{ read: false, buf: Uint8Array.of(reg, ...values), len: values.length + 1 }], null, t);
    expect(r.status).to.equal(0);
  }

  const count = (): number => {
    const b = read(ICM42688_REG_FIFO_COUNTH, 2);
    return (b[0]! << 8) | b[1]!;
  };

  beforeEach(function () {
    t = 0;
    bus = new I2cBus();
    imu = new Icm42688(() => t);
    bus.attach(imu);
  });

  it('answers WHO_AM_I 0x47 at 0x68', function () {
    expect(imu.address).to.equal(0x68);
    expect(read(ICM42688_REG_WHO_AM_I, 1)[0]).to.equal(0x47);
  });

  it('powers up streaming at 1 kHz (reference board init): one 16-byte packet per ms, count big-endian', function () {
    expect([...read(ICM42688_REG_PWR_MGMT0, 1)]).to.deep.equal([0x0f]);
    expect([...read(ICM42688_REG_ACCEL_CONFIG0, 1)]).to.deep.equal([0x06]);
    expect([...read(ICM42688_REG_FIFO_CONFIG, 1)]).to.deep.equal([0x40]);
    expect(count()).to.equal(0);
    t = 0.999;
    expect(imu.fifoBytes()).to.equal(0);
    t = 1;
    expect(imu.fifoBytes()).to.equal(16);
    t = 20;
    expect(count()).to.equal(320);
    expect([...read(ICM42688_REG_FIFO_COUNTH, 2)]).to.deep.equal([0x01, 0x40]);
  });

  it('lays out a packet as header 0x68, accel XYZ, gyro XYZ (int16 BE), temperature int8, µs timestamp BE', function () {
    t = 3;
    const p = read(ICM42688_REG_FIFO_DATA, 16);
    expect([...p]).to.deep.equal([...imu.packet(0, 1)]);
    const v = new DataView(p.buffer);
    expect(p[0]).to.equal(0x68);
    expect(Math.abs(v.getInt16(1))).to.be.at.most(32);
    expect(Math.abs(v.getInt16(3))).to.be.at.most(32);
    expect(v.getInt16(5)).to.be.within(2048 - 32, 2048 + 32);
    for (const off of [7, 9, 11]) expect(Math.abs(v.getInt16(off))).to.be.at.most(32);
    expect(v.getInt8(13)).to.be.within(1, 3);
    expect(v.getUint16(14)).to.equal(1000);
    expect(imu.packet(0, 1)).to.deep.equal(new Icm42688(() => 0).packet(0, 1));
    expect(imu.packet(1, 2)).to.not.deep.equal(imu.packet(0, 1));
  });

  it('pops the FIFO in order: a burst from FIFO_COUNTH stays on FIFO_DATA after the count', function () {
    t = 5;
    const b = read(ICM42688_REG_FIFO_COUNTH, 2 + 32);
    expect((b[0]! << 8) | b[1]!).to.equal(80);
    expect([...b.subarray(2, 18)]).to.deep.equal([...imu.packet(0, 1)]);
    expect([...b.subarray(18, 34)]).to.deep.equal([...imu.packet(1, 2)]);
    expect(count()).to.equal(48);
    expect([...read(ICM42688_REG_FIFO_DATA, 16)]).to.deep.equal([...imu.packet(2, 3)]);
  });

  it('drops new packets when the 2048-byte FIFO is full and counts them', function () {
    t = 200;
    expect(count()).to.equal(2048);
    expect(imu.dropped).to.equal(200 - ICM42688_FIFO_PACKETS);
    expect(imu.samples).to.equal(200);
    expect([...read(ICM42688_REG_INT_STATUS, 1)]).to.deep.equal([0x10 | 0x08 | 0x02]);
    expect([...read(ICM42688_REG_FIFO_DATA, 16)]).to.deep.equal([...imu.packet(0, 1)]);
    t = 201;
    expect(count()).to.equal(2048, 'room for one packet again: sample 200 fits');
    read(ICM42688_REG_FIFO_DATA, 16 * 127);
    expect([...read(ICM42688_REG_FIFO_DATA, 16)]).to.deep.equal([...imu.packet(200, 201)]);
  });

  it('follows ACCEL_CONFIG0 ODR changes (100 Hz: one packet per 10 ms)', function () {
    t = 4;
    write(ICM42688_REG_ACCEL_CONFIG0, 0x08);
    expect(imu.samplePeriodMs).to.equal(10);
    t = 13.9;
    expect(imu.fifoBytes()).to.equal(64);
    t = 14;
    expect(imu.fifoBytes()).to.equal(80);
    expect(imu.nextPacketAt(8)).to.equal(44);
    const rates: [number, number][] = [[0x06, 1], [0x0f, 2], [0x07, 5], [0x08, 10], [0x09, 20]];
    for (const [odr, period] of rates) {
      write(ICM42688_REG_ACCEL_CONFIG0, odr);
      expect(imu.samplePeriodMs, `ODR 0x${odr.toString(16)}`).to.equal(period);
    }
  });

  it('predicts when the FIFO will hold N packets', function () {
    expect(imu.nextPacketAt(0)).to.equal(0);
    expect(imu.nextPacketAt(8)).to.equal(8);
    t = 2.5;
    expect(imu.nextPacketAt(2)).to.equal(2.5);
    expect(imu.nextPacketAt(8)).to.equal(8);
    read(ICM42688_REG_FIFO_DATA, 8);
    expect(imu.nextPacketAt(2), 'a half-read packet is not whole').to.equal(3);
    expect(imu.nextPacketAt(ICM42688_FIFO_PACKETS), 'cannot fit beside the half-read packet').to.equal(Infinity);
    expect(imu.nextPacketAt(ICM42688_FIFO_PACKETS + 1)).to.equal(Infinity);
    write(ICM42688_REG_FIFO_CONFIG, 0x00);
    expect(imu.fifoBytes(), 'bypass empties the FIFO').to.equal(0);
    expect(imu.nextPacketAt(1)).to.equal(Infinity);
  });

  it('starts from datasheet reset values without the reference init, and streams once enabled', function () {
    const cold = new Icm42688(() => t, { address: 0x69, streaming: false });
    bus.attach(cold);
    t = 50;
    expect([...read(ICM42688_REG_PWR_MGMT0, 1, cold)]).to.deep.equal([0x00]);
    expect(cold.fifoBytes()).to.equal(0);
    expect([...read(ICM42688_REG_TEMP_DATA1, 2, cold)]).to.deep.equal([0x80, 0x00]);
    expect(cold.nextPacketAt(1)).to.equal(Infinity);
    bus.transfer(0x69, [{ read: false, buf: Uint8Array.of(ICM42688_REG_PWR_MGMT0, 0x0f), len: 2 }], null, t);
    bus.transfer(0x69, [{ read: false, buf: Uint8Array.of(ICM42688_REG_FIFO_CONFIG, 0x40), len: 2 }], null, t);
    t = 55;
    expect(cold.fifoBytes()).to.equal(16 * 5);
    expect(read(ICM42688_REG_FIFO_DATA, 16, cold)[0]).to.equal(0x68);
  });

  it('flushes on SIGNAL_PATH_RESET and reads 0x80 from an empty FIFO', function () {
    t = 10;
    write(ICM42688_REG_SIGNAL_PATH_RESET, 0x02);
    expect(count()).to.equal(0);
    expect(read(ICM42688_REG_FIFO_DATA, 1)[0]).to.equal(ICM42688_FIFO_EMPTY);
  });

  it('soft-resets on DEVICE_CONFIG bit 0: reset values, no streaming, empty FIFO, RESET_DONE', function () {
    t = 10;
    read(ICM42688_REG_INT_STATUS, 1);
    write(ICM42688_REG_DEVICE_CONFIG, 0x01);
    expect([...read(ICM42688_REG_PWR_MGMT0, 1)]).to.deep.equal([0x00]);
    expect(count()).to.equal(0);
    t = 20;
    expect(imu.fifoBytes()).to.equal(0);
    expect(imu.nextPacketAt(1)).to.equal(Infinity);
    expect(read(ICM42688_REG_INT_STATUS, 1)[0]).to.equal(0x10);
  });

  it('models bank 0 only: other banks read 0 and ignore writes', function () {
    write(ICM42688_REG_BANK_SEL, 1);
    expect(read(ICM42688_REG_WHO_AM_I, 1)[0]).to.equal(0);
    write(ICM42688_REG_PWR_MGMT0, 0x00);
    write(ICM42688_REG_BANK_SEL, 0);
    expect(read(ICM42688_REG_WHO_AM_I, 1)[0]).to.equal(0x47);
    expect(read(ICM42688_REG_PWR_MGMT0, 1)[0]).to.equal(0x0f);
  });

  it('rejects bad options', function () {
    expect(() => new Icm42688(() => 0, { address: 0x50 })).to.throw(RangeError, /"address"/);
    expect(() => new Icm42688(() => 0, { seed: 0.5 })).to.throw(RangeError, /"seed"/);
  });
});
