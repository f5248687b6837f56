import { z } from 'zod';
import type { AlertStatus } from '@wolfe/events';
import type { NormalizeResult, SourceNormalizer } from './types';
import { MapBuilder } from './internal/labels';
import { describeValue, fail, parseWith, requireObject } from './internal/parse';
import { makeAlert, success } from './internal/result';
import { parseEpoch, parseIsoTime } from './internal/time';

/**
 * A Datadog template value. Datadog sends strings; a user template may leave a number unquoted
 * (`"date": $DATE`), so numbers and booleans are accepted. Empty strings and template variables
 * Datadog left unreplaced (`"$ALERT_SCOPE"`) count as absent.
 */
const ddString = z.unknown().optional().transform((v, ctx): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') {
    ctx.issues.push({ code: 'custom', message: `expected a string, got ${describeValue(v)}`, input: v });
    return z.NEVER;
  }
  const s = v.trim();
  return s === '' || /^\$[A-Z_]+$/.test(s) ? null : s;
});

const ddSchema = z.object({
  // Datadog's default body template
  body: ddString,
  last_updated: ddString,
  event_type: ddString,
  title: ddString,
  date: ddString,
  org: z.object({ id: ddString, name: ddString }).nullish(),
  id: ddString,
  // Wolfe's recommended template adds these (docs/sources/datadog.md)
  alert_id: ddString,
  alert_transition: ddString,
  alert_cycle_key: ddString,
  aggreg_key: ddString,
  alert_title: ddString,
  alert_scope: ddString,
  alert_status: ddString,
  alert_metric: ddString,
  alert_priority: ddString,
  alert_query: ddString,
  alert_type: ddString,
  hostname: ddString,
  tags: ddString,
  link: ddString,
});

interface Transition {
  /** Canonical spelling, as Datadog writes `$ALERT_TRANSITION`. */
  name: string;
  status: AlertStatus;
  /** A re-notification of an ongoing alert: not a new episode, so no startsAt. */
  repeat: boolean;
  /** The monitor has no data: recorded as resolved (missing data never fires). */
  noData: boolean;
}

const TRANSITIONS: readonly Transition[] = [
  { name: 'Triggered', status: 'firing', repeat: false, noData: false },
  { name: 'Re-Triggered', status: 'firing', repeat: true, noData: false },
  { name: 'Warn', status: 'firing', repeat: false, noData: false },
  { name: 'Re-Warn', status: 'firing', repeat: true, noData: false },
  { name: 'Renotify', status: 'firing', repeat: true, noData: false },
  { name: 'Recovered', status: 'resolved', repeat: false, noData: false },
  { name: 'No Data', status: 'resolved', repeat: false, noData: true },
  { name: 'Re-No Data', status: 'resolved', repeat: true, noData: true },
];

function transitionOf(s: string): Transition | undefined {
  const key = s.trim().toLowerCase().replace(/[\s_]+/g, ' ');
  return TRANSITIONS.find((t) => t.name.toLowerCase() === key);
}

interface Title {
  /** The monitor name: the title without its bracketed prefixes. */
  name: string;
  transition: Transition | undefined;
  /** The `{tag:value,…}` after "on" in `[Triggered on {host:a}]`. */
  scope: string | null;
  priority: string | null;
}

/** `[P1] [Triggered on {host:ip-012345}] Host is Down` → name, transition, scope, priority. */
export function parseTitle(title: string): Title {
  let rest = title.trim();
  let transition: Transition | undefined;
  let scope: string | null = null;
  let priority: string | null = null;
  for (let m = /^\[([^\]]*)\]\s*/.exec(rest); m !== null; m = /^\[([^\]]*)\]\s*/.exec(rest)) {
    const inner = (m[1] ?? '').trim();
    const t = /^(.*?)(?:\s+on\s+\{(.*)\})?$/s.exec(inner);
    const found = t?.[1] !== undefined ? transitionOf(t[1]) : undefined;
    if (found !== undefined) {
      transition = found;
      scope = t?.[2] ?? null;
    } else if (/^P[1-5]$/i.test(inner)) priority = inner.toUpperCase();
    else break; // a bracket that is part of the monitor's own name
    rest = rest.slice(m[0].length);
  }
  return { name: rest.trim() === '' ? title.trim() : rest.trim(), transition, scope, priority };
}

/** `availability-zone:us-east-1a, role:computing-node` → [[key, value], …]; bare tags are skipped. */
export function parseTags(list: string | null): [string, string][] {
  if (list === null) return [];
  const out: [string, string][] = [];
  for (const raw of list.split(',')) {
    const tag = raw.trim();
    const colon = tag.indexOf(':');
    if (colon <= 0 || colon === tag.length - 1) continue;
    out.push([tag.slice(0, colon), tag.slice(colon + 1)]);
  }
  return out;
}

function timeOf(value: string, field: string): { ok: true; value: string | null } | ReturnType<typeof fail> {
  const r = /^\d+$/.test(value) ? parseEpoch(value) : parseIsoTime(value);
  return r.ok ? r : fail([field], r.message);
}

const RESERVED = new Set(['alertname', 'datadog_monitor_id']);

/**
 * Datadog webhooks: the default body template (status and monitor name read from the title's
 * `[Triggered on {…}]` prefix) and Wolfe's recommended template (`alert_transition`, `alert_id`,
 * `alert_scope`, `tags`, …; see docs/sources/datadog.md). `id` ($ID) is the delivery key.
 */
export const datadog: SourceNormalizer = {
  name: 'datadog',
  normalize(payload: unknown): NormalizeResult {
    const obj = requireObject(payload, 'a Datadog webhook payload');
    if (!obj.ok) return obj;
    const parsed = parseWith(ddSchema, obj.data);
    if (!parsed.ok) return parsed;
    const d = parsed.data;

    const titleText = d.alert_title ?? d.title;
    if (titleText === null) return fail(['title'], 'expected the event title ($EVENT_TITLE) or "alert_title": "$ALERT_TITLE", got nothing');
    const title = parseTitle(titleText);

    let transition: Transition | undefined;
    if (d.alert_transition !== null) {
      transition = transitionOf(d.alert_transition);
      if (transition === undefined) {
        return fail(['alert_transition'], `expected one of ${TRANSITIONS.map((t) => JSON.stringify(t.name)).join(', ')}, got ${describeValue(d.alert_transition)}`);
      }
    } else {
      transition = title.transition ?? (d.title !== null ? parseTitle(d.title).transition : undefined);
      if (transition === undefined) {
        return fail(
          ['alert_transition'],
          `cannot tell whether the alert fires or recovers: the title has no [Triggered]/[Recovered] prefix; add "alert_transition": "$ALERT_TRANSITION" to the webhook payload (docs/sources/datadog.md)`,
        );
      }
    }

    const whenText = d.date ?? d.last_updated;
    let when: string | null = null;
    if (whenText !== null) {
      const t = timeOf(whenText, d.date !== null ? 'date' : 'last_updated');
      if (!t.ok) return t;
      when = t.value;
    }

    const labels = new MapBuilder();
    labels.set('alertname', title.name);
    labels.set('datadog_monitor_id', d.alert_id);
    for (const [k, v] of parseTags(d.alert_scope ?? title.scope)) if (!RESERVED.has(k)) labels.set(k, v);
    const tagValues = new Map<string, Set<string>>();
    for (const [k, v] of parseTags(d.tags)) tagValues.set(k, (tagValues.get(k) ?? new Set<string>()).add(v));
    for (const [k, values] of tagValues) {
      if (RESERVED.has(k) || labels.has(k)) continue;
      labels.set(k, [...values].sort().join(','));
    }
    labels.setDefault('host', d.hostname);

    const ann = new MapBuilder();
    ann.set('summary', d.alert_status ?? title.name);
    ann.set('description', d.body);
    ann.set('datadog_transition', transition.name);
    ann.set('datadog_priority', d.alert_priority ?? title.priority);
    ann.set('datadog_alert_type', d.alert_type);
    ann.set('datadog_metric', d.alert_metric);
    ann.set('datadog_query', d.alert_query);
    ann.set('datadog_alert_cycle_key', d.alert_cycle_key);
    ann.set('datadog_event_type', d.event_type);
    ann.set('datadog_title', titleText);
    ann.set('datadog_tags', d.tags);
    ann.set('datadog_org', d.org?.name ?? d.org?.id);

    const notes: string[] = [];
    if (transition.noData) notes.push(`Datadog "${transition.name}" for "${title.name}": recorded as resolved (missing data never fires)`);
    const firing = transition.status === 'firing';
    const alert = makeAlert(
      'datadog',
      {
        labels,
        annotations: ann,
        status: transition.status,
        startsAt: firing && !transition.repeat ? when : null,
        endsAt: firing ? null : when,
        sourceFingerprint: d.aggreg_key,
        sourceUrl: d.link,
      },
      ['title'],
    );
    if (!alert.ok) return alert;
    return success([alert.data], d.id, notes);
  },
};
