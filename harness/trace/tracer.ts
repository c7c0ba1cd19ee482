/**
 * Turns what contexts and links report (harness/rtio/observer.ts, harness/link/observer.ts) into
 * Trace Event records: a process per target opened, a track per iodev with each SQE as a slice from
 * when it started (or became ready) to its completion, chains and transactions as flows, the host's
 * acquire/submit/consume/cancel/signal and the link's frames, retransmits and peer resets as
 * instants, device log lines where they arrived, and tests as slices on the host track.
 *
 * Times are the target's clock: virtual on the emulator; on a board, the device times its agent
 * reports with each CQE, mapped to host time by {@link DeviceClock} when the trace ends (so every
 * slice of a target shares one offset); from an agent without them, host time when the host
 * shipped a unit (or its predecessor's CQE arrived) and when its CQE arrived, so a slice spans
 * the device's time plus up to one link round trip (docs/tracing.md).
 */
import type { Clock } from '../clock';
import { HostLink } from '../link/host';
import type { LinkObserver } from '../link/observer';
import { RTIO_CQE_FLAG_MORE, RTIO_SQE_CHAINED, RTIO_SQE_TRANSACTION, resultName } from '../rtio';
import type { IodevSqe } from '../rtio';
import type { RtioObserver } from '../rtio/observer';
import { opName } from '../record/op-names';
import type { TargetRecord } from '../target/registry';
import type { Target } from '../target/target';
import { TRACK, processName, threadName } from './chrome-trace';
import type { TraceEvent } from './chrome-trace';
import { DeviceClock } from './device-clock';

/** What the tracer keeps of an SQE between its submit and its last CQE. */
interface Running {
  readonly id: number;
  readonly pid: number;
  /** µs it became ready to run (submitted as a chain head, or its predecessor completed). */
  readyAt: number;
  /** Id of the flow arrow that ends in this SQE's slice (its predecessor's), or 0. */
  flowIn: number;
  /** µs the host handed it over, when the device cannot have started it earlier (a chain head's first run); else NaN. */
  handedOver: number;
}

/** A slice timed by the device, placed on the host's clock when the trace ends. */
interface DeviceSlice {
  readonly event: { ts: number; dur: number; readonly tid: number };
  /** Unwrapped device µs it started at. */
  readonly start: number;
  /** Flow records drawn at its start. */
  readonly flows: { ts: number }[];
}

/** One target's process in the trace. */
interface Session {
  readonly pid: number;
  readonly clock: Clock;
  readonly tids: ReadonlyMap<string, number>;
  /** Per track, the end of its last slice (µs): a device runs one unit at a time. */
  readonly lastEnd: Map<number, number>;
  readonly name: string;
  readonly device: DeviceClock;
  readonly deviceSlices: DeviceSlice[];
  /** Per track, the device-timed slice last placed on it ([start, end], device µs). */
  readonly lastDevice: Map<number, readonly [number, number]>;
}

/** A {@link RtioObserver} and {@link LinkObserver} that collects Trace Event records. */
export class Tracer implements RtioObserver, LinkObserver {
  /** The records so far, in the order they were made. */
  readonly events: TraceEvent[] = [];
  private session: Session | null = null;
  private readonly all: Session[] = [];
  private sessions = 0;
  private readonly running = new Map<IodevSqe, Running>();
  /** Flow arrows started and not yet ended (a predecessor without a CQE, NO_RESPONSE, starts none). */
  private readonly flows = new Set<number>();
  private nextId = 1;
  private test: { title: string; ts: number; pid: number } | null = null;

  /** A target was opened: a new process whose tracks are its iodevs. */
  targetOpened(record: TargetRecord, target: Target): void {
    this.endTest();
    const pid = ++this.sessions;
    const build = record.facts.hello?.buildId;
    this.events.push(...processName(pid, `${record.boardId}${record.boardName === null ? '' : ` (${record.boardName})`}${build === undefined ? '' : `: ${build}`}`));
    this.events.push(...threadName(pid, TRACK.host, 'host: tests, acquire/submit/consume'));
    this.events.push(...threadName(pid, TRACK.link, 'link: frames, retransmits, resets'));
    this.events.push(...threadName(pid, TRACK.log, 'device log'));
    this.events.push(...threadName(pid, TRACK.executor, 'executor ops'));
    const tids = new Map<string, number>();
    target.iodevs.forEach((io, i) => {
      const tid = TRACK.iodevBase + i;
      tids.set(io.name, tid);
      const where = [io.bus, io.address === undefined ? undefined : `0x${io.address.toString(16)}`, io.part].filter((x) => x !== undefined && x !== '');
      this.events.push(...threadName(pid, tid, `${io.name}${where.length === 0 ? '' : ` (${where.join(' ')})`}`));
    });
    this.session = { pid, clock: target.clock, tids, lastEnd: new Map(), name: record.boardId, device: new DeviceClock(), deviceSlices: [], lastDevice: new Map() };
    this.all.push(this.session);
    this.running.clear();
    this.flows.clear();
  }

  /** Test `title` begins (it becomes a slice on the host track when it ends). */
  beginTest(title: string): void {
    this.endTest();
    const s = this.session;
    if (s !== null) this.test = { title, ts: this.now(s), pid: s.pid };
  }

  /** The running test ends. */
  endTest(): void {
    const t = this.test;
    this.test = null;
    const s = this.session;
    if (t === null || s === null || s.pid !== t.pid) return;
    const end = this.now(s);
    this.events.push({ ph: 'X', name: t.title, cat: 'test', pid: t.pid, tid: TRACK.host, ts: t.ts, dur: micros(Math.max(0, end - t.ts)) });
  }

  acquired(): void {
    this.instant(TRACK.host, 'acquire', 'host');
  }

  submitted(_r: object, sq: readonly IodevSqe[]): void {
    const s = this.session;
    if (s === null) return;
    const now = this.now(s);
    let prev: IodevSqe | null = null;
    for (const q of sq) {
      const linked = prev !== null && (prev.sqe.flags & (RTIO_SQE_CHAINED | RTIO_SQE_TRANSACTION)) !== 0;
      const id = this.nextId++;
      this.running.set(q, { id, pid: s.pid, readyAt: linked ? Infinity : now, flowIn: linked ? id : 0, handedOver: linked ? NaN : now });
      prev = q;
    }
    this.instant(TRACK.host, 'submit', 'host', { sqes: sq.length });
  }

  started(_r: object, q: IodevSqe): void {
    const s = this.session;
    const run = this.running.get(q);
    if (s !== null && run !== undefined) run.readyAt = this.now(s);
  }

  completed(_r: object, q: IodevSqe | null, result: number, flags: number): void {
    const s = this.session;
    const run = q === null ? undefined : this.running.get(q);
    if (s === null || run === undefined || run.pid !== s.pid) return;
    const sqe = q!.sqe;
    const end = this.now(s);
    const tid = sqe.iodev === null ? TRACK.executor : s.tids.get(sqe.iodev.name) ?? TRACK.executor;
    const times = q!.times;
    const timed = times !== null && !Number.isNaN(times.deviceEndUs);
    // The agent times what runs: an SQE it never ran (cancelled, rejected) has no place on its
    // device's timeline, so it is marked where its CQE arrived, not drawn over what ran.
    const neverRan = !timed && s.device.seen;
    const ts = neverRan ? end : Math.min(end, Math.max(Number.isFinite(run.readyAt) ? run.readyAt : end, s.lastEnd.get(tid) ?? -Infinity));
    s.lastEnd.set(tid, end);
    const more = (flags & RTIO_CQE_FLAG_MORE) !== 0;
    const slice = {
      ph: 'X' as const, name: `${opName(sqe.op)} #${run.id}`, cat: 'sqe', pid: s.pid, tid, ts, dur: micros(end - ts),
      args: {
        result: resultName(result), flags, ...(sqe.bufLen === 0 ? {} : { bufLen: sqe.bufLen }), ...(more ? { more: true } : {}), userdata: String(sqe.userdata),
        ...(timed ? { deviceStartUs: times.deviceStartUs, deviceEndUs: times.deviceEndUs } : {}),
      },
    };
    this.events.push(slice);
    const device = timed ? this.deviceSlice(s, slice, run, end, times.deviceStartUs, times.deviceEndUs) : null;
    run.handedOver = NaN;
    if (run.flowIn !== 0 && this.flows.delete(run.flowIn)) {
      const f = { ph: 'f' as const, bp: 'e' as const, name: 'chain', cat: 'chain', id: run.flowIn, pid: s.pid, tid, ts };
      this.events.push(f);
      device?.flows.push(f);
      run.flowIn = 0;
    }
    const next = q!.next;
    const nextRun = next === null ? undefined : this.running.get(next);
    if (!more && nextRun !== undefined && nextRun.flowIn !== 0 && (sqe.flags & (RTIO_SQE_CHAINED | RTIO_SQE_TRANSACTION)) !== 0) {
      const f = { ph: 's' as const, name: 'chain', cat: 'chain', id: nextRun.flowIn, pid: s.pid, tid, ts };
      this.events.push(f);
      device?.flows.push(f);
      this.flows.add(nextRun.flowIn);
      nextRun.readyAt = end;
    }
    if (more) run.readyAt = end;
    else this.running.delete(q!);
  }

  canceled(_r: object, q: IodevSqe, result: number): void {
    this.instant(TRACK.host, 'cancel', 'host', { sqe: this.running.get(q)?.id ?? null, result: resultName(result) });
  }

  signaled(q: IodevSqe): void {
    this.instant(TRACK.host, 'signal', 'host', { sqe: this.running.get(q)?.id ?? null });
  }

  released(): void {
    this.instant(TRACK.host, 'release buffer', 'host');
  }

  consumed(_r: object, result: number): void {
    this.instant(TRACK.host, 'consume', 'host', { result: resultName(result) });
  }

  frameSent(link: object, bytes: number): void {
    if (link instanceof HostLink) this.instant(TRACK.link, 'frame out', 'link', { bytes });
  }

  frameReceived(link: object, body: string, seq: number): void {
    if (link instanceof HostLink) this.instant(TRACK.link, `frame in: ${body}`, 'link', { seq });
  }

  retransmit(link: object, seq: number): void {
    if (link instanceof HostLink) this.instant(TRACK.link, 'retransmit', 'link', { seq });
  }

  peerReset(): void {
    this.instant(TRACK.link, 'agent reset', 'link');
  }

  deviceLog(_from: object, level: number, text: string): void {
    this.instant(TRACK.log, text, 'log', { level });
  }

  /**
   * Places the device-timed slices on the host's clock, one offset per target (its best
   * round-trip estimate), and returns a sentence per such target saying the offset's accuracy.
   * Call once, when tracing stops.
   */
  finish(): Record<string, string> {
    const notes: Record<string, string> = {};
    for (const s of this.all) {
      if (s.deviceSlices.length === 0) continue;
      const offset = s.device.offsetUs;
      for (const d of s.deviceSlices) {
        d.event.ts = micros(d.start + offset);
        for (const f of d.flows) f.ts = d.event.ts;
      }
      const acc = s.device.accuracyUs;
      notes[`deviceClock.${s.pid}`] = `${s.name}: SQE slices from the agent's device times; device µs + ${offset.toFixed(1)} = host µs, ` +
        (Number.isFinite(acc) ? `± ${acc.toFixed(1)} µs (half the tightest of ${s.device.samples} round trips)` : 'no round trip bounded it: placed at the latest its CQEs allow');
    }
    return notes;
  }

  /** Records a slice the device timed: its duration is the device's, its place is set by {@link Tracer.finish}. */
  private deviceSlice(s: Session, event: { ts: number; dur: number; readonly tid: number }, run: Running, arrived: number, startWire: number, endWire: number): DeviceSlice {
    const devEnd = s.device.unwrap(endWire);
    const reported = devEnd - ((endWire - startWire) >>> 0);
    s.device.bound(run.handedOver, arrived, reported, devEnd);
    // The agent reports when the executor handed the unit to its iodev; an iodev that queues
    // units (one at a time) starts it when the one before it ended, so a slice begins no earlier
    // than the track's last one ends, or nests in it.
    const tid = event.tid;
    const [ps, pe] = s.lastDevice.get(tid) ?? [-Infinity, -Infinity];
    const devStart = devEnd > pe ? Math.max(reported, pe) : Math.max(reported, ps);
    if (devEnd > pe) s.lastDevice.set(tid, [devStart, devEnd]);
    event.dur = devEnd - devStart;
    const d: DeviceSlice = { event, start: devStart, flows: [] };
    s.deviceSlices.push(d);
    return d;
  }

  private instant(tid: number, name: string, cat: string, args?: Record<string, unknown>): void {
    const s = this.session;
    if (s === null) return;
    this.events.push({ ph: 'i', s: 't', name, cat, pid: s.pid, tid, ts: this.now(s), ...(args === undefined ? {} : { args }) });
  }

  /** Now on the session's target clock, in µs (to the ns). */
  private now(s: Session): number {
    return micros(s.clock.now() * 1e3);
  }
}

/** `us` rounded to the ns. */
function micros(us: number): number {
  return Math.round(us * 1e3) / 1e3;
}
