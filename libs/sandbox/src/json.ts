/**
 * Untrusted JSON from a runbook (results, log fields), made safe to store and to merge:
 *
 * - keys `__proto__`, `constructor` and `prototype` are removed, so nothing can reach an
 *   object's prototype when the value is later spread, merged or assigned;
 * - keys starting with `$` are removed, so no part of a result can act as a database
 *   operator (`$where`, `$set`, …) if it ever reaches a query;
 * - nesting is bounded (MongoDB refuses documents nested deeper than 100 levels).
 *
 * Iterative, so a deeply nested value cannot overflow the host's stack.
 */
export function isUnsafeKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype' || key.startsWith('$');
}

export type SanitizeResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

/**
 * Parses `json` and rebuilds it without unsafe keys. When a value is nested deeper than
 * `maxDepth`, fails with `onTooDeep: 'fail'`, or replaces the too-deep part with the string
 * `[nested too deep]` with `onTooDeep: 'truncate'`.
 */
export function parseSanitizedJson(json: string, maxDepth: number, onTooDeep: 'fail' | 'truncate'): SanitizeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  return sanitizeJsonValue(parsed, maxDepth, onTooDeep);
}

/** Rebuilds a JSON value (as produced by JSON.parse) without unsafe keys; see {@link parseSanitizedJson}. */
export function sanitizeJsonValue(value: unknown, maxDepth: number, onTooDeep: 'fail' | 'truncate'): SanitizeResult {
  const root: { value: unknown } = { value: undefined };
  // Each task copies `src` into `dst` (an array or object already attached to its parent).
  const tasks: { src: unknown; put: (v: unknown) => void; depth: number }[] = [{ src: value, put: (v) => (root.value = v), depth: 0 }];
  while (tasks.length > 0) {
    const { src, put, depth } = tasks.pop()!;
    if (src === null || typeof src !== 'object') {
      put(typeof src === 'string' || typeof src === 'number' || typeof src === 'boolean' || src === null ? src : null);
      continue;
    }
    if (depth >= maxDepth) {
      if (onTooDeep === 'fail') return { ok: false, reason: `nested deeper than ${maxDepth} levels` };
      put('[nested too deep]');
      continue;
    }
    if (Array.isArray(src)) {
      const dst: unknown[] = new Array<unknown>(src.length).fill(null);
      put(dst);
      src.forEach((item, i) => tasks.push({ src: item, put: (v) => (dst[i] = v), depth: depth + 1 }));
      continue;
    }
    const dst: Record<string, unknown> = {};
    put(dst);
    for (const key of Object.keys(src)) {
      if (isUnsafeKey(key)) continue;
      dst[key] = null; // keeps the key order: children are filled in later, last first
      tasks.push({ src: (src as Record<string, unknown>)[key], put: (v) => (dst[key] = v), depth: depth + 1 });
    }
  }
  return { ok: true, value: root.value };
}
