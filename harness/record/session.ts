/** Starting and stopping a recording around any code: every target opened and context used meanwhile is recorded. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { setRtioObserver } from '../rtio/observer';
import { onTargetOpened } from '../target/registry';
import { RECORDING_FORMAT, RECORDING_VERSION } from './format';
import type { RecordingLine } from './format';
import { Recorder } from './recorder';

/** A recording in progress; {@link Recording.stop} ends it. */
export interface Recording {
  /** Marks the start of test `title`: what follows came from it. */
  test(title: string): void;
  /** Stops recording and closes the file. Idempotent. */
  stop(): void;
}

let active: Recorder | null = null;
let listening = false;

/**
 * Records into `file` (created or truncated; one JSON line per event, written as it happens, so a
 * crash keeps everything up to it) until `stop()`. `seed` is the device-value seed targets are
 * opened with (default `RTIO_SEED`, else 1). Throws `Error` when a recording is already running,
 * and what opening the file throws.
 */
export function startRecording(file: string, tool: string, seed = Number(process.env.RTIO_SEED ?? 1)): Recording {
  if (active !== null) throw new Error('a recording is already running in this process');
  const fd = openSync(file, 'w');
  const write = (line: RecordingLine): void => {
    writeSync(fd, `${JSON.stringify(line)}\n`);
  };
  write({ kind: 'header', format: RECORDING_FORMAT, version: RECORDING_VERSION, tool });
  const rec = new Recorder(write, seed);
  active = rec;
  const before = setRtioObserver(rec);
  if (!listening) {
    listening = true;
    onTargetOpened((r, t) => active?.targetOpened(r, t));
  }
  let open = true;
  return {
    test: (title) => {
      if (open) rec.test(title);
    },
    stop: () => {
      if (!open) return;
      open = false;
      active = null;
      setRtioObserver(before);
      closeSync(fd);
    },
  };
}
