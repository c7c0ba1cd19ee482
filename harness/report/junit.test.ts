import { expect } from 'chai';
import { junitCounts, junitXml, xmlEscape } from './junit';
import type { JUnitCase } from './junit';
import { parseXml } from '../testing/xml-read';
import type { XmlElement } from '../testing/xml-read';

const CASES: JUnitCase[] = [
  { name: 'passes', classname: 'suite', timeSec: 0.0125, status: 'passed', properties: [['board.id', 'emulator']] },
  { name: 'fails', classname: 'suite', timeSec: 0, status: 'failed', problem: { type: 'assertion', message: 'expected 1 to equal 2', body: 'AssertionError: expected 1 to equal 2\n    at x' } },
  { name: 'resets', classname: 'suite', timeSec: 0, status: 'error', problem: { type: 'infrastructure', message: 'agent-reset: boom', body: 'stack' }, systemOut: 'log <1>' },
  { name: 'skips', classname: 'suite', timeSec: 0, status: 'skipped', skipReason: 'lacks "virtual-time"' },
];

function child(e: XmlElement, name: string): XmlElement {
  const c = e.children.find((x) => x.name === name);
  if (c === undefined) throw new Error(`<${e.name}> has no <${name}>`);
  return c;
}

describe('JUnit XML', function () {
  it('escapes markup and writes the characters XML cannot carry as \\x escapes', function () {
    expect(xmlEscape('a<b>&"c\'')).to.equal('a&lt;b&gt;&amp;&quot;c&apos;');
    expect(xmlEscape('boot\u0000\u001b[0m ok\tline\n')).to.equal('boot\\x00\\x1b[0m ok\tline\n');
    expect(xmlEscape('half \ud800 surrogate')).to.equal('half \\ud800 surrogate');
  });

  it('counts failures, errors and skips as the JUnit attributes want them', function () {
    expect(junitCounts(CASES)).to.deep.equal({ tests: 4, failures: 1, errors: 1, skipped: 1 });
  });

  it('writes suites, properties, failure vs error elements, skip reasons and system-out', function () {
    const xml = junitXml([{ name: 'rtio-api on nucleo', timestamp: '2026-01-02T03:04:05', timeSec: 1.5, properties: [['board.id', 'nucleo'], ['link.crcErrors', '2']], cases: CASES, systemOut: 'between tests' }]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).to.equal(true);
    const root = parseXml(xml);
    expect([root.name, root.attrs]).to.deep.equal(['testsuites', { name: 'rtio-hil', tests: '4', failures: '1', errors: '1', skipped: '1', time: '1.500' }]);
    const suite = child(root, 'testsuite');
    expect(suite.attrs).to.deep.include({ name: 'rtio-api on nucleo', tests: '4', failures: '1', errors: '1', skipped: '1', timestamp: '2026-01-02T03:04:05' });
    expect(child(suite, 'properties').children.map((p) => [p.attrs.name, p.attrs.value])).to.deep.equal([['board.id', 'nucleo'], ['link.crcErrors', '2']]);
    const [passes, fails, resets, skips] = suite.children.filter((c) => c.name === 'testcase');
    expect(passes!.attrs).to.deep.equal({ name: 'passes', classname: 'suite', time: '0.013' });
    expect(child(child(passes!, 'properties'), 'property').attrs).to.deep.equal({ name: 'board.id', value: 'emulator' });
    expect(child(fails!, 'failure').attrs).to.deep.equal({ type: 'assertion', message: 'expected 1 to equal 2' });
    expect(child(fails!, 'failure').text).to.equal('AssertionError: expected 1 to equal 2\n    at x');
    expect(child(resets!, 'error').attrs).to.deep.equal({ type: 'infrastructure', message: 'agent-reset: boom' });
    expect(child(resets!, 'system-out').text).to.equal('log <1>');
    expect(child(skips!, 'skipped').attrs).to.deep.equal({ message: 'lacks "virtual-time"' });
    expect(child(suite, 'system-out').text).to.equal('between tests');
  });
});

describe('the test XML reader', function () {
  it('rejects what is not well-formed, so reports read with it are checked too', function () {
    for (const bad of ['<a><b></a>', '<a>x & y</a>', '<a b="1" b="2"/>', '<a>', 'text<a/>', '<a/><b/>', '<a>&bogus;</a>']) {
      expect(() => parseXml(bad), bad).to.throw(/^xml: /);
    }
    expect(parseXml('<?xml version="1.0"?><a x="&lt;&#65;"><!-- c --><b/>t&amp;</a>')).to.deep.equal({
      name: 'a', attrs: { x: '<A' }, text: 't&', children: [{ name: 'b', attrs: {}, children: [], text: '' }],
    });
  });
});
