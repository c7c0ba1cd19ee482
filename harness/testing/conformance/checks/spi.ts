/** @file SPI: full-duplex transfers, chip select held across a transaction and released between units. */
import type { CheckContext, ConformanceCheck } from '../context';
import { bytesMatch, hex } from '../context';
import { deviceErrorCheck } from './transfers';

/** `tx` followed by `n` zero bytes. */
function withTail(tx: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(tx.length + n);
  out.set(tx);
  return out;
}

/** A TXRX the test iodev can echo: distinct bytes per run. */
function pattern(ctx: CheckContext): Uint8Array {
  return Uint8Array.from({ length: 8 }, (_, i) => (0x10 * (i + 1) + ctx.run) & 0xff);
}

const transceive: ConformanceCheck = {
  id: 'txrx.transceive',
  title: 'a full-duplex transceive moves its bytes both ways and completes with its byte count',
  rule: 'data-integrity',
  needs: ['txrx'],
  async run(ctx) {
    const id = ctx.probe.identity;
    const tx = id !== undefined ? withTail(id.tx, id.expect.length) : ctx.probe.txrxEcho === true ? pattern(ctx) : new Uint8Array(ctx.readLen);
    const { buf } = ctx.txrx('txrx', tx);
    const got = await ctx.run1(['txrx']);
    ctx.expectResults('byte-counts', got, [['txrx', tx.length]], `a transceive of ${tx.length} bytes`);
    if (id !== undefined) {
      const answer = buf.subarray(id.tx.length);
      ctx.expect('data-integrity', bytesMatch(answer, id.expect), () => `a transceive of ${hex(tx)} received ${hex(buf)}: ` +
        `the bytes after the command should be ${hex(id.expect)}`);
    } else if (ctx.probe.txrxEcho === true) {
      ctx.expect('data-integrity', bytesMatch(buf, tx), () => `a loopback transceive of ${hex(tx)} received ${hex(buf)}`);
    }
  },
};

const csHeld: ConformanceCheck = {
  id: 'spi.cs-held-in-transaction',
  title: 'a command and its response in two members of a transaction share one chip-select assertion',
  rule: 'cs-held-in-transaction',
  bus: 'spi',
  needs: ['transaction'],
  needsProbe: ['identity'],
  async run(ctx) {
    const id = ctx.probe.identity!;
    const t = ctx.writeRead('txn', id.tx, id.expect.length);
    const got = await ctx.run1(t.uds);
    ctx.expectResults('byte-counts', got, [['txn:w', id.tx.length], ['txn:r', id.expect.length]], 'a command-then-read transaction');
    ctx.expect('cs-held-in-transaction', bytesMatch(t.buf, id.expect), () => `the read member after the command ${hex(id.tx)} ` +
      `received ${hex(t.buf)}, not ${hex(id.expect)}: chip select was released between the members of the transaction`);
  },
};

const csReleased: ConformanceCheck = {
  id: 'spi.cs-released-between-units',
  title: 'chip select is released between chain members and between chains',
  rule: 'cs-released-between-units',
  bus: 'spi',
  needs: ['chain'],
  needsProbe: ['identity'],
  async run(ctx) {
    const id = ctx.probe.identity!;
    const n = id.expect.length;
    const cmd = ctx.tx('cmd', id.tx);
    const { sqe: resp, buf: chained } = ctx.rx('resp', n);
    ctx.chain(cmd, resp);
    const got = await ctx.run1(['cmd', 'resp']);
    ctx.expectResults('byte-counts', got, [['cmd', id.tx.length], ['resp', n]], 'a command, then a read chained to it');
    ctx.expect('cs-released-between-units', !bytesMatch(chained, id.expect), () => `a read chained after the command ${hex(id.tx)} ` +
      `received its answer ${hex(chained)}: chip select was still asserted between the two chain members`);
    ctx.tx('cmd2', id.tx);
    const { buf: separate } = ctx.rx('resp2', n);
    const got2 = await ctx.run1(['cmd2', 'resp2']);
    ctx.expectResults('byte-counts', got2, [['cmd2', id.tx.length], ['resp2', n]], 'a command, then a read as separate chains');
    ctx.expect('cs-released-between-units', !bytesMatch(separate, id.expect), () => `a read submitted after the command ${hex(id.tx)} ` +
      `as a chain of its own received its answer ${hex(separate)}: chip select was still asserted between the two chains`);
  },
};

/** SPI-only checks. */
export const SPI_CHECKS: readonly ConformanceCheck[] = [csHeld, csReleased, { ...deviceErrorCheck('spi.device-error'), bus: 'spi' }];

/** Checks of iodevs with full-duplex transfers. */
export const TXRX_CHECKS: readonly ConformanceCheck[] = [transceive];
