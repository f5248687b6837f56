import type { Labels } from '@wolfe/events';
import { matchesLabels, MatcherSyntaxError, type Matcher, type MatchType } from './matcher';
import { MatcherIndex } from './matcher-index';
import { parseMatchers } from './parse';

const m = (name: string, type: MatchType, value: string): Matcher => ({ name, type, value });

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) % n;
  };
}

const NAMES = ['alertname', 'severity', 'team', 'env', 'job', 'x'];
const VALUES = ['A', 'B', 'C', 'critical', 'warning', 'prod', 'prod-eu', 'dev', ''];
const REGEXES = ['A|B', 'critical|warning', '.*', '.+', 'prod-.*', '(?i)a', '', 'prod|', '[AB]', '.*o.*', 'C'];

function randomMatchers(rnd: (n: number) => number): Matcher[] {
  const ops: MatchType[] = ['=', '=', '=', '!=', '=~', '!~'];
  const out: Matcher[] = [];
  const n = rnd(5);
  for (let i = 0; i < n; i++) {
    const type = ops[rnd(ops.length)] as MatchType;
    const name = NAMES[rnd(NAMES.length)] as string;
    const value = type === '=~' || type === '!~' ? (REGEXES[rnd(REGEXES.length)] as string) : (VALUES[rnd(VALUES.length)] as string);
    out.push(m(name, type, value));
  }
  return out;
}

function randomLabels(rnd: (n: number) => number): Labels {
  const labels: Record<string, string> = {};
  for (const name of NAMES) {
    if (rnd(3) > 0) labels[name] = VALUES[rnd(VALUES.length)] as string;
  }
  return labels;
}

function bruteForce<T>(entries: Map<T, readonly Matcher[]>, labels: Labels): T[] {
  const out: T[] = [];
  for (const [id, ms] of entries) if (matchesLabels(ms, labels)) out.push(id);
  return out;
}

describe('MatcherIndex', () => {
  it('returns exactly the brute-force matches, in insertion order, on random sets', () => {
    const rnd = rng(7);
    const index = new MatcherIndex<number>();
    const reference = new Map<number, readonly Matcher[]>();
    for (let id = 0; id < 600; id++) {
      const ms = randomMatchers(rnd);
      index.add(id, ms);
      reference.set(id, ms);
    }
    const check = (): void => {
      for (let i = 0; i < 300; i++) {
        const labels = randomLabels(rnd);
        expect(index.candidates(labels)).toEqual(bruteForce(reference, labels));
      }
    };
    check();
    // Remove a third, replace a third (a replaced id moves to the end), and check again.
    for (let id = 0; id < 600; id++) {
      const r = rnd(3);
      if (r === 0) {
        expect(index.remove(id)).toBe(true);
        reference.delete(id);
      } else if (r === 1) {
        const ms = randomMatchers(rnd);
        index.add(id, ms);
        reference.delete(id);
        reference.set(id, ms);
      }
    }
    expect(index.size).toBe(reference.size);
    check();
    for (const id of [...reference.keys()]) {
      index.remove(id);
      reference.delete(id);
    }
    expect(index.stats()).toEqual({ entries: 0, fallback: 0, indexedNames: 0, largestBucket: 0 });
    check();
  });

  it('files entries under a selective key and keeps a fallback list for the rest', () => {
    const index = new MatcherIndex<string>();
    index.add('eq', parseMatchers('{alertname="HighErrorRate", severity="critical"}'));
    index.add('literal-regex', parseMatchers('alertname=~"DiskFull|DiskSlow"'));
    index.add('only-negative', parseMatchers('team!="search"'));
    index.add('empty-value', parseMatchers('owner=""'));
    index.add('open-regex', parseMatchers('alertname=~"Disk.*"'));
    index.add('everything', []);
    expect(index.stats()).toMatchObject({ entries: 6, fallback: 4, indexedNames: 1 });
    expect(index.candidates({ alertname: 'DiskSlow', team: 'search' })).toEqual(['literal-regex', 'empty-value', 'open-regex', 'everything']);
    expect(index.candidates({ alertname: 'HighErrorRate', severity: 'critical', owner: 'x' })).toEqual(['eq', 'only-negative', 'everything']);
    expect(index.candidates({ alertname: 'HighErrorRate', severity: 'warning' })).toEqual(['only-negative', 'empty-value', 'everything']);
  });

  it('prefers the key with the smallest bucket (alertname on ties)', () => {
    const index = new MatcherIndex<number>();
    for (let i = 0; i < 1000; i++) index.add(i, [m('severity', '=', 'critical'), m('alertname', '=', `Alert${i}`)]);
    expect(index.stats()).toMatchObject({ fallback: 0, largestBucket: 1 });
    const index2 = new MatcherIndex<number>();
    // Written with the common label first: after the first entry, "severity" is the bigger bucket.
    for (let i = 0; i < 1000; i++) index2.add(i, [m('team', '=', 'payments'), m('service', '=', `svc${i}`)]);
    expect(index2.stats().largestBucket).toBeLessThanOrEqual(2);
    expect(index2.candidates({ team: 'payments', service: 'svc500' })).toEqual([500]);
  });

  it('does not read every entry per event (counts label reads)', () => {
    const index = new MatcherIndex<number>();
    for (let i = 0; i < 10_000; i++) {
      index.add(i, [m('alertname', '=', `Alert${i % 2000}`), m('severity', '=~', 'warning|critical'), m('env', '!=', 'dev')]);
    }
    let reads = 0;
    const labels = new Proxy<Record<string, string>>(
      { alertname: 'Alert42', severity: 'critical', env: 'prod', instance: 'host:9100' },
      {
        get(target, key, receiver) {
          reads++;
          return Reflect.get(target, key, receiver) as unknown;
        },
      },
    );
    const ids = index.candidates(labels);
    expect(ids).toEqual([42, 2042, 4042, 6042, 8042]);
    expect(reads).toBeLessThan(30);
  });

  it('replaces an entry added twice and keeps the old one when the new matchers are invalid', () => {
    const index = new MatcherIndex<string>();
    index.add('t', parseMatchers('alertname="A"'));
    index.add('t', parseMatchers('alertname="B"'));
    expect(index.size).toBe(1);
    expect(index.candidates({ alertname: 'A' })).toEqual([]);
    expect(index.candidates({ alertname: 'B' })).toEqual(['t']);
    expect(() => index.add('t', [m('alertname', '=~', '(?!x)')])).toThrow(MatcherSyntaxError);
    expect(index.candidates({ alertname: 'B' })).toEqual(['t']);
    expect(index.remove('t')).toBe(true);
    expect(index.remove('t')).toBe(false);
    expect(index.has('t')).toBe(false);
  });

  it('handles entries filed under several literal values and many label names', () => {
    const index = new MatcherIndex<number>();
    for (let i = 0; i < 40; i++) index.add(i, [m(`label${i}`, '=~', `a|b|c${i}`)]);
    expect(index.stats()).toMatchObject({ indexedNames: 40, fallback: 0, largestBucket: 1 });
    expect(index.candidates({ label3: 'b', label7: 'c7', label9: 'c8' })).toEqual([3, 7]);
    index.remove(3);
    expect(index.candidates({ label3: 'b', label7: 'a' })).toEqual([7]);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.candidates({ label7: 'a' })).toEqual([]);
  });
});
