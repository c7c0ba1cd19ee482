/** What a link counts, and where a link stands. */
import type { FrameErrorStatus } from '../../protocol/frame';

/**
 * Where a link stands:
 * - `Idle`: no session (host: before `open()`, or after a failed handshake; agent: before the
 *   first Hello, or after `restart()`);
 * - `Handshaking`: host, `open()` in progress;
 * - `Open`: in a session; `send()` works;
 * - `Failed`: the session ended with an AgentResetError or LinkTimeoutError (see the link's
 *   `failure`); the host may `open()` again;
 * - `Closed`: closed by `close()` or by the transport going away; final.
 *
 * The values are the lower-case names (`'idle'`, …), as error messages print them.
 */
export enum LinkState {
  Idle = 'idle',
  Handshaking = 'handshaking',
  Open = 'open',
  Failed = 'failed',
  Closed = 'closed',
}

/** Counters of a link since it was created (snapshots from its `stats`). */
export interface LinkStats {
  /** Frames written: packets, retransmissions, pure acks, Hellos. */
  framesSent: number;
  /** Frames received with a good CRC. */
  framesReceived: number;
  /** Frames dropped for a CRC-32 mismatch. */
  crcErrors: number;
  /** Frames dropped for bad COBS. */
  cobsErrors: number;
  /** Frames dropped for exceeding `maxFrameBytes`. */
  tooLong: number;
  /** Frames dropped for being shorter than a CRC. */
  tooShort: number;
  /** Good frames whose payload is not a Packet. */
  decodeErrors: number;
  /** Packets sent again by go-back-N (after a timeout or a duplicate ack). */
  retransmits: number;
  /** Go-back-N rounds started by a REJ from the peer instead of a timeout. */
  fastRetransmits: number;
  /** Keepalive probes sent. */
  keepalives: number;
  /** Smoothed round-trip time in ms (0 until measured). */
  srttMs: number;
  /** The retransmission timeout in force, in ms. */
  rtoMs: number;
  /** Sequenced packets received again after delivery, dropped. */
  duplicates: number;
  /** Sequenced packets received ahead of a missing one, dropped. */
  outOfOrder: number;
  /** Agent resets detected (a HelloReply with a new boot nonce). */
  resets: number;
  /** Pure acknowledgements sent. */
  acksSent: number;
  /** Sequenced packets delivered to `onPacket` listeners (unsequenced ones are not counted). */
  delivered: number;
  /** Packets that made no sense for this role and state (e.g. a Hello at the host), dropped. */
  unexpected: number;
  /** Bytes discarded because they arrived while the host was not in or opening a session. */
  staleBytes: number;
}

/** The counter each kind of bad frame adds to. */
export const FRAME_ERROR_COUNTERS: Readonly<Record<FrameErrorStatus, keyof LinkStats>> = {
  'crc-mismatch': 'crcErrors',
  'cobs-error': 'cobsErrors',
  'too-long': 'tooLong',
  'too-short': 'tooShort',
};

/** Every counter at 0, in the order a snapshot lists them. */
export function zeroLinkStats(): LinkStats {
  return {
    framesSent: 0,
    framesReceived: 0,
    crcErrors: 0,
    cobsErrors: 0,
    tooLong: 0,
    tooShort: 0,
    decodeErrors: 0,
    retransmits: 0,
    duplicates: 0,
    outOfOrder: 0,
    resets: 0,
    acksSent: 0,
    fastRetransmits: 0,
    keepalives: 0,
    srttMs: 0,
    rtoMs: 0,
    delivered: 0,
    unexpected: 0,
    staleBytes: 0,
  };
}
