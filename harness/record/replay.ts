/**
 * Replays a golden trace (./format.ts) on another target and finds the first operation whose
 * completion differs. Each recorded session runs on a fresh target in recorded order; before each
 * host action (a submit, cancel, signal or fault) the replay waits for every completion the
 * recording saw before it, so each action meets the state it met when recorded.
 */
import { EIO, RTIO_OP_CALLBACK } from '../rtio';
import type { Fault } from '../target/faults';
import type { Target } from '../target/target';
import type { RecordingLine, SessionLine } from './format';
import { Differs, SessionReplay } from './session-replay';
import type { Mismatch } from './session-replay';

/** How long (ms, on the replay target's clock) the replay waits for one recorded completion. Default of {@link ReplayOptions.waitMs}. */
export const REPLAY_WAIT_MS = 10_000;

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** Opens a fresh target for a recorded session (its board, seed and iodev table are in `session`). */
  readonly open: (session: SessionLine) => Promise<Target>;
  /** See {@link REPLAY_WAIT_MS}. */
  readonly waitMs?: number;
  /**
   * Time-driven iodevs: those whose data and lengths are a function of when they are read, such
   * as a sensor's time-stamped FIFO, which no two targets can share op by op. Of their
   * completions only the outcome is compared (success, or which errno), with the flags; not the
   * byte count nor the bytes. Default: none.
   */
  readonly timeDriven?: readonly string[];
}

export type { Mismatch } from './session-replay';

/** How a replay ended. */
export interface ReplayReport {
  readonly sessions: number;
  readonly submits: number;
  /** Completions compared and equal. */
  readonly matched: number;
  /** The first difference, or null when everything matched. */
  readonly mismatch: Mismatch | null;
}

/**
 * Replays `lines` (a parsed recording) on targets from `opts.open`, one per session, closing each.
 * Resolves with the first difference (or none); throws `RangeError` for a recording that is
 * inconsistent in itself, and what opening a target throws.
 */
export async function replay(lines: readonly RecordingLine[], opts: ReplayOptions): Promise<ReplayReport> {
  const waitMs = opts.waitMs ?? REPLAY_WAIT_MS;
  const timeDriven = new Set(opts.timeDriven ?? []);
  const callbacks = new Set<number>();
  for (const l of lines) if (l.kind === 'submit') for (const q of l.sqes) if (q.op === RTIO_OP_CALLBACK) callbacks.add(q.id);
  const throwing = new Set<number>();
  for (const l of lines) if (l.kind === 'cqe' && l.result === -EIO && callbacks.has(l.sqe)) throwing.add(l.sqe);
  let sessions = 0;
  let submits = 0;
  let matched = 0;
  let cur: SessionReplay | null = null;
  let test: string | null = null;
  const end = async (): Promise<void> => {
    if (cur === null) return;
    const s = cur;
    cur = null;
    try {
      await s.finish();
    } finally {
      submits += s.submits;
      matched += s.matched;
      await s.target.close();
    }
  };
  try {
    for (const line of lines) {
      if (line.kind === 'session') {
        await end();
        sessions++;
        cur = new SessionReplay(await opts.open(line), line.session, waitMs, timeDriven, throwing);
        cur.test = test;
        continue;
      }
      if (line.kind === 'test') {
        test = line.title;
        if (cur !== null) cur.test = test;
        continue;
      }
      if (line.kind === 'header') continue;
      if (cur === null) throw new RangeError(`recording has a "${line.kind}" line before its first session`);
      const s: SessionReplay = cur;
      if (line.kind === 'cqe') {
        s.expect(line);
        continue;
      }
      if (line.kind === 'context') {
        s.addContext(line);
        continue;
      }
      await s.catchUp();
      await s.reach(line.at);
      if (line.kind === 'submit') await s.submit(line);
      else if (line.kind === 'cancel') s.cancel(line.sqe);
      else if (line.kind === 'signal') s.signal(line.sqe);
      else if (line.kind === 'release') s.release(line.sqe);
      else if (line.kind === 'fault') s.target.injectFault(line.iodev, line.fault as unknown as Fault, line.count ?? Infinity);
      else s.target.clearFaults();
    }
    await end();
  } catch (e) {
    const open = cur as SessionReplay | null;
    if (open !== null) {
      submits += open.submits;
      matched += open.matched;
      await open.target.close();
    }
    if (e instanceof Differs) return { sessions, submits, matched, mismatch: e.mismatch };
    throw e;
  }
  return { sessions, submits, matched, mismatch: null };
}
