/**
 * What the reporter says about a run besides each test: the board a run is for, times as people
 * read them, progress lines while a target opens, a suite's JUnit properties (board, agent, link
 * counters) and the per-board summary at the end.
 */
import type { LinkStats } from '../link/stats';
import type { TargetProgress } from '../target/progress';
import type { TargetRecord } from '../target/registry';
import { INFRASTRUCTURE_ERRORS } from './classify';
import type { JUnitProperty } from './junit';
import type { ReportedCase } from './results';

/**
 * The board a run is for, named to tests that opened no target: `RTIO_BOARD` (`rtio-hil test`
 * sets one board per run), else `'emulator'`, the default target.
 */
export function runBoardId(env: NodeJS.ProcessEnv = process.env): string {
  const ids = (env.RTIO_BOARD ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  return ids.length === 0 ? 'emulator' : ids.join(',');
}

/** Milliseconds as people read them: `850 ms`, `12 s`, `2 min 5 s`. */
export function humanMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** The time left when `done` of `total` took `elapsedMs`, or null while too little has run to say. */
export function etaMs(done: number, total: number, elapsedMs: number): number | null {
  if (done <= 0 || done >= total || elapsedMs < 2000) return null;
  return (elapsedMs / done) * (total - done);
}

/** The link counters a report shows, in order. */
export const REPORTED_LINK_STATS: readonly (keyof LinkStats)[] = [
  'framesSent', 'framesReceived', 'crcErrors', 'cobsErrors', 'tooLong', 'tooShort', 'decodeErrors',
  'retransmits', 'duplicates', 'outOfOrder', 'resets',
];

function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/** Link counters summed over `records`, or null when none has a link. */
export function sumLinkStats(records: readonly TargetRecord[]): Partial<LinkStats> | null {
  const withLink = records.filter((r) => r.linkStats !== null);
  if (withLink.length === 0) return null;
  const sum: Partial<Record<keyof LinkStats, number>> = {};
  for (const r of withLink) {
    const s = r.linkStats!();
    for (const k of REPORTED_LINK_STATS) sum[k] = (sum[k] ?? 0) + s[k];
  }
  return sum;
}

function unique(values: readonly (string | null | undefined)[]): string[] {
  return values.filter((v): v is string => v !== null && v !== undefined && v !== '').filter((v, i, a) => a.indexOf(v) === i);
}

/** What the reporter prints for a step of opening a target, or null for a quick step's end. */
export function progressLine(p: TargetProgress): string | null {
  switch (p.phase) {
    case 'start':
      return `${p.boardId}: ${p.step}...`;
    case 'tick':
      return `${p.boardId}: still ${p.step}, ${humanMs(p.elapsedMs)}`;
    case 'done':
      return p.elapsedMs < 1000 ? null : `${p.boardId}: done ${p.step} in ${humanMs(p.elapsedMs)}`;
    case 'failed':
      return `${p.boardId}: failed ${p.step} after ${humanMs(p.elapsedMs)}`;
  }
}

/** The `<properties>` of a suite that used `records` (board `runBoard` when none): board, agent and link. */
export function scopeProperties(records: readonly TargetRecord[], runBoard = runBoardId()): JUnitProperty[] {
  const last = records[records.length - 1];
  if (last === undefined) return [['board.id', runBoard]];
  const props: JUnitProperty[] = [['board.id', last.boardId]];
  if (last.unit !== null) props.push(['board.unit', last.unit]);
  if (last.boardName !== null) props.push(['board.name', last.boardName]);
  if (last.kind !== null) props.push(['board.target', last.kind]);
  if (last.boardFile !== null) props.push(['board.file', last.boardFile]);
  const ports = unique(records.map((r) => r.port));
  if (ports.length > 0) props.push(['link.port', ports.join(', ')]);
  const hellos = records.map((r) => r.facts.hello).filter((h) => h !== undefined);
  if (hellos.length > 0) {
    props.push(['agent.build', unique(hellos.map((h) => h.buildId)).join(', ')]);
    props.push(['agent.protocol', unique(hellos.map((h) => String(h.protocolVersion))).join(', ')]);
    props.push(['agent.bootNonce', unique(hellos.map((h) => hex32(h.bootNonce))).join(', ')]);
  } else if (last.kind === 'emulator') {
    props.push(['agent.build', 'in-process emulator (no agent)']);
  }
  const failures = unique(records.map((r) => r.facts.lastError?.name).filter((n) => n !== undefined && n in INFRASTRUCTURE_ERRORS));
  if (failures.length > 0) props.push(['link.failure', failures.join(', ')]);
  const openFailures = unique(records.map((r) => (r.openError === null ? null : `${r.openError.name}: ${r.openError.message}`)));
  if (openFailures.length > 0) props.push(['open.failure', openFailures.join('; ')]);
  const stats = sumLinkStats(records);
  if (stats !== null) for (const k of REPORTED_LINK_STATS) props.push([`link.${k}`, String(stats[k] ?? 0)]);
  return props;
}

/** The per-board summary printed at the end of a run. */
export function summaryLines(cases: readonly ReportedCase[], notRun: number, records: readonly TargetRecord[]): string[] {
  const lines: string[] = ['Summary by board'];
  const boards = unique(cases.map((c) => c.boardId));
  const totals = { passed: 0, failed: 0, skipped: 0, infrastructure: 0 };
  for (const board of boards) {
    const mine = cases.filter((c) => c.boardId === board);
    const passed = mine.filter((c) => c.status === 'passed');
    const failed = mine.filter((c) => c.status === 'failed');
    const infra = mine.filter((c) => c.status === 'error');
    const skipped = mine.filter((c) => c.status === 'skipped' && c.notRun !== true);
    totals.passed += passed.length;
    totals.failed += failed.length;
    totals.skipped += skipped.length;
    totals.infrastructure += infra.length;
    const recs = records.filter((r) => r.boardId === board);
    const builds = unique(recs.map((r) => r.facts.hello?.buildId));
    const ports = unique(recs.map((r) => r.port));
    const name = recs.find((r) => r.boardName !== null)?.boardName;
    lines.push(`  ${board}${name === undefined || name === null ? '' : ` (${name})`}`);
    if (builds.length > 0 || ports.length > 0) {
      lines.push(`    ${[ports.length > 0 ? `port ${ports.join(', ')}` : '', builds.length > 0 ? `agent ${builds.join(', ')}` : ''].filter((s) => s !== '').join('; ')}`);
    }
    lines.push(`    ${passed.length} passed, ${failed.length} failed, ${skipped.length} skipped, ${infra.length} infrastructure failure${infra.length === 1 ? '' : 's'}`);
    const stats = sumLinkStats(recs);
    if (stats !== null) {
      lines.push(`    link: ${stats.framesSent} frames sent, ${stats.framesReceived} received, ${stats.crcErrors} CRC errors, ${stats.retransmits} retransmits, ${stats.resets} resets`);
    }
    for (const c of infra) lines.push(`    infrastructure: ${c.fullTitle}: ${c.problem?.message ?? ''}`);
    for (const c of failed) lines.push(`    failed: ${c.fullTitle}: ${c.problem?.message ?? ''}`);
    const reasons = new Map<string, number>();
    for (const c of skipped) reasons.set(c.skipReason ?? 'skipped', (reasons.get(c.skipReason ?? 'skipped') ?? 0) + 1);
    for (const [reason, n] of reasons) lines.push(`    skipped ${n}: ${reason}`);
  }
  if (boards.length === 0) lines.push('  no tests ran');
  const boardsText = `${boards.length} board${boards.length === 1 ? '' : 's'}`;
  const notRunText = notRun > 0 ? `, ${notRun} not run (a hook failed)` : '';
  lines.push(`rtio-hil: ${boardsText}: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped, ${totals.infrastructure} infrastructure failure${totals.infrastructure === 1 ? '' : 's'}${notRunText}`);
  return lines;
}
