import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { skipBecause } from '../report/skip-reason';
import { DISCOVERY_ENV, describePort, discoverPorts, discoveryOptionsFromEnv, scanSysfs } from './discovery';
import type { SerialPortListEntry } from './discovery';
import { createFakeSerialTree } from '../testing/fake-sysfs';
import type { FakeTree, FakeUsbPort } from '../testing/fake-sysfs';

const ROOT = resolve(__dirname, '..', '..');

/** An ST-LINK's VCP (CDC ACM, interface 2) and two identical FTDI adapters without serial numbers. */
const PORTS: readonly FakeUsbPort[] = [
  { tty: 'ttyACM0', vendorId: '0483', productId: '374B', serialNumber: '0671FF485550755187121723', manufacturer: 'STMicroelectronics', product: 'STM32 STLink', devpath: '2', interface: 2 },
  { tty: 'ttyUSB0', vendorId: '0403', productId: '6001', manufacturer: 'FTDI', product: 'FT232R USB UART', devpath: '1.3', driver: 'usb-serial' },
  { tty: 'ttyUSB1', vendorId: '0403', productId: '6001', manufacturer: 'FTDI', product: 'FT232R USB UART', devpath: '1.4', driver: 'usb-serial' },
];

describe('port discovery', function () {
  let root: string;
  let tree: FakeTree;
  beforeEach(function () {
    root = mkdtempSync(join(tmpdir(), 'rtio-hil-sysfs-'));
    tree = createFakeSerialTree(root, PORTS);
  });
  afterEach(function () {
    rmSync(root, { recursive: true, force: true });
  });

  describe('from sysfs', function () {
    it('reads USB ids, serial number, location and interface of each tty, and its by-id and by-path links', function () {
      const [acm] = scanSysfs(tree.sysRoot, tree.devRoot);
      expect(acm).to.deep.equal({
        path: join(tree.devRoot, 'ttyACM0'),
        vendorId: '0483', productId: '374b', serialNumber: '0671FF485550755187121723',
        manufacturer: 'STMicroelectronics', product: 'STM32 STLink', location: '1-2', interface: 2,
        byId: join(tree.devRoot, 'serial', 'by-id', 'usb-STMicroelectronics_STM32_STLink_0671FF485550755187121723-if02'),
        byPath: join(tree.devRoot, 'serial', 'by-path', 'pci-0000:00:14.0-usb-0:2:1.2'),
      });
    });

    it('lists two identical adapters without serial numbers apart, by USB location, though by-id holds only one', function () {
      const ports = scanSysfs(tree.sysRoot, tree.devRoot);
      const ftdi = ports.filter((p) => p.vendorId === '0403');
      expect(ftdi.map((p) => [p.path, p.location, p.serialNumber])).to.deep.equal([
        [join(tree.devRoot, 'ttyUSB0'), '1-1.3', undefined],
        [join(tree.devRoot, 'ttyUSB1'), '1-1.4', undefined],
      ]);
      expect(ftdi.filter((p) => p.byId !== undefined), 'the by-id link collides').to.have.length(1);
      expect(ftdi.every((p) => p.byPath !== undefined), 'by-path tells them apart').to.equal(true);
    });

    it('skips virtual consoles and the platform UARTs the kernel registers whether or not they exist', function () {
      const names = scanSysfs(tree.sysRoot, tree.devRoot).map((p) => p.path.slice(tree.devRoot.length + 1));
      expect(names).to.deep.equal(['ttyACM0', 'ttyUSB0', 'ttyUSB1']);
    });

    it('finds nothing, without failing, where there is no sysfs', function () {
      expect(scanSysfs(join(root, 'nowhere'), join(root, 'nodev'))).to.deep.equal([]);
      const empty = join(root, 'empty');
      mkdirSync(join(empty, 'class', 'tty'), { recursive: true });
      expect(scanSysfs(empty, tree.devRoot)).to.deep.equal([]);
    });
  });

  describe('discoverPorts', function () {
    it('merges what SerialPort.list() says into the sysfs ports, and adds ports only it knows', async function () {
      const list = async (): Promise<SerialPortListEntry[]> => [
        { path: join(tree.devRoot, 'ttyUSB0'), manufacturer: 'FTDI (udev)', vendorId: '0403', productId: '6001', serialNumber: undefined, pnpId: undefined, locationId: undefined },
        { path: join(tree.devRoot, 'rfcomm0'), manufacturer: 'BT', vendorId: undefined, productId: undefined, serialNumber: 'AB', pnpId: 'bt-rfcomm0', locationId: undefined },
      ];
      const found = await discoverPorts({ ...tree, list, platform: 'linux' });
      expect(found.listError).to.equal(null);
      expect(found.sources).to.include('SerialPort.list()');
      expect(found.ports.map((p) => p.path.slice(tree.devRoot.length + 1))).to.deep.equal(['rfcomm0', 'ttyACM0', 'ttyUSB0', 'ttyUSB1']);
      const usb0 = found.ports.find((p) => p.path.endsWith('ttyUSB0'))!;
      expect([usb0.manufacturer, usb0.location], 'sysfs wins where both know').to.deep.equal(['FTDI', '1-1.3']);
      expect(found.ports[0]!.byId).to.equal(join(tree.devRoot, 'serial', 'by-id', 'bt-rfcomm0'));
    });

    it('falls back to sysfs and keeps the reason when SerialPort.list() rejects or throws', async function () {
      const rejects = async (): Promise<SerialPortListEntry[]> => {
        throw Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT' });
      };
      const throws = (): Promise<SerialPortListEntry[]> => {
        throw new Error('binding not loaded');
      };
      for (const list of [rejects, throws]) {
        const found = await discoverPorts({ ...tree, list, platform: 'linux' });
        expect(found.ports).to.have.length(3);
        expect(found.listError?.message).to.be.oneOf(['spawn udevadm ENOENT', 'binding not loaded']);
      }
    });

    it('uses SerialPort.list() alone elsewhere than Linux, with its location id', async function () {
      const list = async (): Promise<SerialPortListEntry[]> => [
        { path: '/dev/tty.usbmodem14203', manufacturer: 'STMicroelectronics', vendorId: '0483', productId: '374B', serialNumber: 'X', pnpId: undefined, locationId: '14200000' },
      ];
      const found = await discoverPorts({ ...tree, list, platform: 'darwin' });
      expect(found.ports).to.deep.equal([{ path: '/dev/tty.usbmodem14203', vendorId: '0483', productId: '374b', serialNumber: 'X', manufacturer: 'STMicroelectronics', location: '14200000' }]);
    });

    it('reads the roots from the environment and then does not call SerialPort.list()', function () {
      expect(discoveryOptionsFromEnv({})).to.deep.equal({});
      expect(discoveryOptionsFromEnv({ [DISCOVERY_ENV.sysRoot]: tree.sysRoot, [DISCOVERY_ENV.devRoot]: tree.devRoot }))
        .to.deep.equal({ sysRoot: tree.sysRoot, list: null, platform: 'linux', devRoot: tree.devRoot });
    });

    it('describes a port in one line', function () {
      const [acm] = scanSysfs(tree.sysRoot, tree.devRoot);
      expect(describePort(acm!)).to.equal(`${join(tree.devRoot, 'ttyACM0')} 0483:374b serial 0671FF485550755187121723 usb 1-2 if 2 "STMicroelectronics STM32 STLink"`);
    });
  });

  describe('with the real SerialPort.list() where udevadm cannot be found (in a child process)', function () {
    it('the process neither crashes nor sees an unhandled rejection; the failure is reported and sysfs used', async function () {
      if (process.platform !== 'linux') skipBecause(this, 'only Linux lists ports through udevadm');
      // --unhandled-rejections=strict: a late unhandled rejection ends the child with an error, failing execFile.
      // PATH without udevadm: SerialPort.list() spawns it and fails with ENOENT on any Linux machine.
      const script = `
        process.on('unhandledRejection', (e) => { console.log('UNHANDLED ' + (e && e.message)); process.exitCode = 3; });
        const { discoverPorts } = require(${JSON.stringify(join(ROOT, 'harness', 'boards', 'discovery.ts'))});
        discoverPorts({ sysRoot: ${JSON.stringify(tree.sysRoot)}, devRoot: ${JSON.stringify(tree.devRoot)}, platform: 'linux' })
          .then((d) => console.log(JSON.stringify({ n: d.ports.length, listError: d.listError && d.listError.message })));
      `;
      const run = promisify(execFile);
      const { stdout } = await run(process.execPath, ['--unhandled-rejections=strict', '-r', 'ts-node/register/transpile-only', '-e', script], {
        cwd: ROOT, env: { ...process.env, PATH: join(root, 'no-bin') },
      });
      expect(stdout.trim().split('\n')).to.deep.equal([JSON.stringify({ n: 3, listError: 'spawn udevadm ENOENT' })]);
    });
  });
});
