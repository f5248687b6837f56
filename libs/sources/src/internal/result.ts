import type { AlertStatus, NormalizedAlert } from '@wolfe/events';
import type { NormalizeSuccess } from '../types';
import type { MapBuilder } from './labels';
import { fail, type Parsed, type Path } from './parse';

export interface AlertParts {
  labels: MapBuilder;
  annotations: MapBuilder;
  status: AlertStatus;
  startsAt: string | null;
  endsAt: string | null;
  sourceFingerprint?: string | null;
  sourceUrl?: string | null;
}

/**
 * Finishes one alert. Every alert needs at least one label with a non-empty value (labels are its
 * identity); `labelsPath` names the field to blame when there is none.
 */
export function makeAlert(source: string, parts: AlertParts, labelsPath: Path): Parsed<NormalizedAlert> {
  if (parts.labels.size === 0) return fail(labelsPath, 'expected at least one label with a non-empty value, got none');
  return {
    ok: true,
    data: {
      source,
      labels: parts.labels.build(),
      annotations: parts.annotations.build(),
      status: parts.status,
      startsAt: parts.startsAt,
      endsAt: parts.endsAt,
      sourceFingerprint: emptyToNull(parts.sourceFingerprint),
      sourceUrl: emptyToNull(parts.sourceUrl),
    },
  };
}

export function emptyToNull(v: string | null | undefined): string | null {
  return v === undefined || v === null || v === '' ? null : v;
}

export function success(alerts: NormalizedAlert[], deliveryKey: string | null, notes: string[] = []): NormalizeSuccess {
  return { ok: true, alerts, deliveryKey: emptyToNull(deliveryKey), notes };
}
