/**
 * @file Probes: how the conformance kit observes one kind of device through RTIO alone (so the
 * same probe works on the emulator, behind the wire and on a board's agent), keyed by the part
 * name of the iodev table. The reference board's parts are built in.
 */
import { RTIO_IODEV_GPIO_WAIT_EDGE } from '../../emulator/iodevs/gpio-iodev';
import { testIodevScript } from '../../emulator/iodevs/test-iodev';
import type { Backplane, BackplaneCapability } from '../../target/backplane';
import type { IodevInfo } from '../../target/target';

/** A byte of an expected read; `null` is a byte the kit ignores. */
export type ExpectedByte = number | null;

/**
 * A write-then-read whose answer is known and that changes nothing (a WHO_AM_I register, a JEDEC
 * ID). On I2C the kit runs it as one transaction (a repeated START between the write and the
 * read); on SPI as one chip-select assertion, or as one TXRX of `tx` followed by `expect.length`
 * clocked bytes.
 */
export interface IdentityProbe {
  /** Bytes written first: the register pointer, or the command. */
  readonly tx: Uint8Array;
  /** What the read after them returns. */
  readonly expect: Uint8Array;
}

/**
 * Storage the kit may write and read back, to see a chain member's effect in the next member
 * (a limit register, an alarm register, the write-enable latch).
 */
export interface ScratchProbe {
  /** The TX that stores `value`. */
  write(value: number): Uint8Array;
  /** TX before the read-back, in one transaction with it; empty for a plain read. */
  readonly readTx: Uint8Array;
  /** Bytes the read-back reads. */
  readonly readLen: number;
  /** What the read-back returns after `write(value)`. */
  expect(value: number): readonly ExpectedByte[];
  /** Two distinct values the kit stores in turn. */
  readonly values: readonly [number, number];
  /** ms the device needs after a write before it answers again (an EEPROM's write cycle). Default 0. */
  readonly settleMs?: number;
}

/** GPIO: an output line wired to an input line (the reference board's jumpers). */
export interface LoopbackProbe {
  /** Output line the kit drives: a TX `[line, level]` sets it. */
  readonly output: number;
  /** Input line wired to it. */
  readonly input: number;
  /** Lines a read may cover: an RX of n bytes returns the levels of lines 0..n-1. */
  readonly lineCount: number;
  /** `iodevFlags` of an RX that waits for the next input edge. */
  readonly edgeFlags: number;
  /** The start of the record an edge read delivers for an edge to `level` on `input`. */
  edgeRecord(level: number): readonly ExpectedByte[];
}

/** How to make a device produce events for mempool and multishot reads. */
export interface StreamProbe {
  /** TXs run (chained, in order) before streaming: enable a timer, set a known level. */
  readonly setup?: readonly Uint8Array[];
  /** TXs run after streaming: stop what `setup` started. */
  readonly teardown?: readonly Uint8Array[];
  /** `iodevFlags` of the event read. Default 0. */
  readonly iodevFlags?: number;
  /**
   * The TX (on the same iodev) that makes event `i` happen, for devices whose events the kit
   * must cause (a GPIO edge). Absent: the device makes events by itself (a FIFO, a timer). With a
   * stimulus the kit first drains events left over from earlier checks.
   */
  stimulus?(i: number): Uint8Array;
  /**
   * Events made from outside the board, through the target's backplane (a GPIO input driven by
   * the host), for devices nothing on the board can stimulate. A target whose backplane lacks
   * `capability` for the iodev skips the stream checks. Like a stimulus, the kit first drains
   * events left over from earlier checks.
   */
  readonly external?: {
    readonly capability: BackplaneCapability;
    /** Makes event `i` happen on iodev `iodev`. */
    stimulus(backplane: Backplane, iodev: string, i: number): Promise<void>;
  };
}

/** Everything the kit may know about a device; each check says which fields it needs. */
export interface IodevProbe {
  /** A TX that changes nothing (it selects a register, or is a status command). */
  readonly select?: Uint8Array;
  /** Bytes of the plain reads the kit uses as a harmless operation. Default 2. */
  readonly readLen?: number;
  /** Most bytes one read may ask for, when the device limits it (8 GPIO lines). Default: no limit. */
  readonly maxReadLen?: number;
  /** A known answer; see {@link IdentityProbe}. */
  readonly identity?: IdentityProbe;
  /** A round trip through storage; see {@link ScratchProbe}. */
  readonly scratch?: ScratchProbe;
  /** A TX of exactly `len` bytes (len ≥ 8) with no lasting effect, for maximum-length writes. */
  longWrite?(len: number): Uint8Array;
  /** ms the device needs after {@link IodevProbe.longWrite} before it answers again. Default 0. */
  readonly longWriteSettleMs?: number;
  /** TXRX returns what it sent (a loopback, like the test iodev). */
  readonly txrxEcho?: boolean;
  /** GPIO lines wired together; see {@link LoopbackProbe}. */
  readonly loopback?: LoopbackProbe;
  /** How to make events; see {@link StreamProbe}. Default: none needed. */
  readonly stream?: StreamProbe;
}

/** `n` bytes of `fill`. */
function filled(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

/** `head` followed by zeros up to `len` bytes. */
function padded(head: readonly number[], len: number, fill = 0): Uint8Array {
  const out = filled(Math.max(len, head.length), fill);
  out.set(head);
  return out;
}

/** The 24C32 EEPROM: its last page is the kit's scratch; a write costs a 5 ms write cycle. */
const EEPROM_24C32: IodevProbe = {
  select: Uint8Array.of(0x00, 0x00),
  scratch: {
    write: (v) => Uint8Array.of(0x0f, 0xf0, v),
    readTx: Uint8Array.of(0x0f, 0xf0),
    readLen: 1,
    expect: (v) => [v],
    values: [0x5a, 0xa5],
    settleMs: 6,
  },
  longWrite: (len) => padded([0x0f, 0xe0], len, 0xff),
  longWriteSettleMs: 6,
};

/** The TMP102: CONFIG reads 0x60A0 after power-on; T(LOW) is the scratch; writes to TEMP are ignored. */
const TMP102: IodevProbe = {
  select: Uint8Array.of(0x01),
  identity: { tx: Uint8Array.of(0x01), expect: Uint8Array.of(0x60, 0xa0) },
  scratch: {
    write: (v) => Uint8Array.of(0x02, v, 0x00),
    readTx: Uint8Array.of(0x02),
    readLen: 2,
    expect: (v) => [v, 0x00],
    values: [0x4b, 0x3c],
  },
  longWrite: (len) => padded([0x00], len),
};

/** The ICM-42688: WHO_AM_I is 0x47; INT_CONFIG is the scratch; FIFO_DATA swallows long writes. */
const ICM42688: IodevProbe = {
  select: Uint8Array.of(0x75),
  identity: { tx: Uint8Array.of(0x75), expect: Uint8Array.of(0x47) },
  scratch: {
    write: (v) => Uint8Array.of(0x14, v),
    readTx: Uint8Array.of(0x14),
    readLen: 1,
    expect: (v) => [v],
    values: [0x03, 0x00],
  },
  longWrite: (len) => padded([0x30], len),
};

/** The W25Q80 NOR flash: JEDEC ID EF 40 14; the write-enable latch (WREN/WRDI, then RDSR) is the scratch. */
const W25Q80: IodevProbe = {
  select: Uint8Array.of(0x05),
  identity: { tx: Uint8Array.of(0x9f), expect: Uint8Array.of(0xef, 0x40, 0x14) },
  scratch: {
    write: (v) => Uint8Array.of(v === 0 ? 0x04 : 0x06),
    readTx: Uint8Array.of(0x05),
    readLen: 1,
    expect: (v) => [v === 0 ? 0x00 : 0x02],
    values: [1, 0],
  },
  // READ from address 0: the tail only clocks data out.
  longWrite: (len) => padded([0x03, 0x00, 0x00, 0x00], len),
};

/** The reference board's GPIO port: output 0 jumpered to input 4; edge records start [line, level]. */
const GPIO_8: IodevProbe = {
  select: Uint8Array.of(0, 0),
  maxReadLen: 8,
  scratch: {
    write: (v) => Uint8Array.of(0, v),
    readTx: new Uint8Array(0),
    readLen: 5,
    expect: (v) => [v, null, null, null, v],
    values: [1, 0],
  },
  longWrite: (len) => filled(len - (len % 2), 0),
  loopback: {
    output: 0,
    input: 4,
    lineCount: 8,
    edgeFlags: RTIO_IODEV_GPIO_WAIT_EDGE,
    edgeRecord: (level) => [4, level],
  },
  stream: {
    setup: [Uint8Array.of(0, 0)],
    iodevFlags: RTIO_IODEV_GPIO_WAIT_EDGE,
    stimulus: (i) => Uint8Array.of(0, (i + 1) % 2),
  },
};

/** The scriptable test iodev: TXRX loops back; a stream shot every 1 ms. */
const RTIO_IODEV_TEST: IodevProbe = {
  select: Uint8Array.of(0),
  txrxEcho: true,
  longWrite: (len) => filled(len, 0),
  stream: { iodevFlags: testIodevScript({ delayMs: 1 }) },
};

/**
 * The PCF8563-style RTC of the driver guide's worked example: CLKOUT_control reads 0x80 after
 * power-on; the minute alarm register is the scratch; its countdown timer (4096 Hz / 16, TIE)
 * paces the tick reads.
 */
const PCF8563: IodevProbe = {
  select: Uint8Array.of(0x0d),
  identity: { tx: Uint8Array.of(0x0d), expect: Uint8Array.of(0x80) },
  scratch: {
    write: (v) => Uint8Array.of(0x09, v),
    readTx: Uint8Array.of(0x09),
    readLen: 1,
    expect: (v) => [v],
    values: [0x95, 0xc2],
  },
  stream: {
    setup: [Uint8Array.of(0x0e, 0x00), Uint8Array.of(0x0f, 16), Uint8Array.of(0x01, 0x01), Uint8Array.of(0x0e, 0x80)],
    teardown: [Uint8Array.of(0x0e, 0x03), Uint8Array.of(0x01, 0x00)],
  },
};

/** QEMU's tmp105 (a TMP102 sibling): an 8-bit CONFIG reading 0x00 after power-on; T(LOW) is the scratch. */
const TMP105: IodevProbe = {
  select: Uint8Array.of(0x01),
  readLen: 1,
  identity: { tx: Uint8Array.of(0x01), expect: Uint8Array.of(0x00) },
  scratch: TMP102.scratch!,
  longWrite: (len) => padded([0x00], len),
};

/** The DS1338 RTC: its battery-backed RAM (0x08-0x3F) is the scratch; no identity, no long write (it would wrap into the clock). */
const DS1338: IodevProbe = {
  select: Uint8Array.of(0x08),
  readLen: 1,
  scratch: {
    write: (v) => Uint8Array.of(0x3f, v),
    readTx: Uint8Array.of(0x3f),
    readLen: 1,
    expect: (v) => [v],
    values: [0x5a, 0xa5],
  },
};

/** The LSM303DLHC magnetometer: identification registers IRA-IRC read "H43"; CRA_REG_M is the scratch; OUT_X_H swallows long writes (read-only). */
const LSM303DLHC_MAG: IodevProbe = {
  select: Uint8Array.of(0x09),
  readLen: 1,
  identity: { tx: Uint8Array.of(0x0a), expect: Uint8Array.of(0x48, 0x34, 0x33) },
  scratch: {
    write: (v) => Uint8Array.of(0x00, v),
    readTx: Uint8Array.of(0x00),
    readLen: 1,
    expect: (v) => [v],
    values: [0x14, 0x10],
  },
  longWrite: (len) => padded([0x03], len),
};

/** The level the kit last drove input 4 of each backplane to (inputs start low). */
const drivenLevel = new WeakMap<Backplane, 0 | 1>();

/** Drives input `line` of `iodev` to the other level than last time, so that every call makes one edge. */
async function toggleInput(bp: Backplane, iodev: string, line: number): Promise<void> {
  const level = drivenLevel.get(bp) === 1 ? 0 : 1;
  await bp.driveInput(iodev, line, level);
  drivenLevel.set(bp, level);
}

/**
 * The AST1030's GPIO port A as ports/ast1030-evb serves it: lines 0-3 outputs, 4-7 inputs, nothing
 * wired between them (no loopback). Output 0 reads back what was set; edges on input 4 are driven
 * from outside through the backplane.
 */
const AST1030_GPIOA: IodevProbe = {
  select: Uint8Array.of(0, 0),
  maxReadLen: 8,
  scratch: {
    write: (v) => Uint8Array.of(0, v),
    readTx: new Uint8Array(0),
    readLen: 1,
    expect: (v) => [v],
    values: [1, 0],
  },
  longWrite: (len) => filled(len - (len % 2), 0),
  stream: {
    iodevFlags: RTIO_IODEV_GPIO_WAIT_EDGE,
    external: { capability: 'gpio-input', stimulus: (bp, iodev) => toggleInput(bp, iodev, 4) },
  },
};

/** Built-in probes by part name (the `part` of an iodev table row). */
export const REFERENCE_PROBES: Readonly<Record<string, IodevProbe>> = {
  '24c32': EEPROM_24C32,
  tmp102: TMP102,
  icm42688: ICM42688,
  w25q80: W25Q80,
  'gpio-8': GPIO_8,
  'rtio-iodev-test': RTIO_IODEV_TEST,
  pcf8563: PCF8563,
  // QEMU's models on qemu-ast1030-evb: the same datasheet registers where the part is the same.
  at24c32: EEPROM_24C32,
  tmp105: TMP105,
  ds1338: DS1338,
  'lsm303dlhc-mag': LSM303DLHC_MAG,
  w25q80bl: W25Q80,
  'ast1030-gpioa': AST1030_GPIOA,
};

/** The probe for `info`: `override` if given, else the built-in one for its part, else an empty probe. */
export function probeFor(info: IodevInfo, override?: IodevProbe): IodevProbe {
  if (override !== undefined) return override;
  return (info.part === undefined ? undefined : REFERENCE_PROBES[info.part]) ?? {};
}
