import { ENOMEM } from './errno';

/** Geometry of a context's mempool (Zephyr's `RTIO_DEFINE_WITH_MEMPOOL`). */
export interface MempoolOptions {
  /** Bytes per block; a power of two. */
  readonly blockSize: number;
  /** Number of blocks, 1..4095 (the CQE flags hold a 12-bit index and count). */
  readonly blockCount: number;
}

/** Largest block count: the CQE flags carry 12-bit block indexes and counts. */
export const MEMPOOL_MAX_BLOCKS = 4095;

/**
 * A pool of equal power-of-two blocks in one backing buffer, handed out as contiguous runs
 * (Zephyr's `sys_mem_blocks` as RTIO uses it). Exhaustion is `-ENOMEM`, never an overwrite.
 */
export class Mempool {
  /** Bytes per block. */
  readonly blockSize: number;
  /** Number of blocks. */
  readonly blockCount: number;
  /** The backing storage; buffers handed out are views into it. */
  readonly storage: Uint8Array;
  private readonly used: Uint8Array;
  private freeBlocks: number;

  /** Throws `RangeError` naming the field when the geometry is invalid. */
  constructor(opts: MempoolOptions) {
    const { blockSize, blockCount } = opts;
    if (!Number.isInteger(blockSize) || blockSize <= 0 || (blockSize & (blockSize - 1)) !== 0) {
      throw new RangeError(`"mempool.blockSize" must be a power of two, got ${blockSize}`);
    }
    if (!Number.isInteger(blockCount) || blockCount < 1 || blockCount > MEMPOOL_MAX_BLOCKS) {
      throw new RangeError(`"mempool.blockCount" must be an integer 1..${MEMPOOL_MAX_BLOCKS}, got ${blockCount}`);
    }
    this.blockSize = blockSize;
    this.blockCount = blockCount;
    this.storage = new Uint8Array(blockSize * blockCount);
    this.used = new Uint8Array(blockCount);
    this.freeBlocks = blockCount;
  }

  /** Blocks not handed out. */
  get free(): number {
    return this.freeBlocks;
  }

  /**
   * Allocates contiguous blocks holding `maxLen` bytes, or fewer blocks down to `minLen` bytes
   * (Zephyr's `rtio_block_pool_alloc`). Returns the block-rounded buffer or `-ENOMEM`.
   */
  alloc(minLen: number, maxLen: number): Uint8Array | number {
    const bs = this.blockSize;
    let bytes = Math.max(maxLen, minLen, 1);
    for (;;) {
      const n = Math.ceil(bytes / bs);
      const idx = this.findRun(n);
      if (idx >= 0) {
        this.used.fill(1, idx, idx + n);
        this.freeBlocks -= n;
        return this.storage.subarray(idx * bs, (idx + n) * bs);
      }
      if (bytes <= bs) return -ENOMEM;
      bytes -= bs;
      if (bytes < minLen) return -ENOMEM;
    }
  }

  /** Block index and count of a buffer from this pool, or null if it is not one. */
  locate(buf: Uint8Array): { index: number; count: number } | null {
    if (buf.buffer !== this.storage.buffer) return null;
    const off = buf.byteOffset - this.storage.byteOffset;
    if (off % this.blockSize !== 0 || buf.length % this.blockSize !== 0 || buf.length === 0) return null;
    return { index: off / this.blockSize, count: buf.length / this.blockSize };
  }

  /** The buffer for `count` blocks from `index`. */
  view(index: number, count: number): Uint8Array {
    return this.storage.subarray(index * this.blockSize, (index + count) * this.blockSize);
  }

  /**
   * Shortens a buffer from this pool to the blocks covering its first `len` bytes and returns
   * the rest to the pool; with `len` 0 it returns the whole buffer and gives back null. Throws
   * `RangeError` if `buf` is not from this pool.
   */
  trim(buf: Uint8Array, len: number): Uint8Array | null {
    const at = this.locate(buf);
    if (at === null) throw new RangeError('"buf" is not a block-aligned buffer from this context\'s mempool');
    const keep = Math.min(at.count, Math.ceil(Math.max(0, len) / this.blockSize));
    this.used.fill(0, at.index + keep, at.index + at.count);
    this.freeBlocks += at.count - keep;
    return keep === 0 ? null : this.view(at.index, keep);
  }

  /**
   * Returns a buffer's blocks to the pool. Throws `RangeError` if `buf` is not from this pool
   * or any of its blocks is already free (a double release).
   */
  release(buf: Uint8Array): void {
    const at = this.locate(buf);
    if (at === null) throw new RangeError('"buf" is not a block-aligned buffer from this context\'s mempool');
    for (let i = at.index; i < at.index + at.count; i++) {
      if (this.used[i] === 0) throw new RangeError(`"buf" block ${i} is already free (released twice?)`);
    }
    this.used.fill(0, at.index, at.index + at.count);
    this.freeBlocks += at.count;
  }

  private findRun(n: number): number {
    let run = 0;
    for (let i = 0; i < this.blockCount; i++) {
      run = this.used[i] === 0 ? run + 1 : 0;
      if (run === n) return i - n + 1;
    }
    return -1;
  }
}
