/** Lines on the emulated GPIO port: 0..GPIO_LINE_COUNT-1. */
export const GPIO_LINE_COUNT = 8;
/** Lines 0..GPIO_OUTPUT_COUNT-1 are outputs; the rest are inputs. */
export const GPIO_OUTPUT_COUNT = 4;
/** The reference rig's jumpers wire output k to input k + GPIO_JUMPER_OFFSET. */
export const GPIO_JUMPER_OFFSET = 4;

/** A level change on an input line. */
export interface GpioEdge {
  /** Input line, GPIO_OUTPUT_COUNT..GPIO_LINE_COUNT-1. */
  readonly line: number;
  /** New level: 1 for a rising edge, 0 for a falling one. */
  readonly level: number;
  /** Virtual ms when it happened. */
  readonly timeMs: number;
}

/** Called on every edge of an input line. */
export type GpioEdgeListener = (edge: GpioEdge) => void;

/** Options of `new GpioLines(...)`. */
export interface GpioLinesOptions {
  /** Virtual time in ms, for edge timestamps (default: always 0). */
  readonly now?: () => number;
  /** Whether the reference rig's jumpers (output k → input k+4) are fitted (default true). */
  readonly jumpers?: boolean;
}

/**
 * An 8-line GPIO port: lines 0–3 are outputs, 4–7 inputs, all low at reset. With the reference
 * rig's jumpers, input k+4 follows output k, so setting an output makes an edge on its input.
 * Inputs can also be driven from outside with {@link GpioLines.drive} (last writer wins).
 */
export class GpioLines {
  /** Whether the jumpers are fitted. */
  readonly jumpers: boolean;
  /** Edges seen on input lines so far. */
  edges = 0;

  private readonly level = new Uint8Array(GPIO_LINE_COUNT);
  private readonly listeners: GpioEdgeListener[] = [];
  private readonly now: () => number;

  /** Throws `TypeError` when `now` is given and is not a function. */
  constructor(opts: GpioLinesOptions = {}) {
    if (opts.now !== undefined && typeof opts.now !== 'function') throw new TypeError('"now" must be a function returning virtual ms');
    this.now = opts.now ?? ((): number => 0);
    this.jumpers = opts.jumpers ?? true;
  }

  /** True for an output line (0..3). */
  static isOutput(line: number): boolean {
    return Number.isInteger(line) && line >= 0 && line < GPIO_OUTPUT_COUNT;
  }

  /** True for an input line (4..7). */
  static isInput(line: number): boolean {
    return Number.isInteger(line) && line >= GPIO_OUTPUT_COUNT && line < GPIO_LINE_COUNT;
  }

  /** Level (0 or 1) of any line. Throws `RangeError` for a line outside 0..7. */
  get(line: number): number {
    if (!Number.isInteger(line) || line < 0 || line >= GPIO_LINE_COUNT) {
      throw new RangeError(`"line" must be an integer 0..${GPIO_LINE_COUNT - 1}, got ${String(line)}`);
    }
    return this.level[line]!;
  }

  /** Every line's level as a bit mask (bit k = line k). */
  levels(): number {
    let mask = 0;
    for (let i = 0; i < GPIO_LINE_COUNT; i++) mask |= this.level[i]! << i;
    return mask;
  }

  /** Sets output `line` to `level` (0 or 1). Throws `RangeError` for an input or unknown line, or a level other than 0/1. */
  set(line: number, level: number): void {
    if (!GpioLines.isOutput(line)) throw new RangeError(`"line" must be an output line 0..${GPIO_OUTPUT_COUNT - 1}, got ${String(line)}`);
    checkLevel(level);
    this.level[line] = level;
    if (this.jumpers) this.change(line + GPIO_JUMPER_OFFSET, level);
  }

  /** Drives input `line` from outside the board. Throws `RangeError` for an output or unknown line, or a level other than 0/1. */
  drive(line: number, level: number): void {
    if (!GpioLines.isInput(line)) throw new RangeError(`"line" must be an input line ${GPIO_OUTPUT_COUNT}..${GPIO_LINE_COUNT - 1}, got ${String(line)}`);
    checkLevel(level);
    this.change(line, level);
  }

  /** Calls `listener` on every input edge; returns a function that removes it. */
  onEdge(listener: GpioEdgeListener): () => void {
    if (typeof listener !== 'function') throw new TypeError('"listener" must be a function');
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private change(line: number, level: number): void {
    if (this.level[line] === level) return;
    this.level[line] = level;
    this.edges++;
    const edge: GpioEdge = { line, level, timeMs: this.now() };
    for (const l of this.listeners.slice()) l(edge);
  }
}

function checkLevel(level: number): void {
  if (level !== 0 && level !== 1) throw new RangeError(`"level" must be 0 or 1, got ${String(level)}`);
}
