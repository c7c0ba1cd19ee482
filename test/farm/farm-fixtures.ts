/**
 * What the farm tests share: the check that they can run here (Debian's ser2net installed, the
 * native agent built), and board files for a shipped board reached through a farm instead.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_BOARDS_DIR } from '../../harness/boards/board-file';
import { PrerequisiteMissingError, buildNativeAgent } from '../../harness/remote';
import { skipBecause } from '../../harness/report/skip-reason';
import { ser2netUnavailable } from './ser2net';

/** Skips `ctx`'s tests, with the reason, where ser2net is missing or the native agent cannot be built; builds the agent otherwise. */
export async function needSer2netAndNativeAgent(ctx: Mocha.Context): Promise<void> {
  const missing = ser2netUnavailable();
  if (missing !== null) skipBecause(ctx, missing);
  try {
    await buildNativeAgent();
  } catch (e) {
    if (e instanceof PrerequisiteMissingError) skipBecause(ctx, `the native agent cannot be built here: ${e.message}`);
    throw e;
  }
}

/**
 * The contents of a board file: shipped board `like`'s iodevs, capabilities and timeouts (its
 * `launch` and `serial` left out), with `fields` (the id, name, target and its block) on top.
 */
export function boardLike(like: string, fields: Record<string, unknown>): Record<string, unknown> {
  const base = JSON.parse(readFileSync(join(REPO_BOARDS_DIR, `${like}.json`), 'utf8')) as Record<string, unknown>;
  const { launch: _launch, serial: _serial, ...rest } = base;
  return { ...rest, ...fields };
}
