/** The link's named limits and timers, their defaults, and the check every link applies to them. */
import { DEFAULT_MAX_FRAME_BYTES } from '../../protocol/frame';
import { SEQ_ACK_MAX_BYTES as PROTOCOL_SEQ_ACK_MAX_BYTES } from '../../protocol/messages';

/** The link's limits and timers. Every one is named, defaulted in {@link LINK_DEFAULTS} and enforced. */
export interface LinkLimits {
  /** Host: time between Hello retries during `open()`, in ms. Default 250. Integer >= 1. */
  helloIntervalMs: number;
  /** Host: time `open()` waits for a matching HelloReply, in ms. Default 3000. Integer >= 1. */
  handshakeTimeoutMs: number;
  /** Retransmission timeout before the first round trip is measured, in ms. Default 100. Integer >= 1. */
  retransmitMs: number;
  /** Floor of the adaptive retransmission timeout, in ms. Default 5. Integer >= 1. */
  retransmitMinMs: number;
  /** Ceiling of the adaptive retransmission timeout (after backing off), in ms. Default 250. Integer >= 1. */
  retransmitMaxMs: number;
  /**
   * Host: time without any acknowledgement progress while packets wait before LinkTimeoutError,
   * in ms. Default 750. Integer >= 1. Raise it for a board that may be halted by a debugger.
   */
  stallMs: number;
  /** Host: retransmission timeouts in a row without progress before LinkTimeoutError. Default 64. Integer >= 0. */
  maxRetransmits: number;
  /** Host: with keepalive on, how long the link may send nothing before it probes the agent, in ms. Default 250. Integer >= 1. */
  keepaliveMs: number;
  /** Time an owed acknowledgement waits for a packet to ride on before a pure ack, in ms. Default 10. Integer >= 0. */
  ackDelayMs: number;
  /**
   * Agent: sequenced packets it may have unacknowledged (host to agent is the agent's
   * HelloReply.window), and the HelloReply.window it advertises when its reply leaves it 0.
   * Default 8. Integer >= 1.
   */
  window: number;
  /**
   * Largest frame this end accepts, in encoded bytes between delimiters (the frame decoder's
   * bound; longer frames are counted as too-long and dropped). Agent: also the limit it assumes
   * for the host, and the HelloReply.max_frame_bytes it advertises when its reply leaves it 0.
   * Default DEFAULT_MAX_FRAME_BYTES (1033). Integer >= 1.
   */
  maxFrameBytes: number;
  /** Sequenced packets that may wait for the window before `send()` throws. Default 1024. Integer >= 0. */
  maxQueuedPackets: number;
}

/**
 * Defaults of {@link LinkLimits}: a silent or reset board is noticed within keepaliveMs + stallMs
 * = 1 s; QEMU's slowest UART needs ~70 ms per 1 KiB frame, which the adaptive timeout learns.
 */
export const LINK_DEFAULTS: Readonly<LinkLimits> = Object.freeze({
  helloIntervalMs: 250,
  handshakeTimeoutMs: 3000,
  retransmitMs: 100,
  retransmitMinMs: 5,
  retransmitMaxMs: 250,
  stallMs: 750,
  maxRetransmits: 64,
  keepaliveMs: 250,
  ackDelayMs: 10,
  window: 8,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxQueuedPackets: 1024,
});

/** The least value of each limit (the "Integer >= n" of its documentation). */
const MINIMUM: Readonly<Record<keyof LinkLimits, number>> = {
  helloIntervalMs: 1,
  handshakeTimeoutMs: 1,
  retransmitMs: 1,
  retransmitMinMs: 1,
  retransmitMaxMs: 1,
  stallMs: 1,
  maxRetransmits: 0,
  keepaliveMs: 1,
  ackDelayMs: 0,
  window: 1,
  maxFrameBytes: 1,
  maxQueuedPackets: 0,
};

/**
 * Received packets that make the link acknowledge at once instead of waiting `ackDelayMs` (as
 * TCP acknowledges every second segment), so a peer with a small window never stalls on acks.
 */
export const ACK_EVERY_PACKETS = 2;

/**
 * Most bytes seq and ack add to a body-only packet: two one-byte tags and two 5-byte varints.
 * `send()` checks `frameMaxEncodedLength(body + 12)` against the peer's limit, so the frame fits
 * whatever seq and ack it is sent (and retransmitted) with.
 */
export const SEQ_ACK_MAX_BYTES = PROTOCOL_SEQ_ACK_MAX_BYTES;

/**
 * The limits in force: `overrides` over {@link LINK_DEFAULTS}, frozen. Keys that are not limits
 * are ignored. Throws `RangeError` naming the option when a value is not an integer in range
 * (`'"window" must be an integer >= 1; got 1.5'`).
 */
export function resolveLimits(overrides: Partial<LinkLimits>): Readonly<LinkLimits> {
  const limits = { ...LINK_DEFAULTS };
  for (const key of Object.keys(LINK_DEFAULTS) as (keyof LinkLimits)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < MINIMUM[key]) {
      throw new RangeError(`"${key}" must be an integer >= ${MINIMUM[key]}; got ${String(value)}`);
    }
    limits[key] = value;
  }
  return Object.freeze(limits);
}
