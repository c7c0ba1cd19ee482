/**
 * Finding serial ports and what is on them. `SerialPort.list()` asks udev (`udevadm info -e`) on
 * Linux, which fails with `spawn udevadm ENOENT` where there is no udev (containers, CI); it
 * also reports neither the USB location nor the interface number. So on Linux the ports are
 * read from sysfs (`/sys/class/tty/<tty>/device` up to the USB device's `idVendor`, `idProduct`,
 * `serial`, `busnum`, `devpath`, and the interface's `bInterfaceNumber`) plus the
 * `/dev/serial/by-id` and `by-path` links, and merged with what `SerialPort.list()` says when it
 * works. Elsewhere `SerialPort.list()` alone is used. Both roots are injectable, so tests read a
 * fake tree in a temporary folder.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { SerialPort } from 'serialport';

/** A serial port found on this machine (port identity, not board identity). */
export interface PortInfo {
  /** What to open, e.g. `'/dev/ttyACM0'`. */
  readonly path: string;
  /** USB vendor id, 4 lower-case hex digits. */
  readonly vendorId?: string;
  /** USB product id, 4 lower-case hex digits. */
  readonly productId?: string;
  /** USB serial number. */
  readonly serialNumber?: string;
  /** USB manufacturer string. */
  readonly manufacturer?: string;
  /** USB product string. */
  readonly product?: string;
  /** USB port path `<bus>-<port>[.<port>…]` on Linux (e.g. `'1-1.2'`); the OS's location id elsewhere. */
  readonly location?: string;
  /** USB interface number of this UART. */
  readonly interface?: number;
  /** Its `/dev/serial/by-id` link (identical adapters without serial numbers share one). */
  readonly byId?: string;
  /** Its `/dev/serial/by-path` link (stable per USB socket). */
  readonly byPath?: string;
}

/** What `SerialPort.list()` returns per port (serialport's own PortInfo). */
export interface SerialPortListEntry {
  path: string;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  pnpId?: string | undefined;
  locationId?: string | undefined;
  productId?: string | undefined;
  vendorId?: string | undefined;
}

/** Options of {@link discoverPorts}. */
export interface DiscoveryOptions {
  /** Root of sysfs. Default `'/sys'`. */
  readonly sysRoot?: string;
  /** Root of the device folder (ports are `<devRoot>/<tty>`, links under `<devRoot>/serial`). Default `'/dev'`. */
  readonly devRoot?: string;
  /** The port lister; `null` skips it (read the tree only). Default `SerialPort.list`. */
  readonly list?: (() => Promise<SerialPortListEntry[]>) | null;
  /** The platform whose rules apply. Default `process.platform`. */
  readonly platform?: NodeJS.Platform;
}

/** What {@link discoverPorts} found and how. */
export interface Discovery {
  /** The ports, sorted by path. */
  readonly ports: readonly PortInfo[];
  /** Where the information came from, e.g. `['sysfs /sys', '/dev/serial', 'SerialPort.list()']`. */
  readonly sources: readonly string[];
  /** Why `SerialPort.list()` failed (e.g. `spawn udevadm ENOENT`), when it did. */
  readonly listError: Error | null;
}

/** Environment variables that point discovery at another tree (tests, containers with a copy). */
export const DISCOVERY_ENV = Object.freeze({
  /** Root of sysfs; when set, only the tree is read (SerialPort.list() is not called). */
  sysRoot: 'RTIO_HIL_SYS_ROOT',
  /** Root of the device folder. */
  devRoot: 'RTIO_HIL_DEV_ROOT',
});

/** {@link DiscoveryOptions} from {@link DISCOVERY_ENV}; with a sysfs root set, the lister is off. */
export function discoveryOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DiscoveryOptions {
  const sysRoot = env[DISCOVERY_ENV.sysRoot];
  const devRoot = env[DISCOVERY_ENV.devRoot];
  return {
    ...(sysRoot === undefined || sysRoot === '' ? {} : { sysRoot, list: null, platform: 'linux' as const }),
    ...(devRoot === undefined || devRoot === '' ? {} : { devRoot }),
  };
}

/** `SerialPort.list()`, with any failure (thrown or rejected) turned into a rejection. */
export function serialPortList(): Promise<SerialPortListEntry[]> {
  try {
    return SerialPort.list();
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

/**
 * Lists the serial ports of this machine (see the module comment). Never rejects because the
 * lister failed: the failure is in {@link Discovery.listError} and sysfs is used instead.
 */
export async function discoverPorts(opts: DiscoveryOptions = {}): Promise<Discovery> {
  const platform = opts.platform ?? process.platform;
  const sysRoot = opts.sysRoot ?? '/sys';
  const devRoot = opts.devRoot ?? '/dev';
  const list = opts.list === undefined ? serialPortList : opts.list;
  const sources: string[] = [];
  const byPath = new Map<string, PortInfo>();
  if (platform === 'linux') {
    for (const p of scanSysfs(sysRoot, devRoot)) byPath.set(p.path, p);
    sources.push(`sysfs ${join(sysRoot, 'class', 'tty')}`, join(devRoot, 'serial'));
  }
  let listError: Error | null = null;
  if (list !== null) {
    try {
      const entries = await list();
      sources.push('SerialPort.list()');
      for (const e of entries) {
        const fromList = fromListEntry(e, platform, devRoot);
        const known = byPath.get(fromList.path);
        byPath.set(fromList.path, known === undefined ? fromList : { ...fromList, ...known });
      }
    } catch (e) {
      listError = e instanceof Error ? e : new Error(String(e));
    }
  }
  const ports = [...byPath.values()].sort((a, b) => comparePaths(a.path, b.path));
  return { ports, sources, listError };
}

function fromListEntry(e: SerialPortListEntry, platform: NodeJS.Platform, devRoot: string): PortInfo {
  return compact<PortInfo>({
    path: e.path,
    vendorId: e.vendorId?.toLowerCase(),
    productId: e.productId?.toLowerCase(),
    serialNumber: e.serialNumber,
    manufacturer: e.manufacturer,
    location: platform === 'linux' ? undefined : e.locationId,
    byId: platform === 'linux' && e.pnpId !== undefined ? join(devRoot, 'serial', 'by-id', e.pnpId) : undefined,
  });
}

/**
 * The serial ports sysfs knows under `sysRoot`: every `class/tty` entry with a `device` link,
 * except the platform UARTs the kernel registers whether or not they exist (serial8250), with
 * the USB attributes of the device it hangs off, and its `devRoot/serial/by-id` and `by-path`
 * links. Unreadable entries are skipped; a missing tree gives no ports.
 */
export function scanSysfs(sysRoot: string, devRoot: string): PortInfo[] {
  const classDir = join(sysRoot, 'class', 'tty');
  if (!existsSync(classDir)) return [];
  const links = {
    byId: serialLinks(join(devRoot, 'serial', 'by-id')),
    byPath: serialLinks(join(devRoot, 'serial', 'by-path')),
  };
  const realSys = safeRealpath(sysRoot) ?? resolve(sysRoot);
  const out: PortInfo[] = [];
  for (const name of readdirSync(classDir)) {
    const device = safeRealpath(join(classDir, name, 'device'));
    if (device === null) continue;
    const usb = findUsbDevice(device, realSys);
    if (usb === null && basename(safeRealpath(join(device, 'subsystem')) ?? '') === 'platform') continue;
    const path = join(devRoot, name);
    const port: Record<string, unknown> = { path };
    if (usb !== null) {
      const attr = (f: string): string | undefined => readAttr(join(usb.device, f));
      port.vendorId = attr('idVendor')?.toLowerCase();
      port.productId = attr('idProduct')?.toLowerCase();
      port.serialNumber = attr('serial');
      port.manufacturer = attr('manufacturer');
      port.product = attr('product');
      const busnum = attr('busnum');
      const devpath = attr('devpath');
      const dirName = basename(usb.device);
      port.location = busnum !== undefined && devpath !== undefined ? `${busnum}-${devpath}` : /^\d+-[\d.]+$/.test(dirName) ? dirName : undefined;
      const ifnum = usb.interfaceDir === null ? undefined : readAttr(join(usb.interfaceDir, 'bInterfaceNumber'));
      port.interface = ifnum === undefined || !/^[0-9a-fA-F]+$/.test(ifnum) ? undefined : parseInt(ifnum, 16);
    }
    const resolved = resolve(path);
    port.byId = links.byId.get(resolved);
    port.byPath = links.byPath.get(resolved);
    out.push(compact<PortInfo>(port as { [K in keyof PortInfo]: PortInfo[K] | undefined }));
  }
  return out.sort((a, b) => comparePaths(a.path, b.path));
}

/** The USB device a tty's device folder hangs off (the first ancestor with `idVendor`), and the interface below it. */
function findUsbDevice(device: string, root: string): { device: string; interfaceDir: string | null } | null {
  let below: string | null = null;
  for (let dir = device; dir.startsWith(root + sep) && dir !== root; dir = dirname(dir)) {
    if (existsSync(join(dir, 'idVendor'))) {
      return { device: dir, interfaceDir: below !== null && existsSync(join(below, 'bInterfaceNumber')) ? below : null };
    }
    below = dir;
  }
  return null;
}

/** Link target (resolved) → link path, for every link in `dir`; the last link wins a shared target. */
function serialLinks(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const link = join(dir, name);
    try {
      out.set(resolve(dir, readlinkSync(link)), link);
    } catch {
      // not a link: ignore
    }
  }
  return out;
}

function readAttr(file: string): string | undefined {
  try {
    const v = readFileSync(file, 'utf8').trim();
    return v === '' ? undefined : v;
  } catch {
    return undefined;
  }
}

function safeRealpath(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/** Orders `/dev/ttyACM2` before `/dev/ttyACM10`. */
function comparePaths(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** `o` without its undefined fields, typed as `T` (for exactOptionalPropertyTypes). */
function compact<T extends object>(o: { [K in keyof T]: T[K] | undefined }): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** One line about a port: `/dev/ttyACM0 0483:374b serial 066D… usb 1-1.2 if 2 "STM32 STLink"`. */
export function describePort(p: PortInfo): string {
  const parts = [p.path];
  if (p.vendorId !== undefined) parts.push(`${p.vendorId}:${p.productId ?? '????'}`);
  if (p.serialNumber !== undefined) parts.push(`serial ${p.serialNumber}`);
  if (p.location !== undefined) parts.push(`usb ${p.location}`);
  if (p.interface !== undefined) parts.push(`if ${p.interface}`);
  const what = [p.manufacturer, p.product].filter((s) => s !== undefined).join(' ');
  if (what !== '') parts.push(`"${what}"`);
  return parts.join(' ');
}
