/**
 * RFC 2217's COM-PORT-OPTION (telnet option 44): the client's requests, encoded as whole
 * subnegotiations (`IAC SB 44 <command> <value> IAC SE`, 0xFF doubled), and the access server's
 * replies (command + 100), decoded from a subnegotiation's payload. Pure functions; the telnet
 * layer is ./telnet-codec.
 */
import { TELNET_OPTION, encodeSubnegotiation } from './telnet-codec';

/** Client-to-server command codes; the server answers with the code + {@link SERVER_REPLY_OFFSET}. */
export const COM_PORT_COMMAND = Object.freeze({
  SIGNATURE: 0,
  SET_BAUDRATE: 1,
  SET_DATASIZE: 2,
  SET_PARITY: 3,
  SET_STOPSIZE: 4,
  SET_CONTROL: 5,
  NOTIFY_LINESTATE: 6,
  NOTIFY_MODEMSTATE: 7,
  FLOWCONTROL_SUSPEND: 8,
  FLOWCONTROL_RESUME: 9,
  SET_LINESTATE_MASK: 10,
  SET_MODEMSTATE_MASK: 11,
  PURGE_DATA: 12,
});

/** What the server adds to a command code in its reply: 100. */
export const SERVER_REPLY_OFFSET = 100;

/** SET-CONTROL values (RFC 2217, "SET-CONTROL"): the ones a reset sequence and a BREAK use. */
export const COM_PORT_CONTROL = Object.freeze({
  /** Ask for the outbound flow control setting. */
  REQUEST_FLOW_CONTROL: 0,
  /** No outbound flow control. */
  FLOW_NONE: 1,
  BREAK_ON: 5,
  BREAK_OFF: 6,
  /** Ask for the DTR state. */
  REQUEST_DTR: 7,
  DTR_ON: 8,
  DTR_OFF: 9,
  /** Ask for the RTS state. */
  REQUEST_RTS: 10,
  RTS_ON: 11,
  RTS_OFF: 12,
});

/** Parity (SET-PARITY values 1..5). */
export type Parity = 'none' | 'odd' | 'even' | 'mark' | 'space';
/** Stop bits (SET-STOPSIZE values 1, 2, 3 = 1.5). */
export type StopBits = 1 | 2 | 1.5;
/** Data bits per character (SET-DATASIZE values). */
export type DataBits = 5 | 6 | 7 | 8;
/** Which buffers PURGE-DATA empties (1 the server's receive buffer, 2 its transmit buffer, 3 both). */
export type PurgeTarget = 'receive' | 'transmit' | 'both';

const PARITY: readonly Parity[] = ['none', 'odd', 'even', 'mark', 'space'];
const STOP_BITS: readonly StopBits[] = [1, 2, 1.5];
const PURGE: readonly PurgeTarget[] = ['receive', 'transmit', 'both'];

/** A client request. */
export type ComPortRequest =
  | { readonly command: 'set-baudrate'; readonly baudRate: number }
  | { readonly command: 'set-datasize'; readonly dataBits: DataBits }
  | { readonly command: 'set-parity'; readonly parity: Parity }
  | { readonly command: 'set-stopsize'; readonly stopBits: StopBits }
  | { readonly command: 'set-control'; readonly control: number }
  | { readonly command: 'set-modemstate-mask'; readonly mask: number }
  | { readonly command: 'set-linestate-mask'; readonly mask: number }
  | { readonly command: 'purge-data'; readonly purge: PurgeTarget };

/**
 * Encodes `request` as a whole subnegotiation, ready to send. Throws `RangeError` for a value
 * out of range (a baud rate outside 1..2^32-1, a control or mask outside 0..255).
 */
export function encodeComPortRequest(request: ComPortRequest): Uint8Array {
  const c = COM_PORT_COMMAND;
  switch (request.command) {
    case 'set-baudrate': {
      const { baudRate } = request;
      if (!Number.isInteger(baudRate) || baudRate < 1 || baudRate > 0xffffffff) throw new RangeError(`"baudRate" must be an integer in 1..4294967295; got ${baudRate}`);
      const value = new Uint8Array(4);
      new DataView(value.buffer).setUint32(0, baudRate, false);
      return comPort(c.SET_BAUDRATE, value);
    }
    case 'set-datasize':
      if (![5, 6, 7, 8].includes(request.dataBits)) throw new RangeError(`"dataBits" must be 5, 6, 7 or 8; got ${String(request.dataBits)}`);
      return comPort(c.SET_DATASIZE, Uint8Array.of(request.dataBits));
    case 'set-parity':
      return comPort(c.SET_PARITY, Uint8Array.of(listed('parity', PARITY, request.parity) + 1));
    case 'set-stopsize':
      return comPort(c.SET_STOPSIZE, Uint8Array.of(listed('stopBits', STOP_BITS, request.stopBits) + 1));
    case 'set-control':
      return comPort(c.SET_CONTROL, Uint8Array.of(byte('control', request.control)));
    case 'set-modemstate-mask':
      return comPort(c.SET_MODEMSTATE_MASK, Uint8Array.of(byte('mask', request.mask)));
    case 'set-linestate-mask':
      return comPort(c.SET_LINESTATE_MASK, Uint8Array.of(byte('mask', request.mask)));
    case 'purge-data':
      return comPort(c.PURGE_DATA, Uint8Array.of(listed('purge', PURGE, request.purge) + 1));
  }
}

/** A server reply or notification, decoded from a COM-PORT-OPTION subnegotiation's payload. */
export type ComPortReply =
  | { readonly command: 'signature'; readonly text: string }
  | { readonly command: 'set-baudrate'; readonly baudRate: number }
  | { readonly command: 'set-datasize'; readonly dataBits: number }
  | { readonly command: 'set-parity'; readonly parity: Parity | number }
  | { readonly command: 'set-stopsize'; readonly stopBits: StopBits | number }
  | { readonly command: 'set-control'; readonly control: number }
  | { readonly command: 'notify-linestate'; readonly lineState: number }
  | { readonly command: 'notify-modemstate'; readonly modemState: number }
  | { readonly command: 'flowcontrol-suspend' }
  | { readonly command: 'flowcontrol-resume' }
  | { readonly command: 'set-linestate-mask'; readonly mask: number }
  | { readonly command: 'set-modemstate-mask'; readonly mask: number }
  | { readonly command: 'purge-data'; readonly purge: PurgeTarget | number }
  /** Not a server reply: a client code (< 100), an unknown code, or a value of the wrong length. */
  | { readonly command: 'malformed'; readonly reason: string; readonly payload: Uint8Array };

/**
 * Decodes the payload of a COM-PORT-OPTION subnegotiation sent by the server (0xFF pairs already
 * undoubled by the telnet decoder). Never throws: what is not a valid reply is `'malformed'`,
 * with the reason. Values outside the RFC's enumerations (a parity of 9) are passed on as numbers.
 */
export function decodeComPortReply(payload: Uint8Array): ComPortReply {
  const malformed = (reason: string): ComPortReply => ({ command: 'malformed', reason, payload: payload.slice() });
  const code = payload[0];
  if (code === undefined) return malformed('empty payload');
  const value = payload.subarray(1);
  const one = (f: (v: number) => ComPortReply): ComPortReply => (value.length === 1 ? f(value[0]!) : malformed(`reply ${code} carries ${value.length} value bytes, not 1`));
  const none = (r: ComPortReply): ComPortReply => (value.length === 0 ? r : malformed(`reply ${code} carries ${value.length} value bytes, not 0`));
  const c = COM_PORT_COMMAND;
  switch (code - SERVER_REPLY_OFFSET) {
    case c.SIGNATURE:
      return { command: 'signature', text: new TextDecoder().decode(value) };
    case c.SET_BAUDRATE:
      return value.length === 4
        ? { command: 'set-baudrate', baudRate: new DataView(value.buffer, value.byteOffset, 4).getUint32(0, false) }
        : malformed(`reply ${code} carries ${value.length} value bytes, not 4`);
    case c.SET_DATASIZE:
      return one((v) => ({ command: 'set-datasize', dataBits: v }));
    case c.SET_PARITY:
      return one((v) => ({ command: 'set-parity', parity: PARITY[v - 1] ?? v }));
    case c.SET_STOPSIZE:
      return one((v) => ({ command: 'set-stopsize', stopBits: STOP_BITS[v - 1] ?? v }));
    case c.SET_CONTROL:
      return one((v) => ({ command: 'set-control', control: v }));
    case c.NOTIFY_LINESTATE:
      return one((v) => ({ command: 'notify-linestate', lineState: v }));
    case c.NOTIFY_MODEMSTATE:
      return one((v) => ({ command: 'notify-modemstate', modemState: v }));
    case c.FLOWCONTROL_SUSPEND:
      return none({ command: 'flowcontrol-suspend' });
    case c.FLOWCONTROL_RESUME:
      return none({ command: 'flowcontrol-resume' });
    case c.SET_LINESTATE_MASK:
      return one((v) => ({ command: 'set-linestate-mask', mask: v }));
    case c.SET_MODEMSTATE_MASK:
      return one((v) => ({ command: 'set-modemstate-mask', mask: v }));
    case c.PURGE_DATA:
      return one((v) => ({ command: 'purge-data', purge: PURGE[v - 1] ?? v }));
    default:
      return malformed(code < SERVER_REPLY_OFFSET ? `code ${code} is a client command, not a server reply` : `unknown reply code ${code}`);
  }
}

function comPort(command: number, value: Uint8Array): Uint8Array {
  const payload = new Uint8Array(value.length + 1);
  payload[0] = command;
  payload.set(value, 1);
  return encodeSubnegotiation(TELNET_OPTION.COM_PORT_OPTION, payload);
}

function listed<T>(name: string, values: readonly T[], value: T): number {
  const i = values.indexOf(value);
  if (i < 0) throw new RangeError(`"${name}" must be one of ${values.join(', ')}; got ${String(value)}`);
  return i;
}

function byte(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new RangeError(`"${name}" must be an integer in 0..255; got ${value}`);
  return value;
}
