/**
 * The telnet layer under RFC 2217 (RFC 854, 855): data with every 0xFF doubled, option
 * negotiation (`IAC WILL|WONT|DO|DONT <option>`) and subnegotiation (`IAC SB <option> <payload>
 * IAC SE`, 0xFF doubled inside the payload too). Pure functions over `Uint8Array` and an
 * incremental decoder; nothing here touches a socket (./rfc2217-transport does).
 */

/** Interpret As Command: starts every telnet command; doubled to send a data byte 0xFF. */
export const IAC = 0xff;
/** `IAC DONT <option>`: asks the peer to stop, or not to start, using an option. */
export const DONT = 0xfe;
/** `IAC DO <option>`: asks the peer to use an option, or confirms it may. */
export const DO = 0xfd;
/** `IAC WONT <option>`: refuses, or stops using, an option. */
export const WONT = 0xfc;
/** `IAC WILL <option>`: offers to use an option, or confirms it will. */
export const WILL = 0xfb;
/** Starts a subnegotiation: `IAC SB <option> <payload> IAC SE`. */
export const SB = 0xfa;
/** Ends a subnegotiation. */
export const SE = 0xf0;

/** Telnet options rtio-hil negotiates. */
export const TELNET_OPTION = Object.freeze({
  /** RFC 856: 8-bit data, no CR/NUL stuffing. */
  BINARY: 0,
  /** RFC 857: the peer echoes what it receives (refused: the agent's bytes must come back unechoed). */
  ECHO: 1,
  /** RFC 858: no Go-Ahead. */
  SUPPRESS_GO_AHEAD: 3,
  /** RFC 2217: serial port control (baud rate, data size, parity, stop size, DTR/RTS). */
  COM_PORT_OPTION: 44,
});

/** A negotiation verb. */
export type TelnetVerb = 'WILL' | 'WONT' | 'DO' | 'DONT';

const VERB_BYTE: Readonly<Record<TelnetVerb, number>> = { WILL, WONT, DO, DONT };
const BYTE_VERB: ReadonlyMap<number, TelnetVerb> = new Map(Object.entries(VERB_BYTE).map(([verb, byte]) => [byte, verb as TelnetVerb]));

/** Received data bytes (0xFF pairs already undoubled), in an array of their own. */
export interface TelnetData {
  readonly kind: 'data';
  readonly bytes: Uint8Array;
}

/** `IAC <verb> <option>` received. */
export interface TelnetNegotiation {
  readonly kind: 'negotiation';
  readonly verb: TelnetVerb;
  readonly option: number;
}

/** `IAC SB <option> <payload> IAC SE` received; `payload` has its 0xFF pairs undoubled. */
export interface TelnetSubnegotiation {
  readonly kind: 'subnegotiation';
  readonly option: number;
  readonly payload: Uint8Array;
}

/** Another two-byte command (NOP 241, Data Mark 242, Break 243, ..., Go Ahead 249). */
export interface TelnetCommand {
  readonly kind: 'command';
  readonly command: number;
}

/**
 * What does not follow the protocol, reported as a value; decoding resumes right after it:
 * - `'unknown-command'`: IAC followed by a byte below 240 (both bytes dropped);
 * - `'stray-se'`: IAC SE outside a subnegotiation (dropped);
 * - `'empty-subnegotiation'`: IAC SB IAC SE without an option byte (dropped);
 * - `'subnegotiation-too-long'`: a payload over `maxSubnegotiationBytes` (dropped, up to its IAC SE);
 * - `'unterminated-subnegotiation'`: a command other than IAC IAC or IAC SE inside a
 *   subnegotiation: the subnegotiation is dropped and the command is decoded as usual.
 */
export type TelnetErrorReason = 'unknown-command' | 'stray-se' | 'empty-subnegotiation' | 'subnegotiation-too-long' | 'unterminated-subnegotiation';

/** A protocol error (see {@link TelnetErrorReason}). */
export interface TelnetError {
  readonly kind: 'error';
  readonly reason: TelnetErrorReason;
}

/** One result of {@link TelnetDecoder.push}, discriminated by `kind`. */
export type TelnetEvent = TelnetData | TelnetNegotiation | TelnetSubnegotiation | TelnetCommand | TelnetError;

/** Default {@link TelnetDecoderOptions.maxSubnegotiationBytes}: 64 (RFC 2217's longest is SIGNATURE text). */
export const DEFAULT_MAX_SUBNEGOTIATION_BYTES = 64;

/** Options of {@link TelnetDecoder}. */
export interface TelnetDecoderOptions {
  /** Most payload bytes one subnegotiation may carry (the option byte excluded); also the most buffered. Default 64. */
  readonly maxSubnegotiationBytes?: number;
}

type State = 'data' | 'iac' | 'verb' | 'sb-option' | 'sb' | 'sb-iac';

/**
 * Incremental telnet decoder for a stream cut into arbitrary chunks: the state between chunks
 * (an IAC at the end of one, half a subnegotiation) is kept, so the events do not depend on where
 * the stream was cut, except that data may come in more pieces. Never throws on bad input:
 * protocol errors are {@link TelnetError} events, counted in {@link TelnetDecoder.errors}.
 */
export class TelnetDecoder {
  /** The subnegotiation limit in force (see {@link TelnetDecoderOptions}). */
  readonly maxSubnegotiationBytes: number;
  #state: State = 'data';
  #verb = 0;
  #option = 0;
  readonly #sb: Uint8Array;
  #sbLength = 0;
  #sbOverflow = false;
  #errors = 0;

  /** Throws `RangeError` when `maxSubnegotiationBytes` is not an integer >= 1. */
  constructor(options: TelnetDecoderOptions = {}) {
    const { maxSubnegotiationBytes = DEFAULT_MAX_SUBNEGOTIATION_BYTES } = options;
    if (!Number.isSafeInteger(maxSubnegotiationBytes) || maxSubnegotiationBytes < 1) {
      throw new RangeError(`"maxSubnegotiationBytes" must be an integer >= 1; got ${maxSubnegotiationBytes}`);
    }
    this.maxSubnegotiationBytes = maxSubnegotiationBytes;
    this.#sb = new Uint8Array(maxSubnegotiationBytes);
  }

  /** Protocol errors reported since the decoder was created. */
  get errors(): number {
    return this.#errors;
  }

  /** Feeds the next chunk (any length) and returns its events in stream order. The chunk is not kept. */
  push(chunk: Uint8Array): TelnetEvent[] {
    if (this.#state === 'data' && !chunk.includes(IAC)) return chunk.length === 0 ? [] : [{ kind: 'data', bytes: chunk.slice() }];
    const events: TelnetEvent[] = [];
    const data: number[] = [];
    const flushData = (): void => {
      if (data.length > 0) events.push({ kind: 'data', bytes: Uint8Array.from(data.splice(0)) });
    };
    const emit = (e: TelnetEvent): void => {
      flushData();
      if (e.kind === 'error') this.#errors++;
      events.push(e);
    };
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (this.#state) {
        case 'data':
          if (b === IAC) this.#state = 'iac';
          else data.push(b);
          break;
        case 'iac':
          this.#command(b, data, emit);
          break;
        case 'verb':
          emit({ kind: 'negotiation', verb: BYTE_VERB.get(this.#verb)!, option: b });
          this.#state = 'data';
          break;
        case 'sb-option':
          if (b === IAC) {
            this.#state = 'sb-iac';
            this.#option = -1;
          } else {
            this.#option = b;
            this.#state = 'sb';
          }
          break;
        case 'sb':
          if (b === IAC) this.#state = 'sb-iac';
          else this.#sbByte(b);
          break;
        case 'sb-iac':
          if (b === IAC && this.#option >= 0) {
            this.#sbByte(IAC);
            this.#state = 'sb';
          } else if (b === SE) {
            this.#endSubnegotiation(emit);
          } else {
            emit({ kind: 'error', reason: this.#option < 0 && b === IAC ? 'empty-subnegotiation' : 'unterminated-subnegotiation' });
            this.#resetSubnegotiation();
            if (b === IAC) this.#state = 'data';
            else this.#command(b, data, emit);
          }
          break;
      }
    }
    flushData();
    return events;
  }

  /** The byte after an IAC outside a subnegotiation. */
  #command(b: number, data: number[], emit: (e: TelnetEvent) => void): void {
    this.#state = 'data';
    if (b === IAC) data.push(IAC);
    else if (BYTE_VERB.has(b)) {
      this.#verb = b;
      this.#state = 'verb';
    } else if (b === SB) {
      this.#resetSubnegotiation();
      this.#state = 'sb-option';
    } else if (b === SE) emit({ kind: 'error', reason: 'stray-se' });
    else if (b > SE) emit({ kind: 'command', command: b });
    else emit({ kind: 'error', reason: 'unknown-command' });
  }

  #sbByte(b: number): void {
    if (this.#sbLength < this.maxSubnegotiationBytes) this.#sb[this.#sbLength++] = b;
    else this.#sbOverflow = true;
  }

  #endSubnegotiation(emit: (e: TelnetEvent) => void): void {
    if (this.#option < 0) emit({ kind: 'error', reason: 'empty-subnegotiation' });
    else if (this.#sbOverflow) emit({ kind: 'error', reason: 'subnegotiation-too-long' });
    else emit({ kind: 'subnegotiation', option: this.#option, payload: this.#sb.slice(0, this.#sbLength) });
    this.#resetSubnegotiation();
    this.#state = 'data';
  }

  #resetSubnegotiation(): void {
    this.#sbLength = 0;
    this.#sbOverflow = false;
    this.#option = 0;
  }
}

/** `bytes` as telnet data: every 0xFF doubled, in a new array (the same length when there is none). */
export function escapeTelnetData(bytes: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of bytes) if (b === IAC) extra++;
  if (extra === 0) return bytes.slice();
  const out = new Uint8Array(bytes.length + extra);
  let j = 0;
  for (const b of bytes) {
    out[j++] = b;
    if (b === IAC) out[j++] = IAC;
  }
  return out;
}

/** `IAC <verb> <option>`. Throws `RangeError` for an option outside 0..255. */
export function encodeNegotiation(verb: TelnetVerb, option: number): Uint8Array {
  return Uint8Array.of(IAC, VERB_BYTE[verb], byteArg('option', option));
}

/** `IAC SB <option> <payload, 0xFF doubled> IAC SE`. Throws `RangeError` for an option outside 0..255. */
export function encodeSubnegotiation(option: number, payload: Uint8Array): Uint8Array {
  const body = escapeTelnetData(payload);
  const out = new Uint8Array(body.length + 5);
  out.set([IAC, SB, byteArg('option', option)]);
  out.set(body, 3);
  out.set([IAC, SE], 3 + body.length);
  return out;
}

function byteArg(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new RangeError(`"${name}" must be an integer in 0..255; got ${value}`);
  return value;
}
