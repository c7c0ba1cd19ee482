/**
 * A large memory that reads as its erased value until written, stored in blocks allocated on first
 * write: a fresh 1 MiB flash model then costs nothing to create, where a filled array cost a
 * megabyte and its fill for every board (the differential test makes one per program).
 */
export class SparseBytes {
  private readonly blocks: (Uint8Array | null)[];
  private readonly shift: number;
  private readonly mask: number;

  /**
   * `size` bytes in blocks of `blockSize` (a power of two dividing `size`), each reading `erased`
   * until written. Throws `RangeError` naming a bad argument.
   */
  constructor(readonly size: number, readonly blockSize: number, readonly erased: number) {
    if (!Number.isInteger(blockSize) || blockSize < 1 || (blockSize & (blockSize - 1)) !== 0) {
      throw new RangeError(`"blockSize" must be a power of two, got ${String(blockSize)}`);
    }
    if (!Number.isInteger(size) || size < blockSize || size % blockSize !== 0) {
      throw new RangeError(`"size" must be a multiple of "blockSize" ${blockSize}, got ${String(size)}`);
    }
    this.shift = Math.log2(blockSize);
    this.mask = blockSize - 1;
    this.blocks = new Array<Uint8Array | null>(size / blockSize).fill(null);
  }

  /** The byte at `addr` (0..size-1, unchecked). */
  get(addr: number): number {
    const b = this.blocks[addr >>> this.shift];
    return b === null || b === undefined ? this.erased : b[addr & this.mask]!;
  }

  /** Stores `value` at `addr` (0..size-1, unchecked). */
  set(addr: number, value: number): void {
    this.block(addr >>> this.shift)[addr & this.mask] = value;
  }

  /** A copy of `len` bytes from `addr` (in range, unchecked). */
  slice(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.get(addr + i);
    return out;
  }

  /** Stores `data` from `addr` (in range, unchecked). */
  write(addr: number, data: ArrayLike<number>): void {
    for (let i = 0; i < data.length; i++) this.set(addr + i, data[i]!);
  }

  /** Sets `len` bytes from `addr` back to the erased value (whole blocks are dropped). */
  erase(addr: number, len: number): void {
    const end = addr + len;
    for (let a = addr; a < end;) {
      const i = a >>> this.shift;
      const blockEnd = (i + 1) << this.shift;
      if (a === i << this.shift && blockEnd <= end) this.blocks[i] = null;
      else this.blocks[i]?.fill(this.erased, a & this.mask, Math.min(end, blockEnd) - (i << this.shift));
      a = blockEnd;
    }
  }

  private block(i: number): Uint8Array {
    let b = this.blocks[i];
    if (b === null || b === undefined) {
      b = new Uint8Array(this.blockSize).fill(this.erased);
      this.blocks[i] = b;
    }
    return b;
  }
}
