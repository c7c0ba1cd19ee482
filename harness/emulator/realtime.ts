import type { VirtualClock } from '../clock';

/**
 * Drives a board's virtual clock from the wall clock, so an emulated board behaves like real
 * hardware in time (the emulator behind the wire, where the host's waits cannot step it):
 * timers fire when the wall clock reaches them, never earlier.
 */
export class RealtimeDriver {
  private timer: NodeJS.Timeout | null = null;
  private epoch = 0;
  private running = false;

  constructor(private readonly clock: VirtualClock) {}

  /** Starts following the wall clock from the virtual clock's current time. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.epoch = performance.now() - this.clock.now();
    this.arm();
  }

  /** Stops; pending timers stay armed on the virtual clock. */
  stop(): void {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Runs every timer due by now and brings virtual time up to the wall clock; call before handling input. */
  catchUp(): void {
    const wall = performance.now() - this.epoch;
    if (wall > this.clock.now()) this.clock.advance(wall - this.clock.now());
  }

  /** Re-arms after new timers were set (cheap; call after handling input). */
  poke(): void {
    if (this.running) this.arm();
  }

  private arm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const next = this.clock.nextAt();
    if (next === Infinity) return;
    const wait = Math.max(0, Math.ceil(next - (performance.now() - this.epoch)));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.catchUp();
      this.arm();
    }, wait);
  }
}
