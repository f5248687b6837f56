import { z } from 'zod';
import { MapBuilder, stringMap } from './internal/labels';
import { describeValue, formatPath, parseWith } from './internal/parse';
import { parseEpoch, parseIsoTime } from './internal/time';

describe('formatPath', () => {
  it('writes indices in brackets and identifiers with dots', () => {
    expect(formatPath(['alerts', 2, 'labels'])).toBe('alerts[2].labels');
    expect(formatPath(['detail-type'])).toBe('detail-type');
    expect(formatPath(['Message', 'Trigger', 'Metrics', 0, 'Id'])).toBe('Message.Trigger.Metrics[0].Id');
  });
  it('quotes keys that are not identifiers', () => {
    expect(formatPath(['labels', 'app.kubernetes.io/name'])).toBe('labels["app.kubernetes.io/name"]');
    expect(formatPath(['labels', ''])).toBe('labels[""]');
  });
  it('is null for the payload itself', () => {
    expect(formatPath([])).toBeNull();
  });
});

describe('describeValue', () => {
  it.each([
    [undefined, 'nothing (the field is missing)'],
    [null, 'null'],
    ['', 'an empty string'],
    ['x', 'a string ("x")'],
    [3, 'a number (3)'],
    [false, 'a boolean (false)'],
    [[1, 2], 'an array of 2 items'],
    [{}, 'an object'],
  ])('%p → %s', (v, s) => expect(describeValue(v)).toBe(s));
  it('truncates long strings', () => {
    expect(describeValue('a'.repeat(200))).toBe(`a string ("${'a'.repeat(60)}…")`);
  });
});

describe('parseIsoTime', () => {
  it.each([
    ['2024-05-14T09:21:37Z', '2024-05-14T09:21:37.000Z'],
    ['2024-05-14T09:21:37.512736098Z', '2024-05-14T09:21:37.512Z'], // Go nanoseconds, truncated
    ['2021-10-12T09:51:03.157076+02:00', '2021-10-12T07:51:03.157Z'], // Grafana's local offset
    ['2019-10-02T17:04:40.989+0000', '2019-10-02T17:04:40.989Z'], // CloudWatch's offset without colon
    ['2024-05-14 09:21:37-05:30', '2024-05-14T14:51:37.000Z'], // RFC 3339 allows a space
    ['2024-05-14T09:21z', '2024-05-14T09:21:00.000Z'], // seconds are optional in ISO-8601
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0099-01-01T00:00:00Z', '0099-01-01T00:00:00.000Z'], // not shifted to 1999
  ])('%s → %s', (input, out) => expect(parseIsoTime(input)).toEqual({ ok: true, value: out }));

  it("takes Go's zero time as no time", () => {
    expect(parseIsoTime('0001-01-01T00:00:00Z')).toEqual({ ok: true, value: null });
  });

  it.each([
    ['yesterday', /"yesterday" is not an ISO-8601 time/],
    ['2024-05-14', /a date without a time of day/],
    ['2024-05-14T09:21:37', /no UTC offset/],
    ['2023-02-29T00:00:00Z', /day 29 does not exist/],
    ['2024-13-01T00:00:00Z', /month 13/],
    ['2024-05-14T24:00:00Z', /time of day is out of range/],
    ['2024-05-14T09:21:37+25:00', /offset is out of range/],
    ['Tue, 14 May 2024 09:21:37 GMT', /not an ISO-8601 time/],
    ['1715678490000', /not an ISO-8601 time/],
  ])('rejects %s', (input, message) => {
    const r = parseIsoTime(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe('parseEpoch', () => {
  it('reads milliseconds, and 10-digit seconds', () => {
    expect(parseEpoch('1406662672000')).toEqual({ ok: true, value: '2014-07-29T19:37:52.000Z' });
    expect(parseEpoch(1406662672)).toEqual({ ok: true, value: '2014-07-29T19:37:52.000Z' });
  });
  it('rejects anything else', () => {
    expect(parseEpoch('soon').ok).toBe(false);
    expect(parseEpoch('-1').ok).toBe(false);
  });
});

describe('stringMap', () => {
  const schema = z.object({ labels: stringMap(), extra: stringMap({ optional: true, coerceScalars: true }) });

  it('keeps own keys, even __proto__', () => {
    const r = parseWith(schema, JSON.parse('{"labels":{"__proto__":"x","a":"b"}}'));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(Object.keys(r.data.labels)).toEqual(['__proto__', 'a']);
      expect(Object.getPrototypeOf(r.data.labels)).toBe(Object.prototype);
      expect(r.data.extra).toEqual({});
    }
  });
  it('names the key whose value is not a string', () => {
    expect(parseWith(schema, { labels: { a: 'b', severity: 3 } })).toEqual({
      ok: false,
      field: 'labels.severity',
      error: 'labels.severity: expected a string value, got a number (3)',
    });
  });
  it('never coerces objects', () => {
    const r = parseWith(schema, { labels: { a: 'b' }, extra: { n: 1, t: true, o: { x: 1 } } });
    expect(r).toMatchObject({ ok: false, field: 'extra.o' });
    if (!r.ok) expect(r.error).toMatch(/objects are never turned into strings/);
  });
  it('coerces numbers and booleans where asked', () => {
    const r = parseWith(schema, { labels: { a: 'b' }, extra: { n: 1.5, t: true } });
    expect(r).toEqual({ ok: true, data: { labels: { a: 'b' }, extra: { n: '1.5', t: 'true' } } });
  });
  it('rejects a non-object and an empty name', () => {
    expect(parseWith(schema, { labels: 'x' })).toMatchObject({ field: 'labels', error: 'labels: expected an object of string values, got a string ("x")' });
    expect(parseWith(schema, { labels: ['a'] })).toMatchObject({ field: 'labels' });
    expect(parseWith(schema, { labels: { '': 'x' } })).toMatchObject({ field: 'labels[""]', error: 'labels[""]: names must not be empty' });
    expect(parseWith(schema, {})).toMatchObject({ field: 'labels', error: 'labels: expected an object of string values, got nothing (the field is missing)' });
  });
});

describe('MapBuilder', () => {
  it('drops absent and empty values and sorts keys', () => {
    const b = new MapBuilder();
    b.set('z', 'last');
    b.set('a', 1);
    b.set('empty', '');
    b.set('none', null);
    b.set('undef', undefined);
    expect(b.setDefault('a', 'other')).toBe(false);
    expect(Object.entries(b.build())).toEqual([
      ['a', '1'],
      ['z', 'last'],
    ]);
  });
});

describe('parseWith', () => {
  it('counts the other problems', () => {
    const r = parseWith(z.object({ a: z.string(), b: z.string(), c: z.string() }), {});
    expect(r).toMatchObject({ ok: false, field: 'a', error: 'a: expected a string, got nothing (the field is missing) (and 2 more problems)' });
  });
  it('words enum and literal failures', () => {
    expect(parseWith(z.object({ s: z.enum(['firing', 'resolved']) }), { s: 'FIRING' })).toMatchObject({
      error: 's: expected one of "firing", "resolved", got a string ("FIRING")',
    });
    expect(parseWith(z.object({ s: z.literal('x') }), { s: 'y' })).toMatchObject({ error: 's: expected "x", got a string ("y")' });
  });
});
