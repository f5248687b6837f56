import { z } from 'zod';
import type { NormalizedAlert } from '@wolfe/events';
import type { NormalizeResult, SourceNormalizer } from './types';
import { MapBuilder, stringMap } from './internal/labels';
import { parseWith, requireObject } from './internal/parse';
import { makeAlert, success } from './internal/result';
import { optionalIsoTime } from './internal/time';

/** Most events one request may carry. */
export const MAX_GENERIC_EVENTS = 1000;

const eventShape = {
  labels: stringMap(),
  annotations: stringMap({ optional: true }),
  status: z.enum(['firing', 'resolved']),
  startsAt: optionalIsoTime,
  endsAt: optionalIsoTime,
  sourceUrl: z.string().nullish(),
};
const deliveryKey = z.string().min(1).nullish();

/** Wolfe's own format is strict: a misspelt field is an error, not silently dropped. */
function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field (known fields: ${known})` : undefined),
  });
}

const singleSchema = strict({ ...eventShape, deliveryKey });
const batchSchema = strict({
  events: z.array(strict(eventShape)).max(MAX_GENERIC_EVENTS, {
    error: (iss) =>
      `expected at most ${MAX_GENERIC_EVENTS} events per request, got ${Array.isArray(iss.input) ? iss.input.length : 'more'}: split the batch`,
  }),
  deliveryKey,
});

type GenericEvent = z.output<ReturnType<typeof strict<typeof eventShape>>>;

function toAlert(e: GenericEvent, labelsPath: (string | number)[]) {
  return makeAlert(
    'generic',
    {
      labels: new MapBuilder().merge(e.labels),
      annotations: new MapBuilder().merge(e.annotations),
      status: e.status,
      startsAt: e.startsAt,
      endsAt: e.endsAt,
      sourceUrl: e.sourceUrl,
    },
    labelsPath,
  );
}

/**
 * Wolfe's generic format: one event `{ labels, annotations?, status, startsAt?, endsAt?, sourceUrl? }`
 * or a batch `{ events: [ … ] }` of at most 1000. An optional top-level `deliveryKey` (the sender's
 * idempotency key) becomes the delivery key.
 */
export const generic: SourceNormalizer = {
  name: 'generic',
  normalize(payload: unknown): NormalizeResult {
    const obj = requireObject(payload, 'one event { labels, status, … } or { events: [ … ] }');
    if (!obj.ok) return obj;
    if ('events' in obj.data) {
      const parsed = parseWith(batchSchema, obj.data);
      if (!parsed.ok) return parsed;
      const alerts: NormalizedAlert[] = [];
      for (const [i, e] of parsed.data.events.entries()) {
        const alert = toAlert(e, ['events', i, 'labels']);
        if (!alert.ok) return alert;
        alerts.push(alert.data);
      }
      return success(alerts, parsed.data.deliveryKey ?? null, alerts.length === 0 ? ['the batch has no events'] : []);
    }
    const parsed = parseWith(singleSchema, obj.data);
    if (!parsed.ok) return parsed;
    const alert = toAlert(parsed.data, ['labels']);
    if (!alert.ok) return alert;
    return success([alert.data], parsed.data.deliveryKey ?? null);
  },
};
