import { timeFn } from '../bus/i2c-bus';
import type { I2cDevice, TimeSource } from '../bus/i2c-bus';

/** Capacity of a 24C32: 4096 bytes (32 Kibit). */
export const EEPROM_24C32_SIZE = 4096;
/** Page size of a 24C32: a page write wraps within 32 bytes. */
export const EEPROM_24C32_PAGE_SIZE = 32;
/** Default address: 0x50 (A2..A0 low). */
export const EEPROM_24C32_DEFAULT_ADDRESS = 0x50;
/** Default self-timed write cycle tWR: 5 ms. */
export const EEPROM_24C32_DEFAULT_WRITE_CYCLE_MS = 5;

/** Options of `new Eeprom24c32(...)`. */
export interface Eeprom24c32Options {
  /** 7-bit address, 0x50..0x57 (A2..A0); default {@link EEPROM_24C32_DEFAULT_ADDRESS}. */
  readonly address?: number;
  /** Write cycle time tWR in ms; default {@link EEPROM_24C32_DEFAULT_WRITE_CYCLE_MS}. */
  readonly writeCycleMs?: number;
}

/**
 * A 24C32-style I2C EEPROM: 4096 bytes, erased to 0xFF.
 * - Write: two word-address bytes (big-endian, the upper 4 bits ignored) set the address
 *   pointer; further bytes are latched into the page buffer at successive addresses that wrap
 *   within the 32-byte page. The latched bytes are committed at STOP (a repeated START discards
 *   them); a commit starts the write cycle, during which the device NACKs its address for
 *   `writeCycleMs` of virtual time.
 * - Read: from the address pointer, incrementing and wrapping at the end of the array, so a
 *   read without a preceding word address is a current-address read (the pointer is left one
 *   past the last byte read or written).
 */
export class Eeprom24c32 implements I2cDevice {
  /** 7-bit I2C address. */
  readonly address: number;
  /** Write cycle time tWR, ms. */
  readonly writeCycleMs: number;
  /** Write cycles run (page writes committed). */
  writeCycles = 0;

  private readonly mem = new Uint8Array(EEPROM_24C32_SIZE).fill(0xff);
  private readonly latch = new Uint8Array(EEPROM_24C32_PAGE_SIZE);
  private readonly latched = new Uint8Array(EEPROM_24C32_PAGE_SIZE);
  private readonly now: () => number;
  private pointer = 0;
  private busyUntil = -Infinity;
  /** Bytes received since the last write START: 0/1 word address bytes, then data. */
  private received = 0;
  private writing = false;
  private dirty = false;
  private hiAddr = 0;

  /**
   * `time` gives the virtual time (pass the bus so the write cycle starts at the STOP's wire
   * time). Throws `RangeError` naming the option for a bad address or write cycle.
   */
  constructor(time: TimeSource, opts: Eeprom24c32Options = {}) {
    this.now = timeFn(time);
    const { address = EEPROM_24C32_DEFAULT_ADDRESS, writeCycleMs = EEPROM_24C32_DEFAULT_WRITE_CYCLE_MS } = opts;
    if (!Number.isInteger(address) || address < 0x50 || address > 0x57) {
      throw new RangeError(`"address" must be 0x50..0x57, got ${String(address)}`);
    }
    if (typeof writeCycleMs !== 'number' || !(writeCycleMs >= 0) || !Number.isFinite(writeCycleMs)) {
      throw new RangeError(`"writeCycleMs" must be a finite number >= 0, got ${String(writeCycleMs)}`);
    }
    this.address = address;
    this.writeCycleMs = writeCycleMs;
  }

  /** True while a write cycle runs (the device NACKs its address). */
  get busy(): boolean {
    return this.now() < this.busyUntil;
  }

  /** The internal address pointer (next byte a current-address read returns). */
  get addressPointer(): number {
    return this.pointer;
  }

  start(read: boolean): boolean {
    if (this.busy) return false;
    this.discardLatch();
    this.writing = !read;
    this.received = 0;
    return true;
  }

  write(byte: number): boolean {
    if (!this.writing) return false;
    const n = this.received++;
    if (n === 0) {
      this.hiAddr = byte & 0x0f;
    } else if (n === 1) {
      this.pointer = (this.hiAddr << 8) | (byte & 0xff);
    } else {
      const off = this.pointer % EEPROM_24C32_PAGE_SIZE;
      this.latch[off] = byte & 0xff;
      this.latched[off] = 1;
      this.dirty = true;
      this.pointer = this.pointer - off + ((off + 1) % EEPROM_24C32_PAGE_SIZE);
    }
    return true;
  }

  read(): number {
    const v = this.mem[this.pointer]!;
    this.pointer = (this.pointer + 1) % EEPROM_24C32_SIZE;
    return v;
  }

  stop(): void {
    this.writing = false;
    if (!this.dirty) return;
    const page = this.pointer - (this.pointer % EEPROM_24C32_PAGE_SIZE);
    for (let i = 0; i < EEPROM_24C32_PAGE_SIZE; i++) {
      if (this.latched[i] !== 0) this.mem[page + i] = this.latch[i]!;
    }
    this.discardLatch();
    this.writeCycles++;
    this.busyUntil = this.now() + this.writeCycleMs;
  }

  /** Backdoor: a copy of `len` bytes from `addr` (no wrap). Throws `RangeError` outside the array. */
  peek(addr: number, len: number): Uint8Array {
    checkRange(addr, len);
    return this.mem.slice(addr, addr + len);
  }

  /** Backdoor: writes `data` at `addr` at once, with no write cycle. Throws `RangeError` outside the array. */
  poke(addr: number, data: Uint8Array | readonly number[]): void {
    checkRange(addr, data.length);
    this.mem.set(data, addr);
  }

  /** Backdoor: erases every byte to 0xFF and ends any write cycle. */
  erase(): void {
    this.mem.fill(0xff);
    this.busyUntil = -Infinity;
  }

  private discardLatch(): void {
    if (!this.dirty) return;
    this.latched.fill(0);
    this.dirty = false;
  }
}

function checkRange(addr: number, len: number): void {
  if (!Number.isInteger(addr) || addr < 0 || addr >= EEPROM_24C32_SIZE) {
    throw new RangeError(`"addr" must be an integer 0..${EEPROM_24C32_SIZE - 1}, got ${String(addr)}`);
  }
  if (!Number.isInteger(len) || len < 0 || addr + len > EEPROM_24C32_SIZE) {
    throw new RangeError(`"len" must be an integer with addr + len <= ${EEPROM_24C32_SIZE}, got ${String(len)}`);
  }
}
