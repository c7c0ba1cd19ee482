/**
 * A {@link Transport} over RFC 2217: a board behind an access server such as ser2net's
 * `telnet(rfc2217)` accepter, whose serial line the client configures (baud rate, data size,
 * parity, stop size) and whose DTR and RTS it drives (a board's reset sequence). Telnet runs on a
 * TCP transport ({@link openTcpTransport}); the codecs are ./telnet-codec and ./rfc2217-codec.
 *
 * Nothing waits for an acknowledgement the server may never send: a pty behind ser2net has no
 * modem lines, so SET-CONTROL goes unanswered (labgrid#1779, ser2net#116), and some servers
 * answer nothing at all. Opening waits only for the answer to `WILL COM-PORT-OPTION`, and at
 * most {@link RFC2217_DEFAULTS}.negotiationTimeoutMs; replies are recorded in
 * {@link Rfc2217Transport.comPort} when they come.
 */
import { systemClock } from '../clock/clock';
import type { Clock } from '../clock/clock';
import { DisconnectedError, PortOpenError } from './errors';
import { COM_PORT_CONTROL, decodeComPortReply, encodeComPortRequest } from './rfc2217-codec';
import type { ComPortReply, ComPortRequest, DataBits, Parity, StopBits } from './rfc2217-codec';
import { StreamTransport } from './stream-transport';
import { openTcpTransport } from './tcp-transport';
import { TELNET_OPTION, TelnetDecoder, escapeTelnetData } from './telnet-codec';
import type { TelnetEvent } from './telnet-codec';
import { TelnetOptions } from './telnet-options';
import type { OptionState } from './telnet-options';
import type { Transport } from './transport';

/** Defaults of {@link Rfc2217Options}. */
export const RFC2217_DEFAULTS = Object.freeze({
  /** Longest wait for the server's answer to `WILL COM-PORT-OPTION`, in ms: 1000 (ser2net answers in ~20 ms). */
  negotiationTimeoutMs: 1000,
  /** Line rate asked for, bit/s: 115200. */
  baudRate: 115200,
  /** Data bits asked for: 8 (the frames are binary). */
  dataBits: 8 as DataBits,
  /** Parity asked for: none. */
  parity: 'none' as Parity,
  /** Stop bits asked for: 1. */
  stopBits: 1 as StopBits,
});

/** How the telnet layer runs on an open byte transport ({@link rfc2217OverTransport}). */
export interface Rfc2217Options {
  /** Longest wait for the answer to `WILL COM-PORT-OPTION`, ms. Default 1000. */
  readonly negotiationTimeoutMs?: number;
  /** Line rate to set, bit/s. Default 115200. */
  readonly baudRate?: number;
  /** Data bits to set. Default 8. */
  readonly dataBits?: DataBits;
  /** Parity to set. Default `'none'`. */
  readonly parity?: Parity;
  /** Stop bits to set. Default 1. */
  readonly stopBits?: StopBits;
  /** The clock of the negotiation timeout. Default the wall clock. */
  readonly clock?: Clock;
  /** The transport's description. Default `'rfc2217:'` + the inner transport's. */
  readonly description?: string;
}

/** Options of {@link openRfc2217Transport}. */
export interface OpenRfc2217Options extends Rfc2217Options {
  /** Host name or address of the access server. */
  readonly host: string;
  /** Its TCP port. */
  readonly port: number;
  /** TCP connection timeout, ms. Default 3000 ({@link openTcpTransport}'s). */
  readonly connectTimeoutMs?: number;
}

/** What the access server has said about its serial port (null: not said yet). */
export interface ComPortState {
  /** COM-PORT-OPTION itself: `'yes'` agreed, `'no'` refused, `'wantyes'` not answered (yet). */
  readonly option: OptionState;
  /** Telnet BINARY in each direction (`'yes'` from ser2net). */
  readonly binary: { readonly local: OptionState; readonly remote: OptionState };
  /** The server's SIGNATURE text, if it sent one. */
  readonly signature: string | null;
  /** The baud rate it acknowledged. */
  readonly baudRate: number | null;
  /** The data size it acknowledged. */
  readonly dataBits: number | null;
  /** The parity it acknowledged. */
  readonly parity: Parity | number | null;
  /** The stop size it acknowledged. */
  readonly stopBits: StopBits | number | null;
  /** DTR as last acknowledged (SET-CONTROL 8/9). */
  readonly dtr: boolean | null;
  /** RTS as last acknowledged (SET-CONTROL 11/12). */
  readonly rts: boolean | null;
  /** The last NOTIFY-MODEMSTATE byte (CD, RI, DSR, CTS and their deltas). */
  readonly modemState: number | null;
  /** The last NOTIFY-LINESTATE byte. */
  readonly lineState: number | null;
  /** COM-PORT-OPTION requests sent. */
  readonly requests: number;
  /** Replies and notifications received (malformed ones included). */
  readonly replies: number;
  /** Replies that were not valid (see {@link ComPortReply} `'malformed'`). */
  readonly malformedReplies: number;
}

/** DTR and RTS levels to set; a line left out keeps its level. */
export interface LineLevelsRequest {
  /** Data Terminal Ready. */
  readonly dtr?: boolean;
  /** Request To Send. */
  readonly rts?: boolean;
}

/** A transport whose far end is a serial port behind an RFC 2217 access server. */
export interface Rfc2217Transport extends Transport {
  /** What the server said so far; a snapshot. */
  readonly comPort: ComPortState;
  /** Telnet protocol errors received (see `TelnetErrorReason`). */
  readonly telnetErrors: number;
  /**
   * Sets DTR, then RTS (SET-CONTROL), as given. Resolves once the requests are handed to the
   * socket, without waiting for acknowledgements (a pty never sends them). Rejects with
   * {@link ComPortUnavailableError} when the server did not agree to COM-PORT-OPTION, with a
   * {@link DisconnectedError} once the transport is closed.
   */
  setLines(levels: LineLevelsRequest): Promise<void>;
  /** Calls `listener` with every COM-PORT-OPTION reply or notification, in order. */
  onComPortReply(listener: (reply: ComPortReply) => void): void;
}

/**
 * The access server did not agree to COM-PORT-OPTION (a plain telnet or raw port, or one that
 * has not answered), so the serial line cannot be controlled. Message: `'no serial port control:
 * <port> <refused|did not answer> COM-PORT-OPTION (RFC 2217)'`.
 */
export class ComPortUnavailableError extends Error {
  override readonly name = 'ComPortUnavailableError';
  /** The transport's description. */
  readonly port: string;
  /** `'refused'`: WONT/DONT; `'unanswered'`: no answer yet. */
  readonly reason: 'refused' | 'unanswered';

  constructor(port: string, reason: 'refused' | 'unanswered') {
    super(`no serial port control: ${port} ${reason === 'refused' ? 'refused' : 'did not answer'} COM-PORT-OPTION (RFC 2217)`);
    this.port = port;
    this.reason = reason;
  }
}

/**
 * Connects to `host:port` and negotiates RFC 2217 ({@link rfc2217OverTransport}); described as
 * `'rfc2217:<host>:<port>'`. Rejects with {@link PortOpenError} (`'missing'` when nothing
 * listens; `'other'` when the server hangs up during the negotiation, e.g. ser2net's "port
 * already in use"), and `RangeError` for bad options.
 */
export async function openRfc2217Transport(options: OpenRfc2217Options): Promise<Rfc2217Transport> {
  const { host, port, connectTimeoutMs, ...rest } = options;
  const description = rest.description ?? `rfc2217:${host}:${port}`;
  validate(rest);
  let inner: Transport;
  try {
    inner = await openTcpTransport({ host, port, ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }) });
  } catch (e) {
    if (e instanceof PortOpenError) throw new PortOpenError(description, e.reason, e.cause);
    throw e;
  }
  return rfc2217OverTransport(inner, { ...rest, description });
}

/**
 * Runs telnet with COM-PORT-OPTION on `inner` (an open TCP transport, or a memory pair in a
 * test): offers WILL COM-PORT-OPTION, BINARY and SUPPRESS-GO-AHEAD both ways (ECHO is refused),
 * waits for the answer to COM-PORT-OPTION or `negotiationTimeoutMs`, whichever comes first, and
 * sends the line settings (SET-BAUDRATE, -DATASIZE, -PARITY, -STOPSIZE) once it is agreed, even
 * if that is after the timeout. Data written is escaped (0xFF doubled), data received unescaped.
 * Rejects with {@link PortOpenError} when `inner` closes during the negotiation (the inner
 * transport is closed on any failure).
 */
export async function rfc2217OverTransport(inner: Transport, options: Rfc2217Options = {}): Promise<Rfc2217Transport> {
  validate(options);
  const transport = new TelnetComPortTransport(inner, options);
  try {
    await transport.negotiated();
  } catch (e) {
    await transport.close();
    throw e;
  }
  return transport;
}

function validate(o: Rfc2217Options): void {
  const timeout = o.negotiationTimeoutMs ?? RFC2217_DEFAULTS.negotiationTimeoutMs;
  if (!Number.isSafeInteger(timeout) || timeout < 1) throw new RangeError(`"negotiationTimeoutMs" must be a positive integer; got ${timeout}`);
  // The encoder checks the line settings' ranges: fail now rather than after connecting.
  encodeComPortRequest({ command: 'set-baudrate', baudRate: o.baudRate ?? RFC2217_DEFAULTS.baudRate });
  encodeComPortRequest({ command: 'set-datasize', dataBits: o.dataBits ?? RFC2217_DEFAULTS.dataBits });
  encodeComPortRequest({ command: 'set-parity', parity: o.parity ?? RFC2217_DEFAULTS.parity });
  encodeComPortRequest({ command: 'set-stopsize', stopBits: o.stopBits ?? RFC2217_DEFAULTS.stopBits });
}

const POLICY = Object.freeze({
  local: [TELNET_OPTION.COM_PORT_OPTION, TELNET_OPTION.BINARY, TELNET_OPTION.SUPPRESS_GO_AHEAD],
  remote: [TELNET_OPTION.BINARY, TELNET_OPTION.SUPPRESS_GO_AHEAD],
});

/** How much of what a server sent before hanging up is quoted in the error (its banner). */
const QUOTED_BYTES = 80;

type MutableComPort = { -readonly [K in keyof ComPortState]: ComPortState[K] };

class TelnetComPortTransport extends StreamTransport implements Rfc2217Transport {
  readonly #inner: Transport;
  readonly #decoder = new TelnetDecoder();
  readonly #options = new TelnetOptions(POLICY);
  readonly #settings: readonly ComPortRequest[];
  readonly #listeners: ((reply: ComPortReply) => void)[] = [];
  readonly #state: MutableComPort = {
    option: 'wantyes', binary: { local: 'wantyes', remote: 'wantyes' }, signature: null, baudRate: null, dataBits: null, parity: null, stopBits: null,
    dtr: null, rts: null, modemState: null, lineState: null, requests: 0, replies: 0, malformedReplies: 0,
  };
  readonly #negotiation: Promise<void>;
  #answered: () => void = () => undefined;
  #hungUp: (err: Error) => void = () => undefined;
  readonly #link: { open: boolean };
  #early: number[] = [];

  constructor(inner: Transport, o: Rfc2217Options, link = { open: true }) {
    super(o.description ?? `rfc2217:${inner.description}`, {
      get writable() {
        return link.open;
      },
      write: (bytes, done) => {
        inner.write(escapeTelnetData(bytes)).then(() => done(null), (e: unknown) => done(e instanceof Error ? e : new Error(String(e))));
      },
      end: () => {
        void inner.close();
      },
    });
    this.#link = link;
    this.#inner = inner;
    this.#settings = [
      { command: 'set-baudrate', baudRate: o.baudRate ?? RFC2217_DEFAULTS.baudRate },
      { command: 'set-datasize', dataBits: o.dataBits ?? RFC2217_DEFAULTS.dataBits },
      { command: 'set-parity', parity: o.parity ?? RFC2217_DEFAULTS.parity },
      { command: 'set-stopsize', stopBits: o.stopBits ?? RFC2217_DEFAULTS.stopBits },
    ];
    const clock = o.clock ?? systemClock;
    const timeoutMs = o.negotiationTimeoutMs ?? RFC2217_DEFAULTS.negotiationTimeoutMs;
    this.#negotiation = new Promise<void>((resolve, reject) => {
      const timer = clock.setTimer(clock.now() + timeoutMs, resolve, undefined);
      this.#answered = () => {
        clock.clearTimer(timer);
        resolve();
      };
      this.#hungUp = (err) => {
        clock.clearTimer(timer);
        reject(err);
      };
    });
    inner.onData((chunk) => this.#onBytes(chunk));
    inner.onClose((err) => {
      this.#link.open = false;
      if (this.#state.option === 'wantyes') {
        const said = this.#early.length === 0 ? '' : `; it said ${JSON.stringify(new TextDecoder().decode(Uint8Array.from(this.#early)).trim())}`;
        this.#hungUp(new PortOpenError(this.description, 'other', `the server closed the connection during the telnet negotiation${said}`));
      }
      this.streamClosed(err === null ? null : new DisconnectedError(this.description, err.cause ?? err.message));
    });
    for (const request of this.#options.start()) this.#send(request);
  }

  /** Resolves once COM-PORT-OPTION was answered or the negotiation timeout passed; rejects if the server hung up first. */
  negotiated(): Promise<void> {
    return this.#negotiation;
  }

  get comPort(): ComPortState {
    return { ...this.#state, binary: { local: this.#options.local(TELNET_OPTION.BINARY), remote: this.#options.remote(TELNET_OPTION.BINARY) } };
  }

  get telnetErrors(): number {
    return this.#decoder.errors;
  }

  onComPortReply(listener: (reply: ComPortReply) => void): void {
    this.#listeners.push(listener);
  }

  async setLines(levels: LineLevelsRequest): Promise<void> {
    if (!this.#link.open || this.closing) throw new DisconnectedError(this.description, 'closed');
    if (this.#state.option !== 'yes') throw new ComPortUnavailableError(this.description, this.#state.option === 'no' ? 'refused' : 'unanswered');
    const writes: Promise<void>[] = [];
    if (levels.dtr !== undefined) writes.push(this.#request({ command: 'set-control', control: levels.dtr ? COM_PORT_CONTROL.DTR_ON : COM_PORT_CONTROL.DTR_OFF }));
    if (levels.rts !== undefined) writes.push(this.#request({ command: 'set-control', control: levels.rts ? COM_PORT_CONTROL.RTS_ON : COM_PORT_CONTROL.RTS_OFF }));
    try {
      await Promise.all(writes);
    } catch (e) {
      throw new DisconnectedError(this.description, e);
    }
  }

  #request(request: ComPortRequest): Promise<void> {
    this.#state.requests++;
    return this.#inner.write(encodeComPortRequest(request));
  }

  #send(bytes: Uint8Array): void {
    // A failure here also closes the inner transport, which reports it.
    this.#inner.write(bytes).catch(() => undefined);
  }

  #onBytes(chunk: Uint8Array): void {
    for (const event of this.#decoder.push(chunk)) this.#onEvent(event);
  }

  #onEvent(event: TelnetEvent): void {
    switch (event.kind) {
      case 'data':
        if (this.#state.option === 'wantyes' && this.#early.length < QUOTED_BYTES) this.#early.push(...event.bytes.subarray(0, QUOTED_BYTES - this.#early.length));
        this.emitData(event.bytes);
        return;
      case 'negotiation': {
        const reply = this.#options.receive(event.verb, event.option);
        if (reply !== null) this.#send(reply);
        if (event.option === TELNET_OPTION.COM_PORT_OPTION) this.#comPortAnswered();
        return;
      }
      case 'subnegotiation':
        if (event.option === TELNET_OPTION.COM_PORT_OPTION) this.#onReply(decodeComPortReply(event.payload));
        return;
      case 'command':
      case 'error':
        return; // NOP, Go Ahead and the like carry nothing here; errors are counted by the decoder
    }
  }

  #comPortAnswered(): void {
    const now = this.#options.local(TELNET_OPTION.COM_PORT_OPTION);
    const before = this.#state.option;
    this.#state.option = now;
    if (now === 'yes' && before !== 'yes') {
      for (const request of this.#settings) this.#request(request).catch(() => undefined);
    }
    if (now !== 'wantyes') this.#answered();
  }

  #onReply(reply: ComPortReply): void {
    const s = this.#state;
    s.replies++;
    switch (reply.command) {
      case 'signature': s.signature = reply.text; break;
      case 'set-baudrate': s.baudRate = reply.baudRate; break;
      case 'set-datasize': s.dataBits = reply.dataBits; break;
      case 'set-parity': s.parity = reply.parity; break;
      case 'set-stopsize': s.stopBits = reply.stopBits; break;
      case 'set-control': this.#onControl(reply.control); break;
      case 'notify-modemstate': s.modemState = reply.modemState; break;
      case 'notify-linestate': s.lineState = reply.lineState; break;
      case 'malformed': s.malformedReplies++; break;
      default: break;
    }
    for (const l of [...this.#listeners]) l(reply);
  }

  #onControl(control: number): void {
    const c = COM_PORT_CONTROL;
    if (control === c.DTR_ON || control === c.DTR_OFF) this.#state.dtr = control === c.DTR_ON;
    if (control === c.RTS_ON || control === c.RTS_OFF) this.#state.rts = control === c.RTS_ON;
  }
}
