import { expect } from 'chai';
import * as rtio from '../../index';
import {
  RTIO_CQE_FLAG_GET, RTIO_CQE_FLAG_MEMPOOL_BUFFER, RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT, RTIO_CQE_FLAG_MORE, RTIO_PRIO_NORM,
  RTIO_SQE_MEMPOOL_BUFFER, Rtio, VirtualClock, openTarget, resultName, sqePrepAwaitExecutor, sqePrepAwaitIodev,
  sqePrepCallback, sqePrepDelay, sqePrepI2cRecover, sqePrepNop, sqePrepRead, sqePrepReadWithPool, sqePrepTinyWrite,
  sqePrepTransceive, sqePrepWrite, sqeSignal, testIodevScript,
} from '../../index';
import type { Cqe, Sqe, Target } from '../../index';
import { expectNoLeak } from '../index';
import { loadExecutorVectors } from './executor-vectors';
import type { ExecutorCase, VectorResult, VectorSqe } from './executor-vectors';

/** A consumed CQE in the vectors' terms. */
interface SeenCqe {
  sqe: string;
  result: VectorResult;
  more: boolean;
  mempoolBlocks: number | null;
  data: string;
  atUs: number;
}

function hex(data: Uint8Array): string {
  return Buffer.from(data).toString('hex');
}

/** The value of a result as the vectors write it: a count, or a negative errno name. */
function resultValue(result: VectorResult): number {
  if (/^\d+$/.test(result)) return Number(result);
  const value = (rtio as unknown as Record<string, unknown>)[result.slice(1)];
  if (typeof value !== 'number') throw new RangeError(`unknown errno name "${result}"`);
  return -value;
}

/** Runs one case on a fresh emulator target, through the public API only. */
class CaseRun {
  private readonly clock: VirtualClock;
  private readonly r: Rtio;
  private readonly sqes = new Map<string, Sqe>();
  private readonly rxBufs = new Map<string, Uint8Array>();
  private readonly postedAtMs: number[] = [];
  readonly seen: SeenCqe[] = [];

  constructor(private readonly c: ExecutorCase, private readonly target: Target) {
    if (!(target.clock instanceof VirtualClock)) throw new TypeError(`target "${target.id}" has no virtual clock`);
    this.clock = target.clock;
    this.r = new Rtio({ ...c.context, clock: this.clock });
    this.r.setCqeCallback(() => this.postedAtMs.push(this.clock.now()));
  }

  async run(): Promise<void> {
    for (const [i, step] of this.c.steps.entries()) {
      const at = `step ${i} (${step.do})`;
      switch (step.do) {
        case 'prepare':
          step.sqes.forEach((s) => this.prepare(s));
          break;
        case 'submit':
          step.sqes.forEach((s) => this.prepare(s));
          expect(resultName(await this.r.submit(0)), `${at}: submit`).to.equal(step.returns);
          break;
        case 'advance':
          this.clock.advance(step.us / 1000);
          break;
        case 'run':
          this.clock.runUntilIdle();
          break;
        case 'cancel':
          expect(resultName(this.r.sqeCancel(this.sqe(step.sqe))), `${at}: sqeCancel(${step.sqe})`).to.equal(step.returns);
          break;
        case 'signal':
          sqeSignal(this.sqe(step.sqe));
          break;
        case 'fault':
          this.target.injectFault('test0', step.fault, step.count);
          break;
        case 'consume':
          for (let k = 0; k < step.n; k++) {
            const cqe = this.r.cqeConsume();
            expect(cqe, `${at}: CQE ${k + 1} of ${step.n}`).to.not.equal(null);
            this.take(cqe!);
          }
          break;
        case 'check':
          expect(this.r.cqOverflowPending, `${at}: cqOverflowPending`).to.equal(step.overflowPending);
          break;
      }
    }
    this.clock.runUntilIdle();
    for (let cqe = this.r.cqeConsume(); cqe !== null; cqe = this.r.cqeConsume()) this.take(cqe);
    await expectNoLeak(this.r, this.target);
  }

  private sqe(name: string): Sqe {
    const sqe = this.sqes.get(name);
    if (sqe === undefined) throw new RangeError(`no SQE "${name}" was prepared before this step`);
    return sqe;
  }

  private prepare(v: VectorSqe): void {
    const sqe = this.r.sqeAcquire();
    if (sqe === null) throw new RangeError(`SQ full when acquiring "${v.name}"`);
    const dev = v.iodev === null ? null : this.target.iodev(v.iodev);
    const tx = v.tx ?? new Uint8Array(0);
    switch (v.op) {
      case 'NOP':
        sqePrepNop(sqe, dev, v.name);
        break;
      case 'RX':
        if (v.flags.includes('MEMPOOL_BUFFER')) {
          sqePrepReadWithPool(sqe, dev!, RTIO_PRIO_NORM, v.name);
        } else {
          const buf = new Uint8Array(v.len);
          this.rxBufs.set(v.name, buf);
          sqePrepRead(sqe, dev!, RTIO_PRIO_NORM, buf, v.len, v.name);
        }
        break;
      case 'TX':
        sqePrepWrite(sqe, dev!, RTIO_PRIO_NORM, tx, tx.length, v.name);
        break;
      case 'TINY_TX':
        sqePrepTinyWrite(sqe, dev!, RTIO_PRIO_NORM, tx, tx.length, v.name);
        break;
      case 'TXRX': {
        const rx = new Uint8Array(tx.length);
        this.rxBufs.set(v.name, rx);
        sqePrepTransceive(sqe, dev!, RTIO_PRIO_NORM, tx, rx, tx.length, v.name);
        break;
      }
      case 'DELAY':
        sqePrepDelay(sqe, v.delayUs / 1000, v.name);
        break;
      case 'AWAIT':
        if (dev === null) sqePrepAwaitExecutor(sqe, RTIO_PRIO_NORM, v.name);
        else sqePrepAwaitIodev(sqe, dev, RTIO_PRIO_NORM, v.name);
        break;
      case 'CALLBACK':
        sqePrepCallback(sqe, () => undefined, undefined, v.name);
        break;
      case 'I2C_RECOVER':
        sqePrepI2cRecover(sqe, dev!, RTIO_PRIO_NORM, v.name);
        break;
    }
    for (const f of v.flags) sqe.flags |= rtio[`RTIO_SQE_${f}`];
    sqe.timeoutMs = v.timeoutUs / 1000;
    if (dev !== null) {
      sqe.iodevFlags = testIodevScript({ delayMs: v.script.delayUs / 1000, result: resultValue(v.script.result), hang: v.script.hang });
    }
    this.sqes.set(v.name, sqe);
  }

  /** Records a consumed CQE (its mempool buffer's bytes, or its RX buffer's) and releases it. */
  private take(cqe: Cqe): void {
    const k = this.seen.length;
    const name = String(cqe.userdata);
    const pooled = (RTIO_CQE_FLAG_GET(cqe.flags) & RTIO_CQE_FLAG_MEMPOOL_BUFFER) !== 0;
    let data = new Uint8Array(0);
    if (pooled) {
      const buf = this.r.cqeGetMempoolBuffer(cqe);
      data = buf.slice(0, Math.max(cqe.result, 0));
      this.r.releaseBuffer(buf);
    } else if (cqe.result > 0 && this.rxBufs.has(name) && !(this.sqes.get(name)!.flags & RTIO_SQE_MEMPOOL_BUFFER)) {
      data = this.rxBufs.get(name)!.slice(0, cqe.result);
    }
    this.seen.push({
      sqe: name,
      result: resultName(cqe.result),
      more: (cqe.flags & RTIO_CQE_FLAG_MORE) !== 0,
      mempoolBlocks: pooled ? RTIO_CQE_FLAG_MEMPOOL_GET_BLK_CNT(cqe.flags) : null,
      data: hex(data),
      atUs: Math.round((this.postedAtMs[k] ?? NaN) * 1000),
    });
    this.r.cqeRelease(cqe);
  }
}

describe('executor vectors (protocol/vectors/executor.json) on the emulator', function () {
  for (const c of loadExecutorVectors()) {
    it(`${c.name}: ${c.description}`, async function () {
      const target = await openTarget('emulator');
      try {
        const run = new CaseRun(c, target);
        await run.run();
        const want = c.cqes.map((e) => ({ ...e, data: hex(e.data) }));
        expect(run.seen, `case "${c.name}": CQEs in consumption order`).to.deep.equal(want);
      } finally {
        await target.close();
      }
    });
  }
});
