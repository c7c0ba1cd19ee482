import type { VirtualClock } from '../../../clock';
import { SPI_IDLE_MISO, SpiBus } from '../../bus/spi-bus';
import type { SpiDevice, SpiExchange } from '../../bus/spi-bus';
import { SpiIodev } from '../spi-iodev';

/** How long the broken controller waits, idle, before it releases chip select: 10 µs. */
export const HELD_CS_IDLE_RELEASE_MS = 0.01;

/**
 * A controller driver that leaves chip select asserted after each transfer and releases it only
 * once the bus has been idle for {@link HELD_CS_IDLE_RELEASE_MS}, so back-to-back transfers to
 * one device share a CS assertion. It drives the device attached to `cs` of `bus` directly.
 */
export class CsHoldingSpiBus extends SpiBus {
  /** True while chip select is asserted. */
  held = false;
  private releaseTimer = 0;
  private readonly dev: SpiDevice | undefined;
  private readonly vclock: VirtualClock;

  /** `bus` must have a clock: the broken bus keeps its time. */
  constructor(bus: SpiBus, readonly heldCs: number) {
    if (bus.clock === null) throw new TypeError('"bus" must have a clock');
    super({ clock: bus.clock, csSetupMs: 0, csHoldMs: 0 });
    this.vclock = bus.clock as VirtualClock;
    this.dev = bus.device(heldCs);
  }

  override runEpisode(_cs: number, body: (x: SpiExchange) => void): number {
    if (this.releaseTimer !== 0) {
      this.vclock.clearTimer(this.releaseTimer);
      this.releaseTimer = 0;
    }
    if (!this.held) {
      this.dev?.select();
      this.held = true;
    }
    let bytes = 0;
    const dev = this.dev;
    body({
      exchange: (mosi: number): number => {
        bytes++;
        return dev === undefined ? SPI_IDLE_MISO : dev.transfer(mosi) & 0xff;
      },
      get bytes(): number {
        return bytes;
      },
    });
    const ms = bytes * this.byteMs;
    this.releaseTimer = this.vclock.setTimer(this.vclock.now() + ms + HELD_CS_IDLE_RELEASE_MS, () => {
      this.releaseTimer = 0;
      this.held = false;
      this.dev?.deselect();
    }, undefined);
    return ms;
  }
}

/**
 * BROKEN ON PURPOSE (for the conformance kit's own tests): an SPI iodev on a controller that
 * holds chip select across units (see {@link CsHoldingSpiBus}). A command and a read chained to
 * it act as one command, as if they were one transaction. Breaks "chip select is released
 * between units" (docs/semantics.md §4).
 */
export class HeldCsSpiIodev extends SpiIodev {
  /** `bus` is the board's bus the device sits on, `cs` its chip select. */
  constructor(name: string, clock: VirtualClock, bus: SpiBus, cs: number) {
    super(name, clock, new CsHoldingSpiBus(bus, cs), cs);
  }
}
