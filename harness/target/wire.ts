/**
 * The target contract in the wire's terms: an iodev table row as a HelloReply carries it, a
 * fault as an InjectFault body. The host's remote target and the TS agent both convert through
 * here, with the enums taken from the generated code (protocol/rtio.proto), never copied.
 */
import { FaultKind, IodevKind, enumName, enumValue } from '../../protocol/messages';
import type { DecodedBody, IodevDesc } from '../../protocol/messages';
import { isIodevCapability } from './capabilities';
import type { Fault } from './faults';
import type { IodevInfo, IodevKind as IodevKindName } from './target';

const IODEV_KIND_PREFIX = 'IODEV_KIND_';
const FAULT_KIND_PREFIX = 'FAULT_KIND_';

/** A fault as the InjectFault body carries it. */
export type WireFault = DecodedBody<'injectFault'>;

/**
 * The iodev table row of a HelloReply as the target contract names it: an unknown kind reads as
 * `'test'`, and capabilities outside the vocabulary (a newer agent's) are left out.
 */
export function iodevInfoFromWire(d: IodevDesc): IodevInfo {
  return {
    name: d.name,
    kind: (enumName(IodevKind, IODEV_KIND_PREFIX, d.kind) ?? 'test') as IodevKindName,
    ...(d.bus === '' ? {} : { bus: d.bus }),
    address: d.address,
    ...(d.part === '' ? {} : { part: d.part }),
    capabilities: d.capabilities.filter(isIodevCapability),
  };
}

/** `info` as row `id` (from 1) of a HelloReply's iodev table. */
export function iodevInfoToWire(info: IodevInfo, id: number): IodevDesc {
  return {
    id,
    name: info.name,
    kind: enumValue(IodevKind, IODEV_KIND_PREFIX, info.kind) ?? IodevKind.IODEV_KIND_TEST,
    bus: info.bus ?? '',
    address: info.address ?? 0,
    part: info.part ?? '',
    capabilities: [...info.capabilities],
  };
}

/** `fault`, armed `count` times (`Infinity`: until cleared) on wire iodev `iodev`, as an InjectFault body. */
export function faultToWire(iodev: number, fault: Fault, count: number): WireFault {
  return {
    iodev,
    kind: enumValue(FaultKind, FAULT_KIND_PREFIX, fault.kind) ?? FaultKind.FAULT_KIND_UNSPECIFIED,
    atByte: fault.kind === 'nack' ? fault.atByte : 0,
    bytes: fault.kind === 'short-read' ? fault.bytes : 0,
    delayUs: fault.kind === 'delay' ? Math.round(fault.ms * 1000) : 0,
    count: count === Infinity ? 0 : count,
  };
}

/** The fault an InjectFault body arms and how many times (`Infinity` for 0), or null for an unknown kind. */
export function faultFromWire(f: WireFault): { fault: Fault; count: number } | null {
  const count = f.count === 0 ? Infinity : f.count;
  switch (enumName(FaultKind, FAULT_KIND_PREFIX, f.kind)) {
    case 'nack':
      return { fault: { kind: 'nack', atByte: f.atByte }, count };
    case 'short-read':
      return { fault: { kind: 'short-read', bytes: f.bytes }, count };
    case 'bus-timeout':
      return { fault: { kind: 'bus-timeout' }, count };
    case 'delay':
      return { fault: { kind: 'delay', ms: f.delayUs / 1000 }, count };
    default:
      return null;
  }
}
