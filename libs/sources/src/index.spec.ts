import { fixture, fixturesOf } from '../fixtures/load';
import { getSource, SOURCES } from './index';

const NAMES = ['alertmanager', 'grafana', 'cloudwatch', 'pagerduty', 'datadog', 'cloudevents', 'generic'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('SOURCES', () => {
  it('has one normalizer per route name', () => {
    expect(Object.keys(SOURCES).sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) expect(SOURCES[name]?.name).toBe(name);
  });

  it('getSource finds them and nothing else', () => {
    for (const name of NAMES) expect(getSource(name)).toBe(SOURCES[name]);
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'Alertmanager', '']) expect(getSource(name)).toBeUndefined();
  });

  it('cannot be changed', () => {
    expect(Object.isFrozen(SOURCES)).toBe(true);
  });
});

describe.each(NAMES)('%s fixtures', (name) => {
  const files = fixturesOf(name);

  it('exist', () => expect(files.length).toBeGreaterThan(0));

  it.each(files)('%s normalizes to well-formed alerts', (file) => {
    const r = SOURCES[name]?.normalize(fixture(file));
    if (!r?.ok) throw new Error(`${file}: ${r?.error}`);
    for (const a of r.alerts) {
      expect(a.source).toBe(name);
      expect(Object.keys(a.labels).length).toBeGreaterThan(0);
      for (const [k, v] of [...Object.entries(a.labels), ...Object.entries(a.annotations)]) {
        expect(typeof k).toBe('string');
        expect(k).not.toBe('');
        expect(typeof v).toBe('string');
      }
      for (const v of Object.values(a.labels)) expect(v).not.toBe('');
      expect(['firing', 'resolved']).toContain(a.status);
      for (const t of [a.startsAt, a.endsAt]) if (t !== null) expect(t).toMatch(ISO);
      if (a.status === 'firing') expect(a.endsAt).toBeNull();
    }
    expect(r.deliveryKey === null || r.deliveryKey.length > 0).toBe(true);
    // deterministic and pure: same input, same output; the input is not mutated
    const input = fixture(file);
    const before = JSON.stringify(input);
    expect(SOURCES[name]?.normalize(input)).toEqual(r);
    expect(JSON.stringify(input)).toBe(before);
  });
});

describe.each(NAMES)('%s with a payload that is not a JSON object', (name) => {
  it.each([null, undefined, 'text', 42, true])('%p is an error about the payload', (payload) => {
    const r = SOURCES[name]?.normalize(payload);
    expect(r).toMatchObject({ ok: false, field: null });
    if (r && !r.ok) expect(r.error).toMatch(/^expected a JSON object/);
  });
});
