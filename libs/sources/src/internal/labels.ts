import { z } from 'zod';
import type { Labels } from '@wolfe/events';
import { describeValue, isRecord } from './parse';

export interface StringMapOptions {
  /** Absent (undefined) or null is taken as `{}`. */
  optional?: boolean;
  /**
   * Turn numbers and booleans into strings (`1` → `"1"`): only where the source itself sends them.
   * Objects, arrays and null are never coerced.
   */
  coerceScalars?: boolean;
}

/**
 * A zod schema for a JSON object of string values (a label set or annotations).
 * Errors name the exact key: `alerts[0].labels.severity: expected a string value, got a number (3)`.
 * The output is a fresh object with own properties only (a key such as `__proto__` survives as data).
 */
export function stringMap(options: StringMapOptions = {}) {
  return z.unknown().optional().transform((v, ctx): Record<string, string> => {
    if ((v === undefined || v === null) && options.optional) return {};
    if (!isRecord(v)) {
      ctx.issues.push({ code: 'custom', message: `expected an object of string values, got ${describeValue(v)}`, input: v });
      return z.NEVER;
    }
    const entries: [string, string][] = [];
    for (const [key, value] of Object.entries(v)) {
      if (key === '') {
        ctx.issues.push({ code: 'custom', message: 'names must not be empty', input: value, path: [key] });
        continue;
      }
      if (typeof value === 'string') entries.push([key, value]);
      else if (options.coerceScalars && (typeof value === 'number' || typeof value === 'boolean')) entries.push([key, String(value)]);
      else {
        const hint = typeof value === 'object' && value !== null ? ' (objects are never turned into strings)' : '';
        ctx.issues.push({ code: 'custom', message: `expected a string value, got ${describeValue(value)}${hint}`, input: value, path: [key] });
      }
    }
    if (ctx.issues.length > 0) return z.NEVER;
    return Object.fromEntries(entries);
  });
}

/**
 * Builds a label set or annotations: ignores absent and empty values (a label with an empty value
 * is the same as no label, as in Prometheus), and returns keys in sorted order.
 */
export class MapBuilder {
  private readonly entries = new Map<string, string>();

  /** Sets `key` unless `value` is absent or empty. Returns whether it was set. */
  set(key: string, value: string | number | boolean | null | undefined): boolean {
    if (value === undefined || value === null) return false;
    const s = String(value);
    if (s === '' || key === '') return false;
    this.entries.set(key, s);
    return true;
  }

  /** Like {@link set} but keeps an existing value. Returns whether it was set. */
  setDefault(key: string, value: string | number | boolean | null | undefined): boolean {
    if (this.entries.has(key)) return false;
    return this.set(key, value);
  }

  /** Copies every non-empty entry of `map`, overwriting. */
  merge(map: Readonly<Record<string, string>>): this {
    for (const [k, v] of Object.entries(map)) this.set(k, v);
    return this;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get size(): number {
    return this.entries.size;
  }

  build(): Labels {
    return Object.fromEntries([...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
