/**
 * rfc2217 boards through Debian's ser2net on loopback: the rtio-api suite runs on the native
 * agent's pty and on QEMU's (lm3s6965evb) behind ser2net's telnet(rfc2217) accepter, opened from
 * board files like any board; the board file's DTR/RTS reset reaches the native agent through
 * ser2net; a pty without modem lines never acknowledges SET-CONTROL and nothing waits for it;
 * ser2net going away is a DisconnectedError.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { expect } from 'chai';
import type { ResetStep } from '../../harness/boards/board-types';
import { openTarget } from '../../harness/boards/open-target';
import { DisconnectedError } from '../../harness/link/errors';
import { HostLink } from '../../harness/link/host';
import type { ComPortReply } from '../../harness/link/rfc2217-codec';
import { openRfc2217Transport } from '../../harness/link/rfc2217-transport';
import type { Rfc2217Transport } from '../../harness/link/rfc2217-transport';
import { startQemu } from '../../harness/qemu';
import type { QemuProcess } from '../../harness/qemu';
import { NATIVE_AGENT_BINARY, PrerequisiteMissingError, openRemote, startAgentProcess } from '../../harness/remote';
import type { AgentProcess, RemoteTarget } from '../../harness/remote';
import { skipBecause } from '../../harness/report/skip-reason';
import { ECONNRESET, ENOTCONN } from '../../harness/rtio/errno';
import { Rtio, sqePrepNop } from '../../harness/rtio';
import { testIodevScript } from '../../harness/emulator/iodevs/test-iodev';
import { targetRecords } from '../../harness/target/registry';
import type { Target } from '../../harness/target/target';
import { describeRtioApi } from '../../suites/rtio-api/rtio-api';
import { boardLike, needSer2netAndNativeAgent } from './farm-fixtures';
import { buildModemLinesShim, ser2netUnavailable, startSer2net } from './ser2net';
import type { Ser2netProcess } from './ser2net';

/** The reset sequence of ESP32-style boards, which the posix agent's --modem-lines models. */
const RESET: readonly ResetStep[] = [{ dtr: false, rts: true }, { waitMs: 50 }, { rts: false }];

/** Board files of this run, in a folder RTIO_BOARDS_DIR names while the tests run. */
const boards = {
  dir: '',
  saved: undefined as string | undefined,
  open(): void {
    this.dir = mkdtempSync(join(tmpdir(), `rtio-hil-farm-boards-${process.pid}-`));
    this.saved = process.env.RTIO_BOARDS_DIR;
    process.env.RTIO_BOARDS_DIR = [this.dir, this.saved].filter((d) => d !== undefined && d !== '').join(delimiter);
  },
  close(): void {
    if (this.saved === undefined) delete process.env.RTIO_BOARDS_DIR;
    else process.env.RTIO_BOARDS_DIR = this.saved;
    if (this.dir !== '') rmSync(this.dir, { recursive: true, force: true });
  },
  /** Writes board `id`: `like`'s iodevs, capabilities and timeouts, reached over RFC 2217 at 127.0.0.1:`port`. */
  write(id: string, like: string, port: number, serial: Record<string, unknown> = {}): void {
    writeFileSync(join(this.dir, `${id}.json`), JSON.stringify(boardLike(like, { id, name: `${like}, behind ser2net`, target: 'rfc2217', rfc2217: { host: '127.0.0.1', port }, serial })));
  },
};

function bootNonce(target: Target): number {
  return (target as RemoteTarget).hello.bootNonce;
}

/** A NOP on test0 that never completes by itself. */
function hang(r: Rtio, target: Target, ud: string): void {
  const s = r.sqeAcquire()!;
  sqePrepNop(s, target.iodev('test0'), ud);
  s.iodevFlags = testIodevScript({ hang: true });
}

/** Resolves with the first reply for each of `commands`. */
function repliesTo(t: Rfc2217Transport, commands: readonly ComPortReply['command'][]): Promise<Map<string, ComPortReply>> {
  const got = new Map<string, ComPortReply>();
  return new Promise((resolve) => t.onComPortReply((r) => {
    if (commands.includes(r.command) && !got.has(r.command)) got.set(r.command, r);
    if (got.size === commands.length) resolve(got);
  }));
}

describe('rfc2217 boards through Debian\'s ser2net on loopback', function () {
  this.timeout(60_000);

  describe('the native agent\'s pty behind ser2net, its modem lines wired to the agent', function () {
    let agent: AgentProcess | null = null;
    let ser2net: Ser2netProcess | null = null;

    before(async function () {
      await needSer2netAndNativeAgent(this);
      await buildModemLinesShim();
      boards.open();
      const lines = join(boards.dir, 'modem-lines.sock');
      agent = await startAgentProcess(NATIVE_AGENT_BINARY, ['--seed', '1', '--modem-lines', lines]);
      ser2net = await startSer2net({ device: agent.path, modemLines: lines });
      boards.write('ser2net-native', 'native', ser2net.port, { baudRate: 921600, resetSequence: RESET });
      boards.write('ser2net-native-no-reset', 'native', ser2net.port);
    });

    after(async function () {
      await ser2net?.stop();
      await agent?.stop();
      boards.close();
    });

    describeRtioApi('ser2net-native');

    it('ser2net acknowledges the line settings it applied: 921600 8N1', async function () {
      const t = await openRfc2217Transport({ host: '127.0.0.1', port: ser2net!.port, baudRate: 921600 });
      try {
        const replies = await repliesTo(t, ['set-baudrate', 'set-datasize', 'set-parity', 'set-stopsize']);
        expect([...replies.values()]).to.deep.equal([
          { command: 'set-baudrate', baudRate: 921600 }, { command: 'set-datasize', dataBits: 8 }, { command: 'set-parity', parity: 'none' }, { command: 'set-stopsize', stopBits: 1 },
        ]);
        expect([t.comPort.option, t.comPort.binary.local, t.comPort.binary.remote, t.telnetErrors]).to.deep.equal(['yes', 'yes', 'yes', 0]);
      } finally {
        await t.close();
      }
    });

    it('the board file\'s DTR/RTS reset reaches the agent through ser2net: a new boot at every open, and none without a reset sequence', async function () {
      const nonces: number[] = [];
      for (const id of ['ser2net-native-no-reset', 'ser2net-native-no-reset', 'ser2net-native', 'ser2net-native']) {
        const target = await openTarget(id);
        nonces.push(bootNonce(target));
        await target.close();
      }
      expect(nonces[1], 'opening without a reset sequence leaves the agent running').to.equal(nonces[0]);
      expect(new Set(nonces).size, 'each open with the reset sequence is a new boot').to.equal(3);
      expect(agent!.stderr.filter((l) => /modem lines/.test(l)).slice(-2)).to.deep.equal([
        'agent: rtio-agent-posix: modem lines DTR 0 RTS 1: held in reset',
        'agent: rtio-agent-posix: modem lines DTR 0 RTS 0: released, booting',
      ]);
      const record = targetRecords().filter((r) => r.boardId === 'ser2net-native').pop()!;
      expect([record.kind, record.port]).to.deep.equal(['rfc2217', `rfc2217:127.0.0.1:${ser2net!.port}`]);
    });

    it('a reset pulse mid-session: ser2net acknowledges DTR and RTS, the SQEs in flight end with -ECONNRESET and the link names AgentResetError', async function () {
      const transport = await openRfc2217Transport({ host: '127.0.0.1', port: ser2net!.port });
      const { target } = await openRemote('ser2net-native', transport);
      try {
        const r = new Rtio({ sqSize: 4, cqSize: 4 });
        hang(r, target, 'in flight');
        await r.submit(0);
        const acks = repliesTo(transport, ['set-control']);
        await transport.setLines({ dtr: false, rts: true });
        expect((await acks).get('set-control')).to.deep.equal({ command: 'set-control', control: 9 });
        await transport.setLines({ rts: false });
        const [cqe] = await r.cqeCopyOut(1);
        expect([cqe!.userdata, cqe!.result]).to.deep.equal(['in flight', -ECONNRESET]);
        expect(target.lastError?.name).to.equal('AgentResetError');
      } finally {
        await target.close();
      }
    });

    describe('the same pty behind a ser2net without modem lines (a plain pty, as labgrid#1779 and ser2net#116 meet it)', function () {
      let plain: Ser2netProcess | null = null;

      before(async function () {
        plain = await startSer2net({ device: agent!.path });
        boards.write('ser2net-plain', 'native', plain.port, { resetSequence: RESET });
      });
      after(async function () {
        await plain?.stop();
      });

      it('opens a board with a reset sequence without waiting: SET-CONTROL goes unanswered, the rest is acknowledged', async function () {
        const target = await openTarget('ser2net-plain');
        await target.close();
        const t = await openRfc2217Transport({ host: '127.0.0.1', port: plain!.port });
        try {
          const seen: string[] = [];
          t.onComPortReply((reply) => seen.push(reply.command));
          await t.setLines({ dtr: false, rts: true });
          await t.setLines({ rts: false });
          // A round trip behind the three SET-CONTROLs: the agent's HelloReply comes after ser2net handled them.
          const link = new HostLink(t);
          await link.open();
          await link.close();
          expect(seen.filter((c) => c === 'set-control'), 'a pty has no modem lines: ser2net cannot set them, and says nothing').to.deep.equal([]);
          expect(seen).to.include.members(['set-baudrate', 'set-datasize', 'set-parity', 'set-stopsize']);
          expect([t.comPort.dtr, t.comPort.rts]).to.deep.equal([null, null]);
        } finally {
          await t.close();
        }
      });
    });

    describe('when ser2net goes away', function () {
      let doomed: Ser2netProcess | null = null;

      before(async function () {
        doomed = await startSer2net({ device: agent!.path });
        boards.write('ser2net-doomed', 'native', doomed.port);
      });
      after(async function () {
        await doomed?.stop();
      });

      it('the target fails with a DisconnectedError naming the port: SQEs in flight end with -ENOTCONN', async function () {
        const target = await openTarget('ser2net-doomed');
        try {
          const r = new Rtio({ sqSize: 4, cqSize: 4 });
          hang(r, target, 'in flight');
          await r.submit(0);
          await doomed!.stop();
          const [cqe] = await r.cqeCopyOut(1);
          expect([cqe!.userdata, cqe!.result]).to.deep.equal(['in flight', -ENOTCONN]);
          expect((target as RemoteTarget).lastError).to.be.instanceOf(DisconnectedError).and.include({ port: `rfc2217:127.0.0.1:${doomed!.port}` });
        } finally {
          await target.close();
        }
      });
    });
  });

  describe('QEMU\'s lm3s6965evb behind ser2net', function () {
    let qemu: QemuProcess | null = null;
    let ser2net: Ser2netProcess | null = null;

    before(async function () {
      const missing = ser2netUnavailable();
      if (missing !== null) skipBecause(this, missing);
      try {
        qemu = await startQemu({ machine: 'lm3s6965evb' });
      } catch (e) {
        if (e instanceof PrerequisiteMissingError) skipBecause(this, `QEMU cannot run here: ${e.message}`);
        throw e;
      }
      boards.open();
      ser2net = await startSer2net({ device: qemu.path });
      boards.write('ser2net-qemu-lm3s6965evb', 'qemu-lm3s6965evb', ser2net.port);
    });

    after(async function () {
      await ser2net?.stop();
      await qemu?.stop();
      boards.close();
    });

    describeRtioApi('ser2net-qemu-lm3s6965evb');
  });
});
