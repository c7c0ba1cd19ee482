/**
 * The targets this process opened, so a reporter can put the board id, the agent build and the
 * link statistics next to every result, attach the device's log lines to the test during which
 * they arrived, and tell a failure caused by a reset or a lost port from a failed assertion.
 * `openTarget()` records every target it opens (and every attempt that fails); code that builds
 * a target by other means calls {@link registerTarget}. Records are never removed (a closed
 * target's statistics still belong in the report), but they hold a target only weakly, and a
 * remote target's facts (hello, lastError, logs) through a small view: an emulator, with its
 * 1 MiB flash, is freed once its suite lets go of it.
 */
import type { LinkStats } from '../link/stats';
import type { Target } from './target';

/** What the registry knows about one target, opened or being opened. */
export interface TargetRecord {
  /** Order of registration, from 1. */
  readonly seq: number;
  /** The board file id. */
  readonly boardId: string;
  /** The board's name, from its file, when known. */
  boardName: string | null;
  /** The board file, when known. */
  boardFile: string | null;
  /** The target kind, e.g. `'emulator-wire'`. */
  kind: string | null;
  /** The target once open, while something else keeps it alive; null while opening, after a failed open, or once freed. */
  target(): Target | null;
  /** A live view of the remote target's hello, lastError and logs (empty for an in-process target). */
  facts: RemoteFacts;
  /** Why opening failed, if it did. */
  openError: Error | null;
  /** The port or transport description, e.g. `'/dev/ttyACM0'`. */
  port: string | null;
  /** Which unit of this board ran: LAVA's board id, the labgrid place (null when nothing says). */
  unit: string | null;
  /** Reads the link's counters (null for targets without a link). */
  linkStats: (() => LinkStats) | null;
}

/** Extra facts about a target, for {@link registerTarget}. */
export interface TargetDetails {
  /** Board file id; default `target.id`. */
  readonly boardId?: string;
  /** The board's name. */
  readonly boardName?: string;
  /** The board file's path. */
  readonly boardFile?: string;
  /** The target kind. */
  readonly kind?: string;
  /** The port or transport description. */
  readonly port?: string;
  /** Reads the link's counters. */
  readonly linkStats?: () => LinkStats;
}

/**
 * The registry lives on `globalThis`, under a `Symbol.for` key: a suite that loads rtio-hil from
 * another copy (the project's own install while a global `rtio-hil test` runs the reporter, or
 * the sources under ts-node while the reporter is built JS) still records into the one the
 * reporter reads.
 */
const REGISTRY = Symbol.for('rtio-hil.target-registry');
const shared = ((globalThis as Record<symbol, unknown>)[REGISTRY] ??= {
  records: [] as TargetRecord[],
  listeners: [] as ((r: TargetRecord) => void)[],
}) as { readonly records: TargetRecord[]; readonly listeners: ((r: TargetRecord) => void)[]; opened?: ((r: TargetRecord, t: Target) => void)[] };
const { records, listeners } = shared;
const openedListeners = (shared.opened ??= []);

function details(r: TargetRecord, d: TargetDetails): void {
  if (d.boardName !== undefined) r.boardName = d.boardName;
  if (d.boardFile !== undefined) r.boardFile = d.boardFile;
  if (d.kind !== undefined) r.kind = d.kind;
  if (d.port !== undefined) r.port = d.port;
  if (d.linkStats !== undefined) r.linkStats = d.linkStats;
}

/** Records that board `boardId` is being opened; complete it with {@link recordOpened} or {@link recordOpenFailed}. */
export function recordOpening(boardId: string, d: TargetDetails = {}): TargetRecord {
  const r: TargetRecord = {
    seq: records.length + 1, boardId, boardName: null, boardFile: null, kind: null, target: () => null, facts: {}, openError: null, port: null, unit: null, linkStats: null,
  };
  details(r, d);
  records.push(r);
  for (const l of listeners) l(r);
  return r;
}

/** Completes `r` with the open target and what else became known. */
export function recordOpened(r: TargetRecord, target: Target, d: TargetDetails = {}): void {
  const ref = new WeakRef(target);
  r.target = () => ref.deref() ?? null;
  r.facts = remoteFacts(target);
  details(r, d);
  for (const l of openedListeners) l(r, target);
}

/** Completes `r` with the error that stopped the target from opening. */
export function recordOpenFailed(r: TargetRecord, err: unknown): void {
  r.openError = err instanceof Error ? err : new Error(String(err));
}

/** Records a target opened by other means than `openTarget()` (a fixture's own wire target, say). */
export function registerTarget(target: Target, d: TargetDetails = {}): TargetRecord {
  const r = recordOpening(d.boardId ?? target.id, d);
  recordOpened(r, target);
  return r;
}

/** Every record, oldest first. */
export function targetRecords(): readonly TargetRecord[] {
  return records;
}

/** Calls `cb` for every record made from now on. */
export function onTargetRecord(cb: (r: TargetRecord) => void): void {
  listeners.push(cb);
}

/** Calls `cb` with every target opened from now on, as soon as it is open (before its opener gets it). */
export function onTargetOpened(cb: (r: TargetRecord, target: Target) => void): void {
  openedListeners.push(cb);
}

/** What a remote target offers beyond the Target interface (read structurally: emulators lack it). */
export interface RemoteFacts {
  /** The agent's HelloReply. */
  readonly hello?: { readonly buildId: string; readonly protocolVersion: number; readonly bootNonce: number } | undefined;
  /** The link failure that ended the target. */
  readonly lastError?: Error | null | undefined;
  /** The agent's log lines so far. */
  readonly logs?: readonly { readonly level: number; readonly text: string }[] | undefined;
}

/**
 * A live view of `target`'s remote facts: getters reading the target (so it stays alive while its
 * record does; remote targets are small), or an empty object for a target without a `hello`.
 */
export function remoteFacts(target: Target): RemoteFacts {
  if (!('hello' in target)) return {};
  const t = target as Target & RemoteFacts;
  return {
    get hello() {
      return t.hello;
    },
    get lastError() {
      return t.lastError;
    },
    get logs() {
      return t.logs;
    },
  };
}
