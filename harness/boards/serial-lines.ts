/**
 * A board file's serial line settings that the transport does not apply itself: low latency and
 * the DTR/RTS reset sequence. They run on the port before the transport opens it, so the board
 * is already booting when the transport flushes stale input and the handshake starts (its Hello
 * retries cover the boot). Keeping DTR up across close (`hupcl: false`) needs the transport to
 * open with it; see docs/boards.md.
 */
import { SerialPort } from 'serialport';
import type { ResetStep, SerialSettings } from './board-types';

/** DTR and RTS levels. */
export interface LineLevels {
  /** Data Terminal Ready. */
  dtr: boolean;
  /** Request To Send. */
  rts: boolean;
}

/** What {@link applyResetSequence} needs of a port: serialport's `set`, which sets every line at once. */
export interface LineControl {
  /** Sets the given lines; serialport fills unnamed ones with defaults, so pass both. */
  set(levels: LineLevels & { lowLatency?: boolean }, cb: (err: Error | null) => void): void;
}

/** Lines after open on Linux and macOS: both asserted. */
export const LINES_AFTER_OPEN: Readonly<LineLevels> = Object.freeze({ dtr: true, rts: true });

/** Waits `ms` on the wall clock: a reset pulse is hardware timing, not test synchronisation. */
export function wallWait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `steps` on `port`: each step sets its lines (the other keeps its level; serialport's `set`
 * would otherwise reset it) and then waits its `waitMs`. Resolves the final levels. Rejects with
 * the port's error, naming the step.
 */
export async function applyResetSequence(
  port: LineControl, steps: readonly ResetStep[], wait: (ms: number) => Promise<void> = wallWait,
  start: LineLevels = LINES_AFTER_OPEN,
): Promise<LineLevels> {
  const levels: LineLevels = { ...start };
  for (const [i, step] of steps.entries()) {
    if (step.dtr !== undefined || step.rts !== undefined) {
      if (step.dtr !== undefined) levels.dtr = step.dtr;
      if (step.rts !== undefined) levels.rts = step.rts;
      const now = { ...levels };
      await new Promise<void>((resolve, reject) => port.set(now, (err) => (err
        ? reject(new Error(`serial resetSequence[${i}] (dtr ${now.dtr}, rts ${now.rts}) failed: ${err.message}`, { cause: err }))
        : resolve())));
    }
    if (step.waitMs !== undefined && step.waitMs > 0) await wait(step.waitMs);
  }
  return levels;
}

/** True when `settings` asks for anything {@link prepareSerialLine} does. */
export function needsLinePreparation(settings: SerialSettings | undefined): boolean {
  return settings !== undefined && (settings.lowLatency === true || (settings.resetSequence?.length ?? 0) > 0);
}

/**
 * Opens `path`, asks for low latency (a port that cannot, such as a pty, is noted in the result,
 * not an error), runs the reset sequence, and closes the port again. Rejects with serialport's
 * open error (the transport's own open then says why in its terms).
 */
export async function prepareSerialLine(path: string, settings: SerialSettings): Promise<{ lowLatency: 'set' | 'unsupported' | 'not asked'; levels: LineLevels }> {
  const port = new SerialPort({ path, baudRate: settings.baudRate ?? 115200, autoOpen: false, hupcl: settings.hupcl ?? true });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  try {
    let lowLatency: 'set' | 'unsupported' | 'not asked' = 'not asked';
    const control: LineControl = { set: (levels, cb) => port.set(levels, (err) => cb(err ?? null)) };
    if (settings.lowLatency === true) {
      lowLatency = await new Promise((resolve) => control.set({ ...LINES_AFTER_OPEN, lowLatency: true }, (err) => resolve(err ? 'unsupported' : 'set')));
    }
    const levels = await applyResetSequence(control, settings.resetSequence ?? []);
    return { lowLatency, levels };
  } finally {
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
