import { expect } from 'chai';
import type { Cqe, Iodev, Rtio, Sqe } from '../../harness/rtio';
import { results, takeCqes } from '../../harness/testing/cqes';
import {
  ECANCELED, ENOMEM, RTIO_CQE_FLAG_GET, RTIO_CQE_FLAG_MORE, RTIO_PRIO_NORM, RTIO_SQE_CHAINED,
  RTIO_SQE_TRANSACTION, sqePrepDelay, sqePrepRead, sqePrepTinyWrite, sqePrepTransceive,
  sqePrepWrite,
} from '../../harness/rtio';
import { openTarget } from '../../harness/boards/open-target';
import { PrerequisiteMissingError } from '../../harness/remote/make';
import { boardsNamed } from '../../harness/testing/suite-boards';
import type { Target } from '../../harness/target/target';
import { skipBecause } from '../../harness/testing';
import type { IodevCapability, TargetCapability } from '../../harness/target/capabilities';
import { targetHas } from '../../harness/target/target';

/** The target a suite runs on, opened once in `before` and closed in `after`. */
export class SuiteEnv {
  private opened: Target | null = null;
  private nextFlashPage = 0;

  constructor(readonly boardId: string) {}

  /** True once the target is open. */
  get isOpen(): boolean {
    return this.opened !== null;
  }

  /** The open target; throws if the suite's `before` hook has not run. */
  get target(): Target {
    if (this.opened === null) throw new Error(`target "${this.boardId}" is not open`);
    return this.opened;
  }

  /**
   * Opens the target. When a prerequisite of the target is not installed (the native agent's
   * toolchain, QEMU) and the board was not named (RTIO_BOARD unset: `npm test`'s default boards),
   * skips every test of the suite with the reason instead; a board that was named and cannot run
   * fails the suite's `before` hook, an infrastructure failure.
   */
  async open(ctx: Mocha.Context): Promise<void> {
    try {
      this.opened = await openTarget(this.boardId);
    } catch (e) {
      if (e instanceof PrerequisiteMissingError && !boardsNamed()) skipBecause(ctx, `target "${this.boardId}" is unavailable: ${e.message}`);
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.opened?.close();
    this.opened = null;
  }

  /** Skips the running test, naming the target, unless the target has `capability`. */
  need(ctx: Mocha.Context, capability: TargetCapability): void;
  /** Skips the running test unless the target's iodev `name` exists and has `capability`. */
  need(ctx: Mocha.Context, capability: IodevCapability, name: string): void;
  need(ctx: Mocha.Context, capability: TargetCapability | IodevCapability, name?: string): void {
    if (targetHas(this.target, capability, name)) return;
    if (name !== undefined && !this.target.iodevs.some((d) => d.name === name)) skipBecause(ctx, `"${this.boardId}" has no iodev "${name}"`);
    skipBecause(ctx, `${name === undefined ? `target "${this.boardId}"` : `iodev "${name}" of "${this.boardId}"`} lacks "${capability}"`);
  }

  /** A fresh, erased 256-byte flash page no other test in this run uses (erased flash is 0xFF). */
  flashPage(): number {
    const page = 0x40000 + 256 * this.nextFlashPage++;
    if (page >= 0x100000) throw new RangeError('the suite used up its flash pages; reopen the target');
    return page;
  }
}

export { results, takeCqes as take };

/** Big-endian bytes of a 24-bit flash address after a command byte. */
export function flashCmd(cmd: number, addr: number, extra: readonly number[] = []): Uint8Array {
  return Uint8Array.from([cmd, (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff, ...extra]);
}

/** NOR flash commands used by the suites (W25Q-style). */
export const FLASH = { READ: 0x03, PP: 0x02, WREN: 0x06, RDSR: 0x05, SE: 0x20, JEDEC: 0x9f, BUSY: 0x01 } as const;

/**
 * Queues WREN, then PAGE PROGRAM of `data` at `addr` as one transaction [command+address,
 * data], all chained; returns the number of SQEs queued (3). `data` is read when the program
 * starts, so it may be filled by an earlier member of the same chain.
 */
export function queueFlashProgram(r: Rtio, flash: Iodev, addr: number, data: Uint8Array, len: number, tag: string): number {
  const wren = r.sqeAcquire()!;
  sqePrepTinyWrite(wren, flash, RTIO_PRIO_NORM, Uint8Array.of(FLASH.WREN), 1, `${tag}:wren`);
  wren.flags |= RTIO_SQE_CHAINED;
  const cmd = r.sqeAcquire()!;
  sqePrepWrite(cmd, flash, RTIO_PRIO_NORM, flashCmd(FLASH.PP, addr), 4, `${tag}:pp`);
  cmd.flags |= RTIO_SQE_TRANSACTION;
  const payload = r.sqeAcquire()!;
  sqePrepWrite(payload, flash, RTIO_PRIO_NORM, data, len, `${tag}:data`);
  return 3;
}

/**
 * Reads the flash status register: one TXRX of [RDSR, 0] where the iodev has `txrx` (`fullDuplex`),
 * else a transaction [RDSR, read 1 byte].
 */
export async function flashStatus(r: Rtio, flash: Iodev, fullDuplex: boolean): Promise<number> {
  const rx = new Uint8Array(2);
  if (fullDuplex) {
    sqePrepTransceive(r.sqeAcquire()!, flash, RTIO_PRIO_NORM, Uint8Array.of(FLASH.RDSR, 0), rx, 2, 'rdsr');
  } else {
    const cmd = r.sqeAcquire()!;
    sqePrepTinyWrite(cmd, flash, RTIO_PRIO_NORM, Uint8Array.of(FLASH.RDSR), 1, 'rdsr-cmd');
    cmd.flags |= RTIO_SQE_TRANSACTION;
    sqePrepRead(r.sqeAcquire()!, flash, RTIO_PRIO_NORM, rx.subarray(1), 1, 'rdsr');
  }
  await r.submit(0);
  for (const c of await takeCqes(r, fullDuplex ? 1 : 2)) if (c.result < 0) throw new Error(`flash status read failed: ${c.result}`);
  return rx[1]!;
}

/**
 * Polls the flash status register (1 ms apart, on the target's clock) until BUSY clears; `fullDuplex`
 * as {@link flashStatus} (default: TXRX).
 */
export async function flashWaitIdle(r: Rtio, flash: Iodev, fullDuplex = true): Promise<void> {
  for (;;) {
    if (((await flashStatus(r, flash, fullDuplex)) & FLASH.BUSY) === 0) return;
    sqePrepDelay(r.sqeAcquire()!, 1, 'poll-delay');
    await r.submit(0);
    await takeCqes(r, 1);
  }
}

/** Reads `len` bytes of flash at `addr` as one transaction [command+address, read]. */
export async function flashRead(r: Rtio, flash: Iodev, addr: number, len: number): Promise<Uint8Array> {
  const cmd = r.sqeAcquire()!;
  sqePrepWrite(cmd, flash, RTIO_PRIO_NORM, flashCmd(FLASH.READ, addr), 4, 'read-cmd');
  cmd.flags |= RTIO_SQE_TRANSACTION;
  const out = new Uint8Array(len);
  sqePrepRead(r.sqeAcquire()!, flash, RTIO_PRIO_NORM, out, len, 'read-data');
  await r.submit(0);
  const cqes = await takeCqes(r, 2);
  for (const c of cqes) if (c.result < 0) throw new Error(`flash read failed: ${c.result}`);
  return out;
}

/** True when CQE flags carry RTIO_CQE_FLAG_MORE: a multishot's stream goes on. */
export const hasMore = (c: { flags: number }): boolean => (RTIO_CQE_FLAG_GET(c.flags) & RTIO_CQE_FLAG_MORE) !== 0;

/**
 * Consumes `shots` CQEs of a multishot stream that `arm` starts, handing each (it carries
 * RTIO_CQE_FLAG_MORE and a pool buffer) to `onShot` before releasing its buffer and CQE; returns
 * the SQE of the stream still running.
 *
 * On a target without virtual time the device paces the stream in real time: a host slowed by
 * load can receive more shots than the pool has blocks before it consumes any, and the stream then
 * ends with `-ENOMEM`, as docs/semantics.md says it must. There, and only there, this checks that
 * the pool is whole once every buffer is released and starts the stream again (at most `shots`
 * times), so the test's outcome does not depend on how busy the machine is.
 */
export async function consumeStream(env: SuiteEnv, r: Rtio, arm: () => Promise<Sqe>, shots: number, onShot: (c: Cqe, shot: number) => void): Promise<Sqe> {
  let sqe = await arm();
  let restarts = 0;
  for (let shot = 0; shot < shots;) {
    const c = (await r.cqeConsumeBlock())!;
    if (!env.target.has('virtual-time') && !hasMore(c) && c.result === -ENOMEM) {
      r.cqeRelease(c);
      expect(r.mempool!.free, 'pool blocks free once every buffer is released').to.equal(r.mempool!.blockCount);
      expect(++restarts, `the stream ran out of pool blocks before ${shots} shots`).to.be.at.most(shots);
      sqe = await arm();
      continue;
    }
    onShot(c, shot++);
    r.releaseBuffer(r.cqeGetMempoolBuffer(c));
    r.cqeRelease(c);
  }
  return sqe;
}

/**
 * Cancels the stream `sqe` (its userdata `userdata`) and consumes it down to its final CQE (the one
 * without RTIO_CQE_FLAG_MORE), releasing the buffers on the way; returns the final CQE's result.
 * `-ECANCELED`; on a target without virtual time also `-ENOMEM` when the pool ran out first, or a
 * shot's byte count when a full CQ ended the stream first.
 */
export async function cancelStream(env: SuiteEnv, r: Rtio, sqe: Sqe, userdata: unknown): Promise<number> {
  r.sqeCancel(sqe);
  let c = (await r.cqeConsumeBlock())!;
  while (hasMore(c)) {
    r.releaseBuffer(r.cqeGetMempoolBuffer(c));
    r.cqeRelease(c);
    c = (await r.cqeConsumeBlock())!;
  }
  expect(c.userdata, 'the final CQE is the stream\'s').to.equal(userdata);
  const result = c.result;
  if (result > 0) {
    // In real time the stream may have ended before the cancel, by a shot that took the CQ's last
    // free entry: that shot's data, without MORE (docs/semantics.md §5). Virtual time never lets it.
    expect(env.target.has('virtual-time'), `a stream ended by a shot of ${result} bytes on a virtual-time target`).to.equal(false);
    r.releaseBuffer(r.cqeGetMempoolBuffer(c));
  }
  r.cqeRelease(c);
  if (result <= 0) expect(result, 'the final CQE').to.be.oneOf(env.target.has('virtual-time') ? [-ECANCELED] : [-ECANCELED, -ENOMEM]);
  return result;
}
