/** @file Transfers on a bus device (I2C, SPI, a sensor on one, the test iodev): byte counts, short reads, lengths, mixed chains. */
import { ECANCELED, resultName } from '../../../rtio';
import type { ConformanceCheck } from '../context';
import { nackedReadFails, settle } from './helpers';

/** Bytes of the read the short-read check cuts, and where the injected fault cuts it. */
const SHORT_READ_LEN = 4;
const SHORT_READ_AT = 1;

const write: ConformanceCheck = {
  id: 'transfer.write',
  title: 'a write completes with its byte count',
  rule: 'byte-counts',
  needsProbe: ['select'],
  async run(ctx) {
    const bytes = ctx.probe.select!;
    ctx.tx('write', bytes);
    const got = await ctx.run1(['write']);
    ctx.expectResults('byte-counts', got, [['write', bytes.length]], `a write of ${bytes.length} bytes`);
  },
};

const read: ConformanceCheck = {
  id: 'transfer.read',
  title: 'a read completes with its byte count',
  rule: 'byte-counts',
  async run(ctx) {
    ctx.rx('read', ctx.readLen);
    const got = await ctx.run1(['read']);
    ctx.expectResults('byte-counts', got, [['read', ctx.readLen]], `a read of ${ctx.readLen} bytes`);
  },
};

const shortRead: ConformanceCheck = {
  id: 'transfer.short-read',
  title: 'a read cut short completes with the bytes it moved and ends its chain',
  rule: 'byte-counts',
  needs: ['chain'],
  needsTarget: ['fault-injection'],
  async run(ctx) {
    ctx.target.injectFault(ctx.env.iodevName, { kind: 'short-read', bytes: SHORT_READ_AT });
    ctx.chain(ctx.rx('read', SHORT_READ_LEN).sqe, ctx.rx('next', ctx.readLen).sqe);
    const got = await ctx.run1(['read', 'next']);
    const r = got.result('read');
    ctx.expect('byte-counts', r === SHORT_READ_AT, `a read of ${SHORT_READ_LEN} bytes cut short after ${SHORT_READ_AT} ` +
      `(an injected short-read) completed with ${resultName(r)}: a transfer must complete with the bytes it moved`);
    ctx.expect('byte-counts', got.result('next') === -ECANCELED, `the member chained after a short read completed with ` +
      `${resultName(got.result('next'))}, not -ECANCELED: a short transfer ends its chain`);
  },
};

const maxRead: ConformanceCheck = {
  id: 'transfer.max-read',
  title: 'a read of the largest length the target takes moves every byte',
  rule: 'max-length',
  async run(ctx) {
    const len = Math.min(ctx.env.maxTransferBytes, ctx.probe.maxReadLen ?? Infinity);
    ctx.rx('big', len);
    const got = await ctx.run1(['big'], 'max-length');
    ctx.expectResults('max-length', got, [['big', len]], `a read of ${len} bytes`);
  },
};

const maxWrite: ConformanceCheck = {
  id: 'transfer.max-write',
  title: 'a write of the largest length the target takes moves every byte',
  rule: 'max-length',
  needsProbe: ['longWrite'],
  async run(ctx) {
    const bytes = ctx.probe.longWrite!(ctx.env.maxTransferBytes);
    ctx.tx('big', bytes);
    const got = await ctx.run1(['big'], 'max-length');
    ctx.expectResults('max-length', got, [['big', bytes.length]], `a write of ${bytes.length} bytes`);
    await settle(ctx, ctx.probe.longWriteSettleMs);
  },
};

const chainMixed: ConformanceCheck = {
  id: 'transfer.chain-mixed',
  title: 'a chain across writes, reads and a transaction completes in order, each with its count',
  rule: 'chain-order',
  needs: ['chain', 'transaction'],
  needsProbe: ['select'],
  async run(ctx) {
    const sel = ctx.probe.select!;
    const n = ctx.readLen;
    const w = ctx.tx('select', sel);
    const rd = ctx.rx('read', n).sqe;
    const t = ctx.writeRead('txn', sel, n);
    const tail = ctx.rx('tail', 1).sqe;
    ctx.chain(w, rd, t.last, tail);
    const uds = ['select', 'read', ...t.uds, 'tail'];
    const got = await ctx.run1(uds);
    ctx.expectOrder('chain-order', got, uds, 'write, read, write-then-read transaction, read');
    ctx.expectResults('byte-counts', got, [['select', sel.length], ['read', n], ['txn:w', sel.length], ['txn:r', n], ['tail', 1]],
      'write, read, write-then-read transaction, read');
  },
};

/** A device error (an injected `nack` fault: no acknowledge, or the device not answering) fails the unit and cancels its chain. */
export function deviceErrorCheck(id: string): ConformanceCheck {
  return {
    id,
    title: 'a device error fails the operation, and the rest of its chain is cancelled',
    rule: 'failure-completes',
    needs: ['chain'],
    needsTarget: ['fault-injection'],
    async run(ctx) {
      const read = await nackedReadFails(ctx, 'the failure');
      ctx.expect('failure-completes', read < 0, `a read the device did not answer (an injected fault) completed with ${resultName(read)}`);
    },
  };
}

/** Checks of any device that moves bytes. */
export const TRANSFER_CHECKS: readonly ConformanceCheck[] = [write, read, shortRead, maxRead, maxWrite, chainMixed];
