import { z } from 'zod';
import { describeValue } from './parse';

/** Go's zero `time.Time`, which Alertmanager and Grafana send as `endsAt` of a firing alert. */
const ZERO_TIME_MS = -62_135_596_800_000; // 0001-01-01T00:00:00Z

// RFC 3339 / ISO-8601 extended date-time with a UTC designator or offset. Seconds and the fraction
// are optional; the offset may be `+hh:mm` or `+hhmm` (CloudWatch writes `2019-10-02T17:04:40.989+0000`).
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([Zz]|([+-])(\d{2}):?(\d{2}))$/;

export type TimeParse = { ok: true; value: string | null } | { ok: false; message: string };

const EXAMPLE = 'e.g. "2024-05-01T12:00:00Z" or "2024-05-01T14:00:00.123+02:00"';

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0); // day 0 of the next month = last day of this one
  return d.getUTCDate();
}

/**
 * Parses an ISO-8601 date-time that carries a UTC offset and returns it in `toISOString()` form
 * (UTC, milliseconds). Go's zero time becomes null (it means "no time"). Stricter than `Date.parse`:
 * no date-only strings, no local times, no overflowing days such as February 30.
 */
export function parseIsoTime(input: string): TimeParse {
  const m = ISO_TIME.exec(input.trim());
  const bad = (why: string): TimeParse => ({ ok: false, message: `${JSON.stringify(input)} is not an ISO-8601 time (${why}; ${EXAMPLE})` });
  if (m === null) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(input.trim())) return bad('a date without a time of day');
    if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(input.trim())) return bad('no UTC offset: add Z or ±hh:mm');
    return bad('expected YYYY-MM-DDThh:mm:ss with Z or an offset');
  }
  const [, ys, mos, ds, hs, mis, ss, frac, zone, sign, ohs, omis] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  const second = ss === undefined ? 0 : Number(ss);
  if (month < 1 || month > 12) return bad(`month ${mos} is out of range`);
  if (day < 1 || day > daysInMonth(year, month)) return bad(`day ${ds} does not exist in ${ys}-${mos}`);
  if (hour > 23 || minute > 59 || second > 59) return bad('time of day is out of range');
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const oh = Number(ohs);
    const om = Number(omis);
    if (oh > 23 || om > 59) return bad('UTC offset is out of range');
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, millis);
  const ms = d.getTime() - offsetMinutes * 60_000;
  if (ms === ZERO_TIME_MS) return { ok: true, value: null };
  const out = new Date(ms);
  if (Number.isNaN(out.getTime())) return bad('out of range');
  return { ok: true, value: out.toISOString() };
}

/**
 * Epoch time as Datadog's `$DATE` / `$LAST_UPDATED` give it: a string (or number) of milliseconds;
 * 10-digit values are taken as seconds.
 */
export function parseEpoch(input: string | number): TimeParse {
  const s = String(input).trim();
  if (!/^\d{1,16}$/.test(s)) return { ok: false, message: `${JSON.stringify(input)} is not an epoch time (expected milliseconds since 1970, e.g. "1406662672000")` };
  const n = Number(s);
  const ms = s.length <= 10 ? n * 1000 : n;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return { ok: false, message: `${s} is out of range for an epoch time` };
  return { ok: true, value: d.toISOString() };
}

/** A zod schema: an ISO-8601 time string, output normalized (`toISOString()`), Go zero time → null. */
export const isoTime = z.unknown().optional().transform((v, ctx): string | null => {
  if (typeof v !== 'string') {
    ctx.issues.push({ code: 'custom', message: `expected an ISO-8601 time string, got ${describeValue(v)}`, input: v });
    return z.NEVER;
  }
  const r = parseIsoTime(v);
  if (!r.ok) {
    ctx.issues.push({ code: 'custom', message: r.message, input: v });
    return z.NEVER;
  }
  return r.value;
});

/** Like {@link isoTime} but absent (undefined), null or "" → null. */
export const optionalIsoTime = z.unknown().optional().transform((v, ctx): string | null => {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') {
    ctx.issues.push({ code: 'custom', message: `expected an ISO-8601 time string, got ${describeValue(v)}`, input: v });
    return z.NEVER;
  }
  const r = parseIsoTime(v);
  if (!r.ok) {
    ctx.issues.push({ code: 'custom', message: r.message, input: v });
    return z.NEVER;
  }
  return r.value;
});
