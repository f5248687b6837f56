import { expectError, expectOk, fixture, fixtureObject } from '../fixtures/load';
import { alertmanager } from './alertmanager';

const alertsOf = (p: Record<string, unknown>): Record<string, unknown>[] => p['alerts'] as Record<string, unknown>[];

describe('alertmanager', () => {
  it('normalizes every alert of a firing group', () => {
    const r = expectOk(alertmanager.normalize(fixture('alertmanager/firing-group.json')));
    expect(r.deliveryKey).toBeNull();
    expect(r.notes).toEqual([]);
    expect(r.alerts).toHaveLength(2);
    expect(r.alerts[0]).toEqual({
      source: 'alertmanager',
      labels: { alertname: 'HighErrorRate', instance: 'checkout-7d9f8b6c5-x2kqp:8080', job: 'checkout', severity: 'critical', team: 'payments' },
      annotations: {
        description: '5xx ratio is 7.3% over the last 5m',
        runbook_url: 'https://runbooks.example.com/checkout/high-error-rate',
        summary: 'checkout 5xx ratio above 5%',
      },
      status: 'firing',
      startsAt: '2024-05-14T09:21:37.512Z',
      endsAt: null, // 0001-01-01T00:00:00Z
      sourceFingerprint: '6f7c7f0e0a2bd1a4',
      sourceUrl:
        'http://prometheus-0:9090/graph?g0.expr=sum+by+%28job%29+%28rate%28http_requests_total%7Bcode%3D~%225..%22%7D%5B5m%5D%29%29&g0.tab=1',
    });
    expect(r.alerts[1]?.labels['instance']).toBe('checkout-7d9f8b6c5-9wz4m:8080');
  });

  it('keeps endsAt of a resolved alert', () => {
    const [a] = expectOk(alertmanager.normalize(fixture('alertmanager/resolved.json'))).alerts;
    expect(a?.status).toBe('resolved');
    expect(a?.startsAt).toBe('2024-05-14T08:02:11.101Z');
    expect(a?.endsAt).toBe('2024-05-14T08:47:41.101Z');
  });

  it('notes truncated alerts and ignores keys of newer versions', () => {
    const r = expectOk(alertmanager.normalize(fixture('alertmanager/truncated-newer-keys.json')));
    expect(r.alerts.map((a) => a.status)).toEqual(['firing', 'resolved']);
    expect(r.notes).toEqual(['Alertmanager truncated 3 alerts from this group (max_alerts); only 2 are in this payload']);
  });

  it('accepts a minimal payload and notes an empty one', () => {
    const r = expectOk(
      alertmanager.normalize({ version: '4', alerts: [{ status: 'firing', labels: { alertname: 'Up' }, startsAt: '2024-05-14T09:00:00Z' }] }),
    );
    expect(r.alerts[0]).toMatchObject({ annotations: {}, endsAt: null, sourceFingerprint: null, sourceUrl: null });
    expect(expectOk(alertmanager.normalize({ version: '4', alerts: [] })).notes).toEqual(['the payload has no alerts']);
  });

  it('drops labels with empty values (Prometheus semantics)', () => {
    const r = expectOk(alertmanager.normalize({ version: '4', alerts: [{ status: 'firing', labels: { alertname: 'X', job: '' } }] }));
    expect(r.alerts[0]?.labels).toEqual({ alertname: 'X' });
  });

  describe('rejects', () => {
    it('a payload that is not an object', () => {
      expectError(alertmanager.normalize([1]), null, /expected a JSON object \(an Alertmanager webhook payload\), got an array/);
      expectError(alertmanager.normalize(null), null, /got null/);
    });
    it('a version other than "4", pointing Grafana to its route', () => {
      const p = fixtureObject('alertmanager/firing-group.json');
      expectError(alertmanager.normalize({ ...p, version: '1' }), 'version', 'version: expected "4" (Alertmanager webhook v4), got a string ("1"); Grafana sends version "1": use POST /api/v1/events/grafana');
      expectError(alertmanager.normalize({ ...p, version: 4 }), 'version', /got a number \(4\)/);
      expectError(alertmanager.normalize({ ...p, version: undefined }), 'version', /got nothing/);
    });
    it('labels that are not an object of strings', () => {
      const p = fixtureObject('alertmanager/firing-group.json');
      const alerts = alertsOf(p);
      alerts[1] = { ...alerts[1], labels: 'severity=critical' };
      expectError(alertmanager.normalize(p), 'alerts[1].labels', 'alerts[1].labels: expected an object of string values, got a string ("severity=critical")');
      alerts[1] = { ...alerts[1], labels: { alertname: 'X', replicas: 3 } };
      expectError(alertmanager.normalize(p), 'alerts[1].labels.replicas', /expected a string value, got a number \(3\)/);
    });
    it('an alert without labels', () => {
      expectError(
        alertmanager.normalize({ version: '4', alerts: [{ status: 'firing', labels: { alertname: '' } }] }),
        'alerts[0].labels',
        'alerts[0].labels: expected at least one label with a non-empty value, got none',
      );
    });
    it('a bad time, naming the alert', () => {
      const p = fixtureObject('alertmanager/firing-group.json');
      alertsOf(p)[1] = { ...alertsOf(p)[1], startsAt: 'yesterday' };
      expectError(alertmanager.normalize(p), 'alerts[1].startsAt', /^alerts\[1\]\.startsAt: "yesterday" is not an ISO-8601 time/);
      alertsOf(p)[1] = { ...alertsOf(p)[1], startsAt: '2024-05-14T09:21:37Z', endsAt: 1715678490 };
      expectError(alertmanager.normalize(p), 'alerts[1].endsAt', /expected an ISO-8601 time string, got a number/);
    });
    it('a bad status', () => {
      const p = fixtureObject('alertmanager/resolved.json');
      alertsOf(p)[0] = { ...alertsOf(p)[0], status: 'RESOLVED' };
      expectError(alertmanager.normalize(p), 'alerts[0].status', 'alerts[0].status: expected one of "firing", "resolved", got a string ("RESOLVED")');
    });
    it('alerts that are not an array, and a bad truncatedAlerts', () => {
      expectError(alertmanager.normalize({ version: '4', alerts: {} }), 'alerts', /expected an array, got an object/);
      expectError(alertmanager.normalize({ version: '4', alerts: [], truncatedAlerts: -1 }), 'truncatedAlerts', /at least 0/);
    });
  });
});
