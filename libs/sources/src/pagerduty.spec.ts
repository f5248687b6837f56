import { expectError, expectOk, fixture, fixtureObject } from '../fixtures/load';
import { pagerduty } from './pagerduty';

const IDENTITY = { alertname: 'PagerDutyIncident', pagerduty_incident: 'Q2NPRZ3SX2Q7LC', pagerduty_service_id: 'PF9KMXH', service: 'Checkout API' };

/** A fixture with `event.data` replaced (merged) by `data`. */
function withData(path: string, data: Record<string, unknown>): Record<string, unknown> {
  const p = fixtureObject(path);
  const event = p['event'] as Record<string, unknown>;
  return { event: { ...event, data: { ...(event['data'] as Record<string, unknown>), ...data } } };
}

describe('pagerduty', () => {
  it('fires on incident.triggered; event.id is the delivery key', () => {
    const r = expectOk(pagerduty.normalize(fixture('pagerduty/incident-triggered.json')));
    expect(r.deliveryKey).toBe('01ESQ0AYV5BGQZ1SWB4NN4G9KZ');
    expect(r.notes).toEqual([]);
    expect(r.alerts).toEqual([
      {
        source: 'pagerduty',
        labels: IDENTITY,
        annotations: {
          summary: '[FIRING:1] HighErrorRate checkout critical',
          event_type: 'incident.triggered',
          incident_status: 'triggered',
          urgency: 'high',
          incident_number: '4217',
          incident_key: 'a6b5e0bc1c7a4f9c8e36d8c3f8e9b1d2',
          escalation_policy: 'Payments on-call',
          teams: 'Payments',
          assignees: 'Ana Ops',
          agent: 'Checkout API',
        },
        status: 'firing',
        startsAt: '2024-05-14T09:21:40.000Z',
        endsAt: null,
        sourceFingerprint: 'Q2NPRZ3SX2Q7LC',
        sourceUrl: 'https://acme.pagerduty.com/incidents/Q2NPRZ3SX2Q7LC',
      },
    ]);
  });

  it('resolves on incident.resolved with the same labels, whatever the priority became', () => {
    const [a] = expectOk(pagerduty.normalize(fixture('pagerduty/incident-resolved.json'))).alerts;
    expect(a?.labels).toEqual(IDENTITY);
    expect(a).toMatchObject({ status: 'resolved', startsAt: '2024-05-14T09:21:40.000Z', endsAt: '2024-05-14T09:47:55.901Z' });
    expect(a?.annotations).toMatchObject({ priority: 'P1', event_type: 'incident.resolved', incident_status: 'resolved' });
  });

  it('starts a new episode on incident.reopened', () => {
    const [a] = expectOk(pagerduty.normalize(fixture('pagerduty/incident-reopened.json'))).alerts;
    expect(a?.labels).toEqual(IDENTITY);
    expect(a).toMatchObject({ status: 'firing', startsAt: '2024-05-14T10:12:09.330Z', endsAt: null });
  });

  it.each([
    ['incident-acknowledged.json', 'PagerDuty incident.acknowledged for incident Q2NPRZ3SX2Q7LC: neither a trigger nor a resolve, recorded as a note only'],
    ['incident-priority-updated.json', 'PagerDuty incident.priority_updated for incident Q2NPRZ3SX2Q7LC: neither a trigger nor a resolve, recorded as a note only'],
    ['incident-annotated.json', 'PagerDuty incident.annotated for incident Q2NPRZ3SX2Q7LC: neither a trigger nor a resolve, recorded as a note only'],
    ['service-updated.json', 'PagerDuty service.updated (service): neither a trigger nor a resolve, recorded as a note only'],
  ])('records %s as a note with no alert', (file, note) => {
    const r = expectOk(pagerduty.normalize(fixture(`pagerduty/${file}`)));
    expect(r.alerts).toEqual([]);
    expect(r.notes).toEqual([note]);
    expect(r.deliveryKey).not.toBeNull();
  });

  it('falls back to occurred_at when created_at is missing', () => {
    const [a] = expectOk(pagerduty.normalize(withData('pagerduty/incident-triggered.json', { created_at: undefined }))).alerts;
    expect(a?.startsAt).toBe('2024-05-14T09:21:40.613Z');
  });

  describe('rejects', () => {
    it('a v2 webhook', () => {
      expectError(pagerduty.normalize({ messages: [{ event: 'incident.trigger' }] }), 'messages', /PagerDuty v2 webhook/);
    });
    it('a missing event and a bad event id', () => {
      expectError(pagerduty.normalize({}), 'event', /expected an object, got nothing/);
      const p = fixtureObject('pagerduty/incident-triggered.json');
      expectError(pagerduty.normalize({ event: { ...(p['event'] as object), id: 42 } }), 'event.id', /expected a string, got a number \(42\)/);
      expectError(pagerduty.normalize({ event: { ...(p['event'] as object), occurred_at: 'Tuesday' } }), 'event.occurred_at', /"Tuesday" is not an ISO-8601 time/);
    });
    it('an incident without a service', () => {
      expectError(pagerduty.normalize(withData('pagerduty/incident-triggered.json', { service: undefined })), 'event.data.service', /expected an object, got nothing/);
      expectError(pagerduty.normalize(withData('pagerduty/incident-triggered.json', { service: { summary: 'x' } })), 'event.data.service.id');
    });
    it('bad incident fields', () => {
      expectError(pagerduty.normalize(withData('pagerduty/incident-resolved.json', { number: '4217' })), 'event.data.number', /expected a number, got a string/);
      expectError(pagerduty.normalize(withData('pagerduty/incident-resolved.json', { created_at: '2024-05-14' })), 'event.data.created_at', /a date without a time of day/);
      expectError(pagerduty.normalize(withData('pagerduty/incident-triggered.json', { id: '' })), 'event.data.id', /non-empty string/);
    });
  });
});
