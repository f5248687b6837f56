import type { SandboxEvent } from '@wolfe/application';
import { fingerprint } from '@wolfe/events';
import { getSource, SOURCES } from '@wolfe/sources';
import { z } from 'zod';

/** What a run's event is made from: a normalized event, or a raw payload of a source (default alertmanager). */
export type EventResult = { readonly ok: true; readonly event: SandboxEvent; readonly notes: readonly string[] } | { readonly ok: false; readonly error: string };

const labelMap = z.record(z.string(), z.string(), { error: 'must be a mapping of names to string values (quote numbers: "95")' });

/** `{ labels, annotations, status, startsAt, … }`: what a runbook sees as ctx.event, minus the ids Wolfe assigns. */
const normalizedEvent = z.strictObject({
  labels: labelMap,
  annotations: labelMap.optional(),
  status: z.enum(['firing', 'resolved'], { error: 'must be firing or resolved' }).optional(),
  startsAt: z.string().nullable().optional(),
  endsAt: z.string().nullable().optional(),
  source: z.string().min(1).optional(),
  id: z.string().optional(),
  fingerprint: z.string().optional(),
  receivedAt: z.string().optional(),
});

export const NORMALIZED_EVENT_FIELDS = Object.keys(normalizedEvent.shape);

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Turns an event file's content into `ctx.event`. A payload with an `alerts` list (or any
 * payload when `source` is given) is a raw webhook of that source, normalized like the intake
 * route does; the first alert is used. Anything else must be a normalized event.
 */
export function eventFromPayload(payload: unknown, source: string | null, now: Date = new Date()): EventResult {
  if (source !== null || (isRecord(payload) && Array.isArray(payload['alerts']))) {
    const name = source ?? 'alertmanager';
    const normalizer = getSource(name);
    if (normalizer === undefined) return { ok: false, error: `unknown source ${JSON.stringify(name)}; the sources are ${Object.keys(SOURCES).join(', ')}` };
    const r = normalizer.normalize(payload);
    if (!r.ok) return { ok: false, error: `not a valid ${name} payload: ${r.error}` };
    const first = r.alerts[0];
    if (first === undefined) return { ok: false, error: `the ${name} payload holds no alert` };
    const notes = [...r.notes];
    if (r.alerts.length > 1) notes.push(`the payload holds ${r.alerts.length} alerts; using the first`);
    return {
      ok: true,
      notes,
      event: {
        id: 'local',
        source: first.source,
        fingerprint: fingerprint(first.labels),
        labels: first.labels,
        annotations: first.annotations,
        status: first.status,
        startsAt: first.startsAt,
        endsAt: first.endsAt,
        receivedAt: now.toISOString(),
      },
    };
  }
  const r = normalizedEvent.safeParse(payload);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
    const what = issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}; the fields are ${NORMALIZED_EVENT_FIELDS.join(', ')}` : (issue?.message ?? 'invalid');
    return {
      ok: false,
      error: isRecord(payload)
        ? `not a valid event: ${at}${what} (an event is { labels, annotations, status, startsAt }, or a raw Alertmanager webhook with alerts: […])`
        : 'not a valid event: expected a JSON object { labels, annotations, status, startsAt } or a raw Alertmanager webhook',
    };
  }
  const e = r.data;
  return {
    ok: true,
    notes: [],
    event: {
      id: e.id ?? 'local',
      source: e.source ?? 'manual',
      fingerprint: e.fingerprint ?? fingerprint(e.labels),
      labels: e.labels,
      annotations: e.annotations ?? {},
      status: e.status ?? 'firing',
      startsAt: e.startsAt ?? null,
      endsAt: e.endsAt ?? null,
      receivedAt: e.receivedAt ?? now.toISOString(),
    },
  };
}
