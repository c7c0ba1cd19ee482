/**
 * The golden-trace recording format (docs/recording.md): JSON lines, one event a line, the first
 * a header naming the format and its version. Pure types and the line codec; no I/O.
 */

/** Value of the header's `format` field. */
export const RECORDING_FORMAT = 'rtio-hil-recording';
/** Version this code writes and reads; a reader refuses any other. */
export const RECORDING_VERSION = 1;

/** First line of every recording. */
export interface HeaderLine {
  readonly kind: 'header';
  readonly format: typeof RECORDING_FORMAT;
  readonly version: number;
  /** The rtio-hil that wrote it, e.g. `'rtio-hil 0.1.0'`. */
  readonly tool: string;
}

/** One row of a recorded iodev table (the target's `IodevInfo`). */
export interface RecordedIodev {
  readonly name: string;
  readonly kind: string;
  readonly bus?: string;
  readonly address?: number;
  readonly part?: string;
  readonly capabilities: readonly string[];
}

/** A target was opened: what follows, until the next session, ran on it. */
export interface SessionLine {
  readonly kind: 'session';
  /** 1, 2, ... in the file. */
  readonly session: number;
  /** Board file id, e.g. `'native'`. */
  readonly board: string;
  /** The board's name from its board file, or null. */
  readonly boardName: string | null;
  /** The agent's build id (HelloReply.build_id), or null for an in-process target. */
  readonly build: string | null;
  /** RTIO_SEED of the device values. */
  readonly seed: number;
  readonly iodevs: readonly RecordedIodev[];
}

/** A context was first used: its geometry. */
export interface ContextLine {
  readonly kind: 'context';
  /** 1, 2, ... in the file. */
  readonly ctx: number;
  readonly sqSize: number;
  readonly cqSize: number;
  readonly mempool: { readonly blockSize: number; readonly blockCount: number } | null;
}

/** A test began: what follows came from it. */
export interface TestLine {
  readonly kind: 'test';
  /** Mocha's full title. */
  readonly title: string;
}

/**
 * Memory that SQEs of one submit point into (as the host's buffers): `init` is its bytes at
 * submit time, hex; SQEs that share a buffer share a region, so a later member transmits what an
 * earlier one received.
 */
export interface RecordedRegion {
  readonly len: number;
  readonly init: string;
}

/** Where in a region an SQE's buffer is. */
export interface RecordedBuf {
  /** Index in {@link SubmitLine.regions}. */
  readonly region: number;
  readonly offset: number;
}

/** One SQE as submitted; fields at Zephyr's defaults (0, absent buffers) are left out. */
export interface RecordedSqe {
  /** Id in the file, echoed by its `cqe` lines. */
  readonly id: number;
  /** `RTIO_OP_*`. */
  readonly op: number;
  /** Iodev name, or absent for executor ops. */
  readonly iodev?: string;
  readonly flags?: number;
  readonly iodevFlags?: number;
  readonly prio?: number;
  readonly bufLen?: number;
  /** RX/TX/TINY_TX buffer. */
  readonly buf?: RecordedBuf;
  /** TXRX transmit buffer. */
  readonly txBuf?: RecordedBuf;
  /** TXRX receive buffer. */
  readonly rxBuf?: RecordedBuf;
  readonly delayMs?: number;
  readonly timeoutMs?: number;
  readonly i2cConfig?: number;
}

/** Context `ctx` submitted these SQEs (in order; chains linked by their flags). */
export interface SubmitLine {
  readonly kind: 'submit';
  readonly ctx: number;
  readonly sqes: readonly RecordedSqe[];
  readonly regions: readonly RecordedRegion[];
  /** When the host did it: ms on the target's clock since its session began. */
  readonly at?: number;
}

/** A completion of SQE `sqe`. */
export interface CqeLine {
  readonly kind: 'cqe';
  readonly ctx: number;
  readonly sqe: number;
  readonly result: number;
  /** CQE flags without the mempool block index and count (they say where, not what). */
  readonly flags: number;
  /** Bytes an RX or TXRX received (hex), for a result >= 0. */
  readonly data?: string;
}

/** `sqeCancel` of SQE `sqe` answered `result`. */
export interface CancelLine {
  readonly kind: 'cancel';
  readonly ctx: number;
  readonly sqe: number;
  readonly result: number;
  /** When the host did it: ms on the target's clock since its session began. */
  readonly at?: number;
}

/** The user gave back the mempool buffer a completion of SQE `sqe` carried (`releaseBuffer`). */
export interface ReleaseLine {
  readonly kind: 'release';
  readonly ctx: number;
  readonly sqe: number;
  /** When the host did it: ms on the target's clock since its session began. */
  readonly at?: number;
}

/** `sqeSignal` of AWAIT SQE `sqe`. */
export interface SignalLine {
  readonly kind: 'signal';
  readonly ctx: number;
  readonly sqe: number;
  /** When the host did it: ms on the target's clock since its session began. */
  readonly at?: number;
}

/** `target.injectFault(iodev, fault, count)`. */
export interface FaultLine {
  readonly kind: 'fault';
  readonly iodev: string;
  readonly fault: Readonly<Record<string, unknown>>;
  /** Operations affected; null for `Infinity`. */
  readonly count: number | null;
  /** When the host did it: ms on the target's clock since its session began. */
  readonly at?: number;
}

/** `target.clearFaults()`. */
export interface ClearFaultsLine {
  readonly kind: 'clear-faults';
  /** When the host did it: ms on the target's clock since its session began. */
  readonly at?: number;
}

/** Any line of a recording. */
export type RecordingLine =
  | HeaderLine | SessionLine | ContextLine | TestLine | SubmitLine | CqeLine | ReleaseLine | CancelLine | SignalLine | FaultLine | ClearFaultsLine;

/** Thrown for a recording that cannot be read; names the file and line. */
export class RecordingFormatError extends Error {
  override readonly name = 'RecordingFormatError';

  constructor(readonly file: string, readonly line: number, detail: string) {
    super(`${file}:${line}: ${detail}`);
  }
}

const KINDS: ReadonlySet<string> = new Set(['header', 'session', 'context', 'test', 'submit', 'cqe', 'release', 'cancel', 'signal', 'fault', 'clear-faults']);

/** Bytes as lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Hex as bytes. */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/**
 * Parses the text of a recording into its lines. Throws {@link RecordingFormatError} (naming
 * `file` and the line) for a missing or foreign header, another version, bad JSON or an unknown kind.
 */
export function parseRecording(text: string, file: string): RecordingLine[] {
  const out: RecordingLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (e) {
      throw new RecordingFormatError(file, i + 1, `not JSON: ${(e as Error).message}`);
    }
    const kind = (v as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || !KINDS.has(kind)) throw new RecordingFormatError(file, i + 1, `unknown line kind ${JSON.stringify(kind)}`);
    out.push(v as RecordingLine);
  });
  const head = out[0];
  if (head?.kind !== 'header' || head.format !== RECORDING_FORMAT) {
    throw new RecordingFormatError(file, 1, `not an rtio-hil recording (the first line must be {"kind":"header","format":"${RECORDING_FORMAT}",...})`);
  }
  if (head.version !== RECORDING_VERSION) {
    throw new RecordingFormatError(file, 1, `recording format version ${head.version}; this rtio-hil reads version ${RECORDING_VERSION}`);
  }
  return out;
}
