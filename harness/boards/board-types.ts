/**
 * What a board file holds (`boards/<id>.json`, described by `boards/board.schema.json`), as
 * TypeScript types: the target kind, how the board is found or started, its line settings,
 * timeouts, link settings and iodev table.
 */
import type { LabgridPlaceSpec } from '../farm/labgrid';
import type { QemuOptions } from '../qemu/launch';
import type { IodevCapability, TargetCapability } from '../target/capabilities';
import type { IodevKind } from '../target/target';

/** How chains reach a board (the board file's `target`). */
export type TargetKind = 'emulator' | 'emulator-wire' | 'native' | 'qemu' | 'serial' | 'tcp' | 'rfc2217' | 'labgrid';

/** Every {@link TargetKind}, in the schema's order. */
export const TARGET_KINDS: readonly TargetKind[] = ['emulator', 'emulator-wire', 'native', 'qemu', 'serial', 'tcp', 'rfc2217', 'labgrid'];

/**
 * Port identity: how a serial board's port is found among those connected (`match`). Every field
 * given must equal the port's. USB ids are 4 hex digits, compared without regard to case.
 */
export interface PortMatch {
  /** USB vendor id, e.g. `'0483'`. */
  readonly vendorId?: string;
  /** USB product id, e.g. `'374b'`. */
  readonly productId?: string;
  /** USB serial number: tells identical adapters apart. */
  readonly serialNumber?: string;
  /** USB port path `<bus>-<port>[.<port>…]`, e.g. `'1-1.2'`: tells apart adapters without a serial number. */
  readonly location?: string;
  /** USB interface number, for adapters with several UARTs. */
  readonly interface?: number;
  /** USB manufacturer string. */
  readonly manufacturer?: string;
  /** USB product string. */
  readonly product?: string;
}

/**
 * How a native agent or QEMU is started (`launch`). Relative paths are relative to the board file.
 * For qemu, also how QEMU is launched: `qemu`, `machine`, `machineOptions`, `peripherals`, `image`,
 * `extraArgs`, as `startQemu` takes them (harness/qemu/launch.ts).
 */
export interface LaunchSpec extends Pick<QemuOptions, 'qemu' | 'machine' | 'machineOptions' | 'peripherals' | 'image' | 'extraArgs'> {
  /** native: the agent binary; it gets `--link <pty path>` and then {@link LaunchSpec.args}. */
  readonly command?: string;
  /** Further arguments; `${seed}` becomes the run's seed. */
  readonly args?: readonly string[];
  /**
   * A build recipe run first: `'firmware-stubs-posix'` is `make -C firmware-stubs posix` (native),
   * `'firmware-stubs-<machine>'` is `make -C firmware-stubs <machine>` (qemu).
   */
  readonly build?: 'firmware-stubs-posix' | 'firmware-stubs-lm3s6965evb' | 'firmware-stubs-mps2-an385' | 'firmware-stubs-ast1030-evb';
}

/** One step of a DTR/RTS reset sequence: set the lines given, or wait. */
export interface ResetStep {
  /** DTR level to set. */
  readonly dtr?: boolean;
  /** RTS level to set. */
  readonly rts?: boolean;
  /** Time to wait after setting the lines, in ms. */
  readonly waitMs?: number;
}

/** Serial line settings (`serial`). */
export interface SerialSettings {
  /** A fixed device path used instead of matching (a `/dev/serial/by-id` link, a pty). */
  readonly path?: string;
  /** Line rate in bit/s (default 115200). */
  readonly baudRate?: number;
  /** Ask the driver for low latency. */
  readonly lowLatency?: boolean;
  /** Drop DTR when the port closes. */
  readonly hupcl?: boolean;
  /** DTR/RTS steps applied before the handshake to reset the board. */
  readonly resetSequence?: readonly ResetStep[];
}

/** A board behind ser2net or a QEMU TCP chardev (`tcp`). */
export interface TcpEndpoint {
  /** Host name or address. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
}

/** Timeouts (`timeouts`), in ms; defaults in {@link BOARD_TIMEOUT_DEFAULTS}. */
export interface BoardTimeouts {
  /** Longest wait for the agent's HelloReply. */
  readonly handshakeMs?: number;
  /** Longest one operation may take on this board. */
  readonly opMs?: number;
  /** Longest `target.settle()` waits for work in flight. */
  readonly settleMs?: number;
  /** tcp: longest wait for the connection; qemu: for QEMU's UART socket, then for socat's pty. */
  readonly connectMs?: number;
}

/** Defaults of {@link BoardTimeouts}. */
export const BOARD_TIMEOUT_DEFAULTS: Readonly<Required<BoardTimeouts>> = Object.freeze({
  handshakeMs: 3000,
  opMs: 1000,
  settleMs: 5000,
  connectMs: 3000,
});

/**
 * How the host's link to the board's agent recovers and when it gives up (docs/wire.md, "Link").
 * Every field is optional; what is left out keeps the link's default.
 */
export interface BoardLink {
  /** Retransmission timeout before a round trip is measured, ms (default 100). */
  readonly retransmitMs?: number;
  /** Floor of the adaptive retransmission timeout, ms (default 5). */
  readonly retransmitMinMs?: number;
  /** Ceiling of the adaptive retransmission timeout, ms (default 250). */
  readonly retransmitMaxMs?: number;
  /** Time without acknowledgement progress before the link fails, ms (default 750): raise it for a board a debugger may halt. */
  readonly stallMs?: number;
  /** Retransmission timeouts in a row without progress before the link fails (default 64). */
  readonly maxRetransmits?: number;
  /** With SQEs in flight, how long the link may send nothing before it probes the agent, ms (default 250). */
  readonly keepaliveMs?: number;
  /**
   * Time beyond an SQE's own deadline (its timeoutMs and those of the members before it) after
   * which the host completes it with -ETIMEDOUT if the agent has not, ms (default 1000).
   */
  readonly deadlineAllowanceMs?: number;
}

/** One iodev as a board file lists it. */
export interface BoardIodev {
  /** As `target.iodev(name)` takes it. */
  readonly name: string;
  /** Bus or device class. */
  readonly kind: IodevKind;
  /** The bus it sits on. */
  readonly bus?: string;
  /** I2C address or SPI chip select. */
  readonly address?: number;
  /** The attached part. */
  readonly part?: string;
  /** Free text for people. */
  readonly description?: string;
  /** What it can do (default none). */
  readonly capabilities?: readonly IodevCapability[];
}

/** The contents of a board file, as the schema describes them. */
export interface BoardFileData {
  /** Board identity: the file's name without `.json`. */
  readonly id: string;
  /** What the board is. */
  readonly name: string;
  /** More words for people. */
  readonly description?: string;
  /** How chains reach it. */
  readonly target: TargetKind;
  /** serial: how its port is found. */
  readonly match?: PortMatch;
  /** native, qemu: how it is started. */
  readonly launch?: LaunchSpec;
  /** serial, native, qemu: line settings. */
  readonly serial?: SerialSettings;
  /** tcp: where it is. */
  readonly tcp?: TcpEndpoint;
  /** rfc2217: the RFC 2217 server in front of its serial port. */
  readonly rfc2217?: TcpEndpoint;
  /** labgrid: the place that holds it. */
  readonly labgrid?: LabgridPlaceSpec;
  /** Timeouts. */
  readonly timeouts?: BoardTimeouts;
  /** Link recovery and limits; defaults where left out. */
  readonly link?: BoardLink;
  /** Target-level capabilities, e.g. `'fault-injection'`. */
  readonly capabilities?: readonly TargetCapability[];
  /** The iodevs it exposes. */
  readonly iodevs: readonly BoardIodev[];
}

/** A validated board file and where it came from. */
export interface Board extends BoardFileData {
  /** Absolute path of the file. */
  readonly file: string;
}
