import { expectError, expectOk, fixture, fixtureObject } from '../fixtures/load';
import { grafana } from './grafana';

const alertsOf = (p: Record<string, unknown>): Record<string, unknown>[] => p['alerts'] as Record<string, unknown>[];

describe('grafana', () => {
  it('normalizes the unified alerting webhook, extras as grafana_* annotations', () => {
    const r = expectOk(grafana.normalize(fixture('grafana/firing.json')));
    expect(r.deliveryKey).toBeNull();
    expect(r.alerts).toHaveLength(2);
    const [mem, cpu] = r.alerts;
    expect(mem).toEqual({
      source: 'grafana',
      labels: { alertname: 'High memory usage', grafana_folder: 'Infra', team: 'blue', zone: 'us-1' },
      annotations: {
        description: 'The system has high memory usage',
        runbook_url: 'https://runbooks.example.com/memory',
        summary: 'This alert was triggered for zone us-1',
        grafana_values: 'B=44.23943737541908, C=1',
        grafana_value_string: "[ var='B' labels={team=blue, zone=us-1} value=44.23943737541908 ], [ var='C' labels={team=blue, zone=us-1} value=1 ]",
        grafana_dashboard_url: 'https://grafana.example.com/d/node-exporter?from=1715672763000&orgId=1&to=1715683563000',
        grafana_panel_url: 'https://grafana.example.com/d/node-exporter?from=1715672763000&orgId=1&to=1715683563000&viewPanel=12',
        grafana_silence_url:
          'https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DHigh+memory+usage&matcher=team%3Dblue&matcher=zone%3Dus-1&orgId=1',
        grafana_rule_uid: 'bdkq8x2mv7zlse',
        grafana_org_id: '1',
      },
      status: 'firing',
      startsAt: '2024-05-14T09:51:03.157Z', // +02:00 normalized to UTC
      endsAt: null,
      sourceFingerprint: 'c6eadffa33fcdf37', // opaque, kept as Grafana computed it
      sourceUrl: 'https://grafana.example.com/alerting/grafana/bdkq8x2mv7zlse/view?orgId=1',
    });
    // empty dashboardURL/panelURL are not copied
    expect(cpu?.annotations).not.toHaveProperty('grafana_dashboard_url');
    expect(cpu?.annotations['grafana_values']).toBe('B=82.5, C=1');
  });

  it('handles a resolved alert with null values and an image', () => {
    const [a] = expectOk(grafana.normalize(fixture('grafana/resolved.json'))).alerts;
    expect(a).toMatchObject({ status: 'resolved', endsAt: '2024-05-14T10:06:03.157Z' });
    expect(a?.annotations['grafana_image_url']).toBe('https://grafana.example.com/public/img/attachments/4cbf8d3e.png');
    expect(a?.annotations).not.toHaveProperty('grafana_values');
  });

  it('lets an annotation set by the rule win over a grafana_* extra', () => {
    const p = fixtureObject('grafana/firing.json');
    alertsOf(p)[0] = { ...alertsOf(p)[0], annotations: { grafana_rule_uid: 'mine' } };
    expect(expectOk(grafana.normalize(p)).alerts[0]?.annotations['grafana_rule_uid']).toBe('mine');
  });

  it('notes truncation', () => {
    const p = { ...fixtureObject('grafana/resolved.json'), truncatedAlerts: 1 };
    expect(expectOk(grafana.normalize(p)).notes).toEqual(['Grafana truncated 1 alert from this group (max_alerts); only 1 is in this payload']);
  });

  describe('rejects', () => {
    it('an Alertmanager payload, pointing to its route', () => {
      expectError(grafana.normalize(fixture('alertmanager/firing-group.json')), 'version', /use POST \/api\/v1\/events\/alertmanager/);
    });
    it('values that are objects', () => {
      const p = fixtureObject('grafana/firing.json');
      alertsOf(p)[1] = { ...alertsOf(p)[1], values: { B: { value: 1 } } };
      expectError(grafana.normalize(p), 'alerts[1].values.B', /expected a number, got an object \(objects are never turned into strings\)/);
      alertsOf(p)[1] = { ...alertsOf(p)[1], values: [1, 2] };
      expectError(grafana.normalize(p), 'alerts[1].values', /refId → value/);
    });
    it('a bad label value and a bad time', () => {
      const p = fixtureObject('grafana/firing.json');
      alertsOf(p)[0] = { ...alertsOf(p)[0], labels: { alertname: 'x', zone: null } };
      expectError(grafana.normalize(p), 'alerts[0].labels.zone', /got null/);
      alertsOf(p)[0] = { ...alertsOf(p)[0], labels: { alertname: 'x' }, startsAt: '2021-10-12T09:51:03' };
      expectError(grafana.normalize(p), 'alerts[0].startsAt', /no UTC offset/);
    });
  });
});
