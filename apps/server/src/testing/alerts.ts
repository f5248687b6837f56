/** Test payloads in Alertmanager's webhook format (version 4). */

export interface TestAlert {
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly status?: 'firing' | 'resolved';
  readonly startsAt?: string;
  readonly endsAt?: string;
}

/** One webhook delivery holding `alerts` (a group), as Alertmanager sends it. */
export function alertmanagerWebhook(alerts: readonly TestAlert[]): string {
  const first = alerts[0];
  const alertname = first?.labels['alertname'] ?? 'Test';
  return JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="${alertname}"}`,
    status: alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved',
    receiver: 'wolfe',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://am',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt ?? new Date().toISOString(),
      endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: 'x',
    })),
  });
}

let minute = 0;
/** A firing alert whose startsAt is a new minute each call: every call is a new episode. */
export const newEpisodeAlert = (alertname: string, labels: Record<string, string> = {}): string =>
  alertmanagerWebhook([{ labels: { alertname, ...labels }, startsAt: new Date(Date.UTC(2026, 10, 21, 10, minute++)).toISOString() }]);
