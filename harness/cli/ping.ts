/** `rtio-hil ping`: open a board the way the suites do, show what its agent says, time a NOP round trip. */
import { backplaneOf } from '../target/backplane';
import { boardIodevs, boardTimeouts } from '../boards/board-file';
import type { Board } from '../boards/board-types';
import { describePort, discoverPorts, discoveryOptionsFromEnv } from '../boards/discovery';
import { loadBoard } from '../boards/load-boards';
import { describeMatch, findBoardPort } from '../boards/match';
import { targetRecords } from '../target/registry';
import { ETIMEDOUT, resultName, Rtio, sqePrepNop } from '../rtio';
import { defaultBoardId, openTarget } from '../boards/open-target';
import { RemoteTarget } from '../remote/remote-target';
import type { IodevInfo, Target } from '../target/target';
import { EXIT, EXIT_STATUS_TEXT, intOption, parseCommandLine } from './errors';
import { textTable } from './table';

/** Usage of `rtio-hil ping`. */
export const PING_USAGE = `usage: rtio-hil ping [--board ID] [--port PATH] [--count N] [--seed N] [--json]

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
  --json       print one JSON object (board, port, handshake, iodevs, round trips, link
               counters, exit status) on stdout; the lines above go to stderr
  --help       this text

${EXIT_STATUS_TEXT}`;

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
  const rows = iodevs.map((d) => [d.name, d.kind, d.bus ?? '-', d.address === undefined || (d.bus === undefined && d.address === 0) ? '-' : `0x${d.address.toString(16).padStart(2, '0')}`, d.part ?? '-', d.capabilities.join(',')]);
  return textTable(rows, ['name', 'kind', 'bus', 'address', 'part', 'capabilities']);
}

/** The iodev a ping's NOPs go to: a test iodev if there is one, else the first. */
export function pingIodev(iodevs: readonly IodevInfo[]): IodevInfo | undefined {
  return iodevs.find((d) => d.kind === 'test') ?? iodevs[0];
}

/** What {@link roundTrips} measured; `timedOut` when a NOP never completed (the link, not the device). */
interface RoundTrips {
  readonly wall: number[];
  readonly virtual: number[];
  readonly error: string | null;
  readonly timedOut: boolean;
}

async function roundTrips(target: Target, name: string, count: number, timeoutMs: number): Promise<RoundTrips> {
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
    if (rc === -ETIMEDOUT) return { wall, virtual, error: `NOP ${i + 1} did not complete within ${timeoutMs} ms (/timeouts/opMs)`, timedOut: true };
    const cqe = r.cqeConsume();
    const result = cqe?.result ?? -ETIMEDOUT;
    if (cqe !== null) r.cqeRelease(cqe);
    if (result !== 0) return { wall, virtual, error: `NOP ${i + 1} completed with ${resultName(result)}`, timedOut: false };
    wall.push(t1 - t0);
    virtual.push(target.clock.now() - v0);
  }
  return { wall, virtual, error: null, timedOut: false };
}

/** Min, median and max of `xs` in ms, or null for none. */
function summary(xs: readonly number[]): { min: number; median: number; max: number } | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
}

function stats(xs: readonly number[]): string {
  const s = summary(xs)!;
  const ms = (v: number): string => (v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(2)} ms`);
  return `median ${ms(s.median)}, min ${ms(s.min)}, max ${ms(s.max)}`;
}

/** Runs `rtio-hil ping`. */
export async function runPing(args: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(args, {
    board: { type: 'string' }, port: { type: 'string' }, count: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  }, PING_USAGE);
  if (values.help === true) {
    console.log(PING_USAGE);
    return EXIT.ok;
  }
  const count = intOption('count', values.count, 10, PING_USAGE);
  const seed = intOption('seed', values.seed, process.env.RTIO_SEED === undefined ? 1 : Number(process.env.RTIO_SEED), PING_USAGE, -(2 ** 31));
  const board: Board = loadBoard(values.board ?? defaultBoardId());
  const json = values.json === true;
  // With --json the lines people read go to stderr and stdout carries one JSON object.
  const say = (line: string): void => {
    if (json) console.error(line);
    else console.log(line);
  };
  const out: Record<string, unknown> = { board: board.id, name: board.name, file: board.file, target: board.target };
  const finish = (code: number): number => {
    if (json) console.log(JSON.stringify({ ...out, exitStatus: code }, null, 2));
    return code;
  };
  const timeouts = boardTimeouts(board);
  say(row('board', `${board.id} (${board.name})`));
  say(row('file', board.file));
  say(row('target', board.target));
  let port = values.port;
  if (board.target === 'serial' && port === undefined) {
    if (board.serial?.path !== undefined) {
      port = board.serial.path;
      say(row('port', `${port} (fixed by /serial/path)`));
    } else {
      const found = await discoverPorts(discoveryOptionsFromEnv());
      const p = findBoardPort(board, found.ports);
      port = p.path;
      say(row('port', `${describePort(p)} (matched by /match ${describeMatch(board.match ?? {})})`));
    }
  } else if (port !== undefined) {
    say(row('port', `${port} (--port)`));
  }
  if (board.target === 'emulator') {
    say(row('link', 'none: the emulator runs in this process (no port, no agent); NOPs run on its virtual clock'));
  } else {
    say(`opening ${board.target === 'native' ? '(building and launching the agent) ' : ''}with a handshake timeout of ${timeouts.handshakeMs} ms ...`);
  }
  const t0 = performance.now();
  const target = await openTarget(board.id, { seed, ...(port === undefined ? {} : { port }) });
  const openMs = performance.now() - t0;
  out.openMs = Math.round(openMs * 10) / 10;
  try {
    const record = targetRecords().find((r) => r.target() === target);
    out.port = record?.port ?? null;
    if (target instanceof RemoteTarget) out.hello = target.hello;
    if (target instanceof RemoteTarget) {
      const h = target.hello;
      say(row('port', record?.port ?? '?'));
      say(row('handshake', `ok, opened in ${openMs.toFixed(1)} ms${board.target === 'native' ? ' (launch and handshake)' : ''}`));
      say(row('protocol', String(h.protocolVersion)));
      say(row('agent', h.buildId));
      say(row('boot nonce', hex32(h.bootNonce)));
      say(row('limits', `window ${h.window}, max frame ${h.maxFrameBytes} B, ${h.maxSqes} SQEs, ${h.maxBufferBytes} B per buffer`));
    } else {
      say(row('opened', `in ${openMs.toFixed(1)} ms (in process)`));
    }
    say(row('capabilities', target.capabilities.length === 0 ? '(none)' : target.capabilities.join(', ')));
    say(`iodevs (${target.iodevs.length}):`);
    for (const l of iodevLines(target.iodevs)) say(l);
    const diffs = iodevTableDifferences(boardIodevs(board), target.iodevs);
    Object.assign(out, { capabilities: target.capabilities, iodevs: target.iodevs, differences: diffs });
    if (diffs.length === 0) say('  the iodev table matches the board file');
    else for (const d of diffs) say(`  warning: ${d}`);
    const offered = [...(backplaneOf(target)?.capabilities ?? new Map<string, readonly string[]>())].filter(([, caps]) => caps.length > 0);
    out.backplane = Object.fromEntries(offered);
    say(row('backplane', offered.length === 0 ? '(none)' : offered.map(([name, caps]) => `${name}: ${caps.join(', ')}`).join('; ')));
    const dev = pingIodev(target.iodevs);
    if (dev === undefined) {
      say(row('round trip', 'not measured: the target has no iodev to address'));
      return finish(EXIT.ok);
    }
    const rt = await roundTrips(target, dev.name, count, timeouts.opMs);
    out.roundTrip = { iodev: dev.name, completed: rt.wall.length, wallMs: summary(rt.wall), ...(board.target === 'emulator' ? { virtualMs: summary(rt.virtual) } : {}), error: rt.error };
    if (rt.wall.length > 0) {
      const where = target instanceof RemoteTarget ? `through the link to the agent's "${dev.name}"` : `to "${dev.name}" in process`;
      say(row('round trip', `${rt.wall.length} NOPs ${where}: ${stats(rt.wall)} wall time`));
      if (board.target === 'emulator') say(row('', `virtual time per NOP: ${stats(rt.virtual)}`));
    }
    if (record !== undefined && record.linkStats !== null) {
      const s = record.linkStats();
      out.link = s;
      say(row('link', `${s.framesSent} frames sent, ${s.framesReceived} received, ${s.crcErrors} CRC errors, ${s.retransmits} retransmits, ${s.resets} resets`));
    }
    if (rt.error !== null) {
      console.error(`rtio-hil: ping failed on board "${board.id}": ${rt.error}`);
      return finish(rt.timedOut ? EXIT.infrastructure : EXIT.failed);
    }
    return finish(EXIT.ok);
  } finally {
    await target.close();
  }
}
