/**
 * @file A fault-injecting relay between the host and an agent, on real serial paths: the agent's
 * pty (opened with serialport, as the host would) on one side, and on the other a new pty made by
 * socat whose far end is this process, which the host opens instead. Frames (split at their 0x00
 * delimiter) are dropped whole, or have bits flipped, with seeded probabilities per direction; the
 * relay can also stall both directions for a while (a USB hub hiccup) or reset the agent (a Reset
 * packet, as a reset button would).
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { encodeFrame } from '../../protocol/frame';
import { encodePacket } from '../../protocol/messages';
import { Rand } from '../../harness/testing/differential/random';

/** What the relay does to the frames it passes on. */
export interface RelayFaults {
  /** Probability that a whole frame is dropped, 0..1. */
  readonly dropRate: number;
  /** Probability that a byte has one bit flipped, 0..1. */
  readonly flipRate: number;
}

/** Counters of a {@link FaultRelay}. */
export interface RelayStats {
  framesPassed: number;
  framesDropped: number;
  bytesFlipped: number;
  stalls: number;
  resets: number;
}

/** Frames of one direction: bytes up to each delimiter, faults applied, passed on. */
class Direction {
  private pending: number[] = [];

  constructor(private readonly relay: FaultRelay, private readonly out: (bytes: Uint8Array) => void) {}

  push(chunk: Uint8Array): void {
    for (const b of chunk) {
      this.pending.push(b);
      if (b === 0) {
        const frame = Uint8Array.from(this.pending);
        this.pending = [];
        this.relay.pass(frame, this.out);
      }
    }
  }
}

/** The relay; see the file comment. */
export class FaultRelay {
  /** The pty path the host opens. */
  readonly hostPath: string;
  readonly stats: RelayStats = { framesPassed: 0, framesDropped: 0, bytesFlipped: 0, stalls: 0, resets: 0 };
  faults: RelayFaults;
  private readonly rand: Rand;
  private stalledUntil = 0;
  private held: { frame: Uint8Array; out: (bytes: Uint8Array) => void }[] = [];
  private releaseTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly socat: ChildProcessWithoutNullStreams, private readonly agent: SerialPort, private readonly dir: string,
    hostPath: string, faults: RelayFaults, seed: number,
  ) {
    this.hostPath = hostPath;
    this.faults = faults;
    this.rand = new Rand(seed);
    const toAgent = new Direction(this, (b) => this.agent.write(Buffer.from(b)));
    const toHost = new Direction(this, (b) => this.socat.stdin.write(Buffer.from(b)));
    socat.stdout.on('data', (chunk: Buffer) => toAgent.push(chunk));
    agent.on('data', (chunk: Buffer) => toHost.push(chunk));
    // A write racing close() fails; the relay is going away then.
    socat.stdin.on('error', () => undefined);
    agent.on('error', () => undefined);
  }

  /** Starts a relay in front of the agent's pty `agentPath`; `seed` makes its faults repeatable. */
  static async start(agentPath: string, faults: RelayFaults, seed: number): Promise<FaultRelay> {
    const dir = mkdtempSync(join(tmpdir(), 'rtio-relay-'));
    const hostPath = join(dir, 'tty');
    const socat = spawn('socat', ['-d', '-d', `PTY,link=${hostPath},raw,echo=0`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let err = '';
      socat.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/starting data transfer loop/.test(err)) resolve();
      });
      socat.once('exit', (code) => reject(new Error(`socat exited (${String(code)}): ${err.trim()}`)));
      socat.once('error', reject);
    });
    const agent = new SerialPort({ path: agentPath, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => agent.open((e) => (e ? reject(e) : resolve())));
    return new FaultRelay(socat, agent, dir, hostPath, faults, seed);
  }

  /** Holds every frame, both ways, for `ms`, then lets them through in order. */
  stall(ms: number): void {
    this.stats.stalls++;
    this.stalledUntil = Math.max(this.stalledUntil, performance.now() + ms);
    this.scheduleRelease();
  }

  /** Resets the agent as its reset button would: a Reset packet, straight to it. */
  resetAgent(): void {
    this.stats.resets++;
    this.agent.write(Buffer.from(Uint8Array.of(0, ...encodeFrame(encodePacket({ reset: {} })))));
  }

  /** @internal A frame on its way: dropped, damaged, held or passed on. */
  pass(frame: Uint8Array, out: (bytes: Uint8Array) => void): void {
    if (this.rand.chance(this.faults.dropRate)) {
      this.stats.framesDropped++;
      return;
    }
    if (this.faults.flipRate > 0) {
      for (let i = 0; i < frame.length - 1; i++) {
        if (this.rand.chance(this.faults.flipRate)) {
          frame[i] = frame[i]! ^ (1 << this.rand.int(0, 7));
          this.stats.bytesFlipped++;
        }
      }
    }
    this.stats.framesPassed++;
    if (performance.now() < this.stalledUntil || this.held.length > 0) {
      this.held.push({ frame, out });
      this.scheduleRelease();
      return;
    }
    out(frame);
  }

  private scheduleRelease(): void {
    if (this.releaseTimer !== null) return;
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = null;
      if (performance.now() < this.stalledUntil) {
        this.scheduleRelease();
        return;
      }
      const held = this.held;
      this.held = [];
      for (const h of held) h.out(h.frame);
    }, Math.max(1, Math.ceil(this.stalledUntil - performance.now())));
  }

  /** Stops socat and closes the agent's port. */
  async close(): Promise<void> {
    if (this.releaseTimer !== null) clearTimeout(this.releaseTimer);
    this.socat.kill('SIGTERM');
    await new Promise<void>((resolve) => this.agent.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
