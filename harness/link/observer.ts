/**
 * The one place links report their traffic to whoever watches (the timeline tracer,
 * harness/trace). Nothing watches by default; each event then costs one property read. Links are
 * passed as `object` (the `LinkCore` of either end), so this module depends on nothing.
 */

/** What a watcher of links is told, synchronously, as it happens. */
export interface LinkObserver {
  /** `link` wrote `bytes` bytes: one or more frames. */
  frameSent(link: object, bytes: number): void;
  /** `link` received a well-formed frame carrying a packet with body `body` (e.g. `'complete'`) and sequence number `seq` (0: unsequenced). */
  frameReceived(link: object, body: string, seq: number): void;
  /** The sender of `link` sends packet `seq` again (a timeout or a REJ). */
  retransmit(link: object, seq: number): void;
  /** `link` saw its peer reset (a new boot nonce). */
  peerReset(link: object): void;
  /** A device log line arrived over `link`. */
  deviceLog(link: object, level: number, text: string): void;
}

const SHARED = Symbol.for('rtio-hil.link-observers');

/** The current watcher; set with {@link setLinkObserver}. One per process, as rtio's (harness/rtio/observer.ts). */
export const linkObservers = ((globalThis as Record<symbol, unknown>)[SHARED] ??= { current: null }) as { current: LinkObserver | null };

/** Installs `o` as the watcher of every link (null: none); returns the one it replaces. */
export function setLinkObserver(o: LinkObserver | null): LinkObserver | null {
  const before = linkObservers.current;
  linkObservers.current = o;
  return before;
}
