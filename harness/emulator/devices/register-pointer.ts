/**
 * The register-pointer protocol many I2C parts speak (the ICM-42688, the PCF8563): in a write,
 * the first byte after START sets the pointer and further bytes write successive registers; a
 * read returns registers from the pointer on. Where the pointer goes after each byte is the
 * part's own (wrapping at 16, or staying on a FIFO register).
 */

/** What a part tells the protocol. */
export interface PointerRegisters {
  /** Bits of the first written byte that make the pointer. */
  readonly pointerMask: number;
  /** The pointer after a byte at `pointer` was written or read. */
  nextPointer(pointer: number): number;
  /** The register at `pointer` as a read returns it. */
  readRegister(pointer: number): number;
  /** Writes `value` to the register at `pointer`. */
  writeRegister(pointer: number, value: number): void;
}

/** One part's pointer and where it is in a transfer; call its methods from the part's I2C ones. */
export class RegisterPointer {
  /** The register the next byte reads or writes. */
  pointer = 0;
  private writing = false;
  private pointerSet = false;

  constructor(private readonly part: PointerRegisters) {}

  /** START (or repeated START) of a read or a write. */
  start(read: boolean): void {
    this.writing = !read;
    this.pointerSet = false;
  }

  /** A byte written: the pointer first, then registers. False (NACK) in a read. */
  write(byte: number): boolean {
    if (!this.writing) return false;
    if (!this.pointerSet) {
      this.pointer = byte & this.part.pointerMask;
      this.pointerSet = true;
      return true;
    }
    this.part.writeRegister(this.pointer, byte & 0xff);
    this.pointer = this.part.nextPointer(this.pointer);
    return true;
  }

  /** A byte read from the pointer. */
  read(): number {
    const v = this.part.readRegister(this.pointer);
    this.pointer = this.part.nextPointer(this.pointer);
    return v;
  }

  /** STOP. */
  stop(): void {
    this.writing = false;
  }
}
