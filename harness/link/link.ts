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
 * - Go-back-N: when the oldest unacknowledged packet has waited `retransmitMs` without any
 *   acknowledgement progress, every unacknowledged packet is sent again (with the current ack);
 *   after `maxRetransmits` rounds without progress the link fails with LinkTimeoutError.
 * - The receiver delivers seq = delivered + 1 only; a duplicate (seq ≤ delivered) or an
 *   out-of-order packet (seq > delivered + 1) is dropped, counted and acknowledged again, so a
 *   retransmitted Submit never runs twice.
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

/** The link's limits and timers. Every one is named, defaulted in {@link LINK_DEFAULTS} and enforced. */
export interface LinkLimits {
  /** Host: time between Hello retries during `open()`, in ms. Default 250. Integer >= 1. */
  helloIntervalMs: number;
  /** Host: time `open()` waits for a matching HelloReply, in ms. Default 3000. Integer >= 1. */
  handshakeTimeoutMs: number;
  /** Time an unacknowledged packet waits before go-back-N retransmission, in ms. Default 500. Integer >= 1. */
  retransmitMs: number;
  /** Retransmission rounds without progress before LinkTimeoutError. Default 5. Integer >= 0. */
  maxRetransmits: number;
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

/** Defaults of {@link LinkLimits}; QEMU's slowest UART needs ~70 ms per 1 KiB frame. */
export const LINK_DEFAULTS: Readonly<LinkLimits> = Object.freeze({
  helloIntervalMs: 250,
  handshakeTimeoutMs: 3000,
  retransmitMs: 500,
  maxRetransmits: 5,
  ackDelayMs: 10,
  window: 8,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxQueuedPackets: 1024,
});

const MINIMUM: Readonly<Record<keyof LinkLimits, number>> = {
  helloIntervalMs: 1,
  handshakeTimeoutMs: 1,
  retransmitMs: 1,
  maxRetransmits: 0,
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

/** Options of a host-role {@link Link}: any limits to override. */
export interface HostLinkOptions extends Partial<LinkLimits> {
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
export interface AgentLinkOptions extends Partial<LinkLimits> {
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
  /** Packets sent again by go-back-N. */
  retransmits: number;
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
  readonly kind: SequencedBodyKind;
  /** The body alone, encoded: the tail of the packet after seq and ack. */
  readonly body: Uint8Array;
}

interface Handshake {
  readonly resolve: (reply: HelloReply) => void;
  readonly reject: (err: Error) => void;
  readonly interval: NodeJS.Timeout;
  readonly timeout: NodeJS.Timeout;
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
  #retransmitTimer: NodeJS.Timeout | undefined;
  #retransmitRounds = 0;
  #delivered = 0;
  #ackTimer: NodeJS.Timeout | undefined;
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
    return { ...this.#stats };
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
      this.#handshake = {
        resolve,
        reject,
        interval: setInterval(sendHello, helloIntervalMs),
        timeout: setTimeout(() => {
          this.#endHandshake(new HandshakeTimeoutError(this.transport.description, handshakeTimeoutMs));
          this.#state = 'idle';
        }, handshakeTimeoutMs),
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
    const outgoing: Outgoing = { seq: this.#nextSeq, kind: kind as SequencedBodyKind, body: bytes };
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
   * packets dropped) and goes `'idle'`: the next packet that is not a Hello gets an unsolicited
   * HelloReply, whose boot nonce should be new. Throws `TypeError` on a host.
   */
  restart(): void {
    if (this.role !== 'agent') throw new TypeError('restart() is for the agent role; a host calls open()');
    if (this.#state === 'closed') return;
    this.#endSession(new Error('link: the agent restarted'));
    this.#state = 'idle';
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
    if (p.body === undefined) return;
    if (p.seq === 0) {
      this.#stats.unexpected++;
      return;
    }
    if (p.seq === this.#delivered + 1) {
      this.#delivered++;
      this.#stats.delivered++;
      this.#oweAck();
      this.#emitPacket(p);
    } else if (p.seq <= this.#delivered) {
      this.#stats.duplicates++;
      this.#oweAck();
    } else {
      this.#stats.outOfOrder++;
      this.#oweAck();
    }
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
    this.transport.write(bytes).catch(() => {
      // A failed write means the transport is going away; its onClose reports that.
    });
  }

  #processAck(ack: number): void {
    let progressed = false;
    while (this.#unacked.length > 0 && this.#unacked[0]!.seq <= ack) {
      this.#unacked.shift();
      progressed = true;
    }
    if (!progressed) {
      if (ack >= this.#nextSeq) this.#stats.unexpected++;
      return;
    }
    this.#retransmitRounds = 0;
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
  }

  #armRetransmit(): void {
    if (this.#retransmitTimer !== undefined || this.#unacked.length === 0) return;
    this.#retransmitTimer = setTimeout(() => this.#onRetransmitTimer(), this.limits.retransmitMs);
  }

  #stopRetransmit(): void {
    clearTimeout(this.#retransmitTimer);
    this.#retransmitTimer = undefined;
  }

  #onRetransmitTimer(): void {
    this.#retransmitTimer = undefined;
    const oldest = this.#unacked[0];
    if (oldest === undefined) return;
    const { maxRetransmits, retransmitMs } = this.limits;
    if (this.#retransmitRounds >= maxRetransmits) {
      this.#fail(new LinkTimeoutError(this.transport.description, oldest.seq, this.#retransmitRounds, retransmitMs), 'failed');
      return;
    }
    this.#retransmitRounds++;
    for (const o of this.#unacked) {
      this.#stats.retransmits++;
      this.#transmit(o);
    }
  }

  #oweAck(): void {
    if (++this.#owedAcks >= ACK_EVERY_PACKETS) {
      this.#ackSent();
      this.#stats.acksSent++;
      this.#writePacket(encodePacket({ ack: this.#delivered }));
      return;
    }
    if (this.#ackTimer !== undefined) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = undefined;
      this.#stats.acksSent++;
      this.#writePacket(encodePacket({ ack: this.#delivered }));
    }, this.limits.ackDelayMs);
  }

  #ackSent(): void {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
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
    this.#ackSent();
    this.#nextSeq = 1;
    this.#unacked = [];
    this.#queue = [];
    this.#retransmitRounds = 0;
    this.#delivered = 0;
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
    clearInterval(handshake.interval);
    clearTimeout(handshake.timeout);
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
