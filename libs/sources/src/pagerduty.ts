import { z } from 'zod';
import type { AlertStatus } from '@wolfe/events';
import type { NormalizeResult, SourceNormalizer } from './types';
import { MapBuilder } from './internal/labels';
import { fail, isRecord, parseWith, requireObject } from './internal/parse';
import { makeAlert, success } from './internal/result';
import { isoTime, optionalIsoTime } from './internal/time';

const optionalString = z.string().nullish();
const reference = z.object({ id: z.string().min(1), summary: optionalString, html_url: optionalString });

const envelopeSchema = z.object({
  event: z.object({
    id: z.string().min(1),
    event_type: z.string().min(1),
    resource_type: optionalString,
    occurred_at: isoTime,
    agent: z.object({ summary: optionalString }).nullish(),
    data: z.unknown(),
  }),
});

const incidentSchema = z.object({
  id: z.string().min(1),
  type: optionalString,
  number: z.number().int().nullish(),
  status: optionalString,
  incident_key: optionalString,
  created_at: optionalIsoTime,
  title: optionalString,
  html_url: optionalString,
  service: reference,
  urgency: optionalString,
  priority: z.object({ summary: optionalString }).nullish(),
  escalation_policy: reference.nullish(),
  teams: z.array(reference).nullish(),
  assignees: z.array(reference).nullish(),
});

/** Event types that open or close a firing episode. Every other event only adds a note. */
const LIFECYCLE: Readonly<Record<string, AlertStatus>> = {
  'incident.triggered': 'firing',
  'incident.reopened': 'firing',
  'incident.resolved': 'resolved',
};

function summaries(refs: readonly { summary?: string | null | undefined; id: string }[] | null | undefined): string | null {
  if (!refs || refs.length === 0) return null;
  return refs.map((r) => r.summary ?? r.id).join(', ');
}

/** The incident an event is about, for notes: `data.id` of an incident, `data.incident.id` otherwise. */
function incidentIdOf(data: unknown): string | null {
  if (!isRecord(data)) return null;
  if (data['type'] === 'incident' && typeof data['id'] === 'string') return data['id'];
  const inc = data['incident'];
  return isRecord(inc) && typeof inc['id'] === 'string' ? inc['id'] : null;
}

/**
 * PagerDuty v3 webhooks: one `event` per POST; `event.id` is the delivery key.
 * `incident.triggered` and `incident.reopened` → firing, `incident.resolved` → resolved; every
 * other event (acknowledged, escalated, annotated, priority_updated, service.*, …) is recorded as
 * a note with no alert, so it neither starts nor ends an episode. Labels are the incident's
 * stable identity only (`alertname="PagerDutyIncident"`, `pagerduty_incident`, `service`,
 * `pagerduty_service_id`); title, urgency, priority, event type and status change during an
 * incident and are annotations.
 */
export const pagerduty: SourceNormalizer = {
  name: 'pagerduty',
  normalize(payload: unknown): NormalizeResult {
    const obj = requireObject(payload, 'a PagerDuty v3 webhook payload');
    if (!obj.ok) return obj;
    if (Array.isArray(obj.data['messages']) && !('event' in obj.data)) {
      return fail(['messages'], 'this is a PagerDuty v2 webhook (messages[]), which is not accepted: create a v3 webhook subscription');
    }
    const env = parseWith(envelopeSchema, obj.data);
    if (!env.ok) return env;
    const ev = env.data.event;
    const status = LIFECYCLE[ev.event_type];
    if (status === undefined) {
      const incident = incidentIdOf(ev.data);
      const about = incident !== null ? ` for incident ${incident}` : ev.resource_type ? ` (${ev.resource_type})` : '';
      return success([], ev.id, [`PagerDuty ${ev.event_type}${about}: neither a trigger nor a resolve, recorded as a note only`]);
    }
    const parsed = parseWith(incidentSchema, ev.data, ['event', 'data']);
    if (!parsed.ok) return parsed;
    const inc = parsed.data;

    const labels = new MapBuilder();
    labels.set('alertname', 'PagerDutyIncident');
    labels.set('pagerduty_incident', inc.id);
    labels.set('pagerduty_service_id', inc.service.id);
    labels.set('service', inc.service.summary);

    const ann = new MapBuilder();
    ann.set('summary', inc.title);
    ann.set('event_type', ev.event_type);
    ann.set('incident_status', inc.status);
    ann.set('urgency', inc.urgency);
    ann.set('priority', inc.priority?.summary);
    ann.set('incident_number', inc.number);
    ann.set('incident_key', inc.incident_key);
    ann.set('escalation_policy', inc.escalation_policy?.summary);
    ann.set('teams', summaries(inc.teams));
    ann.set('assignees', summaries(inc.assignees));
    ann.set('agent', ev.agent?.summary);

    const created = inc.created_at ?? null;
    const alert = makeAlert(
      'pagerduty',
      {
        labels,
        annotations: ann,
        status,
        // A reopened incident starts a new episode now; otherwise the incident's creation.
        startsAt: ev.event_type === 'incident.reopened' ? ev.occurred_at : (created ?? (status === 'firing' ? ev.occurred_at : null)),
        endsAt: status === 'resolved' ? ev.occurred_at : null,
        sourceFingerprint: inc.id,
        sourceUrl: inc.html_url,
      },
      ['event', 'data'],
    );
    if (!alert.ok) return alert;
    return success([alert.data], ev.id);
  },
};
