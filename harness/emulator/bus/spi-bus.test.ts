import { expect } from 'chai';
import { VirtualClock } from '../../clock';
import type { SpiDevice } from './spi-bus';
import {
  SPI_CS_HOLD_MS, SPI_CS_SETUP_MS, SPI_DEFAULT_CLOCK_HZ, SPI_DEFAULT_TIMEOUT_MS, SPI_IDLE_MISO, SPI_LOG_LIMIT,
  SPI_LOG_MOSI_BYTES, SpiBus,
} from './spi-bus';

const EPS = 1e-9;

/** Echoes MOSI + 1 and records what it sees, with the bus time of each event. */
class Recorder implements SpiDevice {
  readonly events: string[] = [];
  constructor(private readonly now: () => number) {}
  select(): void {
    this.events.push(`select@${this.now().toFixed(4)}`);
  }
  transfer(mosi: number): number {
    this.events.push(`${mosi}@${this.now().toFixed(4)}`);
    return (mosi + 1) & 0xff;
  }
  deselect(): void {
    this.events.push(`deselect@${this.now().toFixed(4)}`);
  }
}

describe('SpiBus', function () {
  it('defaults to 8 MHz (1 µs a byte), a 25 ms timeout and 0.5 µs CS setup and hold', function () {
    const bus = new SpiBus();
    expect([bus.clockHz, bus.timeoutMs, bus.csSetupMs, bus.csHoldMs]).to.deep.equal([8_000_000, 25, 0.0005, 0.0005]);
    expect([SPI_DEFAULT_CLOCK_HZ, SPI_DEFAULT_TIMEOUT_MS, SPI_CS_SETUP_MS, SPI_CS_HOLD_MS]).to.deep.equal([8_000_000, 25, 0.0005, 0.0005]);
    expect(bus.byteMs).to.equal(0.001);
    expect(bus.episodeMs(10)).to.be.closeTo(0.011, EPS);
    expect(new SpiBus({ clockHz: 1_000_000 }).byteMs).to.equal(0.008);
  });

  it('rejects bad options, naming them', function () {
    expect(() => new SpiBus({ clockHz: 0 })).to.throw(RangeError, '"clockHz"');
    expect(() => new SpiBus({ timeoutMs: -1 })).to.throw(RangeError, '"timeoutMs"');
    expect(() => new SpiBus({ csSetupMs: Number.NaN })).to.throw(RangeError, '"csSetupMs"');
    expect(() => new SpiBus({ csHoldMs: Infinity })).to.throw(RangeError, '"csHoldMs"');
  });

  it('attach: a chip select takes one device; bad or duplicate cs is a RangeError', function () {
    const bus = new SpiBus();
    const dev = new Recorder(() => 0);
    bus.attach(3, dev);
    expect(bus.device(3)).to.equal(dev);
    expect(() => bus.attach(3, new Recorder(() => 0))).to.throw(RangeError, '"cs" 3 already has a device');
    expect(() => bus.attach(-1, dev)).to.throw(RangeError, '"cs"');
    expect(() => bus.attach(1.5, dev)).to.throw(RangeError, '"cs"');
    expect(() => bus.attach(32, dev)).to.throw(RangeError, '"cs"');
    expect(() => bus.attach(4, {} as SpiDevice)).to.throw(TypeError, '"dev"');
  });

  it('one episode: select, bytes at 1 µs each after the setup time, deselect after the hold time', function () {
    const clock = new VirtualClock();
    clock.advance(10);
    const bus = new SpiBus({ clock });
    const dev = new Recorder(() => bus.now());
    bus.attach(0, dev);
    const { miso, durationMs } = bus.exchange(0, [1, 2, 0xff]);
    expect([...miso]).to.deep.equal([2, 3, 0]);
    expect(durationMs).to.be.closeTo(0.004, EPS);
    expect(dev.events).to.deep.equal(['select@10.0005', '1@10.0005', '2@10.0015', '255@10.0025', 'deselect@10.0040']);
    expect(bus.now(), 'outside an episode the bus shows the clock').to.equal(10);
  });

  it('logs every episode and counts CS assertions and bytes', function () {
    const clock = new VirtualClock();
    const bus = new SpiBus({ clock });
    bus.attach(0, new Recorder(() => bus.now()));
    bus.exchange(0, [0x9f, 0, 0, 0]);
    bus.exchange(0, Array.from({ length: 40 }, (_, i) => i));
    expect([bus.csAssertions, bus.bytesTransferred, bus.log.length]).to.deep.equal([2, 44, 2]);
    expect(bus.log[0]).to.deep.include({ cs: 0, bytes: 4, timedOut: false });
    expect([...bus.log[0]!.mosi]).to.deep.equal([0x9f, 0, 0, 0]);
    expect(bus.log[1]!.mosi.length, 'only the first bytes are kept').to.equal(SPI_LOG_MOSI_BYTES);
    expect(bus.log[1]!.startMs, 'the second waits for the first to release CS').to.be.closeTo(0.005, EPS);
    bus.clearLog();
    expect([bus.csAssertions, bus.bytesTransferred, bus.log.length]).to.deep.equal([0, 0, 0]);
  });

  it('keeps only the last SPI_LOG_LIMIT episodes but counts them all', function () {
    const bus = new SpiBus();
    for (let i = 0; i < SPI_LOG_LIMIT + 5; i++) bus.exchange(1, [i & 0xff]);
    expect(bus.log.length).to.equal(SPI_LOG_LIMIT);
    expect(bus.csAssertions).to.equal(SPI_LOG_LIMIT + 5);
    expect(bus.log[0]!.mosi[0]).to.equal(5);
  });

  it('an episode that starts while the bus is still busy begins when it is free; the duration includes the wait', function () {
    const clock = new VirtualClock();
    const bus = new SpiBus({ clock });
    expect(bus.exchange(2, [1, 2]).durationMs).to.be.closeTo(0.003, EPS);
    expect(bus.exchange(2, [3]).durationMs).to.be.closeTo(0.005, EPS);
    clock.advance(1);
    expect(bus.exchange(2, [3]).durationMs).to.be.closeTo(0.002, EPS);
  });

  it('an unattached chip select reads the MISO pull-up (0xFF)', function () {
    const bus = new SpiBus();
    expect([...bus.exchange(5, [0, 1]).miso]).to.deep.equal([SPI_IDLE_MISO, SPI_IDLE_MISO]);
  });

  it('without a clock, bus time advances by the episodes run on it', function () {
    const bus = new SpiBus();
    bus.exchange(0, [1, 2, 3]);
    expect(bus.now()).to.be.closeTo(0.004, EPS);
  });

  it('releases CS when the body throws, and rejects non-byte MOSI values and nested episodes', function () {
    const bus = new SpiBus();
    const dev = new Recorder(() => 0);
    bus.attach(0, dev);
    expect(() => bus.runEpisode(0, (x) => {
      x.exchange(7);
      throw new Error('boom');
    })).to.throw('boom');
    expect(dev.events.map((e) => e.split('@')[0])).to.deep.equal(['select', '7', 'deselect']);
    expect(() => bus.exchange(0, [256])).to.throw(RangeError, '"mosi"');
    expect(() => bus.runEpisode(0, () => bus.exchange(0, [1]))).to.throw(Error, 'while an episode is running');
    expect(bus.log.length).to.equal(3);
  });

  it('stall: holds the bus for the timeout without clocking a byte', function () {
    const clock = new VirtualClock();
    const bus = new SpiBus({ clock, timeoutMs: 7 });
    const dev = new Recorder(() => bus.now());
    bus.attach(0, dev);
    expect(bus.stall(0)).to.equal(7);
    expect([bus.timeouts, bus.csAssertions, bus.bytesTransferred]).to.deep.equal([1, 1, 0]);
    expect(bus.log[0]).to.deep.include({ bytes: 0, timedOut: true, durationMs: 7 });
    expect(dev.events).to.deep.equal([]);
    expect(bus.exchange(0, [1]).durationMs, 'the next episode waits for the stall').to.be.closeTo(7.002, EPS);
  });
});
