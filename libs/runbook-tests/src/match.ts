/**
 * Compares a JSON value with what a test expects. Returns null when it matches, else where and
 * how it differs, e.g. `result.plan[1]: expected "tmp", got "package-cache"`.
 *
 * - `equal`: the same JSON value (object key order does not matter).
 * - `includes`: objects need only the expected keys (recursively); arrays must have the same
 *   length, element by element included; other values must be equal.
 */
export function compareJson(actual: unknown, expected: unknown, mode: 'equal' | 'includes', path = 'result'): string | null {
  if (expected === null || typeof expected !== 'object') {
    return Object.is(actual, expected) || (actual === expected) ? null : `${path}: expected ${show(expected)}, got ${show(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected a list, got ${show(actual)}`;
    if (actual.length !== expected.length) return `${path}: expected ${expected.length} items, got ${actual.length}: ${show(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const diff = compareJson(actual[i], expected[i], mode, `${path}[${i}]`);
      if (diff !== null) return diff;
    }
    return null;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${path}: expected an object, got ${show(actual)}`;
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  for (const key of Object.keys(e)) {
    if (!Object.hasOwn(a, key)) return `${path}${member(key)}: missing (expected ${show(e[key])})`;
    const diff = compareJson(a[key], e[key], mode, `${path}${member(key)}`);
    if (diff !== null) return diff;
  }
  if (mode === 'equal') {
    const extra = Object.keys(a).filter((k) => !Object.hasOwn(e, k));
    if (extra.length > 0) return `${path}: unexpected ${extra.length === 1 ? 'key' : 'keys'} ${extra.map((k) => JSON.stringify(k)).join(', ')} (use resultIncludes to check only some keys)`;
  }
  return null;
}

function member(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
