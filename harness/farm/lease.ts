/**
 * A lease on a board for one run on this host: a lock file `<dir>/<board>.lease` that holds who
 * has it (JSON: token, pid, host, command, start time, time to live), created exclusively, and
 * kept alive by touching it (its mtime is the heartbeat) every third of its time to live. A
 * lease whose holder stopped beating for its time to live, or whose process is gone (same
 * host), is stale: the next run takes it over, so a run killed with SIGKILL, or a machine that
 * froze, never leaves a board locked (the stale-lock complaints of labgrid#1739 and #1415).
 *
 * Taking over is race-free among waiters: a stale file is renamed to a name of the taker's own
 * first, and only the taker that moved the very file it judged stale deletes it; one that moved
 * a fresh lease (another taker was quicker) puts it back. A holder checks at every beat that the
 * file is still its own and reports the lease lost otherwise, so its run can stop.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, futimesSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../clock/clock';
import type { Clock } from '../clock/clock';

/** The environment variable naming the lease folder. */
export const LEASE_DIR_ENV = 'RTIO_HIL_LEASE_DIR';

/** Defaults of {@link LeaseOptions}, in ms. */
export const LEASE_DEFAULTS = Object.freeze({
  /** How long a lease lives without a heartbeat: 30000. It beats every third of that. */
  ttlMs: 30_000,
  /** How often a waiter looks again: 250. */
  pollMs: 250,
  /** How often a waiter reports that it still waits: 10000. */
  progressMs: 10_000,
  /** Longest a waiter waits: 600000 (10 minutes). */
  timeoutMs: 600_000,
});

/** The lease folder: `RTIO_HIL_LEASE_DIR`, else `<tmpdir>/rtio-hil-leases`. */
export function leaseDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env[LEASE_DIR_ENV];
  return dir === undefined || dir === '' ? join(tmpdir(), 'rtio-hil-leases') : dir;
}

/** Who holds a lease: the lease file's contents. */
export interface LeaseHolder {
  /** Random, this lease's alone. */
  readonly token: string;
  /** The board. */
  readonly boardId: string;
  /** The holding process. */
  readonly pid: number;
  /** The host it runs on. */
  readonly host: string;
  /** Its command line, for people. */
  readonly command: string;
  /** When it took the lease (ISO 8601). */
  readonly since: string;
  /** Its time to live, ms. */
  readonly ttlMs: number;
}

/** Options of {@link acquireLease}. */
export interface LeaseOptions {
  /** The lease folder (created if missing). Default {@link leaseDir}. */
  readonly dir?: string;
  /** Time to live without a heartbeat, ms. Default 30000. */
  readonly ttlMs?: number;
  /** How often to look again while the board is leased, ms. Default 250. */
  readonly pollMs?: number;
  /** Longest wait for the board, ms. Default 600000. */
  readonly timeoutMs?: number;
  /** How often {@link LeaseOptions.onWaiting} is called again, ms. Default 10000. */
  readonly progressMs?: number;
  /** Stops the wait: the promise rejects with {@link LeaseWaitError} `'interrupted'`. */
  readonly signal?: AbortSignal;
  /** Told when the board is found leased, then every `progressMs` while it stays so. */
  readonly onWaiting?: (holder: LeaseHolder | null, waitedMs: number) => void;
  /** What the lease file says about this process. Default `process.argv` joined. */
  readonly command?: string;
  /** The clock of waits and heartbeats. Default the wall clock. */
  readonly clock?: Clock;
  /** Wall time in ms since the epoch, compared with the file's mtime. Default `Date.now`. */
  readonly now?: () => number;
  /** Whether process `pid` of this host is alive. Default: `kill(pid, 0)`. */
  readonly isAlive?: (pid: number) => boolean;
}

/** A lease held by this process. */
export interface BoardLease {
  /** The board. */
  readonly boardId: string;
  /** The lease file. */
  readonly file: string;
  /** This lease's holder record. */
  readonly holder: LeaseHolder;
  /** Calls `listener` once if the lease is lost (its file removed or taken over). */
  onLost(listener: (err: LeaseLostError) => void): void;
  /** Stops the heartbeat and deletes the file if it is still this lease's. Idempotent. */
  release(): void;
}

/** Waiting for a leased board ended without it. Message: `'board "<id>": <why>'`. */
export class LeaseWaitError extends Error {
  override readonly name = 'LeaseWaitError';
  /** The board. */
  readonly boardId: string;
  /** `'timeout'`: it stayed leased; `'interrupted'`: the wait was stopped. */
  readonly reason: 'timeout' | 'interrupted';
  /** Who held it last, if known. */
  readonly holder: LeaseHolder | null;

  constructor(boardId: string, reason: 'timeout' | 'interrupted', holder: LeaseHolder | null, waitedMs: number) {
    super(`board "${boardId}": ${reason === 'timeout' ? `still leased after ${Math.round(waitedMs / 1000)} s` : 'interrupted while waiting for its lease'}${holder === null ? '' : ` (by ${describeHolder(holder)})`}`);
    this.boardId = boardId;
    this.reason = reason;
    this.holder = holder;
  }
}

/** This process no longer holds its lease. Message: `'board "<id>": lease lost: <why>'`. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  /** The board. */
  readonly boardId: string;
  /** The lease file. */
  readonly file: string;

  constructor(boardId: string, file: string, why: string) {
    super(`board "${boardId}": lease lost: ${why}`);
    this.boardId = boardId;
    this.file = file;
  }
}

/** `pid 123 on host (command, since ...)`, for messages. */
export function describeHolder(h: LeaseHolder): string {
  return `pid ${h.pid} on ${h.host} (${h.command}, since ${h.since})`;
}

/**
 * True when a lease is stale: its holder (null: unreadable, being written) has not beaten for
 * its time to live (`ttlMs` when unknown), or runs on this host and is gone. Pure.
 */
export function leaseIsStale(holder: LeaseHolder | null, mtimeMs: number, nowMs: number, ttlMs: number, thisHost: string, isAlive: (pid: number) => boolean): boolean {
  if (nowMs - mtimeMs > (holder?.ttlMs ?? ttlMs)) return true;
  return holder !== null && holder.host === thisHost && !isAlive(holder.pid);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Seen {
  readonly holder: LeaseHolder | null;
  readonly ino: number;
  readonly mtimeMs: number;
}

function look(file: string): Seen | null {
  try {
    const st = statSync(file);
    let holder: LeaseHolder | null = null;
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as LeaseHolder;
    } catch {
      holder = null; // being written, or damaged: its mtime decides
    }
    return { holder, ino: st.ino, mtimeMs: st.mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Takes the lease on `boardId`, waiting while another live run holds it (polling every
 * `pollMs`, telling `onWaiting`), taking over a stale one. Resolves the held lease, which beats
 * until released. Rejects with {@link LeaseWaitError} on timeout or abort, or with the file
 * system's error (a lease folder that cannot be written).
 */
export function acquireLease(boardId: string, o: LeaseOptions = {}): Promise<BoardLease> {
  const dir = o.dir ?? leaseDir();
  const file = join(dir, `${boardId}.lease`);
  const clock = o.clock ?? systemClock;
  const now = o.now ?? Date.now;
  const isAlive = o.isAlive ?? processIsAlive;
  const ttlMs = o.ttlMs ?? LEASE_DEFAULTS.ttlMs;
  const pollMs = o.pollMs ?? LEASE_DEFAULTS.pollMs;
  const progressMs = o.progressMs ?? LEASE_DEFAULTS.progressMs;
  const timeoutMs = o.timeoutMs ?? LEASE_DEFAULTS.timeoutMs;
  const host = hostname();
  const holder: LeaseHolder = {
    token: randomBytes(8).toString('hex'), boardId, pid: process.pid, host,
    command: o.command ?? process.argv.slice(1).join(' '), since: new Date(now()).toISOString(), ttlMs,
  };
  mkdirSync(dir, { recursive: true });
  const started = clock.now();
  let lastReport = -Infinity;
  let lastHolder: LeaseHolder | null = null;

  /** One attempt: the held lease's fd, or null while someone else holds it. */
  const attempt = (): number | null => {
    for (let round = 0; round < 8; round++) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, JSON.stringify(holder));
        return fd;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const seen = look(file);
      if (seen === null) continue; // released just now
      lastHolder = seen.holder;
      if (!leaseIsStale(seen.holder, seen.mtimeMs, now(), ttlMs, host, isAlive)) return null;
      takeOver(file, seen, holder.token);
    }
    return null;
  };

  return new Promise<BoardLease>((resolve, reject) => {
    let timer = -1;
    const onAbort = (): void => finish(new LeaseWaitError(boardId, 'interrupted', lastHolder, clock.now() - started));
    const finish = (result: BoardLease | Error): void => {
      clock.clearTimer(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const tryNow = (): void => {
      let fd: number | null;
      try {
        fd = attempt();
      } catch (e) {
        finish(e as Error);
        return;
      }
      if (fd !== null) {
        finish(holdLease(boardId, file, fd, holder, clock));
        return;
      }
      const waited = clock.now() - started;
      if (waited >= timeoutMs) {
        finish(new LeaseWaitError(boardId, 'timeout', lastHolder, waited));
        return;
      }
      if (waited - lastReport >= progressMs) {
        lastReport = waited;
        o.onWaiting?.(lastHolder, waited);
      }
      timer = clock.setTimer(clock.now() + pollMs, tryNow, undefined);
    };
    if (o.signal?.aborted === true) {
      onAbort();
      return;
    }
    o.signal?.addEventListener('abort', onAbort);
    tryNow();
  });
}

/** Moves a stale lease file aside; deletes it if it is the one judged stale, else puts it back. */
function takeOver(file: string, seen: Seen, token: string): void {
  const aside = `${file}.${token}.stale`;
  try {
    renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (statSync(aside).ino !== seen.ino) {
    // Another taker replaced it in between: that lease is fresh; restore it unless yet another exists.
    try {
      linkSync(aside, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  unlinkSync(aside);
}

function holdLease(boardId: string, file: string, fd: number, holder: LeaseHolder, clock: Clock): BoardLease {
  const ino = fstatSync(fd).ino;
  const lostListeners: ((err: LeaseLostError) => void)[] = [];
  let released = false;
  let timer = -1;
  const lose = (why: string): void => {
    released = true;
    closeSync(fd);
    const err = new LeaseLostError(boardId, file, why);
    for (const l of lostListeners.splice(0)) l(err);
  };
  const beat = (): void => {
    if (released) return;
    let current: number | null;
    try {
      current = statSync(file).ino;
    } catch {
      current = null;
    }
    if (current !== ino) {
      lose(current === null ? `${file} was removed` : `${file} was taken over by another run`);
      return;
    }
    const t = new Date();
    futimesSync(fd, t, t);
    timer = clock.setTimer(clock.now() + holder.ttlMs / 3, beat, undefined);
  };
  timer = clock.setTimer(clock.now() + holder.ttlMs / 3, beat, undefined);
  return {
    boardId,
    file,
    holder,
    onLost: (listener) => {
      lostListeners.push(listener);
    },
    release: () => {
      if (released) return;
      released = true;
      clock.clearTimer(timer);
      try {
        if (statSync(file).ino === ino) unlinkSync(file);
      } catch {
        // already gone
      }
      closeSync(fd);
    },
  };
}
