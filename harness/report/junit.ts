/**
 * JUnit XML, the format CI servers read (Jenkins, GitLab, GitHub test reporters): one
 * `<testsuite>` per suite with `<properties>` (board id, agent build, link statistics), one
 * `<testcase>` per test with its own properties, `<failure>` for an assertion, `<error
 * type="infrastructure">` for a failure of the board or link, `<skipped message>` with the reason,
 * and `<system-out>` for the device log lines of that test. Pure functions: no I/O.
 */

/** The environment variable naming the JUnit file `rtio-hil test` and the reporter write. */
export const JUNIT_ENV = 'RTIO_HIL_JUNIT';

/** A name/value pair of a `<properties>` list. */
export type JUnitProperty = readonly [name: string, value: string];

/** How a test case ended. */
export type JUnitStatus = 'passed' | 'failed' | 'error' | 'skipped';

/** One `<testcase>`. */
export interface JUnitCase {
  /** The test's title. */
  readonly name: string;
  /** The titles of the suites it is in, joined by `' > '`. */
  readonly classname: string;
  /** Seconds it ran. */
  readonly timeSec: number;
  /** How it ended. */
  readonly status: JUnitStatus;
  /** For failed and error: the element's `type` (`'assertion'`, `'infrastructure'`), message and body (the stack). */
  readonly problem?: { readonly type: string; readonly message: string; readonly body: string };
  /** For skipped: why. */
  readonly skipReason?: string;
  /** Its `<system-out>`: the device's log lines while it ran. */
  readonly systemOut?: string;
  /** Its `<properties>`. */
  readonly properties?: readonly JUnitProperty[];
}

/** One `<testsuite>`. */
export interface JUnitSuite {
  /** The suite's title. */
  readonly name: string;
  /** When it began, ISO 8601 without the zone suffix, as JUnit wants. */
  readonly timestamp: string;
  /** Seconds it took. */
  readonly timeSec: number;
  /** Its `<properties>`. */
  readonly properties: readonly JUnitProperty[];
  /** Its test cases. */
  readonly cases: readonly JUnitCase[];
  /** Its `<system-out>`: log lines that arrived outside any test. */
  readonly systemOut?: string;
  /** The file it came from. */
  readonly file?: string;
}

/** Characters XML 1.0 cannot carry at all. */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` made safe for XML text and attribute values: `& < > " '` escaped, and characters XML
 * cannot carry (device logs may hold any byte) written as `\xNN` / `\uNNNN`.
 */
export function xmlEscape(text: string): string {
  return text
    .replace(INVALID_XML, (c) => {
      const code = c.charCodeAt(0);
      return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    })
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function attrs(pairs: readonly (readonly [string, string | number | undefined])[]): string {
  return pairs.filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`).join('');
}

function seconds(s: number): string {
  return (Math.max(0, s)).toFixed(3);
}

function properties(props: readonly JUnitProperty[] | undefined, indent: string): string {
  if (props === undefined || props.length === 0) return '';
  const lines = props.map(([n, v]) => `${indent}  <property${attrs([['name', n], ['value', v]])}/>`);
  return `${indent}<properties>\n${lines.join('\n')}\n${indent}</properties>\n`;
}

/** Counts of a list of cases, as the `tests`/`failures`/`errors`/`skipped` attributes give them. */
export function junitCounts(cases: readonly JUnitCase[]): { tests: number; failures: number; errors: number; skipped: number } {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.status === 'failed').length,
    errors: cases.filter((c) => c.status === 'error').length,
    skipped: cases.filter((c) => c.status === 'skipped').length,
  };
}

function testcase(c: JUnitCase): string {
  const head = `    <testcase${attrs([['name', c.name], ['classname', c.classname], ['time', seconds(c.timeSec)]])}`;
  const body: string[] = [];
  const props = properties(c.properties, '      ');
  if (props !== '') body.push(props.trimEnd());
  if ((c.status === 'failed' || c.status === 'error') && c.problem !== undefined) {
    const tag = c.status === 'failed' ? 'failure' : 'error';
    body.push(`      <${tag}${attrs([['type', c.problem.type], ['message', c.problem.message]])}>${xmlEscape(c.problem.body)}</${tag}>`);
  }
  if (c.status === 'skipped') body.push(`      <skipped${attrs([['message', c.skipReason ?? 'skipped']])}/>`);
  if (c.systemOut !== undefined && c.systemOut !== '') body.push(`      <system-out>${xmlEscape(c.systemOut)}</system-out>`);
  return body.length === 0 ? `${head}/>` : `${head}>\n${body.join('\n')}\n    </testcase>`;
}

/** The JUnit XML document for `suites`, under a `<testsuites name>` root. */
export function junitXml(suites: readonly JUnitSuite[], name = 'rtio-hil'): string {
  const all = suites.flatMap((s) => s.cases);
  const total = junitCounts(all);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites${attrs([['name', name], ['tests', total.tests], ['failures', total.failures], ['errors', total.errors], ['skipped', total.skipped], ['time', seconds(suites.reduce((t, s) => t + s.timeSec, 0))]])}>`);
  for (const s of suites) {
    const n = junitCounts(s.cases);
    out.push(`  <testsuite${attrs([
      ['name', s.name], ['tests', n.tests], ['failures', n.failures], ['errors', n.errors], ['skipped', n.skipped],
      ['time', seconds(s.timeSec)], ['timestamp', s.timestamp], ['file', s.file],
    ])}>`);
    const props = properties(s.properties, '    ');
    if (props !== '') out.push(props.trimEnd());
    for (const c of s.cases) out.push(testcase(c));
    if (s.systemOut !== undefined && s.systemOut !== '') out.push(`    <system-out>${xmlEscape(s.systemOut)}</system-out>`);
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
