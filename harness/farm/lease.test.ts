import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { VirtualClock } from '../clock/virtual-clock';
import { LeaseLostError, LeaseWaitError, acquireLease, leaseIsStale } from './lease';
import type { LeaseHolder } from './lease';

function holder(over: Partial<LeaseHolder> = {}): LeaseHolder {
  return { token: 't', boardId: 'nucleo', pid: process.pid, host: hostname(), command: 'rtio-hil test', since: '2026-12-06T10:00:00.000Z', ttlMs: 30_000, ...over };
}

describe('board leases', function () {
  let dir: string;
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), `rtio-hil-lease-${process.pid}-`));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('a lease is stale when its holder stopped beating for its time to live, or is a process of this host that is gone', function () {
    const alive = (): boolean => true;
    const dead = (): boolean => false;
    expect(leaseIsStale(holder(), 1000, 1000 + 30_000, 5000, hostname(), alive), 'beat exactly ttl ago').to.equal(false);
    expect(leaseIsStale(holder(), 1000, 1000 + 30_001, 5000, hostname(), alive)).to.equal(true);
    expect(leaseIsStale(holder({ ttlMs: 60_000 }), 1000, 1000 + 30_001, 5000, hostname(), alive), 'the holder\'s own ttl counts').to.equal(false);
    expect(leaseIsStale(holder(), 1000, 1001, 5000, hostname(), dead), 'its process is gone').to.equal(true);
    expect(leaseIsStale(holder({ host: 'other-host' }), 1000, 1001, 5000, hostname(), dead), 'another host\'s pid says nothing here').to.equal(false);
    expect(leaseIsStale(null, 1000, 1000 + 5001, 5000, hostname(), alive), 'unreadable: the waiter\'s ttl').to.equal(true);
    expect(leaseIsStale(null, 1000, 1000 + 4999, 5000, hostname(), alive)).to.equal(false);
  });

  it('takes a free board, writes who holds it, and removes the file on release', async function () {
    const lease = await acquireLease('nucleo', { dir, command: 'rtio-hil test --board nucleo' });
    const file = join(dir, 'nucleo.lease');
    const written = JSON.parse(readFileSync(file, 'utf8')) as LeaseHolder;
    expect([lease.file, written.boardId, written.pid, written.host, written.command, written.ttlMs]).to.deep.equal([file, 'nucleo', process.pid, hostname(), 'rtio-hil test --board nucleo', 30_000]);
    expect(written.token).to.equal(lease.holder.token);
    lease.release();
    lease.release();
    expect(existsSync(file)).to.equal(false);
  });

  it('a second taker waits, saying who holds the board, and gets it when the first releases it', async function () {
    const first = await acquireLease('nucleo', { dir, command: 'first run' });
    let waitingFor: LeaseHolder | null = null;
    let saidWaiting!: () => void;
    const waiting = new Promise<void>((resolve) => {
      saidWaiting = resolve;
    });
    let got = false;
    const second = acquireLease('nucleo', { dir, pollMs: 5, onWaiting: (h) => {
      waitingFor = h;
      saidWaiting();
    } }).then((l) => {
      got = true;
      return l;
    });
    await waiting;
    expect(waitingFor!.command).to.equal('first run');
    expect(got, 'the second run holds nothing while the first does').to.equal(false);
    first.release();
    const lease = await second;
    expect((JSON.parse(readFileSync(lease.file, 'utf8')) as LeaseHolder).token).to.equal(lease.holder.token);
    lease.release();
  });

  it('takes over the lease of a run that was killed (its pid is gone), without waiting', async function () {
    const gone = spawnSync('true').pid;
    writeFileSync(join(dir, 'nucleo.lease'), JSON.stringify(holder({ pid: gone, token: 'killed' })));
    let waited = false;
    const lease = await acquireLease('nucleo', { dir, onWaiting: () => { waited = true; } });
    expect(waited).to.equal(false);
    expect(lease.holder.token).to.not.equal('killed');
    expect(existsSync(join(dir, 'nucleo.lease.killed.stale'))).to.equal(false);
    lease.release();
  });

  it('takes over a lease whose holder (on another host) stopped beating for its time to live; waits for a fresh one, up to its timeout', async function () {
    const file = join(dir, 'nucleo.lease');
    writeFileSync(file, JSON.stringify(holder({ host: 'frozen-host', ttlMs: 30_000 })));
    const past = new Date(Date.now() - 31_000);
    utimesSync(file, past, past);
    const lease = await acquireLease('nucleo', { dir });
    lease.release();

    writeFileSync(file, JSON.stringify(holder({ host: 'busy-host' })));
    const clock = new VirtualClock();
    const waiting = acquireLease('nucleo', { dir, clock, timeoutMs: 1000, pollMs: 100 });
    clock.advance(1000);
    const err = await waiting.catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LeaseWaitError).and.include({ boardId: 'nucleo', reason: 'timeout' });
    expect((err as LeaseWaitError).holder?.host).to.equal('busy-host');
    expect((err as Error).message).to.match(/^board "nucleo": still leased after 1 s \(by pid \d+ on busy-host \(rtio-hil test, since 2026-12-06T10:00:00\.000Z\)\)$/);
  });

  it('a wait can be stopped (Ctrl-C): LeaseWaitError "interrupted"', async function () {
    writeFileSync(join(dir, 'nucleo.lease'), JSON.stringify(holder({ host: 'busy-host' })));
    const stop = new AbortController();
    const waiting = acquireLease('nucleo', { dir, clock: new VirtualClock(), signal: stop.signal });
    stop.abort();
    expect(await waiting.catch((e: unknown) => e)).to.be.instanceOf(LeaseWaitError).and.include({ reason: 'interrupted' });
  });

  it('beats every third of its time to live, and tells its holder when the file was taken from it', async function () {
    const clock = new VirtualClock();
    const lease = await acquireLease('nucleo', { dir, clock, ttlMs: 3000 });
    const past = new Date(Date.now() - 60_000);
    utimesSync(lease.file, past, past);
    clock.advance(1000);
    expect(statSync(lease.file).mtimeMs, 'the heartbeat touched it').to.be.greaterThan(past.getTime());
    const lost = new Promise<LeaseLostError>((resolve) => lease.onLost(resolve));
    unlinkSync(lease.file);
    writeFileSync(lease.file, JSON.stringify(holder({ token: 'usurper' })));
    clock.advance(1000);
    const err = await lost;
    expect(err).to.be.instanceOf(LeaseLostError).and.include({ boardId: 'nucleo' });
    expect(err.message).to.equal(`board "nucleo": lease lost: ${lease.file} was taken over by another run`);
    lease.release();
    expect((JSON.parse(readFileSync(lease.file, 'utf8')) as LeaseHolder).token, 'release leaves another run\'s lease alone').to.equal('usurper');
  });
});
