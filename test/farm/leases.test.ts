/**
 * Several boards in one run, and one board for one run at a time: `rtio-hil test` runs each
 * board in a worker of its own, in parallel, and leases each board reached through a port, so a
 * second run on the same board waits for the first, and a run killed with SIGKILL leaves nothing
 * that stops the next. Runs are ordered by what their suites record, never by time.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { events, killSuites, recorded, release, startCli, writeHoldingSuite } from './cli-run';

describe('rtio-hil test: boards in parallel, each leased for its run', function () {
  this.timeout(120_000);
  let dir: string;
  let suite: string;
  let env: NodeJS.ProcessEnv;
  const started: number[] = [];

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), `rtio-hil-leases-test-${process.pid}-`));
    suite = writeHoldingSuite(dir);
    for (const id of ['bench-a', 'bench-b']) {
      // Never opened (the holding suite opens no target): a board reached through a port, so it is leased.
      writeFileSync(join(dir, `${id}.json`), JSON.stringify({ id, name: `Bench ${id}`, target: 'tcp', tcp: { host: '127.0.0.1', port: 9 }, iodevs: [] }));
    }
    env = { RTIO_BOARDS_DIR: dir, RTIO_HIL_LEASE_DIR: join(dir, 'leases') };
  });

  afterEach(function () {
    killSuites(started.splice(0));
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs two boards at once, one worker each, and merges their results into one JUnit file, each test naming its board', async function () {
    const junit = join(dir, 'junit.xml');
    const cli = startCli(['test', '--board', 'bench-a', '--board', 'bench-b', '--junit', junit, suite], { ...env, FARM_RUN: '1' });
    // Each run holds its board until released: both start only if they run side by side.
    await Promise.all([recorded(dir, 'start bench-a 1', cli), recorded(dir, 'start bench-b 1', cli)]);
    release(dir, 'bench-a', '1');
    release(dir, 'bench-b', '1');
    expect(await cli.exit, cli.output().slice(-3000)).to.equal(0);
    expect(cli.output()).to.match(/^bench-a \| {5}\[1\/1\] \S+ runs until the test releases it/m);
    expect(cli.output()).to.match(/^bench-b \| {5}\[1\/1\] \S+ runs until the test releases it/m);
    const xml = readFileSync(junit, 'utf8');
    const cases = xml.match(/<testcase [^>]*>\s*<properties>\s*<property name="board.id" value="[^"]+"\/>/g) ?? [];
    expect(cases.map((c) => /value="([^"]+)"/.exec(c)![1])).to.deep.equal(['bench-a', 'bench-b']);
  });

  it('a second run on the same board waits, saying who holds it, and runs once the first has ended', async function () {
    const first = startCli(['test', '--board', 'bench-a', suite], { ...env, FARM_RUN: '1' });
    started.push(await recorded(dir, 'start bench-a 1', first));
    const second = startCli(['test', '--board', 'bench-a', suite], { ...env, FARM_RUN: '2' });
    await second.printed(new RegExp(`rtio-hil: bench-a: waiting for the board, leased by pid ${first.child.pid} on `));
    expect(events(dir), 'the second run has not started while the first holds the board').to.deep.equal(['start bench-a 1']);
    release(dir, 'bench-a', '2');
    release(dir, 'bench-a', '1');
    expect(await first.exit, first.output().slice(-2000)).to.equal(0);
    expect(await second.exit, second.output().slice(-2000)).to.equal(0);
    expect(events(dir)).to.deep.equal(['start bench-a 1', 'end bench-a 1', 'start bench-a 2', 'end bench-a 2']);
  });

  it('a run killed with SIGKILL leaves no lock behind: the next run takes the board at once', async function () {
    const killed = startCli(['test', '--board', 'bench-a', suite], { ...env, FARM_RUN: '1' });
    started.push(await recorded(dir, 'start bench-a 1', killed));
    killed.child.kill('SIGKILL');
    await killed.exit;
    const next = startCli(['test', '--board', 'bench-a', suite], { ...env, FARM_RUN: '2' });
    started.push(await recorded(dir, 'start bench-a 2', next));
    release(dir, 'bench-a', '2');
    expect(await next.exit, next.output().slice(-2000)).to.equal(0);
    expect(next.output()).to.not.contain('waiting for the board');
  });

  it('gives up waiting after --wait-for-board, as an infrastructure failure naming the holder', async function () {
    const first = startCli(['test', '--board', 'bench-a', suite], { ...env, FARM_RUN: '1' });
    started.push(await recorded(dir, 'start bench-a 1', first));
    const second = startCli(['test', '--board', 'bench-a', '--wait-for-board', '0', suite], { ...env, FARM_RUN: '2' });
    expect(await second.exit).to.equal(3);
    expect(second.output()).to.match(new RegExp(`rtio-hil: INFRASTRUCTURE: board bench-a: board "bench-a": still leased after 0 s \\(by pid ${first.child.pid} on `));
    release(dir, 'bench-a', '1');
    expect(await first.exit).to.equal(0);
  });
});
