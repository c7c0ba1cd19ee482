import { expect } from 'chai';
import { FrameDecoder, encodeFrame } from '../../protocol/frame';
import { hex, seededRandom } from '../../protocol/test-vectors';
import { VirtualClock } from '../clock';
import { rejection } from '../testing/rejection';
import { DisconnectedError } from './errors';
import { createMemoryPair } from './memory-transport';
import type { Transport } from './transport';

function received(t: Transport): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  t.onData((c) => chunks.push(c));
  return chunks;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  return Uint8Array.from(chunks.flatMap((c) => Array.from(c)));
}

function closed(t: Transport): Promise<DisconnectedError | null> {
  return new Promise((resolve) => t.onClose(resolve));
}

const frameA = encodeFrame(Uint8Array.from([1, 2, 3]));
const frameB = encodeFrame(Uint8Array.from([0, 0, 4]));
const frameC = encodeFrame(Uint8Array.from([9]));

describe('harness/link createMemoryPair', function () {
  it('delivers on a later turn, never inside write, and resolves write once delivered', async function () {
    const { host, device } = createMemoryPair();
    const atDevice = received(device);
    const atHost = received(host);
    const data = Uint8Array.from([1, 2, 3]);
    const written = host.write(data);
    data[0] = 0xff;
    expect(atDevice).to.have.length(0);
    await written;
    expect(atDevice.map(hex)).to.deep.equal(['01 02 03']);
    await device.write(Uint8Array.from([4]));
    expect(atHost.map(hex)).to.deep.equal(['04']);
    expect(host.description).to.equal('memory');
    expect(device.description).to.equal('memory (device end)');
  });

  it('keeps the order of writes and gives every listener its own copy', async function () {
    const { host, device } = createMemoryPair();
    const first = received(device);
    const second = received(device);
    await Promise.all([host.write(Uint8Array.from([1])), host.write(Uint8Array.from([2, 3])), host.write(Uint8Array.from([4]))]);
    expect(first.map(hex)).to.deep.equal(['01', '02 03', '04']);
    first[0]![0] = 0x99;
    expect(second.map(hex)).to.deep.equal(['01', '02 03', '04']);
  });

  it('drops the next N frames in one direction, whole, and leaves lone delimiters and partial frames alone', async function () {
    const { host, device } = createMemoryPair();
    const atDevice = received(device);
    const atHost = received(host);
    device.dropNextFrames(2, 'to-device');
    await host.write(Uint8Array.from([0x00, ...frameA, ...frameB, ...frameC, 0x07]));
    expect(hex(concat(atDevice))).to.equal(hex(Uint8Array.from([0x00, ...frameC, 0x07])));
    device.dropNextFrames(1);
    await device.write(frameA);
    await device.write(frameB);
    expect(hex(concat(atHost))).to.equal(hex(frameB));
    expect(device.stats.framesDropped).to.equal(3);
    expect(() => device.dropNextFrames(-1)).to.throw(RangeError, '"count" must be a non-negative integer; got -1');
  });

  it('corrupts one data byte of the next frame so that it fails only its CRC', async function () {
    const random = seededRandom(7);
    for (let i = 0; i < 50; i++) {
      const { host, device } = createMemoryPair();
      const decoder = new FrameDecoder();
      const results: string[] = [];
      device.onData((c) => results.push(...decoder.push(c).map((f) => f.status)));
      const payload = Uint8Array.from({ length: 1 + (random() % 300) }, () => (random() % 4 === 0 ? 0 : random() & 0xff));
      const frame = encodeFrame(payload);
      device.corruptNextFrame('to-device');
      await host.write(frame);
      await host.write(frame);
      expect(results, `payload ${hex(payload)}`).to.deep.equal(['crc-mismatch', 'ok']);
      expect(device.stats.framesCorrupted).to.equal(1);
    }
  });

  it('injects garbage towards either end', async function () {
    const { host, device } = createMemoryPair();
    const atDevice = received(device);
    const atHost = received(host);
    await device.injectGarbage(Uint8Array.from([0xde, 0xad]));
    await device.injectGarbage(Uint8Array.from([0xbe]), 'to-device');
    expect(atHost.map(hex)).to.deep.equal(['de ad']);
    expect(atDevice.map(hex)).to.deep.equal(['be']);
    expect(device.stats.garbageBytes).to.equal(3);
  });

  it('disconnect closes both ends with DisconnectedError and fails writes, pending ones included', async function () {
    const { host, device } = createMemoryPair({ name: 'pair9' });
    received(device);
    const hostClosed = closed(host);
    const deviceClosed = closed(device);
    const pending = rejection(host.write(Uint8Array.from([1])));
    device.disconnect();
    const [h, d] = await Promise.all([hostClosed, deviceClosed]);
    expect(h).to.be.instanceOf(DisconnectedError);
    expect(h).to.include({ disconnected: true, port: 'pair9' });
    expect(d).to.include({ disconnected: true, port: 'pair9 (device end)' });
    expect(await pending).to.be.instanceOf(DisconnectedError);
    expect(await rejection(host.write(Uint8Array.from([2])))).to.be.instanceOf(DisconnectedError);
    expect(await rejection(device.injectGarbage(Uint8Array.from([3])))).to.be.instanceOf(DisconnectedError);
    expect(await closed(host), 'a listener registered after the close').to.equal(h);
  });

  it('on a clock, delivers each write latencyMs after it was written, in order, when the clock gets there', async function () {
    const clock = new VirtualClock();
    const { host, device } = createMemoryPair({ clock, latencyMs: 3 });
    const atDevice: string[] = [];
    device.onData((c) => atDevice.push(`${clock.now()}: ${hex(c)}`));
    const first = host.write(Uint8Array.from([1]));
    clock.advance(1);
    const second = host.write(Uint8Array.from([2, 3]));
    const settled: number[] = [];
    void first.then(() => settled.push(1));
    void second.then(() => settled.push(2));
    clock.advance(2);
    expect(atDevice).to.deep.equal(['3: 01']);
    clock.advance(1);
    expect(atDevice).to.deep.equal(['3: 01', '4: 02 03']);
    await Promise.all([first, second]);
    expect(settled).to.deep.equal([1, 2]);
    expect(() => createMemoryPair({ latencyMs: -1 })).to.throw(RangeError, '"latencyMs" must be a finite number >= 0; got -1');
  });

  it('close() tells its own end null and the other end DisconnectedError; it is idempotent', async function () {
    const { host, device } = createMemoryPair();
    const hostClosed = closed(host);
    const deviceClosed = closed(device);
    await host.close();
    await host.close();
    expect(await hostClosed).to.equal(null);
    expect(await deviceClosed).to.be.instanceOf(DisconnectedError);
  });
});
