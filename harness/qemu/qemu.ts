/**
 * The QEMU target: the agent's Cortex-M firmware running under `qemu-system-arm` (./launch),
 * reached over a pseudo-terminal exactly as a USB board would be, with QMP for the backplane
 * that reaches QEMU's device models (./peripherals). QEMU and socat are stopped by their pids
 * when the target closes, when opening fails, and when this process exits.
 */
import type { HostLink } from '../link/host';
import { openSerialRemote } from '../remote/open-remote';
import type { OpenRemoteOptions } from '../remote/open-remote';
import type { AgentHello, PacketLink } from '../remote/packet-link';
import { RemoteTarget } from '../remote/remote-target';
import type { RemoteTargetOptions } from '../remote/remote-target';
import type { Backplane } from '../target/backplane';
import { startQemu } from './launch';
import type { QemuOptions, QemuProcess } from './launch';
import { QemuBackplane } from './peripherals';

/**
 * Default timeouts of a QEMU board, named as a board file's `timeouts` fields, which override them:
 * - handshakeMs: the first HelloReply (QEMU boots in ~50 ms; a loaded 2-core machine is slower);
 * - opMs: one operation, for tools that time one (QEMU's UART moves ~60-100 KiB/s into the
 *   guest, so a 1 KiB frame alone takes ~15 ms; ≥ 1 s leaves room for a busy host);
 * - settleMs: `target.settle()`;
 * - connectMs: QEMU's socket, then socat's pty link, must appear within this.
 */
export const QEMU_TIMEOUTS = Object.freeze({
  handshakeMs: 5000,
  opMs: 2000,
  settleMs: 10000,
  connectMs: 5000,
});

/** Options of {@link openQemu}: how to launch QEMU, and how to open the target over its pty. */
export interface OpenQemuOptions extends Omit<QemuOptions, 'seed'>, OpenRemoteOptions {}

/** A board's agent under QEMU, with the backplane that reaches QEMU's device models. */
export class QemuTarget extends RemoteTarget {
  constructor(id: string, link: PacketLink, hello: AgentHello, opts: RemoteTargetOptions, readonly backplane: Backplane) {
    super(id, link, hello, opts);
  }
}

/** The pieces of an open QEMU target, for tests that look at the processes. */
export interface QemuParts {
  readonly target: QemuTarget;
  readonly qemu: QemuProcess;
  readonly hostLink: HostLink;
}

/**
 * {@link openQemu}, returning the QEMU process and the host link as well as the target. An error
 * while opening carries QEMU's stderr in its message.
 */
export async function openQemuParts(id: string, seed: number, opts: OpenQemuOptions = {}): Promise<QemuParts> {
  const qemu = await startQemu({ ...opts, seed, connectMs: opts.connectMs ?? QEMU_TIMEOUTS.connectMs });
  try {
    const { target, link } = await openSerialRemote(id, qemu.path, {
      ...opts,
      link: { handshakeTimeoutMs: QEMU_TIMEOUTS.handshakeMs, ...opts.link },
      settleTimeoutMs: opts.settleTimeoutMs ?? QEMU_TIMEOUTS.settleMs,
      onClose: async () => {
        await qemu.stop();
        await opts.onClose?.();
      },
    }, (tid, packetLink, hello, targetOpts) =>
      new QemuTarget(tid, packetLink, hello, targetOpts, new QemuBackplane(tid, opts.peripherals ?? {}, qemu.qmp, qemu.files)));
    return { target, qemu, hostLink: link };
  } catch (e) {
    if (e instanceof Error && qemu.stderr.length > 0) e.message += ` (QEMU stderr: ${qemu.stderr.join(' | ')})`;
    throw e;
  }
}

/**
 * The agent's firmware under QEMU (default: the lm3s6965evb agent, built if needed), with sensor
 * seed `seed`, opened over socat's pty with SerialPort like a USB board.
 */
export async function openQemu(id: string, seed: number, opts: OpenQemuOptions = {}): Promise<QemuTarget> {
  return (await openQemuParts(id, seed, opts)).target;
}
