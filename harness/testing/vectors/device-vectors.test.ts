import { expect } from 'chai';
import { EINVAL, VirtualClock, resultName } from '../../index';
import { I2cBus } from '../../emulator/bus/i2c-bus';
import type { I2cMsg } from '../../emulator/bus/i2c-bus';
import { SpiBus } from '../../emulator/bus/spi-bus';
import { Eeprom24c32 } from '../../emulator/devices/eeprom-24c32';
import { GpioLines } from '../../emulator/devices/gpio-lines';
import type { GpioEdge } from '../../emulator/devices/gpio-lines';
import { hash32 } from '../../emulator/devices/hash32';
import { Icm42688 } from '../../emulator/devices/icm42688';
import { NorFlash } from '../../emulator/devices/nor-flash';
import { Pcf8563 } from '../../emulator/devices/pcf8563';
import { Tmp102 } from '../../emulator/devices/tmp102';
import { loadDeviceVectors, loadHashVectors } from './device-vectors';
import type { DeviceCase, DeviceStep } from './device-vectors';

/** One case's device on its bus (or port), on a virtual clock of its own. */
class Rig {
  readonly clock = new VirtualClock();
  readonly i2c = new I2cBus({ clock: this.clock });
  readonly spi = new SpiBus({ clock: this.clock });
  readonly edges: GpioEdge[] = [];
  readonly gpio: GpioLines | null = null;
  readonly address: number = 0;

  constructor(c: DeviceCase) {
    const d = c.device;
    switch (c.part) {
      case '24c32':
        this.address = this.attach(new Eeprom24c32(this.i2c, {
          ...(d.address === undefined ? {} : { address: d.address }),
          ...(d.writeCycleUs === undefined ? {} : { writeCycleMs: d.writeCycleUs / 1000 }),
        }));
        break;
      case 'tmp102': {
        const tmp = new Tmp102(this.i2c, d.seed === undefined ? {} : { seed: d.seed });
        if (d.temperatureMc !== undefined) tmp.setTemperature(d.temperatureMc / 1000);
        this.address = this.attach(tmp);
        break;
      }
      case 'icm42688':
        this.address = this.attach(new Icm42688(this.i2c, {
          ...(d.seed === undefined ? {} : { seed: d.seed }),
          ...(d.streaming === undefined ? {} : { streaming: d.streaming }),
        }));
        break;
      case 'pcf8563':
        this.address = this.attach(new Pcf8563(this.i2c, d.startSeconds === undefined ? {} : { startSeconds: d.startSeconds }));
        break;
      case 'w25q80':
        this.spi.attach(0, new NorFlash({ now: () => this.spi.now() }));
        break;
      case 'gpio-8':
        this.gpio = new GpioLines({ now: () => this.clock.now(), ...(d.jumpers === undefined ? {} : { jumpers: d.jumpers }) });
        this.gpio.onEdge((e) => this.edges.push(e));
        break;
    }
  }

  private attach(dev: Eeprom24c32 | Tmp102 | Icm42688 | Pcf8563): number {
    this.i2c.attach(dev);
    return dev.address;
  }

  /** Runs `step` at its time; returns what it saw, in the vectors' terms (only the fields the step checks). */
  run(step: DeviceStep): Record<string, unknown> {
    const atMs = step.atNs / 1e6;
    if (atMs > this.clock.now()) this.clock.advance(atMs - this.clock.now());
    switch (step.do) {
      case 'i2c': {
        const msgs: I2cMsg[] = step.msgs.map((m) => ({ read: m.read, buf: m.read ? new Uint8Array(m.len) : m.data, len: m.len, restart: m.restart }));
        const r = this.i2c.transfer(step.address ?? this.address, msgs, null, atMs);
        return {
          status: resultName(r.status),
          reads: msgs.map((m, i) => (step.msgs[i]!.expect === null ? null : hex(m.buf))),
          ...(step.counts === null ? {} : { counts: r.counts }),
          ...(step.startNs === null ? {} : { startNs: ns(r.startMs) }),
          ...(step.endNs === null ? {} : { endNs: ns(r.startMs + r.durationMs) }),
        };
      }
      case 'spi': {
        const { miso, durationMs } = this.spi.exchange(step.cs, step.mosi);
        return {
          ...(step.miso === null ? {} : { miso: hex(miso) }),
          ...(step.endNs === null ? {} : { endNs: ns(this.clock.now() + durationMs) }),
        };
      }
      case 'set':
      case 'drive': {
        const gpio = this.gpio!;
        const seen = this.edges.length;
        let status = '0';
        try {
          if (step.do === 'set') gpio.set(step.line, step.level);
          else gpio.drive(step.line, step.level);
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          status = resultName(-EINVAL);
        }
        return {
          status,
          levels: gpio.levels(),
          edges: this.edges.slice(seen).map((e) => ({ line: e.line, level: e.level, atNs: ns(e.timeMs) })),
        };
      }
    }
  }
}

function hex(data: Uint8Array): string {
  return Buffer.from(data).toString('hex');
}

function ns(ms: number): number {
  return Math.round(ms * 1e6);
}

/** What `step` expects, in the shape {@link Rig.run} returns. */
function expected(step: DeviceStep): Record<string, unknown> {
  switch (step.do) {
    case 'i2c':
      return {
        status: step.status,
        reads: step.msgs.map((m) => (m.expect === null ? null : hex(m.expect))),
        ...(step.counts === null ? {} : { counts: step.counts }),
        ...(step.startNs === null ? {} : { startNs: step.startNs }),
        ...(step.endNs === null ? {} : { endNs: step.endNs }),
      };
    case 'spi':
      return { ...(step.miso === null ? {} : { miso: hex(step.miso) }), ...(step.endNs === null ? {} : { endNs: step.endNs }) };
    case 'set':
    case 'drive':
      return { status: step.status, levels: step.levels, edges: step.edges.map((e) => ({ ...e, atNs: step.atNs })) };
  }
}

describe('device vectors (protocol/vectors/devices) on the emulator\'s models', function () {
  for (const c of loadDeviceVectors()) {
    it(`${c.part} ${c.name}: ${c.description}`, function () {
      const rig = new Rig(c);
      c.steps.forEach((step, i) => {
        expect(rig.run(step), `case "${c.part} ${c.name}", step ${i} (${step.do} at ${step.atNs} ns)`).to.deep.equal(expected(step));
      });
    });
  }

  for (const h of loadHashVectors()) {
    it(`hash32 ${h.name}: ${h.description}`, function () {
      expect(hash32(h.input), `hash32(0x${h.input.toString(16)})`).to.equal(h.output);
    });
  }
});
