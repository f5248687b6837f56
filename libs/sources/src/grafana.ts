import { z } from 'zod';
import type { NormalizedAlert } from '@wolfe/events';
import type { NormalizeResult, SourceNormalizer } from './types';
import { amAlertShape, amPayloadShape, normalizeAmAlert, truncationNotes, versionField } from './alertmanager';
import { describeValue, parseWith, requireObject } from './internal/parse';
import { success } from './internal/result';

const optionalString = z.string().nullish();

/** Grafana's `values`: refId → number (the query/expression results). Scalars only. */
const grafanaValues = z.unknown().optional().transform((v, ctx): [string, string][] => {
  if (v === undefined || v === null) return [];
  if (typeof v !== 'object' || Array.isArray(v)) {
    ctx.issues.push({ code: 'custom', message: `expected an object of numbers (refId → value), got ${describeValue(v)}`, input: v });
    return z.NEVER;
  }
  const out: [string, string][] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean') out.push([k, String(x)]);
    else if (x === null) out.push([k, 'null']);
    else {
      ctx.issues.push({ code: 'custom', message: `expected a number, got ${describeValue(x)} (objects are never turned into strings)`, input: x, path: [k] });
      return z.NEVER;
    }
  }
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
});

const grafanaSchema = z.object({
  version: versionField('1', 'Grafana unified alerting webhook', {
    '4': 'Alertmanager sends version "4": use POST /api/v1/events/alertmanager',
  }),
  ...amPayloadShape,
  orgId: z.union([z.number(), z.string()]).nullish(),
  state: optionalString,
  title: optionalString,
  message: optionalString,
  alerts: z.array(
    z.object({
      ...amAlertShape,
      silenceURL: optionalString,
      dashboardURL: optionalString,
      panelURL: optionalString,
      imageURL: optionalString,
      ruleUID: optionalString,
      valueString: optionalString,
      values: grafanaValues,
    }),
  ),
});

/**
 * Grafana unified alerting webhook (`version: "1"`): Alertmanager's shape plus Grafana's extras.
 * Grafana's `fingerprint` is kept as an opaque sourceFingerprint (Grafana computes it before it
 * drops private labels, so it is not ours). Extras become `grafana_*` annotations (never labels,
 * they are not identity): `grafana_values` ("B=44.2, C=1", sorted by refId), `grafana_value_string`
 * (older Grafana), `grafana_dashboard_url`, `grafana_panel_url`, `grafana_silence_url`,
 * `grafana_image_url`, `grafana_rule_uid`, `grafana_org_id`. An annotation of the same name set by
 * the alert rule wins.
 */
export const grafana: SourceNormalizer = {
  name: 'grafana',
  normalize(payload: unknown): NormalizeResult {
    const obj = requireObject(payload, 'a Grafana webhook payload');
    if (!obj.ok) return obj;
    const parsed = parseWith(grafanaSchema, obj.data);
    if (!parsed.ok) return parsed;
    const { orgId } = parsed.data;
    const alerts: NormalizedAlert[] = [];
    for (const [i, a] of parsed.data.alerts.entries()) {
      const alert = normalizeAmAlert('grafana', a, i, (ann) => {
        if (a.values.length > 0) ann.setDefault('grafana_values', a.values.map(([k, v]) => `${k}=${v}`).join(', '));
        ann.setDefault('grafana_value_string', a.valueString);
        ann.setDefault('grafana_dashboard_url', a.dashboardURL);
        ann.setDefault('grafana_panel_url', a.panelURL);
        ann.setDefault('grafana_silence_url', a.silenceURL);
        ann.setDefault('grafana_image_url', a.imageURL);
        ann.setDefault('grafana_rule_uid', a.ruleUID);
        ann.setDefault('grafana_org_id', orgId);
      });
      if (!alert.ok) return alert;
      alerts.push(alert.data);
    }
    return success(alerts, null, truncationNotes('Grafana', parsed.data.truncatedAlerts, alerts.length));
  },
};
