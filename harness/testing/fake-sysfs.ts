/**
 * A fake `/sys` and `/dev` for discovery tests: USB serial ports laid out as Linux lays them out
 * (a CDC ACM tty under its interface; a usb-serial tty one level further down), a virtual console
 * without a device, a phantom platform UART, and the `/dev/serial/by-id` and `by-path` links,
 * including the by-id collision of two identical adapters without serial numbers.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** One USB serial port of the fake tree. */
export interface FakeUsbPort {
  /** The tty name, e.g. `'ttyACM0'`. */
  readonly tty: string;
  /** idVendor, 4 hex digits. */
  readonly vendorId: string;
  /** idProduct. */
  readonly productId: string;
  /** The USB serial number, if the device has one. */
  readonly serialNumber?: string;
  /** The manufacturer string. */
  readonly manufacturer?: string;
  /** The product string. */
  readonly product?: string;
  /** USB bus number. Default 1. */
  readonly busnum?: number;
  /** Port path on the bus, e.g. `'1.2'` (so the location is `'1-1.2'`). */
  readonly devpath: string;
  /** bInterfaceNumber. Default 0. */
  readonly interface?: number;
  /** `'acm'` (tty under the interface) or `'usb-serial'` (one level further). Default `'acm'`. */
  readonly driver?: 'acm' | 'usb-serial';
}

/** Roots of a fake tree, as {@link DiscoveryOptions} take them. */
export interface FakeTree {
  /** The fake `/sys`. */
  readonly sysRoot: string;
  /** The fake `/dev`. */
  readonly devRoot: string;
}

function link(target: string, at: string): void {
  mkdirSync(dirname(at), { recursive: true });
  rmSync(at, { force: true });
  symlinkSync(relative(dirname(at), target), at);
}

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${text}\n`);
}

/** Builds the tree under `root` with `ports`, plus `tty0` (virtual) and `ttyS0` (a phantom platform UART). */
export function createFakeSerialTree(root: string, ports: readonly FakeUsbPort[]): FakeTree {
  const sysRoot = join(root, 'sys');
  const devRoot = join(root, 'dev');
  const hub = join(sysRoot, 'devices', 'pci0000:00', '0000:00:14.0');
  mkdirSync(join(sysRoot, 'bus', 'usb'), { recursive: true });
  mkdirSync(join(sysRoot, 'bus', 'platform'), { recursive: true });
  for (const p of ports) {
    const bus = p.busnum ?? 1;
    const ifnum = p.interface ?? 0;
    const dev = join(hub, `usb${bus}`, `${bus}-${p.devpath}`);
    write(join(dev, 'idVendor'), p.vendorId);
    write(join(dev, 'idProduct'), p.productId);
    write(join(dev, 'busnum'), String(bus));
    write(join(dev, 'devpath'), p.devpath);
    if (p.serialNumber !== undefined) write(join(dev, 'serial'), p.serialNumber);
    if (p.manufacturer !== undefined) write(join(dev, 'manufacturer'), p.manufacturer);
    if (p.product !== undefined) write(join(dev, 'product'), p.product);
    const iface = join(dev, `${bus}-${p.devpath}:1.${ifnum}`);
    write(join(iface, 'bInterfaceNumber'), ifnum.toString(16).padStart(2, '0'));
    link(join(sysRoot, 'bus', 'usb'), join(iface, 'subsystem'));
    const parent = p.driver === 'usb-serial' ? join(iface, p.tty) : iface;
    const ttyDir = join(parent, 'tty', p.tty);
    mkdirSync(ttyDir, { recursive: true });
    link(parent, join(ttyDir, 'device'));
    link(ttyDir, join(sysRoot, 'class', 'tty', p.tty));
    write(join(devRoot, p.tty), '');
    const idName = `usb-${(p.manufacturer ?? 'Unknown').replace(/\s+/g, '_')}_${(p.product ?? 'Serial').replace(/\s+/g, '_')}${p.serialNumber === undefined ? '' : `_${p.serialNumber}`}-if${ifnum.toString().padStart(2, '0')}${p.driver === 'usb-serial' ? '-port0' : ''}`;
    link(join(devRoot, p.tty), join(devRoot, 'serial', 'by-id', idName));
    link(join(devRoot, p.tty), join(devRoot, 'serial', 'by-path', `pci-0000:00:14.0-usb-0:${p.devpath}:1.${ifnum}${p.driver === 'usb-serial' ? '-port0' : ''}`));
  }
  // A virtual console: no device link.
  mkdirSync(join(sysRoot, 'devices', 'virtual', 'tty', 'tty0'), { recursive: true });
  link(join(sysRoot, 'devices', 'virtual', 'tty', 'tty0'), join(sysRoot, 'class', 'tty', 'tty0'));
  // A phantom serial8250 UART: a device on the platform bus.
  const platform = join(sysRoot, 'devices', 'platform', 'serial8250');
  link(join(sysRoot, 'bus', 'platform'), join(platform, 'subsystem'));
  const s0 = join(platform, 'tty', 'ttyS0');
  mkdirSync(s0, { recursive: true });
  link(platform, join(s0, 'device'));
  link(s0, join(sysRoot, 'class', 'tty', 'ttyS0'));
  return { sysRoot, devRoot };
}
