/** `rtio-hil suggest`: a board-file skeleton for a connected port. */
import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { BOARD_TIMEOUT_DEFAULTS } from '../boards/board-types';
import { validateBoard } from '../boards/board-file';
import { describePort, discoverPorts, discoveryOptionsFromEnv } from '../boards/discovery';
import type { PortInfo } from '../boards/discovery';
import { loadBoards } from '../boards/load-boards';
import { matchPorts } from '../boards/match';
import { suggestBoard } from '../boards/suggest';
import type { IodevInfo } from '../target/target';
import { EXIT, UsageError, intOption, parseCommandLine } from './errors';

/** Usage of `rtio-hil suggest`. */
export const SUGGEST_USAGE = `usage: rtio-hil suggest [--port PATH] [--id ID] [--name TEXT] [--probe [--timeout MS]] [--out FILE [--force]]

Writes a board-file skeleton for a connected port: the one --port names, else the only port no
board file matches. Its /match names exactly that port among those connected: USB vendor and
product id and serial number, plus the USB location (and interface) only when an identical
adapter is connected too. A port without USB ids (a pty) is named by /serial/path instead. With
--probe the port is opened and the agent's handshake fills in the iodev table. Prints the file
to stdout, or writes it with --out (the id is then the file's name).

options:
  --port PATH        the port (a path, or its /dev/serial/by-id or by-path link)
  --id ID            board id; default from the port's USB strings, or --out's file name
  --name TEXT        board name
  --probe            open the port, run the handshake, and list the agent's iodevs
  --timeout MS       handshake timeout for --probe (default ${BOARD_TIMEOUT_DEFAULTS.handshakeMs})
  --out FILE         write the skeleton to FILE (put it in boards/ or a RTIO_BOARDS_DIR folder)
  --force            overwrite FILE
  --help             this text`;

function samePort(p: PortInfo, wanted: string): boolean {
  if (p.path === wanted || p.byId === wanted || p.byPath === wanted) return true;
  try {
    return realpathSync(p.path) === realpathSync(wanted);
  } catch {
    return false;
  }
}

/** Opens `path`, runs the handshake and returns the agent's build and iodev table. */
async function probe(path: string, handshakeTimeoutMs: number): Promise<{ buildId: string; iodevs: readonly IodevInfo[] }> {
  const { openSerialRemote } = await import('../remote');
  const { target } = await openSerialRemote('probe', path, { link: { handshakeTimeoutMs } });
  const out = { buildId: target.hello.buildId, iodevs: target.iodevs };
  await target.close();
  return out;
}

/** Runs `rtio-hil suggest`. */
export async function runSuggest(args: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(args, {
    port: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, probe: { type: 'boolean' }, timeout: { type: 'string' },
    out: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  }, SUGGEST_USAGE);
  if (values.help === true) {
    console.log(SUGGEST_USAGE);
    return EXIT.ok;
  }
  const timeout = intOption('timeout', values.timeout, BOARD_TIMEOUT_DEFAULTS.handshakeMs, SUGGEST_USAGE);
  const found = await discoverPorts(discoveryOptionsFromEnv());
  let port: PortInfo;
  if (values.port !== undefined) {
    const known = found.ports.find((p) => samePort(p, values.port!));
    if (known !== undefined) {
      port = known;
    } else if (existsSync(values.port)) {
      port = { path: values.port };
    } else {
      console.error(`rtio-hil: no port "${values.port}"; ports found: ${found.ports.length === 0 ? 'none' : found.ports.map((p) => p.path).join(', ')}`);
      return EXIT.failed;
    }
  } else {
    const free = matchPorts(found.ports, loadBoards().boards).filter((p) => p.boards.length === 0).map((p) => p.port);
    if (free.length === 0) {
      const all = found.ports.length === 0 ? 'no serial ports were found' : `every port has a board file: ${found.ports.map((p) => p.path).join(', ')}`;
      console.error(`rtio-hil: nothing to suggest: ${all}; name one with --port`);
      return EXIT.failed;
    }
    if (free.length > 1) throw new UsageError(`${free.length} ports have no board file: ${free.map(describePort).join('; ')}; pick one with --port`, SUGGEST_USAGE);
    port = free[0]!;
  }
  const outFile = values.out === undefined ? undefined : resolve(values.out);
  if (outFile !== undefined && existsSync(outFile) && values.force !== true) {
    console.error(`rtio-hil: ${outFile} exists; pass --force to overwrite it`);
    return EXIT.failed;
  }
  const probed = values.probe === true ? await probe(port.path, timeout) : undefined;
  const id = values.id ?? (outFile === undefined ? undefined : basename(outFile).replace(/\.json$/, ''));
  const skeleton = suggestBoard(port, {
    others: found.ports,
    ...(id === undefined ? {} : { id }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(probed === undefined ? {} : { iodevs: probed.iodevs, agentBuild: probed.buildId }),
  });
  validateBoard(skeleton, `${skeleton.id}.json`);
  const text = `${JSON.stringify(skeleton, null, 2)}\n`;
  if (outFile === undefined) {
    process.stdout.write(text);
  } else {
    writeFileSync(outFile, text);
    console.log(`wrote ${outFile} for ${describePort(port)}`);
    console.log(`next: describe the board and its iodevs in it, then "rtio-hil ping --board ${skeleton.id}"`);
  }
  return EXIT.ok;
}
