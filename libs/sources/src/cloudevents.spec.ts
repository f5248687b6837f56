import { expectError, expectOk, fixture, fixtureObject } from '../fixtures/load';
import { cloudevents } from './cloudevents';

describe('cloudevents', () => {
  it('merges data.labels; delivery key is source#id', () => {
    const r = expectOk(cloudevents.normalize(fixture('cloudevents/alert-firing.json')));
    expect(r.deliveryKey).toBe('https://monitor.example.com/rules/disk-usage#8f2f6e3c-1b7a-4b7e-9d55-0c3e2a9f1d42');
    expect(r.alerts).toEqual([
      {
        source: 'cloudevents',
        labels: {
          alertname: 'DiskAlmostFull',
          ce_type: 'com.example.alerting.alert',
          ce_source: 'https://monitor.example.com/rules/disk-usage',
          ce_subject: 'db-3.internal',
          host: 'db-3.internal',
          mountpoint: '/var/lib/postgresql',
          severity: 'critical',
        },
        annotations: {
          summary: '/var/lib/postgresql on db-3 is 96% full',
          ce_id: '8f2f6e3c-1b7a-4b7e-9d55-0c3e2a9f1d42',
          ce_traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        },
        status: 'firing',
        startsAt: '2024-05-14T09:29:30.000Z',
        endsAt: null,
        sourceFingerprint: null,
        sourceUrl: 'https://monitor.example.com/rules/disk-usage?host=db-3.internal',
      },
    ]);
  });

  it('resolves with data.status; endsAt defaults to the event time', () => {
    const [a] = expectOk(cloudevents.normalize(fixture('cloudevents/alert-resolved.json'))).alerts;
    expect(a).toMatchObject({ status: 'resolved', startsAt: null, endsAt: '2024-05-14T10:05:00.000Z' });
    expect(a?.labels).toEqual(expectOk(cloudevents.normalize(fixture('cloudevents/alert-firing.json'))).alerts[0]?.labels);
  });

  it('takes any event: labels from type/source/subject, extensions as annotations', () => {
    const r = expectOk(cloudevents.normalize(fixture('cloudevents/spec-example.json')));
    expect(r.deliveryKey).toBe('https://github.com/cloudevents/spec/pull#A234-1234-1234');
    expect(r.alerts[0]).toMatchObject({
      labels: {
        alertname: 'com.github.pull_request.opened',
        ce_type: 'com.github.pull_request.opened',
        ce_source: 'https://github.com/cloudevents/spec/pull',
        ce_subject: '123',
      },
      annotations: { ce_id: 'A234-1234-1234', ce_comexampleextension1: 'value', ce_comexampleothervalue: '5' },
      status: 'firing',
      startsAt: '2018-04-05T17:31:00.000Z',
    });
  });

  it('does not let data.labels override the ce_* attributes', () => {
    const p = fixtureObject('cloudevents/alert-firing.json');
    const data = p['data'] as Record<string, unknown>;
    const r = expectOk(cloudevents.normalize({ ...p, data: { ...data, labels: { ce_source: 'spoof', team: 'db' } } }));
    expect(r.alerts[0]?.labels).toMatchObject({ ce_source: 'https://monitor.example.com/rules/disk-usage', team: 'db', alertname: 'com.example.alerting.alert' });
  });

  it('ignores data without labels, and non-JSON data', () => {
    const p = fixtureObject('cloudevents/alert-firing.json');
    expect(expectOk(cloudevents.normalize({ ...p, data: { status: 'Running' } })).alerts[0]?.status).toBe('firing');
    const xml = expectOk(cloudevents.normalize({ ...p, datacontenttype: 'text/xml', data: { labels: 'not json' } }));
    expect(xml.alerts[0]?.labels).not.toHaveProperty('host');
    const b64 = expectOk(cloudevents.normalize({ ...p, data: undefined, data_base64: 'PG11Y2ggd293PSJ4bWwiLz4=' }));
    expect(b64.notes).toEqual(['data_base64 is not inspected: labels come from the event attributes only']);
  });

  describe('rejects', () => {
    it('missing required attributes', () => {
      const p = fixtureObject('cloudevents/spec-example.json');
      expectError(cloudevents.normalize({ ...p, specversion: '0.3' }), 'specversion', 'specversion: expected "1.0" (CloudEvents 1.0, structured mode JSON), got a string ("0.3")');
      expectError(cloudevents.normalize({ ...p, id: undefined }), 'id', /got nothing/);
      expectError(cloudevents.normalize({ ...p, source: '' }), 'source', /non-empty string/);
      expectError(cloudevents.normalize({ ...p, type: 7 }), 'type', /got a number \(7\)/);
    });
    it('a bad time', () => {
      expectError(cloudevents.normalize({ ...fixtureObject('cloudevents/spec-example.json'), time: '2018-04-05' }), 'time', /a date without a time of day/);
    });
    it('bad alert data, naming the data field', () => {
      const p = fixtureObject('cloudevents/alert-firing.json');
      const data = p['data'] as Record<string, unknown>;
      expectError(cloudevents.normalize({ ...p, data: { ...data, status: 'FIRING' } }), 'data.status', /expected one of "firing", "resolved"/);
      expectError(cloudevents.normalize({ ...p, data: { ...data, labels: { host: 3 } } }), 'data.labels.host', /expected a string value, got a number/);
      expectError(cloudevents.normalize({ ...p, data: { ...data, startsAt: 'soon' } }), 'data.startsAt', /"soon" is not an ISO-8601 time/);
    });
    it('a batch (array) and a non-object', () => {
      expectError(cloudevents.normalize([fixture('cloudevents/spec-example.json')]), null, /batch mode\) is not accepted/);
      expectError(cloudevents.normalize('x'), null, /expected a JSON object \(a CloudEvent in structured mode\)/);
    });
  });
});
