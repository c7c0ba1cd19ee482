/** `rtio-hil ping`: open a board the way the suites do, show what its agent says, time a NOP round trip. */
import { backplaneOf } from '../target/backplane';
import { boardIodevs, boardTimeouts } from '../boards/board-file';
import type { Board } from '../boards/board-file';
import { describePort, discoverPorts, discoveryOptionsFromEnv } from '../boards/discovery';
import { loadBoard } from '../boards/load-boards';
import { describeMatch, findBoardPort } from '../boards/match';
import { targetRecords } from '../report/target-registry';
import { ETIMEDOUT, resultName } from '../rtio/errno';
import { Rtio } from '../rtio/rtio';
import { sqePrepNop } from '../rtio/sqe';
import { defaultBoardId, openTarget } from '../target/open-target';
import { RemoteTarget } from '../target/remote-target';
import type { IodevInfo, Target } from '../target/target';
import { EXIT, intOption, parseCommandLine } from './errors';

/** Usage of `rtio-hil ping`. */
export const PING_USAGE = `usage: rtio-hil ping [--board ID] [--port PATH] [--count N] [--seed N]

Opens the board's target as the suites do, then prints: the port (for a serial board, the one
its board file's /match selects), the handshake (protocol version, agent build, boot nonce,
limits), the iodev table (and where it differs from the board file), and the round-trip time of
NOPs submitted through RTIO to one of its iodevs. For the emulator it says so: it runs in this
process, with no link. A board whose agent does not answer fails within the board file's
/timeouts/handshakeMs, naming the port. Exit status 0 when the agent answered and every NOP
completed with 0.

options:
  --board ID   the board file to use; default RTIO_BOARD, else emulator
  --port PATH  serial boards: use this port instead of matching
  --count N    NOP round trips to time (default 10)
  --seed N     seed of the emulator's device values (default RTIO_SEED, else 1)
  --help       this text`;

function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

function row(label: string, value: string): string {
  return `${label.padEnd(14)}${value}`;
}

/** The differences between the iodev table a board file lists and the one the target reports. */
export function iodevTableDifferences(fromFile: readonly IodevInfo[], fromTarget: readonly IodevInfo[]): string[] {
  const out: string[] = [];
  for (const f of fromFile) {
    const t = fromTarget.find((x) => x.name === f.name);
    if (t === undefined) {
      out.push(`the board file lists "${f.name}", the target does not have it`);
      continue;
    }
    const fields: string[] = [];
    if (f.kind !== t.kind) fields.push(`kind ${f.kind} vs ${t.kind}`);
    if ((f.bus ?? '') !== (t.bus ?? '')) fields.push(`bus ${f.bus ?? '-'} vs ${t.bus ?? '-'}`);
    if ((f.address ?? 0) !== (t.address ?? 0)) fields.push(`address ${f.address ?? '-'} vs ${t.address ?? '-'}`);
    if ((f.part ?? '') !== (t.part ?? '')) fields.push(`part ${f.part ?? '-'} vs ${t.part ?? '-'}`);
    const missing = f.capabilities.filter((c) => !t.capabilities.includes(c));
    const extra = t.capabilities.filter((c) => !f.capabilities.includes(c));
    if (missing.length > 0) fields.push(`lacks ${missing.join(', ')}`);
    if (extra.length > 0) fields.push(`also has ${extra.join(', ')}`);
    if (fields.length > 0) out.push(`"${f.name}" differs (board file vs target): ${fields.join('; ')}`);
  }
  for (const t of fromTarget) if (!fromFile.some((f) => f.name === t.name)) out.push(`the target has "${t.name}", the board file does not list it`);
  return out;
}

function iodevLines(iodevs: readonly IodevInfo[]): string[] {
  const cols = iodevs.map((d) => [d.name, d.kind, d.bus ?? '-', d.address === undefined || (d.bus === undefined && d.address === 0) ? '-' : `0x${d.address.toString(16).padStart(2, '0')}`, d.part ?? '-', d.capabilities.join(',')]);
  const head = ['name', 'kind', 'bus', 'address', 'part', 'capabilities'];
  const widths = head.map((h, i) => Math.max(h.length, ...cols.map((c) => c[i]!.length)));
  const fmt = (c: readonly string[]): string => `  ${c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]! + 2))).join('')}`;
  return [fmt(head), ...cols.map(fmt)];
}

/** The iodev a ping's NOPs go to: a test iodev if there is one, else the first. */
export function pingIodev(iodevs: readonly IodevInfo[]): IodevInfo | undefined {
  return iodevs.find((d) => d.kind === 'test') ?? iodevs[0];
}

async function roundTrips(target: Target, name: string, count: number, timeoutMs: number): Promise<{ wall: number[]; virtual: number[]; error: string | null }> {
  const r = new Rtio({ sqSize: 4, cqSize: 4, clock: target.clock });
  const wall: number[] = [];
  const virtual: number[] = [];
  const iodev = target.iodev(name);
  for (let i = 0; i < count; i++) {
    sqePrepNop(r.sqeAcquire()!, iodev, `ping-${i}`);
    const v0 = target.clock.now();
    const t0 = performance.now();
    const rc = await r.submit(1, timeoutMs);
    const t1 = performance.now();
    if (rc === -ETIMEDOUT) return { wall, virtual, error: `NOP ${i + 1} did not complete within ${timeoutMs} ms (/timeouts/opMs)` };
    const cqe = r.cqeConsume();
    const result = cqe?.result ?? -ETIMEDOUT;
    if (cqe !== null) r.cqeRelease(cqe);
    if (result !== 0) return { wall, virtual, error: `NOP ${i + 1} completed with ${resultName(result)}` };
    wall.push(t1 - t0);
    virtual.push(target.clock.now() - v0);
  }
  return { wall, virtual, error: null };
}

function stats(xs: readonly number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const ms = (v: number): string => (v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(2)} ms`);
  return `median ${ms(s[Math.floor(s.length / 2)]!)}, min ${ms(s[0]!)}, max ${ms(s[s.length - 1]!)}`;
}

/** Runs `rtio-hil ping`. */
export async function runPing(args: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(args, {
    board: { type: 'string' }, port: { type: 'string' }, count: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  }, PING_USAGE);
  if (values.help === true) {
    console.log(PING_USAGE);
    return EXIT.ok;
  }
  const count = intOption('count', values.count, 10, PING_USAGE);
  const seed = intOption('seed', values.seed, process.env.RTIO_SEED === undefined ? 1 : Number(process.env.RTIO_SEED), PING_USAGE, -(2 ** 31));
  const board: Board = loadBoard(values.board ?? defaultBoardId());
  const timeouts = boardTimeouts(board);
  console.log(row('board', `${board.id} (${board.name})`));
  console.log(row('file', board.file));
  console.log(row('target', board.target));
  let port = values.port;
  if (board.target === 'serial' && port === undefined) {
    if (board.serial?.path !== undefined) {
      port = board.serial.path;
      console.log(row('port', `${port} (fixed by /serial/path)`));
    } else {
      const found = await discoverPorts(discoveryOptionsFromEnv());
      const p = findBoardPort(board, found.ports);
      port = p.path;
      console.log(row('port', `${describePort(p)} (matched by /match ${describeMatch(board.match ?? {})})`));
    }
  } else if (port !== undefined) {
    console.log(row('port', `${port} (--port)`));
  }
  if (board.target === 'emulator') {
    console.log(row('link', 'none: the emulator runs in this process (no port, no agent); NOPs run on its virtual clock'));
  } else {
    console.log(`opening ${board.target === 'native' ? '(building and launching the agent) ' : ''}with a handshake timeout of ${timeouts.handshakeMs} ms ...`);
  }
  const t0 = performance.now();
  const target = await openTarget(board.id, { seed, ...(port === undefined ? {} : { port }) });
  const openMs = performance.now() - t0;
  try {
    const record = targetRecords().find((r) => r.target() === target);
    if (target instanceof RemoteTarget) {
      const h = target.hello;
      console.log(row('port', record?.port ?? '?'));
      console.log(row('handshake', `ok, opened in ${openMs.toFixed(1)} ms${board.target === 'native' ? ' (launch and handshake)' : ''}`));
      console.log(row('protocol', String(h.protocolVersion)));
      console.log(row('agent', h.buildId));
      console.log(row('boot nonce', hex32(h.bootNonce)));
      console.log(row('limits', `window ${h.window}, max frame ${h.maxFrameBytes} B, ${h.maxSqes} SQEs, ${h.maxBufferBytes} B per buffer`));
    } else {
      console.log(row('opened', `in ${openMs.toFixed(1)} ms (in process)`));
    }
    console.log(row('capabilities', target.capabilities.length === 0 ? '(none)' : target.capabilities.join(', ')));
    console.log(`iodevs (${target.iodevs.length}):`);
    for (const l of iodevLines(target.iodevs)) console.log(l);
    const diffs = iodevTableDifferences(boardIodevs(board), target.iodevs);
    if (diffs.length === 0) console.log('  the iodev table matches the board file');
    else for (const d of diffs) console.log(`  warning: ${d}`);
    const offered = [...(backplaneOf(target)?.capabilities ?? new Map<string, readonly string[]>())].filter(([, caps]) => caps.length > 0);
    console.log(row('backplane', offered.length === 0 ? '(none)' : offered.map(([name, caps]) => `${name}: ${caps.join(', ')}`).join('; ')));
    const dev = pingIodev(target.iodevs);
    if (dev === undefined) {
      console.log(row('round trip', 'not measured: the target has no iodev to address'));
      return EXIT.ok;
    }
    const rt = await roundTrips(target, dev.name, count, timeouts.opMs);
    if (rt.wall.length > 0) {
      const where = target instanceof RemoteTarget ? `through the link to the agent's "${dev.name}"` : `to "${dev.name}" in process`;
      console.log(row('round trip', `${rt.wall.length} NOPs ${where}: ${stats(rt.wall)} wall time`));
      if (board.target === 'emulator') console.log(row('', `virtual time per NOP: ${stats(rt.virtual)}`));
    }
    if (record !== undefined && record.linkStats !== null) {
      const s = record.linkStats();
      console.log(row('link', `${s.framesSent} frames sent, ${s.framesReceived} received, ${s.crcErrors} CRC errors, ${s.retransmits} retransmits, ${s.resets} resets`));
    }
    if (rt.error !== null) {
      console.error(`rtio-hil: ping failed on board "${board.id}": ${rt.error}`);
      return EXIT.failed;
    }
    return EXIT.ok;
  } finally {
    await target.close();
  }
}
