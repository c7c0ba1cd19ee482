/**
 * Telnet option negotiation without loops (RFC 1143's Q method, without its queue bits: rtio-hil
 * only ever asks to enable options, never to disable them). Pure bookkeeping: it says what to
 * send and what each option's state is; ./rfc2217-transport sends it.
 */
import { encodeNegotiation } from './telnet-codec';
import type { TelnetVerb } from './telnet-codec';

/** An option's state on one side: off, on, or asked for and not answered yet. */
export type OptionState = 'no' | 'yes' | 'wantyes';

/** Which options we offer to use (`local`, sent as WILL) and ask the peer to use (`remote`, sent as DO). */
export interface OptionPolicy {
  /** Options this end uses when the peer agrees. */
  readonly local: readonly number[];
  /** Options this end wants the peer to use. */
  readonly remote: readonly number[];
}

/**
 * The negotiation state of both sides. {@link TelnetOptions.start} gives the requests to send
 * first; {@link TelnetOptions.receive} takes each negotiation received and returns the reply to
 * send, if any. A request is answered once; a confirmation of a state already held gets no
 * reply, so two ends following RFC 1143 cannot loop.
 */
export class TelnetOptions {
  readonly #policy: OptionPolicy;
  readonly #local = new Map<number, OptionState>();
  readonly #remote = new Map<number, OptionState>();

  constructor(policy: OptionPolicy) {
    this.#policy = policy;
  }

  /** The requests to send once connected: WILL for each local option, DO for each remote one. Marks them asked. */
  start(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const o of this.#policy.local) {
      this.#local.set(o, 'wantyes');
      out.push(encodeNegotiation('WILL', o));
    }
    for (const o of this.#policy.remote) {
      this.#remote.set(o, 'wantyes');
      out.push(encodeNegotiation('DO', o));
    }
    return out;
  }

  /** State of an option this end would use (WILL side). */
  local(option: number): OptionState {
    return this.#local.get(option) ?? 'no';
  }

  /** State of an option the peer would use (DO side). */
  remote(option: number): OptionState {
    return this.#remote.get(option) ?? 'no';
  }

  /** Takes `IAC <verb> <option>` from the peer; returns the reply to send, or null for none. */
  receive(verb: TelnetVerb, option: number): Uint8Array | null {
    switch (verb) {
      case 'DO':
        return this.#asked(this.#local, this.#policy.local, option, 'WILL', 'WONT');
      case 'DONT':
        return this.#refused(this.#local, option, 'WONT');
      case 'WILL':
        return this.#asked(this.#remote, this.#policy.remote, option, 'DO', 'DONT');
      case 'WONT':
        return this.#refused(this.#remote, option, 'DONT');
    }
  }

  /** The peer asks for (or agrees to) an option: enable it if the policy has it, else refuse once. */
  #asked(side: Map<number, OptionState>, wanted: readonly number[], option: number, yes: TelnetVerb, no: TelnetVerb): Uint8Array | null {
    const state = side.get(option) ?? 'no';
    if (state === 'yes') return null;
    if (state === 'wantyes') {
      side.set(option, 'yes');
      return null;
    }
    if (!wanted.includes(option)) return encodeNegotiation(no, option);
    side.set(option, 'yes');
    return encodeNegotiation(yes, option);
  }

  /** The peer refuses (or stops) an option: it is off; confirm only if it was on. */
  #refused(side: Map<number, OptionState>, option: number, no: TelnetVerb): Uint8Array | null {
    const state = side.get(option) ?? 'no';
    side.set(option, 'no');
    return state === 'yes' ? encodeNegotiation(no, option) : null;
  }
}
