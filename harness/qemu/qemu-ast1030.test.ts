import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_BOARDS_DIR, boardIodevs, readBoardFile } from '../boards/board-file';
import { RTIO_PRIO_NORM, RTIO_SQE_TRANSACTION, sqePrepRead, sqePrepTinyWrite } from '../rtio';
import { newContext } from '../testing/rtio-fixture';
import { BackplaneUnsupportedError } from '../target/backplane';
import { openTarget } from '../boards/open-target';
import { openQemuParts } from '.';
import type { QemuTarget } from '.';
import { peripheralArgs, peripheralCapabilities } from './peripherals';
import { alive, missingQemuPrerequisite } from '../testing/qemu-support';
import type { QemuPeripheralsSpec } from './peripherals';
import { skipBecause } from '../report/skip-reason';

const BOARD = readBoardFile(join(REPO_BOARDS_DIR, 'qemu-ast1030-evb.json'));


describe('QEMU peripherals (launch.peripherals)', function () {
  const spec: QemuPeripheralsSpec = {
    rtcBase: '2026-01-01T00:00:00',
    rtc: 'rtc0',
    models: [
      { iodev: 'eeprom0', device: 'at24c-eeprom', bus: 'aspeed.i2c.bus.2', address: 0x50, properties: { 'rom-size': 4096, writable: true }, file: { bytes: 4096, fill: 0xff } },
      { iodev: 'temp0', device: 'tmp105', bus: 'aspeed.i2c.bus.2', address: 0x48 },
      { iodev: 'flash0', mtd: 2, file: { bytes: 64, fill: 0xff } },
    ],
    gpio: [{ iodev: 'gpio0', path: '/machine/soc/gpio', lines: [{ line: 0, pin: 'gpioA0', direction: 'output' }, { line: 4, pin: 'gpioA4', direction: 'input' }] }],
  };
  let dir: string;

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'rtio-hil-peripherals-test-'));
  });

  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('attaches each model with its iodev as QOM id and a fresh backing file of the size and fill asked', async function () {
    const { args, files } = await peripheralArgs(spec, dir);
    expect(args).to.deep.equal([
      '-rtc', 'base=2026-01-01T00:00:00,clock=vm',
      '-drive', `if=none,id=drive-eeprom0,file=${join(dir, 'eeprom0.bin')},format=raw`,
      '-device', 'at24c-eeprom,id=eeprom0,bus=aspeed.i2c.bus.2,address=0x50,rom-size=4096,writable=on,drive=drive-eeprom0',
      '-device', 'tmp105,id=temp0,bus=aspeed.i2c.bus.2,address=0x48',
      '-drive', `if=mtd,index=2,file=${join(dir, 'flash0.bin')},format=raw`,
    ]);
    expect([...files.keys()]).to.deep.equal(['eeprom0', 'flash0']);
    const eeprom = readFileSync(files.get('eeprom0')!);
    expect([eeprom.length, eeprom.every((b) => b === 0xff)]).to.deep.equal([4096, true]);
    expect(readFileSync(files.get('flash0')!).length).to.equal(64);
  });

  it('offers what each model can do: a temperature for tmp105, contents for backed memories, the RTC start, GPIO by direction', function () {
    expect(Object.fromEntries(peripheralCapabilities(spec))).to.deep.equal({
      eeprom0: ['eeprom-contents'],
      temp0: ['temperature'],
      flash0: ['flash-contents'],
      gpio0: ['gpio-input', 'gpio-output'],
    });
    expect(peripheralCapabilities({ ...spec, models: [{ iodev: 'rtc0', device: 'ds1338' }] }).get('rtc0')).to.deep.equal(['rtc-start']);
  });
});

describe('QEMU target (ast1030-evb): the agent\'s real drivers', function () {
  this.timeout(120_000);
  let target: QemuTarget | null = null;

  before(async function () {
    const missing = missingQemuPrerequisite();
    if (missing !== null) skipBecause(this, missing);
    target = await openTarget('qemu-ast1030-evb') as QemuTarget;
  });

  after(async function () {
    await target?.close();
  });

  it('boots the image and handshakes: the build id names the port, the iodev table is the board file\'s, without fault injection', function () {
    expect(target!.hello.buildId).to.match(/^rtio-agent-ast1030-evb .*\(ast1030-evb real drivers; arm-none-eabi-gcc /);
    const table = (rows: readonly { name: string; kind: string; bus?: string; address?: number; part?: string; capabilities: readonly string[] }[]): unknown[] =>
      rows.map((d) => [d.name, d.kind, d.bus ?? '', d.bus === undefined || d.bus === '' ? null : d.address, d.part, [...d.capabilities].sort()]);
    expect(table(target!.iodevs)).to.deep.equal(table(boardIodevs(BOARD)));
    expect(target!.capabilities).to.not.include('fault-injection');
    expect(target!.iodevs.map((d) => d.part)).to.include.members(['at24c32', 'tmp105', 'ds1338', 'lsm303dlhc-mag', 'w25q80bl']);
  });

  it('a write-then-read transaction is one transfer with a repeated START on the real controller: tmp105 reads the temperature set over QMP', async function () {
    await target!.backplane.setTemperature('temp0', -12.5);
    const r = newContext(target!);
    const w = r.sqeAcquire()!;
    sqePrepTinyWrite(w, target!.iodev('temp0'), RTIO_PRIO_NORM, Uint8Array.of(0x00), 1, 'pointer');
    w.flags |= RTIO_SQE_TRANSACTION;
    const buf = new Uint8Array(2);
    sqePrepRead(r.sqeAcquire()!, target!.iodev('temp0'), RTIO_PRIO_NORM, buf, 2, 'temp');
    await r.submit(2);
    expect((await r.cqeCopyOut(2)).map((c) => [c.userdata, c.result])).to.deep.equal([['pointer', 1], ['temp', 2]]);
    expect([...buf], 'TMP105 at 9-bit resolution: -12.5 °C').to.deep.equal([0xf3, 0x80]);
  });

  it('the backplane names what it does not offer: a field for the temperature sensor, a level for an output line', async function () {
    const bp = target!.backplane;
    const noField = await bp.setMagneticField('temp0', { x: 1, y: 1, z: 1 }).then(() => null, (e: unknown) => e);
    expect(noField).to.be.instanceOf(BackplaneUnsupportedError);
    expect((noField as Error).message).to.equal('target "qemu-ast1030-evb": the backplane offers no "magnetometer" for iodev "temp0" (it offers: temperature)');
    const notInput = await bp.driveInput('gpio0', 1, 1).then(() => null, (e: unknown) => e);
    expect(notInput).to.be.instanceOf(BackplaneUnsupportedError);
    expect((notInput as Error).message).to.include('line 1 is not an input (inputs: 4, 5, 6, 7)');
    expect(() => bp.rtcStart('eeprom0')).to.throw(BackplaneUnsupportedError, /offers no "rtc-start" for iodev "eeprom0"/);
  });

  it('closing the target closes QMP: the backplane then fails with QmpConnectionError', async function () {
    const t = target!;
    await t.close();
    target = null;
    const err = await t.backplane.setTemperature('temp0', 20).then(() => null, (e: unknown) => e);
    expect(err, 'QMP after close').to.be.instanceOf(Error);
    expect((err as Error).name).to.equal('QmpConnectionError');
  });
});

describe('QEMU target (ast1030-evb): processes', function () {
  this.timeout(120_000);

  it('every process it started is gone after close', async function () {
    const missing = missingQemuPrerequisite();
    if (missing !== null) skipBecause(this, missing);
    const launch = BOARD.launch!;
    const parts = await openQemuParts('qemu-ast1030-evb', 1, {
      machine: launch.machine!, machineOptions: launch.machineOptions!, peripherals: launch.peripherals!, capabilities: [],
    });
    expect([alive(parts.qemu.qemuPid), alive(parts.qemu.socatPid)]).to.deep.equal([true, true]);
    await parts.target.close();
    expect([alive(parts.qemu.qemuPid), alive(parts.qemu.socatPid)]).to.deep.equal([false, false]);
  });
});
