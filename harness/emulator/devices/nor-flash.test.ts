import { expect } from 'chai';
import { VirtualClock } from '../../clock';
import { SpiBus } from '../bus/spi-bus';
import {
  FLASH_CMD, FLASH_SIZE, FLASH_SR_BUSY, FLASH_SR_WEL, FLASH_T_BE_MS, FLASH_T_CE_MS, FLASH_T_PP_MS, FLASH_T_SE_MS,
  NorFlash,
} from './nor-flash';
import type { NorFlashOptions } from './nor-flash';

const EPS = 1e-9;

function rig(opts: Partial<NorFlashOptions> = {}): { clock: VirtualClock; bus: SpiBus; flash: NorFlash; x: (...b: number[]) => number[] } {
  const clock = new VirtualClock();
  const bus = new SpiBus({ clock });
  const flash = new NorFlash({ now: () => bus.now(), ...opts });
  bus.attach(0, flash);
  const x = (...b: number[]): number[] => [...bus.exchange(0, b).miso];
  return { clock, bus, flash, x };
}

const a24 = (addr: number): number[] => [(addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff];

describe('NorFlash (W25Q-style, 1 MiB)', function () {
  it('answers READ JEDEC ID with EF 40 14 and starts erased, idle, write-disabled', function () {
    const { x, flash } = rig();
    expect(x(0x9f, 0, 0, 0, 0)).to.deep.equal([0xff, 0xef, 0x40, 0x14, 0xff]);
    expect(x(0x05, 0)).to.deep.equal([0xff, 0x00]);
    expect(x(0x03, ...a24(0x12345), 0, 0, 0)).to.deep.equal([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(flash.peek(FLASH_SIZE - 4, 4)).to.deep.equal(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
  });

  it('WREN sets WEL and WRDI clears it, each only when CS rises right after the opcode', function () {
    const { x, flash } = rig();
    x(FLASH_CMD.WRITE_ENABLE);
    expect(flash.status).to.equal(FLASH_SR_WEL);
    expect(x(0x05, 0, 0)).to.deep.equal([0xff, 0x02, 0x02]);
    x(FLASH_CMD.WRITE_DISABLE);
    expect(flash.status).to.equal(0);
    x(FLASH_CMD.WRITE_ENABLE, 0x00);
    expect(flash.status, 'a WREN followed by another byte is not executed').to.equal(0);
    expect(flash.ignoredCommands).to.equal(1);
  });

  it('PAGE PROGRAM needs WEL: without it nothing is written and the chip never goes busy', function () {
    const { x, flash } = rig();
    x(FLASH_CMD.PAGE_PROGRAM, ...a24(0x100), 0x12, 0x34);
    expect(flash.peek(0x100, 2)).to.deep.equal(new Uint8Array([0xff, 0xff]));
    expect([flash.status, flash.programs, flash.ignoredCommands]).to.deep.equal([0, 0, 1]);
  });

  it('PAGE PROGRAM commits at CS release, is BUSY for tPP with WEL set, then clears WEL', function () {
    const { x, flash, clock, bus } = rig();
    x(FLASH_CMD.WRITE_ENABLE);
    x(FLASH_CMD.PAGE_PROGRAM, ...a24(0x2000), 0xde, 0xad, 0xbe, 0xef);
    const release = bus.log[1]!.startMs + bus.log[1]!.durationMs;
    expect(release).to.be.closeTo(0.002 + 0.009, EPS);
    expect(flash.peek(0x2000, 5)).to.deep.equal(new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0xff]));
    expect(flash.busyUntilMs).to.be.closeTo(release + FLASH_T_PP_MS, EPS);
    expect(FLASH_T_PP_MS).to.equal(0.7);
    expect(flash.status).to.equal(FLASH_SR_BUSY | FLASH_SR_WEL);
    clock.advance(0.7);
    expect(flash.status, 'still busy just before the end').to.equal(FLASH_SR_BUSY | FLASH_SR_WEL);
    clock.advance(0.011);
    expect(flash.status).to.equal(0);
    expect(flash.busyUntilMs).to.equal(null);
    expect(x(0x03, ...a24(0x2000), 0, 0, 0, 0)).to.deep.equal([0xff, 0xff, 0xff, 0xff, 0xde, 0xad, 0xbe, 0xef]);
    expect(flash.programs).to.equal(1);
  });

  it('programming only clears bits (new = old AND data)', function () {
    const { x, flash, clock } = rig();
    flash.poke(0x10, [0xf0, 0xff]);
    x(FLASH_CMD.WRITE_ENABLE);
    x(FLASH_CMD.PAGE_PROGRAM, ...a24(0x10), 0x3c, 0xaa);
    clock.advance(1);
    x(FLASH_CMD.WRITE_ENABLE);
    x(FLASH_CMD.PAGE_PROGRAM, ...a24(0x11), 0x55);
    clock.advance(1);
    expect(flash.peek(0x10, 2)).to.deep.equal(new Uint8Array([0x30, 0x00]));
  });

  it('data past the end of the 256-byte page wraps to its start; over 256 bytes, the last ones win', function () {
    const { x, flash, clock } = rig();
    x(FLASH_CMD.WRITE_ENABLE);
    const data = Array.from({ length: 32 }, (_, i) => i);
    x(FLASH_CMD.PAGE_PROGRAM, ...a24(0x0100f0), ...data);
    clock.advance(1);
    expect([...flash.peek(0x0100f0, 16)]).to.deep.equal(data.slice(0, 16));
    expect([...flash.peek(0x010000, 16)]).to.deep.equal(data.slice(16));
    expect(flash.peek(0x010100, 1)[0], 'the next page is untouched').to.equal(0xff);

    x(FLASH_CMD.WRITE_ENABLE);
    const long = Array.from({ length: 258 }, (_, i) => (i < 2 ? 0xff : i < 256 ? 0x0f : 0x00));
    x(FLASH_CMD.PAGE_PROGRAM, ...a24(0x020000), ...long);
    clock.advance(1);
    expect([...flash.peek(0x020000, 3)]).to.deep.equal([0x00, 0x00, 0x0f]);
  });

  it('READ wraps from the last byte to address 0; FAST READ skips one dummy byte', function () {
    const { x, flash } = rig();
    flash.poke(FLASH_SIZE - 2, [0x11, 0x22]);
    flash.poke(0, [0x33, 0x44]);
    expect(x(0x03, ...a24(FLASH_SIZE - 2), 0, 0, 0, 0).slice(4)).to.deep.equal([0x11, 0x22, 0x33, 0x44]);
    expect(x(0x0b, ...a24(FLASH_SIZE - 1), 0x00, 0, 0).slice(5)).to.deep.equal([0x22, 0x33]);
    expect(x(0x03, 0xf0, 0x00, 0x00, 0).slice(4), 'address bits above 1 MiB are ignored').to.deep.equal([0x33]);
  });

  it('SECTOR ERASE erases the 4 KiB sector holding the address; BUSY can be polled in one CS episode', function () {
    const { x, flash, bus } = rig();
    flash.poke(0x0fff, [0x00, 0x00]);
    flash.poke(0x1fff, [0x00, 0x00]);
    x(FLASH_CMD.WRITE_ENABLE);
    x(FLASH_CMD.SECTOR_ERASE, ...a24(0x1234));
    expect([...flash.peek(0x0fff, 2)]).to.deep.equal([0x00, 0xff]);
    expect([...flash.peek(0x1fff, 2)]).to.deep.equal([0xff, 0x00]);
    expect(FLASH_T_SE_MS).to.equal(45);
    // The poll starts as the erase releases CS: status byte k is sampled 0.5 µs + k µs later.
    const miso = bus.exchange(0, [FLASH_CMD.READ_STATUS, ...new Array<number>(45_002).fill(0)]).miso;
    expect(miso[1]).to.equal(FLASH_SR_BUSY | FLASH_SR_WEL);
    expect(miso[44_999], 'busy at 44.9995 ms').to.equal(FLASH_SR_BUSY | FLASH_SR_WEL);
    expect(miso[45_000], 'done at 45.0005 ms').to.equal(0);
    expect(miso.indexOf(0)).to.equal(45_000);
    expect(flash.erases).to.equal(1);
  });

  it('while BUSY every command but READ STATUS is ignored (MISO 0xFF)', function () {
    const { x, flash, clock } = rig();
    flash.poke(0x40, [0x5a]);
    x(FLASH_CMD.WRITE_ENABLE);
    x(FLASH_CMD.SECTOR_ERASE, ...a24(0x8000));
    const ignoredBefore = flash.ignoredCommands;
    expect(x(0x03, ...a24(0x40), 0)).to.deep.equal([0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(x(0x9f, 0, 0, 0)).to.deep.equal([0xff, 0xff, 0xff, 0xff]);
    x(FLASH_CMD.WRITE_ENABLE);
    x(FLASH_CMD.SECTOR_ERASE, ...a24(0x0000));
    expect(flash.ignoredCommands - ignoredBefore).to.equal(4);
    clock.advance(FLASH_T_SE_MS + 1);
    expect(flash.status, 'the WREN sent while busy did not stick').to.equal(0);
    expect(x(0x03, ...a24(0x40), 0)[4], 'the erase sent while busy did not happen').to.equal(0x5a);
    expect(flash.erases).to.equal(1);
  });

  it('BLOCK ERASE (64 KiB, 150 ms) and CHIP ERASE (0xC7 and 0x60, 2000 ms)', function () {
    const { x, flash, clock } = rig();
    flash.poke(0x0ffff, [0]);
    flash.poke(0x10000, [0]);
    flash.poke(0x1ffff, [0]);
    flash.poke(0x20000, [0]);
    x(FLASH_CMD.WRITE_ENABLE);
    x(FLASH_CMD.BLOCK_ERASE, ...a24(0x1abcd));
    expect([...flash.peek(0x0ffff, 2), ...flash.peek(0x1ffff, 2)]).to.deep.equal([0, 0xff, 0xff, 0]);
    expect(flash.busyUntilMs!, 'WREN 2 µs + erase 5 µs + tBE').to.be.closeTo(0.007 + FLASH_T_BE_MS, EPS);
    expect(FLASH_T_BE_MS).to.equal(150);
    clock.advance(151);
    for (const op of [FLASH_CMD.CHIP_ERASE, FLASH_CMD.CHIP_ERASE_ALT]) {
      flash.poke(0x80000, [0]);
      x(FLASH_CMD.WRITE_ENABLE);
      x(op);
      expect(flash.peek(0x80000, 1)[0]).to.equal(0xff);
      expect(flash.busyUntilMs! - clock.now()).to.be.closeTo(0.004 + FLASH_T_CE_MS, EPS);
      clock.advance(FLASH_T_CE_MS + 1);
      expect(flash.status).to.equal(0);
    }
    expect(FLASH_T_CE_MS).to.equal(2000);
    expect(flash.erases).to.equal(3);
  });

  it('erases need WEL and exactly the address bytes', function () {
    const { x, flash } = rig();
    flash.poke(0x3000, [0]);
    x(FLASH_CMD.SECTOR_ERASE, ...a24(0x3000));
    x(FLASH_CMD.WRITE_ENABLE);
    x(FLASH_CMD.SECTOR_ERASE, ...a24(0x3000), 0x00);
    x(FLASH_CMD.SECTOR_ERASE, 0x00, 0x30);
    x(FLASH_CMD.CHIP_ERASE, 0x00);
    expect(flash.peek(0x3000, 1)[0]).to.equal(0);
    expect([flash.erases, flash.ignoredCommands, flash.status]).to.deep.equal([0, 4, FLASH_SR_WEL]);
  });

  it('uses the durations it is given and rejects bad ones; peek/poke check their range', function () {
    const { x, flash } = rig({ tPpMs: 3 });
    x(FLASH_CMD.WRITE_ENABLE);
    x(FLASH_CMD.PAGE_PROGRAM, 0, 0, 0, 0);
    expect(flash.busyUntilMs).to.be.closeTo(3 + 0.002 + 0.006, EPS);
    expect(() => new NorFlash({ now: () => 0, tSeMs: -1 })).to.throw(RangeError, '"tSeMs"');
    expect(() => new NorFlash({ now: () => 0, tCeMs: Number.NaN })).to.throw(RangeError, '"tCeMs"');
    expect(() => new NorFlash({} as NorFlashOptions)).to.throw(TypeError, '"now"');
    expect(() => flash.peek(FLASH_SIZE - 1, 2)).to.throw(RangeError, '"len"');
    expect(() => flash.peek(-1, 1)).to.throw(RangeError, '"addr"');
    expect(() => flash.poke(FLASH_SIZE, [1])).to.throw(RangeError, '"addr"');
  });
});
