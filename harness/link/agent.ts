/**
 * The agent's end of the link: the TS agent that serves the emulator over the wire (the C agent
 * implements the same rules). The rules both ends keep are in core.ts; the agent adds:
 * - It serves from construction and answers every Hello. A Hello with a new host nonce starts a
 *   new session (sequence state reset, everything of the old session forgotten); a repeated one
 *   is answered again without a reset.
 * - It never gives up: it sends what is unacknowledged again and again, the timeout backing off
 *   to `retransmitMaxMs`, for as long as the session lasts; the host decides when a link is dead.
 * - While it has no session (it just reset) it answers any packet but a Hello with an
 *   unsolicited HelloReply, host nonce 0; `restart()` announces itself with one at once.
 */
import type { BodyInit, Hello, HelloReply, Packet } from '../../protocol/messages';
import { PROTOCOL_VERSION, decodePacket, encodePacket, isDecodeError } from '../../protocol/messages';
import { LinkCore } from './core';
import type { LinkCoreOptions } from './core';
import { LinkState } from './stats';
import type { Transport } from './transport';

/**
 * What an agent answers a Hello with. `hostNonce` is filled in by the link;
 * `protocolVersion`, `window` and `maxFrameBytes` default to PROTOCOL_VERSION and the link's
 * `window` and `maxFrameBytes` when left 0 or absent.
 */
export type HelloReplyInit = BodyInit<'helloReply'>;

/** Options of an {@link AgentLink}. */
export interface AgentLinkOptions extends LinkCoreOptions {
  /**
   * The reply to each Hello, or a function called for each session (and each unsolicited
   * reply) returning it, e.g. to report a new boot nonce after {@link AgentLink.restart}.
   */
  helloReply: HelloReplyInit | (() => HelloReplyInit);
}

/** The host nonce of a HelloReply that answers no Hello: the agent announces that it (re)booted. */
const UNSOLICITED = 0;

/** The agent's end of the wire: answers the host's sessions on `transport`. */
export class AgentLink extends LinkCore {
  protected readonly peerLimitSource = 'AgentLinkOptions.maxFrameBytes';
  readonly #helloReply: () => HelloReplyInit;
  readonly #sessionListeners: ((hello: Hello) => void)[] = [];
  #hostNonce = 0;

  /**
   * Attaches to `transport` and serves from now on. Throws `RangeError` naming the option when a
   * limit is not an integer in range, `TypeError` without a `helloReply`.
   */
  constructor(transport: Transport, options: AgentLinkOptions) {
    const reply = options.helloReply as unknown;
    let helloReply: () => HelloReplyInit;
    if (typeof reply === 'function') helloReply = reply as () => HelloReplyInit;
    else if (typeof reply === 'object' && reply !== null) helloReply = () => reply as HelloReplyInit;
    else throw new TypeError('"helloReply" must be a HelloReply or a function returning one');
    super(transport, options);
    this.#helloReply = helloReply;
  }

  /** Registers a listener told of each new session, after its HelloReply is sent. */
  onSession(listener: (hello: Hello) => void): void {
    this.#sessionListeners.push(listener);
  }

  /**
   * Forgets the session as a reset agent would (sequence state, unacknowledged and queued
   * packets dropped), goes `Idle` and announces itself with an unsolicited HelloReply, as does
   * every packet but a Hello from then on; its boot nonce should be new. A no-op once closed.
   */
  restart(): void {
    if (this.state === LinkState.Closed) return;
    this.endSession(new Error('link: the agent restarted'));
    this.setState(LinkState.Idle);
    // Announce the reboot, as the C agent does at boot: a host in a session learns of it at once.
    this.#sendHelloReply(UNSOLICITED);
  }

  protected receive(p: Packet): void {
    if (p.body === 'hello') {
      this.#onHello(p.hello);
      return;
    }
    if (this.state !== LinkState.Open) {
      this.#sendHelloReply(UNSOLICITED);
      return;
    }
    if (p.body === 'helloReply') {
      this.counters.unexpected++;
      return;
    }
    if (p.body === 'reset') {
      this.takeAck(p.ack);
      this.emit(p);
      return;
    }
    this.receiveSequenced(p);
  }

  protected acceptsBytes(): boolean {
    return true;
  }

  /** An agent never gives up: the host decides when a link is dead. */
  protected retransmitExpired(): boolean {
    return false;
  }

  protected stallDeadline(): undefined {
    return undefined;
  }

  #onHello(hello: Hello): void {
    if (this.state === LinkState.Open && hello.hostNonce === this.#hostNonce) {
      this.#sendHelloReply(hello.hostNonce);
      return;
    }
    this.endSession(new Error('link: a new session was opened by the host'));
    this.#hostNonce = hello.hostNonce;
    this.openSession(this.#sendHelloReply(hello.hostNonce), this.limits.window, this.limits.maxFrameBytes);
    for (const listener of [...this.#sessionListeners]) this.notify(listener, hello);
  }

  /** Sends the HelloReply for `hostNonce` ({@link UNSOLICITED}: unasked) and returns it as decoded. */
  #sendHelloReply(hostNonce: number): HelloReply {
    const init = this.#helloReply();
    const bytes = encodePacket({
      helloReply: {
        ...init,
        protocolVersion: init.protocolVersion || PROTOCOL_VERSION,
        window: init.window || this.limits.window,
        maxFrameBytes: init.maxFrameBytes || this.limits.maxFrameBytes,
        hostNonce,
      },
    });
    this.writeFrame(bytes);
    const decoded = decodePacket(bytes);
    if (isDecodeError(decoded) || decoded.body !== 'helloReply') throw new Error('link: own HelloReply does not decode');
    return decoded.helloReply;
  }
}
