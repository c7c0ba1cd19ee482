import type { SpiDevice } from '../bus/spi-bus';
import { SparseBytes } from './sparse-bytes';

/** Capacity in bytes (1 MiB, a W25Q80). Addresses wrap at this size (bits above 19 are ignored). */
export const FLASH_SIZE = 1 << 20;
/** Page program unit in bytes: data past the page end wraps to its start. */
export const FLASH_PAGE_SIZE = 256;
/** Sector erase (0x20) unit in bytes. */
export const FLASH_SECTOR_SIZE = 4096;
/** Block erase (0xD8) unit in bytes. */
export const FLASH_BLOCK_SIZE = 65536;
/** JEDEC ID returned by 0x9F: manufacturer Winbond (EF), memory type 40, capacity 14 (2^20 bytes). */
export const FLASH_JEDEC_ID: readonly number[] = [0xef, 0x40, 0x14];
/** Value of erased bytes. */
export const FLASH_ERASED = 0xff;
/** Default page program time tPP, virtual ms. */
export const FLASH_T_PP_MS = 0.7;
/** Default 4 KiB sector erase time tSE, virtual ms. */
export const FLASH_T_SE_MS = 45;
/** Default 64 KiB block erase time tBE, virtual ms. */
export const FLASH_T_BE_MS = 150;
/** Default chip erase time tCE, virtual ms. */
export const FLASH_T_CE_MS = 2000;

/** Status register 1, bit 0: a program or erase is running. */
export const FLASH_SR_BUSY = 1 << 0;
/** Status register 1, bit 1: write enable latch. */
export const FLASH_SR_WEL = 1 << 1;

/** Opcodes the model understands (W25Q names). */
export const FLASH_CMD = {
  /** Page program: address (3 bytes) then 1..256 data bytes. Needs WEL. */
  PAGE_PROGRAM: 0x02,
  /** Read data: address (3 bytes), then data for as long as CS is held. */
  READ: 0x03,
  /** Write disable: clears WEL. */
  WRITE_DISABLE: 0x04,
  /** Read status register 1, repeated for as long as CS is held. */
  READ_STATUS: 0x05,
  /** Write enable: sets WEL. */
  WRITE_ENABLE: 0x06,
  /** Fast read: address (3 bytes), one dummy byte, then data. */
  FAST_READ: 0x0b,
  /** 4 KiB sector erase: address (3 bytes). Needs WEL. */
  SECTOR_ERASE: 0x20,
  /** Chip erase (alternative opcode). Needs WEL. */
  CHIP_ERASE_ALT: 0x60,
  /** Read JEDEC ID: EF 40 14. */
  JEDEC_ID: 0x9f,
  /** Chip erase. Needs WEL. */
  CHIP_ERASE: 0xc7,
  /** 64 KiB block erase: address (3 bytes). Needs WEL. */
  BLOCK_ERASE: 0xd8,
} as const;

/** Options of `new NorFlash(...)`. */
export interface NorFlashOptions {
  /**
   * Virtual time in ms. On an {@link SpiBus}, pass `() => bus.now()`: it is the time of the
   * byte being clocked, and of CS release in `deselect`, so busy periods start exactly there.
   */
  readonly now: () => number;
  /** Page program time, virtual ms (default {@link FLASH_T_PP_MS}). */
  readonly tPpMs?: number;
  /** Sector erase time, virtual ms (default {@link FLASH_T_SE_MS}). */
  readonly tSeMs?: number;
  /** 64 KiB block erase time, virtual ms (default {@link FLASH_T_BE_MS}). */
  readonly tBeMs?: number;
  /** Chip erase time, virtual ms (default {@link FLASH_T_CE_MS}). */
  readonly tCeMs?: number;
}

const ADDR_MASK = FLASH_SIZE - 1;
const NONE = -1;

function duration(name: string, v: number): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new RangeError(`"${name}" must be a finite number >= 0, got ${String(v)}`);
  return v;
}

/**
 * A W25Q-style SPI NOR flash of 1 MiB, erased to 0xFF, modelled byte by byte on its CS line.
 *
 * - Before the first command byte and for every byte of an ignored command, MISO is 0xFF.
 * - Write enable (0x06), write disable (0x04) and chip erase (0xC7/0x60) execute at CS release
 *   only when exactly the opcode was sent; sector/block erase only when exactly opcode + 3
 *   address bytes were sent; page program when at least one data byte was sent. Otherwise the
 *   command is not executed (counted in {@link NorFlash.ignoredCommands}), as on the datasheet.
 * - Program and erase need WEL (else ignored); at CS release they commit at once (programming
 *   only clears bits: new = old AND data; more than 256 data bytes wrap within the page and
 *   the last ones win) and the chip is BUSY for tPP / tSE / tBE / tCE of virtual time, with WEL
 *   still set; when BUSY ends WEL clears.
 * - While BUSY only READ STATUS (0x05) is answered; any other command is ignored.
 */
export class NorFlash implements SpiDevice {
  /** Page program time, virtual ms. */
  readonly tPpMs: number;
  /** Sector erase time, virtual ms. */
  readonly tSeMs: number;
  /** Block erase time, virtual ms. */
  readonly tBeMs: number;
  /** Chip erase time, virtual ms. */
  readonly tCeMs: number;
  /** Page programs executed. */
  programs = 0;
  /** Erases executed (sector, block or chip). */
  erases = 0;
  /** Commands not executed: sent while BUSY, without WEL, unknown, or of the wrong length. */
  ignoredCommands = 0;

  private readonly mem = new SparseBytes(FLASH_SIZE, FLASH_SECTOR_SIZE, FLASH_ERASED);
  private readonly now: () => number;
  private wel = false;
  private busy = false;
  private busyUntil = 0;
  private selected = false;
  private op = NONE;
  private count = 0;
  private addr = 0;
  private readonly page = new Uint8Array(FLASH_PAGE_SIZE);
  private readonly pageSet = new Uint8Array(FLASH_PAGE_SIZE);
  private pageBytes = 0;

  /** Throws `TypeError` without a `now` function, `RangeError` naming a bad duration. */
  constructor(opts: NorFlashOptions) {
    if (typeof opts?.now !== 'function') throw new TypeError('"now" must be a function returning virtual ms');
    this.now = opts.now;
    this.tPpMs = duration('tPpMs', opts.tPpMs ?? FLASH_T_PP_MS);
    this.tSeMs = duration('tSeMs', opts.tSeMs ?? FLASH_T_SE_MS);
    this.tBeMs = duration('tBeMs', opts.tBeMs ?? FLASH_T_BE_MS);
    this.tCeMs = duration('tCeMs', opts.tCeMs ?? FLASH_T_CE_MS);
  }

  /** Status register 1 now ({@link FLASH_SR_BUSY}, {@link FLASH_SR_WEL}). */
  get status(): number {
    this.settle();
    return (this.busy ? FLASH_SR_BUSY : 0) | (this.wel ? FLASH_SR_WEL : 0);
  }

  /** Virtual ms when the running program/erase ends, or null when not BUSY. */
  get busyUntilMs(): number | null {
    this.settle();
    return this.busy ? this.busyUntil : null;
  }

  /** Test backdoor: a copy of `len` bytes from `addr`. Throws `RangeError` outside the array. */
  peek(addr: number, len: number): Uint8Array {
    checkRange(addr, len);
    return this.mem.slice(addr, len);
  }

  /** Test backdoor: stores `data` at `addr` as is (no AND, no WEL, no BUSY). Throws `RangeError` outside the array. */
  poke(addr: number, data: ArrayLike<number>): void {
    checkRange(addr, data.length);
    this.mem.write(addr, data);
  }

  select(): void {
    this.selected = true;
    this.op = NONE;
    this.count = 0;
    this.addr = 0;
    this.pageBytes = 0;
  }

  transfer(mosi: number): number {
    if (!this.selected) return FLASH_ERASED;
    const i = this.count++;
    if (i === 0) {
      this.command(mosi);
      return FLASH_ERASED;
    }
    switch (this.op) {
      case FLASH_CMD.JEDEC_ID:
        return FLASH_JEDEC_ID[i - 1] ?? FLASH_ERASED;
      case FLASH_CMD.READ_STATUS:
        return this.status;
      case FLASH_CMD.READ:
      case FLASH_CMD.FAST_READ: {
        if (i <= 3) {
          this.address(mosi);
          return FLASH_ERASED;
        }
        if (this.op === FLASH_CMD.FAST_READ && i === 4) return FLASH_ERASED;
        const v = this.mem.get(this.addr);
        this.addr = (this.addr + 1) & ADDR_MASK;
        return v;
      }
      case FLASH_CMD.PAGE_PROGRAM:
        if (i <= 3) {
          this.address(mosi);
        } else {
          const off = (this.addr + i - 4) & (FLASH_PAGE_SIZE - 1);
          this.page[off] = mosi;
          this.pageSet[off] = 1;
          this.pageBytes++;
        }
        return FLASH_ERASED;
      case FLASH_CMD.SECTOR_ERASE:
      case FLASH_CMD.BLOCK_ERASE:
        if (i <= 3) this.address(mosi);
        return FLASH_ERASED;
      default:
        return FLASH_ERASED;
    }
  }

  deselect(): void {
    if (!this.selected) return;
    this.selected = false;
    const n = this.count;
    const op = this.op;
    this.op = NONE;
    switch (op) {
      case NONE:
      case FLASH_CMD.JEDEC_ID:
      case FLASH_CMD.READ_STATUS:
      case FLASH_CMD.READ:
      case FLASH_CMD.FAST_READ:
        return;
      case FLASH_CMD.WRITE_ENABLE:
      case FLASH_CMD.WRITE_DISABLE:
        if (n !== 1) break;
        this.wel = op === FLASH_CMD.WRITE_ENABLE;
        return;
      case FLASH_CMD.PAGE_PROGRAM: {
        if (this.pageBytes === 0) break;
        const base = this.addr & ~(FLASH_PAGE_SIZE - 1);
        for (let off = 0; off < FLASH_PAGE_SIZE; off++) {
          if (this.pageSet[off] === 1) this.mem.set(base + off, this.mem.get(base + off) & this.page[off]!);
        }
        this.programs++;
        this.startBusy(this.tPpMs);
        return;
      }
      case FLASH_CMD.SECTOR_ERASE:
      case FLASH_CMD.BLOCK_ERASE: {
        if (n !== 4) break;
        const size = op === FLASH_CMD.SECTOR_ERASE ? FLASH_SECTOR_SIZE : FLASH_BLOCK_SIZE;
        const base = this.addr & ~(size - 1);
        this.mem.erase(base, size);
        this.erases++;
        this.startBusy(op === FLASH_CMD.SECTOR_ERASE ? this.tSeMs : this.tBeMs);
        return;
      }
      case FLASH_CMD.CHIP_ERASE:
      case FLASH_CMD.CHIP_ERASE_ALT:
        if (n !== 1) break;
        this.mem.erase(0, FLASH_SIZE);
        this.erases++;
        this.startBusy(this.tCeMs);
        return;
    }
    this.ignoredCommands++;
  }

  private command(op: number): void {
    this.settle();
    const known = (Object.values(FLASH_CMD) as number[]).includes(op);
    const needsWel = op === FLASH_CMD.PAGE_PROGRAM || op === FLASH_CMD.SECTOR_ERASE || op === FLASH_CMD.BLOCK_ERASE ||
      op === FLASH_CMD.CHIP_ERASE || op === FLASH_CMD.CHIP_ERASE_ALT;
    if (!known || (this.busy && op !== FLASH_CMD.READ_STATUS) || (needsWel && !this.wel)) {
      this.ignoredCommands++;
      return;
    }
    this.op = op;
    if (op === FLASH_CMD.PAGE_PROGRAM) this.pageSet.fill(0);
  }

  private address(byte: number): void {
    this.addr = ((this.addr << 8) | byte) & ADDR_MASK;
  }

  private startBusy(ms: number): void {
    this.busy = true;
    this.busyUntil = this.now() + ms;
  }

  private settle(): void {
    if (this.busy && this.now() >= this.busyUntil) {
      this.busy = false;
      this.wel = false;
    }
  }
}

function checkRange(addr: number, len: number): void {
  if (!Number.isInteger(addr) || addr < 0 || addr >= FLASH_SIZE) throw new RangeError(`"addr" must be an integer 0..${FLASH_SIZE - 1}, got ${String(addr)}`);
  if (!Number.isInteger(len) || len < 0 || addr + len > FLASH_SIZE) throw new RangeError(`"len" must be an integer 0..${FLASH_SIZE - addr} at "addr" ${addr}, got ${String(len)}`);
}
