import { expect } from 'chai';
import {
  RTIO_PRIO_NORM, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION, sqePrepRead, sqePrepTransceive, sqePrepWrite,
} from '../../harness/rtio';
import { testIodevPattern } from '../../harness/emulator/iodevs/test-iodev';
import { onContext } from '../../harness/testing/rtio-fixture';
import type { SuiteEnv } from './env';
import { results, take } from './env';

/**
 * Buffers passed from one SQE to the next: a member that transmits bytes an earlier member of
 * its chain received sends what that member read, wherever the chain runs (docs/semantics.md
 * §20). test0's TXRX echoes what it sends, so the echo shows what the device was given.
 */
export function sharedBufferTests(env: SuiteEnv): void {
  describe('buffers shared between members', function () {
    it('a TX sends the buffer its own chain read, with another chain in the same submit', async function () {
      env.need(this, 'txrx', 'test0');
      const test0 = env.target.iodev('test0');
      await onContext(env.target, async (r) => {
        const a = new Uint8Array(8);
        const echoA = new Uint8Array(8);
        const b = new Uint8Array(4);
        const echoB = new Uint8Array(4);
        // Chain A: read test0's pattern, send it back.
        const ra = r.sqeAcquire()!;
        sqePrepRead(ra, test0, RTIO_PRIO_NORM, a, 8, 'a:read');
        ra.flags |= RTIO_SQE_CHAINED;
        sqePrepTransceive(r.sqeAcquire()!, test0, RTIO_PRIO_NORM, a, echoA, 8, 'a:echo');
        // Chain B: receive other bytes (test0 echoes what it is sent), then send what it received.
        const rb = r.sqeAcquire()!;
        sqePrepTransceive(rb, test0, RTIO_PRIO_NORM, Uint8Array.of(1, 2, 3, 4), b, 4, 'b:receive');
        rb.flags |= RTIO_SQE_CHAINED;
        sqePrepTransceive(r.sqeAcquire()!, test0, RTIO_PRIO_NORM, b, echoB, 4, 'b:echo');
        await r.submit(0);
        const got = results(await take(r, 4)).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
        expect(got).to.deep.equal([['a:echo', 8], ['a:read', 8], ['b:echo', 4], ['b:receive', 4]]);
        expect([...echoA], 'chain A sent what it read').to.deep.equal([...testIodevPattern(8)]);
        expect([...echoB], 'chain B sent what it received').to.deep.equal([1, 2, 3, 4]);
      });
    });

    it('a TX of a slice of an earlier read sends the bytes that read produced', async function () {
      env.need(this, 'txrx', 'test0');
      const test0 = env.target.iodev('test0');
      await onContext(env.target, async (r) => {
        const buf = new Uint8Array(8).fill(0x11);
        const echo = new Uint8Array(4);
        const rd = r.sqeAcquire()!;
        sqePrepRead(rd, test0, RTIO_PRIO_NORM, buf, 8, 'read');
        rd.flags |= RTIO_SQE_CHAINED;
        sqePrepTransceive(r.sqeAcquire()!, test0, RTIO_PRIO_NORM, buf.subarray(2, 6), echo, 4, 'echo');
        await r.submit(2);
        expect(results(await take(r, 2))).to.deep.equal([['read', 8], ['echo', 4]]);
        expect([...echo], 'the slice as the read left it, not as it was at submit').to.deep.equal([...testIodevPattern(8).subarray(2, 6)]);
      });
    });

    it("a TXRX's receive buffer sent by a later member carries what the TXRX received", async function () {
      env.need(this, 'txrx', 'test0');
      const test0 = env.target.iodev('test0');
      await onContext(env.target, async (r) => {
        const rx = new Uint8Array(3);
        const echo = new Uint8Array(3);
        const first = r.sqeAcquire()!;
        sqePrepTransceive(first, test0, RTIO_PRIO_NORM, Uint8Array.of(7, 8, 9), rx, 3, 'first');
        first.flags |= RTIO_SQE_CHAINED;
        sqePrepTransceive(r.sqeAcquire()!, test0, RTIO_PRIO_NORM, rx, echo, 3, 'second');
        await r.submit(2);
        expect(results(await take(r, 2))).to.deep.equal([['first', 3], ['second', 3]]);
        expect([...echo]).to.deep.equal([7, 8, 9]);
      });
    });

    it('inside a transaction, a TX sends what an earlier member of the unit read', async function () {
      env.need(this, 'transaction', 'test0');
      const test0 = env.target.iodev('test0');
      await onContext(env.target, async (r) => {
        const buf = new Uint8Array(4);
        const rd = r.sqeAcquire()!;
        sqePrepRead(rd, test0, RTIO_PRIO_NORM, buf, 4, 'read');
        rd.flags |= RTIO_SQE_TRANSACTION;
        const wr = r.sqeAcquire()!;
        sqePrepWrite(wr, test0, RTIO_PRIO_NORM, buf.subarray(1, 3), 2, 'write');
        wr.flags |= RTIO_SQE_CHAINED;
        const echo = new Uint8Array(4);
        sqePrepTransceive(r.sqeAcquire()!, test0, RTIO_PRIO_NORM, buf, echo, 4, 'echo');
        await r.submit(3);
        expect(results(await take(r, 3))).to.deep.equal([['read', 4], ['write', 2], ['echo', 4]]);
        expect([...echo]).to.deep.equal([...testIodevPattern(4)]);
      });
    });
  });
}
