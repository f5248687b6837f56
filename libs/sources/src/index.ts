import { alertmanager } from './alertmanager';
import { cloudevents } from './cloudevents';
import { cloudwatch } from './cloudwatch';
import { datadog } from './datadog';
import { generic } from './generic';
import { grafana } from './grafana';
import { pagerduty } from './pagerduty';
import type { SourceNormalizer } from './types';

export type { NormalizeResult, SourceNormalizer } from './types';
export { MAX_GENERIC_EVENTS } from './generic';

/** Every alert source, by route name: `POST /api/v1/events/{name}`. */
export const SOURCES: Readonly<Record<string, SourceNormalizer>> = Object.freeze({
  alertmanager,
  grafana,
  cloudwatch,
  pagerduty,
  datadog,
  cloudevents,
  generic,
});

/** The normalizer for a route name, or undefined (also for `constructor`, `__proto__`, …). */
export function getSource(name: string): SourceNormalizer | undefined {
  return Object.hasOwn(SOURCES, name) ? SOURCES[name] : undefined;
}
