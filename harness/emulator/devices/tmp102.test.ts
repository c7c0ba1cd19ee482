import { expect } from 'chai';
import { I2cBus } from '../bus/i2c-bus';
import {
  TMP102_DRIFT_MAX_CELSIUS, TMP102_DRIFT_MIN_CELSIUS, TMP102_REG_CONFIG, TMP102_REG_TEMP, TMP102_REG_THIGH,
  TMP102_REG_TLOW, Tmp102,
} from './tmp102';

describe('Tmp102', function () {
  let t: number;
  let bus: I2cBus;
  let tmp: Tmp102;

  /** Sets the pointer to `reg` and reads its two bytes in one transfer. */
  function readReg(reg: number): number {
    const rx = new Uint8Array(2);
    const r = bus.transfer(0x48, [{ read: false, buf: Uint8Array.of(reg), len: 1 }, { read: true, buf: rx, len: 2 }]);
    expect(r.status).to.equal(0);
    return (rx[0]! << 8) | rx[1]!;
  }

  function writeReg(reg: number, value: number): void {
    const r = bus.transfer(0x48, [{ read: false, buf: Uint8Array.of(reg, value >> 8, value & 0xff), len: 3 }]);
    expect(r.status).to.equal(0);
  }

  beforeEach(function () {
    t = 0;
    bus = new I2cBus();
    tmp = new Tmp102(() => t);
    bus.attach(tmp);
  });

  it('powers on with config 0x60A0, TLOW 0x4B00 (75 °C), THIGH 0x5000 (80 °C) at 0x48', function () {
    expect(tmp.address).to.equal(0x48);
    expect(readReg(TMP102_REG_CONFIG)).to.equal(0x60a0);
    expect(readReg(TMP102_REG_TLOW)).to.equal(0x4b00);
    expect(readReg(TMP102_REG_THIGH)).to.equal(0x5000);
  });

  it('encodes the temperature as 12 bits left-justified, 0.0625 °C per LSB, MSB first', function () {
    const cases: [number, number][] = [[25, 0x1900], [0.0625, 0x0010], [0, 0], [-0.0625, 0xfff0], [-25, 0xe700], [127.9375, 0x7ff0]];
    for (const [c, reg] of cases) {
      tmp.setTemperature(c);
      expect(readReg(TMP102_REG_TEMP), `${c} °C`).to.equal(reg);
    }
  });

  it('keeps the pointer between transfers and repeats the register past two bytes', function () {
    tmp.setTemperature(25);
    readReg(TMP102_REG_THIGH);
    const rx = new Uint8Array(4);
    bus.transfer(0x48, [{ read: true, buf: rx, len: 4 }]);
    expect([...rx]).to.deep.equal([0x50, 0x00, 0x50, 0x00]);
  });

  it('writes TLOW, THIGH and the writable config bits; the temperature register ignores writes', function () {
    writeReg(TMP102_REG_TLOW, 0x1400);
    writeReg(TMP102_REG_THIGH, 0x1e00);
    expect(readReg(TMP102_REG_TLOW)).to.equal(0x1400);
    expect(readReg(TMP102_REG_THIGH)).to.equal(0x1e00);
    tmp.setTemperature(25);
    writeReg(TMP102_REG_TEMP, 0x1234);
    expect(readReg(TMP102_REG_TEMP)).to.equal(0x1900);
    writeReg(TMP102_REG_CONFIG, 0x0000);
    expect(readReg(TMP102_REG_CONFIG) & 0x6000, 'R1:R0 are read-only').to.equal(0x6000);
  });

  it('switches to 13-bit extended format with EM', function () {
    tmp.setTemperature(25);
    writeReg(TMP102_REG_CONFIG, 0x60b0);
    expect(readReg(TMP102_REG_TEMP)).to.equal(0x0c81);
    tmp.setTemperature(150);
    expect(readReg(TMP102_REG_TEMP)).to.equal(0x4b01);
  });

  it('drifts deterministically between 21 and 27 °C with the seed and the virtual time', function () {
    const twin = new Tmp102(() => t);
    const other = new Tmp102(() => t, { seed: 7 });
    const seen: number[] = [];
    let differs = false;
    for (t = 0; t < 600_000; t += 5_000) {
      const c = tmp.temperature();
      seen.push(c);
      expect(twin.temperature()).to.equal(c);
      if (other.temperature() !== c) differs = true;
    }
    expect(Math.min(...seen)).to.be.at.least(TMP102_DRIFT_MIN_CELSIUS);
    expect(Math.max(...seen)).to.be.at.most(TMP102_DRIFT_MAX_CELSIUS);
    expect(Math.max(...seen) - Math.min(...seen)).to.be.above(5);
    expect(differs).to.equal(true);
  });

  it('converts every 250 ms at power-on: the value holds within a conversion period', function () {
    t = 1000;
    const a = tmp.temperature();
    t = 1249.9;
    expect(tmp.temperature()).to.equal(a);
    const seen = new Set<number>();
    for (t = 0; t < 100_000; t += 250) seen.add(tmp.temperature());
    expect(seen.size).to.be.above(10);
  });

  it('holds the last conversion in shutdown and converts once on one-shot', function () {
    tmp.setTemperature(30);
    writeReg(TMP102_REG_CONFIG, 0x61a0);
    tmp.setTemperature(40);
    expect(readReg(TMP102_REG_TEMP)).to.equal(0x1e00);
    writeReg(TMP102_REG_CONFIG, 0xe1a0);
    expect(readReg(TMP102_REG_TEMP)).to.equal(0x2800);
    writeReg(TMP102_REG_CONFIG, 0x60a0);
    tmp.setTemperature(20);
    expect(readReg(TMP102_REG_TEMP)).to.equal(0x1400);
  });

  it('clears AL (POL = 0) at THIGH and sets it again below TLOW', function () {
    const al = (): number => (readReg(TMP102_REG_CONFIG) >> 5) & 1;
    tmp.setTemperature(70);
    expect(al()).to.equal(1);
    tmp.setTemperature(80);
    expect(al()).to.equal(0);
    tmp.setTemperature(76);
    expect(al(), 'hysteresis between TLOW and THIGH').to.equal(0);
    tmp.setTemperature(74.9375);
    expect(al()).to.equal(1);
  });

  it('rejects bad options and temperatures', function () {
    expect(() => new Tmp102(() => 0, { address: 0x50 })).to.throw(RangeError, /"address"/);
    expect(() => new Tmp102(() => 0, { seed: 1.5 })).to.throw(RangeError, /"seed"/);
    expect(() => tmp.setTemperature(200)).to.throw(RangeError, /"celsius"/);
  });
});
