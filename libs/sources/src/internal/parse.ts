import type { z } from 'zod';
import type { NormalizeFailure } from '../types';

export type Path = readonly PropertyKey[];
export type Parsed<T> = { ok: true; data: T } | NormalizeFailure;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `["alerts", 2, "labels", "app.kubernetes.io/name"]` → `alerts[2].labels["app.kubernetes.io/name"]`; `[]` → null. */
export function formatPath(path: Path): string | null {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') {
      out += `[${seg}]`;
      continue;
    }
    const key = typeof seg === 'symbol' ? (seg.description ?? '') : seg;
    out += IDENTIFIER.test(key) ? `${out ? '.' : ''}${key}` : `[${JSON.stringify(key)}]`;
  }
  return out === '' ? null : out;
}

function truncate(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Says what a JSON value is, for "got …" in error messages. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  if (v === null) return 'null';
  if (typeof v === 'string') return v === '' ? 'an empty string' : `a string (${JSON.stringify(truncate(v))})`;
  if (typeof v === 'number') return `a number (${v})`;
  if (typeof v === 'boolean') return `a boolean (${v})`;
  if (Array.isArray(v)) return `an array of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  null: 'null',
};

function quoteAll(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/**
 * The per-parse zod error map: every message names what was expected and what came instead.
 * Schema-level `error` params (set where a field needs a hint) take precedence over it.
 */
const errorMap: z.core.$ZodErrorMap = (iss) => {
  const got = describeValue(iss.input);
  switch (iss.code) {
    case 'invalid_type':
      if (iss.expected === 'nonoptional') return `expected a value, got ${got}`;
      return `expected ${EXPECTED[iss.expected] ?? iss.expected}, got ${got}`;
    case 'invalid_value':
      return iss.values.length === 1
        ? `expected ${quoteAll(iss.values)}, got ${got}`
        : `expected one of ${quoteAll(iss.values)}, got ${got}`;
    case 'too_big':
      if (iss.origin === 'array') return `expected at most ${iss.maximum} items, got ${Array.isArray(iss.input) ? iss.input.length : got}`;
      if (iss.origin === 'string') return `expected at most ${iss.maximum} characters, got ${typeof iss.input === 'string' ? iss.input.length : got}`;
      return `expected at most ${iss.maximum}, got ${got}`;
    case 'too_small':
      if (iss.origin === 'string' && iss.minimum === 1) return `expected a non-empty string, got ${got}`;
      if (iss.origin === 'array') return `expected at least ${iss.minimum} item${iss.minimum === 1 ? '' : 's'}, got ${got}`;
      return `expected ${iss.inclusive ? 'at least' : 'more than'} ${iss.minimum}, got ${got}`;
    case 'unrecognized_keys':
      return `unknown field`;
    case 'invalid_union':
      return `does not match any accepted shape, got ${got}`;
    default:
      return undefined;
  }
};

/** A failure for a field path, worded `<path>: <message>`. */
export function fail(path: Path, message: string): NormalizeFailure {
  const field = formatPath(path);
  return { ok: false, error: field === null ? message : `${field}: ${message}`, field };
}

/**
 * Validates `input` against `schema`. On failure the first problem is reported with its field
 * path (prefixed with `prefix`, for documents nested in a string such as SNS `Message`).
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, prefix: Path = []): Parsed<z.output<S>> {
  const result = schema.safeParse(input, { error: errorMap });
  if (result.success) return { ok: true, data: result.data };
  const issues = result.error.issues;
  const first = issues[0];
  if (first === undefined) return fail(prefix, 'invalid payload');
  let path: PropertyKey[] = [...prefix, ...first.path];
  if (first.code === 'unrecognized_keys' && first.keys[0] !== undefined) path = [...path, first.keys[0]];
  const more = issues.length - 1;
  const failure = fail(path, first.message);
  return more > 0 ? { ...failure, error: `${failure.error} (and ${more} more problem${more === 1 ? '' : 's'})` } : failure;
}

/** A plain JSON object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The payload as a whole must be a JSON object. */
export function requireObject(payload: unknown, what: string): Parsed<Record<string, unknown>> {
  if (isRecord(payload)) return { ok: true, data: payload };
  return fail([], `expected a JSON object (${what}), got ${describeValue(payload)}`);
}
