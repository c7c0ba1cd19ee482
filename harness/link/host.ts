/**
 * The host's end of the link: it opens sessions, probes an idle agent, and gives up on one that
 * goes silent or resets. The rules both ends keep are in core.ts; the host adds:
 * - Handshake. `open()` sends a lone 0x00 (flushing the agent's frame decoder) and
 *   `Hello { protocol_version, host_nonce }` with a fresh random non-zero nonce, again every
 *   `helloIntervalMs`, until a HelloReply echoing that nonce arrives or `handshakeTimeoutMs`
 *   passes. Bytes received outside a handshake or session are discarded.
 * - Giving up. When nothing is acknowledged for `stallMs` while packets wait, or
 *   `maxRetransmits` timeouts pass without progress, the link fails with LinkTimeoutError.
 * - Keepalive. While the host asks for it (a remote target with SQEs in flight), a link that has
 *   sent nothing for `keepaliveMs` sends a sequenced packet without a body. The agent
 *   acknowledges it (or, if it reset, answers with its new boot nonce), so a reset or silent
 *   board is noticed within `keepaliveMs + stallMs` even when the host has nothing to send.
 * - Resets. A HelloReply whose boot nonce differs from the session's fails the link with
 *   AgentResetError.
 */
import { randomInt } from 'node:crypto';
import { FRAME_DELIMITER, encodeFrame } from '../../protocol/frame';
import type { HelloReply, Packet, PacketBodyOf } from '../../protocol/messages';
import { PROTOCOL_VERSION, encodePacket, packetBodyKind } from '../../protocol/messages';
import type { TimerId } from '../clock';
import { LinkCore } from './core';
import type { LinkCoreOptions } from './core';
import { AgentResetError, DisconnectedError, HandshakeTimeoutError, LinkTimeoutError, ProtocolVersionError } from './errors';
import { linkObservers } from './observer';
import { LinkState } from './stats';
import type { Transport } from './transport';

/** Options of a {@link HostLink}: any limits to override, and the clock. */
export type HostLinkOptions = LinkCoreOptions;

interface Handshake {
  readonly resolve: (reply: HelloReply) => void;
  readonly reject: (err: Error) => void;
  interval: TimerId;
  readonly timeout: TimerId;
}

/** The host's end of the wire: `open()` starts a session with the agent behind `transport`. */
export class HostLink extends LinkCore {
  protected readonly peerLimitSource = 'HelloReply.maxFrameBytes';
  #handshake: Handshake | undefined;
  #hostNonce = 0;
  #keepalive = false;
  #keepaliveTimer: TimerId = 0;

  /**
   * Attaches to `transport` at once, discarding what arrives before `open()`. Throws `RangeError`
   * naming the option when a limit is not an integer in range.
   */
  constructor(transport: Transport, options: HostLinkOptions = {}) {
    super(transport, options);
  }

  /**
   * Starts a session (see the module comment) and resolves the agent's HelloReply: build id,
   * boot nonce, limits and iodev table. A new `open()` on an open or failed link starts a new
   * session and drops what the old one had unacknowledged or queued. Rejects with
   * {@link HandshakeTimeoutError} (naming the port), {@link ProtocolVersionError}, `RangeError`
   * when the reply's window or max_frame_bytes is 0, or {@link DisconnectedError}; the link is
   * then `Idle` (or `Closed`). Throws `Error` while another `open()` is in progress.
   */
  open(): Promise<HelloReply> {
    if (this.state === LinkState.Handshaking) throw new Error('link: open() is already in progress');
    if (this.state === LinkState.Closed) {
      return Promise.reject(this.failure ?? new DisconnectedError(this.transport.description, 'the link is closed'));
    }
    this.reopen();
    this.#hostNonce = randomInt(1, 2 ** 32);
    const hello = encodeFrame(encodePacket({ hello: { protocolVersion: PROTOCOL_VERSION, hostNonce: this.#hostNonce } }));
    const sendHello = (): void => {
      const bytes = new Uint8Array(hello.length + 1);
      bytes[0] = FRAME_DELIMITER;
      bytes.set(hello, 1);
      this.write(bytes);
    };
    return new Promise<HelloReply>((resolve, reject) => {
      const { helloIntervalMs, handshakeTimeoutMs } = this.limits;
      const clock = this.clock;
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
          this.setState(LinkState.Idle);
        }, undefined),
      };
      sendHello();
    });
  }

  /**
   * Probes the agent with a sequenced packet without a body whenever the link has sent nothing
   * for `keepaliveMs` while `on` (a remote target turns it on while SQEs are in flight), so a
   * reset or silent agent is noticed without anything to send.
   */
  setKeepalive(on: boolean): void {
    if (this.#keepalive === on) return;
    this.#keepalive = on;
    if (on) this.#armKeepalive();
    else this.#stopKeepalive();
  }

  /**
   * Sends `{ reset: {} }` now, once, unacknowledged: the agent comes back with a new boot nonce
   * (`open()` again). Carries the current ack. Throws `TypeError` for any other body (the
   * handshake sends Hello), and the failure (or `Error`) after `close()`.
   */
  sendUnsequenced(body: PacketBodyOf<'reset'>): void {
    const kind = packetBodyKind(body);
    if (kind !== 'reset') throw new TypeError(`"body" (${String(kind)}) cannot be sent unsequenced: only reset can; the handshake sends hello and helloReply`);
    if (this.state === LinkState.Closed) throw this.failure ?? new Error('link: closed');
    this.sendReset(body.reset ?? {});
  }

  protected receive(p: Packet): void {
    if (p.body === 'helloReply') {
      this.#onHelloReply(p.helloReply);
      return;
    }
    if (this.state !== LinkState.Open || p.body === 'hello' || p.body === 'reset') {
      this.counters.unexpected++;
      return;
    }
    this.receiveSequenced(p);
  }

  protected acceptsBytes(): boolean {
    return this.state === LinkState.Handshaking || this.state === LinkState.Open;
  }

  protected retransmitExpired(seq: number, rounds: number, stalledMs: number): boolean {
    const { stallMs, maxRetransmits } = this.limits;
    if (stalledMs < stallMs && rounds < maxRetransmits) return false;
    this.fail(new LinkTimeoutError(this.transport.description, seq, rounds, stalledMs), LinkState.Failed);
    return true;
  }

  protected stallDeadline(progressAt: number): number {
    return progressAt + this.limits.stallMs;
  }

  protected override abort(err: Error): void {
    this.#endHandshake(err);
  }

  protected override wrote(): void {
    this.#armKeepalive();
  }

  protected override sequencingReset(): void {
    this.#stopKeepalive();
  }

  #onHelloReply(reply: HelloReply): void {
    if (this.state === LinkState.Handshaking) {
      if (reply.hostNonce !== this.#hostNonce) {
        this.counters.unexpected++;
        return;
      }
      const refusal = this.#refuse(reply);
      if (refusal !== undefined) {
        this.#endHandshake(refusal);
        this.setState(LinkState.Idle);
        return;
      }
      this.openSession(reply, reply.window, reply.maxFrameBytes);
      this.#armKeepalive();
      const handshake = this.#handshake;
      this.#endHandshake(undefined);
      handshake?.resolve(reply);
      return;
    }
    const session = this.session;
    if (this.state !== LinkState.Open || session === undefined) {
      this.counters.unexpected++;
      return;
    }
    if (reply.bootNonce !== session.bootNonce) {
      this.counters.resets++;
      linkObservers.current?.peerReset(this);
      this.fail(new AgentResetError(this.transport.description, session.bootNonce, reply.bootNonce), LinkState.Failed);
    } else if (reply.hostNonce !== this.#hostNonce) {
      this.counters.unexpected++;
    }
  }

  /** Why the session `reply` offers cannot be opened, or undefined when it can. */
  #refuse(reply: HelloReply): Error | undefined {
    if (reply.protocolVersion !== PROTOCOL_VERSION) return new ProtocolVersionError(PROTOCOL_VERSION, reply.protocolVersion);
    for (const field of ['window', 'maxFrameBytes'] as const) {
      if (reply[field] === 0) return new RangeError(`HelloReply.${field} from ${this.transport.description} is 0; it must be >= 1`);
    }
    return undefined;
  }

  /** Stops a handshake in progress; rejects its `open()` with `err` unless undefined. */
  #endHandshake(err: Error | undefined): void {
    const handshake = this.#handshake;
    if (handshake === undefined) return;
    this.#handshake = undefined;
    this.clock.clearTimer(handshake.interval);
    this.clock.clearTimer(handshake.timeout);
    if (err !== undefined) handshake.reject(err);
  }

  /**
   * Arms the keepalive `keepaliveMs` after `from` (default: the last frame sent). Lazily: a timer
   * already armed stays (no timer is re-armed per frame written); when it fires early, it is
   * armed again for `keepaliveMs` after the last frame.
   */
  #armKeepalive(from = this.lastSentAt): void {
    if (!this.#keepalive || this.state !== LinkState.Open) return;
    if (this.#keepaliveTimer !== 0 && from === this.lastSentAt) return;
    this.clock.clearTimer(this.#keepaliveTimer);
    this.#keepaliveTimer = this.clock.setTimer(from + this.limits.keepaliveMs, () => this.#onKeepalive(), undefined);
  }

  #stopKeepalive(): void {
    this.clock.clearTimer(this.#keepaliveTimer);
    this.#keepaliveTimer = 0;
  }

  #onKeepalive(): void {
    this.#keepaliveTimer = 0;
    if (!this.#keepalive || this.state !== LinkState.Open) return;
    if (this.clock.now() < this.lastSentAt + this.limits.keepaliveMs) {
      this.#armKeepalive(); // a frame went out since it was armed
      return;
    }
    if (this.inFlight === 0 && this.queued === 0) {
      this.counters.keepalives++;
      this.sendKeepalive();
    } else {
      this.#armKeepalive(this.clock.now()); // packets wait: their own timer watches the peer
    }
  }
}
