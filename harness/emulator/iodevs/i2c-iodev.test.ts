import { expect } from 'chai';
import { VirtualClock } from '../../clock';
import {
  ECANCELED, EIO, ENOMEM, ENOTSUP, ETIMEDOUT, Rtio, RTIO_CQE_FLAG_GET,
  RTIO_CQE_FLAG_MEMPOOL_BUFFER, RTIO_IODEV_I2C_10_BITS, RTIO_IODEV_I2C_RESTART,
  RTIO_IODEV_I2C_STOP, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION, sqePrepDelay,
  sqePrepI2cConfigure, sqePrepI2cRecover, sqePrepNop, sqePrepRead, sqePrepReadWithPool,
  sqePrepTinyWrite, sqePrepTransceive, sqePrepWrite,
} from '../../rtio';
import type { CqeData, Iodev, Sqe } from '../../rtio';
import { I2cBus } from '../bus/i2c-bus';
import { Eeprom24c32 } from '../devices/eeprom-24c32';
import { Tmp102 } from '../devices/tmp102';
import { I2C_MEMPOOL_READ_LEN, I2cIodev } from './i2c-iodev';
import { acquire, i2cBitsMs as ms, takeCqes } from '../../testing/cqes';

/** START, address, one register byte, repeated START, address, two bytes, STOP. */
const REG_READ_BITS = 1 + 9 + 9 + 1 + 9 + 18 + 1;
const P = RTIO_PRIO_NORM;

describe('I2cIodev', function () {
  let clock: VirtualClock;
  let bus: I2cBus;
  let eeprom: Eeprom24c32;
  let tmp: Tmp102;
  let ee: I2cIodev;
  let temp: I2cIodev;
  let r: Rtio;


  function write(dev: Iodev, bytes: number[], flags = 0, ud?: unknown): Sqe {
    const s = acquire(r);
    sqePrepWrite(s, dev, P, Uint8Array.from(bytes), bytes.length, ud);
    s.flags |= flags;
    return s;
  }

  function read(dev: Iodev, buf: Uint8Array, flags = 0, ud?: unknown): Sqe {
    const s = acquire(r);
    sqePrepRead(s, dev, P, buf, buf.length, ud);
    s.flags |= flags;
    return s;
  }


  const results = (cqes: CqeData[]): number[] => cqes.map((c) => c.result);

  beforeEach(function () {
    clock = new VirtualClock();
    bus = new I2cBus({ clock });
    eeprom = new Eeprom24c32(bus);
    tmp = new Tmp102(bus);
    bus.attach(eeprom);
    bus.attach(tmp);
    ee = new I2cIodev('eeprom0', clock, bus, 0x50);
    temp = new I2cIodev('temp0', clock, bus, 0x48);
    r = new Rtio({ sqSize: 16, cqSize: 16, mempool: { blockSize: 16, blockCount: 2 }, clock });
  });

  afterEach(function () {
    expect(r.inflight, 'nothing left in flight').to.equal(0);
    expect(r.strayCompletions).to.equal(0);
  });

  it('reads a register as a TRANSACTION: one transfer with a repeated START, one CQE per member', async function () {
    const rx = new Uint8Array(2);
    write(temp, [0x01], RTIO_SQE_TRANSACTION, 'ptr');
    const rd = read(temp, rx, 0, 'val');
    rd.iodevFlags = RTIO_IODEV_I2C_STOP | RTIO_IODEV_I2C_RESTART;
    await r.submit();
    expect(r.cqReady, 'never completes synchronously').to.equal(0);
    const cqes = await takeCqes(r, 2);
    expect(cqes.map((c) => [c.result, c.userdata])).to.deep.equal([[1, 'ptr'], [2, 'val']]);
    expect([...rx]).to.deep.equal([0x60, 0xa0]);
    expect(bus.transfers).to.equal(1);
    expect(bus.restarts).to.equal(1);
    expect(clock.now()).to.equal(ms(REG_READ_BITS));
  });

  it('reads a register as a CHAIN: two transfers, each with its own START and STOP', async function () {
    const rx = new Uint8Array(2);
    tmp.setTemperature(25);
    const ptr = acquire(r);
    sqePrepTinyWrite(ptr, temp, P, Uint8Array.of(0x00), 1);
    ptr.flags |= RTIO_SQE_CHAINED;
    read(temp, rx);
    await r.submit();
    expect(results(await takeCqes(r, 2))).to.deep.equal([1, 2]);
    expect([...rx]).to.deep.equal([0x19, 0x00]);
    expect(bus.transfers).to.equal(2);
    expect(bus.restarts).to.equal(0);
    expect(clock.now()).to.be.closeTo(ms(1 + 9 + 9 + 1) + ms(1 + 9 + 18 + 1), 1e-12);
  });

  it('fails an absent address with -EIO and cancels the rest of the chain', async function () {
    const ghost = new I2cIodev('ghost', clock, bus, 0x33);
    write(ghost, [0x00], RTIO_SQE_CHAINED);
    read(ghost, new Uint8Array(2), RTIO_SQE_CHAINED);
    sqePrepNop(acquire(r), null);
    await r.submit();
    expect(results(await takeCqes(r, 3))).to.deep.equal([-EIO, -ECANCELED, -ECANCELED]);
    expect(bus.nacks).to.equal(1);
    expect(clock.now()).to.equal(ms(11));
  });

  it('injects a NACK at wire byte N: the member holding it fails, earlier ones keep their counts', async function () {
    temp.faults.inject({ kind: 'nack', atByte: 2 });
    write(temp, [0x01], RTIO_SQE_TRANSACTION);
    read(temp, new Uint8Array(2), RTIO_SQE_CHAINED);
    write(temp, [0x01]);
    await r.submit();
    expect(results(await takeCqes(r, 3))).to.deep.equal([1, -EIO, -ECANCELED]);
    expect(clock.now()).to.equal(ms(1 + 9 + 9 + 1 + 9 + 1));
    expect(temp.faults.armed).to.equal(0);
    read(temp, new Uint8Array(2));
    await r.submit();
    expect(results(await takeCqes(r, 1)), 'the next operation is unaffected').to.deep.equal([2]);
  });

  it('reports a short read as a smaller count and cancels the chain after it', async function () {
    eeprom.poke(0x10, [1, 2, 3, 4]);
    ee.faults.inject({ kind: 'short-read', bytes: 2 });
    const rx = new Uint8Array(4);
    write(ee, [0x00, 0x10], RTIO_SQE_TRANSACTION);
    read(ee, rx, RTIO_SQE_CHAINED);
    write(ee, [0x00, 0x10]);
    await r.submit();
    expect(results(await takeCqes(r, 3))).to.deep.equal([2, 2, -ECANCELED]);
    expect([...rx]).to.deep.equal([1, 2, 0, 0]);
  });

  it('fails a hung bus with -ETIMEDOUT after the bus timeout', async function () {
    temp.faults.inject({ kind: 'bus-timeout' });
    read(temp, new Uint8Array(2), RTIO_SQE_CHAINED);
    read(temp, new Uint8Array(2));
    await r.submit();
    expect(results(await takeCqes(r, 2))).to.deep.equal([-ETIMEDOUT, -ECANCELED]);
    expect(clock.now()).to.equal(25);
  });

  it('lengthens an operation by an injected delay', async function () {
    temp.faults.inject({ kind: 'delay', ms: 3 });
    read(temp, new Uint8Array(2));
    await r.submit();
    expect(results(await takeCqes(r, 1))).to.deep.equal([2]);
    expect(clock.now()).to.equal(ms(29) + 3);
  });

  it('EEPROM: a read right after a write NACKs during tWR (-EIO)', async function () {
    const rx = new Uint8Array(2);
    write(ee, [0x00, 0x20, 0xaa, 0xbb], RTIO_SQE_CHAINED);
    write(ee, [0x00, 0x20], RTIO_SQE_TRANSACTION);
    read(ee, rx);
    await r.submit();
    expect(results(await takeCqes(r, 3))).to.deep.equal([4, -EIO, -ECANCELED]);
    expect(clock.now()).to.be.closeTo(ms(47) + ms(11), 1e-12);
    expect([...eeprom.peek(0x20, 2)]).to.deep.equal([0xaa, 0xbb]);
  });

  it('EEPROM: a 4.9 ms DELAY is not enough, a 5 ms DELAY is', async function () {
    for (const [delay, expected] of [[4.9, [4, 0, -EIO, -ECANCELED]], [5, [4, 0, 2, 2]]] as const) {
      const rx = new Uint8Array(2);
      const t0 = clock.now();
      write(ee, [0x00, 0x20, 0xaa, 0xbb], RTIO_SQE_CHAINED);
      const d = acquire(r);
      sqePrepDelay(d, delay);
      d.flags |= RTIO_SQE_CHAINED;
      write(ee, [0x00, 0x20], RTIO_SQE_TRANSACTION);
      read(ee, rx);
      await r.submit();
      expect(results(await takeCqes(r, 4)), `DELAY ${delay}`).to.deep.equal(expected);
      if (delay === 5) {
        expect([...rx]).to.deep.equal([0xaa, 0xbb]);
        expect(clock.now() - t0).to.be.closeTo(ms(47) + 5 + ms(57), 1e-9);
      }
      clock.advance(10);
    }
  });

  it('honours RTIO_IODEV_I2C_RESTART between two writes of a transaction', async function () {
    write(temp, [0x02], RTIO_SQE_TRANSACTION);
    write(temp, [0x4a, 0x00]);
    await r.submit();
    await takeCqes(r, 2);
    expect(tmp.register(2), 'one write phase: pointer then value').to.equal(0x4a00);
    expect(bus.restarts).to.equal(0);
    write(temp, [0x02], RTIO_SQE_TRANSACTION);
    write(temp, [0x3c, 0x00]).iodevFlags = RTIO_IODEV_I2C_RESTART;
    await r.submit();
    expect(results(await takeCqes(r, 2))).to.deep.equal([1, 2]);
    expect(bus.restarts).to.equal(1);
    expect(tmp.register(2), 'the restarted write set the pointer instead').to.equal(0x4a00);
  });

  it('reads a default-length mempool buffer, and fails with -ENOMEM once the pool is exhausted', async function () {
    const data = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    eeprom.poke(0, data);
    for (let i = 0; i < 3; i++) sqePrepReadWithPool(acquire(r), ee, P, i);
    await r.submit();
    const cqes = await takeCqes(r, 3);
    expect(results(cqes)).to.deep.equal([I2C_MEMPOOL_READ_LEN, I2C_MEMPOOL_READ_LEN, -ENOMEM]);
    expect(RTIO_CQE_FLAG_GET(cqes[0]!.flags) & RTIO_CQE_FLAG_MEMPOOL_BUFFER).to.not.equal(0);
    expect(cqes[2]!.flags).to.equal(0);
    const b0 = r.cqeGetMempoolBuffer(cqes[0]!);
    const b1 = r.cqeGetMempoolBuffer(cqes[1]!);
    expect([...b0]).to.deep.equal([...data.subarray(0, 16)]);
    expect([...b1]).to.deep.equal([...data.subarray(16, 32)]);
    expect(r.mempool!.free).to.equal(0);
    r.releaseBuffer(b0);
    r.releaseBuffer(b1);
    expect(r.mempool!.free).to.equal(2);
    expect(clock.now()).to.be.closeTo(2 * ms(1 + 9 + 16 * 9 + 1), 1e-12);
  });

  it('recovers the bus in 9 clock pulses and a STOP, and stores a configuration', async function () {
    sqePrepI2cRecover(acquire(r), temp, P);
    await r.submit();
    expect(results(await takeCqes(r, 1))).to.deep.equal([0]);
    expect(clock.now()).to.equal(ms(10));
    expect(bus.recoveries).to.equal(1);
    sqePrepI2cConfigure(acquire(r), temp, P, 0x14);
    await r.submit();
    expect(results(await takeCqes(r, 1))).to.deep.equal([0]);
    expect(temp.i2cConfig).to.equal(0x14);
  });

  it('returns -ENOTSUP for TXRX, 10-bit addressing and a mempool read inside a transaction', async function () {
    sqePrepTransceive(acquire(r), temp, P, new Uint8Array(2), new Uint8Array(2), 2);
    read(temp, new Uint8Array(2)).iodevFlags = RTIO_IODEV_I2C_10_BITS;
    write(temp, [0x00], RTIO_SQE_TRANSACTION);
    sqePrepReadWithPool(acquire(r), temp, P);
    await r.submit();
    expect(results(await takeCqes(r, 4))).to.deep.equal([-ENOTSUP, -ENOTSUP, 0, -ENOTSUP]);
    expect(bus.transfers).to.equal(0);
    expect(r.mempool!.free).to.equal(2);
  });

  it('rejects bad constructor arguments naming them', function () {
    expect(() => new I2cIodev('', clock, bus, 0x50)).to.throw(TypeError, /"name"/);
    expect(() => new I2cIodev('x', {} as never, bus, 0x50)).to.throw(TypeError, /"clock"/);
    expect(() => new I2cIodev('x', clock, {} as never, 0x50)).to.throw(TypeError, /"bus"/);
    expect(() => new I2cIodev('x', clock, bus, 0x80)).to.throw(RangeError, /"address"/);
  });
});
