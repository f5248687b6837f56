import { isUnsafeKey, parseSanitizedJson, sanitizeJsonValue } from './json';

describe('parseSanitizedJson', () => {
  it('removes prototype keys and $-operators at any depth, keeping key order', () => {
    const r = parseSanitizedJson('{"b":1,"__proto__":{"admin":true},"a":{"constructor":{"prototype":{}},"$where":"x","keep":[{"$gt":1,"v":2}]},"c":null}', 64, 'fail');
    expect(r).toEqual({ ok: true, value: { b: 1, a: { keep: [{ v: 2 }] }, c: null } });
    if (!r.ok) return;
    expect(Object.keys(r.value as object)).toEqual(['b', 'a', 'c']);
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('keeps primitives and arrays as they are', () => {
    expect(parseSanitizedJson('[1,"two",true,null,{"x":[[]]}]', 64, 'fail')).toEqual({ ok: true, value: [1, 'two', true, null, { x: [[]] }] });
    expect(parseSanitizedJson('"text"', 64, 'fail')).toEqual({ ok: true, value: 'text' });
  });

  it('bounds nesting without using the host stack', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(parseSanitizedJson(deep, 64, 'fail')).toEqual({ ok: false, reason: 'nested deeper than 64 levels' });
    const r = parseSanitizedJson('{"a":{"b":{"c":1}}}', 2, 'truncate');
    expect(r).toEqual({ ok: true, value: { a: { b: '[nested too deep]' } } });
  });

  it('refuses text that is not JSON', () => {
    expect(parseSanitizedJson('{nope', 64, 'fail')).toEqual({ ok: false, reason: 'not valid JSON' });
  });

  it('turns non-JSON values into null (defensive: input normally comes from JSON.parse)', () => {
    expect(sanitizeJsonValue({ f: () => 1, u: undefined, n: 1 }, 64, 'fail')).toEqual({ ok: true, value: { f: null, u: null, n: 1 } });
  });

  it.each([
    ['__proto__', true],
    ['constructor', true],
    ['prototype', true],
    ['$set', true],
    ['$', true],
    ['price$', false],
    ['proto', false],
    ['', false],
  ])('isUnsafeKey(%j) = %s', (key, unsafe) => expect(isUnsafeKey(key)).toBe(unsafe));
});
