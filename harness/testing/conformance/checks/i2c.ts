/** @file I2C: write-then-read as one transfer with a repeated START, NACKs as -EIO. */
import { I2cBus } from '../../../emulator/bus/i2c-bus';
import { EIO, resultName, RTIO_SQE_TRANSACTION } from '../../../rtio';
import type { IodevInfo, Target } from '../../../target/target';
import type { CheckContext, ConformanceCheck } from '../context';
import { bytesMatch, hex, showExpected } from '../context';
import type { ExpectedByte } from '../probes';
import { nackedReadFails, runWrites, settle } from './helpers';

/** Bus counters the kit reads where the target is an in-process emulator; null elsewhere. */
interface I2cObserver {
  transfers(): number;
  restarts(): number;
}

/** The I2C bus of `info` when `target` is an emulated board whose buses are reachable (`target.board.devices`). */
export function i2cObserver(target: Target, info: IodevInfo): I2cObserver | null {
  const devices = (target as { board?: { devices?: Record<string, unknown> } }).board?.devices;
  const bus = info.bus === undefined ? undefined : devices?.[info.bus];
  return bus instanceof I2cBus ? { transfers: () => bus.transfers, restarts: () => bus.restarts } : null;
}

/** The write-then-read the transaction check uses: the identity, else a value just stored in the scratch. */
async function knownRead(ctx: CheckContext): Promise<{ tx: Uint8Array; len: number; expect: readonly ExpectedByte[] | Uint8Array }> {
  const id = ctx.probe.identity;
  if (id !== undefined) return { tx: id.tx, len: id.expect.length, expect: id.expect };
  const s = ctx.probe.scratch!;
  const v = s.values[ctx.run % 2]!;
  await runWrites(ctx, 'store', [s.write(v)]);
  await settle(ctx, s.settleMs);
  return { tx: s.readTx, len: s.readLen, expect: s.expect(v) };
}

const writeReadTransaction: ConformanceCheck = {
  id: 'i2c.write-read-transaction',
  title: 'a write-then-read transaction is one transfer with a repeated START, one CQE per member',
  rule: 'transaction-unit',
  bus: 'i2c',
  needs: ['transaction'],
  needsAnyProbe: ['identity', 'scratch'],
  async run(ctx) {
    const known = await knownRead(ctx);
    const bus = i2cObserver(ctx.target, ctx.info);
    const before = bus === null ? null : { transfers: bus.transfers(), restarts: bus.restarts() };
    const t = ctx.writeRead('txn', known.tx, known.len);
    const got = await ctx.run1(t.uds);
    ctx.expectOrder('transaction-unit', got, t.uds, 'a write-then-read transaction');
    ctx.expectResults('transaction-unit', got, [['txn:w', known.tx.length], ['txn:r', known.len]],
      'a write-then-read transaction (each member carries its own byte count)');
    ctx.expect('data-integrity', bytesMatch(t.buf, known.expect), () => `the transaction read ${hex(t.buf)}, not ${showExpected(known.expect)}`);
    if (bus !== null && before !== null) {
      const transfers = bus.transfers() - before.transfers;
      const restarts = bus.restarts() - before.restarts;
      ctx.expect('transaction-unit', transfers === 1 && restarts === 1, `the transaction made ${transfers} transfer(s) with ` +
        `${restarts} repeated START(s) on bus "${ctx.info.bus ?? '?'}": a write-then-read transaction is one transfer with one repeated START`);
    }
  },
};

const nackAbsent: ConformanceCheck = {
  id: 'i2c.nack-absent',
  title: 'a device that does not acknowledge its address fails the read with -EIO and cancels the chain',
  rule: 'nack-is-eio',
  bus: 'i2c',
  needs: ['chain'],
  needsTarget: ['fault-injection'],
  async run(ctx) {
    const read = await nackedReadFails(ctx, 'the NACK');
    ctx.expect('nack-is-eio', read === -EIO, `a read NACKed at its address byte completed with ${resultName(read)}, not -EIO`);
  },
};

const nackMidWrite: ConformanceCheck = {
  id: 'i2c.nack-mid-write',
  title: 'a NACK in the middle of a write fails it with -EIO; in a transaction, the member that was refused',
  rule: 'nack-is-eio',
  bus: 'i2c',
  needsTarget: ['fault-injection'],
  needsProbe: ['select'],
  async run(ctx) {
    const sel = ctx.probe.select!;
    // Wire bytes: 0 the address, 1..sel.length the select bytes, then the refused one: the device sees only `sel`.
    const refused = 1 + sel.length;
    const bytes = new Uint8Array(sel.length + 2);
    bytes.set(sel);
    ctx.target.injectFault(ctx.env.iodevName, { kind: 'nack', atByte: refused });
    ctx.tx('write', bytes);
    const got = await ctx.run1(['write'], 'failure-completes');
    ctx.expect('nack-is-eio', got.result('write') === -EIO,
      `a ${bytes.length}-byte write NACKed at wire byte ${refused} completed with ${resultName(got.result('write'))}, not -EIO`);
    if (!ctx.target.has('transaction', ctx.env.iodevName)) return;
    ctx.target.injectFault(ctx.env.iodevName, { kind: 'nack', atByte: refused });
    const head = ctx.tx('select', sel);
    head.flags |= RTIO_SQE_TRANSACTION;
    ctx.tx('data', Uint8Array.of(0, 0));
    const txn = await ctx.run1(['select', 'data'], 'failure-completes');
    ctx.expectResults('nack-is-eio', txn, [['select', sel.length], ['data', -EIO]],
      'a transaction [select, data] whose first data byte is NACKed (the refused member fails, the one before keeps its count)');
  },
};

/** I2C-only checks. */
export const I2C_CHECKS: readonly ConformanceCheck[] = [writeReadTransaction, nackAbsent, nackMidWrite];
