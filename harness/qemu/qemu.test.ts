import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { RTIO_PRIO_NORM, sqePrepNop, sqePrepReadWithPool } from '../rtio';
import { newContext } from '../testing/rtio-fixture';
import { EmulatorTarget } from '../emulator/emulator-target';
import type { QemuParts } from '.';
import { LM3S6965EVB_AGENT_IMAGE, LM3S6965EVB_ECHO_IMAGE, openQemuParts } from '.';
import { alive, missingQemuPrerequisite } from '../testing/qemu-support';
import type { Target } from '../target/target';
import { skipBecause } from '../report/skip-reason';


/** Names of this process's child processes (Linux /proc), e.g. `['qemu-system-arm', 'socat']`. */
function children(): string[] {
  const out: string[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const close = stat.lastIndexOf(')');
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    if (ppid === process.pid) out.push(stat.slice(stat.indexOf('(') + 1, close));
  }
  return out.sort();
}

/** The first IMU FIFO batch of `target` (the packets sampled from power-up on, by the seed). */
async function firstImuPackets(target: Target, packets: number): Promise<number[]> {
  const r = newContext(target, { mempool: { blockSize: 256, blockCount: 2 } });
  sqePrepReadWithPool(r.sqeAcquire()!, target.iodev('imu0'), RTIO_PRIO_NORM, 'imu');
  await r.submit(1);
  const c = r.cqeConsume()!;
  expect(c.result, 'batch bytes').to.be.at.least(16 * packets);
  const bytes = [...r.cqeGetMempoolBuffer(c).subarray(0, 16 * packets)];
  r.releaseBuffer(r.cqeGetMempoolBuffer(c));
  r.cqeRelease(c);
  return bytes;
}

for (const machine of ['lm3s6965evb', 'mps2-an385']) {
  describe(`QEMU target (${machine})`, function () {
    this.timeout(120_000); // the first run builds the firmware (and fetches nanopb's runtime)
    const SEED = 7;
    let parts: QemuParts | null = null;

    before(async function () {
      const missing = missingQemuPrerequisite();
      if (missing !== null) skipBecause(this, missing);
      parts = await openQemuParts(`qemu-${machine}`, SEED, { machine });
    });

    after(async function () {
      await parts?.target.close();
    });

    it('boots the image and handshakes: the build id names the port, the iodevs are the emulated reference board\'s', async function () {
      const hello = parts!.target.hello;
      expect(hello.buildId).to.match(new RegExp(`^rtio-agent-${machine} `));
      expect(hello.buildId).to.include('arm-none-eabi-gcc');
      const emulator = new EmulatorTarget('emulator', { seed: SEED });
      try {
        // An address means nothing off a bus (the wire says 0 there, the emulator nothing).
        const table = (t: Target): unknown[] => t.iodevs.map((d) => [d.name, d.kind, d.bus, d.bus === undefined ? null : d.address, d.part, [...d.capabilities].sort()]);
        expect(table(parts!.target)).to.deep.equal(table(emulator));
      } finally {
        await emulator.close();
      }
    });

    it('runs a NOP round trip on the test iodev', async function () {
      const r = newContext(parts!.target);
      sqePrepNop(r.sqeAcquire()!, parts!.target.iodev('test0'), 'nop');
      await r.submit(1);
      const c = r.cqeConsume()!;
      expect([c.userdata, c.result]).to.deep.equal(['nop', 0]);
      r.cqeRelease(c);
    });

    it('passes the seed to the firmware: its first IMU packets equal the emulator\'s for that seed', async function () {
      const onQemu = await firstImuPackets(parts!.target, 8);
      const same = new EmulatorTarget('emulator', { seed: SEED });
      const other = new EmulatorTarget('emulator', { seed: SEED + 1 });
      try {
        expect(onQemu).to.deep.equal(await firstImuPackets(same, 8));
        expect(onQemu).to.not.deep.equal(await firstImuPackets(other, 8));
      } finally {
        await same.close();
        await other.close();
      }
    });

    it('a Reset packet resets the chip: the next handshake reports a new boot nonce', async function () {
      const { hostLink, target } = parts!;
      const before = target.hello.bootNonce;
      hostLink.sendUnsequenced({ reset: {} });
      const after = await hostLink.open();
      expect(after.bootNonce).to.not.equal(before);
      expect(after.buildId).to.equal(target.hello.buildId);
    });

    it('closing the target stops QEMU and socat: neither pid is left', async function () {
      const { qemuPid, socatPid } = parts!.qemu;
      expect([alive(qemuPid), alive(socatPid)], 'running before close').to.deep.equal([true, true]);
      await parts!.target.close();
      parts = null;
      expect([alive(qemuPid), alive(socatPid)], 'running after close').to.deep.equal([false, false]);
    });
  });
}

describe('QEMU target: failures', function () {
  this.timeout(120_000);

  before(function () {
    const missing = missingQemuPrerequisite();
    if (missing !== null) skipBecause(this, missing);
  });

  it('stops QEMU and socat when opening fails: the echo image never answers the handshake', async function () {
    expect(children().filter((c) => c === 'socat' || c.startsWith('qemu')), 'none left by earlier tests').to.deep.equal([]);
    const err = await openQemuParts('qemu-echo', 7, { image: LM3S6965EVB_ECHO_IMAGE, build: 'lm3s6965evb', link: { handshakeTimeoutMs: 300 } })
      .then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).name).to.equal('HandshakeTimeoutError');
    expect(children().filter((c) => c === 'socat' || c.startsWith('qemu'))).to.deep.equal([]);
  });

  it('stops QEMU when it cannot start the machine, and says why', async function () {
    const err = await openQemuParts('qemu-bad', 7, { machine: 'no-such-machine', image: LM3S6965EVB_AGENT_IMAGE }).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.include('no-such-machine');
    expect(children().filter((c) => c === 'socat' || c.startsWith('qemu'))).to.deep.equal([]);
  });
});
