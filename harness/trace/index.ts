/** Timelines of what ran on a target, as Chrome Trace Event JSON for Perfetto (docs/tracing.md). */
export { startTrace, writeTrace, TRACE_CLOCK_NOTE } from './session';
export type { Tracing } from './session';
export { mergeTraces, TRACK } from './chrome-trace';
export type { TraceDocument, TraceEvent, SliceEvent, InstantEvent, FlowEvent, MetadataEvent } from './chrome-trace';
