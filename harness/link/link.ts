/**
 * The link layer: packets (protocol/messages.ts) in frames (protocol/frame.ts) over a
 * {@link Transport}, with a handshake, sequence numbers, cumulative acknowledgements, a send
 * window and go-back-N retransmission. One class serves both ends: `role: 'host'` opens
 * sessions, `role: 'agent'` answers them (the TS agent that serves the emulator over the wire;
 * the C agent implements the same rules).
 *
 * The rules on the wire:
 * - Handshake. The host sends a lone 0x00 (flushing the agent's frame decoder) and
 *   `Hello { protocol_version, host_nonce }` with a fresh random non-zero nonce, again every
 *   `helloIntervalMs`, until a HelloReply echoing that nonce arrives or `handshakeTimeoutMs`
 *   passes. Bytes received before `open()` are discarded. The agent answers every Hello; a Hello
 *   with a new host nonce starts a new session (sequence state reset, everything of the old
 *   session forgotten), a repeated one is answered again without a reset.
 * - Unsequenced packets (Hello, HelloReply, Reset) have seq 0 and are never acknowledged.
 * - Every other body is sequenced: seq 1, 2, 3, … per direction and session. Every packet but
 *   Hello and HelloReply carries `ack`, the highest seq received in order (cumulative). A
 *   receiver that owes an acknowledgement and sends nothing else for `ackDelayMs` sends a pure
 *   ack: seq 0, no body.
 * - At most `window` sequenced packets are unacknowledged (host to agent: HelloReply.window;
 *   agent to host: the agent's own `window` option); later ones wait in a queue of at most
 *   `maxQueuedPackets`.
 * - Go-back-N, recovered in round trips: the receiver delivers seq = delivered + 1 only; a
 *   duplicate (seq ≤ delivered) or an out-of-order packet (seq > delivered + 1) is dropped and
 *   counted, so a retransmitted Submit never runs twice. A duplicate is acknowledged again at
 *   once. The first out-of-order packet after a gap is answered at once with a pure ack that
 *   carries `rej` (HDLC's REJ): the sender sends every unacknowledged packet again without
 *   waiting for its timeout (at most once per round trip). One REJ per gap and round trip: the
 *   packets already on their way after the lost one do not each cause a round of their own.
 * - The retransmission timeout adapts to the round trips measured (RFC 6298: smoothed RTT plus
 *   four deviations, from packets sent once only, within `retransmitMinMs`..`retransmitMaxMs`,
 *   starting at `retransmitMs`) and doubles after each timeout. When nothing is acknowledged for
 *   `stallMs`, or `maxRetransmits` timeouts pass without progress, the host's link fails with
 *   LinkTimeoutError; an agent never gives up.
 * - Keepalive: while the host asks for it (a remote target with SQEs in flight), a link that has
 *   sent nothing for `keepaliveMs` sends a sequenced packet without a body. The agent
 *   acknowledges it (or, if it reset, answers with its new boot nonce), so a reset or silent
 *   board is noticed within `keepaliveMs + stallMs` even when the host has nothing to send.
 * - An agent that gets any packet but a Hello while it has no session (it just reset) answers
 *   with an unsolicited HelloReply, host nonce 0. A host that sees a HelloReply whose boot nonce
 *   differs from its session's fails the link with AgentResetError.
 * - Transports are FIFO, so nothing of an old session can arrive after the Hello of a new one.
 * Sequence numbers do not wrap: a session ends long before 2^32 packets.
 */
import { randomInt } from 'node:crypto';
import { DEFAULT_MAX_FRAME_BYTES, FRAME_DELIMITER, FrameDecoder, encodeFrame, frameMaxEncodedLength } from '../../protocol/frame';
import type { DecodedFrame } from '../../protocol/frame';
import type {
  BodyInit,
  Hello,
  HelloReply,
  Packet,
  PacketBodyOf,
  SequencedBodyKind,
  UnsequencedBodyKind,
} from '../../protocol/messages';
import { PROTOCOL_VERSION, UNSEQUENCED_BODY_KINDS, decodePacket, encodePacket, isDecodeError, packetBodyKind } from '../../protocol/messages';
import { AgentResetError, DisconnectedError, HandshakeTimeoutError, LinkTimeoutError, ProtocolVersionError } from './errors';
import type { LinkError } from './errors';
import type { Transport } from './transport';
import type { Clock, TimerId } from '../clock';
import { systemClock } from '../clock';

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
 * Received packets that make the link acknowledge at once instead of waiting `ackDelayMs` (as
 * TCP acknowledges every second segment), so a peer with a small window never stalls on acks.
 */
export const ACK_EVERY_PACKETS = 2;

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
 * Most bytes seq and ack add to a body-only packet: two one-byte tags and two 5-byte varints.
 * `send()` checks `frameMaxEncodedLength(body + 12)` against the peer's limit, so the frame fits
 * whatever seq and ack it is sent (and retransmitted) with.
 */
export const SEQ_ACK_MAX_BYTES = 12;

/** Which end of the wire a {@link Link} is. */
export type LinkRole = 'host' | 'agent';

/** Options of either role besides the limits. */
interface CommonLinkOptions {
  /** Time base of every timer (retransmission, acks, keepalive, handshake). Default: the wall clock. */
  clock?: Clock;
}

/** Options of a host-role {@link Link}: any limits to override. */
export interface HostLinkOptions extends Partial<LinkLimits>, CommonLinkOptions {
  /** Opens sessions with `open()`. */
  role: 'host';
}

/**
 * What an agent answers a Hello with. `hostNonce` is filled in by the link;
 * `protocolVersion`, `window` and `maxFrameBytes` default to PROTOCOL_VERSION and the link's
 * `window` and `maxFrameBytes` when left 0 or absent.
 */
export type HelloReplyInit = BodyInit<'helloReply'>;

/** Options of an agent-role {@link Link}. */
export interface AgentLinkOptions extends Partial<LinkLimits>, CommonLinkOptions {
  /** Answers sessions; serves from construction. */
  role: 'agent';
  /**
   * The reply to each Hello, or a function called for each session (and each unsolicited
   * reply) returning it, e.g. to report a new boot nonce after {@link Link.restart}.
   */
  helloReply: HelloReplyInit | (() => HelloReplyInit);
}

/** Options of {@link Link}, by role. */
export type LinkOptions = HostLinkOptions | AgentLinkOptions;

/**
 * Where a link stands:
 * - `'idle'`: no session (host: before `open()`, or after a failed handshake; agent: before the
 *   first Hello, or after `restart()`);
 * - `'handshaking'`: host, `open()` in progress;
 * - `'open'`: in a session; `send()` works;
 * - `'failed'`: the session ended with an AgentResetError or LinkTimeoutError (see
 *   {@link Link.failure}); the host may `open()` again;
 * - `'closed'`: closed by `close()` or by the transport going away; final.
 */
export type LinkState = 'idle' | 'handshaking' | 'open' | 'failed' | 'closed';

/** Counters of a {@link Link} since it was created (snapshots from {@link Link.stats}). */
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

interface Outgoing {
  readonly seq: number;
  /** The body's kind, or 'keepalive' for a sequenced packet without a body. */
  readonly kind: SequencedBodyKind | 'keepalive';
  /** The body alone, encoded: the tail of the packet after seq and ack. */
  readonly body: Uint8Array;
  /** When it was last sent, on the link's clock. */
  sentAt: number;
  /** Sent more than once: its acknowledgement says nothing of the round trip (Karn). */
  resent: boolean;
}

interface Handshake {
  readonly resolve: (reply: HelloReply) => void;
  readonly reject: (err: Error) => void;
  interval: TimerId;
  readonly timeout: TimerId;
}

/**
 * One end of the wire. Listeners are called synchronously from the transport's data callback;
 * an exception thrown by one is re-thrown asynchronously (an uncaught exception) after the
 * link's state is consistent.
 */
export class Link {
  /** Which end this is. */
  readonly role: LinkRole;
  /** The transport it owns (closed by {@link Link.close}). */
  readonly transport: Transport;
  /** The limits in force: the options over {@link LINK_DEFAULTS}. */
  readonly limits: Readonly<LinkLimits>;
  readonly #helloReply: (() => HelloReplyInit) | undefined;
  #state: LinkState;
  #failure: LinkError | undefined;
  #decoder: FrameDecoder;
  readonly #stats: LinkStats = {
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
  readonly #packetListeners: ((p: Packet) => void)[] = [];
  readonly #errorListeners: ((e: LinkError) => void)[] = [];
  readonly #sessionListeners: ((hello: Hello) => void)[] = [];
  #drainWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  #handshake: Handshake | undefined;
  #session: HelloReply | undefined;
  #hostNonce = 0;
  #window: number;
  #peerMaxFrameBytes: number;
  #nextSeq = 1;
  #unacked: Outgoing[] = [];
  #queue: Outgoing[] = [];
  readonly #clock: Clock;
  #retransmitTimer: TimerId = 0;
  #retransmitRounds = 0;
  /** When acknowledgements last made progress (or the first unacknowledged packet went out). */
  #progressAt = 0;
  #srtt = 0;
  #rttvar = 0;
  #rto: number;
  /** No fast retransmit before this time: the last one's packets are still on their way. */
  #fastHoldUntil = -Infinity;
  #keepalive = false;
  #keepaliveTimer: TimerId = 0;
  #lastSentAt = 0;
  #delivered = 0;
  /** `#delivered` when the last REJ was sent, or -1; and when. */
  #rejectedAt = -1;
  #rejectedTime = -Infinity;
  #ackTimer: TimerId = 0;
  #owedAcks = 0;

  /**
   * Attaches to `transport` at once (a host discards what arrives before `open()`; an agent
   * serves from now on). Throws `RangeError` naming the option when a limit is not an integer
   * in range, `TypeError` for an unknown role or an agent without `helloReply`.
   */
  constructor(transport: Transport, options: LinkOptions) {
    if (options.role !== 'host' && options.role !== 'agent') {
      throw new TypeError(`"role" must be 'host' or 'agent'; got ${String((options as { role?: unknown }).role)}`);
    }
    const limits = { ...LINK_DEFAULTS };
    for (const key of Object.keys(LINK_DEFAULTS) as (keyof LinkLimits)[]) {
      const value = options[key];
      if (value === undefined) continue;
      if (!Number.isSafeInteger(value) || value < MINIMUM[key]) {
        throw new RangeError(`"${key}" must be an integer >= ${MINIMUM[key]}; got ${String(value)}`);
      }
      limits[key] = value;
    }
    this.limits = Object.freeze(limits);
    this.role = options.role;
    this.#clock = options.clock ?? systemClock;
    this.#rto = limits.retransmitMs;
    this.transport = transport;
    if (options.role === 'agent') {
      const reply = options.helloReply as unknown;
      if (typeof reply === 'function') this.#helloReply = reply as () => HelloReplyInit;
      else if (typeof reply === 'object' && reply !== null) this.#helloReply = () => reply as HelloReplyInit;
      else throw new TypeError('"helloReply" must be a HelloReply or a function returning one');
    }
    this.#state = 'idle';
    this.#decoder = new FrameDecoder({ maxFrameBytes: limits.maxFrameBytes });
    this.#window = limits.window;
    this.#peerMaxFrameBytes = limits.maxFrameBytes;
    transport.onData((chunk) => this.#onData(chunk));
    transport.onClose((err) => this.#onTransportClose(err));
  }

  /** Where the link stands (see {@link LinkState}). */
  get state(): LinkState {
    return this.#state;
  }

  /** Why the link is `'failed'` or `'closed'`, when an error ended it; otherwise undefined. */
  get failure(): LinkError | undefined {
    return this.#failure;
  }

  /**
   * The session's HelloReply while in one: for the host, the agent's answer; for the agent, what
   * it answered. Undefined outside a session.
   */
  get session(): HelloReply | undefined {
    return this.#session;
  }

  /** Sequenced packets sent and not yet acknowledged; never more than the window. */
  get inFlight(): number {
    return this.#unacked.length;
  }

  /** Sequenced packets waiting for room in the window. */
  get queued(): number {
    return this.#queue.length;
  }

  /** A snapshot of the counters. */
  get stats(): LinkStats {
    return { ...this.#stats, srttMs: this.#srtt, rtoMs: this.#rto };
  }

  /**
   * Host: probes the agent with a sequenced packet without a body whenever the link has sent
   * nothing for `keepaliveMs` while `on` (a remote target turns it on while SQEs are in flight),
   * so a reset or silent agent is noticed without anything to send.
   */
  setKeepalive(on: boolean): void {
    if (this.#keepalive === on) return;
    this.#keepalive = on;
    if (on) this.#armKeepalive();
    else this.#stopKeepalive();
  }

  /**
   * Host: starts a session (see the module comment) and resolves the agent's HelloReply: build
   * id, boot nonce, limits and iodev table. A new `open()` on an open or failed link starts a
   * new session and drops what the old one had unacknowledged or queued. Rejects with
   * {@link HandshakeTimeoutError} (naming the port), {@link ProtocolVersionError}, `RangeError`
   * when the reply's window or max_frame_bytes is 0, or {@link DisconnectedError}; the link is
   * then `'idle'` (or `'closed'`). Throws `TypeError` on an agent, `Error` while another
   * `open()` is in progress or after `close()`.
   */
  open(): Promise<HelloReply> {
    if (this.role !== 'host') throw new TypeError('open() is for the host role; an agent link serves from construction');
    if (this.#state === 'handshaking') throw new Error('link: open() is already in progress');
    if (this.#state === 'closed') {
      return Promise.reject(this.#failure ?? new DisconnectedError(this.transport.description, 'the link is closed'));
    }
    this.#endSession(new Error('link: a new session was opened'));
    this.#state = 'handshaking';
    this.#failure = undefined;
    this.#decoder = new FrameDecoder({ maxFrameBytes: this.limits.maxFrameBytes });
    this.#hostNonce = randomInt(1, 2 ** 32);
    const hello = encodeFrame(encodePacket({ hello: { protocolVersion: PROTOCOL_VERSION, hostNonce: this.#hostNonce } }));
    const sendHello = (): void => {
      const bytes = new Uint8Array(hello.length + 1);
      bytes[0] = FRAME_DELIMITER;
      bytes.set(hello, 1);
      this.#write(bytes);
    };
    return new Promise<HelloReply>((resolve, reject) => {
      const { helloIntervalMs, handshakeTimeoutMs } = this.limits;
      const clock = this.#clock;
      const again = (): void => {
        sendHello();
        if (this.#handshake !== undefined) this.#handshake.interval = clock.setTimer(clock.now() + helloIntervalMs, again, undefined);
      };
      this.#handshake = {
        resolve,
        reject,
        interval: clock.setTimer(clock.now() + helloIntervalMs, again, undefined),
        timeout: clock.setTimer(clock.now() + handshakeTimeoutMs, () => {
          this.#endHandshake(new HandshakeTimeoutError(this.transport.description, handshakeTimeoutMs));
          this.#state = 'idle';
        }, undefined),
      };
      sendHello();
    });
  }

  /**
   * Sends a sequenced body (everything but Hello, HelloReply and Reset), now if the window has
   * room, else after the packets queued before it. Delivered to the peer once, in order, or the
   * link fails. Throws `RangeError` when the body cannot fit the peer's frame limit whatever its
   * seq and ack (`'"body" (submit, 2000 bytes) needs frames of up to 2027 bytes; memory
   * accepts 1033 (HelloReply.maxFrameBytes)'`) or the queue is full (maxQueuedPackets), `TypeError`
   * for an unsequenced or missing body, the failure when the link failed or closed, and `Error`
   * when there is no session yet.
   */
  send(body: PacketBodyOf<SequencedBodyKind>): void {
    const kind = packetBodyKind(body);
    if (kind === undefined) throw new TypeError('"body" has no body member');
    if ((UNSEQUENCED_BODY_KINDS as readonly string[]).includes(kind)) {
      throw new TypeError(`"body" (${kind}) is unsequenced: use sendUnsequenced(), or open() for the handshake`);
    }
    this.#requireSession('send()');
    const bytes = encodePacket(body);
    const worst = frameMaxEncodedLength(bytes.length + SEQ_ACK_MAX_BYTES);
    if (worst > this.#peerMaxFrameBytes) {
      const source = this.role === 'host' ? 'HelloReply.maxFrameBytes' : 'LinkOptions.maxFrameBytes';
      throw new RangeError(
        `"body" (${kind}, ${bytes.length} bytes) needs frames of up to ${worst} bytes; ${this.transport.description} accepts ${this.#peerMaxFrameBytes} (${source})`,
      );
    }
    const outgoing: Outgoing = { seq: this.#nextSeq, kind: kind as SequencedBodyKind, body: bytes, sentAt: 0, resent: false };
    if (this.#queue.length === 0 && this.#unacked.length < this.#window) {
      this.#nextSeq++;
      this.#unacked.push(outgoing);
      this.#transmit(outgoing);
      return;
    }
    if (this.#queue.length >= this.limits.maxQueuedPackets) {
      throw new RangeError(`"send" queue is full: ${this.#queue.length} packets wait for the window (maxQueuedPackets)`);
    }
    this.#nextSeq++;
    this.#queue.push(outgoing);
  }

  /**
   * Sends an unsequenced body now, once, unacknowledged: in practice `{ reset: {} }` from the
   * host (the agent comes back with a new boot nonce; `open()` again). Carries the current ack.
   * Throws `TypeError` for Hello and HelloReply (the handshake sends them) or a sequenced body,
   * and the failure (or `Error`) after `close()`.
   */
  sendUnsequenced(body: PacketBodyOf<UnsequencedBodyKind>): void {
    const kind = packetBodyKind(body);
    if (kind !== 'reset') throw new TypeError(`"body" (${String(kind)}) cannot be sent unsequenced: only reset can; the handshake sends hello and helloReply`);
    if (this.#state === 'closed') throw this.#failure ?? new Error('link: closed');
    this.#writePacket(encodePacket({ ack: this.#delivered, reset: body.reset ?? {} }));
  }

  /**
   * Resolves once every sequenced packet sent so far is acknowledged (at once when none is
   * pending). Rejects with the failure when the link fails or closes first.
   */
  drain(): Promise<void> {
    if (this.#unacked.length === 0 && this.#queue.length === 0) return Promise.resolve();
    if (this.#state === 'failed' || this.#state === 'closed') {
      return Promise.reject(this.#failure ?? new Error(`link: ${this.#state}`));
    }
    return new Promise((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }

  /**
   * Registers a listener for received packets: sequenced ones in order and exactly once each,
   * and the agent's Reset. Hello, HelloReply and pure acks are the link's own and not passed on.
   */
  onPacket(listener: (p: Packet) => void): void {
    this.#packetListeners.push(listener);
  }

  /**
   * Registers a listener for errors that end a session or the link: {@link AgentResetError} and
   * {@link LinkTimeoutError} (the link goes `'failed'`), {@link DisconnectedError} (`'closed'`;
   * during a handshake it also rejects `open()`). A handshake's own failures only reject
   * `open()`. Not told after `close()`.
   */
  onError(listener: (e: LinkError) => void): void {
    this.#errorListeners.push(listener);
  }

  /** Agent: registers a listener told of each new session, after its HelloReply is sent. */
  onSession(listener: (hello: Hello) => void): void {
    this.#sessionListeners.push(listener);
  }

  /**
   * Agent: forgets the session as a reset agent would (sequence state, unacknowledged and queued
   * packets dropped), goes `'idle'` and announces itself with an unsolicited HelloReply, as does
   * every packet but a Hello from then on; its boot nonce should be new. Throws `TypeError` on a
   * host.
   */
  restart(): void {
    if (this.role !== 'agent') throw new TypeError('restart() is for the agent role; a host calls open()');
    if (this.#state === 'closed') return;
    this.#endSession(new Error('link: the agent restarted'));
    this.#state = 'idle';
    // Announce the reboot, as the C agent does at boot: a host in a session learns of it at once.
    this.#sendHelloReply(0);
  }

  /**
   * Closes the link and its transport: timers stop, `open()` and `drain()` in progress reject
   * with a {@link DisconnectedError}, later calls fail. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#state !== 'closed') {
      const err = new DisconnectedError(this.transport.description, 'closed by this end');
      this.#endHandshake(err);
      this.#endSession(err);
      this.#state = 'closed';
    }
    await this.transport.close();
  }

  // ---- receiving

  #onData(chunk: Uint8Array): void {
    if (this.#state === 'closed') return;
    if (this.role === 'host' && (this.#state === 'idle' || this.#state === 'failed')) {
      this.#stats.staleBytes += chunk.length;
      return;
    }
    for (const frame of this.#decoder.push(chunk)) this.#onFrame(frame);
  }

  #onFrame(frame: DecodedFrame): void {
    if (this.#state === 'closed') return;
    switch (frame.status) {
      case 'ok':
        break;
      case 'crc-mismatch':
        this.#stats.crcErrors++;
        return;
      case 'cobs-error':
        this.#stats.cobsErrors++;
        return;
      case 'too-long':
        this.#stats.tooLong++;
        return;
      case 'too-short':
        this.#stats.tooShort++;
        return;
    }
    this.#stats.framesReceived++;
    const packet = decodePacket(frame.payload);
    if (isDecodeError(packet)) {
      this.#stats.decodeErrors++;
      return;
    }
    if (this.role === 'host') this.#hostReceive(packet);
    else this.#agentReceive(packet);
  }

  #hostReceive(p: Packet): void {
    if (p.body === 'helloReply') {
      this.#onHelloReply(p.helloReply);
      return;
    }
    if (this.#state !== 'open' || p.body === 'hello' || p.body === 'reset') {
      this.#stats.unexpected++;
      return;
    }
    this.#onSequencedOrAck(p);
  }

  #agentReceive(p: Packet): void {
    if (p.body === 'hello') {
      this.#onHello(p.hello);
      return;
    }
    if (this.#state !== 'open') {
      this.#sendHelloReply(0);
      return;
    }
    if (p.body === 'helloReply') {
      this.#stats.unexpected++;
      return;
    }
    if (p.body === 'reset') {
      this.#processAck(p.ack);
      this.#emitPacket(p);
      return;
    }
    this.#onSequencedOrAck(p);
  }

  #onSequencedOrAck(p: Packet): void {
    this.#processAck(p.ack);
    // The peer got a packet after a gap: the one it expects (after ack) is lost. Resend now.
    if (p.rej && this.#unacked.length > 0) this.#fastRetransmit();
    if (p.body === undefined && p.seq === 0) return;
    if (p.seq === 0) {
      this.#stats.unexpected++;
      return;
    }
    if (p.seq === this.#delivered + 1) {
      this.#delivered++;
      this.#oweAck();
      // A sequenced packet without a body is a keepalive: acknowledged, not delivered.
      if (p.body === undefined) return;
      this.#stats.delivered++;
      this.#emitPacket(p);
    } else if (p.seq <= this.#delivered) {
      this.#stats.duplicates++;
      this.#ackNow();
    } else {
      this.#stats.outOfOrder++;
      this.#reject();
    }
  }

  /**
   * Answers the first out-of-order packet after a gap with a REJ: resend from ack + 1. Another
   * for the same gap only a round trip later (its retransmission was lost too), so packets
   * already on their way after the first do not each cause a round of their own.
   */
  #reject(): void {
    const now = this.#clock.now();
    if (this.#rejectedAt === this.#delivered && now - this.#rejectedTime < Math.max(this.#srtt, this.limits.retransmitMinMs)) return;
    this.#rejectedAt = this.#delivered;
    this.#rejectedTime = now;
    this.#ackSent();
    this.#stats.acksSent++;
    this.#writePacket(encodePacket({ ack: this.#delivered, rej: true }));
  }

  #onHelloReply(reply: HelloReply): void {
    if (this.#state === 'handshaking') {
      if (reply.hostNonce !== this.#hostNonce) {
        this.#stats.unexpected++;
        return;
      }
      if (reply.protocolVersion !== PROTOCOL_VERSION) {
        this.#endHandshake(new ProtocolVersionError(PROTOCOL_VERSION, reply.protocolVersion));
        this.#state = 'idle';
        return;
      }
      for (const field of ['window', 'maxFrameBytes'] as const) {
        if (reply[field] === 0) {
          this.#endHandshake(new RangeError(`HelloReply.${field} from ${this.transport.description} is 0; it must be >= 1`));
          this.#state = 'idle';
          return;
        }
      }
      this.#resetSequencing();
      this.#session = reply;
      this.#window = reply.window;
      this.#peerMaxFrameBytes = reply.maxFrameBytes;
      this.#state = 'open';
      this.#armKeepalive();
      const handshake = this.#handshake;
      this.#endHandshake(undefined);
      handshake?.resolve(reply);
      return;
    }
    const session = this.#session;
    if (this.#state !== 'open' || session === undefined) {
      this.#stats.unexpected++;
      return;
    }
    if (reply.bootNonce !== session.bootNonce) {
      this.#stats.resets++;
      this.#fail(new AgentResetError(this.transport.description, session.bootNonce, reply.bootNonce), 'failed');
    } else if (reply.hostNonce !== this.#hostNonce) {
      this.#stats.unexpected++;
    }
  }

  #onHello(hello: Hello): void {
    if (this.#state === 'open' && hello.hostNonce === this.#hostNonce) {
      this.#sendHelloReply(hello.hostNonce);
      return;
    }
    this.#endSession(new Error('link: a new session was opened by the host'));
    this.#hostNonce = hello.hostNonce;
    this.#session = this.#sendHelloReply(hello.hostNonce);
    this.#state = 'open';
    for (const listener of [...this.#sessionListeners]) this.#call(listener, hello);
  }

  /** Agent: sends the HelloReply for `hostNonce` (0: unsolicited) and returns it as decoded. */
  #sendHelloReply(hostNonce: number): HelloReply {
    const init = this.#helloReply?.() ?? {};
    const bytes = encodePacket({
      helloReply: {
        ...init,
        protocolVersion: init.protocolVersion || PROTOCOL_VERSION,
        window: init.window || this.limits.window,
        maxFrameBytes: init.maxFrameBytes || this.limits.maxFrameBytes,
        hostNonce,
      },
    });
    this.#write(encodeFrame(bytes, { maxPayloadBytes: bytes.length }));
    const decoded = decodePacket(bytes);
    if (isDecodeError(decoded) || decoded.body !== 'helloReply') throw new Error('link: own HelloReply does not decode');
    return decoded.helloReply;
  }

  // ---- sending

  #transmit(o: Outgoing): void {
    const header = encodePacket({ seq: o.seq, ack: this.#delivered });
    const payload = new Uint8Array(header.length + o.body.length);
    payload.set(header);
    payload.set(o.body, header.length);
    if (this.#unacked[0] === o && !o.resent && o.sentAt === 0) this.#progressAt = this.#clock.now();
    o.sentAt = this.#clock.now();
    this.#writePacket(payload);
    this.#armRetransmit();
  }

  /** Frames and writes one packet that carries the current ack (so no pure ack is owed). */
  #writePacket(payload: Uint8Array): void {
    this.#ackSent();
    this.#write(encodeFrame(payload, { maxPayloadBytes: payload.length }));
  }

  #write(bytes: Uint8Array): void {
    this.#stats.framesSent++;
    this.#lastSentAt = this.#clock.now();
    this.#armKeepalive();
    this.transport.write(bytes).catch(() => {
      // A failed write means the transport is going away; its onClose reports that.
    });
  }

  /** Takes a cumulative ack; true when it acknowledged something new. */
  #processAck(ack: number): boolean {
    const now = this.#clock.now();
    let newest: Outgoing | undefined;
    while (this.#unacked.length > 0 && this.#unacked[0]!.seq <= ack) newest = this.#unacked.shift();
    if (newest === undefined) {
      if (ack >= this.#nextSeq) this.#stats.unexpected++;
      return false;
    }
    if (!newest.resent) this.#sampleRtt(now - newest.sentAt);
    this.#retransmitRounds = 0;
    this.#progressAt = now;
    this.#stopRetransmit();
    while (this.#queue.length > 0 && this.#unacked.length < this.#window) {
      const next = this.#queue.shift()!;
      this.#unacked.push(next);
      this.#transmit(next);
    }
    this.#armRetransmit();
    if (this.#unacked.length === 0 && this.#queue.length === 0) {
      for (const waiter of this.#drainWaiters.splice(0)) waiter.resolve();
    }
    return true;
  }

  /** RFC 6298: SRTT and RTTVAR from one sample; RTO = SRTT + 4 RTTVAR within the limits. */
  #sampleRtt(rtt: number): void {
    if (this.#srtt === 0) {
      this.#srtt = rtt;
      this.#rttvar = rtt / 2;
    } else {
      this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - rtt);
      this.#srtt = 0.875 * this.#srtt + 0.125 * rtt;
    }
    this.#rto = this.#clampRto(this.#srtt + 4 * this.#rttvar);
  }

  #clampRto(ms: number): number {
    return Math.min(this.limits.retransmitMaxMs, Math.max(this.limits.retransmitMinMs, ms));
  }

  #armRetransmit(): void {
    if (this.#retransmitTimer !== 0 || this.#unacked.length === 0) return;
    this.#retransmitTimer = this.#clock.setTimer(this.#clock.now() + this.#rto, () => this.#onRetransmitTimer(), undefined);
  }

  #stopRetransmit(): void {
    this.#clock.clearTimer(this.#retransmitTimer);
    this.#retransmitTimer = 0;
  }

  #onRetransmitTimer(): void {
    this.#retransmitTimer = 0;
    const oldest = this.#unacked[0];
    if (oldest === undefined) return;
    const { maxRetransmits, stallMs } = this.limits;
    const stalled = this.#clock.now() - this.#progressAt;
    if (this.role === 'host' && (stalled >= stallMs || this.#retransmitRounds >= maxRetransmits)) {
      this.#fail(new LinkTimeoutError(this.transport.description, oldest.seq, this.#retransmitRounds, stalled), 'failed');
      return;
    }
    this.#retransmitRounds++;
    this.#rto = Math.min(this.limits.retransmitMaxMs, this.#rto * 2);
    this.#resendAll();
    // Time out no later than the stall limit, however long the backed-off timeout is.
    if (this.role === 'host' && this.#retransmitTimer !== 0) {
      const due = Math.min(this.#clock.now() + this.#rto, this.#progressAt + stallMs);
      this.#stopRetransmit();
      this.#retransmitTimer = this.#clock.setTimer(due, () => this.#onRetransmitTimer(), undefined);
    }
  }

  /** Go-back-N: every unacknowledged packet again, in order, with the current ack. */
  #resendAll(): void {
    for (const o of this.#unacked) {
      this.#stats.retransmits++;
      o.resent = true;
      this.#transmit(o);
    }
  }

  #fastRetransmit(): void {
    const now = this.#clock.now();
    if (now < this.#fastHoldUntil) return;
    this.#stats.fastRetransmits++;
    // The duplicate acks still on their way answer packets sent before this round.
    this.#fastHoldUntil = now + Math.max(this.#srtt, this.limits.retransmitMinMs);
    this.#stopRetransmit();
    this.#resendAll();
  }

  /** Arms the keepalive `keepaliveMs` after `from` (default: the last frame sent). */
  #armKeepalive(from = this.#lastSentAt): void {
    if (!this.#keepalive || this.#state !== 'open') return;
    this.#clock.clearTimer(this.#keepaliveTimer);
    this.#keepaliveTimer = this.#clock.setTimer(from + this.limits.keepaliveMs, () => this.#onKeepalive(), undefined);
  }

  #stopKeepalive(): void {
    this.#clock.clearTimer(this.#keepaliveTimer);
    this.#keepaliveTimer = 0;
  }

  #onKeepalive(): void {
    this.#keepaliveTimer = 0;
    if (!this.#keepalive || this.#state !== 'open') return;
    if (this.#unacked.length === 0 && this.#queue.length === 0) {
      this.#stats.keepalives++;
      const probe: Outgoing = { seq: this.#nextSeq++, kind: 'keepalive', body: new Uint8Array(0), sentAt: 0, resent: false };
      this.#unacked.push(probe);
      this.#transmit(probe);
    } else {
      this.#armKeepalive(this.#clock.now()); // packets wait: their own timer watches the peer
    }
  }

  #oweAck(): void {
    if (++this.#owedAcks >= ACK_EVERY_PACKETS) {
      this.#ackNow();
      return;
    }
    if (this.#ackTimer !== 0) return;
    this.#ackTimer = this.#clock.setTimer(this.#clock.now() + this.limits.ackDelayMs, () => {
      this.#ackTimer = 0;
      this.#stats.acksSent++;
      this.#writePacket(encodePacket({ ack: this.#delivered }));
    }, undefined);
  }

  /** Sends a pure ack now (a duplicate ack, when nothing new was delivered). */
  #ackNow(): void {
    this.#ackSent();
    this.#stats.acksSent++;
    this.#writePacket(encodePacket({ ack: this.#delivered }));
  }

  #ackSent(): void {
    this.#clock.clearTimer(this.#ackTimer);
    this.#ackTimer = 0;
    this.#owedAcks = 0;
  }

  // ---- session and failure

  #requireSession(what: string): void {
    if (this.#state === 'open') return;
    if (this.#failure !== undefined && (this.#state === 'failed' || this.#state === 'closed')) throw this.#failure;
    throw new Error(`link: ${what} needs an open session; the link is ${this.#state}`);
  }

  #resetSequencing(): void {
    this.#stopRetransmit();
    this.#stopKeepalive();
    this.#ackSent();
    this.#nextSeq = 1;
    this.#unacked = [];
    this.#queue = [];
    this.#retransmitRounds = 0;
    this.#delivered = 0;
    this.#rejectedAt = -1;
    this.#fastHoldUntil = -Infinity;
  }

  /** Leaves the current session, if any: sequence state dropped, drain() callers rejected. */
  #endSession(err: Error): void {
    this.#resetSequencing();
    this.#session = undefined;
    for (const waiter of this.#drainWaiters.splice(0)) waiter.reject(err);
  }

  /** Stops a handshake in progress; rejects its `open()` with `err` unless undefined. */
  #endHandshake(err: Error | undefined): void {
    const handshake = this.#handshake;
    if (handshake === undefined) return;
    this.#handshake = undefined;
    this.#clock.clearTimer(handshake.interval);
    this.#clock.clearTimer(handshake.timeout);
    if (err !== undefined) handshake.reject(err);
  }

  #fail(err: LinkError, state: 'failed' | 'closed'): void {
    if (this.#state === 'closed') return;
    this.#failure = err;
    this.#endHandshake(err);
    this.#endSession(err);
    this.#state = state;
    for (const listener of [...this.#errorListeners]) this.#call(listener, err);
  }

  #onTransportClose(err: DisconnectedError | null): void {
    if (this.#state === 'closed') return;
    this.#fail(err ?? new DisconnectedError(this.transport.description, 'the transport was closed'), 'closed');
  }

  #emitPacket(p: Packet): void {
    for (const listener of [...this.#packetListeners]) this.#call(listener, p);
  }

  /** Calls a listener; an exception it throws is re-thrown on the next tick, not into the link. */
  #call<T>(listener: (value: T) => void, value: T): void {
    try {
      listener(value);
    } catch (e) {
      process.nextTick(() => {
        throw e;
      });
    }
  }
}
