import { expectError, expectOk, fixture } from '../fixtures/load';
import { generic, MAX_GENERIC_EVENTS } from './generic';

const event = (i: number) => ({ labels: { alertname: 'Probe', target: `t${i}` }, status: 'firing' });

describe('generic', () => {
  it('normalizes one event', () => {
    const r = expectOk(generic.normalize(fixture('generic/single.json')));
    expect(r.deliveryKey).toBeNull();
    expect(r.alerts).toEqual([
      {
        source: 'generic',
        labels: { alertname: 'BackupFailed', job: 'pg-backup', cluster: 'orders' },
        annotations: { summary: 'nightly pg_basebackup failed', description: 'exit code 1: could not connect to server' },
        status: 'firing',
        startsAt: '2024-05-14T00:00:13.000Z',
        endsAt: null,
        sourceFingerprint: null,
        sourceUrl: null,
      },
    ]);
  });

  it('normalizes a batch with a delivery key', () => {
    const r = expectOk(generic.normalize(fixture('generic/batch.json')));
    expect(r.deliveryKey).toBe('cron-checker/2024-05-14T02:05:00Z');
    expect(r.alerts.map((a) => [a.labels['alertname'], a.status, a.endsAt])).toEqual([
      ['BackupFailed', 'resolved', '2024-05-14T00:04:51.000Z'],
      ['CertificateExpiresSoon', 'firing', null],
    ]);
    expect(r.alerts[1]?.sourceUrl).toBe('https://certs.example.com/shop.example.com');
  });

  it(`accepts ${MAX_GENERIC_EVENTS} events, and an empty batch with a note`, () => {
    const events = Array.from({ length: MAX_GENERIC_EVENTS }, (_, i) => event(i));
    expect(expectOk(generic.normalize({ events })).alerts).toHaveLength(MAX_GENERIC_EVENTS);
    expect(expectOk(generic.normalize({ events: [] })).notes).toEqual(['the batch has no events']);
  });

  describe('rejects', () => {
    it(`more than ${MAX_GENERIC_EVENTS} events`, () => {
      const events = Array.from({ length: MAX_GENERIC_EVENTS + 1 }, (_, i) => event(i));
      expectError(generic.normalize({ events }), 'events', 'events: expected at most 1000 events per request, got 1001: split the batch');
    });
    it('labels that are not strings, naming the event and label', () => {
      expectError(
        generic.normalize({ events: [event(0), event(1), { labels: { alertname: 'X', code: 500 }, status: 'firing' }] }),
        'events[2].labels.code',
        'events[2].labels.code: expected a string value, got a number (500)',
      );
      expectError(generic.normalize({ labels: 'alertname=X', status: 'firing' }), 'labels', 'labels: expected an object of string values, got a string ("alertname=X")');
    });
    it('an event without labels', () => {
      expectError(generic.normalize({ labels: {}, status: 'firing' }), 'labels', /at least one label/);
      expectError(generic.normalize({ events: [event(0), { labels: { a: '' }, status: 'resolved' }] }), 'events[1].labels', /at least one label/);
    });
    it('a missing or bad status', () => {
      expectError(generic.normalize({ labels: { a: 'b' } }), 'status', /expected one of "firing", "resolved", got nothing/);
      expectError(generic.normalize({ labels: { a: 'b' }, status: 'ok' }), 'status', /got a string \("ok"\)/);
    });
    it('bad times', () => {
      expectError(generic.normalize({ events: [event(0), { ...event(1), startsAt: 'yesterday' }] }), 'events[1].startsAt', /^events\[1\]\.startsAt: "yesterday" is not an ISO-8601 time/);
      expectError(generic.normalize({ ...event(0), endsAt: '2024-05-14T10:00:00' }), 'endsAt', /no UTC offset/);
    });
    it('unknown (misspelt) fields', () => {
      expectError(generic.normalize({ ...event(0), annotation: { a: 'b' } }), 'annotation', /unknown field \(known fields: labels, annotations, status, startsAt, endsAt, sourceUrl, deliveryKey\)/);
      expectError(generic.normalize({ events: [{ ...event(0), satus: 'x' }] }), 'events[0].satus', /unknown field/);
    });
    it('events that are not an array, and a non-object payload', () => {
      expectError(generic.normalize({ events: { a: 1 } }), 'events', /expected an array, got an object/);
      expectError(generic.normalize([event(0)]), null, /expected a JSON object/);
    });
  });
});
