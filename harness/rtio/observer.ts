/**
 * The one place contexts report what they do to whoever watches them (a recorder of golden
 * traces, a timeline tracer: harness/record, harness/trace). Nothing watches by default; each
 * event then costs one property read. Contexts are passed as `object` (the `Rtio`), so this module
 * depends on nothing but the SQE types.
 */
import type { IodevSqe } from './sqe';

/** What a watcher of RTIO contexts is told, synchronously, as it happens. */
export interface RtioObserver {
  /** Context `r` starts the validated SQ `sq` (in acquire order, chains linked by their flags). */
  submitted(r: object, sq: readonly IodevSqe[]): void;
  /** The executor hands unit `s` to its iodev (host-run units only; shipped chains are in `submitted`). */
  started(r: object, s: IodevSqe): void;
  /**
   * Context `r` posts a completion for `s` (null: `cqeSubmit` by the user) with `result` and
   * `flags`; an RX's bytes are in its buffer (or mempool block) when this is called.
   */
  completed(r: object, s: IodevSqe | null, result: number, flags: number): void;
  /** `sqeCancel(s)` on context `r` answered `result` (0, `-EALREADY` or `-ENOENT`). */
  canceled(r: object, s: IodevSqe, result: number): void;
  /** `sqeSignal` was called for AWAIT `s`. */
  signaled(s: IodevSqe): void;
  /** The user gives mempool buffer `buf` back to context `r` (`releaseBuffer`). */
  released(r: object, buf: Uint8Array): void;
  /** `sqeAcquire` on context `r` handed out an SQE. */
  acquired(r: object): void;
  /** `cqeConsume` on context `r` handed out a completion of `result`. */
  consumed(r: object, result: number): void;
}

const SHARED = Symbol.for('rtio-hil.rtio-observers');

/**
 * The current watcher; set with {@link setRtioObserver}. One per process, even when both the
 * built and the source copy of rtio-hil are loaded (a suite's and a hook's).
 */
export const rtioObservers = ((globalThis as Record<symbol, unknown>)[SHARED] ??= { current: null }) as { current: RtioObserver | null };

/** Installs `o` as the watcher of every context (null: none); returns the one it replaces. */
export function setRtioObserver(o: RtioObserver | null): RtioObserver | null {
  const before = rtioObservers.current;
  rtioObservers.current = o;
  return before;
}
