/** `rtio-hil list`: the serial ports found, the board file each matches, and every board. */
import { boardPath } from '../boards/board-file';
import type { Board } from '../boards/board-types';
import { describePort, discoverPorts, discoveryOptionsFromEnv } from '../boards/discovery';
import type { PortInfo } from '../boards/discovery';
import { boardDirs, loadBoards } from '../boards/load-boards';
import { describeMatch, matchPorts } from '../boards/match';
import { EXIT, parseCommandLine } from './errors';
import { textTable } from './table';

/** Usage of `rtio-hil list`. */
export const LIST_USAGE = `usage: rtio-hil list [--json]

Lists the serial ports of this machine with what they report (USB vendor:product, serial
number, USB location and interface), the board file that matches each, and then every board
file with where its board is: in process, launched, connected on a port, not connected, or
behind TCP. Ports come from sysfs and /dev/serial on Linux (SerialPort.list() needs udev, which
containers and CI lack) and from SerialPort.list() elsewhere. Exit status 2 when a board file is
invalid (each one is named, with the field and what was expected).

options:
  --json   print the same as one JSON object
  --help   this text

environment:
  RTIO_BOARDS_DIR     more board folders, searched before the repository's boards/
  RTIO_HIL_SYS_ROOT   read this tree instead of /sys (and skip SerialPort.list())
  RTIO_HIL_DEV_ROOT   read this tree instead of /dev`;

/** Where a board is, as `list` reports it. */
export interface BoardStatus {
  /** The board id. */
  readonly id: string;
  /** Its name. */
  readonly name: string;
  /** Its target kind. */
  readonly target: string;
  /** `'in-process'`, `'launched'`, `'connected'`, `'not-connected'`, `'ambiguous'`, `'fixed-path'`, `'remote'`. */
  readonly status: string;
  /** Details: the port(s), the command, the address. */
  readonly detail: string;
  /** Its file. */
  readonly file: string;
}

/** The status of each board given the ports found. */
export function boardStatuses(boards: readonly Board[], ports: readonly PortInfo[]): BoardStatus[] {
  const byPort = matchPorts(ports, boards);
  return boards.map((b) => {
    const base = { id: b.id, name: b.name, target: b.target, file: b.file };
    switch (b.target) {
      case 'emulator':
        return { ...base, status: 'in-process', detail: 'in process, virtual time' };
      case 'emulator-wire':
        return { ...base, status: 'in-process', detail: 'in process, behind the wire codec' };
      case 'native':
      case 'qemu':
        return { ...base, status: 'launched', detail: `launches ${b.launch?.command === undefined ? `qemu ${b.launch?.machine ?? ''}` : boardPath(b, b.launch.command)}` };
      case 'tcp':
        return { ...base, status: 'remote', detail: `tcp:${b.tcp?.host ?? '?'}:${b.tcp?.port ?? '?'} (not probed)` };
      case 'rfc2217':
        return { ...base, status: 'remote', detail: `rfc2217:${b.rfc2217?.host ?? '?'}:${b.rfc2217?.port ?? '?'} (not probed)` };
      case 'labgrid':
        return { ...base, status: 'remote', detail: `labgrid place ${b.labgrid?.place ?? '?'} (not probed)` };
      case 'serial': {
        const on = byPort.filter((p) => p.boards.includes(b)).map((p) => p.port.path);
        if (on.length === 1) return { ...base, status: 'connected', detail: on[0]! };
        if (on.length > 1) return { ...base, status: 'ambiguous', detail: `${on.join(', ')}: add serialNumber or location to /match` };
        if (b.serial?.path !== undefined) return { ...base, status: 'fixed-path', detail: `${b.serial.path} (not found among the ports)` };
        return { ...base, status: 'not-connected', detail: `no port matches ${describeMatch(b.match ?? {})}` };
      }
      default:
        return { ...base, status: 'unknown', detail: '' };
    }
  });
}

/** Runs `rtio-hil list`. */
export async function runList(args: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, LIST_USAGE);
  if (values.help === true) {
    console.log(LIST_USAGE);
    return EXIT.ok;
  }
  const dirs = boardDirs();
  const { boards, errors } = loadBoards(dirs);
  const found = await discoverPorts(discoveryOptionsFromEnv());
  const byPort = matchPorts(found.ports, boards);
  const statuses = boardStatuses(boards, found.ports);
  if (values.json === true) {
    console.log(JSON.stringify({
      sources: found.sources,
      listError: found.listError === null ? null : found.listError.message,
      ports: byPort.map((p) => ({ ...p.port, boards: p.boards.map((b) => b.id) })),
      boards: statuses,
      invalid: errors.map((e) => ({ file: e.file, pointer: e.pointer, expected: e.expected, problems: e.problems })),
    }, null, 2));
    return errors.length > 0 ? EXIT.usage : EXIT.ok;
  }
  const how = [...found.sources];
  if (found.listError !== null) how.push(`SerialPort.list() failed: ${found.listError.message}`);
  console.log(`Ports (${how.join('; ')}):`);
  if (byPort.length === 0) console.log('  none found');
  for (const { port, boards: matched } of byPort) {
    console.log(`  ${describePort(port)}`);
    if (port.byId !== undefined) console.log(`    by-id   ${port.byId}`);
    if (port.byPath !== undefined) console.log(`    by-path ${port.byPath}`);
    if (matched.length === 0) console.log(`    board:  none (rtio-hil suggest --port ${port.path} writes a board file for it)`);
    else if (matched.length === 1) console.log(`    board:  ${matched[0]!.id} (${matched[0]!.name})`);
    else console.log(`    board:  conflict: ${matched.map((b) => b.id).join(', ')} all match it; make their /match tell them apart`);
  }
  console.log('');
  console.log(`Boards (board files in ${dirs.join(', ')}):`);
  for (const line of textTable(statuses.map((s) => [s.id, s.target, s.status, s.detail]))) console.log(line);
  if (errors.length > 0) {
    console.log('');
    console.log('Invalid board files:');
    for (const e of errors) {
      console.log(`  ${e.file}`);
      for (const p of e.problems) console.log(`    ${p.pointer === '' ? '(file)' : p.pointer}: expected ${p.expected}${p.actual === undefined ? '' : `, got ${p.actual}`}`);
    }
    return EXIT.usage;
  }
  return EXIT.ok;
}
