import { z } from 'zod';
import type { NormalizeResult, SourceNormalizer } from './types';
import { MapBuilder, stringMap } from './internal/labels';
import { describeValue, fail, isRecord, parseWith } from './internal/parse';
import { makeAlert, success } from './internal/result';
import { optionalIsoTime } from './internal/time';

const optionalString = z.string().nullish();

const CONTEXT_ATTRIBUTES = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data', 'data_base64']);
/** Extension attribute names: lower-case letters and digits (CloudEvents 1.0). */
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

const ceSchema = z.object({
  specversion: z.unknown().optional().transform((v, ctx) => {
    if (v !== '1.0') {
      ctx.issues.push({ code: 'custom', message: `expected "1.0" (CloudEvents 1.0, structured mode JSON), got ${describeValue(v)}`, input: v });
      return z.NEVER;
    }
    return '1.0';
  }),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  subject: optionalString,
  time: optionalIsoTime,
  datacontenttype: optionalString,
  dataschema: optionalString,
  data: z.unknown(),
  data_base64: optionalString,
});

/** Wolfe's alert convention inside `data`, applied when `data.labels` is present. */
const alertDataSchema = z.object({
  labels: stringMap(),
  annotations: stringMap({ optional: true }),
  status: z.enum(['firing', 'resolved']).nullish(),
  startsAt: optionalIsoTime,
  endsAt: optionalIsoTime,
  fingerprint: optionalString,
  sourceUrl: optionalString,
});

function isJsonContentType(ct: string | null | undefined): boolean {
  if (ct === undefined || ct === null) return true;
  const base = (ct.split(';')[0] ?? '').trim().toLowerCase();
  return base === 'application/json' || base === 'text/json' || base.endsWith('+json');
}

/**
 * CloudEvents 1.0, structured mode JSON: one event → one alert. Labels `ce_type`, `ce_source`,
 * `ce_subject`, `alertname` (= type unless `data.labels.alertname` is set); when `data` is a JSON
 * object with `labels`, its labels are merged (the `ce_*` attributes win) and its `annotations`,
 * `status` (default firing), `startsAt`, `endsAt`, `fingerprint`, `sourceUrl` are used.
 * Delivery key: `${source}#${id}`.
 */
export const cloudevents: SourceNormalizer = {
  name: 'cloudevents',
  normalize(payload: unknown): NormalizeResult {
    if (Array.isArray(payload)) return fail([], 'a JSON array (CloudEvents batch mode) is not accepted: send one event per request, in structured mode');
    if (!isRecord(payload)) return fail([], `expected a JSON object (a CloudEvent in structured mode), got ${describeValue(payload)}`);
    const parsed = parseWith(ceSchema, payload);
    if (!parsed.ok) return parsed;
    const ce = parsed.data;

    const dataLabels = new MapBuilder();
    const ann = new MapBuilder();
    let status: 'firing' | 'resolved' = 'firing';
    let startsAt: string | null = null;
    let endsAt: string | null = null;
    let fingerprint: string | null = null;
    let sourceUrl: string | null = null;
    const notes: string[] = [];
    if (isRecord(ce.data) && 'labels' in ce.data && isJsonContentType(ce.datacontenttype)) {
      const data = parseWith(alertDataSchema, ce.data, ['data']);
      if (!data.ok) return data;
      dataLabels.merge(data.data.labels);
      ann.merge(data.data.annotations);
      status = data.data.status ?? 'firing';
      startsAt = data.data.startsAt;
      endsAt = data.data.endsAt;
      fingerprint = data.data.fingerprint ?? null;
      sourceUrl = data.data.sourceUrl ?? null;
    } else if (ce.data_base64 !== undefined && ce.data_base64 !== null) {
      notes.push('data_base64 is not inspected: labels come from the event attributes only');
    }

    const labels = new MapBuilder();
    labels.set('alertname', ce.type);
    for (const [k, v] of Object.entries(dataLabels.build())) labels.set(k, v);
    labels.set('ce_type', ce.type);
    labels.set('ce_source', ce.source);
    labels.set('ce_subject', ce.subject);

    ann.setDefault('ce_id', ce.id);
    for (const [name, value] of Object.entries(payload)) {
      if (CONTEXT_ATTRIBUTES.has(name) || !EXTENSION_NAME.test(name)) continue;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') ann.setDefault(`ce_${name}`, value);
    }

    const alert = makeAlert(
      'cloudevents',
      {
        labels,
        annotations: ann,
        status,
        startsAt: startsAt ?? (status === 'firing' ? ce.time : null),
        endsAt: endsAt ?? (status === 'resolved' ? ce.time : null),
        sourceFingerprint: fingerprint,
        sourceUrl,
      },
      ['data', 'labels'],
    );
    if (!alert.ok) return alert;
    return success([alert.data], `${ce.source}#${ce.id}`, notes);
  },
};
