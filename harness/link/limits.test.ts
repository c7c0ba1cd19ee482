import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LINK_DEFAULTS, resolveLimits } from './limits';
import type { LinkLimits } from './limits';

/** The TSDoc of each member of `interface LinkLimits` in limits.ts, by name, on one line. */
function limitDocs(): Map<string, string> {
  const source = readFileSync(join(__dirname, 'limits.ts'), 'utf8');
  const start = source.indexOf('export interface LinkLimits {');
  const body = source.slice(start, source.indexOf('\n}\n', start));
  const docs = new Map<string, string>();
  for (const m of body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*(\w+): number;/g)) docs.set(m[2]!, m[1]!.replace(/\s*\n\s*\*\s*/g, ' ').trim());
  return docs;
}

describe('harness/link limits', function () {
  it('document each default and least value where the limit is declared, and enforce them', function () {
    const docs = limitDocs();
    expect([...docs.keys()]).to.deep.equal(Object.keys(LINK_DEFAULTS));
    for (const [key, doc] of docs) {
      const stated = /Default (?:\w+ \()?(\d+)\)?\./.exec(doc)?.[1];
      expect(Number(stated), `${key}: ${doc}`).to.equal(LINK_DEFAULTS[key as keyof LinkLimits]);
      const least = Number(/Integer >= (\d+)\./.exec(doc)?.[1]);
      expect(resolveLimits({ [key]: least })[key as keyof LinkLimits]).to.equal(least);
      expect(() => resolveLimits({ [key]: least - 1 })).to.throw(RangeError, `"${key}" must be an integer >= ${least}; got ${least - 1}`);
    }
    expect(Object.isFrozen(LINK_DEFAULTS)).to.equal(true);
  });

  it('agree with the defaults docs/wire.md gives (the C agent follows it)', function () {
    const wire = readFileSync(join(__dirname, '../../docs/wire.md'), 'utf8');
    const stated = [...wire.matchAll(/`(\w+)` \((\d+)(?: ms)?\)/g)].filter(([, key]) => key! in LINK_DEFAULTS);
    expect(stated.map(([, key]) => key)).to.include.members(['retransmitMs', 'retransmitMinMs', 'retransmitMaxMs', 'stallMs', 'maxRetransmits', 'keepaliveMs']);
    for (const [, key, value] of stated) expect(Number(value), key).to.equal(LINK_DEFAULTS[key as keyof LinkLimits]);
  });

  it('resolveLimits keeps what is not overridden, ignores what is not a limit, and rejects non-integers', function () {
    const limits = resolveLimits({ window: 2, clock: undefined } as Partial<LinkLimits>);
    expect(limits).to.deep.equal({ ...LINK_DEFAULTS, window: 2 });
    expect(Object.isFrozen(limits)).to.equal(true);
    expect(() => resolveLimits({ stallMs: Number.NaN })).to.throw(RangeError, '"stallMs" must be an integer >= 1; got NaN');
  });
});
