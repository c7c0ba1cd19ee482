/**
 * Checks a trace document against the Trace Event format as Perfetto and chrome://tracing read it:
 * the phases rtio-hil writes, integer pid/tid, timestamps in µs, slices nesting on each track,
 * flows whose two ends bind to slices, and named tracks. For tests, and for anyone who edits a
 * trace by hand.
 */

const PHASES: ReadonlySet<string> = new Set(['X', 'i', 's', 'f', 'M']);
const METADATA: ReadonlySet<string> = new Set(['process_name', 'thread_name', 'process_sort_index', 'thread_sort_index']);

interface Ev {
  ph?: unknown; name?: unknown; cat?: unknown; pid?: unknown; tid?: unknown; ts?: unknown; dur?: unknown;
  s?: unknown; id?: unknown; bp?: unknown; args?: { name?: unknown; sort_index?: unknown };
}

const isUint = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The problems of `doc` as a Trace Event JSON object, each naming the event (by index); empty when it is well-formed. */
export function traceProblems(doc: unknown): string[] {
  const out: string[] = [];
  const d = doc as { traceEvents?: unknown; displayTimeUnit?: unknown } | null;
  if (d === null || typeof d !== 'object' || !Array.isArray(d.traceEvents)) return ['not an object with a "traceEvents" array'];
  if (d.displayTimeUnit !== undefined && d.displayTimeUnit !== 'ms' && d.displayTimeUnit !== 'ns') out.push(`displayTimeUnit ${String(d.displayTimeUnit)}`);
  const events = d.traceEvents as Ev[];
  const named = new Set<string>();
  const processes = new Set<number>();
  const slices = new Map<string, { ts: number; end: number; i: number }[]>();
  const flows = new Map<number, { s: Ev[]; f: Ev[] }>();
  events.forEach((e, i) => {
    const at = `event ${i} (${String(e.ph)} ${JSON.stringify(e.name)})`;
    if (typeof e.ph !== 'string' || !PHASES.has(e.ph)) return void out.push(`${at}: phase ${String(e.ph)} is not one of X, i, s, f, M`);
    if (typeof e.name !== 'string' || e.name === '') out.push(`${at}: no name`);
    if (!isUint(e.pid) || !isUint(e.tid)) return void out.push(`${at}: pid and tid must be non-negative integers`);
    if (e.ph === 'M') {
      if (!METADATA.has(e.name as string)) out.push(`${at}: unknown metadata`);
      if (e.name === 'process_name' || e.name === 'thread_name') {
        if (typeof e.args?.name !== 'string' || e.args.name === '') out.push(`${at}: no args.name`);
        if (e.name === 'process_name') processes.add(e.pid);
        else named.add(`${e.pid}/${e.tid}`);
      }
      return;
    }
    if (!isTime(e.ts)) return void out.push(`${at}: ts must be a finite number of µs >= 0`);
    if (typeof e.cat !== 'string' || e.cat === '') out.push(`${at}: no cat`);
    const track = `${e.pid}/${e.tid}`;
    if (e.ph === 'X') {
      if (!isTime(e.dur)) return void out.push(`${at}: dur must be a finite number of µs >= 0`);
      const list = slices.get(track) ?? [];
      // As Perfetto reads them: whole ns.
      list.push({ ts: Math.round(e.ts * 1e3), end: Math.round(e.ts * 1e3) + Math.round(e.dur * 1e3), i });
      slices.set(track, list);
    } else if (e.ph === 'i') {
      if (e.s !== 't' && e.s !== 'p' && e.s !== 'g') out.push(`${at}: scope s must be t, p or g`);
    } else {
      if (!isUint(e.id)) return void out.push(`${at}: a flow needs an integer id`);
      if (e.ph === 'f' && e.bp !== 'e') out.push(`${at}: a flow end must bind to its enclosing slice (bp "e")`);
      const f = flows.get(e.id) ?? { s: [], f: [] };
      f[e.ph as 's' | 'f'].push(e);
      flows.set(e.id, f);
    }
  });
  for (const e of events) {
    if (e.ph !== 'M' && isUint(e.pid) && isUint(e.tid)) {
      if (!processes.has(e.pid)) out.push(`pid ${e.pid} has no process_name`);
      if (!named.has(`${e.pid}/${e.tid}`)) out.push(`track ${e.pid}/${e.tid} has no thread_name`);
      processes.add(e.pid);
      named.add(`${e.pid}/${e.tid}`);
    }
  }
  for (const [track, list] of slices) {
    list.sort((a, b) => a.ts - b.ts || b.end - a.end);
    const open: { end: number; i: number }[] = [];
    for (const sl of list) {
      while (open.length > 0 && open[open.length - 1]!.end <= sl.ts) open.pop();
      const outer = open[open.length - 1];
      if (outer !== undefined && sl.end > outer.end) out.push(`track ${track}: slice ${sl.i} overlaps slice ${outer.i} without nesting in it`);
      open.push(sl);
    }
  }
  const bound = (e: Ev): boolean => {
    const ns = Math.round((e.ts as number) * 1e3);
    return (slices.get(`${String(e.pid)}/${String(e.tid)}`) ?? []).some((sl) => sl.ts <= ns && ns <= sl.end);
  };
  for (const [id, f] of flows) {
    if (f.s.length !== 1 || f.f.length !== 1) {
      out.push(`flow ${id}: ${f.s.length} start(s) and ${f.f.length} end(s), not one of each`);
      continue;
    }
    const [s, e] = [f.s[0]!, f.f[0]!];
    if ((e.ts as number) < (s.ts as number)) out.push(`flow ${id}: ends before it starts`);
    if (s.name !== e.name || s.cat !== e.cat) out.push(`flow ${id}: its ends differ in name or cat`);
    if (!bound(s) || !bound(e)) out.push(`flow ${id}: an end is not inside a slice of its track`);
  }
  return out;
}
