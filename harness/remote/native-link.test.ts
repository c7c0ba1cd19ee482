import { expect } from 'chai';
import { ECONNRESET, ENOTCONN, RTIO_SQE_CHAINED, Rtio, sqePrepDelay, sqePrepNop } from '..';
import type { CqeData } from '..';
import { testIodevScript } from '../emulator/iodevs/test-iodev';
import type { LinkLimits } from '../link/limits';
import { startAgentProcess } from './agent-process';
import type { AgentProcess } from './agent-process';
import type { RemoteTarget } from '.';
import { NATIVE_AGENT_BINARY, openSerialRemote } from '.';
import { buildNativeAgentOrSkip } from '../testing/qemu-support';

/** The native agent on its pty, with a host link of these limits, and its process to signal. */
async function openAgent(limits: Partial<LinkLimits> = {}): Promise<{ target: RemoteTarget; proc: AgentProcess }> {
  const proc = await startAgentProcess(NATIVE_AGENT_BINARY, ['--seed', '1']);
  const { target } = await openSerialRemote('native', proc.path, { link: limits, onClose: () => proc.stop() });
  return { target, proc };
}

function hang(r: Rtio, target: RemoteTarget, ud: string, timeoutMs = 0): void {
  const s = r.sqeAcquire()!;
  sqePrepNop(s, target.iodev('test0'), ud);
  s.iodevFlags = testIodevScript({ hang: true });
  s.timeoutMs = timeoutMs;
}

/** A DELAY on the agent: chained after a NOP on one of its iodevs, so the chain is shipped. */
function agentDelay(r: Rtio, target: RemoteTarget, ms: number, ud: string): void {
  const nop = r.sqeAcquire()!;
  sqePrepNop(nop, target.iodev('rtc0'), `${ud}:nop`);
  nop.flags |= RTIO_SQE_CHAINED;
  sqePrepDelay(r.sqeAcquire()!, ms, ud);
}

const by = (c: CqeData): string => String(c.userdata);

describe('the native agent on its pty: resets and stops while the host sends nothing', function () {
  let agent: { target: RemoteTarget; proc: AgentProcess } | null = null;

  before(async function () {
    await buildNativeAgentOrSkip(this);
  });

  afterEach(async function () {
    if (agent !== null) process.kill(agent.proc.pid, 'SIGCONT');
    await agent?.target.close();
    agent = null;
  });

  it('a board that resets (its reset button) while the host is idle: every SQE in flight ends with -ECONNRESET', async function () {
    agent = await openAgent();
    const { target, proc } = agent;
    const r = new Rtio({ sqSize: 8, cqSize: 8 });
    hang(r, target, 'hang');
    hang(r, target, 'hang-2s', 2000);
    agentDelay(r, target, 5000, 'delay-5s');
    // One Submit carries the chains of one submit(): once the NOP before the DELAY completed,
    // every SQE is on the agent.
    await r.submit(1);
    expect((await r.cqeCopyOut(1)).map(by), 'the DELAY is running on the agent').to.deep.equal(['delay-5s:nop']);
    process.kill(proc.pid, 'SIGUSR1');
    const got = await r.cqeCopyOut(3);
    expect(got.map((c) => [by(c), c.result]).sort()).to.deep.equal([['delay-5s', -ECONNRESET], ['hang', -ECONNRESET], ['hang-2s', -ECONNRESET]]);
    expect(target.lastError?.name).to.equal('AgentResetError');
    expect(r.inflight).to.equal(0);
  });

  it('a board that goes silent (stopped) with SQEs in flight: they end with -ENOTCONN and LinkTimeoutError', async function () {
    agent = await openAgent();
    const { target, proc } = agent;
    const r = new Rtio({ sqSize: 8, cqSize: 8 });
    hang(r, target, 'hang');
    agentDelay(r, target, 0, 'marker');
    await r.submit(2);
    expect((await r.cqeCopyOut(2)).map(by), 'the hang is on the agent').to.deep.equal(['marker:nop', 'marker']);
    process.kill(proc.pid, 'SIGSTOP');
    const got = await r.cqeCopyOut(1);
    expect(got.map((c) => [by(c), c.result])).to.deep.equal([['hang', -ENOTCONN]]);
    expect(target.lastError?.name).to.equal('LinkTimeoutError');
  });

  it('a stopped agent keeps absolute deadlines: a DELAY due during the stop completes first when it continues', async function () {
    this.timeout(20_000);
    agent = await openAgent({ stallMs: 15_000 });
    const { target, proc } = agent;
    const r = new Rtio({ sqSize: 8, cqSize: 8 });
    agentDelay(r, target, 1000, 'due-during-the-stop');
    await r.submit(1);
    expect((await r.cqeCopyOut(1)).map(by), 'the DELAY is running on the agent').to.deep.equal(['due-during-the-stop:nop']);
    process.kill(proc.pid, 'SIGSTOP');
    // The stop itself (a debugger, a frozen container), not a wait for anything.
    await new Promise<void>((resolve) => setTimeout(resolve, 2000));
    process.kill(proc.pid, 'SIGCONT');
    agentDelay(r, target, 300, 'submitted-after');
    await r.submit(0);
    const got = (await r.cqeCopyOut(3)).filter((c) => !by(c).endsWith(':nop'));
    expect(got.map((c) => [by(c), c.result]), 'the DELAY due during the stop did not wait out its time again')
      .to.deep.equal([['due-during-the-stop', 0], ['submitted-after', 0]]);
  });
});
