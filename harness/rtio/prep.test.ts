import { expect } from 'chai';
import { RTIO_OP_RX, RTIO_OP_TINY_TX, RTIO_PRIO_NORM, RTIO_SQE_CHAINED, RTIO_TINY_TX_MAX } from './constants';
import { sqePrepRead, sqePrepTinyWrite, sqePrepWrite } from './prep';
import { Sqe } from './sqe';
import type { Iodev } from './sqe';

const dev: Iodev = { name: 'dev0', submit: () => {} };

describe('sqePrep* argument checks (unit)', function () {
  it('fills a read, clearing what the SQE held before', function () {
    const sqe = new Sqe();
    sqe.flags = RTIO_SQE_CHAINED;
    sqe.timeoutMs = 5;
    const buf = new Uint8Array(4);
    sqePrepRead(sqe, dev, RTIO_PRIO_NORM, buf, 3, 'u');
    expect([sqe.op, sqe.flags, sqe.timeoutMs, sqe.iodev, sqe.buf, sqe.bufLen, sqe.userdata]).to.deep.equal([RTIO_OP_RX, 0, 0, dev, buf, 3, 'u']);
  });

  it('names the first bad argument: the iodev, then the buffer, then the priority', function () {
    const sqe = new Sqe();
    expect(() => sqePrepWrite(sqe, null as never, 300, 'x' as never, 0)).to.throw(TypeError, '"iodev" is required for a write, got null');
    expect(() => sqePrepWrite(sqe, dev, 300, 'x' as never, 0)).to.throw(TypeError, '"buf" must be a Uint8Array, got x');
    expect(() => sqePrepWrite(sqe, dev, 300, new Uint8Array(2), 0)).to.throw(RangeError, '"len" must be a positive integer, got 0');
    expect(() => sqePrepWrite(sqe, dev, 300, new Uint8Array(2), 3)).to.throw(RangeError, '"buf" is 2 bytes, shorter than "len" 3');
    expect(() => sqePrepWrite(sqe, dev, 300, new Uint8Array(2), 2)).to.throw(RangeError, '"prio" must be an integer 0..255, got 300');
    expect(sqe.op).to.equal(new Sqe().op); // untouched by the failed calls
  });

  it('copies a tiny write\'s data and refuses more than RTIO_TINY_TX_MAX bytes before looking at the priority', function () {
    const sqe = new Sqe();
    const data = Uint8Array.of(1, 2, 3);
    sqePrepTinyWrite(sqe, dev, RTIO_PRIO_NORM, data, 2);
    data[0] = 9;
    expect([sqe.op, sqe.bufLen, Array.from(sqe.buf!.subarray(0, 2))]).to.deep.equal([RTIO_OP_TINY_TX, 2, [1, 2]]);
    const big = new Uint8Array(RTIO_TINY_TX_MAX + 1);
    expect(() => sqePrepTinyWrite(sqe, dev, -1, big, big.length)).to.throw(RangeError, `"len" must be at most ${RTIO_TINY_TX_MAX}`);
    expect(() => sqePrepTinyWrite(sqe, dev, -1, data, 2)).to.throw(RangeError, '"prio" must be an integer 0..255, got -1');
    expect(() => sqePrepTinyWrite(sqe, undefined as never, 0, data, 2)).to.throw(TypeError, 'for a tiny write');
  });
});
