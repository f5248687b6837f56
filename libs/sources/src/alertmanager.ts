import { z } from 'zod';
import type { NormalizedAlert } from '@wolfe/events';
import type { NormalizeResult, SourceNormalizer } from './types';
import { MapBuilder, stringMap } from './internal/labels';
import { describeValue, parseWith, requireObject } from './internal/parse';
import { makeAlert, success } from './internal/result';
import { optionalIsoTime } from './internal/time';

/** `version` must be exactly `expected`; the message says which route fits the other one. */
export function versionField(expected: string, what: string, otherVersions: Readonly<Record<string, string>>) {
  return z.unknown().optional().transform((v, ctx) => {
    if (v !== expected) {
      const hint = typeof v === 'string' && otherVersions[v] !== undefined ? `; ${otherVersions[v]}` : '';
      ctx.issues.push({ code: 'custom', message: `expected "${expected}" (${what}), got ${describeValue(v)}${hint}`, input: v });
      return z.NEVER;
    }
    return expected;
  });
}

const optionalString = z.string().nullish();

/** The fields Alertmanager's webhook v4 and Grafana's webhook share. Unknown keys are ignored. */
export const amAlertShape = {
  status: z.enum(['firing', 'resolved']),
  labels: stringMap(),
  annotations: stringMap({ optional: true }),
  startsAt: optionalIsoTime,
  endsAt: optionalIsoTime,
  generatorURL: optionalString,
  fingerprint: optionalString,
};

export const amPayloadShape = {
  groupKey: optionalString,
  truncatedAlerts: z.number().int().min(0).nullish(),
  status: z.enum(['firing', 'resolved']).nullish(),
  receiver: optionalString,
  externalURL: optionalString,
};

const alertmanagerSchema = z.object({
  version: versionField('4', 'Alertmanager webhook v4', {
    '1': 'Grafana sends version "1": use POST /api/v1/events/grafana',
  }),
  ...amPayloadShape,
  alerts: z.array(z.object(amAlertShape)),
});

export type AmAlert = z.output<z.ZodObject<typeof amAlertShape>>;

/** Alert → normalized alert; `extra` adds source-specific annotations. */
export function normalizeAmAlert(
  source: string,
  a: AmAlert,
  index: number,
  extra?: (annotations: MapBuilder) => void,
): ReturnType<typeof makeAlert> {
  const labels = new MapBuilder().merge(a.labels);
  const annotations = new MapBuilder().merge(a.annotations);
  extra?.(annotations);
  return makeAlert(
    source,
    {
      labels,
      annotations,
      status: a.status,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      sourceFingerprint: a.fingerprint,
      sourceUrl: a.generatorURL,
    },
    ['alerts', index, 'labels'],
  );
}

export function truncationNotes(what: string, truncated: number | null | undefined, count: number): string[] {
  const notes: string[] = [];
  if (truncated !== undefined && truncated !== null && truncated > 0) {
    notes.push(`${what} truncated ${truncated} alert${truncated === 1 ? '' : 's'} from this group (max_alerts); only ${count} ${count === 1 ? 'is' : 'are'} in this payload`);
  }
  if (count === 0) notes.push('the payload has no alerts');
  return notes;
}

/**
 * Prometheus Alertmanager webhook (`version: "4"`): every alert of the group, one normalized
 * alert each. Labels and annotations pass through unchanged (empty values dropped); `fingerprint`
 * → sourceFingerprint; `generatorURL` → sourceUrl; the zero `endsAt` → null. No delivery key:
 * Alertmanager gives none (`groupKey` names the group, not one delivery).
 */
export const alertmanager: SourceNormalizer = {
  name: 'alertmanager',
  normalize(payload: unknown): NormalizeResult {
    const obj = requireObject(payload, 'an Alertmanager webhook payload');
    if (!obj.ok) return obj;
    const parsed = parseWith(alertmanagerSchema, obj.data);
    if (!parsed.ok) return parsed;
    const alerts: NormalizedAlert[] = [];
    for (const [i, a] of parsed.data.alerts.entries()) {
      const alert = normalizeAmAlert('alertmanager', a, i);
      if (!alert.ok) return alert;
      alerts.push(alert.data);
    }
    return success(alerts, null, truncationNotes('Alertmanager', parsed.data.truncatedAlerts, alerts.length));
  },
};
