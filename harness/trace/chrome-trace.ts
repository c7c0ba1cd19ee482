/**
 * Chrome's Trace Event format, as Perfetto and chrome://tracing read it: the event shapes rtio-hil
 * writes (complete slices, instants, flows, metadata) and the JSON document around them.
 */

/** A complete slice (`ph: 'X'`): `ts` and `dur` in µs. */
export interface SliceEvent {
  readonly ph: 'X';
  readonly name: string;
  readonly cat: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur: number;
  readonly args?: Readonly<Record<string, unknown>>;
}

/** An instant event (`ph: 'i'`) on its thread's track (`s: 't'`). */
export interface InstantEvent {
  readonly ph: 'i';
  readonly s: 't';
  readonly name: string;
  readonly cat: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly args?: Readonly<Record<string, unknown>>;
}

/**
 * One end of a flow arrow (`ph: 's'` starts it in the slice enclosing `ts` on its thread; `ph:
 * 'f'` with `bp: 'e'` ends it in the slice enclosing `ts`). Both ends share `cat`, `name` and `id`.
 */
export interface FlowEvent {
  readonly ph: 's' | 'f';
  readonly bp?: 'e';
  readonly name: string;
  readonly cat: string;
  readonly id: number;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
}

/** Names a process or thread track, or orders them (`ph: 'M'`). */
export interface MetadataEvent {
  readonly ph: 'M';
  readonly name: 'process_name' | 'thread_name' | 'process_sort_index' | 'thread_sort_index';
  readonly pid: number;
  readonly tid: number;
  readonly args: { readonly name?: string; readonly sort_index?: number };
}

/** Any event rtio-hil writes. */
export type TraceEvent = SliceEvent | InstantEvent | FlowEvent | MetadataEvent;

/** The JSON object form of a trace file. */
export interface TraceDocument {
  readonly traceEvents: TraceEvent[];
  readonly displayTimeUnit: 'ms' | 'ns';
  /** Free-form facts about the trace (shown by chrome://tracing as metadata). */
  readonly otherData: Readonly<Record<string, string>>;
}

/** A process's tracks, numbered as a tracer lays them out. */
export const TRACK = Object.freeze({
  /** Tests as slices, and the host's acquire/submit/consume/cancel/signal as instants. */
  host: 1,
  /** The link's frames, retransmits and peer resets (remote targets). */
  link: 2,
  /** Device log lines as they arrived. */
  log: 3,
  /** Executor ops (NOP, CALLBACK, DELAY, AWAIT without an iodev). */
  executor: 4,
  /** The first iodev's track; the n-th iodev of the table is `iodevBase + n`. */
  iodevBase: 10,
});

/** Metadata naming thread `tid` of process `pid`. */
export function threadName(pid: number, tid: number, name: string): MetadataEvent[] {
  return [
    { ph: 'M', name: 'thread_name', pid, tid, args: { name } },
    { ph: 'M', name: 'thread_sort_index', pid, tid, args: { sort_index: tid } },
  ];
}

/** Metadata naming process `pid`. */
export function processName(pid: number, name: string): MetadataEvent[] {
  return [
    { ph: 'M', name: 'process_name', pid, tid: 0, args: { name } },
    { ph: 'M', name: 'process_sort_index', pid, tid: 0, args: { sort_index: pid } },
  ];
}

/**
 * Merges trace documents (one per board run) into one, renumbering processes and flows so none collide.
 * The first document's `otherData` wins where keys repeat.
 */
export function mergeTraces(docs: readonly TraceDocument[]): TraceDocument {
  const traceEvents: TraceEvent[] = [];
  let base = 0;
  let flowBase = 0;
  const otherData: Record<string, string> = {};
  for (const d of [...docs].reverse()) Object.assign(otherData, d.otherData);
  for (const d of docs) {
    let top = 0;
    let topFlow = 0;
    for (const e of d.traceEvents) {
      top = Math.max(top, e.pid);
      if (e.ph === 's' || e.ph === 'f') {
        topFlow = Math.max(topFlow, e.id);
        traceEvents.push({ ...e, pid: e.pid + base, id: e.id + flowBase });
      } else {
        traceEvents.push({ ...e, pid: e.pid + base });
      }
    }
    base += top;
    flowBase += topFlow;
  }
  return { traceEvents, displayTimeUnit: 'ms', otherData };
}
