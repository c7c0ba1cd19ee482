import { expect } from 'chai';
import {
  RTIO_CQE_FLAG_GET, RTIO_CQE_FLAG_MEMPOOL_BUFFER, RTIO_CQE_FLAG_MEMPOOL_GET_BLK_IDX,
  RTIO_CQE_FLAG_MORE, RTIO_PRIO_HIGH, RTIO_PRIO_LOW, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION,
  sqePrepDelay, sqePrepRead, sqePrepReadMultishot, sqePrepTinyWrite, sqePrepWrite,
} from '../../harness/rtio';
import type { Sqe } from '../../harness/rtio';
import { onContext } from '../../harness/testing/rtio-fixture';
import type { SuiteEnv } from './env';
import { cancelStream, consumeStream, flashRead, flashWaitIdle, queueFlashProgram, results, take } from './env';

/** 24C32 write cycle is 5 ms; the suites wait a little longer. */
const EEPROM_WRITE_CYCLE_MS = 6;
/** ICM-42688 FIFO packet: header, accel XYZ, gyro XYZ, temperature, timestamp. */
const IMU_PACKET_BYTES = 16;
const IMU_PACKET_HEADER = 0x68;

/** The three examples of Zephyr's RTIO documentation, run as written there. */
export function exampleTests(env: SuiteEnv): void {
  describe('examples from the RTIO documentation', function () {
    it('chained blocking requests: a register write chained to a read returns the bytes written earlier', async function () {
      const eeprom = env.target.iodev('eeprom0');
      await onContext(env.target, async (r, run) => {
        const at = 0x0100 + 32 * run;
        const pattern = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + run + 1) & 0xff);
        const page = Uint8Array.from([at >> 8, at & 0xff, ...pattern]);
        const write = r.sqeAcquire()!;
        sqePrepWrite(write, eeprom, RTIO_PRIO_LOW, page, page.length, 'page-write');
        write.flags |= RTIO_SQE_CHAINED;
        const cycle = r.sqeAcquire()!;
        sqePrepDelay(cycle, EEPROM_WRITE_CYCLE_MS, 'write-cycle');
        cycle.flags |= RTIO_SQE_CHAINED;

        const regAddr = Uint8Array.of(at >> 8, at & 0xff);
        const buf = new Uint8Array(32);
        const writeSqe = r.sqeAcquire()!;
        sqePrepWrite(writeSqe, eeprom, RTIO_PRIO_LOW, regAddr, 2, 'write');
        writeSqe.flags = RTIO_SQE_CHAINED;
        const readSqe = r.sqeAcquire()!;
        sqePrepRead(readSqe, eeprom, RTIO_PRIO_LOW, buf, 32, 'read');

        expect(await r.submit(4)).to.equal(0);
        expect(r.cqReady, 'submit(4) returned with 4 completions').to.equal(4);
        expect(results(await take(r, 4))).to.deep.equal([
          ['page-write', 34], ['write-cycle', 0], ['write', 2], ['read', 32],
        ]);
        expect(buf).to.deep.equal(pattern);
      });
    });

    it('non-blocking device to device: an I2C read chained to an SPI write of the same buffer lands in the flash', async function () {
      const temp = env.target.iodev('temp0');
      const flash = env.target.iodev('flash0');
      await onContext(env.target, async (r) => {
        const addr = env.flashPage();
        const buf = new Uint8Array(2);
        const pointer = r.sqeAcquire()!;
        sqePrepTinyWrite(pointer, temp, RTIO_PRIO_LOW, Uint8Array.of(0x00), 1, 'pointer');
        pointer.flags |= RTIO_SQE_TRANSACTION;
        const read = r.sqeAcquire()!;
        sqePrepRead(read, temp, RTIO_PRIO_LOW, buf, 2, 'i2c-read');
        read.flags |= RTIO_SQE_CHAINED;
        queueFlashProgram(r, flash, addr, buf, 2, 'spi');

        expect(await r.submit(0)).to.equal(0);
        expect(r.cqeConsume(), 'submit(0) returned before anything completed').to.equal(null);
        expect(results(await take(r, 5))).to.deep.equal([
          ['pointer', 1], ['i2c-read', 2], ['spi:wren', 1], ['spi:pp', 4], ['spi:data', 2],
        ]);
        await flashWaitIdle(r, flash, env.target.has('txrx', 'flash0'));
        expect(await flashRead(r, flash, addr, 2)).to.deep.equal(buf);
        expect(buf[1]! & 0x0f, 'TMP102 temperature is 12-bit left-justified').to.equal(0);
        const celsius = (((buf[0]! << 8) | buf[1]!) << 16 >> 20) * 0.0625;
        expect(celsius).to.be.within(-40, 125);
      });
    });

    it('sensor stream: a multishot FIFO read recycles four buffers until cancelled', async function () {
      env.need(this, 'multishot', 'imu0');
      const imu = env.target.iodev('imu0');
      await onContext(env.target, async (r) => {
        const arm = async (): Promise<Sqe> => {
          const stream = r.sqeAcquire()!;
          sqePrepReadMultishot(stream, imu, RTIO_PRIO_HIGH, 'imu');
          await r.submit(0);
          return stream;
        };
        const blocksSeen = new Set<number>();
        let lastTimestamp = -1;
        const stream = await consumeStream(env, r, arm, 12, (c, batch) => {
          expect(c.userdata).to.equal('imu');
          expect(c.result, `batch ${batch} result`).to.be.greaterThan(0);
          expect(c.result % IMU_PACKET_BYTES).to.equal(0);
          expect(RTIO_CQE_FLAG_GET(c.flags) & RTIO_CQE_FLAG_MORE, 'more batches follow').to.not.equal(0);
          expect(RTIO_CQE_FLAG_GET(c.flags) & RTIO_CQE_FLAG_MEMPOOL_BUFFER).to.not.equal(0);
          const buf = r.cqeGetMempoolBuffer(c);
          for (let p = 0; p < c.result; p += IMU_PACKET_BYTES) {
            expect(buf[p], `packet header at ${p}`).to.equal(IMU_PACKET_HEADER);
            const ts = (buf[p + 14]! << 8) | buf[p + 15]!;
            if (lastTimestamp >= 0) expect(ts, 'timestamps advance').to.not.equal(lastTimestamp);
            lastTimestamp = ts;
          }
          blocksSeen.add(RTIO_CQE_FLAG_MEMPOOL_GET_BLK_IDX(c.flags));
        });
        for (const blk of blocksSeen) expect(blk, 'twelve batches lived in the same four blocks').to.be.lessThan(4);
        await cancelStream(env, r, stream, 'imu');
      }, { mempool: { blockSize: 256, blockCount: 4 } });
    });
  });
}
