/**
 * Errors of the link layer and its transports. Each is a class with a `name` discriminant and
 * machine-readable fields; {@link isLinkError} recognises them structurally (across realms and
 * duplicated module copies), so `switch (e.name)` narrows to the class. Messages start with a
 * fixed lower-case prefix that tests may match exactly.
 */

const LINK_ERROR_NAMES = [
  'DisconnectedError',
  'AgentResetError',
  'HandshakeTimeoutError',
  'ProtocolVersionError',
  'PortOpenError',
  'LinkTimeoutError',
] as const;

/** The `name` of every link error, one per class. */
export type LinkErrorName = (typeof LINK_ERROR_NAMES)[number];

const NAMES: ReadonlySet<string> = new Set<LinkErrorName>(LINK_ERROR_NAMES);

/** Base of every link error: an `Error` whose `name` is a {@link LinkErrorName}. */
export abstract class LinkError extends Error {
  abstract override readonly name: LinkErrorName;
}

/**
 * The transport went away without being asked to: the device was unplugged, the pty's other end
 * closed, the TCP peer hung up, or the memory pair was disconnected. Message:
 * `'disconnected: <port>'`, then `': <cause>'` when there is one.
 */
export class DisconnectedError extends LinkError {
  override readonly name = 'DisconnectedError';
  /** Always true, as on serialport's own DisconnectedError. */
  readonly disconnected = true;

  constructor(
    /** The transport's description, e.g. `'/dev/ttyACM0'` or `'tcp:127.0.0.1:4444'`. */
    readonly port: string,
    cause?: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
    super(`disconnected: ${port}${why === '' ? '' : `: ${why}`}`, cause === undefined ? undefined : { cause });
  }
}

/**
 * The agent came back with a different boot nonce than the session's: it reset, and forgot
 * everything in flight. Message: `'agent reset: <port> boot nonce 0x… became 0x…'`.
 */
export class AgentResetError extends LinkError {
  override readonly name = 'AgentResetError';

  constructor(
    /** The transport's description. */
    readonly port: string,
    /** Boot nonce of the session that ended (HelloReply.boot_nonce). */
    readonly oldNonce: number,
    /** Boot nonce the agent reports now. */
    readonly newNonce: number,
  ) {
    super(`agent reset: ${port} boot nonce ${hex32(oldNonce)} became ${hex32(newNonce)}`);
  }
}

/**
 * No matching HelloReply arrived in time. Message:
 * `'handshake timeout: no HelloReply from <port> within <timeoutMs> ms'`.
 */
export class HandshakeTimeoutError extends LinkError {
  override readonly name = 'HandshakeTimeoutError';

  constructor(
    /** The transport's description. */
    readonly port: string,
    /** The limit that passed, in milliseconds (LinkLimits.handshakeTimeoutMs). */
    readonly timeoutMs: number,
  ) {
    super(`handshake timeout: no HelloReply from ${port} within ${timeoutMs} ms`);
  }
}

/**
 * The peer speaks another protocol version. Message:
 * `'protocol version mismatch: host speaks <host>, agent <agent>'`.
 */
export class ProtocolVersionError extends LinkError {
  override readonly name = 'ProtocolVersionError';

  constructor(
    /** The host's PROTOCOL_VERSION. */
    readonly host: number,
    /** HelloReply.protocol_version. */
    readonly agent: number,
  ) {
    super(`protocol version mismatch: host speaks ${host}, agent ${agent}`);
  }
}

/**
 * Why a port could not be opened: `'missing'` (no such device, or nothing listening),
 * `'permission'` (e.g. not in the dialout group), `'busy'` (another process holds its lock),
 * `'other'`.
 */
export type PortOpenReason = 'permission' | 'busy' | 'missing' | 'other';

/** Opening a port failed. Message: `'cannot open <port>: <reason> (<system message>)'`. */
export class PortOpenError extends LinkError {
  override readonly name = 'PortOpenError';

  constructor(
    /** The path or address that failed to open. */
    readonly port: string,
    /** What went wrong, machine-readably. */
    readonly reason: PortOpenReason,
    cause?: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause ?? 'unknown error');
    super(`cannot open ${port}: ${reason} (${why})`, cause === undefined ? undefined : { cause });
  }
}

/**
 * A sequenced packet stayed unacknowledged too long: the peer is gone, deaf or stopped.
 * Message: `'link timeout: <port> acknowledged nothing for <stalledMs> ms (seq <seq> waits;
 * <retransmits> retransmissions)'`.
 */
export class LinkTimeoutError extends LinkError {
  override readonly name = 'LinkTimeoutError';

  constructor(
    /** The transport's description. */
    readonly port: string,
    /** The oldest unacknowledged sequence number. */
    readonly seq: number,
    /** Retransmission rounds made without progress (at most LinkLimits.maxRetransmits). */
    readonly retransmits: number,
    /** How long nothing was acknowledged, in milliseconds (at least LinkLimits.stallMs, or the rounds ran out). */
    readonly stalledMs: number,
  ) {
    super(`link timeout: ${port} acknowledged nothing for ${Math.round(stalledMs)} ms (seq ${seq} waits; ${retransmits} retransmissions)`);
  }
}

/** Any link error, discriminated by `name`. */
export type AnyLinkError =
  | DisconnectedError
  | AgentResetError
  | HandshakeTimeoutError
  | ProtocolVersionError
  | PortOpenError
  | LinkTimeoutError;

/**
 * True when `value` is one of the link errors: an object with a string `message` whose `name` is
 * a {@link LinkErrorName}. Structural (no `instanceof`), so it holds across module copies.
 */
export function isLinkError(value: unknown): value is AnyLinkError {
  if (typeof value !== 'object' || value === null) return false;
  const { name, message } = value as { name?: unknown; message?: unknown };
  return typeof name === 'string' && NAMES.has(name) && typeof message === 'string';
}

function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}
