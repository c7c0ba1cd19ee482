/**
 * What both ends of the link share (docs/wire.md, "Link"; the C agent keeps the same rules):
 * packets (protocol/messages.ts) in frames (protocol/frame.ts) over a {@link Transport}.
 * - Unsequenced packets (Hello, HelloReply, Reset) have seq 0 and are never acknowledged.
 * - Every other body is sequenced: seq 1, 2, 3, … per direction and session, delivered once and
 *   in order; every packet but Hello and HelloReply carries `ack`, the highest seq received in
 *   order (cumulative). Go-back-N recovered in round trips: sender.ts sends (the window and its
 *   queue, retransmission after a timeout or a REJ, the adaptive timeout of rtt.ts),
 *   receiver.ts receives (in-order delivery, delayed and pure acks, a REJ after a gap).
 * - When nothing is acknowledged for long, the role decides: `HostLink` (host.ts) fails the
 *   link, `AgentLink` (agent.ts) keeps trying.
 * - Transports are FIFO, so nothing of an old session can arrive after the Hello of a new one.
 * Sequence numbers do not wrap: a session ends long before 2^32 packets.
 */
import { FrameDecoder, encodeFrame, frameMaxEncodedLength } from '../../protocol/frame';
import type { DecodedFrame } from '../../protocol/frame';
import type { BodyInit, HelloReply, Packet, PacketBodyOf, SequencedBodyKind } from '../../protocol/messages';
import { UNSEQUENCED_BODY_KINDS, decodePacket, encodePacket, encodeSeqAck, isDecodeError, packetBodyKind } from '../../protocol/messages';
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import { DisconnectedError } from './errors';
import type { LinkError } from './errors';
import { SEQ_ACK_MAX_BYTES, resolveLimits } from './limits';
import { linkObservers } from './observer';
import type { LinkLimits } from './limits';
import { Arrival, Receiver } from './receiver';
import type { AckFlags } from './receiver';
import { RttEstimator } from './rtt';
import { Sender } from './sender';
import type { SenderLink } from './sender';
import { FRAME_ERROR_COUNTERS, LinkState, zeroLinkStats } from './stats';
import type { LinkStats } from './stats';
import type { Transport } from './transport';

/** Options of either end: any limits to override, and the clock. */
export interface LinkCoreOptions extends Partial<LinkLimits> {
  /** Time base of every timer (retransmission, acks, keepalive, handshake). Default: the wall clock. */
  clock?: Clock;
}

/**
 * One end of the wire, either role. Listeners are called synchronously from the transport's
 * data callback; an exception thrown by one is re-thrown asynchronously (an uncaught exception)
 * after the link's state is consistent.
 */
export abstract class LinkCore {
  /** The transport it owns (closed by {@link LinkCore.close}). */
  readonly transport: Transport;
  /** The limits in force: the options over LINK_DEFAULTS. */
  readonly limits: Readonly<LinkLimits>;
  /** The time base of its timers. */
  protected readonly clock: Clock;
  /** The counters; a role adds to its own (keepalives, resets, staleBytes, unexpected). */
  protected readonly counters: LinkStats = zeroLinkStats();
  #state = LinkState.Idle;
  #failure: LinkError | undefined;
  #decoder: FrameDecoder;
  readonly #packetListeners: ((p: Packet) => void)[] = [];
  readonly #errorListeners: ((e: LinkError) => void)[] = [];
  #drainWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  #session: HelloReply | undefined;
  #peerMaxFrameBytes: number;
  readonly #rtt: RttEstimator;
  readonly #sender: Sender;
  readonly #receiver: Receiver;
  #lastSentAt = 0;

  /**
   * Attaches to `transport` at once. Throws `RangeError` naming the option when a limit is not
   * an integer in range.
   */
  protected constructor(transport: Transport, options: LinkCoreOptions) {
    this.limits = resolveLimits(options);
    this.clock = options.clock ?? systemClock;
    this.#rtt = new RttEstimator(this.limits);
    this.#sender = new Sender(this.#senderLink(), this.clock, this.limits, this.#rtt, this.counters);
    this.#receiver = new Receiver((flags) => this.#sendAck(flags), this.clock, this.limits, this.#rtt, this.counters);
    this.transport = transport;
    this.#decoder = new FrameDecoder({ maxFrameBytes: this.limits.maxFrameBytes });
    this.#peerMaxFrameBytes = this.limits.maxFrameBytes;
    transport.onData((chunk) => this.#onData(chunk));
    transport.onClose((err) => this.#onTransportClose(err));
  }

  /** Where the link stands (see {@link LinkState}). */
  get state(): LinkState {
    return this.#state;
  }

  /** Why the link is `Failed` or `Closed`, when an error ended it; otherwise undefined. */
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
    return this.#sender.inFlight;
  }

  /** Sequenced packets waiting for room in the window. */
  get queued(): number {
    return this.#sender.queued;
  }

  /** A snapshot of the counters. */
  get stats(): LinkStats {
    return { ...this.counters, srttMs: this.#rtt.srttMs, rtoMs: this.#rtt.rtoMs };
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
      throw new RangeError(
        `"body" (${kind}, ${bytes.length} bytes) needs frames of up to ${worst} bytes; ${this.transport.description} accepts ${this.#peerMaxFrameBytes} (${this.peerLimitSource})`,
      );
    }
    this.#sender.send(bytes);
  }

  /**
   * Resolves once every sequenced packet sent so far is acknowledged (at once when none is
   * pending). Rejects with the failure when the link fails or closes first.
   */
  drain(): Promise<void> {
    if (this.#sender.idle) return Promise.resolve();
    if (this.#state === LinkState.Failed || this.#state === LinkState.Closed) {
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
   * Registers a listener for errors that end a session or the link: AgentResetError and
   * LinkTimeoutError (the link goes `Failed`), DisconnectedError (`Closed`; during a handshake it
   * also rejects `open()`). A handshake's own failures only reject `open()`. Not told after
   * `close()`.
   */
  onError(listener: (e: LinkError) => void): void {
    this.#errorListeners.push(listener);
  }

  /**
   * Closes the link and its transport: timers stop, `open()` and `drain()` in progress reject
   * with a {@link DisconnectedError}, later calls fail. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#state !== LinkState.Closed) {
      const err = new DisconnectedError(this.transport.description, 'closed by this end');
      this.abort(err);
      this.endSession(err);
      this.#state = LinkState.Closed;
    }
    await this.transport.close();
  }

  // ---- what a role decides

  /** Handles a decoded packet: the role's own, or {@link LinkCore.receiveSequenced}. */
  protected abstract receive(p: Packet): void;

  /** True while received bytes are for this end; otherwise they are counted as stale and dropped. */
  protected abstract acceptsBytes(): boolean;

  /** Names the peer's frame limit in `send()`'s RangeError. */
  protected abstract readonly peerLimitSource: string;

  /**
   * The retransmission timer expired with `seq` the oldest unacknowledged packet, after `rounds`
   * timeouts without progress and `stalledMs` without an acknowledgement: true when the role
   * gave up (and failed the link), false to send everything again.
   */
  protected abstract retransmitExpired(seq: number, rounds: number, stalledMs: number): boolean;

  /** The time by which acknowledgements must progress again, given when they last did; undefined for no limit. */
  protected abstract stallDeadline(progressAt: number): number | undefined;

  /** Stops what the role has under way outside the session (the host's handshake): the link fails or closes with `err`. */
  protected abort(_err: Error): void {}

  /** A frame was just written (the host re-arms its keepalive). */
  protected wrote(): void {}

  /** The session's sequence state was just dropped (the host stops its keepalive). */
  protected sequencingReset(): void {}

  // ---- for the roles

  /** Moves to `state` (the roles' own transitions: handshake, idle). */
  protected setState(state: LinkState): void {
    this.#state = state;
  }

  /** When the last frame was written, on the link's clock. */
  protected get lastSentAt(): number {
    return this.#lastSentAt;
  }

  /** Leaves any session and failure behind and empties the frame decoder, going `Handshaking`. */
  protected reopen(): void {
    this.endSession(new Error('link: a new session was opened'));
    this.#state = LinkState.Handshaking;
    this.#failure = undefined;
    this.#decoder = new FrameDecoder({ maxFrameBytes: this.limits.maxFrameBytes });
  }

  /** Enters a session numbered from 1: `window` and `peerMaxFrameBytes` bound what this end sends. */
  protected openSession(session: HelloReply, window: number, peerMaxFrameBytes: number): void {
    this.#resetSequencing();
    this.#session = session;
    this.#sender.window = window;
    this.#peerMaxFrameBytes = peerMaxFrameBytes;
    this.#state = LinkState.Open;
  }

  /** Leaves the current session, if any: sequence state dropped, drain() callers rejected. */
  protected endSession(err: Error): void {
    this.#resetSequencing();
    this.#session = undefined;
    for (const waiter of this.#drainWaiters.splice(0)) waiter.reject(err);
  }

  /** Ends the session (and a handshake) with `err` and tells the error listeners. */
  protected fail(err: LinkError, state: LinkState.Failed | LinkState.Closed): void {
    if (this.#state === LinkState.Closed) return;
    this.#failure = err;
    this.abort(err);
    this.endSession(err);
    this.#state = state;
    for (const listener of [...this.#errorListeners]) this.notify(listener, err);
  }

  /** Sends a keepalive: a sequenced packet without a body, acknowledged but not delivered. */
  protected sendKeepalive(): void {
    this.#sender.send(new Uint8Array(0));
  }

  /** Sends an unsequenced Reset now, carrying the current ack. */
  protected sendReset(reset: BodyInit<'reset'>): void {
    this.#writePacket(encodePacket({ ack: this.#receiver.delivered, reset }));
  }

  /** Frames and writes a payload that carries no ack (Hello, HelloReply). */
  protected writeFrame(payload: Uint8Array): void {
    this.write(encodeFrame(payload, { maxPayloadBytes: payload.length }));
  }

  /** Writes bytes as they are: one or more frames. */
  protected write(bytes: Uint8Array): void {
    this.counters.framesSent++;
    linkObservers.current?.frameSent(this, bytes.length);
    this.#lastSentAt = this.clock.now();
    this.wrote();
    this.transport.write(bytes).catch(() => {
      // A failed write means the transport is going away; its onClose reports that.
    });
  }

  /** Hands a packet to the packet listeners. */
  protected emit(p: Packet): void {
    for (const listener of [...this.#packetListeners]) this.notify(listener, p);
  }

  /** Calls a listener; an exception it throws is re-thrown on the next tick, not into the link. */
  protected notify<T>(listener: (value: T) => void, value: T): void {
    try {
      listener(value);
    } catch (e) {
      process.nextTick(() => {
        throw e;
      });
    }
  }

  /**
   * Takes a packet of the session: its ack, its REJ, and its body when it is the next in
   * sequence (a body-less one is a keepalive: acknowledged, not delivered).
   */
  protected receiveSequenced(p: Packet): void {
    this.takeAck(p.ack);
    // The peer got a packet after a gap: the one it expects (after ack) is lost. Resend now.
    if (p.rej) this.#sender.fastRetransmit();
    if (p.body === undefined && p.seq === 0) return;
    if (p.seq === 0) {
      this.counters.unexpected++;
      return;
    }
    if (this.#receiver.receive(p.seq) !== Arrival.Next || p.body === undefined) return;
    this.counters.delivered++;
    this.emit(p);
  }

  /** Takes a cumulative ack; `drain()` callers are told once nothing is left unacknowledged. */
  protected takeAck(ack: number): void {
    if (!this.#sender.takeAck(ack) || !this.#sender.idle) return;
    for (const waiter of this.#drainWaiters.splice(0)) waiter.resolve();
  }

  // ---- the wire

  #onData(chunk: Uint8Array): void {
    if (this.#state === LinkState.Closed) return;
    if (!this.acceptsBytes()) {
      this.counters.staleBytes += chunk.length;
      return;
    }
    for (const frame of this.#decoder.push(chunk)) this.#onFrame(frame);
  }

  #onFrame(frame: DecodedFrame): void {
    if (this.#state === LinkState.Closed) return;
    if (frame.status !== 'ok') {
      this.counters[FRAME_ERROR_COUNTERS[frame.status]]++;
      return;
    }
    this.counters.framesReceived++;
    const packet = decodePacket(frame.payload);
    if (isDecodeError(packet)) {
      this.counters.decodeErrors++;
      return;
    }
    linkObservers.current?.frameReceived(this, packet.body ?? 'ack', packet.seq);
    this.receive(packet);
  }

  /** What the sender needs of this link: writing a numbered packet, and the role's limits. */
  #senderLink(): SenderLink {
    return {
      transmit: (seq, body) => {
        const payload = new Uint8Array(SEQ_ACK_MAX_BYTES + body.length);
        const head = encodeSeqAck(payload, 0, seq, this.#receiver.delivered);
        payload.set(body, head);
        this.#writePacket(payload.subarray(0, head + body.length));
      },
      retransmitExpired: (seq, rounds, stalledMs) => this.retransmitExpired(seq, rounds, stalledMs),
      stallDeadline: (progressAt) => this.stallDeadline(progressAt),
    };
  }

  /** A pure ack (or REJ) of what was delivered. */
  #sendAck(flags: AckFlags): void {
    this.#writePacket(encodePacket({ ack: this.#receiver.delivered, ...flags }));
  }

  /** Frames and writes one packet that carries the current ack (so no pure ack is owed). */
  #writePacket(payload: Uint8Array): void {
    this.#receiver.ackSent();
    this.writeFrame(payload);
  }

  #requireSession(what: string): void {
    if (this.#state === LinkState.Open) return;
    if (this.#failure !== undefined && (this.#state === LinkState.Failed || this.#state === LinkState.Closed)) throw this.#failure;
    throw new Error(`link: ${what} needs an open session; the link is ${this.#state}`);
  }

  #resetSequencing(): void {
    this.#sender.reset();
    this.sequencingReset();
    this.#receiver.reset();
  }

  #onTransportClose(err: DisconnectedError | null): void {
    if (this.#state === LinkState.Closed) return;
    this.fail(err ?? new DisconnectedError(this.transport.description, 'the transport was closed'), LinkState.Closed);
  }
}
