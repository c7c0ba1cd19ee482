import { expect } from 'chai';
import { VirtualClock } from '../../clock';
import {
  ECANCELED, EIO, ENOMEM, ENOTSUP, ETIMEDOUT, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION, Rtio,
  sqePrepI2cRecover, sqePrepNop, sqePrepRead, sqePrepReadWithPool, sqePrepTinyWrite, sqePrepTransceive,
  sqePrepWrite,
} from '../../rtio';
import { SpiBus } from '../bus/spi-bus';
import { FLASH_T_PP_MS, NorFlash } from '../devices/nor-flash';
import { SPI_POOL_READ_LEN, SPI_RX_FILL, SpiIodev } from './spi-iodev';
import { TAKE_TIMEOUT_MS, acquire, takeResults } from '../../testing/cqes';

const EPS = 1e-9;
const P = RTIO_PRIO_NORM;

interface Rig {
  clock: VirtualClock;
  bus: SpiBus;
  flash: NorFlash;
  dev: SpiIodev;
  r: Rtio;
}

function rig(): Rig {
  const clock = new VirtualClock();
  const bus = new SpiBus({ clock });
  const flash = new NorFlash({ now: () => bus.now() });
  bus.attach(0, flash);
  const dev = new SpiIodev('flash0', clock, bus, 0);
  const r = new Rtio({ sqSize: 16, cqSize: 16, mempool: { blockSize: 16, blockCount: 4 }, clock });
  return { clock, bus, flash, dev, r };
}



const cmd = (op: number, addr: number): Uint8Array => Uint8Array.of(op, (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);

async function readStatus(r: Rtio, dev: SpiIodev): Promise<number> {
  const rx = new Uint8Array(2);
  sqePrepTransceive(acquire(r), dev, P, Uint8Array.of(0x05, 0x00), rx, 2, 'status');
  await r.submit(1);
  expect(await takeResults(r, 1)).to.deep.equal([['status', 2]]);
  return rx[1]!;
}

describe('SpiIodev (on a NOR flash)', function () {
  it('program sequence: WREN, then [PAGE PROGRAM cmd+address, data] as one TRANSACTION (one CS), poll, read back', async function () {
    const { r, dev, bus, flash, clock } = rig();
    const data = Uint8Array.of(0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe);
    const wren = acquire(r);
    sqePrepTinyWrite(wren, dev, P, Uint8Array.of(0x06), 1, 'wren');
    wren.flags |= RTIO_SQE_CHAINED;
    const pp = acquire(r);
    sqePrepWrite(pp, dev, P, cmd(0x02, 0x012300), 4, 'pp-cmd');
    pp.flags |= RTIO_SQE_TRANSACTION;
    sqePrepWrite(acquire(r), dev, P, data, 8, 'pp-data');
    await r.submit(3);
    expect(await takeResults(r, 3)).to.deep.equal([['wren', 1], ['pp-cmd', 4], ['pp-data', 8]]);

    expect(bus.log.map((e) => e.bytes), 'CS released after WREN and held across the transaction').to.deep.equal([1, 12]);
    expect([...bus.log[1]!.mosi]).to.deep.equal([0x02, 0x01, 0x23, 0x00, ...data]);
    const release = bus.log[1]!.startMs + bus.log[1]!.durationMs;
    expect(release, 'WREN 2 µs, then 12 bytes in 13 µs').to.be.closeTo(0.015, EPS);
    expect(clock.now()).to.be.closeTo(0.015, EPS);

    const polls: number[] = [];
    do polls.push(await readStatus(r, dev)); while (polls[polls.length - 1]! & 0x01);
    // Poll i starts at 15 + 3i µs and samples the status byte 1.5 µs in; BUSY ends at 15 + 700 µs.
    const firstIdle = Math.ceil((FLASH_T_PP_MS - 0.0015) / 0.003);
    expect(polls.length).to.equal(firstIdle + 1).and.to.equal(234);
    expect(polls[0]).to.equal(0x03);
    expect(polls.slice(0, -1).every((s) => s === 0x03)).to.equal(true);
    expect(polls[polls.length - 1], 'not busy, WEL cleared').to.equal(0x00);

    const back = new Uint8Array(8);
    const rd = acquire(r);
    sqePrepWrite(rd, dev, P, cmd(0x03, 0x012300), 4, 'rd-cmd');
    rd.flags |= RTIO_SQE_TRANSACTION;
    sqePrepRead(acquire(r), dev, P, back, 8, 'rd-data');
    await r.submit(2);
    expect(await takeResults(r, 2)).to.deep.equal([['rd-cmd', 4], ['rd-data', 8]]);
    expect(back).to.deep.equal(data);
    expect(flash.peek(0x012300, 8)).to.deep.equal(data);
    expect(flash.programs).to.equal(1);
  });

  it('the same bytes as two chain members (no TRANSACTION) do not program: CS is released between them', async function () {
    const { r, dev, bus, flash } = rig();
    const data = Uint8Array.of(0x11, 0x22, 0x33, 0x44);
    const wren = acquire(r);
    sqePrepTinyWrite(wren, dev, P, Uint8Array.of(0x06), 1, 'wren');
    wren.flags |= RTIO_SQE_CHAINED;
    const pp = acquire(r);
    sqePrepWrite(pp, dev, P, cmd(0x02, 0x000400), 4, 'pp-cmd');
    pp.flags |= RTIO_SQE_CHAINED;
    sqePrepWrite(acquire(r), dev, P, data, 4, 'pp-data');
    await r.submit(3);
    expect(await takeResults(r, 3)).to.deep.equal([['wren', 1], ['pp-cmd', 4], ['pp-data', 4]]);
    expect(bus.log.map((e) => e.bytes)).to.deep.equal([1, 4, 4]);
    expect(bus.csAssertions).to.equal(3);
    expect(flash.peek(0x000400, 4)).to.deep.equal(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    expect(flash.programs).to.equal(0);
    expect(flash.ignoredCommands, 'a program without data, then 0x11 as an unknown opcode').to.equal(2);
    expect(await readStatus(r, dev), 'WEL still set, never busy').to.equal(0x02);
  });

  it('TXRX is full duplex: READ JEDEC ID in one episode, 5 µs of bus time', async function () {
    const { r, dev, clock } = rig();
    const rx = new Uint8Array(4);
    sqePrepTransceive(acquire(r), dev, P, Uint8Array.of(0x9f, 0, 0, 0), rx, 4, 'id');
    await r.submit(1);
    expect(await takeResults(r, 1)).to.deep.equal([['id', 4]]);
    expect([...rx]).to.deep.equal([0xff, 0xef, 0x40, 0x14]);
    expect(clock.now()).to.be.closeTo(0.005, EPS);
  });

  it('RX clocks out 0x00 and stores MISO; a mempool RX reads SPI_POOL_READ_LEN bytes into a pool buffer', async function () {
    const { r, dev, bus } = rig();
    const rx = new Uint8Array(3).fill(0x55);
    sqePrepRead(acquire(r), dev, P, rx, 3, 'rx');
    sqePrepReadWithPool(acquire(r), dev, P, 'pool');
    await r.submit(2);
    const got = await takeResults(r, 1);
    const c = (await r.cqeConsumeBlock(TAKE_TIMEOUT_MS))!;
    expect(got).to.deep.equal([['rx', 3]]);
    expect([...rx], 'no command: MISO stays high').to.deep.equal([0xff, 0xff, 0xff]);
    expect([c.userdata, c.result]).to.deep.equal(['pool', SPI_POOL_READ_LEN]);
    expect(SPI_POOL_READ_LEN).to.equal(16);
    const buf = r.cqeGetMempoolBuffer(c);
    expect(buf.length).to.equal(16);
    expect(buf.every((b) => b === 0xff)).to.equal(true);
    r.releaseBuffer(buf);
    r.cqeRelease(c);
    expect(bus.log.map((e) => [e.bytes, e.mosi.every((b) => b === SPI_RX_FILL)])).to.deep.equal([[3, true], [16, true]]);
    expect(r.mempool!.free).to.equal(4);
  });

  it('a mempool RX with the pool exhausted fails with -ENOMEM before CS is asserted', async function () {
    const clock = new VirtualClock();
    const bus = new SpiBus({ clock });
    const dev = new SpiIodev('flash0', clock, bus, 0, { poolReadLen: 64 });
    const r = new Rtio({ sqSize: 4, cqSize: 4, mempool: { blockSize: 16, blockCount: 2 }, clock });
    sqePrepReadWithPool(acquire(r), dev, P, 'big');
    await r.submit(1);
    expect(await takeResults(r, 1)).to.deep.equal([['big', -ENOMEM]]);
    expect(bus.csAssertions).to.equal(0);
    expect(r.mempool!.free).to.equal(2);
  });

  it("fault 'short-read': the first RX member moves only N bytes, then CS is released", async function () {
    const { r, dev, bus, flash } = rig();
    flash.poke(0x100, [1, 2, 3, 4, 5, 6, 7, 8]);
    dev.faults.inject({ kind: 'short-read', bytes: 3 });
    const back = new Uint8Array(8);
    const rd = acquire(r);
    sqePrepWrite(rd, dev, P, cmd(0x03, 0x100), 4, 'cmd');
    rd.flags |= RTIO_SQE_TRANSACTION;
    const data = acquire(r);
    sqePrepRead(data, dev, P, back, 8, 'data');
    data.flags |= RTIO_SQE_CHAINED;
    sqePrepNop(acquire(r), null, 'after');
    await r.submit(3);
    expect(await takeResults(r, 3)).to.deep.equal([['cmd', 4], ['data', 3], ['after', -ECANCELED]]);
    expect([...back]).to.deep.equal([1, 2, 3, 0, 0, 0, 0, 0]);
    expect(bus.log.map((e) => e.bytes)).to.deep.equal([7]);
  });

  it("fault 'nack' (device not responding): the member holding byte N fails with -EIO, the rest are cancelled", async function () {
    const { r, dev, bus, clock } = rig();
    dev.faults.inject({ kind: 'nack', atByte: 6 });
    const rd = acquire(r);
    sqePrepWrite(rd, dev, P, cmd(0x03, 0), 4, 'cmd');
    rd.flags |= RTIO_SQE_TRANSACTION;
    const data = acquire(r);
    sqePrepRead(data, dev, P, new Uint8Array(8), 8, 'data');
    data.flags |= RTIO_SQE_CHAINED;
    sqePrepNop(acquire(r), null, 'after');
    await r.submit(3);
    expect(await takeResults(r, 3)).to.deep.equal([['cmd', 4], ['data', -EIO], ['after', -ECANCELED]]);
    expect(bus.log.map((e) => e.bytes), 'aborted before byte 6').to.deep.equal([6]);
    expect(clock.now()).to.be.closeTo(0.007, EPS);
  });

  it("fault 'bus-timeout': -ETIMEDOUT after the bus timeout, nothing clocked", async function () {
    const { r, dev, bus, clock, flash } = rig();
    dev.faults.inject({ kind: 'bus-timeout' });
    const wren = acquire(r);
    sqePrepTinyWrite(wren, dev, P, Uint8Array.of(0x06), 1, 'wren');
    wren.flags |= RTIO_SQE_CHAINED;
    sqePrepNop(acquire(r), null, 'after');
    await r.submit(2);
    expect(await takeResults(r, 2)).to.deep.equal([['wren', -ETIMEDOUT], ['after', -ECANCELED]]);
    expect(clock.now()).to.equal(bus.timeoutMs).and.to.equal(25);
    expect([bus.timeouts, bus.bytesTransferred, flash.status]).to.deep.equal([1, 0, 0]);
  });

  it("fault 'delay': the unit completes that much later", async function () {
    const { r, dev, clock } = rig();
    dev.faults.inject({ kind: 'delay', ms: 2 });
    sqePrepTinyWrite(acquire(r), dev, P, Uint8Array.of(0x06), 1, 'wren');
    await r.submit(1);
    expect(await takeResults(r, 1)).to.deep.equal([['wren', 1]]);
    expect(clock.now()).to.be.closeTo(2.002, EPS);
  });

  it('other ops fail with -ENOTSUP without touching the bus', async function () {
    const { r, dev, bus } = rig();
    sqePrepI2cRecover(acquire(r), dev, P, 'recover');
    const head = acquire(r);
    sqePrepWrite(head, dev, P, Uint8Array.of(0x9f), 1, 'txn-head');
    head.flags |= RTIO_SQE_TRANSACTION;
    sqePrepI2cRecover(acquire(r), dev, P, 'txn-member');
    await r.submit(3);
    expect(await takeResults(r, 3)).to.deep.equal([['recover', -ENOTSUP], ['txn-head', 0], ['txn-member', -ENOTSUP]]);
    expect(bus.csAssertions).to.equal(0);
  });

  it('rejects a bus on another clock and a bad pool read length', function () {
    const clock = new VirtualClock();
    const bus = new SpiBus({ clock: new VirtualClock() });
    expect(() => new SpiIodev('flash0', clock, bus, 0)).to.throw(TypeError, '"bus"');
    expect(() => new SpiIodev('flash0', clock, new SpiBus({ clock }), 0, { poolReadLen: 0 })).to.throw(RangeError, '"poolReadLen"');
    expect(() => new SpiIodev('flash0', clock, new SpiBus({ clock }), -1)).to.throw(RangeError, '"cs"');
  });
});
